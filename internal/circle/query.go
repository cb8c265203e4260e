package circle

import (
	"context"
	"math"
	"sort"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/geojson"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/db"
	"tongxin/internal/geo"
)

// Minutes a living-circle query may ask about: 1 to MaxMinutes. The
// circles of GB 50180-2018 are 5, 10 and 15; other values answer "what is
// within so many minutes" and check the circles that fit inside them.
const MaxMinutes = 60

// ExtentMargin is how far beyond the zone's known places (enterprises,
// stations, resources, roads) a place still counts as in the zone.
const ExtentMargin = 3000.0

// Methods of measuring a walk.
const (
	Network  = "network"
	Straight = "straight_line"
)

// Reached is a resource and the walk to it.
type Reached struct {
	Resource
	DistanceM   float64           `json:"distance_m"`
	WalkMinutes float64           `json:"walk_minutes"`
	Method      string            `json:"method"`
	Path        *geojson.Geometry `json:"path"`
}

// Group is the reachable resources of one category, nearest first.
type Group struct {
	Category  string    `json:"category"`
	Name      string    `json:"name"`
	NameEn    string    `json:"name_en"`
	Circle    *int      `json:"circle"`
	Resources []Reached `json:"resources"`
}

// Gap is a required category with no resource inside its circle.
type Gap struct {
	Category string `json:"category"`
	Name     string `json:"name"`
	NameEn   string `json:"name_en"`
	Circle   int    `json:"circle"`
	// Nearest is the nearest resource of the category the caller may see
	// (beyond the circle), nil when there is none.
	Nearest *Reached `json:"nearest"`
}

// Circle is what lies within a walk of a place.
type Circle struct {
	ZoneID       string            `json:"zone_id"`
	Origin       geo.Point         `json:"origin"`
	Minutes      int               `json:"minutes"`
	MaxDistanceM float64           `json:"max_distance_m"`
	Method       string            `json:"method"`
	WalkSpeed    float64           `json:"walk_speed_m_per_min"`
	DetourFactor float64           `json:"detour_factor"`
	Reachable    []Group           `json:"reachable"`
	Missing      []Gap             `json:"missing"`
	Area         *geojson.Geometry `json:"area"`
}

// Query is a living-circle question.
type Query struct {
	ZoneID  string
	Place   *Point
	Minutes *int
}

// zoneExtent is the box of the zone's known places, padded by
// ExtentMargin; ok is false when the zone has none.
func zoneExtent(ctx context.Context, q db.Querier, zoneID string, g *Graph) (orb.Bound, bool, error) {
	var minLat, maxLat, minLng, maxLng *float64
	err := q.QueryRowContext(ctx, `SELECT MIN(lat), MAX(lat), MIN(lng), MAX(lng) FROM (
		SELECT lat, lng FROM enterprises WHERE zone_id = $1 AND lat IS NOT NULL AND lng IS NOT NULL
		UNION ALL SELECT lat, lng FROM stations WHERE zone_id = $1 AND lat IS NOT NULL AND lng IS NOT NULL
		UNION ALL SELECT lat, lng FROM resources WHERE zone_id = $1) places`, zoneID).Scan(&minLat, &maxLat, &minLng, &maxLng)
	if err != nil {
		return orb.Bound{}, false, err
	}
	var b orb.Bound
	ok := minLat != nil
	if ok {
		b = orb.Bound{Min: orb.Point{*minLng, *minLat}, Max: orb.Point{*maxLng, *maxLat}}
	}
	if g != nil && len(g.nodes) > 0 {
		if ok {
			b = b.Union(g.Bound())
		} else {
			b, ok = g.Bound(), true
		}
	}
	if !ok {
		return b, false, nil
	}
	dLat := ExtentMargin / metresPerDegree
	dLng := dLat / math.Cos(b.Center()[1]*math.Pi/180)
	return orb.Bound{Min: orb.Point{b.Min[0] - dLng, b.Min[1] - dLat}, Max: orb.Point{b.Max[0] + dLng, b.Max[1] + dLat}}, true, nil
}

// checkPlace validates a place and that it lies in the zone: EVALIDATION
// naming lat or lng (required, out_of_range, outside_zone).
func checkPlace(ctx context.Context, q db.Querier, zoneID string, p *Point, g *Graph) (orb.Point, error) {
	var fs apperr.Fields
	if p == nil {
		p = &Point{}
	}
	checkPoint(&fs, "", p)
	if err := fs.Err(); err != nil {
		return orb.Point{}, err
	}
	pt := orb.Point{*p.Lng, *p.Lat}
	box, ok, err := zoneExtent(ctx, q, zoneID, g)
	if err != nil {
		return pt, err
	}
	if !ok || !box.Contains(pt) {
		if ok && pt[1] >= box.Min[1] && pt[1] <= box.Max[1] {
			return pt, apperr.Field("lng", "outside_zone")
		}
		return pt, apperr.Field("lat", "outside_zone")
	}
	return pt, nil
}

// question reads what every living-circle question starts from: the
// minutes (default 15; EVALIDATION outside 1–60), the zone (zoneFor) and
// its walking graph (nil without one).
func (s *Service) question(ctx context.Context, m *int, zoneID string) (int, string, *Graph, error) {
	minutes := 15
	if m != nil {
		minutes = *m
	}
	if minutes < 1 || minutes > MaxMinutes {
		return 0, "", nil, apperr.Field("minutes", "out_of_range", "Min", 1, "Max", MaxMinutes)
	}
	zone, err := zoneFor(ctx, s.DB.R, Read, zoneID)
	if err != nil {
		return 0, "", nil, err
	}
	g, err := s.graph(ctx, zone)
	return minutes, zone, g, err
}

// scopedResources loads the zone's resources in the caller's scope.
func scopedResources(ctx context.Context, q db.Querier, zoneID string) ([]Resource, error) {
	var a db.Args
	where := access.From(ctx).Scope(Read).Where(&a, resourceAttach...)
	var out []Resource
	err := db.Each(ctx, q, `SELECT `+resourceCols+` FROM resources WHERE zone_id = `+a.Add(zoneID)+` AND `+where+` ORDER BY id`, a,
		func(s db.Scanner) error {
			r, err := scanResource(s)
			out = append(out, r)
			return err
		})
	return out, err
}

func pointOf(l geo.Point) orb.Point { return orb.Point{l.Lng, l.Lat} }

// measure is one origin's walks: over the graph where both ends lie on
// it, else the straight-line estimate.
type measure struct {
	g    *Graph
	w    *walk // nil: the origin is off the network
	orig orb.Point
}

func newMeasure(g *Graph, origin orb.Point, limit float64) measure {
	m := measure{g: g, orig: origin}
	if g != nil {
		if w, ok := g.from(origin, limit); ok {
			m.w = w
		}
	}
	return m
}

func (m measure) method() string {
	if m.w != nil {
		return Network
	}
	return Straight
}

// place is a point and where it joins the network (on: within MaxSnap).
type place struct {
	pt orb.Point
	s  snap
	on bool
}

// placeOf attaches p to the network of g (none when g is nil).
func placeOf(g *Graph, p orb.Point) place {
	pl := place{pt: p}
	if g != nil {
		pl.s, pl.on = g.snap(p)
	}
	return pl
}

// to measures the walk to p; the path comes when asked for and walked on
// the network. A network walk longer than the limit is +Inf.
func (m measure) to(p place, withPath bool) (float64, string, orb.LineString) {
	if m.w != nil && p.on {
		d, via := m.w.to(p.s)
		if via == -2 {
			return math.Inf(1), Network, nil
		}
		var path orb.LineString
		if withPath {
			path = m.w.path(p.pt, p.s, via)
		}
		return d, Network, path
	}
	return straight(m.orig, p.pt), Straight, nil
}

// LivingCircle answers what lies within q.Minutes (default 15) on foot of
// q.Place in the zone (q.ZoneID, or the caller's one zone): the resources
// the caller may see, by category in catalogue order, nearest first; the
// categories required by each circle up to q.Minutes that have no
// resource within their own circle; and the reachable area (the walkable
// stretch of the network, or a circle). Returns EVALIDATION on lat, lng
// (missing, out of range, outside the zone), minutes (1–60) or zone_id.
func (s *Service) LivingCircle(ctx context.Context, q Query) (Circle, error) {
	minutes, zone, g, err := s.question(ctx, q.Minutes, q.ZoneID)
	if err != nil {
		return Circle{}, err
	}
	origin, err := checkPlace(ctx, s.DB.R, zone, q.Place, g)
	if err != nil {
		return Circle{}, err
	}
	cats, err := catalogue(ctx, s.DB.R, zone)
	if err != nil {
		return Circle{}, err
	}
	res, err := scopedResources(ctx, s.DB.R, zone)
	if err != nil {
		return Circle{}, err
	}
	limit := Budget(minutes)
	m := newMeasure(g, origin, limit)
	out := Circle{ZoneID: zone, Origin: geo.Point{Lat: origin[1], Lng: origin[0]}, Minutes: minutes, MaxDistanceM: limit, Method: m.method(),
		WalkSpeed: WalkSpeed, DetourFactor: DetourFactor, Reachable: []Group{}, Missing: []Gap{}}
	within := map[string][]Reached{}
	nearest := map[string]*Reached{}
	for _, r := range res {
		p := pointOf(r.Location)
		var d float64
		var method string
		var path orb.LineString
		if orbgeo.DistanceHaversine(origin, p) <= limit { // no walk is shorter than the straight line
			d, method, path = m.to(placeOf(g, p), true)
		} else {
			d, method = straight(origin, p), Straight
		}
		reached := d <= limit
		if math.IsInf(d, 1) { // beyond the limit on the network: estimated, for "nearest"
			d, method = straight(origin, p), Straight
		}
		rc := Reached{Resource: r, DistanceM: roundM(d), WalkMinutes: Minutes(d), Method: method}
		if path != nil {
			rc.Path = geojson.NewGeometry(path)
		}
		if reached {
			within[r.Category] = append(within[r.Category], rc)
		} else if n := nearest[r.Category]; n == nil || d < n.DistanceM {
			rc.Path = nil
			nearest[r.Category] = &rc
		}
	}
	for _, c := range cats {
		rs := within[c.Code]
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].DistanceM < rs[j].DistanceM })
		if len(rs) > 0 {
			out.Reachable = append(out.Reachable, Group{Category: c.Code, Name: c.Name, NameEn: c.NameEn, Circle: c.Circle, Resources: rs})
		}
		if c.Circle == nil || *c.Circle > minutes {
			continue
		}
		if len(rs) > 0 && rs[0].DistanceM <= Budget(*c.Circle) {
			continue
		}
		gap := Gap{Category: c.Code, Name: c.Name, NameEn: c.NameEn, Circle: *c.Circle, Nearest: nearest[c.Code]}
		if len(rs) > 0 {
			gap.Nearest = &rs[0]
		}
		out.Missing = append(out.Missing, gap)
	}
	if m.w != nil {
		out.Area = geojson.NewGeometry(m.w.area())
	} else {
		out.Area = geojson.NewGeometry(circlePolygon(origin, limit/DetourFactor))
	}
	return out, nil
}
