package workshops

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/etag"
	"tongxin/internal/i18n"
	"tongxin/internal/page"
	"tongxin/internal/search"
	"tongxin/internal/valid"
)

// Permissions of this domain.
var (
	// Read lets a caller see red workshops: every role, within its grants
	// (through the zone, the enterprise or the branch).
	Read = access.NewPerm("workshop.read", access.Everyone()...)
	// Manage lets a caller create, change and delete red workshops and
	// record their output: zone and park administrators, and the
	// secretary of the branch built into the workshop.
	Manage = access.NewPerm("workshop.manage", access.ZoneAdmin, access.ParkAdmin, access.OrgSecretary)
)

//go:embed locales/*.json
var locales embed.FS

// Locales holds this domain's messages.
func Locales() fs.FS { return i18n.Dir(locales) }

// Limits of one workshop.
const (
	MaxMembers = 1000
	// MaxOutputFen is 10^13 fen (100 billion yuan) a month: far above any
	// workshop, low enough to sum years of months in an int64.
	MaxOutputFen int64 = 10_000_000_000_000
)

// chinaTime is UTC+8: "this month" is the month in China.
var chinaTime = time.FixedZone("CST", 8*3600)

// Service holds the workshop operations.
type Service struct{ DB *db.DB }

// Output is a workshop's output value in one month.
type Output struct {
	Month     string `json:"month"` // YYYY-MM
	OutputFen int64  `json:"output_fen"`
}

// Workshop is a red workshop (红色车间): a party branch built into a
// workshop of an enterprise, its members and its monthly output value.
type Workshop struct {
	ID             string    `json:"id"`
	ZoneID         string    `json:"zone_id"`
	EnterpriseID   string    `json:"enterprise_id"`
	EnterpriseName string    `json:"enterprise_name"`
	OrgID          *string   `json:"org_id"`
	Name           string    `json:"name"`
	MemberIDs      []string  `json:"member_ids"`
	MemberCount    int       `json:"member_count"`
	Outputs        []Output  `json:"outputs"`
	Version        int       `json:"version"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

const cols = `id, zone_id, enterprise_id, (SELECT e.name FROM enterprises e WHERE e.id = workshops.enterprise_id), org_id, name,
	version, created_at, updated_at`

func scan(s page.Scanner) (Workshop, error) {
	var w Workshop
	var org sql.NullString
	err := s.Scan(&w.ID, &w.ZoneID, &w.EnterpriseID, &w.EnterpriseName, &org, &w.Name, &w.Version, db.T(&w.CreatedAt), db.T(&w.UpdatedAt))
	if org.Valid {
		w.OrgID = &org.String
	}
	w.MemberIDs, w.Outputs = []string{}, []Output{}
	return w, err
}

// attach: a workshop hangs under its enterprise and under its branch.
var attach = []access.Attach{access.ByZone("zone_id"), access.ByNode("enterprise_id"), access.ByNode("org_id")}

// Filter narrows List.
type Filter struct {
	EnterpriseID string
	OrgID        string
	ParkID       string // workshops of the park's enterprises
}

// List lists the workshops in the caller's workshop.read scope, oldest
// first, each with its members and its whole output series; q matches the
// name, pinyin included.
func (s *Service) List(ctx context.Context, f Filter, p page.Page) (page.List[Workshop], error) {
	var a db.Args
	where := access.From(ctx).Scope(Read).Where(&a, attach...)
	if f.EnterpriseID != "" {
		where += " AND enterprise_id = " + a.Add(f.EnterpriseID)
	}
	if f.OrgID != "" {
		where += " AND org_id = " + a.Add(f.OrgID)
	}
	if f.ParkID != "" {
		where += " AND enterprise_id IN (SELECT id FROM enterprises WHERE park_id = " + a.Add(f.ParkID) + ")"
	}
	if p.Query != "" {
		m, err := search.Match(ctx, s.DB.R, "workshops", "id", "search_key", p.Query, &a)
		if err != nil {
			return page.List[Workshop]{}, err
		}
		where += " AND " + m
	}
	l, err := page.Rows(ctx, s.DB.R, p, page.Query{From: "workshops", Cols: cols, Where: where, Args: a}, scan, page.ByID(func(w Workshop) string { return w.ID }))
	if err != nil {
		return l, err
	}
	return l, fill(ctx, s.DB.R, l.Items)
}

// fill loads the members and outputs of ws, one query each.
func fill(ctx context.Context, q db.Querier, ws []Workshop) error {
	if len(ws) == 0 {
		return nil
	}
	at := map[string]int{}
	ids := make([]string, len(ws))
	for i, w := range ws {
		at[w.ID], ids[i] = i, w.ID
	}
	of, err := memberLinks.Of(ctx, q, ids)
	if err != nil {
		return err
	}
	for i := range ws {
		ws[i].MemberIDs = append(ws[i].MemberIDs, of[ws[i].ID]...)
		ws[i].MemberCount = len(ws[i].MemberIDs)
	}
	var a db.Args
	rows, err := q.QueryContext(ctx, `SELECT workshop_id, month, output_fen FROM workshop_outputs WHERE workshop_id IN (`+a.In(ids)+`) ORDER BY workshop_id, month`, a...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var wid string
		var o Output
		if err := rows.Scan(&wid, &o.Month, &o.OutputFen); err != nil {
			return err
		}
		ws[at[wid]].Outputs = append(ws[at[wid]].Outputs, o)
	}
	return rows.Err()
}

// memberLinks is the workshop's members.
var memberLinks = db.Link{Table: "workshop_members", Owner: "workshop_id", Member: "person_id"}

// table reads workshops in the caller's scope.
var table = page.Table[Workshop]{From: "workshops", Cols: cols, Attach: page.Attached(attach...), Scan: scan}

// get returns the workshop with id when it lies in the caller's scope for
// perm. When it does not but the caller may read it, the answer is
// EFORBIDDEN; when the caller may not even read it, ENOTFOUND.
func get(ctx context.Context, q db.Querier, perm access.Perm, id string) (Workshop, error) {
	row, err := table.One(ctx, q, perm, Read, id)
	if err != nil {
		return row, err
	}
	rows := []Workshop{row}
	err = fill(ctx, q, rows)
	return rows[0], err
}

// Get returns a workshop in the caller's scope. Returns ENOTFOUND otherwise.
func (s *Service) Get(ctx context.Context, id string) (Workshop, error) {
	return get(ctx, s.DB.R, Read, id)
}

type enterprise struct {
	id, zoneID, parkID string
	inScope            bool
}

// lookupEnterprise reads an enterprise and whether sc covers it. ok is
// false when there is none.
func lookupEnterprise(ctx context.Context, q db.Querier, sc access.Scope, id string) (e enterprise, ok bool, err error) {
	var a db.Args
	where := sc.Where(&a, access.ByZone("zone_id"), access.ByNode("id"))
	err = q.QueryRowContext(ctx, `SELECT id, zone_id, park_id, `+where+` FROM enterprises WHERE id = `+a.Add(id), a...).
		Scan(&e.id, &e.zoneID, &e.parkID, &e.inScope)
	if errors.Is(err, sql.ErrNoRows) {
		return e, false, nil
	}
	return e, err == nil, err
}

// checkOrg reports whether orgID is an organisation sc covers, in e's
// zone (known), and whether it covers e or lies in e's park (related).
func checkOrg(ctx context.Context, q db.Querier, sc access.Scope, orgID string, e enterprise) (known, related bool, err error) {
	var a db.Args
	where := sc.Where(&a, access.ByZone("zone_id"), access.ByNode("id"))
	var park sql.NullString
	var covers bool
	err = q.QueryRowContext(ctx, `SELECT park_id, EXISTS (SELECT 1 FROM org_enterprises oe WHERE oe.org_id = orgs.id AND oe.enterprise_id = `+a.Add(e.id)+`)
		FROM orgs WHERE id = `+a.Add(orgID)+` AND zone_id = `+a.Add(e.zoneID)+` AND `+where, a...).Scan(&park, &covers)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	return true, covers || park.String == e.parkID, nil
}

// placement checks the enterprise and branch of a workshop for a caller
// managing in sc. The workshop must lie in the caller's scope: through
// its enterprise, or through a branch of theirs that covers the
// enterprise or lies in its park (a secretary records their own
// workshop). An enterprise the caller cannot reach either way is
// unknown_value, exactly like an absent one.
func placement(ctx context.Context, q db.Querier, sc access.Scope, enterpriseID string, orgID *string) (enterprise, error) {
	e, ok, err := lookupEnterprise(ctx, q, sc, enterpriseID)
	if err != nil {
		return e, err
	}
	var known, related bool
	if ok && orgID != nil {
		if known, related, err = checkOrg(ctx, q, sc, *orgID, e); err != nil {
			return e, err
		}
	}
	var fs apperr.Fields
	if !ok || (!e.inScope && !related) {
		fs.Add("enterprise_id", "unknown_value")
		if orgID != nil && !known {
			fs.Add("org_id", "unknown_value")
		}
		return e, fs.Err()
	}
	if orgID != nil && !known {
		fs.Add("org_id", "unknown_value")
	} else if orgID != nil && !related {
		fs.Add("org_id", "unrelated_org")
	}
	return e, fs.Err()
}

// checkMembers verifies that every id names a person the caller may
// manage (unknown_value) working at the enterprise (not_of_enterprise).
func checkMembers(ctx context.Context, q db.Querier, sc access.Scope, e enterprise, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	var a db.Args
	where := sc.Where(&a, access.ByZone("zone_id"), access.ByNode("enterprise_id"), access.ByNode("org_id"))
	rows, err := q.QueryContext(ctx, `SELECT id, enterprise_id FROM people WHERE id IN (`+a.In(ids)+`) AND zone_id = `+a.Add(e.zoneID)+` AND `+where, a...)
	if err != nil {
		return err
	}
	defer rows.Close()
	at := map[string]string{}
	for rows.Next() {
		var id string
		var ent sql.NullString
		if err := rows.Scan(&id, &ent); err != nil {
			return err
		}
		at[id] = ent.String
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var unknown, elsewhere bool
	for _, id := range ids {
		ent, ok := at[id]
		unknown = unknown || !ok
		elsewhere = elsewhere || (ok && ent != e.id)
	}
	var fs apperr.Fields
	if unknown {
		fs.Add("member_ids", "unknown_value")
	}
	if elsewhere {
		fs.Add("member_ids", "not_of_enterprise")
	}
	return fs.Err()
}

func nodeOf(w Workshop) string { return w.EnterpriseID }

// Input is what creating a workshop takes.
type Input struct {
	EnterpriseID string
	OrgID        string // "" for none yet
	Name         string
	MemberIDs    []string
}

// Create creates a red workshop of an enterprise. Callers need
// workshop.manage over the enterprise, or over a branch (org_id) that
// covers the enterprise or lies in its park. Members must be people of
// the enterprise the caller may manage. Returns EVALIDATION, EFORBIDDEN.
func (s *Service) Create(ctx context.Context, in Input) (Workshop, error) {
	sc := access.From(ctx).Scope(Manage)
	if sc.Empty() {
		return Workshop{}, apperr.New(apperr.Forbidden, "")
	}
	var fs apperr.Fields
	valid.Name(&fs, "name", &in.Name, 100)
	in.MemberIDs = valid.UniqueIDs(&fs, "member_ids", in.MemberIDs, MaxMembers)
	if in.EnterpriseID == "" {
		fs.Add("enterprise_id", "required")
	}
	if err := fs.Err(); err != nil {
		return Workshop{}, err
	}
	var org *string
	if in.OrgID != "" {
		org = &in.OrgID
	}
	var w Workshop
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		e, err := placement(ctx, tx, sc, in.EnterpriseID, org)
		if err != nil {
			return err
		}
		if err := checkMembers(ctx, tx, sc, e, in.MemberIDs); err != nil {
			return err
		}
		w = Workshop{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: e.zoneID, EnterpriseID: e.id, OrgID: org, Name: in.Name,
			MemberIDs: db.Sorted(in.MemberIDs), MemberCount: len(in.MemberIDs), Outputs: []Output{}, Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
		if err := tx.QueryRowContext(ctx, `SELECT name FROM enterprises WHERE id = $1`, e.id).Scan(&w.EnterpriseName); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO workshops (id, zone_id, enterprise_id, org_id, name, search_key, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)`, w.ID, w.ZoneID, w.EnterpriseID, org, w.Name, search.Key(w.Name), db.Micros(tx.Now)); err != nil {
			return err
		}
		if err := memberLinks.Set(ctx, tx, w.ID, w.ZoneID, w.MemberIDs, nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: w.ZoneID, Node: nodeOf(w), Entity: "workshop", EntityID: w.ID, Action: "create",
			Summary: map[string]any{"name": w.Name, "enterprise_id": w.EnterpriseID, "org_id": org, "member_ids": w.MemberIDs}})
	})
	return w, err
}

// Patch is a partial update; nil fields stay as they are. SetOrg with a
// nil OrgID removes the branch. MemberIDs, when not nil, replaces the
// members. The enterprise never changes.
type Patch struct {
	Name      *string
	SetOrg    bool
	OrgID     *string
	MemberIDs *[]string
}

// Update applies patch. Callers need workshop.manage over the workshop
// (through its enterprise or its branch); it must satisfy match. A new
// branch and new members are checked as on Create; members already there
// stay without a check (a secretary may keep workers they cannot see).
// Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION, EVALIDATION.
func (s *Service) Update(ctx context.Context, id string, patch Patch, match etag.Match) (Workshop, error) {
	var fs apperr.Fields
	if patch.Name != nil {
		valid.Name(&fs, "name", patch.Name, 100)
	}
	if patch.MemberIDs != nil {
		ids := valid.UniqueIDs(&fs, "member_ids", *patch.MemberIDs, MaxMembers)
		patch.MemberIDs = &ids
	}
	var w Workshop
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := get(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		sc := access.From(ctx).Scope(Manage)
		w = old
		changes := map[string]any{}
		if patch.Name != nil && *patch.Name != old.Name {
			changes["name"] = audit.Change{From: old.Name, To: *patch.Name}
			w.Name = *patch.Name
		}
		if patch.SetOrg && deref(patch.OrgID) != deref(old.OrgID) {
			if patch.OrgID != nil {
				e, ok, err := lookupEnterprise(ctx, tx, sc, old.EnterpriseID)
				if err != nil {
					return err
				}
				known, related := false, false
				if ok {
					if known, related, err = checkOrg(ctx, tx, sc, *patch.OrgID, e); err != nil {
						return err
					}
				}
				if !known {
					return apperr.Field("org_id", "unknown_value")
				}
				if !related {
					return apperr.Field("org_id", "unrelated_org")
				}
			}
			changes["org_id"] = audit.Change{From: old.OrgID, To: patch.OrgID}
			w.OrgID = patch.OrgID
		}
		var add, remove []string
		if patch.MemberIDs != nil {
			add, remove = db.Diff(old.MemberIDs, *patch.MemberIDs)
			e := enterprise{id: old.EnterpriseID, zoneID: old.ZoneID}
			if err := checkMembers(ctx, tx, sc, e, add); err != nil {
				return err
			}
			if len(add)+len(remove) > 0 {
				changes["member_ids"] = map[string]any{"added": add, "removed": remove}
				w.MemberIDs = db.Sorted(*patch.MemberIDs)
				w.MemberCount = len(w.MemberIDs)
			}
		}
		if len(changes) == 0 {
			return nil
		}
		if err := bump(ctx, tx, &w, old.Version); err != nil {
			return err
		}
		if err := memberLinks.Set(ctx, tx, w.ID, w.ZoneID, add, remove); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: w.ZoneID, Node: nodeOf(w), Entity: "workshop", EntityID: w.ID, Action: "update", Summary: changes})
	})
	return w, err
}

// bump writes w's row as a new version after old.
func bump(ctx context.Context, tx *db.Tx, w *Workshop, old int) error {
	w.Version, w.UpdatedAt = old+1, tx.Now
	res, err := tx.ExecContext(ctx, `UPDATE workshops SET name = $1, org_id = $2, search_key = $3, version = $4, updated_at = $5
		WHERE id = $6 AND version = $7`, w.Name, w.OrgID, search.Key(w.Name), w.Version, db.Micros(tx.Now), w.ID, old)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.PreconditionFailed, "problem.stale_version", "Version", old)
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

var monthPattern = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// validMonth checks a YYYY-MM month that is not after the current month
// in China.
func validMonth(fs *apperr.Fields, month string, now time.Time) {
	switch {
	case !monthPattern.MatchString(month):
		fs.Add("month", "invalid_format")
	case month > now.In(chinaTime).Format("2006-01"):
		fs.Add("month", "future_month")
	}
}

// SetOutput records the output value of one month (replacing what was
// there) and makes a new version of the workshop. Callers need
// workshop.manage over it; it must satisfy match. month is YYYY-MM, not
// after this month; fen 0..MaxOutputFen. Returns ENOTFOUND, EFORBIDDEN,
// EPRECONDITION, EVALIDATION.
func (s *Service) SetOutput(ctx context.Context, id, month string, fen *int64, match etag.Match) (Workshop, error) {
	var w Workshop
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := get(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		var fs apperr.Fields
		validMonth(&fs, month, tx.Now)
		switch {
		case fen == nil:
			fs.Add("output_fen", "required")
		case *fen < 0 || *fen > MaxOutputFen:
			fs.Add("output_fen", "out_of_range", "Min", 0, "Max", MaxOutputFen)
		}
		if err := fs.Err(); err != nil {
			return err
		}
		w = old
		i := slices.IndexFunc(w.Outputs, func(o Output) bool { return o.Month == month })
		var from any
		if i >= 0 {
			if w.Outputs[i].OutputFen == *fen {
				return nil
			}
			from = w.Outputs[i].OutputFen
			w.Outputs = slices.Clone(w.Outputs)
			w.Outputs[i].OutputFen = *fen
			_, err = tx.ExecContext(ctx, `UPDATE workshop_outputs SET output_fen = $1 WHERE workshop_id = $2 AND month = $3`, *fen, id, month)
		} else {
			w.Outputs = append(slices.Clone(w.Outputs), Output{Month: month, OutputFen: *fen})
			slices.SortFunc(w.Outputs, func(a, b Output) int { return strings.Compare(a.Month, b.Month) })
			_, err = tx.ExecContext(ctx, `INSERT INTO workshop_outputs (workshop_id, zone_id, month, output_fen) VALUES ($1, $2, $3, $4)`, id, w.ZoneID, month, *fen)
		}
		if err != nil {
			return err
		}
		if err := bump(ctx, tx, &w, old.Version); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: w.ZoneID, Node: nodeOf(w), Entity: "workshop", EntityID: w.ID, Action: "set_output",
			Summary: map[string]any{"month": month, "output_fen": audit.Change{From: from, To: *fen}}})
	})
	return w, err
}

// DeleteOutput removes the output value of one month and makes a new
// version of the workshop. Callers need workshop.manage over it; it must
// satisfy match. Returns ENOTFOUND (also when the month has no value),
// EFORBIDDEN, EPRECONDITION, EVALIDATION (a malformed month).
func (s *Service) DeleteOutput(ctx context.Context, id, month string, match etag.Match) (Workshop, error) {
	var w Workshop
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := get(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if !monthPattern.MatchString(month) {
			return apperr.Field("month", "invalid_format")
		}
		i := slices.IndexFunc(old.Outputs, func(o Output) bool { return o.Month == month })
		if i < 0 {
			return apperr.New(apperr.NotFound, "problem.workshop_no_output", "Month", month)
		}
		w = old
		w.Outputs = slices.Delete(slices.Clone(old.Outputs), i, i+1)
		if _, err := tx.ExecContext(ctx, `DELETE FROM workshop_outputs WHERE workshop_id = $1 AND month = $2`, id, month); err != nil {
			return err
		}
		if err := bump(ctx, tx, &w, old.Version); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: w.ZoneID, Node: nodeOf(w), Entity: "workshop", EntityID: w.ID, Action: "delete_output",
			Summary: map[string]any{"month": month, "output_fen": old.Outputs[i].OutputFen}})
	})
	return w, err
}

// Delete deletes a workshop with its members (the people stay) and its
// output series. Callers need workshop.manage over it; it must satisfy
// match. Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION.
func (s *Service) Delete(ctx context.Context, id string, match etag.Match) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := get(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: nodeOf(old), Entity: "workshop", EntityID: id, Action: "delete",
			Summary: map[string]any{"name": old.Name, "enterprise_id": old.EnterpriseID, "org_id": old.OrgID, "member_ids": old.MemberIDs,
				"outputs": old.Outputs}}); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM workshop_members WHERE workshop_id = $1`, `DELETE FROM workshop_outputs WHERE workshop_id = $1`,
			`DELETE FROM workshops WHERE id = $1`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return nil
	})
}
