package artery

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/nodes"
	"tongxin/internal/page"
	"tongxin/internal/valid"
)

// Match states.
const (
	Proposed  = "proposed"
	Contacted = "contacted"
	Agreed    = "agreed"
	Declined  = "declined"
)

// MatchStatuses lists the states of a match.
var MatchStatuses = []string{Proposed, Contacted, Agreed, Declined}

// Match is a need paired with an offer, brokered by the park's staff.
type Match struct {
	ID                string            `json:"id"`
	ZoneID            string            `json:"zone_id"`
	NeedID            string            `json:"need_id"`
	OfferID           string            `json:"offer_id"`
	NeedTitle         string            `json:"need_title"`
	OfferTitle        string            `json:"offer_title"`
	NeedOwnerName     string            `json:"need_owner_name"`
	OfferOwnerName    string            `json:"offer_owner_name"`
	NeedEnterpriseID  *string           `json:"need_enterprise_id"`
	OfferEnterpriseID *string           `json:"offer_enterprise_id"`
	Score             float64           `json:"score"`
	Reasons           []Reason          `json:"reasons"`
	Explanation       map[string]string `json:"explanation"`
	Status            string            `json:"status"`
	NeedAccepted      bool              `json:"need_accepted"`
	OfferAccepted     bool              `json:"offer_accepted"`
	Note              string            `json:"note"`
	CooperationID     *string           `json:"cooperation_id"`
	Version           int               `json:"version"`
	CreatedAt         time.Time         `json:"created_at"`
	UpdatedAt         time.Time         `json:"updated_at"`
}

// transitions is the match workflow: for each action, the states it may
// leave and the state it reaches. accept reaches agreed only when both
// sides have accepted (see Act); a broker's agree records both.
var transitions = map[string]struct {
	from []string
	to   string
}{
	"contact": {[]string{Proposed}, Contacted},
	"agree":   {[]string{Contacted}, Agreed},
	"accept":  {[]string{Proposed, Contacted}, Agreed},
	"decline": {[]string{Proposed, Contacted}, Declined},
}

// MatchActions lists the actions of Act.
var MatchActions = []string{"contact", "agree", "accept", "decline"}

// matchCols adds the two listings' titles and owners (by primary key).
var matchCols = `id, zone_id, need_id, offer_id, need_enterprise_id, offer_enterprise_id, score, reasons, status, need_accepted, offer_accepted,
	note, cooperation_id, version, created_at, updated_at,
	(SELECT title FROM listings WHERE listings.id = need_id), (SELECT title FROM listings WHERE listings.id = offer_id),
	` + ownerName("need_id") + `, ` + ownerName("offer_id")

func ownerName(col string) string {
	return `(SELECT COALESCE((SELECT e.name FROM enterprises e WHERE e.id = x.enterprise_id), (SELECT i.name FROM institutes i WHERE i.id = x.institute_id), '')
		FROM listings x WHERE x.id = ` + col + `)`
}

func scanMatch(s page.Scanner) (Match, error) {
	var m Match
	var ne, oe, coop sql.NullString
	var reasons string
	err := s.Scan(&m.ID, &m.ZoneID, &m.NeedID, &m.OfferID, &ne, &oe, &m.Score, &reasons, &m.Status, &m.NeedAccepted, &m.OfferAccepted, &m.Note,
		&coop, &m.Version, db.T(&m.CreatedAt), db.T(&m.UpdatedAt), &m.NeedTitle, &m.OfferTitle, &m.NeedOwnerName, &m.OfferOwnerName)
	if err != nil {
		return m, err
	}
	m.NeedEnterpriseID, m.OfferEnterpriseID, m.CooperationID = nullStr(ne), nullStr(oe), nullStr(coop)
	m.Reasons = []Reason{}
	err = json.Unmarshal([]byte(reasons), &m.Reasons)
	m.Explanation = explain(m.Reasons)
	return m, err
}

func nullStr(v sql.NullString) *string {
	if !v.Valid {
		return nil
	}
	return &v.String
}

// A match hangs under both parties' enterprises and the zone: each side's
// partner and park staff see it.
var matchAttach = []access.Attach{access.ByZone("zone_id"), access.ByNode("need_enterprise_id"), access.ByNode("offer_enterprise_id")}

var matchTable = page.Table[Match]{From: "matches", Cols: matchCols, Attach: page.Attached(matchAttach...), Scan: scanMatch}

// MatchFilter narrows ListMatches.
type MatchFilter struct {
	Status, ListingID, EnterpriseID string
}

// ListMatches lists the matches in the caller's scope, newest first.
func (s *Service) ListMatches(ctx context.Context, f MatchFilter, p page.Page) (page.List[Match], error) {
	var a db.Args
	where := access.From(ctx).Scope(Read).Where(&a, matchAttach...)
	if f.Status != "" {
		where += " AND status = " + a.Add(f.Status)
	}
	if f.ListingID != "" {
		k := a.Add(f.ListingID)
		where += " AND (need_id = " + k + " OR offer_id = " + k + ")"
	}
	if f.EnterpriseID != "" {
		k := a.Add(f.EnterpriseID)
		where += " AND (need_enterprise_id = " + k + " OR offer_enterprise_id = " + k + ")"
	}
	return page.Rows(ctx, s.DB.R, p, page.Query{From: "matches", Cols: matchCols, Where: where, Args: a, Desc: true}, scanMatch,
		page.ByID(func(m Match) string { return m.ID }))
}

// GetMatch returns a match in the caller's scope. Returns ENOTFOUND.
func (s *Service) GetMatch(ctx context.Context, id string) (Match, error) {
	return matchTable.One(ctx, s.DB.R, Read, Read, id)
}

// CreateMatch pairs the need with the offer, keeping the ranking's score
// and reasons as they are now. The caller needs match.broker over the
// need's owner (its park, or the zone for an institute's need) and must
// see the offer's zone. Returns EFORBIDDEN, EVALIDATION (not a need, not
// an offer, the same owner, another zone, closed), ECONFLICT (the pair is
// matched already).
func (s *Service) CreateMatch(ctx context.Context, needID, offerID, note string) (Match, error) {
	var fs apperr.Fields
	if needID == "" {
		fs.Add("need_id", "required")
	}
	if offerID == "" {
		fs.Add("offer_id", "required")
	}
	valid.Text(&fs, "note", note, 1000)
	if err := fs.Err(); err != nil {
		return Match{}, err
	}
	if access.From(ctx).Scope(Broker).Empty() {
		return Match{}, apperr.New(apperr.Forbidden, "")
	}
	need, err := listingTable.One(ctx, s.DB.R, Broker, Read, needID)
	if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden) {
		return Match{}, apperr.Field("need_id", "unknown_value")
	}
	if err != nil {
		return Match{}, err
	}
	if need.Kind != Need {
		return Match{}, apperr.Field("need_id", "not_a_need")
	}
	offer, err := scanListing(s.DB.R.QueryRowContext(ctx, `SELECT `+listingCols+` FROM `+listingFrom+` WHERE l.id = $1`, offerID))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && offer.ZoneID != need.ZoneID) {
		return Match{}, apperr.Field("offer_id", "unknown_value")
	}
	if err != nil {
		return Match{}, err
	}
	switch {
	case offer.Kind != Offer:
		return Match{}, apperr.Field("offer_id", "not_an_offer")
	case offer.owner() == need.owner():
		return Match{}, apperr.Field("offer_id", "same_owner")
	case offer.Status != "open" || need.Status != "open":
		return Match{}, apperr.Field("offer_id", "listing_closed")
	}
	// The score and reasons as the ranking gives them now: the offer's
	// place among the need's proposals, or its parts alone when it ranks
	// below them.
	score, rs, err := s.scorePair(ctx, need, offer)
	if err != nil {
		return Match{}, err
	}
	var m Match
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		m = Match{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: need.ZoneID, NeedID: need.ID, OfferID: offer.ID, NeedEnterpriseID: need.EnterpriseID,
			OfferEnterpriseID: offer.EnterpriseID, Score: score, Reasons: rs, Status: Proposed, Note: note, Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
		b, _ := json.Marshal(m.Reasons)
		_, err := tx.ExecContext(ctx, `INSERT INTO matches (id, zone_id, need_id, offer_id, need_enterprise_id, offer_enterprise_id, score, reasons, status,
			note, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11)`,
			m.ID, m.ZoneID, m.NeedID, m.OfferID, m.NeedEnterpriseID, m.OfferEnterpriseID, m.Score, string(b), m.Status, m.Note, db.Micros(tx.Now))
		if db.IsUnique(err) {
			return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.match_exists", Fields: []apperr.FieldError{{Field: "offer_id", Code: "taken"}}}
		}
		if err != nil {
			return err
		}
		m.NeedTitle, m.OfferTitle, m.NeedOwnerName, m.OfferOwnerName = need.Title, offer.Title, need.OwnerName, offer.OwnerName
		m.Explanation = explain(m.Reasons)
		return audit.Record(ctx, tx, audit.Event{ZoneID: m.ZoneID, Node: need.owner(), Entity: "match", EntityID: m.ID, Action: "create",
			Summary: map[string]any{"need_id": m.NeedID, "offer_id": m.OfferID, "score": m.Score}})
	})
	return m, err
}

// scorePair is the ranking's score and reasons for one pair (zero and
// none when the offer is no candidate at all).
func (s *Service) scorePair(ctx context.Context, need, offer Listing) (float64, []Reason, error) {
	ps, err := s.propose(ctx, need, 1, offer.ID)
	if err != nil || len(ps) == 0 {
		return 0, []Reason{}, err
	}
	return ps[0].Score, ps[0].Reasons, nil
}

// Act moves a match: contact (proposed → contacted) and agree (contacted
// → agreed) are for brokers (match.broker over the match); decline
// (proposed or contacted → declined) for brokers and either party's
// contact; accept records the acceptance of the sides the caller speaks
// for (match.respond over that side's enterprise, or over the zone for an
// institute) and reaches agreed once both sides have accepted. Reaching
// agreed creates the cooperation project in the same transaction: type
// research when an institute is a party, talent or capacity for those
// categories, chain otherwise. Returns ENOTFOUND, EFORBIDDEN, EVALIDATION
// (unknown action), ECONFLICT (the state does not allow the action, or
// another caller moved the match first).
func (s *Service) Act(ctx context.Context, id, action, note string) (Match, error) {
	t, ok := transitions[action]
	var fs apperr.Fields
	if !ok {
		fs.Add("action", "unknown_value")
	}
	valid.Text(&fs, "note", note, 1000)
	if err := fs.Err(); err != nil {
		return Match{}, err
	}
	var m Match
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := matchTable.One(ctx, tx, Respond, Read, id)
		if err != nil {
			return err
		}
		broker := true
		if _, err := matchTable.One(ctx, tx, Broker, Read, id); apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.NotFound) {
			broker = false
		} else if err != nil {
			return err
		}
		if !broker && (action == "contact" || action == "agree") {
			return apperr.New(apperr.Forbidden, "")
		}
		if !slices.Contains(t.from, old.Status) {
			return apperr.New(apperr.Conflict, "problem.match_transition", "Status", old.Status, "Action", action)
		}
		m = old
		m.Status = t.to
		if note != "" {
			m.Note = note
		}
		switch action {
		case "agree":
			m.NeedAccepted, m.OfferAccepted = true, true
		case "accept":
			need, offer, err := sides(ctx, tx, old)
			if err != nil {
				return err
			}
			if !need && !offer {
				return apperr.New(apperr.Forbidden, "")
			}
			m.NeedAccepted = m.NeedAccepted || need
			m.OfferAccepted = m.OfferAccepted || offer
			if !(m.NeedAccepted && m.OfferAccepted) {
				m.Status = old.Status
			}
		}
		// The conditional update comes first: it holds the match's row, so
		// of callers acting at once one moves it and the rest get 409
		// before anything else is written.
		m.Version, m.UpdatedAt = old.Version+1, tx.Now
		res, err := tx.ExecContext(ctx, `UPDATE matches SET status = $1, need_accepted = $2, offer_accepted = $3, note = $4,
			version = $5, updated_at = $6 WHERE id = $7 AND version = $8`, m.Status, m.NeedAccepted, m.OfferAccepted, m.Note,
			m.Version, db.Micros(tx.Now), id, old.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "problem.changed_meanwhile")
		}
		if m.Status == Agreed {
			coop, err := s.cooperationOf(ctx, tx, m)
			if err != nil {
				return err
			}
			m.CooperationID = &coop
			if _, err := tx.ExecContext(ctx, `UPDATE matches SET cooperation_id = $1 WHERE id = $2`, coop, id); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: m.ZoneID, Node: deref(m.NeedEnterpriseID), Entity: "match", EntityID: m.ID, Action: action,
			Summary: map[string]any{"status": audit.Change{From: old.Status, To: m.Status}, "need_accepted": m.NeedAccepted, "offer_accepted": m.OfferAccepted}})
	})
	return m, err
}

// sides reports for which sides of m the caller may respond: the side's
// enterprise (or, for an institute, its zone) lies in their
// match.respond scope.
func sides(ctx context.Context, q db.Querier, m Match) (need, offer bool, err error) {
	sc := access.From(ctx).Scope(Respond)
	covers := func(ent *string) (bool, error) {
		if ent == nil {
			return sc.CoversZone(m.ZoneID), nil
		}
		n, err := nodes.Get(ctx, q, *ent)
		if err != nil {
			return false, err
		}
		return sc.Covers(n.Path), nil
	}
	if need, err = covers(m.NeedEnterpriseID); err != nil {
		return
	}
	offer, err = covers(m.OfferEnterpriseID)
	return
}

// cooperationOf creates the cooperation an agreed match becomes.
func (s *Service) cooperationOf(ctx context.Context, tx *db.Tx, m Match) (string, error) {
	var need, offer Listing
	for _, p := range []struct {
		id  string
		dst *Listing
	}{{m.NeedID, &need}, {m.OfferID, &offer}} {
		l, err := scanListing(tx.QueryRowContext(ctx, `SELECT `+listingCols+` FROM `+listingFrom+` WHERE l.id = $1`, p.id))
		if err != nil {
			return "", err
		}
		*p.dst = l
	}
	in := CooperationInput{ZoneID: m.ZoneID, Title: need.Title, Description: need.Body, ChainID: deref(need.ChainID), matchID: m.ID}
	switch {
	case need.InstituteID != nil || offer.InstituteID != nil:
		in.Type = "research"
	case need.Category == "talent":
		in.Type = "talent"
	case need.Category == "capacity":
		in.Type = "capacity"
	default:
		in.Type = "chain"
	}
	for _, l := range []Listing{need, offer} {
		if l.EnterpriseID != nil {
			in.EnterpriseIDs = append(in.EnterpriseIDs, *l.EnterpriseID)
		} else {
			in.InstituteIDs = append(in.InstituteIDs, *l.InstituteID)
		}
	}
	// The organiser is the need's park, or the zone: who brokered it.
	in.OrganizerID = m.ZoneID
	if need.ParkID != nil {
		in.OrganizerID = *need.ParkID
	}
	// The parties are checked as the system, not as the caller: a partner
	// accepting the last side may not broker cooperations themselves.
	sys := &access.Principal{Grants: []access.Grant{{Role: access.ZoneAdmin, Path: access.ZonePath(m.ZoneID), ZoneID: m.ZoneID}}}
	c, err := createCoop(ctx, tx, sys.Scope(Broker), in)
	return c.ID, err
}
