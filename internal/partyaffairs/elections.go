package partyaffairs

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/page"
	"tongxin/internal/valid"
)

// Term lengths (PRODUCT.md, Domain rules): a branch (and a general or
// joint branch) is elected for 3 years, a committee for 5.
const (
	BranchTermYears    = 3
	CommitteeTermYears = 5
)

// Limits of an election.
const (
	MaxSeats      = 15
	MaxCandidates = 50
	MaxVoters     = 10000
)

// Election is the record of one term election (换届选举) of an
// organisation: the seats, the members who voted, every candidate with
// their votes and whether they were elected, and the new term's end.
type Election struct {
	ID         string      `json:"id"`
	ZoneID     string      `json:"zone_id"`
	OrgID      string      `json:"org_id"`
	OrgName    string      `json:"org_name"`
	HeldOn     string      `json:"held_on"`
	Seats      int         `json:"seats"`
	Voters     int         `json:"voters"`
	TermEndsOn string      `json:"term_ends_on"`
	Note       string      `json:"note"`
	Candidates []Candidate `json:"candidates"`
	Version    int         `json:"version"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
}

// Candidate is one candidate of an election.
type Candidate struct {
	Name     string  `json:"name"`
	PersonID *string `json:"person_id"`
	Votes    int     `json:"votes"`
	Elected  bool    `json:"elected"`
}

const electionCols = `id, zone_id, org_id, held_on, seats, voters, term_ends_on, note, version, created_at, updated_at,
	COALESCE((SELECT o.name FROM orgs o WHERE o.id = party_elections.org_id), '')`

func scanElection(s page.Scanner) (Election, error) {
	var e Election
	err := s.Scan(&e.ID, &e.ZoneID, &e.OrgID, &e.HeldOn, &e.Seats, &e.Voters, &e.TermEndsOn, &e.Note, &e.Version,
		db.T(&e.CreatedAt), db.T(&e.UpdatedAt), &e.OrgName)
	e.Candidates = []Candidate{}
	return e, err
}

var electionTable = page.Table[Election]{From: "party_elections", Cols: electionCols, Attach: page.Attached(access.ByNode("org_id")), Scan: scanElection}

func fillCandidates(ctx context.Context, q db.Querier, es []Election) error {
	if len(es) == 0 {
		return nil
	}
	at := map[string]int{}
	ids := make([]string, len(es))
	for i, e := range es {
		at[e.ID], ids[i] = i, e.ID
	}
	var a db.Args
	return db.Each(ctx, q, `SELECT election_id, name, person_id, votes, elected FROM party_election_candidates
		WHERE election_id IN (`+a.In(ids)+`) ORDER BY election_id, position`, a, func(s db.Scanner) error {
		var id string
		var c Candidate
		var person sql.NullString
		if err := s.Scan(&id, &c.Name, &person, &c.Votes, &c.Elected); err != nil {
			return err
		}
		c.PersonID = nullStr(person)
		es[at[id]].Candidates = append(es[at[id]].Candidates, c)
		return nil
	})
}

// ListElections lists the elections of the organisations in the caller's
// party.read scope, newest first; org_id narrows to one organisation.
func (s *Service) ListElections(ctx context.Context, orgID string, p page.Page) (page.List[Election], error) {
	var a db.Args
	where := access.From(ctx).Scope(Read).Where(&a, access.ByNode("org_id"))
	if orgID != "" {
		where += " AND org_id = " + a.Add(orgID)
	}
	l, err := page.Rows(ctx, s.DB.R, p, page.Query{From: "party_elections", Cols: electionCols, Where: where, Args: a, Desc: true}, scanElection,
		page.ByID(func(e Election) string { return e.ID }))
	if err == nil {
		err = fillCandidates(ctx, s.DB.R, l.Items)
	}
	return l, err
}

// GetElection returns one election in the caller's scope. Returns
// ENOTFOUND.
func (s *Service) GetElection(ctx context.Context, id string) (Election, error) {
	e, err := electionTable.One(ctx, s.DB.R, Read, Read, id)
	if err != nil {
		return e, err
	}
	es := []Election{e}
	err = fillCandidates(ctx, s.DB.R, es)
	return es[0], err
}

// CandidateInput is a candidate as the caller gives them.
type CandidateInput struct {
	Name     string
	PersonID string
	Votes    *int
}

// ElectionInput is what recording an election takes.
type ElectionInput struct {
	OrgID      string
	HeldOn     string
	Seats      int
	Voters     int
	Candidates []CandidateInput
	Note       string
}

// elect decides who is elected: the candidates with the most votes, up to
// the seats, each with more than half the votes of the members who voted
// (regulations: 应选人数, 超过实到会有选举权人数的半数). A tie for the
// last seat is not decided here (another ballot decides it): ok false.
func elect(seats, voters int, votes []int) (elected []bool, ok bool) {
	order := make([]int, len(votes))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return votes[order[i]] > votes[order[j]] })
	elected = make([]bool, len(votes))
	for rank, i := range order {
		if rank >= seats || votes[i]*2 <= voters {
			if rank >= seats && rank > 0 && votes[i] == votes[order[rank-1]] && votes[i]*2 > voters {
				return elected, false
			}
			break
		}
		elected[i] = true
	}
	return elected, true
}

// RecordElection records an organisation's term election and, when the
// ballot elected anyone, starts its new term: the organisation's term end moves to the election date plus
// the term (3 years for a branch, 5 for a committee), which clears its
// term_ending and term_overdue warnings. Needs party.manage over the
// organisation. Returns EVALIDATION (org_id unknown_value; held_on;
// seats, voters out_of_range; candidates fewer_than_seats, too_many,
// tie_for_last_seat; candidates[i].name, .votes, .person_id).
func (s *Service) RecordElection(ctx context.Context, in ElectionInput) (Election, error) {
	var fs apperr.Fields
	if in.Seats < 1 || in.Seats > MaxSeats {
		fs.Add("seats", "out_of_range", "Min", 1, "Max", MaxSeats)
	}
	if in.Voters < 1 || in.Voters > MaxVoters {
		fs.Add("voters", "out_of_range", "Min", 1, "Max", MaxVoters)
	}
	switch {
	case len(in.Candidates) > MaxCandidates:
		fs.Add("candidates", "too_many", "Max", MaxCandidates)
	case in.Seats >= 1 && len(in.Candidates) < in.Seats:
		fs.Add("candidates", "fewer_than_seats", "Seats", in.Seats, "Count", len(in.Candidates))
	}
	votes := make([]int, len(in.Candidates))
	for i := range in.Candidates {
		c := &in.Candidates[i]
		f := "candidates[" + itoa(i) + "]"
		valid.Name(&fs, f+".name", &c.Name, 50)
		switch {
		case c.Votes == nil:
			fs.Add(f+".votes", "required")
		case *c.Votes < 0 || (in.Voters >= 1 && *c.Votes > in.Voters):
			fs.Add(f+".votes", "out_of_range", "Min", 0, "Max", in.Voters)
		default:
			votes[i] = *c.Votes
		}
	}
	valid.Text(&fs, "note", in.Note, 2000)
	var e Election
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		held, _ := s.pastDate(&fs, "held_on", in.HeldOn, tx.Now)
		org, err := covered(ctx, tx, Manage, "org_id", in.OrgID, access.KindOrg)
		if err != nil {
			if !apperr.Is(err, apperr.Validation) {
				return err
			}
			fs.Add("org_id", "unknown_value")
		}
		for i, c := range in.Candidates {
			if c.PersonID == "" {
				continue
			}
			var zone string
			err := tx.QueryRowContext(ctx, `SELECT zone_id FROM people WHERE id = $1`, c.PersonID).Scan(&zone)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && zone != org.ZoneID) {
				fs.Add("candidates["+itoa(i)+"].person_id", "unknown_value")
			} else if err != nil {
				return err
			}
		}
		elected, decided := elect(in.Seats, in.Voters, votes)
		if !decided {
			fs.Add("candidates", "tie_for_last_seat")
		}
		if err := fs.Err(); err != nil {
			return err
		}
		var kind string
		var oldTerm sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT kind, term_ends_on FROM orgs WHERE id = $1`, org.ID).Scan(&kind, &oldTerm); err != nil {
			return err
		}
		years := BranchTermYears
		if kind == "committee" || kind == "working_committee" {
			years = CommitteeTermYears
		}
		e = Election{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: org.ZoneID, OrgID: org.ID, HeldOn: held.Format(time.DateOnly), Seats: in.Seats,
			Voters: in.Voters, TermEndsOn: held.AddDate(years, 0, 0).Format(time.DateOnly), Note: in.Note, Candidates: []Candidate{},
			Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
		if _, err := tx.ExecContext(ctx, `INSERT INTO party_elections (id, zone_id, org_id, held_on, seats, voters, term_ends_on, note, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)`, e.ID, e.ZoneID, e.OrgID, e.HeldOn, e.Seats, e.Voters, e.TermEndsOn, e.Note,
			db.Micros(tx.Now)); err != nil {
			return err
		}
		for i, c := range in.Candidates {
			cd := Candidate{Name: c.Name, Votes: votes[i], Elected: elected[i]}
			if c.PersonID != "" {
				cd.PersonID = &in.Candidates[i].PersonID
			}
			e.Candidates = append(e.Candidates, cd)
			if _, err := tx.ExecContext(ctx, `INSERT INTO party_election_candidates (election_id, zone_id, position, name, person_id, votes, elected)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.ID, e.ZoneID, i, cd.Name, db.NullString(c.PersonID), cd.Votes, cd.Elected); err != nil {
				return err
			}
		}
		// The new term starts: only a later term end than the one kept
		// moves it (recording an older election afterwards changes
		// nothing), decided in the UPDATE itself so that two elections
		// recorded at once leave the later term.
		// A ballot that elected nobody starts no term.
		res, err := tx.ExecContext(ctx, `UPDATE orgs SET term_ends_on = $1, version = version + 1, updated_at = $2
			WHERE id = $3 AND (term_ends_on IS NULL OR term_ends_on < $1) AND $4`, e.TermEndsOn, db.Micros(tx.Now), org.ID,
			slices.Contains(elected, true))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			if err := audit.Record(ctx, tx, audit.Event{ZoneID: e.ZoneID, Node: org.ID, Entity: "org", EntityID: org.ID, Action: "update",
				Summary: map[string]any{"term_ends_on": audit.Change{From: nullStr(oldTerm), To: e.TermEndsOn}}}); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, `SELECT name FROM orgs WHERE id = $1`, org.ID).Scan(&e.OrgName); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: e.ZoneID, Node: org.ID, Entity: "party_election", EntityID: e.ID, Action: "create",
			Summary: map[string]any{"held_on": e.HeldOn, "seats": e.Seats, "candidates": len(e.Candidates), "term_ends_on": e.TermEndsOn}})
	})
	return e, err
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
