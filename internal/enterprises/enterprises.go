package enterprises

import (
	"context"
	"database/sql"
	"embed"
	"io/fs"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/etag"
	"tongxin/internal/geo"
	"tongxin/internal/i18n"
	"tongxin/internal/ident"
	"tongxin/internal/nodes"
	"tongxin/internal/page"
	"tongxin/internal/search"
	"tongxin/internal/valid"
)

// Permissions of this domain.
var (
	// Read lets a caller see enterprises: every role, within its grants (a
	// partner granted on an enterprise sees that one).
	Read = access.NewPerm("enterprise.read", access.Everyone()...)
	// Manage lets a caller create, change, move and delete enterprises: the
	// zone's administrators, and a park's administrators in their park.
	Manage = access.NewPerm("enterprise.manage", access.ZoneAdmin, access.ParkAdmin)
)

//go:embed locales/*.json
var locales embed.FS

// Locales holds this domain's messages.
func Locales() fs.FS { return i18n.Dir(locales) }

// Service holds the enterprise operations and the coverage report.
type Service struct{ DB *db.DB }

// Limits of the fields.
const (
	MaxName      = 100
	MaxIndustry  = 50
	MaxAddress   = 200
	MaxHeadcount = 1_000_000
)

// Location is a point in WGS 84 degrees.
type Location = geo.Point

// Enterprise is an enterprise of a park.
type Enterprise struct {
	ID       string    `json:"id"`
	ZoneID   string    `json:"zone_id"`
	ParkID   string    `json:"park_id"`
	ParkName string    `json:"park_name"`
	Name     string    `json:"name"`
	USCC     string    `json:"uscc"`
	Industry string    `json:"industry"`
	Address  string    `json:"address"`
	Location *Location `json:"location"`
	// Employees and RDStaff are headcounts (R&D staff among the employees).
	Employees        int    `json:"employees"`
	RDStaff          int    `json:"rd_staff"`
	MonthlyOutputFen *int64 `json:"monthly_output_fen"`
	// Sample marks generated demo rows.
	Sample bool `json:"sample"`
	// HasPartyOrg is true when a party organisation covers the enterprise.
	HasPartyOrg bool      `json:"has_party_org"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// from is an enterprise with its park's name: a join rather than a
// scalar subquery per row, which SQLite runs with a cursor opened and
// closed for each (a sixth of a park's page alone on the zone database).
// Whether a party organisation covers the enterprise is a count kept on
// its row (migration 0400) for the same reason.
const from = `(SELECT e.*, p.name AS park_name FROM enterprises e JOIN parks p ON p.id = e.park_id) enterprises`

const cols = `id, zone_id, park_id, park_name, name, uscc, industry, address,
	lat, lng, employees, rd_staff, monthly_output_fen, sample, party_orgs > 0,
	version, created_at, updated_at`

// scanned is a row of cols as scan reads it: one allocation for the
// enterprise and the nullable columns its pointers then share.
type scanned struct {
	e        Enterprise
	lat, lng sql.NullFloat64
	output   sql.NullInt64
}

func scan(s page.Scanner) (Enterprise, error) {
	x := new(scanned)
	e := &x.e
	err := s.Scan(&e.ID, &e.ZoneID, &e.ParkID, &e.ParkName, &e.Name, &e.USCC, &e.Industry, &e.Address,
		&x.lat, &x.lng, &e.Employees, &e.RDStaff, &x.output, &e.Sample, &e.HasPartyOrg,
		&e.Version, db.T(&e.CreatedAt), db.T(&e.UpdatedAt))
	e.Location = geo.FromColumns(x.lat, x.lng)
	if x.output.Valid {
		e.MonthlyOutputFen = &x.output.Int64
	}
	return *e, err
}

// attach: an enterprise is its own scope node, under its park, in its
// zone; a grant on the park (or the enterprise) covers it.
var attach = []access.Attach{access.ByZone("zone_id"), access.ByNode("id")}

// Filter narrows List. HasPartyOrg nil means either.
type Filter struct {
	ParkID      string
	Industry    string
	USCC        string
	HasPartyOrg *bool
}

// List lists the enterprises in the caller's enterprise.read scope, oldest
// first. q matches name, USCC, industry and address, and the name in
// pinyin or its initials.
func (s *Service) List(ctx context.Context, f Filter, p page.Page) (page.List[Enterprise], error) {
	var a db.Args
	where, err := f.where(ctx, s.DB.R, p.Query, &a)
	if err != nil {
		return page.List[Enterprise]{}, err
	}
	return page.Rows(ctx, s.DB.R, p, page.Query{From: from, Cols: cols, Where: where, Args: a}, scan,
		page.ByID(func(e Enterprise) string { return e.ID }))
}

// where is the predicate of the enterprises in the caller's
// enterprise.read scope matching f and q (List and Export share it).
func (f Filter) where(ctx context.Context, dbq db.Querier, q string, a *db.Args) (string, error) {
	where := access.From(ctx).Scope(Read).Where(a, attach...)
	if f.ParkID != "" {
		where += " AND park_id = " + a.Add(f.ParkID)
	}
	if f.Industry != "" {
		where += " AND industry = " + a.Add(f.Industry)
	}
	if f.USCC != "" {
		where += " AND uscc = " + a.Add(ident.NormalizeUSCC(f.USCC))
	}
	if f.HasPartyOrg != nil {
		has := " AND party_orgs = 0"
		if *f.HasPartyOrg {
			has = " AND party_orgs > 0"
		}
		where += has
	}
	if q != "" {
		m, err := search.Match(ctx, dbq, "enterprises", "id", "search_key", q, a)
		if err != nil {
			return "", err
		}
		where += " AND " + m
	}
	return where, nil
}

// table reads enterprises in the caller's scope.
var table = page.Table[Enterprise]{From: from, Cols: cols, Attach: page.Attached(attach...), Scan: scan}

// get returns the enterprise with id when it lies in the caller's scope for
// perm. When it does not but the caller may read it, the answer is
// EFORBIDDEN; when the caller may not even read it, ENOTFOUND.
func get(ctx context.Context, q db.Querier, perm access.Perm, id string) (Enterprise, error) {
	return table.One(ctx, q, perm, Read, id)
}

// Get returns an enterprise in the caller's scope. Returns ENOTFOUND
// otherwise.
func (s *Service) Get(ctx context.Context, id string) (Enterprise, error) {
	return get(ctx, s.DB.R, Read, id)
}

// Input is what creating an enterprise takes.
type Input struct {
	ZoneID           string
	ParkID           string
	Name             string
	USCC             string
	Industry         string
	Address          string
	Location         *Location
	Employees        int
	RDStaff          int
	MonthlyOutputFen *int64
	// Sample marks generated demo rows (the demo loader only).
	Sample bool
}

// validate checks and normalises in (trimmed texts, upper-case USCC).
func (in *Input) validate(fs *apperr.Fields) {
	valid.Name(fs, "name", &in.Name, MaxName)
	checkUSCC(fs, &in.USCC)
	if strings.TrimSpace(in.ParkID) == "" {
		fs.Add("park_id", "required")
	}
	in.Industry = strings.TrimSpace(in.Industry)
	valid.Text(fs, "industry", in.Industry, MaxIndustry)
	in.Address = strings.TrimSpace(in.Address)
	valid.Text(fs, "address", in.Address, MaxAddress)
	geo.Check(fs, in.Location)
	checkHeadcount(fs, "employees", in.Employees)
	checkHeadcount(fs, "rd_staff", in.RDStaff)
	checkRDStaff(fs, in.Employees, in.RDStaff)
	checkOutput(fs, in.MonthlyOutputFen)
}

// checkUSCC normalises *s and says what is wrong with it: required, or
// the ident.USCCError code (length, charset, check_digit).
func checkUSCC(fs *apperr.Fields, s *string) {
	*s = ident.NormalizeUSCC(*s)
	if *s == "" {
		fs.Add("uscc", "required")
		return
	}
	switch code := ident.USCCError(*s); code {
	case "":
	case "length":
		fs.Add("uscc", "length", "Want", 18, "Got", utf8.RuneCountInString(*s))
	default:
		fs.Add("uscc", code)
	}
}

func checkHeadcount(fs *apperr.Fields, field string, n int) {
	if n < 0 || n > MaxHeadcount {
		fs.Add(field, "out_of_range", "Min", 0, "Max", MaxHeadcount)
	}
}

func checkRDStaff(fs *apperr.Fields, employees, rd int) {
	if rd > employees && rd <= MaxHeadcount && employees >= 0 {
		fs.Add("rd_staff", "exceeds_employees", "Employees", employees)
	}
}

func checkOutput(fs *apperr.Fields, fen *int64) {
	if fen != nil && *fen < 0 {
		fs.Add("monthly_output_fen", "negative")
	}
}

// parkIn returns the zone of park id when it is a park the caller holds
// perm over (a park administrator only their park). An unknown park and
// one out of scope look the same: ok is false.
func parkIn(ctx context.Context, q db.Querier, sc access.Scope, id string) (zoneID string, ok bool, err error) {
	n, err := nodes.Get(ctx, q, id)
	if apperr.Is(err, apperr.NotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	if n.Kind != access.KindPark || !sc.Covers(n.Path) {
		return "", false, nil
	}
	return n.ZoneID, true, nil
}

// Create creates an enterprise in a park. Callers need enterprise.manage
// over the park (zone_admin, or park_admin of that park). zone_id may be
// omitted: the park names its zone. Returns EVALIDATION (an unknown park
// and one out of the caller's scope look the same), ECONFLICT (USCC taken
// in the zone), EFORBIDDEN.
func (s *Service) Create(ctx context.Context, in Input) (Enterprise, error) {
	sc := access.From(ctx).Scope(Manage)
	if sc.Empty() {
		return Enterprise{}, apperr.New(apperr.Forbidden, "")
	}
	in.Sample = false
	var fs apperr.Fields
	in.validate(&fs)
	var e Enterprise
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		if in.ParkID != "" {
			zone, ok, err := parkIn(ctx, tx, sc, in.ParkID)
			switch {
			case err != nil:
				return err
			case !ok:
				fs.Add("park_id", "unknown_value")
			case in.ZoneID != "" && in.ZoneID != zone:
				fs.Add("zone_id", "unknown_value")
			default:
				in.ZoneID = zone
			}
		}
		if err := fs.Err(); err != nil {
			return err
		}
		var err error
		e, err = Add(ctx, tx, in)
		return err
	})
	return e, err
}

// Add inserts an enterprise with its scope node and audit entry inside tx.
// It checks no permission: Create does that for callers, and the demo
// loader and tools hold the database. zone_id may be "" (the park's).
// Returns EVALIDATION for a bad field or an unknown park, ECONFLICT when
// the USCC is taken in the zone.
func Add(ctx context.Context, tx *db.Tx, in Input) (Enterprise, error) {
	var fs apperr.Fields
	in.validate(&fs)
	if err := fs.Err(); err != nil {
		return Enterprise{}, err
	}
	park, err := nodes.Get(ctx, tx, in.ParkID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && (park.Kind != access.KindPark || (in.ZoneID != "" && park.ZoneID != in.ZoneID))) {
		return Enterprise{}, apperr.Field("park_id", "unknown_value")
	}
	if err != nil {
		return Enterprise{}, err
	}
	e := Enterprise{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: park.ZoneID, ParkID: park.ID, ParkName: park.Name,
		Name: in.Name, USCC: in.USCC, Industry: in.Industry, Address: in.Address, Location: in.Location,
		Employees: in.Employees, RDStaff: in.RDStaff, MonthlyOutputFen: in.MonthlyOutputFen, Sample: in.Sample,
		Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
	lat, lng := geo.Columns(e.Location)
	_, err = tx.ExecContext(ctx, `INSERT INTO enterprises (id, zone_id, park_id, name, uscc, industry, address, lat, lng,
		employees, rd_staff, monthly_output_fen, sample, search_key, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $15)`,
		e.ID, e.ZoneID, e.ParkID, e.Name, e.USCC, e.Industry, e.Address, lat, lng,
		e.Employees, e.RDStaff, output(e.MonthlyOutputFen), e.Sample, key(e), db.Micros(tx.Now))
	if db.IsUnique(err) {
		return Enterprise{}, usccTaken(e.USCC)
	}
	if err != nil {
		return Enterprise{}, err
	}
	if _, err := nodes.Insert(ctx, tx, nodes.Node{ID: e.ID, ZoneID: e.ZoneID, Kind: access.KindEnterprise,
		ParentID: e.ParkID, Name: e.Name}, "park_id"); err != nil {
		return Enterprise{}, err
	}
	return e, audit.Record(ctx, tx, audit.Event{ZoneID: e.ZoneID, Node: e.ID, Entity: "enterprise", EntityID: e.ID, Action: "create",
		Summary: map[string]any{"name": e.Name, "uscc": e.USCC, "park_id": e.ParkID}})
}

// key is the search text of an enterprise.
func key(e Enterprise) string { return search.Key(e.Name, e.USCC, e.Industry, e.Address) }

func output(fen *int64) sql.NullInt64 {
	if fen == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *fen, Valid: true}
}

func usccTaken(uscc string) error {
	return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.enterprise_uscc_taken", Params: map[string]any{"USCC": uscc},
		Fields: []apperr.FieldError{{Field: "uscc", Code: "taken"}}}
}

// Nullable is a patch field that may be set to null: Set says whether the
// request named it, Value is nil for null.
type Nullable[T any] struct {
	Set   bool
	Value *T
}

// Patch is a partial update; nil (or unset) fields stay as they are.
type Patch struct {
	ParkID           *string
	Name             *string
	USCC             *string
	Industry         *string
	Address          *string
	Location         Nullable[Location]
	Employees        *int
	RDStaff          *int
	MonthlyOutputFen Nullable[int64]
}

// validate checks and normalises the fields p sets.
func (p *Patch) validate(fs *apperr.Fields) {
	if p.Name != nil {
		valid.Name(fs, "name", p.Name, MaxName)
	}
	if p.USCC != nil {
		checkUSCC(fs, p.USCC)
	}
	if p.ParkID != nil && strings.TrimSpace(*p.ParkID) == "" {
		fs.Add("park_id", "required")
	}
	if p.Industry != nil {
		*p.Industry = strings.TrimSpace(*p.Industry)
		valid.Text(fs, "industry", *p.Industry, MaxIndustry)
	}
	if p.Address != nil {
		*p.Address = strings.TrimSpace(*p.Address)
		valid.Text(fs, "address", *p.Address, MaxAddress)
	}
	geo.Check(fs, p.Location.Value)
	if p.Employees != nil {
		checkHeadcount(fs, "employees", *p.Employees)
	}
	if p.RDStaff != nil {
		checkHeadcount(fs, "rd_staff", *p.RDStaff)
	}
	checkOutput(fs, p.MonthlyOutputFen.Value)
}

// Update applies patch; a new park_id moves the enterprise (its scope node,
// the grants on it and every row attached to it) to that park. Callers
// need enterprise.manage over the enterprise and, when moving it, over the
// new park; the enterprise must satisfy match. Returns ENOTFOUND,
// EFORBIDDEN, EPRECONDITION, EVALIDATION, ECONFLICT.
func (s *Service) Update(ctx context.Context, id string, patch Patch, match etag.Match) (Enterprise, error) {
	var fs apperr.Fields
	patch.validate(&fs)
	var e Enterprise
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := get(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		e = old
		changes := map[string]any{}
		set := func(field string, from, to any, apply func()) {
			if from != to {
				changes[field] = audit.Change{From: from, To: to}
				apply()
			}
		}
		if patch.Name != nil {
			set("name", old.Name, *patch.Name, func() { e.Name = *patch.Name })
		}
		if patch.USCC != nil {
			set("uscc", old.USCC, *patch.USCC, func() { e.USCC = *patch.USCC })
		}
		if patch.Industry != nil {
			set("industry", old.Industry, *patch.Industry, func() { e.Industry = *patch.Industry })
		}
		if patch.Address != nil {
			set("address", old.Address, *patch.Address, func() { e.Address = *patch.Address })
		}
		if patch.Employees != nil {
			set("employees", old.Employees, *patch.Employees, func() { e.Employees = *patch.Employees })
		}
		if patch.RDStaff != nil {
			set("rd_staff", old.RDStaff, *patch.RDStaff, func() { e.RDStaff = *patch.RDStaff })
		}
		if patch.Location.Set && !sameLocation(old.Location, patch.Location.Value) {
			changes["location"] = audit.Change{From: old.Location, To: patch.Location.Value}
			e.Location = patch.Location.Value
		}
		if patch.MonthlyOutputFen.Set && !sameOutput(old.MonthlyOutputFen, patch.MonthlyOutputFen.Value) {
			changes["monthly_output_fen"] = audit.Change{From: old.MonthlyOutputFen, To: patch.MonthlyOutputFen.Value}
			e.MonthlyOutputFen = patch.MonthlyOutputFen.Value
		}
		if patch.Employees != nil || patch.RDStaff != nil {
			checkRDStaff(&fs, e.Employees, e.RDStaff)
		}
		if patch.ParkID != nil && *patch.ParkID != "" && *patch.ParkID != old.ParkID {
			zone, ok, err := parkIn(ctx, tx, access.From(ctx).Scope(Manage), *patch.ParkID)
			if err != nil {
				return err
			}
			if !ok || zone != old.ZoneID {
				fs.Add("park_id", "unknown_value")
			} else {
				changes["park_id"] = audit.Change{From: old.ParkID, To: *patch.ParkID}
				e.ParkID = *patch.ParkID
			}
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil
		}
		e.Version, e.UpdatedAt = old.Version+1, tx.Now
		lat, lng := geo.Columns(e.Location)
		res, err := tx.ExecContext(ctx, `UPDATE enterprises SET park_id = $1, name = $2, uscc = $3, industry = $4, address = $5,
			lat = $6, lng = $7, employees = $8, rd_staff = $9, monthly_output_fen = $10, search_key = $11, version = $12, updated_at = $13
			WHERE id = $14 AND version = $15`,
			e.ParkID, e.Name, e.USCC, e.Industry, e.Address, lat, lng, e.Employees, e.RDStaff, output(e.MonthlyOutputFen),
			key(e), e.Version, db.Micros(tx.Now), id, old.Version)
		if db.IsUnique(err) {
			return usccTaken(e.USCC)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.PreconditionFailed, "problem.stale_version", "Version", old.Version)
		}
		if e.Name != old.Name {
			if err := nodes.Rename(ctx, tx, id, e.Name); err != nil {
				return err
			}
		}
		if e.ParkID != old.ParkID {
			if _, err := nodes.Move(ctx, tx, id, e.ParkID, "park_id"); err != nil {
				return err
			}
			park, err := nodes.Get(ctx, tx, e.ParkID)
			if err != nil {
				return err
			}
			e.ParkName = park.Name
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: e.ZoneID, Node: e.ID, Entity: "enterprise", EntityID: e.ID, Action: "update", Summary: changes})
	})
	return e, err
}

func sameLocation(a, b *Location) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func sameOutput(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// Delete deletes an enterprise, its scope node and the grants on it (each
// grant removal audited). Callers need enterprise.manage over it; it must
// satisfy match. Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION, and
// ECONFLICT while people, party organisations, stations or workshops still
// refer to it.
func (s *Service) Delete(ctx context.Context, id string, match etag.Match) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := get(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		var people, orgs, stations, workshops int
		if err := tx.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM people WHERE enterprise_id = $1),
			(SELECT COUNT(*) FROM org_enterprises WHERE enterprise_id = $1),
			(SELECT COUNT(*) FROM station_enterprises WHERE enterprise_id = $1),
			(SELECT COUNT(*) FROM workshops WHERE enterprise_id = $1)`, id).Scan(&people, &orgs, &stations, &workshops); err != nil {
			return err
		}
		if people+orgs+stations+workshops > 0 {
			return apperr.New(apperr.Conflict, "problem.enterprise_in_use",
				"People", people, "Orgs", orgs, "Stations", stations, "Workshops", workshops)
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: old.ID, Entity: "enterprise", EntityID: id, Action: "delete",
			Summary: map[string]any{"name": old.Name, "uscc": old.USCC, "park_id": old.ParkID}}); err != nil {
			return err
		}
		if err := nodes.Delete(ctx, tx, id); err != nil {
			if apperr.Is(err, apperr.Conflict) {
				return apperr.New(apperr.Conflict, "problem.enterprise_referenced")
			}
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM enterprises WHERE id = $1`, id)
		if db.IsForeignKey(err) {
			return apperr.New(apperr.Conflict, "problem.enterprise_referenced")
		}
		return err
	})
}
