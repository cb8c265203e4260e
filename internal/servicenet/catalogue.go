package servicenet

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/etag"
	"tongxin/internal/valid"
)

// Functions are the four functions of the 3.14π matrix a service serves.
var Functions = []string{"political", "development", "governance", "service"}

// MaxSLAHours bounds a service's deadline (a year).
const MaxSLAHours = 8760

// CatalogueEntry is one service of a zone's catalogue.
type CatalogueEntry struct {
	ZoneID    string    `json:"zone_id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Category  string    `json:"category"`
	Function  string    `json:"function"`
	SLAHours  int       `json:"sla_hours"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// DefaultCatalogue is what a zone's catalogue starts as (PRODUCT.md,
// Pillar 3): the services of a neighbourhood centre and its points. Names
// are the zone's data (Chinese, as the zone edits them), not interface words.
var DefaultCatalogue = []CatalogueEntry{
	{Code: "party_mass", Name: "党群服务", Category: "党群", Function: "political", SLAHours: 72},
	{Code: "legal_aid", Name: "职工法律服务", Category: "法律", Function: "governance", SLAHours: 72},
	{Code: "grid_work", Name: "网格事务", Category: "网格", Function: "governance", SLAHours: 48},
	{Code: "property", Name: "物业管理", Category: "物业", Function: "governance", SLAHours: 24},
	{Code: "childcare", Name: "托育与入学", Category: "教育", Function: "service", SLAHours: 120},
	{Code: "medical", Name: "医疗健康", Category: "医疗", Function: "service", SLAHours: 24},
	{Code: "daily_life", Name: "生活服务", Category: "生活", Function: "service", SLAHours: 48},
	{Code: "culture_sports", Name: "文化体育", Category: "文体", Function: "service", SLAHours: 72},
	{Code: "errands", Name: "便民代办", Category: "便民", Function: "service", SLAHours: 24},
	{Code: "employment", Name: "就业服务", Category: "就业", Function: "development", SLAHours: 72},
}

var codePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)

// seedCatalogue writes the default catalogue of zone once, in tx: later
// calls find the zone marked and do nothing, so a service the zone deleted
// stays deleted.
func seedCatalogue(ctx context.Context, tx *db.Tx, zoneID string) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO service_catalogues (zone_id, seeded_at) VALUES ($1, $2) ON CONFLICT (zone_id) DO NOTHING`,
		zoneID, db.Micros(tx.Now))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	for _, e := range DefaultCatalogue {
		if _, err := tx.ExecContext(ctx, `INSERT INTO services (zone_id, code, name, category, function, sla_hours, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) ON CONFLICT (zone_id, code) DO NOTHING`,
			zoneID, e.Code, e.Name, e.Category, e.Function, e.SLAHours, db.Micros(tx.Now)); err != nil {
			return err
		}
	}
	return nil
}

// ensureCatalogue seeds the zone's catalogue when it has never been
// seeded: a read first, so that reading a seeded catalogue never writes.
func (s *Service) ensureCatalogue(ctx context.Context, zoneID string) error {
	var one int
	err := s.DB.R.QueryRowContext(ctx, `SELECT 1 FROM service_catalogues WHERE zone_id = $1`, zoneID).Scan(&one)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error { return seedCatalogue(ctx, tx, zoneID) })
}

const serviceCols = `zone_id, code, name, category, function, sla_hours, version, created_at, updated_at`

func scanService(s db.Scanner) (CatalogueEntry, error) {
	var e CatalogueEntry
	err := s.Scan(&e.ZoneID, &e.Code, &e.Name, &e.Category, &e.Function, &e.SLAHours, &e.Version, db.T(&e.CreatedAt), db.T(&e.UpdatedAt))
	return e, err
}

// zoneFor is the zone a catalogue call names, or the caller's only zone
// when it names none. A zone the caller has no grant in is ENOTFOUND.
func zoneFor(ctx context.Context, zoneID string) (string, error) {
	p := access.From(ctx)
	if p == nil {
		return "", apperr.New(apperr.Unauthorized, "")
	}
	if zoneID == "" {
		z, ok := zoneOfGrants(p)
		if !ok {
			return "", apperr.Field("zone_id", "required")
		}
		return z, nil
	}
	if p.IsPlatformAdmin() || zoneID == p.ZoneID {
		return zoneID, nil
	}
	for _, g := range p.Grants {
		if access.ZoneOfPath(g.Path) == zoneID {
			return zoneID, nil
		}
	}
	return "", apperr.Field("zone_id", "unknown_value")
}

// zoneOfGrants is the one zone all of p's grants lie in; for an account
// without grants (a worker signed in on the phone), its home zone.
func zoneOfGrants(p *access.Principal) (string, bool) {
	if len(p.Grants) == 0 {
		return p.ZoneID, p.ZoneID != ""
	}
	zone := ""
	for _, g := range p.Grants {
		z := access.ZoneOfPath(g.Path)
		if z == "" || (zone != "" && z != zone) {
			return "", false
		}
		zone = z
	}
	return zone, zone != ""
}

// Catalogue lists the services of a zone (zoneID, or the caller's only
// zone), by code. Any signed-in caller with a grant in the zone may read
// it. Returns EVALIDATION (zone_id missing or unknown).
func (s *Service) Catalogue(ctx context.Context, zoneID string) ([]CatalogueEntry, error) {
	zoneID, err := zoneFor(ctx, zoneID)
	if err != nil {
		return nil, err
	}
	if err := s.checkZone(ctx, zoneID); err != nil {
		return nil, err
	}
	return s.catalogueOf(ctx, zoneID)
}

// checkZone refuses a zone id that names no zone (a platform
// administrator may name any string).
func (s *Service) checkZone(ctx context.Context, zoneID string) error {
	var one int
	err := s.DB.R.QueryRowContext(ctx, `SELECT 1 FROM zones WHERE id = $1`, zoneID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Field("zone_id", "unknown_value")
	}
	return err
}

// catalogueOf is the zone's catalogue, seeded on first use; no scope check.
func (s *Service) catalogueOf(ctx context.Context, zoneID string) ([]CatalogueEntry, error) {
	if err := s.ensureCatalogue(ctx, zoneID); err != nil {
		return nil, err
	}
	out := []CatalogueEntry{}
	err := db.Each(ctx, s.DB.R, `SELECT `+serviceCols+` FROM services WHERE zone_id = $1 ORDER BY code`, db.Args{zoneID}, func(r db.Scanner) error {
		e, err := scanService(r)
		out = append(out, e)
		return err
	})
	return out, err
}

// serviceOf reads one service of a zone; an unknown code is EVALIDATION on
// field.
func serviceOf(ctx context.Context, q db.Querier, zoneID, code, field string) (CatalogueEntry, error) {
	e, err := scanService(q.QueryRowContext(ctx, `SELECT `+serviceCols+` FROM services WHERE zone_id = $1 AND code = $2`, zoneID, code))
	if errors.Is(err, sql.ErrNoRows) {
		return e, apperr.Field(field, "unknown_value")
	}
	return e, err
}

// ServiceInput is a new catalogue entry.
type ServiceInput struct {
	ZoneID, Code, Name, Category, Function string
	SLAHours                               int
}

func checkEntry(fs *apperr.Fields, name, category, function *string, sla *int) {
	if name != nil {
		valid.Name(fs, "name", name, 100)
	}
	if category != nil {
		valid.Name(fs, "category", category, 50)
	}
	if function != nil && !oneOf(*function, Functions) {
		fs.Add("function", "unknown_value")
	}
	if sla != nil && (*sla < 1 || *sla > MaxSLAHours) {
		fs.Add("sla_hours", "out_of_range", "Min", 1, "Max", MaxSLAHours)
	}
}

func oneOf(s string, set []string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

// manageZone checks that the caller may edit zoneID's catalogue (given,
// or their only zone): EFORBIDDEN without the permission anywhere,
// ENOTFOUND for a zone outside it.
func manageZone(ctx context.Context, perm access.Perm, zoneID string) (string, error) {
	sc := access.From(ctx).Scope(perm)
	if sc.Empty() {
		return "", apperr.New(apperr.Forbidden, "")
	}
	if zoneID == "" {
		z, ok := sc.SingleZone()
		if !ok {
			return "", apperr.Field("zone_id", "required")
		}
		zoneID = z
	}
	if !sc.CoversZone(zoneID) {
		return "", apperr.Field("zone_id", "unknown_value")
	}
	return zoneID, nil
}

// CreateService adds a service to a zone's catalogue. Callers need
// service.manage over the whole zone. Returns EFORBIDDEN, EVALIDATION,
// ECONFLICT (code taken in the zone).
func (s *Service) CreateService(ctx context.Context, in ServiceInput) (CatalogueEntry, error) {
	zoneID, err := manageZone(ctx, CatalogueManage, in.ZoneID)
	if err != nil {
		return CatalogueEntry{}, err
	}
	var fs apperr.Fields
	if !codePattern.MatchString(in.Code) {
		fs.Add("code", "invalid_format")
	}
	checkEntry(&fs, &in.Name, &in.Category, &in.Function, &in.SLAHours)
	if err := fs.Err(); err != nil {
		return CatalogueEntry{}, err
	}
	if err := s.checkZone(ctx, zoneID); err != nil {
		return CatalogueEntry{}, err
	}
	e := CatalogueEntry{ZoneID: zoneID, Code: in.Code, Name: in.Name, Category: in.Category, Function: in.Function, SLAHours: in.SLAHours, Version: 1}
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := seedCatalogue(ctx, tx, zoneID); err != nil {
			return err
		}
		e.CreatedAt, e.UpdatedAt = tx.Now, tx.Now
		_, err := tx.ExecContext(ctx, `INSERT INTO services (zone_id, code, name, category, function, sla_hours, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)`, zoneID, e.Code, e.Name, e.Category, e.Function, e.SLAHours, db.Micros(tx.Now))
		if db.IsUnique(err) {
			return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.service_code_taken", Params: map[string]any{"Code": e.Code},
				Fields: []apperr.FieldError{{Field: "code", Code: "taken"}}}
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: zoneID, Entity: "service", EntityID: e.Code, Action: "create",
			Summary: map[string]any{"name": e.Name, "function": e.Function, "sla_hours": e.SLAHours}})
	})
	return e, err
}

// ServicePatch changes a catalogue entry; nil fields stay.
type ServicePatch struct {
	Name, Category, Function *string
	SLAHours                 *int
}

// oneService reads the entry code of a zone the caller manages: zoneID,
// or the one zone of their scope holding that code. Returns ENOTFOUND,
// EFORBIDDEN, EVALIDATION (zone_id needed to tell zones apart).
func oneService(ctx context.Context, q db.Querier, zoneID, code string) (CatalogueEntry, error) {
	sc := access.From(ctx).Scope(CatalogueManage)
	if sc.Empty() {
		return CatalogueEntry{}, apperr.New(apperr.Forbidden, "")
	}
	var a db.Args
	where := "code = " + a.Add(code) + " AND " + sc.Where(&a, access.ByZone("zone_id"))
	if zoneID != "" {
		where += " AND zone_id = " + a.Add(zoneID)
	}
	var found []CatalogueEntry
	err := db.Each(ctx, q, `SELECT `+serviceCols+` FROM services WHERE `+where+` LIMIT 2`, a, func(r db.Scanner) error {
		e, err := scanService(r)
		found = append(found, e)
		return err
	})
	switch {
	case err != nil:
		return CatalogueEntry{}, err
	case len(found) == 0:
		return CatalogueEntry{}, apperr.New(apperr.NotFound, "")
	case len(found) > 1:
		return CatalogueEntry{}, apperr.Field("zone_id", "required")
	}
	return found[0], nil
}

// UpdateService changes an entry. A new sla_hours applies to requests
// filed from then on. Callers need service.manage over the zone. Returns
// ENOTFOUND, EFORBIDDEN, EPRECONDITION, EVALIDATION.
func (s *Service) UpdateService(ctx context.Context, zoneID, code string, p ServicePatch, match etag.Match) (CatalogueEntry, error) {
	var fs apperr.Fields
	checkEntry(&fs, p.Name, p.Category, p.Function, p.SLAHours)
	var e CatalogueEntry
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := oneService(ctx, tx, zoneID, code)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		e = old
		changes := map[string]any{}
		set := func(field string, dst *string, v *string) {
			if v != nil && *v != *dst {
				changes[field] = audit.Change{From: *dst, To: *v}
				*dst = *v
			}
		}
		set("name", &e.Name, p.Name)
		set("category", &e.Category, p.Category)
		set("function", &e.Function, p.Function)
		if p.SLAHours != nil && *p.SLAHours != e.SLAHours {
			changes["sla_hours"] = audit.Change{From: e.SLAHours, To: *p.SLAHours}
			e.SLAHours = *p.SLAHours
		}
		if len(changes) == 0 {
			return nil
		}
		e.Version, e.UpdatedAt = old.Version+1, tx.Now
		res, err := tx.ExecContext(ctx, `UPDATE services SET name = $1, category = $2, function = $3, sla_hours = $4, version = $5, updated_at = $6
			WHERE zone_id = $7 AND code = $8 AND version = $9`, e.Name, e.Category, e.Function, e.SLAHours, e.Version, db.Micros(tx.Now),
			e.ZoneID, e.Code, old.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.PreconditionFailed, "problem.stale_version", "Version", old.Version)
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: e.ZoneID, Entity: "service", EntityID: e.Code, Action: "update", Summary: changes})
	})
	return e, err
}

// DeleteService removes an entry no point offers and no request names.
// Callers need service.manage over the zone. Returns ENOTFOUND,
// EFORBIDDEN, EPRECONDITION, ECONFLICT (in use).
func (s *Service) DeleteService(ctx context.Context, zoneID, code string, match etag.Match) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := oneService(ctx, tx, zoneID, code)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		var used int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM service_point_services WHERE zone_id = $1 AND service_code = $2) +
			(SELECT COUNT(*) FROM service_requests WHERE zone_id = $1 AND service_code = $2)`, old.ZoneID, code).Scan(&used); err != nil {
			return err
		}
		if used > 0 {
			return apperr.New(apperr.Conflict, "problem.service_in_use")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM services WHERE zone_id = $1 AND code = $2`, old.ZoneID, code); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Entity: "service", EntityID: code, Action: "delete",
			Summary: map[string]any{"name": old.Name}})
	})
}
