package partyaffairs

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
	"tongxin/internal/etag"
	"tongxin/internal/page"
	"tongxin/internal/valid"
)

// Stages of member development (发展党员), in order: application (入党申请),
// activist (入党积极分子), candidate (发展对象), probationary member (预备党员),
// full member (正式党员).
var Stages = []string{"application", "activist", "candidate", "probationary", "full"}

// Waiting times the regulations set (中国共产党发展党员工作细则): an
// activist is trained for more than a year before becoming a candidate;
// a probationary member is full after a year's probation.
const (
	ActivistYears  = 1
	ProbationYears = 1
)

// Development is one person's way into the party, kept by the
// organisation developing them.
type Development struct {
	ID         string      `json:"id"`
	ZoneID     string      `json:"zone_id"`
	OrgID      string      `json:"org_id"`
	OrgName    string      `json:"org_name"`
	PersonID   string      `json:"person_id"`
	PersonName string      `json:"person_name"`
	Stage      string      `json:"stage"`
	Stages     []StageDate `json:"stages"`
	Version    int         `json:"version"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
}

// StageDate is a stage reached, on a date.
type StageDate struct {
	Stage     string `json:"stage"`
	ReachedOn string `json:"reached_on"`
	Note      string `json:"note"`
}

const devCols = `id, zone_id, org_id, person_id, stage, version, created_at, updated_at,
	COALESCE((SELECT o.name FROM orgs o WHERE o.id = party_development.org_id), ''),
	COALESCE((SELECT p.name FROM people p WHERE p.id = party_development.person_id), '')`

func scanDev(s page.Scanner) (Development, error) {
	var d Development
	err := s.Scan(&d.ID, &d.ZoneID, &d.OrgID, &d.PersonID, &d.Stage, &d.Version, db.T(&d.CreatedAt), db.T(&d.UpdatedAt), &d.OrgName, &d.PersonName)
	d.Stages = []StageDate{}
	return d, err
}

var devTable = page.Table[Development]{From: "party_development", Cols: devCols, Attach: page.Attached(access.ByNode("org_id")), Scan: scanDev}

func fillStages(ctx context.Context, q db.Querier, ds []Development) error {
	if len(ds) == 0 {
		return nil
	}
	at := map[string]int{}
	ids := make([]string, len(ds))
	for i, d := range ds {
		at[d.ID], ids[i] = i, d.ID
	}
	var a db.Args
	err := db.Each(ctx, q, `SELECT development_id, stage, on_date, note FROM party_development_stages WHERE development_id IN (`+a.In(ids)+`)`, a,
		func(s db.Scanner) error {
			var id string
			var st StageDate
			if err := s.Scan(&id, &st.Stage, &st.ReachedOn, &st.Note); err != nil {
				return err
			}
			ds[at[id]].Stages = append(ds[at[id]].Stages, st)
			return nil
		})
	for i := range ds {
		slices.SortFunc(ds[i].Stages, func(a, b StageDate) int { return slices.Index(Stages, a.Stage) - slices.Index(Stages, b.Stage) })
	}
	return err
}

// DevelopmentFilter narrows the list.
type DevelopmentFilter struct {
	OrgID string
	Stage string
}

// ListDevelopment lists the people being developed by the organisations
// in the caller's party.read scope, newest first. Returns EINVALID for an
// unknown stage.
func (s *Service) ListDevelopment(ctx context.Context, f DevelopmentFilter, p page.Page) (page.List[Development], error) {
	if f.Stage != "" && !slices.Contains(Stages, f.Stage) {
		return page.List[Development]{}, apperr.BadField("stage", "unknown_value")
	}
	var a db.Args
	where := access.From(ctx).Scope(Read).Where(&a, access.ByNode("org_id"))
	if f.OrgID != "" {
		where += " AND org_id = " + a.Add(f.OrgID)
	}
	if f.Stage != "" {
		where += " AND stage = " + a.Add(f.Stage)
	}
	l, err := page.Rows(ctx, s.DB.R, p, page.Query{From: "party_development", Cols: devCols, Where: where, Args: a, Desc: true}, scanDev,
		page.ByID(func(d Development) string { return d.ID }))
	if err == nil {
		err = fillStages(ctx, s.DB.R, l.Items)
	}
	return l, err
}

// GetDevelopment returns one record in the caller's scope. Returns
// ENOTFOUND.
func (s *Service) GetDevelopment(ctx context.Context, id string) (Development, error) {
	return s.getDev(ctx, s.DB.R, Read, id)
}

func (s *Service) getDev(ctx context.Context, q db.Querier, perm access.Perm, id string) (Development, error) {
	d, err := devTable.One(ctx, q, perm, Read, id)
	if err != nil {
		return d, err
	}
	ds := []Development{d}
	err = fillStages(ctx, q, ds)
	return ds[0], err
}

// DevelopmentInput opens a person's development with their application.
type DevelopmentInput struct {
	PersonID  string
	OrgID     string
	AppliedOn string
	Note      string
}

// StartDevelopment records a person's application to join the party with
// the organisation that will develop them (in the caller's party.manage
// scope). Returns EVALIDATION (person_id unknown_value; org_id
// unknown_value; applied_on), ECONFLICT when the person is a member
// already or already being developed.
func (s *Service) StartDevelopment(ctx context.Context, in DevelopmentInput) (Development, error) {
	var fs apperr.Fields
	valid.Text(&fs, "note", in.Note, 500)
	if in.PersonID == "" {
		fs.Add("person_id", "required")
	}
	var d Development
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		on, _ := s.pastDate(&fs, "applied_on", in.AppliedOn, tx.Now)
		org, err := covered(ctx, tx, Manage, "org_id", in.OrgID, access.KindOrg)
		if err != nil {
			if !apperr.Is(err, apperr.Validation) {
				return err
			}
			fs.Add("org_id", "unknown_value")
		}
		var m member
		if in.PersonID != "" {
			m, err = memberOf(ctx, tx, in.PersonID)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && org.ZoneID != "" && m.ZoneID != org.ZoneID) {
				fs.Add("person_id", "unknown_value")
			} else if err != nil {
				return err
			}
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if m.Status != "" {
			return apperr.New(apperr.Conflict, "problem.already_member", "Name", m.Name)
		}
		d = Development{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: org.ZoneID, OrgID: org.ID, PersonID: m.ID, PersonName: m.Name,
			Stage: Stages[0], Stages: []StageDate{{Stage: Stages[0], ReachedOn: on.Format(time.DateOnly), Note: in.Note}}, Version: 1,
			CreatedAt: tx.Now, UpdatedAt: tx.Now}
		_, err = tx.ExecContext(ctx, `INSERT INTO party_development (id, zone_id, org_id, person_id, stage, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, 1, $6, $6)`, d.ID, d.ZoneID, d.OrgID, d.PersonID, d.Stage, db.Micros(tx.Now))
		if db.IsUnique(err) {
			return apperr.New(apperr.Conflict, "problem.already_developing", "Name", m.Name)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO party_development_stages (development_id, zone_id, stage, on_date, note) VALUES ($1, $2, $3, $4, $5)`,
			d.ID, d.ZoneID, d.Stage, d.Stages[0].ReachedOn, in.Note); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT name FROM orgs WHERE id = $1`, d.OrgID).Scan(&d.OrgName); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: d.ZoneID, Node: d.OrgID, Entity: "party_development", EntityID: d.ID, Action: "create",
			Summary: map[string]any{"person_id": d.PersonID, "stage": d.Stage, "reached_on": d.Stages[0].ReachedOn}})
	})
	return d, err
}

// StageInput moves a development to its next stage.
type StageInput struct {
	Stage     string
	ReachedOn string
	Note      string
}

// Advance moves a person to the next stage, never skipping one or going
// back, on a date not before the last stage's (and, for candidate and
// full, at least a year after activist and probationary). Becoming
// probationary makes the person a probationary member of the developing
// organisation, joined on that date; becoming full makes them a full
// member. Needs party.manage over the organisation; match must hold.
// Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION, EVALIDATION (stage;
// reached_on invalid_date, in_future, before_previous, too_early),
// ECONFLICT (problem.stage_order: not the next stage).
func (s *Service) Advance(ctx context.Context, id string, in StageInput, match etag.Match) (Development, error) {
	var fs apperr.Fields
	next := slices.Index(Stages, in.Stage)
	if in.Stage == "" {
		fs.Add("stage", "required")
	} else if next < 0 {
		fs.Add("stage", "unknown_value")
	}
	valid.Text(&fs, "note", in.Note, 500)
	var d Development
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := s.getDev(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		on, ok := s.pastDate(&fs, "reached_on", in.ReachedOn, tx.Now)
		if err := fs.Err(); err != nil {
			return err
		}
		cur := slices.Index(Stages, old.Stage)
		if next != cur+1 {
			want := ""
			if cur+1 < len(Stages) {
				want = Stages[cur+1]
			}
			return apperr.New(apperr.Conflict, "problem.stage_order", "Current", old.Stage, "Next", want)
		}
		dates := map[string]time.Time{}
		for _, st := range old.Stages {
			dates[st.Stage], _ = parseDate(st.ReachedOn)
		}
		last := dates[old.Stage]
		switch {
		case ok && on.Before(last):
			fs.Add("reached_on", "before_previous", "Date", last.Format(time.DateOnly))
		case in.Stage == "candidate" && on.Before(dates["activist"].AddDate(ActivistYears, 0, 0)):
			fs.Add("reached_on", "too_early", "Date", dates["activist"].AddDate(ActivistYears, 0, 0).Format(time.DateOnly))
		case in.Stage == "full" && on.Before(dates["probationary"].AddDate(ProbationYears, 0, 0)):
			fs.Add("reached_on", "too_early", "Date", dates["probationary"].AddDate(ProbationYears, 0, 0).Format(time.DateOnly))
		}
		if err := fs.Err(); err != nil {
			return err
		}
		d = old
		d.Stage, d.Version, d.UpdatedAt = in.Stage, old.Version+1, tx.Now
		d.Stages = append(d.Stages, StageDate{Stage: in.Stage, ReachedOn: on.Format(time.DateOnly), Note: in.Note})
		res, err := tx.ExecContext(ctx, `UPDATE party_development SET stage = $1, version = $2, updated_at = $3 WHERE id = $4 AND version = $5`,
			d.Stage, d.Version, db.Micros(tx.Now), id, old.Version)
		if err != nil {
			return err
		}
		if err := updated(res, old.Version); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO party_development_stages (development_id, zone_id, stage, on_date, note) VALUES ($1, $2, $3, $4, $5)`,
			id, d.ZoneID, d.Stage, on.Format(time.DateOnly), in.Note); err != nil {
			return err
		}
		switch d.Stage {
		case "probationary":
			_, err = tx.ExecContext(ctx, `UPDATE people SET party_status = 'probationary', org_id = $1, joined_on = $2, version = version + 1, updated_at = $3
				WHERE id = $4`, d.OrgID, on.Format(time.DateOnly), db.Micros(tx.Now), d.PersonID)
		case "full":
			_, err = tx.ExecContext(ctx, `UPDATE people SET party_status = 'full', version = version + 1, updated_at = $1 WHERE id = $2`,
				db.Micros(tx.Now), d.PersonID)
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: d.ZoneID, Node: d.OrgID, Entity: "party_development", EntityID: d.ID, Action: "update",
			Summary: map[string]any{"stage": audit.Change{From: old.Stage, To: d.Stage}, "reached_on": on.Format(time.DateOnly)}})
	})
	return d, err
}
