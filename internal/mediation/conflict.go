package mediation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/valid"
)

// Conflict is one reason a mediator may not take a case.
type Conflict struct {
	// Kind: party (the mediator is a party), agent (an agent),
	// employed_by_respondent, same_employer (works where a party works),
	// org_of_respondent (member of a party organisation covering the
	// respondent), same_org (in one party organisation with a party),
	// grant_on_respondent (holds a role on the respondent or its
	// organisation).
	Kind string `json:"kind"`
	// Detail names whom the conflict is with.
	Detail string `json:"detail"`
}

// Override is an exception to a conflict: asked for with a reason, in
// force once a second, different user approved it.
type Override struct {
	Reason      string     `json:"reason"`
	RequestedBy string     `json:"requested_by"`
	ApprovedBy  *string    `json:"approved_by"`
	ApprovedAt  *time.Time `json:"approved_at"`
}

// ConflictCheck is a recorded check of one mediator against a case.
type ConflictCheck struct {
	ID         string     `json:"id"`
	MediatorID string     `json:"mediator_id"`
	Stage      string     `json:"stage"`
	Clear      bool       `json:"clear"`
	Conflicts  []Conflict `json:"conflicts"`
	CheckedBy  *string    `json:"checked_by"`
	CheckedAt  time.Time  `json:"checked_at"`
	Override   *Override  `json:"override"`
}

// subject is what a mediator is checked against.
type subject struct {
	zoneID, parkPath string
	respondent       enterprise
	parties          []partyRef
}

type partyRef struct{ personID, name, role string }

// mediatorUser is the user checked, with the person their account is bound to.
type mediatorUser struct {
	ID, Name string
	Person   *person
}

// eligible reads the user and checks that they may mediate in the park
// (a mediator grant over it). Returns EVALIDATION naming mediator_id.
func eligible(ctx context.Context, q db.Querier, zoneID, parkPath, userID string) (mediatorUser, error) {
	var m mediatorUser
	var personID sql.NullString
	err := q.QueryRowContext(ctx, `SELECT id, display_name, person_id FROM users WHERE id = $1 AND zone_id = $2`, userID, zoneID).Scan(&m.ID, &m.Name, &personID)
	if errors.Is(err, sql.ErrNoRows) {
		return m, apperr.Field("mediator_id", "unknown_value")
	}
	if err != nil {
		return m, err
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM grants g JOIN scope_nodes n ON n.id = g.scope_id WHERE g.user_id = $1 AND g.role = $2
		AND substr(CAST($3 AS TEXT), 1, length(n.path)) = n.path`, userID, access.Mediator, parkPath).Scan(&n); err != nil {
		return m, err
	}
	if n == 0 {
		return m, apperr.Field("mediator_id", "not_a_mediator")
	}
	if personID.Valid {
		p, err := personOf(ctx, q, zoneID, personID.String, "mediator_id")
		if err != nil {
			return m, err
		}
		m.Person = &p
	}
	return m, nil
}

// check finds the conflicts of m with sub.
func check(ctx context.Context, q db.Querier, sub subject, m mediatorUser) ([]Conflict, error) {
	out := []Conflict{}
	add := func(kind, detail string) {
		for _, c := range out {
			if c.Kind == kind && c.Detail == detail {
				return
			}
		}
		out = append(out, Conflict{Kind: kind, Detail: detail})
	}
	var persons []person
	for _, pr := range sub.parties {
		if pr.personID == "" {
			continue
		}
		if m.Person != nil && pr.personID == m.Person.ID {
			add(map[bool]string{true: "agent", false: "party"}[pr.role == "agent"], pr.name)
		}
		p, err := personOf(ctx, q, sub.zoneID, pr.personID, "person_id")
		if err != nil {
			return nil, err
		}
		persons = append(persons, p)
	}
	if m.Person != nil {
		mp := m.Person
		if mp.EnterpriseID != "" && mp.EnterpriseID == sub.respondent.ID {
			add("employed_by_respondent", sub.respondent.Name)
		}
		for _, p := range persons {
			if p.ID == mp.ID {
				continue
			}
			if mp.EnterpriseID != "" && p.EnterpriseID == mp.EnterpriseID {
				add("same_employer", p.Name)
			}
			if mp.OrgID != "" && p.OrgID == mp.OrgID {
				add("same_org", p.Name)
			}
		}
		if mp.OrgID != "" {
			var name string
			err := q.QueryRowContext(ctx, `SELECT o.name FROM org_enterprises oe JOIN orgs o ON o.id = oe.org_id WHERE oe.org_id = $1 AND oe.enterprise_id = $2`,
				mp.OrgID, sub.respondent.ID).Scan(&name)
			if err == nil {
				add("org_of_respondent", name)
			} else if !errors.Is(err, sql.ErrNoRows) {
				return nil, err
			}
		}
	}
	// A role on the respondent (a partner contact) or on a party
	// organisation covering it (its branch secretary).
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM grants g WHERE g.user_id = $1 AND (g.scope_id = $2
		OR g.scope_id IN (SELECT org_id FROM org_enterprises WHERE enterprise_id = $2))`, m.ID, sub.respondent.ID).Scan(&n); err != nil {
		return nil, err
	}
	if n > 0 {
		add("grant_on_respondent", sub.respondent.Name)
	}
	return out, nil
}

// subjectOf is case id as the conflict check sees it.
func subjectOf(ctx context.Context, q db.Querier, c Case) (subject, error) {
	sub := subject{zoneID: c.ZoneID, parkPath: c.parkPath}
	var err error
	if sub.respondent, err = enterpriseOf(ctx, q, c.ZoneID, c.RespondentID); err != nil {
		return sub, err
	}
	err = db.Each(ctx, q, `SELECT COALESCE(person_id, ''), name, role FROM mediation_parties WHERE case_id = $1 ORDER BY id`, db.Args{c.ID}, func(sc db.Scanner) error {
		var pr partyRef
		err := sc.Scan(&pr.personID, &pr.name, &pr.role)
		sub.parties = append(sub.parties, pr)
		return err
	})
	return sub, err
}

// conflicts are the conflicts of mediatorID with case id (read unscoped:
// the caller has been authorised).
func (s *Service) conflicts(ctx context.Context, tx *db.Tx, id, mediatorID string) ([]Conflict, error) {
	c, err := scanCase(tx.Now)(tx.QueryRowContext(ctx, `SELECT `+caseCols+` FROM `+caseFrom+` WHERE c.id = $1`, id))
	if err != nil {
		return nil, err
	}
	sub, err := subjectOf(ctx, tx, c)
	if err != nil {
		return nil, err
	}
	m, err := eligible(ctx, tx, c.ZoneID, c.parkPath, mediatorID)
	if err != nil {
		return nil, err
	}
	return check(ctx, tx, sub, m)
}

// overridden reports whether an approved override stands for mediatorID on
// case id.
func (s *Service) overridden(ctx context.Context, tx *db.Tx, id, mediatorID string) bool {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM mediation_conflict_checks WHERE case_id = $1 AND mediator_id = $2 AND approved_at IS NOT NULL`,
		id, mediatorID).Scan(&n)
	return err == nil && n > 0
}

// PreviewInput is a prospective case, for the intake wizard to check a
// mediator before the case is opened.
type PreviewInput struct {
	RespondentID, ApplicantID, RespondentPersonID, MediatorID string
	AgentPersonIDs                                            []string
}

// Preview runs the conflict check for a case not yet opened (nothing is
// recorded: the intake records the check it runs). The caller is
// legal-service staff of the respondent's park. Returns EFORBIDDEN,
// EVALIDATION.
func (s *Service) Preview(ctx context.Context, in PreviewInput) ([]Conflict, error) {
	p := access.From(ctx)
	if p.Scope(Manage).Empty() {
		return nil, apperr.New(apperr.Forbidden, "")
	}
	var fs apperr.Fields
	for f, v := range map[string]string{"respondent_id": in.RespondentID, "mediator_id": in.MediatorID} {
		if v == "" {
			fs.Add(f, "required")
		}
	}
	valid.UniqueIDs(&fs, "agent_person_ids", in.AgentPersonIDs, MaxAgents)
	if err := fs.Err(); err != nil {
		return nil, err
	}
	e, err := enterpriseOf(ctx, s.DB.R, "", in.RespondentID)
	if err != nil {
		return nil, err
	}
	if !p.Scope(Manage).Covers(e.Path) {
		return nil, apperr.Field("respondent_id", "unknown_value")
	}
	var parkPath string
	if err := s.DB.R.QueryRowContext(ctx, `SELECT path FROM scope_nodes WHERE id = $1`, e.ParkID).Scan(&parkPath); err != nil {
		return nil, err
	}
	sub := subject{zoneID: e.ZoneID, parkPath: parkPath, respondent: e}
	if in.ApplicantID != "" {
		sub.parties = append(sub.parties, partyRef{personID: in.ApplicantID, role: "applicant"})
	}
	if in.RespondentPersonID != "" {
		sub.parties = append(sub.parties, partyRef{personID: in.RespondentPersonID, role: "respondent"})
	}
	for _, id := range in.AgentPersonIDs {
		sub.parties = append(sub.parties, partyRef{personID: id, role: "agent"})
	}
	for i, pr := range sub.parties {
		field := map[string]string{"applicant": "applicant_id", "respondent": "respondent_person_id", "agent": "agent_person_ids"}[pr.role]
		pp, err := personOf(ctx, s.DB.R, e.ZoneID, pr.personID, field)
		if err != nil {
			return nil, err
		}
		sub.parties[i].name = pp.Name
	}
	m, err := eligible(ctx, s.DB.R, e.ZoneID, parkPath, in.MediatorID)
	if err != nil {
		return nil, err
	}
	return check(ctx, s.DB.R, sub, m)
}

// record stores a check and returns its id.
func record(ctx context.Context, tx *db.Tx, c Case, mediatorID, stage string, found []Conflict) (string, error) {
	raw, err := json.Marshal(found)
	if err != nil {
		return "", err
	}
	id := uuid.Must(uuid.NewV7()).String()
	_, err = tx.ExecContext(ctx, `INSERT INTO mediation_conflict_checks (id, case_id, zone_id, mediator_id, stage, conflicts, clear, checked_by, checked_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, id, c.ID, c.ZoneID, mediatorID, stage, string(raw), len(found) == 0, db.NullString(userOf(ctx)), db.Micros(tx.Now))
	if err != nil {
		return "", err
	}
	note := "clear"
	if len(found) > 0 {
		kinds := make([]string, len(found))
		for i, f := range found {
			kinds[i] = f.Kind
		}
		note = strings.Join(kinds, ",")
	}
	return id, addEvent(ctx, tx, c.ID, c.ZoneID, userOf(ctx), "conflict_check", c.Status, note)
}

// CheckMediator runs and records the conflict check of mediatorID on a
// case (staff). A found conflict is a result, not an error: the check is
// recorded for an override to be asked on it. Returns ENOTFOUND,
// EFORBIDDEN, EVALIDATION (not a mediator of the park).
func (s *Service) CheckMediator(ctx context.Context, id, mediatorID string) (ConflictCheck, error) {
	var out ConflictCheck
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		c, v, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if !v.staff {
			return apperr.New(apperr.Forbidden, "")
		}
		if mediatorID == "" {
			return apperr.Field("mediator_id", "required")
		}
		found, err := s.conflicts(ctx, tx, id, mediatorID)
		if err != nil {
			return err
		}
		cid, err := record(ctx, tx, c, mediatorID, "assignment", found)
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Node: c.ParkID, Entity: "mediation_case", EntityID: id, Action: "conflict_check",
			Summary: map[string]any{"mediator_id": mediatorID, "clear": len(found) == 0}}); err != nil {
			return err
		}
		out, err = checkByID(ctx, tx, cid)
		return err
	})
	return out, err
}

// RequestOverride asks to override a check's conflicts, with a reason
// (staff). Returns ENOTFOUND, EFORBIDDEN, EVALIDATION (no reason),
// ECONFLICT (a clear check, an override already asked).
func (s *Service) RequestOverride(ctx context.Context, id, checkID, reason string) (ConflictCheck, error) {
	var fs apperr.Fields
	valid.Name(&fs, "reason", &reason, MaxNote)
	var out ConflictCheck
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		c, v, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if !v.staff {
			return apperr.New(apperr.Forbidden, "")
		}
		ch, err := checkOf(ctx, tx, id, checkID)
		if err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if ch.Clear || ch.Override != nil {
			return apperr.New(apperr.Conflict, "problem.override_not_needed")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE mediation_conflict_checks SET override_reason = $1, override_by = $2 WHERE id = $3`, reason, userOf(ctx), checkID); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, id, c.ZoneID, userOf(ctx), "override_requested", c.Status, reason); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Node: c.ParkID, Entity: "mediation_case", EntityID: id, Action: "override_request",
			Summary: map[string]any{"check_id": checkID}}); err != nil {
			return err
		}
		out, err = checkByID(ctx, tx, checkID)
		return err
	})
	return out, err
}

// ApproveOverride approves an asked override: by staff of the park other
// than whoever asked. Returns ENOTFOUND, EFORBIDDEN (the asker themselves),
// ECONFLICT (nothing asked, already approved).
func (s *Service) ApproveOverride(ctx context.Context, id, checkID string) (ConflictCheck, error) {
	var out ConflictCheck
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		c, v, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if !v.staff {
			return apperr.New(apperr.Forbidden, "")
		}
		ch, err := checkOf(ctx, tx, id, checkID)
		if err != nil {
			return err
		}
		if ch.Override == nil || ch.Override.ApprovedAt != nil {
			return apperr.New(apperr.Conflict, "problem.override_not_pending")
		}
		if ch.Override.RequestedBy == userOf(ctx) {
			return apperr.New(apperr.Forbidden, "problem.second_person")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE mediation_conflict_checks SET approved_by = $1, approved_at = $2 WHERE id = $3 AND approved_at IS NULL`,
			userOf(ctx), db.Micros(tx.Now), checkID); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, id, c.ZoneID, userOf(ctx), "override_approved", c.Status, ch.Override.Reason); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Node: c.ParkID, Entity: "mediation_case", EntityID: id, Action: "override_approve",
			Summary: map[string]any{"check_id": checkID}}); err != nil {
			return err
		}
		out, err = checkByID(ctx, tx, checkID)
		return err
	})
	return out, err
}

// Assign assigns a mediator or arbitrator (staff): the conflict check runs
// and is recorded; a conflict refuses the assignment unless an override of
// it was approved. Returns ENOTFOUND, EFORBIDDEN, EVALIDATION, ECONFLICT (a
// conflict, a finished case).
func (s *Service) Assign(ctx context.Context, id, mediatorID, role string) (Case, error) {
	var fs apperr.Fields
	if mediatorID == "" {
		fs.Add("mediator_id", "required")
	}
	if role == "" {
		role = "mediator"
	}
	if role != "mediator" && role != "arbitrator" {
		fs.Add("role", "unknown_value")
	}
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
		if !Open(c.Status) && c.Status != Referred {
			return apperr.New(apperr.Conflict, "problem.case_finished")
		}
		if err := s.assign(ctx, tx, id, mediatorID, role, "assignment"); err != nil {
			return err
		}
		out, err = s.afterWrite(ctx, tx, id)
		return err
	})
	return out, err
}

// assign checks, records and assigns in tx. A conflict without an
// approved override refuses the request, which changes nothing (the check
// is rolled back with it); CheckMediator records a check to override.
func (s *Service) assign(ctx context.Context, tx *db.Tx, id, mediatorID, role, stage string) error {
	found, err := s.conflicts(ctx, tx, id, mediatorID)
	if err != nil {
		return err
	}
	if len(found) > 0 && !s.overridden(ctx, tx, id, mediatorID) {
		return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.mediator_conflict", Params: map[string]any{"Detail": found[0].Detail},
			Fields: []apperr.FieldError{{Field: "mediator_id", Code: "mediator_conflict"}}}
	}
	c, err := scanCase(tx.Now)(tx.QueryRowContext(ctx, `SELECT `+caseCols+` FROM `+caseFrom+` WHERE c.id = $1`, id))
	if err != nil {
		return err
	}
	if _, err := record(ctx, tx, c, mediatorID, stage, found); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE mediation_cases SET mediator_id = $1, mediator_role = $2, version = version + 1, updated_at = $3 WHERE id = $4`,
		mediatorID, role, db.Micros(tx.Now), id); err != nil {
		return err
	}
	if err := addEvent(ctx, tx, id, c.ZoneID, userOf(ctx), "assign", c.Status, role); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Node: c.ParkID, Entity: "mediation_case", EntityID: id, Action: "assign",
		Summary: map[string]any{"mediator_id": mediatorID, "role": role, "overridden": len(found) > 0}})
}

const checkCols = `id, mediator_id, stage, clear, conflicts, checked_by, checked_at, override_reason, override_by, approved_by, approved_at`

func scanCheck(sc db.Scanner) (ConflictCheck, error) {
	var ch ConflictCheck
	var raw, reason string
	var by, overBy, approvedBy sql.NullString
	var approvedAt sql.NullInt64
	if err := sc.Scan(&ch.ID, &ch.MediatorID, &ch.Stage, &ch.Clear, &raw, &by, db.T(&ch.CheckedAt), &reason, &overBy, &approvedBy, &approvedAt); err != nil {
		return ch, err
	}
	ch.CheckedBy = ptr(by)
	ch.Conflicts = []Conflict{}
	if err := json.Unmarshal([]byte(raw), &ch.Conflicts); err != nil {
		return ch, err
	}
	if overBy.Valid {
		ch.Override = &Override{Reason: reason, RequestedBy: overBy.String, ApprovedBy: ptr(approvedBy)}
		if approvedAt.Valid {
			t := db.FromMicros(approvedAt.Int64)
			ch.Override.ApprovedAt = &t
		}
	}
	return ch, nil
}

func checkByID(ctx context.Context, q db.Querier, id string) (ConflictCheck, error) {
	return scanCheck(q.QueryRowContext(ctx, `SELECT `+checkCols+` FROM mediation_conflict_checks WHERE id = $1`, id))
}

func checkOf(ctx context.Context, q db.Querier, caseID, id string) (ConflictCheck, error) {
	ch, err := scanCheck(q.QueryRowContext(ctx, `SELECT `+checkCols+` FROM mediation_conflict_checks WHERE id = $1 AND case_id = $2`, id, caseID))
	if errors.Is(err, sql.ErrNoRows) {
		return ch, apperr.New(apperr.NotFound, "")
	}
	return ch, err
}

func checksOf(ctx context.Context, q db.Querier, caseID string) ([]ConflictCheck, error) {
	out := []ConflictCheck{}
	err := db.Each(ctx, q, `SELECT `+checkCols+` FROM mediation_conflict_checks WHERE case_id = $1 ORDER BY checked_at, id`, db.Args{caseID}, func(sc db.Scanner) error {
		ch, err := scanCheck(sc)
		out = append(out, ch)
		return err
	})
	return out, err
}

// Candidate is a user who may be assigned in a park.
type Candidate struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Mediators lists the users holding the mediator role over a park, for
// the staff assigning one. Returns EFORBIDDEN, EVALIDATION.
func (s *Service) Mediators(ctx context.Context, parkID string) ([]Candidate, error) {
	p := access.From(ctx)
	if p.Scope(Manage).Empty() {
		return nil, apperr.New(apperr.Forbidden, "")
	}
	if parkID == "" {
		return nil, apperr.Field("park_id", "required")
	}
	var path string
	err := s.DB.R.QueryRowContext(ctx, `SELECT path FROM scope_nodes WHERE id = $1 AND kind = 'park'`, parkID).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !p.Scope(Manage).Covers(path)) {
		return nil, apperr.Field("park_id", "unknown_value")
	}
	if err != nil {
		return nil, err
	}
	out := []Candidate{}
	err = db.Each(ctx, s.DB.R, `SELECT DISTINCT u.id, u.display_name FROM users u JOIN grants g ON g.user_id = u.id JOIN scope_nodes n ON n.id = g.scope_id
		WHERE g.role = $1 AND substr(CAST($2 AS TEXT), 1, length(n.path)) = n.path ORDER BY u.display_name, u.id`, db.Args{access.Mediator, path},
		func(sc db.Scanner) error {
			var m Candidate
			err := sc.Scan(&m.ID, &m.Name)
			out = append(out, m)
			return err
		})
	return out, err
}
