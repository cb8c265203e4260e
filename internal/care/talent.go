package care

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/matrix"
	"tongxin/internal/page"
	"tongxin/internal/valid"
)

// Mentorship is a mentoring pair (以老带新): a veteran and a new hire of one
// enterprise, their goals and the reviews of how it goes.
type Mentorship struct {
	ID           string    `json:"id"`
	ZoneID       string    `json:"zone_id"`
	EnterpriseID string    `json:"enterprise_id"`
	OrgID        *string   `json:"org_id"`
	MentorID     string    `json:"mentor_id"`
	MentorName   string    `json:"mentor_name"`
	MenteeID     string    `json:"mentee_id"`
	MenteeName   string    `json:"mentee_name"`
	Goals        string    `json:"goals"`
	StartedOn    string    `json:"started_on"`
	EndedOn      *string   `json:"ended_on"`
	Status       string    `json:"status"`
	Function     string    `json:"function"`
	Reviews      []Review  `json:"reviews"`
	Sample       bool      `json:"sample"`
	Version      int       `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Review is one review of a pair: a date, a rating 1–5 and a note.
type Review struct {
	ID         string `json:"id"`
	ReviewedOn string `json:"reviewed_on"`
	Rating     int    `json:"rating"`
	Note       string `json:"note"`
}

// MentorshipStatuses: active, completed (the goals met) or ended early.
var MentorshipStatuses = []string{"active", "completed", "ended"}

const pairCols = `id, zone_id, enterprise_id, org_id, mentor_id, COALESCE((SELECT name FROM people WHERE people.id = mentorships.mentor_id), ''),
	mentee_id, COALESCE((SELECT name FROM people WHERE people.id = mentorships.mentee_id), ''), goals, started_on, ended_on, status, function,
	sample, version, created_at, updated_at`

func scanPair(s page.Scanner) (Mentorship, error) {
	var m Mentorship
	var org, ended sql.NullString
	err := s.Scan(&m.ID, &m.ZoneID, &m.EnterpriseID, &org, &m.MentorID, &m.MentorName, &m.MenteeID, &m.MenteeName, &m.Goals, &m.StartedOn, &ended,
		&m.Status, &m.Function, &m.Sample, &m.Version, db.T(&m.CreatedAt), db.T(&m.UpdatedAt))
	m.OrgID, m.EndedOn, m.Reviews = nullStr(org), nullStr(ended), []Review{}
	return m, err
}

func fillReviews(ctx context.Context, q db.Querier, ms []Mentorship) error {
	if len(ms) == 0 {
		return nil
	}
	at, ids := positions(ms, func(m Mentorship) string { return m.ID })
	var a db.Args
	return db.Each(ctx, q, `SELECT mentorship_id, id, reviewed_on, rating, note FROM mentorship_reviews WHERE mentorship_id IN (`+a.In(ids)+`)
		ORDER BY mentorship_id, reviewed_on, id`, a, func(s db.Scanner) error {
		var id string
		var r Review
		if err := s.Scan(&id, &r.ID, &r.ReviewedOn, &r.Rating, &r.Note); err != nil {
			return err
		}
		ms[at[id]].Reviews = append(ms[at[id]].Reviews, r)
		return nil
	})
}

// MentorshipFilter narrows ListMentorships.
type MentorshipFilter struct{ EnterpriseID, Status, PersonID string }

// ListMentorships lists the pairs in the caller's scope, newest first.
func (s *Service) ListMentorships(ctx context.Context, f MentorshipFilter, p page.Page) (page.List[Mentorship], error) {
	if f.Status != "" && !slices.Contains(MentorshipStatuses, f.Status) {
		return page.List[Mentorship]{}, apperr.BadField("status", "unknown_option", "Value", f.Status)
	}
	var a db.Args
	where := scoped(ctx, Read, &a)
	if f.EnterpriseID != "" {
		where += " AND enterprise_id = " + a.Add(f.EnterpriseID)
	}
	if f.Status != "" {
		where += " AND status = " + a.Add(f.Status)
	}
	if f.PersonID != "" {
		v := a.Add(f.PersonID)
		where += " AND (mentor_id = " + v + " OR mentee_id = " + v + ")"
	}
	return listFilled(ctx, s.DB.R, p, page.Query{From: "mentorships", Cols: pairCols, Where: where, Args: a, Desc: true}, scanPair,
		page.ByID(func(m Mentorship) string { return m.ID }), fillReviews)
}

func getPair(ctx context.Context, q db.Querier, perm access.Perm, id string) (Mentorship, error) {
	return getFilled(ctx, q, perm, "mentorships", pairCols, id, scanPair, fillReviews)
}

// GetMentorship returns a pair in the caller's scope. Returns ENOTFOUND.
func (s *Service) GetMentorship(ctx context.Context, id string) (Mentorship, error) {
	return getPair(ctx, s.DB.R, Read, id)
}

// MentorshipInput is what pairing takes.
type MentorshipInput struct {
	EnterpriseID, OrgID, MentorID, MenteeID, Goals, StartedOn string
	Sample                                                    bool
}

// CreateMentorship pairs a mentor with a mentee, both workers of the
// enterprise and two different people. Needs care.manage over the
// enterprise. The pair counts in the matrix (promoting development, at the
// enterprise). Returns EVALIDATION (same_person on mentee_id; workers of
// another enterprise), ECONFLICT (the same pair already active).
func (s *Service) CreateMentorship(ctx context.Context, in MentorshipInput) (Mentorship, error) {
	var fs apperr.Fields
	if in.MentorID == "" {
		fs.Add("mentor_id", "required")
	}
	if in.MenteeID == "" {
		fs.Add("mentee_id", "required")
	} else if in.MenteeID == in.MentorID {
		fs.Add("mentee_id", "same_person")
	}
	valid.Text(&fs, "goals", in.Goals, 4000)
	checkDate(&fs, "started_on", in.StartedOn)
	if err := fs.Err(); err != nil {
		return Mentorship{}, err
	}
	var m Mentorship
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		o, err := ownerOf(ctx, tx, Manage, in.EnterpriseID, in.OrgID)
		if err != nil {
			return err
		}
		if err := workerOf(ctx, tx, "mentor_id", in.MentorID, o.EnterpriseID); err != nil {
			return err
		}
		if err := workerOf(ctx, tx, "mentee_id", in.MenteeID, o.EnterpriseID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM mentorships WHERE mentor_id = $1 AND mentee_id = $2 AND status = 'active'`,
			in.MentorID, in.MenteeID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "problem.mentorship_exists")
		}
		if in.StartedOn == "" {
			in.StartedOn = tx.Now.In(matrix.Local).Format(time.DateOnly)
		}
		id := uuid.Must(uuid.NewV7()).String()
		_, err = tx.ExecContext(ctx, `INSERT INTO mentorships (id, zone_id, enterprise_id, org_id, mentor_id, mentee_id, goals, started_on, status, function,
			sample, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', 'development', $9, $10, $10)`,
			id, o.ZoneID, o.EnterpriseID, o.OrgID, in.MentorID, in.MenteeID, in.Goals, in.StartedOn, in.Sample, db.Micros(tx.Now))
		if db.IsUnique(err) {
			return apperr.New(apperr.Conflict, "problem.mentorship_exists")
		}
		if err != nil {
			return err
		}
		if err := count(ctx, tx, o.EnterpriseID, "development", tx.Now, 1); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: o.ZoneID, Node: o.EnterpriseID, Entity: "mentorship", EntityID: id, Action: "create",
			Summary: map[string]any{"mentor_id": in.MentorID, "mentee_id": in.MenteeID}}); err != nil {
			return err
		}
		m, err = getPair(ctx, tx, Manage, id)
		return err
	})
	return m, err
}

// MentorshipPatch changes goals or status (ending the pair dates it).
type MentorshipPatch struct{ Goals, Status *string }

// UpdateMentorship applies patch. Needs care.manage over the pair.
// Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION, EVALIDATION.
func (s *Service) UpdateMentorship(ctx context.Context, id string, patch MentorshipPatch, version func(int) error) (Mentorship, error) {
	var fs apperr.Fields
	if patch.Goals != nil {
		valid.Text(&fs, "goals", *patch.Goals, 4000)
	}
	if patch.Status != nil && !slices.Contains(MentorshipStatuses, *patch.Status) {
		fs.Add("status", "unknown_value")
	}
	var m Mentorship
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := getPair(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := version(old.Version); err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		m = old
		changes := map[string]any{}
		if patch.Goals != nil && *patch.Goals != m.Goals {
			changes["goals"] = audit.Change{From: m.Goals, To: *patch.Goals}
			m.Goals = *patch.Goals
		}
		if patch.Status != nil && *patch.Status != m.Status {
			changes["status"] = audit.Change{From: m.Status, To: *patch.Status}
			m.Status = *patch.Status
			m.EndedOn = nil
			if m.Status != "active" {
				today := tx.Now.In(matrix.Local).Format(time.DateOnly)
				m.EndedOn = &today
			}
		}
		if len(changes) == 0 {
			return nil
		}
		res, err := tx.ExecContext(ctx, `UPDATE mentorships SET goals = $1, status = $2, ended_on = $3, version = version + 1, updated_at = $4
			WHERE id = $5 AND version = $6`, m.Goals, m.Status, m.EndedOn, db.Micros(tx.Now), id, old.Version)
		if err != nil {
			return err
		}
		if err := updated(res); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: m.ZoneID, Node: m.EnterpriseID, Entity: "mentorship", EntityID: id, Action: "update",
			Summary: changes}); err != nil {
			return err
		}
		m, err = getPair(ctx, tx, Manage, id)
		return err
	})
	return m, err
}

// DeleteMentorship removes a pair recorded by mistake (its reviews too)
// and takes its count back from the matrix. Needs care.manage. Returns
// ENOTFOUND, EFORBIDDEN, EPRECONDITION.
func (s *Service) DeleteMentorship(ctx context.Context, id string, version func(int) error) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		m, err := getPair(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := version(m.Version); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: m.ZoneID, Node: m.EnterpriseID, Entity: "mentorship", EntityID: id, Action: "delete",
			Summary: map[string]any{"mentor_id": m.MentorID, "mentee_id": m.MenteeID}}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM mentorship_reviews WHERE mentorship_id = $1`, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM mentorships WHERE id = $1`, id); err != nil {
			return err
		}
		return count(ctx, tx, m.EnterpriseID, "development", m.CreatedAt, -1)
	})
}

// ReviewInput is one review of a pair.
type ReviewInput struct {
	ReviewedOn string
	Rating     int
	Note       string
}

// AddReview records a review. Needs care.manage over the pair. Returns
// ENOTFOUND, EFORBIDDEN, EVALIDATION (rating 1–5).
func (s *Service) AddReview(ctx context.Context, id string, in ReviewInput) (Mentorship, error) {
	var fs apperr.Fields
	if in.Rating < 1 || in.Rating > 5 {
		fs.Add("rating", "out_of_range", "Min", 1, "Max", 5)
	}
	checkDate(&fs, "reviewed_on", in.ReviewedOn)
	valid.Text(&fs, "note", in.Note, 2000)
	var m Mentorship
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := getPair(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if in.ReviewedOn == "" {
			in.ReviewedOn = tx.Now.In(matrix.Local).Format(time.DateOnly)
		}
		rid := uuid.Must(uuid.NewV7()).String()
		if _, err := tx.ExecContext(ctx, `INSERT INTO mentorship_reviews (id, mentorship_id, zone_id, reviewed_on, rating, note, reviewer_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, rid, id, old.ZoneID, in.ReviewedOn, in.Rating, in.Note, access.From(ctx).UserID, db.Micros(tx.Now)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE mentorships SET version = version + 1, updated_at = $1 WHERE id = $2`, db.Micros(tx.Now), id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: old.EnterpriseID, Entity: "mentorship", EntityID: id, Action: "review",
			Summary: map[string]any{"rating": in.Rating, "reviewed_on": in.ReviewedOn}}); err != nil {
			return err
		}
		m, err = getPair(ctx, tx, Manage, id)
		return err
	})
	return m, err
}

// Team is a project team: 科技攻关小组 (kind tech) or 项目攻坚小组
// (project), its members, goals, milestones and results.
type Team struct {
	ID           string      `json:"id"`
	ZoneID       string      `json:"zone_id"`
	EnterpriseID string      `json:"enterprise_id"`
	OrgID        *string     `json:"org_id"`
	Kind         string      `json:"kind"`
	Name         string      `json:"name"`
	Goals        string      `json:"goals"`
	Status       string      `json:"status"`
	Function     string      `json:"function"`
	Members      []Member    `json:"members"`
	Milestones   []Milestone `json:"milestones"`
	Results      []Result    `json:"results"`
	Sample       bool        `json:"sample"`
	Version      int         `json:"version"`
	CreatedAt    time.Time   `json:"created_at"`
	UpdatedAt    time.Time   `json:"updated_at"`
}

// Member is a worker on a team, leader or member.
type Member struct {
	PersonID string `json:"person_id"`
	Name     string `json:"name"`
	Role     string `json:"role"`
}

// Milestone is a step of a team's work.
type Milestone struct {
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	DueOn  *string `json:"due_on"`
	DoneOn *string `json:"done_on"`
}

// Result is what a team achieved (a patent, a product, a line …).
type Result struct {
	ID         string  `json:"id"`
	Title      string  `json:"title"`
	RecordedOn *string `json:"recorded_on"`
}

// Team kinds and statuses.
var (
	TeamKinds    = []string{"tech", "project"}
	TeamStatuses = []string{"active", "completed"}
)

// Limits of a team.
const (
	MaxMembers    = 100
	MaxMilestones = 50
	MaxResults    = 50
)

const teamCols = `id, zone_id, enterprise_id, org_id, kind, name, goals, status, function, sample, version, created_at, updated_at`

func scanTeam(s page.Scanner) (Team, error) {
	var t Team
	var org sql.NullString
	err := s.Scan(&t.ID, &t.ZoneID, &t.EnterpriseID, &org, &t.Kind, &t.Name, &t.Goals, &t.Status, &t.Function, &t.Sample, &t.Version,
		db.T(&t.CreatedAt), db.T(&t.UpdatedAt))
	t.OrgID, t.Members, t.Milestones, t.Results = nullStr(org), []Member{}, []Milestone{}, []Result{}
	return t, err
}

func fillTeams(ctx context.Context, q db.Querier, ts []Team) error {
	if len(ts) == 0 {
		return nil
	}
	at, ids := positions(ts, func(t Team) string { return t.ID })
	var a db.Args
	in := a.In(ids)
	err := db.Each(ctx, q, `SELECT m.team_id, m.person_id, COALESCE(p.name, ''), m.role FROM team_members m LEFT JOIN people p ON p.id = m.person_id
		WHERE m.team_id IN (`+in+`) ORDER BY m.team_id, m.role, p.name, m.person_id`, a, func(s db.Scanner) error {
		var id string
		var m Member
		if err := s.Scan(&id, &m.PersonID, &m.Name, &m.Role); err != nil {
			return err
		}
		ts[at[id]].Members = append(ts[at[id]].Members, m)
		return nil
	})
	if err != nil {
		return err
	}
	err = db.Each(ctx, q, `SELECT team_id, id, title, due_on, done_on FROM team_milestones WHERE team_id IN (`+in+`) ORDER BY team_id, position`, a,
		func(s db.Scanner) error {
			var id string
			var m Milestone
			var due, done sql.NullString
			if err := s.Scan(&id, &m.ID, &m.Title, &due, &done); err != nil {
				return err
			}
			m.DueOn, m.DoneOn = nullStr(due), nullStr(done)
			ts[at[id]].Milestones = append(ts[at[id]].Milestones, m)
			return nil
		})
	if err != nil {
		return err
	}
	return db.Each(ctx, q, `SELECT team_id, id, title, recorded_on FROM team_results WHERE team_id IN (`+in+`) ORDER BY team_id, position`, a,
		func(s db.Scanner) error {
			var id string
			var r Result
			var on sql.NullString
			if err := s.Scan(&id, &r.ID, &r.Title, &on); err != nil {
				return err
			}
			r.RecordedOn = nullStr(on)
			ts[at[id]].Results = append(ts[at[id]].Results, r)
			return nil
		})
}

// TeamFilter narrows ListTeams.
type TeamFilter struct{ EnterpriseID, Kind, Status string }

// ListTeams lists the teams in the caller's scope, newest first; q
// matches the name.
func (s *Service) ListTeams(ctx context.Context, f TeamFilter, p page.Page) (page.List[Team], error) {
	var a db.Args
	where := scoped(ctx, Read, &a)
	where += a.Equals("enterprise_id", f.EnterpriseID, "kind", f.Kind, "status", f.Status)
	if p.Query != "" {
		where += " AND name LIKE " + a.Add("%"+p.Query+"%")
	}
	return listFilled(ctx, s.DB.R, p, page.Query{From: "project_teams", Cols: teamCols, Where: where, Args: a, Desc: true}, scanTeam,
		page.ByID(func(t Team) string { return t.ID }), fillTeams)
}

func getTeam(ctx context.Context, q db.Querier, perm access.Perm, id string) (Team, error) {
	return getFilled(ctx, q, perm, "project_teams", teamCols, id, scanTeam, fillTeams)
}

// GetTeam returns a team in the caller's scope. Returns ENOTFOUND.
func (s *Service) GetTeam(ctx context.Context, id string) (Team, error) {
	return getTeam(ctx, s.DB.R, Read, id)
}

// TeamInput is what creating a team takes; Members, Milestones and
// Results replace the lists when not nil (on update).
type TeamInput struct {
	EnterpriseID, OrgID, Kind, Name, Goals string
	Members                                []Member
	Milestones                             []Milestone
	Results                                []Result
	Sample                                 bool
}

func checkTeamParts(fs *apperr.Fields, members []Member, ms []Milestone, rs []Result) {
	if len(members) > MaxMembers {
		fs.Add("members", "too_many", "Max", MaxMembers)
	}
	seen := map[string]bool{}
	for _, m := range members {
		if m.PersonID == "" {
			fs.Add("members.person_id", "required")
		} else if seen[m.PersonID] {
			fs.Add("members.person_id", "duplicate")
		}
		seen[m.PersonID] = true
		if m.Role != "leader" && m.Role != "member" {
			fs.Add("members.role", "unknown_value")
		}
	}
	if len(ms) > MaxMilestones {
		fs.Add("milestones", "too_many", "Max", MaxMilestones)
	}
	for i := range ms {
		valid.Name(fs, "milestones.title", &ms[i].Title, 200)
		checkDate(fs, "milestones.due_on", deref(ms[i].DueOn))
		checkDate(fs, "milestones.done_on", deref(ms[i].DoneOn))
	}
	if len(rs) > MaxResults {
		fs.Add("results", "too_many", "Max", MaxResults)
	}
	for i := range rs {
		valid.Name(fs, "results.title", &rs[i].Title, 200)
		checkDate(fs, "results.recorded_on", deref(rs[i].RecordedOn))
	}
}

// CreateTeam sets up a team of the enterprise; members are its workers.
// Needs care.manage over the enterprise. The team counts in the matrix
// (promoting development). Returns EVALIDATION, ECONFLICT (name taken in
// the enterprise).
func (s *Service) CreateTeam(ctx context.Context, in TeamInput) (Team, error) {
	var fs apperr.Fields
	if !slices.Contains(TeamKinds, in.Kind) {
		fs.Add("kind", map[bool]string{true: "required", false: "unknown_value"}[in.Kind == ""])
	}
	valid.Name(&fs, "name", &in.Name, 100)
	valid.Text(&fs, "goals", in.Goals, 4000)
	checkTeamParts(&fs, in.Members, in.Milestones, in.Results)
	if err := fs.Err(); err != nil {
		return Team{}, err
	}
	var t Team
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		o, err := ownerOf(ctx, tx, Manage, in.EnterpriseID, in.OrgID)
		if err != nil {
			return err
		}
		id := uuid.Must(uuid.NewV7()).String()
		_, err = tx.ExecContext(ctx, `INSERT INTO project_teams (id, zone_id, enterprise_id, org_id, kind, name, goals, status, function, sample,
			created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', 'development', $8, $9, $9)`,
			id, o.ZoneID, o.EnterpriseID, o.OrgID, in.Kind, in.Name, in.Goals, in.Sample, db.Micros(tx.Now))
		if db.IsUnique(err) {
			return apperr.New(apperr.Conflict, "problem.team_name_taken", "Name", in.Name)
		}
		if err != nil {
			return err
		}
		if err := writeTeamParts(ctx, tx, id, o.ZoneID, o.EnterpriseID, in.Members, in.Milestones, in.Results); err != nil {
			return err
		}
		if err := count(ctx, tx, o.EnterpriseID, "development", tx.Now, 1); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: o.ZoneID, Node: o.EnterpriseID, Entity: "project_team", EntityID: id, Action: "create",
			Summary: map[string]any{"name": in.Name, "kind": in.Kind, "members": len(in.Members)}}); err != nil {
			return err
		}
		t, err = getTeam(ctx, tx, Manage, id)
		return err
	})
	return t, err
}

// writeTeamParts replaces the lists given (nil: kept).
func writeTeamParts(ctx context.Context, tx *db.Tx, id, zoneID, enterpriseID string, members []Member, ms []Milestone, rs []Result) error {
	if members != nil {
		if _, err := tx.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = $1`, id); err != nil {
			return err
		}
		for _, m := range members {
			if err := workerOf(ctx, tx, "members.person_id", m.PersonID, enterpriseID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO team_members (team_id, person_id, zone_id, role) VALUES ($1, $2, $3, $4)`,
				id, m.PersonID, zoneID, m.Role); err != nil {
				return err
			}
		}
	}
	if ms != nil {
		if _, err := tx.ExecContext(ctx, `DELETE FROM team_milestones WHERE team_id = $1`, id); err != nil {
			return err
		}
		for i, m := range ms {
			if _, err := tx.ExecContext(ctx, `INSERT INTO team_milestones (id, team_id, zone_id, title, due_on, done_on, position) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				uuid.Must(uuid.NewV7()).String(), id, zoneID, m.Title, m.DueOn, m.DoneOn, i); err != nil {
				return err
			}
		}
	}
	if rs != nil {
		if _, err := tx.ExecContext(ctx, `DELETE FROM team_results WHERE team_id = $1`, id); err != nil {
			return err
		}
		for i, r := range rs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO team_results (id, team_id, zone_id, title, recorded_on, position) VALUES ($1, $2, $3, $4, $5, $6)`,
				uuid.Must(uuid.NewV7()).String(), id, zoneID, r.Title, r.RecordedOn, i); err != nil {
				return err
			}
		}
	}
	return nil
}

// TeamPatch is a partial update of a team.
type TeamPatch struct {
	Name, Goals, Status *string
	Members             *[]Member
	Milestones          *[]Milestone
	Results             *[]Result
}

// UpdateTeam applies patch. Needs care.manage over the team. Returns
// ENOTFOUND, EFORBIDDEN, EPRECONDITION, EVALIDATION, ECONFLICT.
func (s *Service) UpdateTeam(ctx context.Context, id string, patch TeamPatch, version func(int) error) (Team, error) {
	var fs apperr.Fields
	if patch.Name != nil {
		valid.Name(&fs, "name", patch.Name, 100)
	}
	if patch.Goals != nil {
		valid.Text(&fs, "goals", *patch.Goals, 4000)
	}
	if patch.Status != nil && !slices.Contains(TeamStatuses, *patch.Status) {
		fs.Add("status", "unknown_value")
	}
	var members []Member
	var ms []Milestone
	var rs []Result
	if patch.Members != nil {
		members = append([]Member{}, *patch.Members...)
	}
	if patch.Milestones != nil {
		ms = append([]Milestone{}, *patch.Milestones...)
	}
	if patch.Results != nil {
		rs = append([]Result{}, *patch.Results...)
	}
	checkTeamParts(&fs, members, ms, rs)
	var t Team
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := getTeam(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := version(old.Version); err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		t = old
		changes := map[string]any{}
		for _, c := range []struct {
			field string
			dst   *string
			v     *string
		}{{"name", &t.Name, patch.Name}, {"goals", &t.Goals, patch.Goals}, {"status", &t.Status, patch.Status}} {
			if c.v != nil && *c.v != *c.dst {
				changes[c.field] = audit.Change{From: *c.dst, To: *c.v}
				*c.dst = *c.v
			}
		}
		for field, given := range map[string]bool{"members": patch.Members != nil, "milestones": patch.Milestones != nil, "results": patch.Results != nil} {
			if given {
				changes[field] = true
			}
		}
		if len(changes) == 0 {
			return nil
		}
		res, err := tx.ExecContext(ctx, `UPDATE project_teams SET name = $1, goals = $2, status = $3, version = version + 1, updated_at = $4
			WHERE id = $5 AND version = $6`, t.Name, t.Goals, t.Status, db.Micros(tx.Now), id, old.Version)
		if db.IsUnique(err) {
			return apperr.New(apperr.Conflict, "problem.team_name_taken", "Name", t.Name)
		}
		if err != nil {
			return err
		}
		if err := updated(res); err != nil {
			return err
		}
		if err := writeTeamParts(ctx, tx, id, t.ZoneID, t.EnterpriseID, members, ms, rs); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: t.ZoneID, Node: t.EnterpriseID, Entity: "project_team", EntityID: id, Action: "update",
			Summary: changes}); err != nil {
			return err
		}
		t, err = getTeam(ctx, tx, Manage, id)
		return err
	})
	return t, err
}

// DeleteTeam removes a team and takes its count back. Needs care.manage.
// Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION.
func (s *Service) DeleteTeam(ctx context.Context, id string, version func(int) error) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		t, err := getTeam(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := version(t.Version); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: t.ZoneID, Node: t.EnterpriseID, Entity: "project_team", EntityID: id, Action: "delete",
			Summary: map[string]any{"name": t.Name}}); err != nil {
			return err
		}
		for _, table := range []string{"team_members", "team_milestones", "team_results"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE team_id = $1`, id); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM project_teams WHERE id = $1`, id); err != nil {
			return err
		}
		return count(ctx, tx, t.EnterpriseID, "development", t.CreatedAt, -1)
	})
}

// RDProfile is an enterprise's R&D figures (no record: zeros).
type RDProfile struct {
	EnterpriseID      string     `json:"enterprise_id"`
	EnterpriseName    string     `json:"enterprise_name"`
	ZoneID            string     `json:"zone_id"`
	RDStaff           int        `json:"rd_staff"`
	ResearchProjects  int        `json:"research_projects"`
	PostdocStation    bool       `json:"postdoc_station"`
	PostdocApprovedOn *string    `json:"postdoc_approved_on"`
	Note              string     `json:"note"`
	Mentorships       int        `json:"mentorships"`
	Teams             int        `json:"teams"`
	Version           int        `json:"version"`
	UpdatedAt         *time.Time `json:"updated_at"`
}

const profileCols = `e.id, e.name, e.zone_id, COALESCE(r.rd_staff, 0), COALESCE(r.research_projects, 0), COALESCE(r.postdoc_station, FALSE),
	r.postdoc_approved_on, COALESCE(r.note, ''),
	(SELECT COUNT(*) FROM mentorships m WHERE m.enterprise_id = e.id AND m.status = 'active'),
	(SELECT COUNT(*) FROM project_teams t WHERE t.enterprise_id = e.id),
	COALESCE(r.version, 0), r.updated_at`

func scanProfile(s page.Scanner) (RDProfile, error) {
	var p RDProfile
	var approved sql.NullString
	var at sql.NullInt64
	err := s.Scan(&p.EnterpriseID, &p.EnterpriseName, &p.ZoneID, &p.RDStaff, &p.ResearchProjects, &p.PostdocStation, &approved, &p.Note,
		&p.Mentorships, &p.Teams, &p.Version, &at)
	p.PostdocApprovedOn, p.UpdatedAt = nullStr(approved), optTime(at)
	return p, err
}

// profileWhere: an enterprise's figures lie under the enterprise, and
// under the organisations covering it.
func profileWhere(ctx context.Context, perm access.Perm, a *db.Args) string {
	sc := access.From(ctx).Scope(perm)
	return "(" + sc.Where(a, access.ByNode("e.id")) + " OR e.id IN (SELECT enterprise_id FROM org_enterprises WHERE " +
		sc.Where(a, access.ByNode("org_id")) + "))"
}

// ListProfiles lists the R&D figures of the enterprises in the caller's
// scope, by enterprise; postdoc=true keeps those with a workstation.
func (s *Service) ListProfiles(ctx context.Context, postdoc bool, p page.Page) (page.List[RDProfile], error) {
	var a db.Args
	where := profileWhere(ctx, Read, &a)
	if postdoc {
		where += " AND r.postdoc_station = TRUE"
	}
	if p.Query != "" {
		where += " AND e.name LIKE " + a.Add("%"+p.Query+"%")
	}
	return page.Rows(ctx, s.DB.R, p, page.Query{From: "enterprises e LEFT JOIN rd_profiles r ON r.enterprise_id = e.id", Cols: profileCols,
		Where: where, Args: a, OrderBy: "e.id"}, scanProfile, func(r RDProfile) (any, string) { return r.EnterpriseID, r.EnterpriseID })
}

func getProfile(ctx context.Context, q db.Querier, perm access.Perm, id string) (RDProfile, error) {
	for _, pm := range []access.Perm{perm, Read} {
		var a db.Args
		where := profileWhere(ctx, pm, &a)
		p, err := scanProfile(q.QueryRowContext(ctx, `SELECT `+profileCols+` FROM enterprises e LEFT JOIN rd_profiles r ON r.enterprise_id = e.id
			WHERE e.id = `+a.Add(id)+` AND `+where, a...))
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return p, err
		}
		if pm != perm {
			return p, apperr.New(apperr.Forbidden, "")
		}
		return p, nil
	}
	return RDProfile{}, apperr.New(apperr.NotFound, "")
}

// GetProfile returns an enterprise's figures. Returns ENOTFOUND.
func (s *Service) GetProfile(ctx context.Context, enterpriseID string) (RDProfile, error) {
	return getProfile(ctx, s.DB.R, Read, enterpriseID)
}

// ProfilePatch sets some of an enterprise's figures.
type ProfilePatch struct {
	RDStaff, ResearchProjects *int
	PostdocStation            *bool
	PostdocApprovedOn         *string // "" clears
	Note                      *string
}

// MaxFigure bounds the counts.
const MaxFigure = 1_000_000

// UpdateProfile sets an enterprise's figures. A workstation's approval
// date needs the workstation; removing the workstation clears it. Needs
// care.manage over the enterprise. Returns ENOTFOUND, EFORBIDDEN,
// EPRECONDITION, EVALIDATION.
func (s *Service) UpdateProfile(ctx context.Context, enterpriseID string, patch ProfilePatch, version func(int) error) (RDProfile, error) {
	var fs apperr.Fields
	for field, v := range map[string]*int{"rd_staff": patch.RDStaff, "research_projects": patch.ResearchProjects} {
		if v != nil && (*v < 0 || *v > MaxFigure) {
			fs.Add(field, "out_of_range", "Min", 0, "Max", MaxFigure)
		}
	}
	if patch.PostdocApprovedOn != nil {
		checkDate(&fs, "postdoc_approved_on", *patch.PostdocApprovedOn)
	}
	if patch.Note != nil {
		valid.Text(&fs, "note", *patch.Note, 2000)
	}
	var p RDProfile
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := getProfile(ctx, tx, Manage, enterpriseID)
		if err != nil {
			return err
		}
		if err := version(old.Version); err != nil {
			return err
		}
		p = old
		if patch.RDStaff != nil {
			p.RDStaff = *patch.RDStaff
		}
		if patch.ResearchProjects != nil {
			p.ResearchProjects = *patch.ResearchProjects
		}
		if patch.PostdocStation != nil {
			p.PostdocStation = *patch.PostdocStation
		}
		if patch.PostdocApprovedOn != nil {
			p.PostdocApprovedOn = optional(*patch.PostdocApprovedOn)
		}
		if patch.Note != nil {
			p.Note = *patch.Note
		}
		if !p.PostdocStation && p.PostdocApprovedOn != nil {
			if patch.PostdocApprovedOn != nil && *patch.PostdocApprovedOn != "" {
				fs.Add("postdoc_approved_on", "no_workstation")
			}
			p.PostdocApprovedOn = nil
		}
		if err := fs.Err(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO rd_profiles (enterprise_id, zone_id, rd_staff, research_projects, postdoc_station, postdoc_approved_on,
			note, version, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)
			ON CONFLICT (enterprise_id) DO UPDATE SET rd_staff = excluded.rd_staff, research_projects = excluded.research_projects,
			postdoc_station = excluded.postdoc_station, postdoc_approved_on = excluded.postdoc_approved_on, note = excluded.note,
			version = rd_profiles.version + 1, updated_at = excluded.updated_at`,
			enterpriseID, old.ZoneID, p.RDStaff, p.ResearchProjects, p.PostdocStation, p.PostdocApprovedOn, p.Note, db.Micros(tx.Now))
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: enterpriseID, Entity: "rd_profile", EntityID: enterpriseID, Action: "update",
			Summary: map[string]any{"rd_staff": p.RDStaff, "research_projects": p.ResearchProjects, "postdoc_station": p.PostdocStation,
				"postdoc_approved_on": p.PostdocApprovedOn}}); err != nil {
			return err
		}
		p, err = getProfile(ctx, tx, Manage, enterpriseID)
		return err
	})
	return p, err
}
