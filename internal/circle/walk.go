package circle

import (
	"container/heap"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// Walking model. GB 50180-2018 sizes its life circles by walking distance:
// the 5-minute circle about 300 m, the 10-minute about 500 m, the
// 15-minute 800–1,000 m. One walking speed for every circle keeps minutes
// and metres consistent (a facility 8 minutes away is inside the 10-minute
// circle): 60 m a minute (1 m/s, 3.6 km/h — the pace of an older person or
// a parent with a child rather than a commuter's 4.5–5 km/h) gives 300 m,
// 600 m and 900 m. Without a road network, the walk is the straight line
// times DetourFactor: streets make a walk about a quarter longer than the
// crow flies in a grid-like district (route directness studies find
// 1.2–1.4), so the 15-minute circle reaches 720 m as the crow flies.
const (
	// WalkSpeed is metres walked a minute.
	WalkSpeed = 60.0
	// DetourFactor is walking distance over straight-line distance when no
	// road network is known.
	DetourFactor = 1.25
	// MaxSnap is how far a place may lie from the nearest road segment
	// for the network to measure its walk; farther (a place the imported
	// network does not reach), the straight-line estimate applies.
	MaxSnap = 300.0
)

// Budget is the walking distance of a circle of minutes.
func Budget(minutes int) float64 { return float64(minutes) * WalkSpeed }

// Minutes is the walking time of a distance, rounded up to a tenth.
func Minutes(metres float64) float64 { return math.Ceil(metres/WalkSpeed*10) / 10 }

// straight is the straight-line walking estimate between two points.
func straight(a, b orb.Point) float64 { return geo.DistanceHaversine(a, b) * DetourFactor }

// plane projects degrees to metres around a reference latitude
// (equirectangular): exact enough over the few kilometres of a zone to
// find nearest segments and cut them.
type plane struct{ lng0, lat0, kx, ky float64 }

const metresPerDegree = orb.EarthRadius * math.Pi / 180

func newPlane(ref orb.Point) plane {
	return plane{lng0: ref[0], lat0: ref[1], kx: metresPerDegree * math.Cos(ref[1]*math.Pi/180), ky: metresPerDegree}
}

func (p plane) xy(pt orb.Point) (float64, float64) {
	return (pt[0] - p.lng0) * p.kx, (pt[1] - p.lat0) * p.ky
}

func (p plane) point(x, y float64) orb.Point { return orb.Point{p.lng0 + x/p.kx, p.lat0 + y/p.ky} }

type segment struct {
	a, b   int32
	length float64
}

type edge struct {
	to     int32
	seg    int32
	length float64
}

// Graph is a walking network: nodes where lines share a position, a
// segment between each two consecutive positions of a line.
type Graph struct {
	nodes []orb.Point
	adj   [][]edge
	segs  []segment
	pl    plane
	cells map[[2]int32][]int32 // grid cell → segments crossing it
	bound orb.Bound
	// Length is the network's total length in metres.
	Length float64
}

const cellSize = 100.0 // metres

// NewGraph builds the graph of lines. Lines connect where they share a
// position (to 1e-7 degrees, about a centimetre); crossing lines without a
// shared position do not (a bridge over a road).
func NewGraph(lines []orb.LineString) *Graph {
	g := &Graph{cells: map[[2]int32][]int32{}}
	ids := map[[2]int64]int32{}
	node := func(p orb.Point) int32 {
		k := [2]int64{int64(math.Round(p[0] * 1e7)), int64(math.Round(p[1] * 1e7))}
		if id, ok := ids[k]; ok {
			return id
		}
		id := int32(len(g.nodes))
		ids[k] = id
		g.nodes = append(g.nodes, p)
		g.adj = append(g.adj, nil)
		return id
	}
	first := true
	for _, ls := range lines {
		for _, p := range ls {
			if first {
				g.bound, first = orb.Bound{Min: p, Max: p}, false
			}
			g.bound = g.bound.Extend(p)
		}
	}
	g.pl = newPlane(g.bound.Center())
	for _, ls := range lines {
		for i := 1; i < len(ls); i++ {
			a, b := node(ls[i-1]), node(ls[i])
			if a == b {
				continue
			}
			l := geo.DistanceHaversine(g.nodes[a], g.nodes[b])
			s := int32(len(g.segs))
			g.segs = append(g.segs, segment{a, b, l})
			g.adj[a] = append(g.adj[a], edge{b, s, l})
			g.adj[b] = append(g.adj[b], edge{a, s, l})
			g.Length += l
			g.index(s)
		}
	}
	return g
}

func (g *Graph) cell(x, y float64) [2]int32 {
	return [2]int32{int32(math.Floor(x / cellSize)), int32(math.Floor(y / cellSize))}
}

func (g *Graph) index(s int32) {
	ax, ay := g.pl.xy(g.nodes[g.segs[s].a])
	bx, by := g.pl.xy(g.nodes[g.segs[s].b])
	lo, hi := g.cell(min(ax, bx), min(ay, by)), g.cell(max(ax, bx), max(ay, by))
	for i := lo[0]; i <= hi[0]; i++ {
		for j := lo[1]; j <= hi[1]; j++ {
			g.cells[[2]int32{i, j}] = append(g.cells[[2]int32{i, j}], s)
		}
	}
}

// Segments is the number of segments.
func (g *Graph) Segments() int { return len(g.segs) }

// Bound is the box holding every node.
func (g *Graph) Bound() orb.Bound { return g.bound }

// snap is a place attached to the network: the nearest point of segment
// seg, at fraction t from its a end, leg metres from the place.
type snap struct {
	seg int32
	t   float64
	leg float64
	at  orb.Point
}

// snap finds the nearest segment within MaxSnap of p.
func (g *Graph) snap(p orb.Point) (snap, bool) {
	px, py := g.pl.xy(p)
	c := g.cell(px, py)
	r := int32(math.Ceil(MaxSnap / cellSize))
	best := snap{seg: -1, leg: math.Inf(1)}
	for i := c[0] - r; i <= c[0]+r; i++ {
		for j := c[1] - r; j <= c[1]+r; j++ {
			for _, s := range g.cells[[2]int32{i, j}] { // a segment in several cells is measured again: cheaper than remembering it
				ax, ay := g.pl.xy(g.nodes[g.segs[s].a])
				bx, by := g.pl.xy(g.nodes[g.segs[s].b])
				dx, dy := bx-ax, by-ay
				t := 0.0
				if l2 := dx*dx + dy*dy; l2 > 0 {
					t = min(1, max(0, ((px-ax)*dx+(py-ay)*dy)/l2))
				}
				qx, qy := ax+t*dx, ay+t*dy
				if d := math.Hypot(px-qx, py-qy); d < best.leg {
					best = snap{seg: s, t: t, leg: d, at: g.pl.point(qx, qy)}
				}
			}
		}
	}
	return best, best.seg >= 0 && best.leg <= MaxSnap
}

// walk is one bounded shortest-path search from an origin.
type walk struct {
	g      *Graph
	origin orb.Point
	from   snap
	limit  float64
	dist   map[int32]float64
	prev   map[int32]int32 // -1: reached from the origin's segment
}

type item struct {
	n int32
	d float64
}
type queue []item

func (q queue) Len() int                { return len(q) }
func (q queue) Less(i, j int) bool      { return q[i].d < q[j].d }
func (q queue) Swap(i, j int)           { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)             { *q = append(*q, x.(item)) }
func (q *queue) Pop() any               { o := *q; x := o[len(o)-1]; *q = o[:len(o)-1]; return x }
func (q *queue) add(n int32, d float64) { heap.Push(q, item{n, d}) }

// from runs Dijkstra from p over the network up to limit metres (the walk
// to the network included). ok is false when p lies farther than MaxSnap
// from every segment.
func (g *Graph) from(p orb.Point, limit float64) (*walk, bool) {
	s, ok := g.snap(p)
	if !ok {
		return nil, false
	}
	w := &walk{g: g, origin: p, from: s, limit: limit, dist: map[int32]float64{}, prev: map[int32]int32{}}
	seg := g.segs[s.seg]
	q := &queue{}
	for _, st := range []item{{seg.a, s.leg + s.t*seg.length}, {seg.b, s.leg + (1-s.t)*seg.length}} {
		if old, ok := w.dist[st.n]; (!ok || st.d < old) && st.d <= limit {
			w.dist[st.n], w.prev[st.n] = st.d, -1
			q.add(st.n, st.d)
		}
	}
	for q.Len() > 0 {
		it := heap.Pop(q).(item)
		if it.d > w.dist[it.n] {
			continue
		}
		for _, e := range g.adj[it.n] {
			d := it.d + e.length
			if d > limit {
				continue
			}
			if old, ok := w.dist[e.to]; !ok || d < old {
				w.dist[e.to], w.prev[e.to] = d, it.n
				q.add(e.to, d)
			}
		}
	}
	return w, true
}

// to returns the walking distance to a snapped target and the network
// node the walk enters the target's segment by (-1: along the origin's own
// segment; -2: not reachable within the limit).
func (w *walk) to(t snap) (float64, int32) {
	best, via := math.Inf(1), int32(-2)
	seg := w.g.segs[t.seg]
	if t.seg == w.from.seg {
		best, via = w.from.leg+math.Abs(w.from.t-t.t)*seg.length+t.leg, -1
	}
	if d, ok := w.dist[seg.a]; ok && d+t.t*seg.length+t.leg < best {
		best, via = d+t.t*seg.length+t.leg, seg.a
	}
	if d, ok := w.dist[seg.b]; ok && d+(1-t.t)*seg.length+t.leg < best {
		best, via = d+(1-t.t)*seg.length+t.leg, seg.b
	}
	return best, via
}

// path is the walk to target t entering its segment by via: the origin,
// its point on the network, the nodes walked, the target's point on the
// network and the target.
func (w *walk) path(target orb.Point, t snap, via int32) orb.LineString {
	var nodes []orb.Point
	for n := via; n >= 0; n = w.prev[n] {
		nodes = append(nodes, w.g.nodes[n])
	}
	ls := orb.LineString{w.origin, w.from.at}
	for i := len(nodes) - 1; i >= 0; i-- {
		ls = append(ls, nodes[i])
	}
	return append(ls, t.at, target)
}

// area is the part of the network within the limit: every segment walked
// whole, and the reachable stretch of each segment walked in part.
func (w *walk) area() orb.MultiLineString {
	var out orb.MultiLineString
	g := w.g
	cut := func(from, to int32, metres, length float64) orb.LineString {
		ax, ay := g.pl.xy(g.nodes[from])
		bx, by := g.pl.xy(g.nodes[to])
		f := min(1, metres/length)
		return orb.LineString{g.nodes[from], g.pl.point(ax+f*(bx-ax), ay+f*(by-ay))}
	}
	for _, seg := range g.segs {
		da, okA := w.dist[seg.a]
		db, okB := w.dist[seg.b]
		switch {
		case !okA && !okB:
			continue
		case okA && okB && da+db+seg.length <= 2*w.limit: // the farthest point, where the walks from both ends meet, is within reach
			out = append(out, orb.LineString{g.nodes[seg.a], g.nodes[seg.b]})
		default:
			if okA && w.limit > da {
				out = append(out, cut(seg.a, seg.b, w.limit-da, seg.length))
			}
			if okB && w.limit > db {
				out = append(out, cut(seg.b, seg.a, w.limit-db, seg.length))
			}
		}
	}
	return out
}

// circlePolygon is the straight-line reachable area: a circle of radius
// metres around c, as a 48-sided polygon.
func circlePolygon(c orb.Point, metres float64) orb.Polygon {
	ring := make(orb.Ring, 0, 49)
	for i := 0; i <= 48; i++ {
		ring = append(ring, geo.PointAtBearingAndDistance(c, float64(i%48)*7.5, metres))
	}
	return orb.Polygon{ring}
}
