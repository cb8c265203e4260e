package circle

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/valid"
)

// Limits of a road network import.
const (
	// MaxRoadBody is the largest GeoJSON body accepted (413 above).
	MaxRoadBody = 16 << 20
	// MaxRoadPositions bounds the positions of one import.
	MaxRoadPositions = 500_000
	// maxRoadErrors is how many errors one refused import reports.
	maxRoadErrors = 20
)

// RoadFeature is one feature of an import as the client sent it: the
// geometry's coordinates still raw JSON, checked here.
type RoadFeature struct {
	Type         string
	HasGeometry  bool
	GeometryType string
	Coordinates  json.RawMessage
	Name         string
}

// RoadImport is a GeoJSON FeatureCollection of LineStrings (or
// MultiLineStrings) to become a zone's walking network.
type RoadImport struct {
	ZoneID      string
	Type        string
	HasFeatures bool
	Features    []RoadFeature
}

// RoadNetwork describes a zone's stored network.
type RoadNetwork struct {
	ID        string      `json:"id"`
	ZoneID    string      `json:"zone_id"`
	Features  int         `json:"features"`
	Nodes     int         `json:"nodes"`
	Segments  int         `json:"segments"`
	LengthM   float64     `json:"length_m"`
	BBox      *[4]float64 `json:"bbox"`
	Version   int         `json:"version"`
	UpdatedAt time.Time   `json:"updated_at"`
}

// Line is a named line of a road network.
type Line struct {
	Name string
	Line orb.LineString
}

// parse checks in against GeoJSON (RFC 7946) and returns its lines: every
// problem is a field error naming where it lies
// (features.3.geometry.coordinates.2.1).
func (in RoadImport) parse() ([]Line, error) {
	var fs apperr.Fields
	switch {
	case in.Type == "":
		fs.Add("type", "required")
	case in.Type != "FeatureCollection":
		fs.Add("type", "geojson_type", "Want", "FeatureCollection")
	}
	if !in.HasFeatures {
		fs.Add("features", "required")
	}
	var lines []Line
	positions := 0
	for i, f := range in.Features {
		if len(fs) >= maxRoadErrors {
			break
		}
		at := fmt.Sprintf("features.%d", i)
		if f.Type != "Feature" {
			fs.Add(at+".type", "geojson_type", "Want", "Feature")
		}
		if f.Name != "" {
			valid.Text(&fs, at+".properties.name", f.Name, 100)
		}
		if !f.HasGeometry {
			fs.Add(at+".geometry", "required")
			continue
		}
		var parts [][]any
		switch f.GeometryType {
		case "LineString":
			var ls []any
			if json.Unmarshal(f.Coordinates, &ls) != nil || ls == nil {
				fs.Add(at+".geometry.coordinates", "invalid_coordinates")
				continue
			}
			parts = [][]any{ls}
			at += ".geometry.coordinates"
		case "MultiLineString":
			var mls [][]any
			if json.Unmarshal(f.Coordinates, &mls) != nil || mls == nil {
				fs.Add(at+".geometry.coordinates", "invalid_coordinates")
				continue
			}
			parts = mls
			at += ".geometry.coordinates.%d"
		default:
			fs.Add(at+".geometry.type", "geojson_type", "Want", "LineString")
			continue
		}
		for j, part := range parts {
			where := at
			if strings.Contains(at, "%d") {
				where = fmt.Sprintf(at, j)
			}
			ls, ok := positionsOf(&fs, where, part)
			if !ok {
				continue
			}
			positions += len(ls)
			lines = append(lines, Line{f.Name, ls})
		}
	}
	if positions > MaxRoadPositions {
		fs.Add("features", "too_many_positions", "Max", MaxRoadPositions)
	}
	return lines, fs.Err()
}

// positionsOf reads a LineString's positions: each an array of two or
// three numbers (longitude, latitude, altitude ignored), at least two.
func positionsOf(fs *apperr.Fields, at string, coords []any) (orb.LineString, bool) {
	if len(coords) < 2 {
		fs.Add(at, "too_few_positions")
		return nil, false
	}
	ls := make(orb.LineString, 0, len(coords))
	for k, c := range coords {
		pos, ok := c.([]any)
		if !ok || len(pos) < 2 || len(pos) > 3 {
			fs.Add(fmt.Sprintf("%s.%d", at, k), "invalid_position")
			return nil, false
		}
		var v [3]float64
		for n, x := range pos {
			f, ok := x.(float64)
			if !ok {
				fs.Add(fmt.Sprintf("%s.%d", at, k), "invalid_position")
				return nil, false
			}
			v[n] = f
		}
		if v[0] < -180 || v[0] > 180 {
			fs.Add(fmt.Sprintf("%s.%d.0", at, k), "out_of_range", "Min", -180, "Max", 180)
			return nil, false
		}
		if v[1] < -90 || v[1] > 90 {
			fs.Add(fmt.Sprintf("%s.%d.1", at, k), "out_of_range", "Min", -90, "Max", 90)
			return nil, false
		}
		ls = append(ls, orb.Point{v[0], v[1]})
	}
	return ls, true
}

// ImportRoads replaces the walking network of the zone (in.ZoneID, or the
// caller's one zone) with in. An empty FeatureCollection removes it
// (distances fall back to the straight line). Callers need
// circle.configure on the whole zone (zone_admin). Returns EVALIDATION
// naming the offending member, EFORBIDDEN.
func (s *Service) ImportRoads(ctx context.Context, in RoadImport) (RoadNetwork, error) {
	lines, err := in.parse()
	if err != nil {
		return RoadNetwork{}, err
	}
	var net RoadNetwork
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		zone, err := zoneFor(ctx, tx, Configure, in.ZoneID)
		if err != nil {
			return err
		}
		if !access.From(ctx).Scope(Configure).CoversZone(zone) {
			return apperr.Field("zone_id", "unknown_value")
		}
		if net, err = StoreRoads(ctx, tx, zone, lines); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: zone, Node: zone, Entity: "road_network", EntityID: zone, Action: "import",
			Summary: map[string]any{"features": net.Features, "segments": net.Segments, "length_m": net.LengthM}})
	})
	return net, err
}

// StoreRoads replaces the zone's network with lines (none: removes it),
// as it is: the import's way in, and the demo loader's.
func StoreRoads(ctx context.Context, tx *db.Tx, zoneID string, lines []Line) (RoadNetwork, error) {
	fc := geojson.NewFeatureCollection()
	all := make([]orb.LineString, len(lines))
	for i, l := range lines {
		f := geojson.NewFeature(l.Line)
		if l.Name != "" {
			f.Properties["name"] = l.Name
		}
		fc.Append(f)
		all[i] = l.Line
	}
	g := NewGraph(all)
	text, err := fc.MarshalJSON()
	if err != nil {
		return RoadNetwork{}, err
	}
	var version int
	err = tx.QueryRowContext(ctx, `SELECT version FROM road_networks WHERE zone_id = $1`, zoneID).Scan(&version)
	if err != nil && err != sql.ErrNoRows {
		return RoadNetwork{}, err
	}
	net := RoadNetwork{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: zoneID, Features: len(lines), Nodes: len(g.nodes), Segments: g.Segments(),
		LengthM: roundM(g.Length), Version: version + 1, UpdatedAt: tx.Now}
	if len(lines) == 0 {
		_, err = tx.ExecContext(ctx, `DELETE FROM road_networks WHERE zone_id = $1`, zoneID)
		return net, err
	}
	b := g.Bound()
	net.BBox = &[4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	_, err = tx.ExecContext(ctx, `INSERT INTO road_networks (zone_id, id, geojson, features, segments, length_m, min_lat, min_lng, max_lat, max_lng, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
		ON CONFLICT (zone_id) DO UPDATE SET id = $2, geojson = $3, features = $4, segments = $5, length_m = $6, min_lat = $7, min_lng = $8,
		max_lat = $9, max_lng = $10, version = $11, updated_at = $12`,
		zoneID, net.ID, string(text), net.Features, net.Segments, net.LengthM, b.Min[1], b.Min[0], b.Max[1], b.Max[0], net.Version, db.Micros(tx.Now))
	return net, err
}

func roundM(m float64) float64 { return float64(int64(m*10+0.5)) / 10 }

// Roads returns the zone's network as GeoJSON (an empty collection when
// none has been imported) and its description (nil then). The network is
// the zone's: callers whose circle.read grant covers the whole zone see
// it, others get the empty collection. Returns EVALIDATION on zone_id.
func (s *Service) Roads(ctx context.Context, zoneID string) (*geojson.FeatureCollection, *RoadNetwork, error) {
	fc := geojson.NewFeatureCollection()
	zone, err := zoneFor(ctx, s.DB.R, Read, zoneID)
	if err != nil || !access.From(ctx).Scope(Read).CoversZone(zone) {
		return fc, nil, err
	}
	var text string
	var net RoadNetwork
	var updated int64
	err = s.DB.R.QueryRowContext(ctx, `SELECT id, zone_id, geojson, features, segments, length_m, version, updated_at FROM road_networks WHERE zone_id = $1`, zone).
		Scan(&net.ID, &net.ZoneID, &text, &net.Features, &net.Segments, &net.LengthM, &net.Version, &updated)
	if err == sql.ErrNoRows {
		return fc, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	net.UpdatedAt = db.FromMicros(updated)
	fc, err = geojson.UnmarshalFeatureCollection([]byte(text))
	if err != nil {
		return nil, nil, err
	}
	return fc, &net, nil
}

// graph returns the zone's walking graph, nil when it has none.
func (s *Service) graph(ctx context.Context, zoneID string) (*Graph, error) {
	var id string
	err := s.DB.R.QueryRowContext(ctx, `SELECT id FROM road_networks WHERE zone_id = $1`, zoneID).Scan(&id)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	c, ok := s.graphs[zoneID]
	s.mu.Unlock()
	if ok && c.id == id {
		return c.g, nil
	}
	var text string
	if err := s.DB.R.QueryRowContext(ctx, `SELECT geojson, id FROM road_networks WHERE zone_id = $1`, zoneID).Scan(&text, &id); err != nil {
		if err == sql.ErrNoRows {
			return nil, nil
		}
		return nil, err
	}
	fc, err := geojson.UnmarshalFeatureCollection([]byte(text))
	if err != nil {
		return nil, fmt.Errorf("road network of zone %s: %w", zoneID, err)
	}
	var lines []orb.LineString
	for _, f := range fc.Features {
		if ls, ok := f.Geometry.(orb.LineString); ok {
			lines = append(lines, ls)
		}
	}
	g := NewGraph(lines)
	s.mu.Lock()
	if s.graphs == nil {
		s.graphs = map[string]cachedGraph{}
	}
	s.graphs[zoneID] = cachedGraph{id, g}
	s.mu.Unlock()
	return g, nil
}
