package servicenet

import (
	"context"
	"database/sql"
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
	"tongxin/internal/valid"
)

// Point kinds: the neighbourhood centre (一心) and the points around it (多点).
const (
	KindCenter = "center"
	KindPoint  = "point"
)

// Point is a service point of a park: a scope node under it, so
// service_staff granted on it see the requests routed to it.
type Point struct {
	ID           string     `json:"id"`
	ZoneID       string     `json:"zone_id"`
	ParkID       string     `json:"park_id"`
	Name         string     `json:"name"`
	Kind         string     `json:"kind"`
	Address      string     `json:"address"`
	Location     *geo.Point `json:"location"`
	Hours        string     `json:"hours"`
	ServiceCodes []string   `json:"service_codes"`
	Version      int        `json:"version"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// Location is a location as a client sends it: both coordinates or neither.
type Location struct{ Lat, Lng *float64 }

// checkLocation validates l under field ("location").
func checkLocation(fs *apperr.Fields, field string, l *Location) {
	if l != nil {
		geo.CheckSent(fs, field, l.Lat, l.Lng)
	}
}

func (l *Location) point() *geo.Point {
	if l == nil || l.Lat == nil || l.Lng == nil {
		return nil
	}
	return &geo.Point{Lat: *l.Lat, Lng: *l.Lng}
}

const pointCols = `id, zone_id, park_id, name, kind, address, lat, lng, hours, version, created_at, updated_at`

func scanPoint(s db.Scanner) (Point, error) {
	var p Point
	var lat, lng sql.NullFloat64
	err := s.Scan(&p.ID, &p.ZoneID, &p.ParkID, &p.Name, &p.Kind, &p.Address, &lat, &lng, &p.Hours, &p.Version, db.T(&p.CreatedAt), db.T(&p.UpdatedAt))
	p.Location = geo.FromColumns(lat, lng)
	p.ServiceCodes = []string{}
	return p, err
}

// pointAttach: a point is its own scope node, under its park, in its zone.
var pointAttach = []access.Attach{access.ByZone("zone_id"), access.ByNodeOf("id", access.KindPoint)}

var pointTable = page.Table[Point]{From: "service_points", Cols: pointCols, Attach: page.Attached(pointAttach...), Scan: scanPoint}

// offers is a point's services.
var offers = db.Link{Table: "service_point_services", Owner: "point_id", Member: "service_code"}

func fillServices(ctx context.Context, q db.Querier, ps []Point) error {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	of, err := offers.Of(ctx, q, ids)
	for i := range ps {
		ps[i].ServiceCodes = append(ps[i].ServiceCodes, of[ps[i].ID]...)
	}
	return err
}

// PointFilter narrows ListPoints.
type PointFilter struct {
	ParkID      string
	ServiceCode string
}

// ListPoints lists the points in the caller's service_point.read scope,
// oldest first; q matches the name.
func (s *Service) ListPoints(ctx context.Context, f PointFilter, p page.Page) (page.List[Point], error) {
	var a db.Args
	where := access.From(ctx).Scope(PointRead).Where(&a, pointAttach...)
	if f.ParkID != "" {
		where += " AND park_id = " + a.Add(f.ParkID)
	}
	if f.ServiceCode != "" {
		where += " AND id IN (SELECT point_id FROM service_point_services WHERE service_code = " + a.Add(f.ServiceCode) + ")"
	}
	if p.Query != "" {
		where += " AND LOWER(name) LIKE " + a.Add(db.Like(p.Query)) + ` ESCAPE '\'`
	}
	l, err := page.Rows(ctx, s.DB.R, p, page.Query{From: "service_points", Cols: pointCols, Where: where, Args: a}, scanPoint,
		page.ByID(func(p Point) string { return p.ID }))
	if err != nil {
		return l, err
	}
	return l, fillServices(ctx, s.DB.R, l.Items)
}

func getPoint(ctx context.Context, q db.Querier, perm access.Perm, id string) (Point, error) {
	p, err := pointTable.One(ctx, q, perm, PointRead, id)
	if err != nil {
		return p, err
	}
	ps := []Point{p}
	err = fillServices(ctx, q, ps)
	return ps[0], err
}

// GetPoint returns a point in the caller's scope. Returns ENOTFOUND.
func (s *Service) GetPoint(ctx context.Context, id string) (Point, error) {
	return getPoint(ctx, s.DB.R, PointRead, id)
}

// PointInput is what creating a point takes.
type PointInput struct {
	ZoneID, ParkID, Name, Kind, Address, Hours string
	Location                                   *Location
	ServiceCodes                               []string
}

func checkPoint(fs *apperr.Fields, name, kind, address, hours *string, loc *Location) {
	if name != nil {
		valid.Name(fs, "name", name, 100)
	}
	if kind != nil && *kind != KindCenter && *kind != KindPoint {
		fs.Add("kind", "unknown_value")
	}
	if address != nil {
		valid.Text(fs, "address", *address, 200)
	}
	if hours != nil {
		valid.Text(fs, "hours", *hours, 200)
	}
	checkLocation(fs, "location", loc)
}

// checkCodes verifies that every code is in the zone's catalogue:
// EVALIDATION on service_codes.
func checkCodes(ctx context.Context, tx *db.Tx, zoneID string, codes []string) error {
	if len(codes) == 0 {
		return nil
	}
	var a db.Args
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM services WHERE zone_id = `+a.Add(zoneID)+` AND code IN (`+a.In(codes)+`)`, a...).Scan(&n); err != nil {
		return err
	}
	if n != len(codes) {
		return apperr.Field("service_codes", "unknown_value")
	}
	return nil
}

// CreatePoint creates a point in a park, as a scope node under it. Callers
// need service_point.manage over the park. Returns EFORBIDDEN, EVALIDATION
// (an unknown park, one outside the scope, codes not in the catalogue),
// ECONFLICT (name taken in the park).
func (s *Service) CreatePoint(ctx context.Context, in PointInput) (Point, error) {
	sc := access.From(ctx).Scope(PointManage)
	if sc.Empty() {
		return Point{}, apperr.New(apperr.Forbidden, "")
	}
	var fs apperr.Fields
	checkPoint(&fs, &in.Name, &in.Kind, &in.Address, &in.Hours, in.Location)
	in.ServiceCodes = valid.UniqueIDs(&fs, "service_codes", in.ServiceCodes, MaxServices)
	if in.ParkID == "" {
		fs.Add("park_id", "required")
	}
	if err := fs.Err(); err != nil {
		return Point{}, err
	}
	var pt Point
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
		if err := seedCatalogue(ctx, tx, park.ZoneID); err != nil {
			return err
		}
		if err := checkCodes(ctx, tx, park.ZoneID, in.ServiceCodes); err != nil {
			return err
		}
		pt = Point{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: park.ZoneID, ParkID: park.ID, Name: in.Name, Kind: in.Kind, Address: in.Address,
			Location: in.Location.point(), Hours: in.Hours, ServiceCodes: db.Sorted(in.ServiceCodes), Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
		lat, lng := geo.Columns(pt.Location)
		_, err = tx.ExecContext(ctx, `INSERT INTO service_points (id, zone_id, park_id, name, kind, address, lat, lng, hours, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10)`, pt.ID, pt.ZoneID, pt.ParkID, pt.Name, pt.Kind, pt.Address, lat, lng, pt.Hours,
			db.Micros(tx.Now))
		if db.IsUnique(err) {
			return pointNameTaken(pt.Name)
		}
		if err != nil {
			return err
		}
		if _, err := nodes.Insert(ctx, tx, nodes.Node{ID: pt.ID, ZoneID: pt.ZoneID, Kind: access.KindPoint, ParentID: park.ID, Name: pt.Name}, "park_id"); err != nil {
			return err
		}
		if err := offers.Set(ctx, tx, pt.ID, pt.ZoneID, pt.ServiceCodes, nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: pt.ZoneID, Node: pt.ID, Entity: "service_point", EntityID: pt.ID, Action: "create",
			Summary: map[string]any{"name": pt.Name, "kind": pt.Kind, "park_id": pt.ParkID, "service_codes": pt.ServiceCodes}})
	})
	return pt, err
}

func pointNameTaken(name string) error {
	return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.point_name_taken", Params: map[string]any{"Name": name},
		Fields: []apperr.FieldError{{Field: "name", Code: "taken"}}}
}

// PointPatch is a partial update; nil fields stay. SetLocation with a nil
// Location removes it; ServiceCodes, when not nil, replaces the offer.
type PointPatch struct {
	Name, Kind, Address, Hours *string
	SetLocation                bool
	Location                   *Location
	ServiceCodes               *[]string
}

// UpdatePoint applies patch. Callers need service_point.manage over the
// point. Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION, EVALIDATION,
// ECONFLICT (name taken).
func (s *Service) UpdatePoint(ctx context.Context, id string, patch PointPatch, match etag.Match) (Point, error) {
	var fs apperr.Fields
	checkPoint(&fs, patch.Name, patch.Kind, patch.Address, patch.Hours, patch.Location)
	if patch.ServiceCodes != nil {
		codes := valid.UniqueIDs(&fs, "service_codes", *patch.ServiceCodes, MaxServices)
		patch.ServiceCodes = &codes
	}
	var pt Point
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := getPoint(ctx, tx, PointManage, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		pt = old
		changes := map[string]any{}
		for _, f := range []struct {
			name string
			dst  *string
			v    *string
		}{{"name", &pt.Name, patch.Name}, {"kind", &pt.Kind, patch.Kind}, {"address", &pt.Address, patch.Address}, {"hours", &pt.Hours, patch.Hours}} {
			if f.v != nil && *f.v != *f.dst {
				changes[f.name] = audit.Change{From: *f.dst, To: *f.v}
				*f.dst = *f.v
			}
		}
		if patch.SetLocation {
			pt.Location = patch.Location.point()
			if !samePoint(pt.Location, old.Location) {
				changes["location"] = audit.Change{From: old.Location, To: pt.Location}
			}
		}
		var add, remove []string
		if patch.ServiceCodes != nil {
			add, remove = db.Diff(old.ServiceCodes, *patch.ServiceCodes)
			if err := checkCodes(ctx, tx, old.ZoneID, add); err != nil {
				return err
			}
			if len(add)+len(remove) > 0 {
				changes["service_codes"] = map[string]any{"added": add, "removed": remove}
				pt.ServiceCodes = db.Sorted(*patch.ServiceCodes)
			}
		}
		if len(changes) == 0 {
			return nil
		}
		pt.Version, pt.UpdatedAt = old.Version+1, tx.Now
		lat, lng := geo.Columns(pt.Location)
		res, err := tx.ExecContext(ctx, `UPDATE service_points SET name = $1, kind = $2, address = $3, lat = $4, lng = $5, hours = $6, version = $7,
			updated_at = $8 WHERE id = $9 AND version = $10`, pt.Name, pt.Kind, pt.Address, lat, lng, pt.Hours, pt.Version, db.Micros(tx.Now), id, old.Version)
		if db.IsUnique(err) {
			return pointNameTaken(pt.Name)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.PreconditionFailed, "problem.stale_version", "Version", old.Version)
		}
		if pt.Name != old.Name {
			if err := nodes.Rename(ctx, tx, id, pt.Name); err != nil {
				return err
			}
		}
		if err := offers.Set(ctx, tx, pt.ID, pt.ZoneID, add, remove); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: pt.ZoneID, Node: pt.ID, Entity: "service_point", EntityID: pt.ID, Action: "update", Summary: changes})
	})
	return pt, err
}

func samePoint(a, b *geo.Point) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// DeletePoint deletes a point that no request was routed to, its offer,
// its node and the grants on it. Callers need service_point.manage over
// it. Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION, ECONFLICT (requests
// routed to it).
func (s *Service) DeletePoint(ctx context.Context, id string, match etag.Match) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := getPoint(ctx, tx, PointManage, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM service_requests WHERE point_id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "problem.point_in_use")
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: old.ID, Entity: "service_point", EntityID: id, Action: "delete",
			Summary: map[string]any{"name": old.Name, "park_id": old.ParkID}}); err != nil {
			return err
		}
		if err := nodes.Delete(ctx, tx, id); err != nil {
			if apperr.Is(err, apperr.Conflict) {
				return apperr.New(apperr.Conflict, "problem.point_in_use")
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM service_point_services WHERE point_id = $1`, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM service_points WHERE id = $1`, id)
		return err
	})
}
