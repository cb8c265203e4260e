package circle

import (
	"context"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/etag"
	"tongxin/internal/geo"
	"tongxin/internal/nodes"
	"tongxin/internal/page"
	"tongxin/internal/search"
	"tongxin/internal/valid"
)

// Resource is a facility of the living circle: a hospital, a school, a
// shop of the merchants' alliance … in a park.
type Resource struct {
	ID        string    `json:"id"`
	ZoneID    string    `json:"zone_id"`
	ParkID    string    `json:"park_id"`
	Name      string    `json:"name"`
	Category  string    `json:"category"`
	Address   string    `json:"address"`
	Location  geo.Point `json:"location"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Point is a location as a client sends it: both coordinates are needed.
type Point struct{ Lat, Lng *float64 }

// checkPoint adds required / out_of_range for the coordinates of p under
// prefix ("location" → location.lat, location.lng; "" → lat, lng).
func checkPoint(fs *apperr.Fields, prefix string, p *Point) {
	name := func(f string) string {
		if prefix == "" {
			return f
		}
		return prefix + "." + f
	}
	if p == nil {
		fs.Add(prefix, "required")
		return
	}
	if p.Lat == nil {
		fs.Add(name("lat"), "required")
	} else if *p.Lat < -90 || *p.Lat > 90 {
		fs.Add(name("lat"), "out_of_range", "Min", -90, "Max", 90)
	}
	if p.Lng == nil {
		fs.Add(name("lng"), "required")
	} else if *p.Lng < -180 || *p.Lng > 180 {
		fs.Add(name("lng"), "out_of_range", "Min", -180, "Max", 180)
	}
}

const resourceCols = `id, zone_id, park_id, name, category, address, lat, lng, version, created_at, updated_at`

func scanResource(s page.Scanner) (Resource, error) {
	var r Resource
	err := s.Scan(&r.ID, &r.ZoneID, &r.ParkID, &r.Name, &r.Category, &r.Address, &r.Location.Lat, &r.Location.Lng, &r.Version,
		db.T(&r.CreatedAt), db.T(&r.UpdatedAt))
	return r, err
}

// resourceAttach: a resource hangs under its park, in its zone.
var resourceAttach = []access.Attach{access.ByZone("zone_id"), access.ByNodeOf("park_id", access.KindPark)}

var resourceTable = page.Table[Resource]{From: "resources", Cols: resourceCols, Attach: page.Attached(resourceAttach...), Scan: scanResource}

// Filter narrows List.
type Filter struct {
	ParkID   string
	Category string
}

// Resources lists the resources in the caller's circle.read scope, oldest
// first; q matches name and address, pinyin included.
func (s *Service) Resources(ctx context.Context, f Filter, p page.Page) (page.List[Resource], error) {
	var a db.Args
	where := access.From(ctx).Scope(Read).Where(&a, resourceAttach...)
	if f.ParkID != "" {
		where += " AND park_id = " + a.Add(f.ParkID)
	}
	if f.Category != "" {
		where += " AND category = " + a.Add(f.Category)
	}
	if p.Query != "" {
		m, err := search.Match(ctx, s.DB.R, "resources", "id", "search_key", p.Query, &a)
		if err != nil {
			return page.List[Resource]{}, err
		}
		where += " AND " + m
	}
	return page.Rows(ctx, s.DB.R, p, page.Query{From: "resources", Cols: resourceCols, Where: where, Args: a}, scanResource,
		page.ByID(func(r Resource) string { return r.ID }))
}

// Resource returns a resource in the caller's scope. Returns ENOTFOUND
// otherwise.
func (s *Service) Resource(ctx context.Context, id string) (Resource, error) {
	return resourceTable.One(ctx, s.DB.R, Read, Read, id)
}

// ResourceInput is what creating a resource takes.
type ResourceInput struct {
	ZoneID   string
	ParkID   string
	Name     string
	Category string
	Address  string
	Location *Point
}

func validResource(fs *apperr.Fields, name, address *string) {
	if name != nil {
		valid.Name(fs, "name", name, 100)
	}
	if address != nil {
		valid.Text(fs, "address", *address, 200)
	}
}

// checkCategory verifies code is in the zone's catalogue.
func checkCategory(ctx context.Context, q db.Querier, zoneID, code string) error {
	cats, err := catalogue(ctx, q, zoneID)
	if err != nil {
		return err
	}
	for _, c := range cats {
		if c.Code == code {
			return nil
		}
	}
	return apperr.Field("category", "unknown_value")
}

// CreateResource creates a resource in a park. Callers need circle.manage
// over the park (zone_admin, or park_admin of it); zone_id may be omitted,
// given it must be the park's. The category must be in the zone's
// catalogue. Returns EVALIDATION (an unknown park and one outside the
// caller's scope look the same), EFORBIDDEN.
func (s *Service) CreateResource(ctx context.Context, in ResourceInput) (Resource, error) {
	sc := access.From(ctx).Scope(Manage)
	if sc.Empty() {
		return Resource{}, apperr.New(apperr.Forbidden, "")
	}
	var fs apperr.Fields
	validResource(&fs, &in.Name, &in.Address)
	checkPoint(&fs, "location", in.Location)
	if in.ParkID == "" {
		fs.Add("park_id", "required")
	}
	if in.Category == "" {
		fs.Add("category", "required")
	}
	if err := fs.Err(); err != nil {
		return Resource{}, err
	}
	var r Resource
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		park, err := nodes.Get(ctx, tx, in.ParkID)
		if apperr.Is(err, apperr.NotFound) || (err == nil && (park.Kind != access.KindPark || !sc.Covers(park.Path))) {
			return apperr.Field("park_id", "unknown_value")
		}
		if err != nil {
			return err
		}
		if in.ZoneID != "" && in.ZoneID != park.ZoneID {
			return apperr.Field("zone_id", "unknown_value")
		}
		if err := checkCategory(ctx, tx, park.ZoneID, in.Category); err != nil {
			return err
		}
		r = Resource{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: park.ZoneID, ParkID: park.ID, Name: in.Name, Category: in.Category,
			Address: in.Address, Location: geo.Point{Lat: *in.Location.Lat, Lng: *in.Location.Lng}, Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
		if err := InsertResource(ctx, tx, r, false); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: r.ZoneID, Node: r.ParkID, Entity: "resource", EntityID: r.ID, Action: "create",
			Summary: map[string]any{"name": r.Name, "category": r.Category, "park_id": r.ParkID}})
	})
	return r, err
}

// InsertResource writes r as it is (the demo loader's way in; sample marks
// generated rows).
func InsertResource(ctx context.Context, tx *db.Tx, r Resource, sample bool) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO resources (id, zone_id, park_id, name, category, address, lat, lng, sample, search_key, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11)`, r.ID, r.ZoneID, r.ParkID, r.Name, r.Category, r.Address,
		r.Location.Lat, r.Location.Lng, sample, search.Key(r.Name, r.Address), db.Micros(r.CreatedAt))
	return err
}

// ResourcePatch is a partial update; nil fields stay as they are.
type ResourcePatch struct {
	Name     *string
	Category *string
	Address  *string
	Location *Point
}

// UpdateResource applies patch. Callers need circle.manage over the
// resource's park; it must satisfy match. The park cannot change. Returns
// ENOTFOUND, EFORBIDDEN, EPRECONDITION, EVALIDATION.
func (s *Service) UpdateResource(ctx context.Context, id string, p ResourcePatch, match etag.Match) (Resource, error) {
	var fs apperr.Fields
	validResource(&fs, p.Name, p.Address)
	if p.Location != nil {
		checkPoint(&fs, "location", p.Location)
	}
	if p.Category != nil && *p.Category == "" {
		fs.Add("category", "required")
	}
	var r Resource
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := resourceTable.One(ctx, tx, Manage, Read, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		r = old
		changes := map[string]any{}
		if p.Name != nil && *p.Name != old.Name {
			changes["name"] = audit.Change{From: old.Name, To: *p.Name}
			r.Name = *p.Name
		}
		if p.Address != nil && *p.Address != old.Address {
			changes["address"] = audit.Change{From: old.Address, To: *p.Address}
			r.Address = *p.Address
		}
		if p.Category != nil && *p.Category != old.Category {
			if err := checkCategory(ctx, tx, old.ZoneID, *p.Category); err != nil {
				return err
			}
			changes["category"] = audit.Change{From: old.Category, To: *p.Category}
			r.Category = *p.Category
		}
		if p.Location != nil {
			if loc := (geo.Point{Lat: *p.Location.Lat, Lng: *p.Location.Lng}); loc != old.Location {
				changes["location"] = audit.Change{From: old.Location, To: loc}
				r.Location = loc
			}
		}
		if len(changes) == 0 {
			return nil
		}
		r.Version, r.UpdatedAt = old.Version+1, tx.Now
		res, err := tx.ExecContext(ctx, `UPDATE resources SET name = $1, category = $2, address = $3, lat = $4, lng = $5, search_key = $6, version = $7, updated_at = $8
			WHERE id = $9 AND version = $10`, r.Name, r.Category, r.Address, r.Location.Lat, r.Location.Lng, search.Key(r.Name, r.Address),
			r.Version, db.Micros(tx.Now), id, old.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.PreconditionFailed, "problem.stale_version", "Version", old.Version)
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: r.ZoneID, Node: r.ParkID, Entity: "resource", EntityID: id, Action: "update", Summary: changes})
	})
	return r, err
}

// DeleteResource deletes a resource. Callers need circle.manage over its
// park; it must satisfy match. Returns ENOTFOUND, EFORBIDDEN,
// EPRECONDITION.
func (s *Service) DeleteResource(ctx context.Context, id string, match etag.Match) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := resourceTable.One(ctx, tx, Manage, Read, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: old.ParkID, Entity: "resource", EntityID: id, Action: "delete",
			Summary: map[string]any{"name": old.Name, "category": old.Category, "park_id": old.ParkID}}); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM resources WHERE id = $1`, id)
		return err
	})
}
