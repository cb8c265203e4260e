package mediation

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/matrix"
	"tongxin/internal/valid"
)

// AgentInput is an agent (a lawyer) of one side: named, with the person
// when the platform knows them.
type AgentInput struct {
	Side     string
	Name     string
	PersonID string
}

// CaseInput opens a case. The park is the respondent enterprise's.
type CaseInput struct {
	Type         string
	Summary      string
	ClaimFen     int64
	ApplicantID  string // a person of the zone (the worker)
	RespondentID string // an enterprise of the zone
	// RespondentPersonID is the enterprise's representative, when known: a
	// party of the respondent side whose account sees the case.
	RespondentPersonID string
	Agents             []AgentInput
	// MediatorID, when given, is checked for conflicts at intake and
	// assigned; a conflict refuses the intake (assign later with an
	// approved override).
	MediatorID   string
	MediatorRole string
	// AppliedAt is when the application was made (defaults to now; not in
	// the future): the statutory clock starts there.
	AppliedAt *time.Time
}

func (in *CaseInput) check(fs *apperr.Fields, now time.Time) {
	if !slices.Contains(Types, in.Type) {
		fs.Add("type", map[bool]string{true: "required", false: "unknown_value"}[in.Type == ""])
	}
	valid.Name(fs, "summary", &in.Summary, MaxSummary)
	checkFen(fs, "claim_fen", in.ClaimFen, true)
	if in.ApplicantID == "" {
		fs.Add("applicant_id", "required")
	}
	if in.RespondentID == "" {
		fs.Add("respondent_id", "required")
	}
	if len(in.Agents) > MaxAgents {
		fs.Add("agents", "too_many", "Max", MaxAgents)
	}
	for i := range in.Agents {
		checkAgent(fs, &in.Agents[i])
	}
	if in.MediatorRole == "" {
		in.MediatorRole = "mediator"
	}
	if in.MediatorRole != "mediator" && in.MediatorRole != "arbitrator" {
		fs.Add("mediator_role", "unknown_value")
	}
	if in.AppliedAt != nil && in.AppliedAt.After(now.Add(time.Minute)) {
		fs.Add("applied_at", "in_future")
	}
}

func checkAgent(fs *apperr.Fields, a *AgentInput) {
	if a.Side != "applicant" && a.Side != "respondent" {
		fs.Add("agents.side", map[bool]string{true: "required", false: "unknown_value"}[a.Side == ""])
	}
	valid.Name(fs, "agents.name", &a.Name, MaxName)
}

// checkFen checks an amount in fen: not negative (positive when not zeroOK)
// and not absurd (MaxFen).
func checkFen(fs *apperr.Fields, field string, fen int64, zeroOK bool) {
	switch {
	case fen < 0:
		fs.Add(field, "negative")
	case fen == 0 && !zeroOK:
		fs.Add(field, "out_of_range", "Min", 1, "Max", MaxFen)
	case fen > MaxFen:
		fs.Add(field, "out_of_range", "Min", 0, "Max", MaxFen)
	}
}

// person is what the conflict check needs of a person.
type person struct {
	ID, Name, EnterpriseID, OrgID string
}

func personOf(ctx context.Context, q db.Querier, zoneID, id, field string) (person, error) {
	var p person
	var ent, org sql.NullString
	err := q.QueryRowContext(ctx, `SELECT id, name, enterprise_id, org_id FROM people WHERE id = $1 AND zone_id = $2`, id, zoneID).Scan(&p.ID, &p.Name, &ent, &org)
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.Field(field, "unknown_value")
	}
	p.EnterpriseID, p.OrgID = ent.String, org.String
	return p, err
}

type enterprise struct{ ID, Name, ParkID, Path, ZoneID string }

func enterpriseOf(ctx context.Context, q db.Querier, zoneID, id string) (enterprise, error) {
	var e enterprise
	a := db.Args{id}
	where := ""
	if zoneID != "" {
		where = " AND e.zone_id = " + a.Add(zoneID)
	}
	err := q.QueryRowContext(ctx, `SELECT e.id, e.name, e.park_id, n.path, e.zone_id FROM enterprises e JOIN scope_nodes n ON n.id = e.id WHERE e.id = $1`+where, a...).
		Scan(&e.ID, &e.Name, &e.ParkID, &e.Path, &e.ZoneID)
	if errors.Is(err, sql.ErrNoRows) {
		return e, apperr.Field("respondent_id", "unknown_value")
	}
	return e, err
}

// OpenCase opens a case at intake: the caller is legal-service staff of
// the respondent's park (mediation.manage over it). Returns EFORBIDDEN,
// EVALIDATION, ECONFLICT (a mediator with a conflict).
func (s *Service) OpenCase(ctx context.Context, in CaseInput) (Case, error) {
	p := access.From(ctx)
	if p.Scope(Manage).Empty() {
		return Case{}, apperr.New(apperr.Forbidden, "")
	}
	return s.open(ctx, in, func(e enterprise) error {
		if !p.Scope(Manage).Covers(e.Path) {
			return apperr.Field("respondent_id", "unknown_value")
		}
		return nil
	}, "")
}

// FileMine files a case for the caller themselves (the phone): the
// applicant is the person their account is bound to, the respondent their
// employer unless they name another enterprise of their zone. The case
// starts at intake for the park's staff to accept. Returns EFORBIDDEN (an
// account bound to no person), EVALIDATION.
func (s *Service) FileMine(ctx context.Context, in CaseInput) (Case, error) {
	p := access.From(ctx)
	if p == nil || p.PersonID == "" {
		return Case{}, apperr.New(apperr.Forbidden, "problem.mediation_needs_person")
	}
	in.ApplicantID, in.MediatorID, in.AppliedAt, in.RespondentPersonID = p.PersonID, "", nil, ""
	if in.RespondentID == "" {
		var ent sql.NullString
		if err := s.DB.R.QueryRowContext(ctx, `SELECT enterprise_id FROM people WHERE id = $1`, p.PersonID).Scan(&ent); err != nil {
			return Case{}, err
		}
		in.RespondentID = ent.String
	}
	return s.open(ctx, in, func(e enterprise) error {
		if e.ZoneID != p.ZoneID {
			return apperr.Field("respondent_id", "unknown_value")
		}
		return nil
	}, p.ZoneID)
}

func (s *Service) open(ctx context.Context, in CaseInput, allowed func(enterprise) error, zoneID string) (Case, error) {
	now := s.DB.Now().UTC()
	var fs apperr.Fields
	in.check(&fs, now)
	if err := fs.Err(); err != nil {
		return Case{}, err
	}
	var out Case
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		e, err := enterpriseOf(ctx, tx, zoneID, in.RespondentID)
		if err != nil {
			return err
		}
		if err := allowed(e); err != nil {
			return err
		}
		applicant, err := personOf(ctx, tx, e.ZoneID, in.ApplicantID, "applicant_id")
		if err != nil {
			return err
		}
		if in.RespondentPersonID != "" {
			if _, err := personOf(ctx, tx, e.ZoneID, in.RespondentPersonID, "respondent_person_id"); err != nil {
				return err
			}
		}
		id := uuid.Must(uuid.NewV7()).String()
		applied := tx.Now
		if in.AppliedAt != nil {
			applied = in.AppliedAt.UTC().Truncate(time.Microsecond)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_cases (id, zone_id, park_id, respondent_id, applicant_id, type, summary, claim_fen, status,
			applied_at, created_by, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12)`,
			id, e.ZoneID, e.ParkID, e.ID, applicant.ID, in.Type, in.Summary, in.ClaimFen, Intake, db.Micros(applied), db.NullString(userOf(ctx)),
			db.Micros(tx.Now)); err != nil {
			return err
		}
		if err := insertParty(ctx, tx, id, e.ZoneID, "applicant", "applicant", applicant.Name, applicant.ID, ""); err != nil {
			return err
		}
		if err := insertParty(ctx, tx, id, e.ZoneID, "respondent", "respondent", e.Name, in.RespondentPersonID, e.ID); err != nil {
			if apperr.Is(err, apperr.Validation) {
				return apperr.Field("respondent_person_id", "duplicate_party")
			}
			return err
		}
		for _, ag := range in.Agents {
			if err := s.addAgent(ctx, tx, id, e.ZoneID, ag, "agents"); err != nil {
				return err
			}
		}
		if err := addEvent(ctx, tx, id, e.ZoneID, userOf(ctx), "open", Intake, ""); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: e.ZoneID, Node: e.ParkID, Entity: "mediation_case", EntityID: id, Action: "create",
			Summary: map[string]any{"type": in.Type}}); err != nil {
			return err
		}
		if in.MediatorID != "" {
			if err := s.assign(ctx, tx, id, in.MediatorID, in.MediatorRole, "intake"); err != nil {
				return err
			}
		}
		out, err = s.caseByID(ctx, tx, id)
		return err
	})
	return out, err
}

// caseByID reads a case without a visibility check: for the filer right
// after filing (their scope may not show it until the parties are in).
func (s *Service) caseByID(ctx context.Context, tx *db.Tx, id string) (Case, error) {
	c, err := scanCase(s.DB.Now().UTC())(tx.QueryRowContext(ctx, `SELECT `+caseCols+` FROM `+caseFrom+` WHERE c.id = $1`, id))
	if err != nil {
		return c, err
	}
	v, err := s.viewerOf(ctx, tx, c)
	if err != nil {
		return c, err
	}
	c.Access = v.access()
	if v.party() {
		c.Side = v.sides[0]
	}
	return c, s.full(ctx, tx, &c, v)
}

// insertParty adds a party; a person or a name already on the case (on
// that side) is EVALIDATION duplicate_party.
func insertParty(ctx context.Context, tx *db.Tx, caseID, zoneID, side, role, name, personID, enterpriseID string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM mediation_parties WHERE case_id = $1 AND ((person_id IS NOT NULL AND person_id = $2) OR (side = $3 AND name = $4))`,
		caseID, personID, side, name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return apperr.Field("person_id", "duplicate_party")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO mediation_parties (id, case_id, zone_id, side, role, name, person_id, enterprise_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, uuid.Must(uuid.NewV7()).String(), caseID, zoneID, side, role, name,
		db.NullString(personID), db.NullString(enterpriseID), db.Micros(tx.Now))
	return err
}

func (s *Service) addAgent(ctx context.Context, tx *db.Tx, caseID, zoneID string, ag AgentInput, field string) error {
	if ag.PersonID != "" {
		if _, err := personOf(ctx, tx, zoneID, ag.PersonID, field+".person_id"); err != nil {
			return err
		}
	}
	err := insertParty(ctx, tx, caseID, zoneID, ag.Side, "agent", ag.Name, ag.PersonID, "")
	if apperr.Is(err, apperr.Validation) {
		return apperr.Field(field+".name", "duplicate_party")
	}
	return err
}

// AddParty adds an agent to a case (staff). An agent must not be the
// case's mediator (the conflict check runs again). Returns ENOTFOUND,
// EFORBIDDEN, EVALIDATION (a party added twice), ECONFLICT (a finished
// case; the assigned mediator would become conflicted).
func (s *Service) AddParty(ctx context.Context, id string, in AgentInput) (Case, error) {
	var fs apperr.Fields
	checkAgent(&fs, &in)
	var out Case
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		c, v, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if !v.staff {
			return apperr.New(apperr.Forbidden, "")
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if !Open(c.Status) {
			return apperr.New(apperr.Conflict, "problem.case_finished")
		}
		if err := s.addAgent(ctx, tx, id, c.ZoneID, in, ""); err != nil {
			if apperr.Is(err, apperr.Validation) {
				return apperr.Field("name", "duplicate_party")
			}
			return err
		}
		if c.MediatorID != nil {
			res, err := s.conflicts(ctx, tx, id, *c.MediatorID)
			if err != nil {
				return err
			}
			if len(res) > 0 && !s.overridden(ctx, tx, id, *c.MediatorID) {
				return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.mediator_conflict", Params: map[string]any{"Detail": res[0].Detail},
					Fields: []apperr.FieldError{{Field: "person_id", Code: "mediator_conflict"}}}
			}
		}
		if err := addEvent(ctx, tx, id, c.ZoneID, userOf(ctx), "add_party", c.Status, in.Name); err != nil {
			return err
		}
		if err := bump(ctx, tx, id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Node: c.ParkID, Entity: "mediation_case", EntityID: id, Action: "add_party",
			Summary: map[string]any{"side": in.Side}}); err != nil {
			return err
		}
		out, err = s.afterWrite(ctx, tx, id)
		return err
	})
	return out, err
}

func bump(ctx context.Context, tx *db.Tx, id string) error {
	_, err := tx.ExecContext(ctx, `UPDATE mediation_cases SET version = version + 1, updated_at = $1 WHERE id = $2`, db.Micros(tx.Now), id)
	return err
}

// ActionInput is one step of the workflow.
type ActionInput struct {
	Action string
	Note   string
}

func transitionRefused(state, action string) error {
	return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.case_transition_refused", Params: map[string]any{"State": state, "Action": action},
		Fields: []apperr.FieldError{{Field: "action", Code: "case_state"}}}
}

// may reports whether v may take a step of kind by.
func (v viewer) may(by string) bool {
	switch by {
	case Staff:
		return v.staff
	case Mediator:
		return v.staff || v.mediator
	case Applicant:
		return v.staff || slices.Contains(v.sides, "applicant")
	}
	return false
}

// Act takes one step of the workflow (Workflow). Rules beyond the table:
// accept needs no mediator, start needs one; schedule is taken by
// scheduling a hearing; settle needs an agreement signed by every
// applicant and respondent party; refer before failure needs the 15 days
// to have passed; extend once; withdraw and fail need a note (the
// reason). Returns ENOTFOUND, EFORBIDDEN, EVALIDATION, ECONFLICT.
func (s *Service) Act(ctx context.Context, id string, in ActionInput) (Case, error) {
	var fs apperr.Fields
	if !slices.Contains(Actions, in.Action) {
		fs.Add("action", map[bool]string{true: "required", false: "unknown_value"}[in.Action == ""])
	}
	if in.Action == "schedule" {
		fs.Add("action", "use_hearings")
	}
	valid.Text(&fs, "note", in.Note, MaxNote)
	if (in.Action == "withdraw" || in.Action == "fail") && strings.TrimSpace(in.Note) == "" {
		fs.Add("note", "reason_needed")
	}
	var out Case
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		c, v, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if err := s.step(ctx, tx, c, v, in.Action, in.Note); err != nil {
			return err
		}
		out, err = s.afterWrite(ctx, tx, id)
		return err
	})
	return out, err
}

// step applies one transition to c in tx.
func (s *Service) step(ctx context.Context, tx *db.Tx, c Case, v viewer, action, note string) error {
	st, ok := Workflow[c.Status][action]
	if !ok {
		return transitionRefused(c.Status, action)
	}
	if !v.may(st.By) {
		return apperr.New(apperr.Forbidden, "")
	}
	now := tx.Now
	sets := []string{"status = $1", "version = version + 1", "updated_at = $2"}
	args := db.Args{st.Next, db.Micros(now)}
	switch action {
	case "start":
		if c.MediatorID == nil {
			return apperr.New(apperr.Conflict, "problem.no_mediator")
		}
	case "settle":
		ok, err := fullySigned(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.Conflict, "problem.agreement_unsigned")
		}
		sets = append(sets, "outcome = 'settled'")
	case "fail":
		sets = append(sets, "outcome = 'failed'")
	case "refer":
		if c.Status != Failed && !clockOf(now, c.Status, c.AppliedAt, nil, false).Eligible {
			return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.not_yet_eligible", Params: map[string]any{"Days": MediationDays},
				Fields: []apperr.FieldError{{Field: "action", Code: "case_state"}}}
		}
		sets = append(sets, "outcome = 'referred'", "referred_at = "+args.Add(db.Micros(now)),
			"arbitration_due_at = "+args.Add(db.Micros(now.Add(ArbitrationDays*day))))
	case "extend":
		if c.extended {
			return apperr.New(apperr.Conflict, "problem.already_extended")
		}
		sets = append(sets, "extended = TRUE", "arbitration_due_at = arbitration_due_at + "+args.Add(int64(ExtensionDays*day/time.Microsecond)))
	case "close":
		sets = append(sets, "closed_at = "+args.Add(db.Micros(now)))
	case "withdraw":
		sets = append(sets, "outcome = 'withdrawn'", "closed_at = "+args.Add(db.Micros(now)))
	}
	res, err := tx.ExecContext(ctx, `UPDATE mediation_cases SET `+strings.Join(sets, ", ")+` WHERE id = `+args.Add(c.ID)+
		` AND status = `+args.Add(c.Status)+` AND version = `+args.Add(c.Version), args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return transitionRefused(c.Status, action)
	}
	if action == "close" {
		// cases_closed in the 3.14π matrix, counted at the case's park
		// under governance, in the transaction that closes it.
		place, err := matrix.PlaceOf(ctx, tx, c.ParkID)
		if err != nil {
			return err
		}
		if err := matrix.Add(ctx, tx, matrix.Fact{Place: place, Function: "governance", At: now, Figures: matrix.Figures{CasesClosed: 1}}); err != nil {
			return err
		}
	}
	if err := addEvent(ctx, tx, c.ID, c.ZoneID, userOf(ctx), action, st.Next, note); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Node: c.ParkID, Entity: "mediation_case", EntityID: c.ID, Action: action,
		Summary: map[string]any{"status": audit.Change{From: c.Status, To: st.Next}}})
}
