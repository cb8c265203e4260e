package mediation

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/i18n"
	"tongxin/internal/page"
)

// Permissions of this domain. Confidentiality comes first: a case is seen
// by its parties' accounts, its assigned mediator and the legal-service
// staff of its park (service_staff granted on the park) — not by zone or
// park administrators, who see the figures.
var (
	// Manage: the legal-service staff of a park open cases, assign
	// mediators, keep rooms, and see every case of the park.
	Manage = access.NewPerm("mediation.manage", access.ServiceStaff)
	// Mediate marks who may be assigned to cases (mediators and
	// arbitrators granted on the park or the zone); they see the cases
	// assigned to them, and no others.
	Mediate = access.NewPerm("mediation.mediate", access.Mediator)
	// Figures: counts, success rate and days to close, no case content.
	Figures = access.NewPerm("mediation.figures", access.ZoneAdmin, access.ParkAdmin, access.ServiceStaff, access.Auditor)
)

//go:embed locales/*.json
var locales embed.FS

// Locales holds this domain's messages.
func Locales() fs.FS { return i18n.Dir(locales) }

// Service holds mediation's operations; the clock is DB.Now.
type Service struct{ DB *db.DB }

// Case types.
var Types = []string{"work_injury", "unpaid_wages", "dismissal", "social_insurance", "other"}

// Limits of the inputs.
const (
	MaxSummary = 2000
	MaxNote    = 2000
	MaxTerms   = 5000
	MaxName    = 50
	MaxAgents  = 10
	// MaxFen bounds any amount: 10 million yuan is beyond any labour
	// dispute a park's legal base mediates.
	MaxFen = 1_000_000_000
	// MaxHearing bounds one hearing's length.
	MaxHearing = 12 * time.Hour
)

// The statutory clock (劳动争议调解仲裁法 arts. 14 and 43).
const (
	MediationDays   = 15 // not settled within 15 days of the application: may go to arbitration
	ArbitrationDays = 45 // an award within 45 days of acceptance
	ExtensionDays   = 15 // extendable once by 15 days
)

const day = 24 * time.Hour

// Party is one party of a case: the applicant (a worker), the respondent
// (an enterprise) or an agent of either side.
type Party struct {
	ID           string  `json:"id"`
	Side         string  `json:"side"`
	Role         string  `json:"role"`
	Name         string  `json:"name"`
	PersonID     *string `json:"person_id"`
	EnterpriseID *string `json:"enterprise_id"`
}

// Event is one step of a case's timeline.
type Event struct {
	At      time.Time `json:"at"`
	ActorID *string   `json:"actor_id"`
	Action  string    `json:"action"`
	Status  string    `json:"status"`
	Note    string    `json:"note"`
}

// Clock is the statutory clock as of now.
type Clock struct {
	// Day is the number of whole days since the application.
	Day int `json:"day"`
	// MediationDueAt is the application + 15 days.
	MediationDueAt time.Time `json:"mediation_due_at"`
	// Eligible: 15 days passed without settlement; the case may be referred
	// to arbitration.
	Eligible            bool       `json:"eligible_for_arbitration"`
	ArbitrationDueAt    *time.Time `json:"arbitration_due_at"`
	Extended            bool       `json:"arbitration_extended"`
	ArbitrationDaysLeft *int       `json:"arbitration_days_left"`
	ArbitrationOverdue  bool       `json:"arbitration_overdue"`
}

// Case is a mediation case as the API shows it.
type Case struct {
	ID             string     `json:"id"`
	ZoneID         string     `json:"zone_id"`
	ParkID         string     `json:"park_id"`
	ParkName       string     `json:"park_name"`
	Type           string     `json:"type"`
	Summary        string     `json:"summary"`
	ClaimFen       int64      `json:"claim_fen"`
	Status         string     `json:"status"`
	Outcome        string     `json:"outcome"`
	AllowedActions []string   `json:"allowed_actions"`
	ApplicantID    string     `json:"applicant_id"`
	ApplicantName  string     `json:"applicant_name"`
	RespondentID   string     `json:"respondent_id"`
	RespondentName string     `json:"respondent_name"`
	MediatorID     *string    `json:"mediator_id"`
	MediatorName   string     `json:"mediator_name"`
	MediatorRole   string     `json:"mediator_role"`
	Clock          Clock      `json:"clock"`
	AppliedAt      time.Time  `json:"applied_at"`
	ClosedAt       *time.Time `json:"closed_at"`
	// Access is how the caller sees the case: staff, mediator or party.
	Access string `json:"access"`
	// Side is the caller's side when they are a party ("" otherwise).
	Side           string          `json:"side"`
	Parties        []Party         `json:"parties"`
	Timeline       []Event         `json:"timeline"`
	Hearings       []Hearing       `json:"hearings"`
	Notes          []Note          `json:"notes"`
	ConflictChecks []ConflictCheck `json:"conflict_checks"`
	Agreement      *Agreement      `json:"agreement"`
	Version        int             `json:"version"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`

	parkPath   string
	respPath   string
	referredAt *time.Time
	extended   bool
	flagged    bool
}

const caseCols = `c.id, c.zone_id, c.park_id, c.park_name, c.type, c.summary, c.claim_fen, c.status, c.outcome, c.applicant_id, c.applicant_name,
	c.respondent_id, c.respondent_name, c.mediator_id, c.mediator_name, c.mediator_role, c.applied_at, c.flagged_at, c.referred_at, c.arbitration_due_at,
	c.extended, c.closed_at, c.version, c.created_at, c.updated_at, c.park_path, c.resp_path`

// caseFrom is a derived table so that page.Rows' bare "id" names the case's.
const caseFrom = `(SELECT m.*, pn.name AS park_name, pn.path AS park_path, rn.path AS resp_path, e.name AS respondent_name, pe.name AS applicant_name,
	COALESCE(u.display_name, '') AS mediator_name
	FROM mediation_cases m JOIN scope_nodes pn ON pn.id = m.park_id JOIN scope_nodes rn ON rn.id = m.respondent_id
	JOIN enterprises e ON e.id = m.respondent_id JOIN people pe ON pe.id = m.applicant_id LEFT JOIN users u ON u.id = m.mediator_id) c`

func scanCase(now time.Time) func(db.Scanner) (Case, error) {
	return func(sc db.Scanner) (Case, error) {
		var c Case
		var mediator sql.NullString
		var applied int64
		var flagged, referred, due, closed sql.NullInt64
		err := sc.Scan(&c.ID, &c.ZoneID, &c.ParkID, &c.ParkName, &c.Type, &c.Summary, &c.ClaimFen, &c.Status, &c.Outcome, &c.ApplicantID,
			&c.ApplicantName, &c.RespondentID, &c.RespondentName, &mediator, &c.MediatorName, &c.MediatorRole, &applied, &flagged, &referred, &due,
			&c.extended, &closed, &c.Version, db.T(&c.CreatedAt), db.T(&c.UpdatedAt), &c.parkPath, &c.respPath)
		if err != nil {
			return c, err
		}
		if mediator.Valid {
			c.MediatorID = &mediator.String
		}
		c.AppliedAt = db.FromMicros(applied)
		c.flagged = flagged.Valid
		if referred.Valid {
			t := db.FromMicros(referred.Int64)
			c.referredAt = &t
		}
		if closed.Valid {
			t := db.FromMicros(closed.Int64)
			c.ClosedAt = &t
		}
		var dueAt *time.Time
		if due.Valid {
			t := db.FromMicros(due.Int64)
			dueAt = &t
		}
		c.Clock = clockOf(now, c.Status, c.AppliedAt, dueAt, c.extended)
		if c.ClosedAt != nil && c.ClosedAt.After(c.AppliedAt) {
			// A finished case's count stops where it ended.
			c.Clock.Day = int(c.ClosedAt.Sub(c.AppliedAt) / day)
		}
		c.AllowedActions = NextActions(c.Status)
		c.Parties, c.Timeline, c.Hearings, c.Notes, c.ConflictChecks = []Party{}, []Event{}, []Hearing{}, []Note{}, []ConflictCheck{}
		return c, nil
	}
}

// clockOf is the statutory clock of a case at now. The rule this platform
// applies: the 15 days of mediation are calendar days counted from the
// application and do not pause (劳动争议调解仲裁法 art. 14 names no
// pause); once referred, the 45 days of arbitration run from the referral
// and may be extended once by 15 days (art. 43). No other pause is kept: a
// withdrawn case ends, it is not suspended.
func clockOf(now time.Time, status string, applied time.Time, arbitrationDue *time.Time, extended bool) Clock {
	c := Clock{MediationDueAt: applied.Add(MediationDays * day), Extended: extended, ArbitrationDueAt: arbitrationDue}
	if now.After(applied) {
		c.Day = int(now.Sub(applied) / day)
	}
	c.Eligible = Open(status) && !now.Before(c.MediationDueAt)
	if arbitrationDue != nil && status == Referred {
		// Whole days left, a part of a day counting as one; negative once
		// past.
		left := int((arbitrationDue.Sub(now) + day - 1) / day)
		if arbitrationDue.Before(now) {
			left = -int(now.Sub(*arbitrationDue) / day)
		}
		c.ArbitrationDaysLeft = &left
		c.ArbitrationOverdue = now.After(*arbitrationDue)
	}
	return c
}

// caseAttach: a case hangs under its park and its respondent enterprise.
var caseAttach = []access.Attach{access.ByZone("c.zone_id"), access.ByNodeOf("c.park_id", access.KindPark), access.ByNode("c.respondent_id")}

// visibleWhere is the predicate of the cases the caller may see: those of
// the parks where they are legal-service staff, those assigned to them, and
// those where the person their account is bound to is a party.
func visibleWhere(p *access.Principal, a *db.Args) string {
	if p == nil {
		return "1=0"
	}
	ors := []string{p.Scope(Manage).Where(a, caseAttach...)}
	if p.UserID != "" {
		ors = append(ors, "c.mediator_id = "+a.Add(p.UserID))
	}
	if p.PersonID != "" {
		ors = append(ors, partyWhere(p, a))
	}
	return "(" + strings.Join(ors, " OR ") + ")"
}

func partyWhere(p *access.Principal, a *db.Args) string {
	if p == nil || p.PersonID == "" {
		return "1=0"
	}
	return "EXISTS (SELECT 1 FROM mediation_parties mp WHERE mp.case_id = c.id AND mp.person_id = " + a.Add(p.PersonID) + ")"
}

// viewer is how the caller stands to a case.
type viewer struct {
	staff, mediator bool
	sides           []string // the sides the caller's person is a party on
}

func (v viewer) party() bool { return len(v.sides) > 0 }

func (v viewer) access() string {
	switch {
	case v.staff:
		return "staff"
	case v.mediator:
		return "mediator"
	}
	return "party"
}

func (s *Service) viewerOf(ctx context.Context, q db.Querier, c Case) (viewer, error) {
	p := access.From(ctx)
	var v viewer
	if p == nil {
		return v, nil
	}
	v.staff = p.Scope(Manage).Covers(c.parkPath) || p.Scope(Manage).Covers(c.respPath)
	v.mediator = p.UserID != "" && c.MediatorID != nil && *c.MediatorID == p.UserID
	if p.PersonID != "" {
		err := db.Each(ctx, q, `SELECT DISTINCT side FROM mediation_parties WHERE case_id = $1 AND person_id = $2 ORDER BY side`, db.Args{c.ID, p.PersonID},
			func(sc db.Scanner) error {
				var side string
				err := sc.Scan(&side)
				v.sides = append(v.sides, side)
				return err
			})
		if err != nil {
			return v, err
		}
	}
	return v, nil
}

// CaseFilter narrows ListCases.
type CaseFilter struct {
	Status, Type, ParkID string
	Mine                 bool // only cases where the caller is a party
}

// ListCases lists the cases the caller may see, newest first; q matches
// the summary and the parties' names. The list read is audited (one entry
// naming the cases shown).
func (s *Service) ListCases(ctx context.Context, f CaseFilter, pg page.Page) (page.List[Case], error) {
	now := s.DB.Now().UTC()
	p := access.From(ctx)
	var a db.Args
	var where string
	if f.Mine {
		where = partyWhere(p, &a)
	} else {
		where = visibleWhere(p, &a)
	}
	var fs apperr.Fields
	if f.Status != "" && !slices.Contains(States, f.Status) {
		fs.Add("status", "unknown_value")
	}
	if f.Type != "" && !slices.Contains(Types, f.Type) {
		fs.Add("type", "unknown_value")
	}
	if err := fs.Err(); err != nil {
		return page.List[Case]{}, err
	}
	where += a.Equals("c.status", f.Status, "c.type", f.Type, "c.park_id", f.ParkID)
	if pg.Query != "" {
		like := a.Add(db.Like(pg.Query))
		where += " AND (LOWER(c.summary) LIKE " + like + ` ESCAPE '\' OR LOWER(c.applicant_name) LIKE ` + like + ` ESCAPE '\' OR LOWER(c.respondent_name) LIKE ` + like + ` ESCAPE '\')`
	}
	l, err := page.Rows(ctx, s.DB.R, pg, page.Query{From: caseFrom, Cols: caseCols, Where: where, Args: a, Desc: true, OrderBy: "c.created_at"},
		scanCase(now), func(c Case) (any, string) { return db.Micros(c.CreatedAt), c.ID })
	if err != nil {
		return l, err
	}
	if err := fillParties(ctx, s.DB.R, l.Items); err != nil {
		return l, err
	}
	ids := make([]string, len(l.Items))
	for i := range l.Items {
		ids[i] = l.Items[i].ID
		v, err := s.viewerOf(ctx, s.DB.R, l.Items[i])
		if err != nil {
			return l, err
		}
		l.Items[i].Access = v.access()
		if v.party() {
			l.Items[i].Side = v.sides[0]
		}
	}
	if len(ids) > 0 && p != nil {
		err = s.DB.Tx(ctx, func(tx *db.Tx) error {
			return audit.Record(ctx, tx, audit.Event{ZoneID: l.Items[0].ZoneID, Entity: "mediation_case", EntityID: "", Action: "list",
				Summary: map[string]any{"case_ids": ids}})
		})
	}
	return l, err
}

func fillParties(ctx context.Context, q db.Querier, cs []Case) error {
	if len(cs) == 0 {
		return nil
	}
	at := map[string]int{}
	ids := make([]string, len(cs))
	for i, c := range cs {
		at[c.ID], ids[i] = i, c.ID
	}
	var a db.Args
	return db.Each(ctx, q, `SELECT case_id, id, side, role, name, person_id, enterprise_id FROM mediation_parties WHERE case_id IN (`+a.In(ids)+`)
		ORDER BY CASE role WHEN 'applicant' THEN 0 WHEN 'respondent' THEN 1 ELSE 2 END, created_at, id`, a, func(sc db.Scanner) error {
		var id string
		var pt Party
		var person, ent sql.NullString
		if err := sc.Scan(&id, &pt.ID, &pt.Side, &pt.Role, &pt.Name, &person, &ent); err != nil {
			return err
		}
		pt.PersonID, pt.EnterpriseID = ptr(person), ptr(ent)
		cs[at[id]].Parties = append(cs[at[id]].Parties, pt)
		return nil
	})
}

func ptr(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

// load reads case id if the caller may see it, with how they stand to it.
// Returns ENOTFOUND otherwise.
func (s *Service) load(ctx context.Context, q db.Querier, id string) (Case, viewer, error) {
	var a db.Args
	where := visibleWhere(access.From(ctx), &a)
	c, err := scanCase(s.DB.Now().UTC())(q.QueryRowContext(ctx, `SELECT `+caseCols+` FROM `+caseFrom+` WHERE c.id = `+a.Add(id)+` AND `+where, a...))
	if errors.Is(err, sql.ErrNoRows) {
		return c, viewer{}, apperr.New(apperr.NotFound, "")
	}
	if err != nil {
		return c, viewer{}, err
	}
	v, err := s.viewerOf(ctx, q, c)
	if err != nil {
		return c, v, err
	}
	if !v.staff && !v.mediator && !v.party() {
		return c, v, apperr.New(apperr.NotFound, "")
	}
	c.Access = v.access()
	if v.party() {
		c.Side = v.sides[0]
	}
	return c, v, nil
}

// full fills everything the case page shows, as v may see it.
func (s *Service) full(ctx context.Context, q db.Querier, c *Case, v viewer) error {
	cs := []Case{*c}
	if err := fillParties(ctx, q, cs); err != nil {
		return err
	}
	*c = cs[0]
	err := db.Each(ctx, q, `SELECT at, actor_id, action, status, note FROM mediation_events WHERE case_id = $1 ORDER BY at, id`, db.Args{c.ID},
		func(sc db.Scanner) error {
			var e Event
			var actor sql.NullString
			if err := sc.Scan(db.T(&e.At), &actor, &e.Action, &e.Status, &e.Note); err != nil {
				return err
			}
			e.ActorID = ptr(actor)
			c.Timeline = append(c.Timeline, e)
			return nil
		})
	if err != nil {
		return err
	}
	if c.Hearings, err = hearingsOf(ctx, q, c.ID); err != nil {
		return err
	}
	if c.Notes, err = notesOf(ctx, q, c.ID, v); err != nil {
		return err
	}
	if v.staff || v.mediator {
		if c.ConflictChecks, err = checksOf(ctx, q, c.ID); err != nil {
			return err
		}
	}
	c.Agreement, err = agreementOf(ctx, q, c.ID)
	return err
}

// GetCase returns a case the caller may see, with its timeline, hearings,
// the notes they may read and the agreement. Every read is an audit entry.
// Returns ENOTFOUND.
func (s *Service) GetCase(ctx context.Context, id string) (Case, error) {
	var out Case
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		c, v, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.full(ctx, tx, &c, v); err != nil {
			return err
		}
		out = c
		return audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Node: c.ParkID, Entity: "mediation_case", EntityID: c.ID, Action: "read",
			Summary: map[string]any{"access": c.Access}})
	})
	return out, err
}

func addEvent(ctx context.Context, tx *db.Tx, caseID, zoneID, actor, action, status, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO mediation_events (id, case_id, zone_id, at, actor_id, action, status, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		uuid.Must(uuid.NewV7()).String(), caseID, zoneID, db.Micros(tx.Now), db.NullString(actor), action, status, note)
	return err
}

func userOf(ctx context.Context) string {
	if p := access.From(ctx); p != nil {
		return p.UserID
	}
	return ""
}

// afterWrite reads the case back for the caller after a change, in tx.
func (s *Service) afterWrite(ctx context.Context, tx *db.Tx, id string) (Case, error) {
	c, v, err := s.load(ctx, tx, id)
	if err != nil {
		return c, err
	}
	err = s.full(ctx, tx, &c, v)
	return c, err
}

func personOfCaller(ctx context.Context) string {
	if p := access.From(ctx); p != nil {
		return p.PersonID
	}
	return ""
}
