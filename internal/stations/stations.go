package stations

import (
	"context"
	"database/sql"
	"embed"
	"io/fs"
	"slices"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/etag"
	"tongxin/internal/geo"
	"tongxin/internal/i18n"
	"tongxin/internal/nodes"
	"tongxin/internal/page"
	"tongxin/internal/search"
	"tongxin/internal/valid"
)

// Permissions of this domain.
var (
	// Read lets a caller see stations: every role, within its grants (a
	// service_staff granted on a station sees that station).
	Read = access.NewPerm("station.read", access.Everyone()...)
	// Manage lets a caller create, change and delete stations: zone
	// administrators, and park administrators in their park.
	Manage = access.NewPerm("station.manage", access.ZoneAdmin, access.ParkAdmin)
)

//go:embed locales/*.json
var locales embed.FS

// Locales holds this domain's messages.
func Locales() fs.FS { return i18n.Dir(locales) }

// MaxEnterprises bounds the enterprises one station covers.
const MaxEnterprises = 1000

// Service holds the station operations.
type Service struct{ DB *db.DB }

// Location is a point in WGS-84 degrees.
type Location = geo.Point

// Station is a party-building guidance service station of a park.
type Station struct {
	ID            string    `json:"id"`
	ZoneID        string    `json:"zone_id"`
	ParkID        string    `json:"park_id"`
	Name          string    `json:"name"`
	Address       string    `json:"address"`
	Location      *Location `json:"location"`
	EnterpriseIDs []string  `json:"enterprise_ids"`
	Version       int       `json:"version"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Point is a location as a client sends it: both coordinates or neither
// (the whole location null).
type Point struct {
	Lat, Lng *float64
}

func validate(fs *apperr.Fields, name, address *string, loc *Point) {
	if name != nil {
		valid.Name(fs, "name", name, 100)
	}
	if address != nil {
		valid.Text(fs, "address", *address, 200)
	}
	validPoint(fs, loc)
}

func validPoint(fs *apperr.Fields, p *Point) {
	if p != nil {
		geo.CheckSent(fs, "location", p.Lat, p.Lng)
	}
}

func (p *Point) location() *Location {
	if p == nil {
		return nil
	}
	return &Location{Lat: *p.Lat, Lng: *p.Lng}
}

const cols = `id, zone_id, park_id, name, address, lat, lng, version, created_at, updated_at`

func scan(s page.Scanner) (Station, error) {
	var st Station
	var lat, lng sql.NullFloat64
	err := s.Scan(&st.ID, &st.ZoneID, &st.ParkID, &st.Name, &st.Address, &lat, &lng, &st.Version, db.T(&st.CreatedAt), db.T(&st.UpdatedAt))
	st.Location = geo.FromColumns(lat, lng)
	st.EnterpriseIDs = []string{}
	return st, err
}

// attach: a station is its own scope node, under its park, in its zone.
var attach = []access.Attach{access.ByZone("zone_id"), access.ByNodeOf("id", access.KindStation)}

// Filter narrows List.
type Filter struct {
	ParkID       string
	EnterpriseID string // stations covering this enterprise
}

// List lists the stations in the caller's station.read scope, oldest
// first; q matches name and address, pinyin included.
func (s *Service) List(ctx context.Context, f Filter, p page.Page) (page.List[Station], error) {
	var a db.Args
	where := access.From(ctx).Scope(Read).Where(&a, attach...)
	if f.ParkID != "" {
		where += " AND park_id = " + a.Add(f.ParkID)
	}
	if f.EnterpriseID != "" {
		where += " AND id IN (SELECT station_id FROM station_enterprises WHERE enterprise_id = " + a.Add(f.EnterpriseID) + ")"
	}
	if p.Query != "" {
		m, err := search.Match(ctx, s.DB.R, "stations", "id", "search_key", p.Query, &a)
		if err != nil {
			return page.List[Station]{}, err
		}
		where += " AND " + m
	}
	l, err := page.Rows(ctx, s.DB.R, p, page.Query{From: "stations", Cols: cols, Where: where, Args: a}, scan, page.ByID(func(s Station) string { return s.ID }))
	if err != nil {
		return l, err
	}
	return l, fillEnterprises(ctx, s.DB.R, l.Items)
}

// fillEnterprises loads the covered enterprises of sts in one query.
func fillEnterprises(ctx context.Context, q db.Querier, sts []Station) error {
	ids := make([]string, len(sts))
	for i, st := range sts {
		ids[i] = st.ID
	}
	of, err := enterpriseLinks.Of(ctx, q, ids)
	for i := range sts {
		sts[i].EnterpriseIDs = append(sts[i].EnterpriseIDs, of[sts[i].ID]...)
	}
	return err
}

// enterpriseLinks is the station's enterprises.
var enterpriseLinks = db.Link{Table: "station_enterprises", Owner: "station_id", Member: "enterprise_id"}

// table reads stations in the caller's scope.
var table = page.Table[Station]{From: "stations", Cols: cols, Attach: page.Attached(attach...), Scan: scan}

// get returns the station with id when it lies in the caller's scope for
// perm. When it does not but the caller may read it, the answer is
// EFORBIDDEN; when the caller may not even read it, ENOTFOUND.
func get(ctx context.Context, q db.Querier, perm access.Perm, id string) (Station, error) {
	row, err := table.One(ctx, q, perm, Read, id)
	if err != nil {
		return row, err
	}
	rows := []Station{row}
	err = fillEnterprises(ctx, q, rows)
	return rows[0], err
}

// Get returns a station in the caller's scope. Returns ENOTFOUND otherwise.
func (s *Service) Get(ctx context.Context, id string) (Station, error) {
	return get(ctx, s.DB.R, Read, id)
}

// checkEnterprises verifies that every id names an enterprise of the zone
// in sc and in park: EVALIDATION on enterprise_ids (unknown_value for ones
// the caller cannot see, outside_park for ones of another park).
func checkEnterprises(ctx context.Context, q db.Querier, sc access.Scope, zoneID, parkID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	var a db.Args
	where := sc.Where(&a, access.ByZone("zone_id"), access.ByNode("id"))
	rows, err := q.QueryContext(ctx, `SELECT id, park_id FROM enterprises WHERE id IN (`+a.In(ids)+`) AND zone_id = `+a.Add(zoneID)+
		` AND `+where, a...)
	if err != nil {
		return err
	}
	defer rows.Close()
	parkOf := map[string]string{}
	for rows.Next() {
		var id, park string
		if err := rows.Scan(&id, &park); err != nil {
			return err
		}
		parkOf[id] = park
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var unknown, outside bool
	for _, id := range ids {
		park, ok := parkOf[id]
		unknown = unknown || !ok
		outside = outside || (ok && park != parkID)
	}
	var fs apperr.Fields
	if unknown {
		fs.Add("enterprise_ids", "unknown_value")
	}
	if outside {
		fs.Add("enterprise_ids", "outside_park")
	}
	return fs.Err()
}

// Input is what creating a station takes.
type Input struct {
	ZoneID        string
	ParkID        string
	Name          string
	Address       string
	Location      *Point
	EnterpriseIDs []string
}

// Create creates a station in a park, as a scope node under it. Callers
// need station.manage over the park (zone_admin, or park_admin of it).
// zone_id may be omitted; given, it must be the park's. Returns
// EVALIDATION (an unknown park and one outside the caller's scope look
// the same; enterprises not of the park), ECONFLICT (name taken in the
// park), EFORBIDDEN.
func (s *Service) Create(ctx context.Context, in Input) (Station, error) {
	sc := access.From(ctx).Scope(Manage)
	if sc.Empty() {
		return Station{}, apperr.New(apperr.Forbidden, "")
	}
	var fs apperr.Fields
	validate(&fs, &in.Name, &in.Address, in.Location)
	in.EnterpriseIDs = valid.UniqueIDs(&fs, "enterprise_ids", in.EnterpriseIDs, MaxEnterprises)
	if in.ParkID == "" {
		fs.Add("park_id", "required")
	}
	if err := fs.Err(); err != nil {
		return Station{}, err
	}
	var st Station
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
		if err := checkEnterprises(ctx, tx, sc, park.ZoneID, park.ID, in.EnterpriseIDs); err != nil {
			return err
		}
		st = Station{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: park.ZoneID, ParkID: park.ID, Name: in.Name, Address: in.Address,
			Location: in.Location.location(), EnterpriseIDs: in.EnterpriseIDs, Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
		lat, lng := geo.Columns(st.Location)
		_, err = tx.ExecContext(ctx, `INSERT INTO stations (id, zone_id, park_id, name, address, lat, lng, search_key, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)`, st.ID, st.ZoneID, st.ParkID, st.Name, st.Address, lat, lng,
			search.Key(st.Name, st.Address), db.Micros(tx.Now))
		if db.IsUnique(err) {
			return nameTaken(st.Name)
		}
		if err != nil {
			return err
		}
		if _, err := nodes.Insert(ctx, tx, nodes.Node{ID: st.ID, ZoneID: st.ZoneID, Kind: access.KindStation, ParentID: park.ID, Name: st.Name}, "park_id"); err != nil {
			return err
		}
		if err := enterpriseLinks.Set(ctx, tx, st.ID, st.ZoneID, st.EnterpriseIDs, nil); err != nil {
			return err
		}
		slices.Sort(st.EnterpriseIDs)
		return audit.Record(ctx, tx, audit.Event{ZoneID: st.ZoneID, Node: st.ID, Entity: "station", EntityID: st.ID, Action: "create",
			Summary: map[string]any{"name": st.Name, "park_id": st.ParkID, "enterprise_ids": st.EnterpriseIDs}})
	})
	return st, err
}

func nameTaken(name string) error {
	return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.station_name_taken", Params: map[string]any{"Name": name},
		Fields: []apperr.FieldError{{Field: "name", Code: "taken"}}}
}

// Patch is a partial update; nil fields stay as they are. SetLocation
// with a nil Location removes it. EnterpriseIDs, when not nil, replaces
// the covered enterprises.
type Patch struct {
	Name          *string
	Address       *string
	SetLocation   bool
	Location      *Point
	EnterpriseIDs *[]string
}

// Update applies patch. Callers need station.manage over the station
// (zone_admin, or park_admin of its park); the station must satisfy
// match. Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION, EVALIDATION,
// ECONFLICT (name taken in the park).
func (s *Service) Update(ctx context.Context, id string, patch Patch, match etag.Match) (Station, error) {
	var fs apperr.Fields
	validate(&fs, patch.Name, patch.Address, patch.Location)
	if patch.EnterpriseIDs != nil {
		ids := valid.UniqueIDs(&fs, "enterprise_ids", *patch.EnterpriseIDs, MaxEnterprises)
		patch.EnterpriseIDs = &ids
	}
	var st Station
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
		st = old
		changes := map[string]any{}
		if patch.Name != nil && *patch.Name != old.Name {
			changes["name"] = audit.Change{From: old.Name, To: *patch.Name}
			st.Name = *patch.Name
		}
		if patch.Address != nil && *patch.Address != old.Address {
			changes["address"] = audit.Change{From: old.Address, To: *patch.Address}
			st.Address = *patch.Address
		}
		if patch.SetLocation {
			st.Location = patch.Location.location()
			if !equalLocation(st.Location, old.Location) {
				changes["location"] = audit.Change{From: old.Location, To: st.Location}
			}
		}
		var add, remove []string
		if patch.EnterpriseIDs != nil {
			add, remove = db.Diff(old.EnterpriseIDs, *patch.EnterpriseIDs)
			if err := checkEnterprises(ctx, tx, access.From(ctx).Scope(Manage), old.ZoneID, old.ParkID, add); err != nil {
				return err
			}
			if len(add)+len(remove) > 0 {
				changes["enterprise_ids"] = map[string]any{"added": add, "removed": remove}
				st.EnterpriseIDs = db.Sorted(*patch.EnterpriseIDs)
			}
		}
		if len(changes) == 0 {
			return nil
		}
		st.Version, st.UpdatedAt = old.Version+1, tx.Now
		lat, lng := geo.Columns(st.Location)
		res, err := tx.ExecContext(ctx, `UPDATE stations SET name = $1, address = $2, lat = $3, lng = $4, search_key = $5, version = $6, updated_at = $7
			WHERE id = $8 AND version = $9`, st.Name, st.Address, lat, lng, search.Key(st.Name, st.Address), st.Version, db.Micros(tx.Now), id, old.Version)
		if db.IsUnique(err) {
			return nameTaken(st.Name)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.PreconditionFailed, "problem.stale_version", "Version", old.Version)
		}
		if st.Name != old.Name {
			if err := nodes.Rename(ctx, tx, id, st.Name); err != nil {
				return err
			}
		}
		if err := enterpriseLinks.Set(ctx, tx, st.ID, st.ZoneID, add, remove); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: st.ZoneID, Node: st.ID, Entity: "station", EntityID: st.ID, Action: "update", Summary: changes})
	})
	return st, err
}

func equalLocation(a, b *Location) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// Delete deletes a station, the enterprises it covers (the links, not the
// enterprises), its scope node and the grants on it (each grant removal
// audited). Callers need station.manage over it; it must satisfy match.
// Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION, ECONFLICT while nodes hang
// under it.
func (s *Service) Delete(ctx context.Context, id string, match etag.Match) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := get(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: old.ID, Entity: "station", EntityID: id, Action: "delete",
			Summary: map[string]any{"name": old.Name, "park_id": old.ParkID, "enterprise_ids": old.EnterpriseIDs}}); err != nil {
			return err
		}
		if err := nodes.Delete(ctx, tx, id); err != nil {
			if apperr.Is(err, apperr.Conflict) {
				return apperr.New(apperr.Conflict, "problem.station_in_use")
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM station_enterprises WHERE station_id = $1`, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM stations WHERE id = $1`, id)
		return err
	})
}
