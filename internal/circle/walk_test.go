package circle

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// east returns p moved metres east.
func east(p orb.Point, metres float64) orb.Point {
	return orbgeo.PointAtBearingAndDistance(p, 90, metres)
}

func TestLinesConnectOnlyWhereTheyShareAPosition(t *testing.T) {
	a := orb.Point{118.57, 24.80}
	b := east(a, 400)
	mid := east(a, 200)
	// A north–south line crossing the middle of a–b without a shared position.
	n, s := orbgeo.PointAtBearingAndDistance(mid, 0, 200), orbgeo.PointAtBearingAndDistance(mid, 180, 200)
	g := NewGraph([]orb.LineString{{a, b}, {n, s}})
	w, ok := g.from(a, 5000)
	if !ok {
		t.Fatal("a lies on the network")
	}
	target, _ := g.snap(n)
	if d, via := w.to(target); via != -2 || !math.IsInf(d, 1) {
		t.Fatalf("crossing without a shared position: reached at %.1f m", d)
	}
	// Sharing the crossing point, the two lines connect.
	g = NewGraph([]orb.LineString{{a, mid, b}, {n, mid, s}})
	w, _ = g.from(a, 5000)
	target, _ = g.snap(n)
	d, _ := w.to(target)
	if want := orbgeo.DistanceHaversine(a, mid) + orbgeo.DistanceHaversine(mid, n); math.Abs(d-want) > 0.5 {
		t.Fatalf("over the crossing: %.1f m, want %.1f", d, want)
	}
}

func TestAreaCutsTheSegmentAtTheLimit(t *testing.T) {
	a := orb.Point{118.57, 24.80}
	b := east(a, 1000)
	g := NewGraph([]orb.LineString{{a, b}})
	w, _ := g.from(a, 300)
	area := w.area()
	if len(area) != 1 {
		t.Fatalf("area %v", area)
	}
	if got := orbgeo.Length(area[0]); math.Abs(got-300) > 1 {
		t.Fatalf("reachable stretch %.1f m, want 300", got)
	}
	// Beyond MaxSnap from every road, a place is not on the network.
	if _, ok := g.snap(orbgeo.PointAtBearingAndDistance(a, 0, MaxSnap+10)); ok {
		t.Fatal("snapped from beyond MaxSnap")
	}
}

func TestHull(t *testing.T) {
	pts := []orb.Point{{0, 0}, {2, 0}, {2, 2}, {0, 2}, {1, 1}, {1, 0}, {0.5, 1.5}}
	h := hull(pts)
	if len(h) != 5 || h[0] != h[len(h)-1] {
		t.Fatalf("hull %v", h)
	}
	for _, p := range h {
		if p == (orb.Point{1, 1}) || p == (orb.Point{1, 0}) {
			t.Fatalf("inner or collinear point %v on the hull %v", p, h)
		}
	}
	if orb.Ring(h).Orientation() != orb.CCW {
		t.Fatal("the outer ring must run counter-clockwise")
	}
}
