package circleapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strings"
	"sync"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/testenv"
)

var ctx = context.Background()

// The origin of the hand-made fixtures (五里园, 晋江经济开发区).
const lat0, lng0 = 24.80, 118.57

// earth is the sphere's radius the service measures on (orb.EarthRadius).
const earth = 6378137.0

// haversine is the great-circle distance in metres, written out here so
// the expected figures do not come from the code under test.
func haversine(lat1, lng1, lat2, lng2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earth * math.Asin(math.Sqrt(a))
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

type world struct {
	srv          *testenv.Server
	admin        *client.Client
	wuli, andong client.Park
}

func newWorld(t *testing.T, dsn string) world {
	srv := testenv.Start(t, dsn)
	return world{srv: srv, admin: srv.Admin(), wuli: srv.Park("五里园", "wuli"), andong: srv.Park("安东园", "andong")}
}

func (w world) resource(t *testing.T, park, name, category string, lat, lng float64) client.Resource {
	t.Helper()
	r, err := w.admin.CreateResource(ctx, map[string]any{"park_id": park, "name": name, "category": category,
		"location": map[string]float64{"lat": lat, "lng": lng}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (w world) enterprise(t *testing.T, park, name string, workers int, lat, lng float64) string {
	t.Helper()
	var e struct {
		ID string `json:"id"`
	}
	if err := w.admin.Call(ctx, "POST", "/api/v1/enterprises", map[string]any{"park_id": park, "name": name, "uscc": testenv.USCC(),
		"employees": workers, "location": map[string]float64{"lat": lat, "lng": lng}}, &e); err != nil {
		t.Fatal(err)
	}
	return e.ID
}

func circleAt(t *testing.T, c *client.Client, lat, lng float64, minutes int) client.LivingCircle {
	t.Helper()
	lc, err := c.LivingCircle(ctx, url.Values{"lat": {fmt.Sprint(lat)}, "lng": {fmt.Sprint(lng)}, "minutes": {fmt.Sprint(minutes)}})
	if err != nil {
		t.Fatal(err)
	}
	return lc
}

func find(lc client.LivingCircle, id string) *client.Reached {
	for _, g := range lc.Reachable {
		for i := range g.Resources {
			if g.Resources[i].ID == id {
				return &g.Resources[i]
			}
		}
	}
	return nil
}

func missing(lc client.LivingCircle, code string) *client.CircleGap {
	for i := range lc.Missing {
		if lc.Missing[i].Category == code {
			return &lc.Missing[i]
		}
	}
	return nil
}

// Without a road network a walk is the straight line × 1.25 at 60 m a
// minute; each circle's required categories count only inside their own
// circle.
func TestStraightLineDistancesAndGaps(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		// 0.005° north: 556.6 m as the crow flies, 695.7 m on foot, 11.6 min.
		clinic := w.resource(t, w.wuli.ID, "五里园社区卫生服务站", "health_station", lat0+0.005, lng0)
		// 0.0036° north: 400.8 m, 500.9 m on foot — inside 15 minutes, outside the 5-minute circle.
		kinder := w.resource(t, w.wuli.ID, "五里园幼儿园", "kindergarten", lat0+0.0036, lng0)
		// 0.002° east: 202 m, 252.5 m on foot — inside the 5-minute circle.
		store := w.resource(t, w.wuli.ID, "五里便利店", "convenience_store", lat0, lng0+0.002)

		lc := circleAt(t, w.admin, lat0, lng0, 15)
		if lc.Method != "straight_line" || lc.MaxDistanceM != 900 || lc.WalkSpeed != 60 || lc.DetourFactor != 1.25 || lc.Area.Type != "Polygon" {
			t.Fatalf("model: %+v", lc)
		}
		want := haversine(lat0, lng0, lat0+0.005, lng0) * 1.25
		r := find(lc, clinic.ID)
		if r == nil || !near(r.DistanceM, want, 0.11) || r.WalkMinutes != math.Ceil(want/60*10)/10 || r.Method != "straight_line" || r.Path != nil {
			t.Fatalf("clinic: %+v, want %.1f m", r, want)
		}
		if r := find(lc, store.ID); r == nil || !near(r.DistanceM, haversine(lat0, lng0, lat0, lng0+0.002)*1.25, 0.11) {
			t.Fatalf("store: %+v", r)
		}
		if find(lc, kinder.ID) == nil {
			t.Fatal("the kindergarten is within 15 minutes")
		}
		// The kindergarten lies beyond its own 5-minute circle; the store
		// is inside its own; the health station (5) beyond, too.
		if g := missing(lc, "kindergarten"); g == nil || g.Circle != 5 || g.Nearest == nil || g.Nearest.ID != kinder.ID {
			t.Fatalf("kindergarten gap: %+v", g)
		}
		if missing(lc, "convenience_store") != nil {
			t.Fatal("the store is within 5 minutes")
		}
		if g := missing(lc, "health_station"); g == nil || g.Nearest.ID != clinic.ID {
			t.Fatalf("health station gap: %+v", g)
		}
		if g := missing(lc, "primary_school"); g == nil || g.Circle != 10 || g.Nearest != nil {
			t.Fatalf("primary school gap: %+v", g)
		}
		if missing(lc, "hospital") != nil {
			t.Fatal("no circle requires a hospital")
		}
		// 10 minutes (600 m): the clinic is out of reach and the 15-minute
		// categories are not asked about.
		lc = circleAt(t, w.admin, lat0, lng0, 10)
		if find(lc, clinic.ID) != nil || find(lc, kinder.ID) == nil || missing(lc, "middle_school") != nil || missing(lc, "primary_school") == nil {
			t.Fatalf("10 minutes: %+v", lc)
		}
		// 3 minutes: no circle fits, nothing is required.
		lc = circleAt(t, w.admin, lat0, lng0, 3)
		if len(lc.Missing) != 0 || find(lc, store.ID) != nil {
			t.Fatalf("3 minutes (180 m): %+v", lc)
		}
	})
}

func line(coords ...[2]float64) map[string]any {
	cs := make([][]float64, len(coords))
	for i, c := range coords {
		cs[i] = []float64{c[0], c[1]}
	}
	return map[string]any{"type": "Feature", "properties": map[string]any{"name": "路", "highway": "footway"},
		"geometry": map[string]any{"type": "LineString", "coordinates": cs}}
}

func roads(features ...map[string]any) map[string]any {
	fs := make([]any, len(features))
	for i, f := range features {
		fs[i] = f
	}
	return map[string]any{"type": "FeatureCollection", "features": fs}
}

// Over an imported network the walk follows the roads: the shortest path
// (an L around a block, or the diagonal once there is one), with the legs
// to and from the network.
func TestNetworkDistances(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		A, B, C := [2]float64{lng0, lat0}, [2]float64{lng0 + 0.01, lat0}, [2]float64{lng0 + 0.01, lat0 + 0.01}
		net, err := w.admin.ImportRoads(ctx, roads(line(A, B), line(B, C)))
		if err != nil {
			t.Fatal(err)
		}
		ab, bc := haversine(A[1], A[0], B[1], B[0]), haversine(B[1], B[0], C[1], C[0])
		if net.Segments != 2 || net.Nodes != 3 || !near(net.LengthM, ab+bc, 0.1) || net.BBox == nil {
			t.Fatalf("network %+v, want %.1f m", net, ab+bc)
		}
		school := w.resource(t, w.wuli.ID, "五里园小学", "primary_school", C[1], C[0])
		lc := circleAt(t, w.admin, A[1], A[0], 40) // 2,400 m
		r := find(lc, school.ID)
		if lc.Method != "network" || r == nil || r.Method != "network" || !near(r.DistanceM, ab+bc, 0.2) || r.Path == nil || r.Path.Type != "LineString" {
			t.Fatalf("over the L: %+v, want %.1f m", r, ab+bc)
		}
		if lc.Area.Type != "MultiLineString" {
			t.Fatalf("area %s", lc.Area.Type)
		}
		// 30 minutes (1,800 m) is short of the L (about 2,124 m), though the
		// straight-line estimate (about 1,879 m) would not be far off.
		lc = circleAt(t, w.admin, A[1], A[0], 30)
		if find(lc, school.ID) != nil {
			t.Fatal("the school is beyond 30 minutes over the roads")
		}
		if g := missing(lc, "primary_school"); g == nil || g.Nearest == nil || g.Nearest.ID != school.ID {
			t.Fatalf("gap %+v", g)
		}
		// A place 50 m south of the middle of A–B walks 50 m to the road.
		mid := [2]float64{lng0 + 0.005, lat0 - 50/(earth*math.Pi/180)}
		lc = circleAt(t, w.admin, mid[1], mid[0], 40)
		want := 50 + ab/2 + bc
		if r := find(lc, school.ID); r == nil || !near(r.DistanceM, want, 1) {
			t.Fatalf("from beside the road: %+v, want %.1f", r, want)
		}
		// A diagonal A–C: the walk takes it.
		if _, err := w.admin.ImportRoads(ctx, roads(line(A, B), line(B, C), line(A, C))); err != nil {
			t.Fatal(err)
		}
		lc = circleAt(t, w.admin, A[1], A[0], 30)
		if r := find(lc, school.ID); r == nil || !near(r.DistanceM, haversine(A[1], A[0], C[1], C[0]), 0.2) {
			t.Fatalf("over the diagonal: %+v", r)
		}
		// A resource far from every road is measured straight.
		far := w.resource(t, w.wuli.ID, "离路较远的小店", "convenience_store", lat0-0.005, lng0)
		lc = circleAt(t, w.admin, A[1], A[0], 15)
		if r := find(lc, far.ID); r == nil || r.Method != "straight_line" || !near(r.DistanceM, haversine(lat0, lng0, lat0-0.005, lng0)*1.25, 0.11) {
			t.Fatalf("off the network: %+v", r)
		}
		// A network larger than an ordinary body (1 MiB) is taken whole.
		var many []map[string]any
		for i := range 15000 {
			y := lat0 + float64(i)*0.00001
			many = append(many, line([2]float64{lng0, y}, [2]float64{lng0 + 0.0005, y}))
		}
		if big, err := w.admin.ImportRoads(ctx, roads(many...)); err != nil || big.Segments != 15000 {
			t.Fatalf("a 15,000-line network: %+v %v", big, err)
		}
		// An empty collection removes the network.
		if _, err := w.admin.ImportRoads(ctx, roads()); err != nil {
			t.Fatal(err)
		}
		if lc := circleAt(t, w.admin, A[1], A[0], 15); lc.Method != "straight_line" || w.srv.Count("road_networks") != 0 {
			t.Fatalf("after removing the network: %s", lc.Method)
		}
	})
}

// The coverage of a hand-made park: three enterprises, two of them 111 m
// apart and 2.2 km from the first. The greedy choice must serve the pair
// (80 workers) before the single larger one (60).
func TestCoverageSuggestsWhereMostWorkersLack(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		e1 := w.enterprise(t, w.wuli.ID, "甲企业", 60, lat0, lng0)
		e2 := w.enterprise(t, w.wuli.ID, "乙企业", 50, lat0+0.02, lng0)
		e3 := w.enterprise(t, w.wuli.ID, "丙企业", 30, lat0+0.021, lng0)
		w.enterprise(t, w.andong.ID, "他园企业", 500, lat0-0.05, lng0) // another park: not asked about
		w.resource(t, w.wuli.ID, "甲企业旁幼儿园", "kindergarten", lat0+0.0009, lng0)

		cov, err := w.admin.CircleCoverage(ctx, url.Values{"park_id": {w.wuli.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if cov.Enterprises != 3 || cov.Workers != 140 || cov.UncoveredWorkers != 140 || len(cov.Parks) != 1 || cov.GapsTotal != 3 {
			t.Fatalf("figures %+v", cov)
		}
		for _, c := range cov.Categories {
			switch c.Category {
			case "kindergarten":
				// One kindergarten between the pair (111 m apart; the 5-minute
				// circle reaches 240 m straight) serves both.
				if c.CoveredWorkers != 60 || c.UncoveredWorkers != 80 || c.UncoveredEnterprises != 2 || c.Suggestion == nil ||
					c.Suggestion.CoversWorkers != 80 || c.Suggestion.CoversEnterprises != 2 {
					t.Fatalf("kindergarten %+v", c)
				}
			case "primary_school":
				// 10 minutes (480 m straight) cannot join the pair and the first
				// (2.2 km apart): the pair's 80 workers beat the single 60.
				if c.CoveredWorkers != 0 || c.UncoveredWorkers != 140 || c.Suggestion == nil || c.Suggestion.CoversWorkers != 80 {
					t.Fatalf("primary school %+v", c)
				}
			}
		}
		if cov.Gaps[0].EnterpriseID != e1 || len(cov.Gaps[0].Missing) != len(cov.Categories)-1 {
			t.Fatalf("first gap %+v", cov.Gaps[0])
		}
		if len(cov.Suggestions) != 2 {
			t.Fatalf("suggestions %+v", cov.Suggestions)
		}
		s1, s2 := cov.Suggestions[0], cov.Suggestions[1]
		reach := 900 / 1.25
		if s1.CoversWorkers != 80 || s1.CoversEnterprises != 2 ||
			haversine(s1.Location.Lat, s1.Location.Lng, lat0+0.02, lng0) > reach || haversine(s1.Location.Lat, s1.Location.Lng, lat0+0.021, lng0) > reach {
			t.Fatalf("first suggestion %+v", s1)
		}
		if s2.CoversWorkers != 60 || s2.CoversEnterprises != 1 || haversine(s2.Location.Lat, s2.Location.Lng, lat0, lng0) > reach {
			t.Fatalf("second suggestion %+v", s2)
		}
		_, _ = e2, e3

		// 1 minute (60 m, 48 m straight): nothing reaches both of the pair
		// (111 m apart), so the larger single enterprise comes first.
		cov, err = w.admin.CircleCoverage(ctx, url.Values{"park_id": {w.wuli.ID}, "minutes": {"1"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(cov.Suggestions) != 3 || cov.Suggestions[0].CoversWorkers != 60 || cov.Suggestions[1].CoversWorkers != 50 || cov.Suggestions[2].CoversWorkers != 30 {
			t.Fatalf("1 minute: %+v", cov.Suggestions)
		}
		if s := cov.Suggestions[0]; s.Kind != "enterprise" || s.EnterpriseID == nil || *s.EnterpriseID != e1 {
			t.Fatalf("the first site is the enterprise itself (the first candidate of the tie): %+v", s)
		}

		// Over a road network the candidates are its nodes too.
		if _, err := w.admin.ImportRoads(ctx, roads(line([2]float64{lng0, lat0 + 0.0195}, [2]float64{lng0, lat0 + 0.0215}))); err != nil {
			t.Fatal(err)
		}
		cov, err = w.admin.CircleCoverage(ctx, url.Values{"park_id": {w.wuli.ID}})
		if err != nil || cov.Method != "network" || cov.Suggestions[0].CoversWorkers != 80 {
			t.Fatalf("over the network: %+v %v", cov, err)
		}
	})
}

// The catalogue: the built-in default until a zone administrator edits
// it, then the zone's own copy.
func TestCategories(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		cats, err := w.admin.ResourceCategories(ctx, nil)
		if err != nil || cats.Total != 30 || w.srv.Count("resource_categories") != 0 {
			t.Fatalf("default %d %v", cats.Total, err)
		}
		circles := map[string]*int{}
		var kinder client.ResourceCategory
		for _, c := range cats.Items {
			circles[c.Code] = c.Circle
			if c.Code == "kindergarten" {
				kinder = c
			}
		}
		for code, want := range map[string]int{"kindergarten": 5, "primary_school": 10, "middle_school": 15, "fresh_market": 10, "health_station": 5} {
			if circles[code] == nil || *circles[code] != want {
				t.Fatalf("%s: circle %v, want %d", code, circles[code], want)
			}
		}
		if circles["hospital"] != nil || !kinder.Builtin {
			t.Fatal("hospital is required by no circle")
		}
		// A park administrator reads the zone's catalogue, but may not edit it.
		pa := w.srv.User("wuli-admin", access.ParkAdmin, w.wuli.ID)
		if l, err := pa.ResourceCategories(ctx, nil); err != nil || l.Total != 30 {
			t.Fatalf("park admin: %d %v", l.Total, err)
		}
		_, err = pa.UpdateResourceCategory(ctx, kinder.ID, map[string]any{"circle": 10}, 0)
		testenv.WantStatus(t, err, 403)

		up, err := w.admin.UpdateResourceCategory(ctx, kinder.ID, map[string]any{"circle": 10, "name": "幼儿园（含托儿所）"}, 1)
		if err != nil || up.ID != kinder.ID || up.Version != 2 || *up.Circle != 10 {
			t.Fatalf("update %+v %v", up, err)
		}
		if w.srv.Count("resource_categories") != 30 {
			t.Fatal("the first edit copies the catalogue in")
		}
		_, err = w.admin.UpdateResourceCategory(ctx, kinder.ID, map[string]any{"circle": 5}, 1)
		testenv.WantStatus(t, err, 412)
		own, err := w.admin.CreateResourceCategory(ctx, map[string]any{"code": "workers_home", "name": "职工之家", "name_en": "Workers' home", "circle": 15})
		if err != nil || own.Builtin {
			t.Fatal(err)
		}
		_, err = w.admin.CreateResourceCategory(ctx, map[string]any{"code": "workers_home", "name": "重复"})
		testenv.WantStatus(t, err, 409)
		r := w.resource(t, w.wuli.ID, "职工之家", "workers_home", lat0, lng0)
		testenv.WantStatus(t, w.admin.DeleteResourceCategory(ctx, own.ID, 1), 409)
		if lc := circleAt(t, w.admin, lat0, lng0, 15); missing(lc, "kindergarten") == nil || missing(lc, "kindergarten").Circle != 10 {
			t.Fatal("the edited circle is used")
		}
		if err := w.admin.DeleteResource(ctx, r.ID, 1); err != nil {
			t.Fatal(err)
		}
		if err := w.admin.DeleteResourceCategory(ctx, own.ID, 1); err != nil {
			t.Fatal(err)
		}
		// Another zone still has the default; its administrator cannot see ours.
		oz := w.srv.Zone("另一开发区")
		ozAdmin := w.srv.UserIn("oz-admin", oz, access.ZoneAdmin, oz)
		l, err := ozAdmin.ResourceCategories(ctx, nil)
		if err != nil || l.Total != 30 || l.Items[0].ZoneID != oz {
			t.Fatalf("other zone %v", err)
		}
		_, err = ozAdmin.UpdateResourceCategory(ctx, kinder.ID, map[string]any{"circle": 15}, 0)
		testenv.WantStatus(t, err, 404)
		_, err = ozAdmin.ResourceCategories(ctx, url.Values{"zone_id": {w.srv.ZoneID}})
		testenv.WantStatus(t, err, 422)
	})
}

func TestResourceCRUDAndScope(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		school := w.resource(t, w.wuli.ID, "五里园实验小学", "primary_school", lat0+0.001, lng0)
		shop := w.resource(t, w.andong.ID, "安东园廉租房店面", "low_rent_shop", lat0+0.001, lng0+0.001)
		up, err := w.admin.UpdateResource(ctx, school.ID, map[string]any{"address": "五里园中路 8 号", "location": map[string]float64{"lat": lat0 + 0.002, "lng": lng0}}, 1)
		if err != nil || up.Version != 2 || up.Location.Lat != lat0+0.002 {
			t.Fatalf("update %+v %v", up, err)
		}
		for q, want := range map[string]int{"category=primary_school": 1, "park_id=" + w.andong.ID: 1, "q=" + url.QueryEscape("小学"): 1,
			"q=" + url.QueryEscape("廉租"): 1, "q=wlysyxx": 1, "": 2} {
			vals, _ := url.ParseQuery(q)
			if l, err := w.admin.ListResources(ctx, vals); err != nil || l.Total != want {
				t.Fatalf("%s: %d %v", q, l.Total, err)
			}
		}
		pa := w.srv.User("wuli-admin", access.ParkAdmin, w.wuli.ID)
		if l, err := pa.ListResources(ctx, nil); err != nil || l.Total != 1 || l.Items[0].ID != school.ID {
			t.Fatalf("park admin lists %+v %v", l, err)
		}
		_, err = pa.GetResource(ctx, shop.ID)
		testenv.WantStatus(t, err, 404)
		_, err = pa.UpdateResource(ctx, shop.ID, map[string]any{"name": "x"}, 0)
		testenv.WantStatus(t, err, 404)
		_, err = pa.CreateResource(ctx, map[string]any{"park_id": w.andong.ID, "name": "越界", "category": "hospital", "location": map[string]float64{"lat": lat0, "lng": lng0}})
		testenv.WantStatus(t, err, 422)
		// The living circle and the coverage show only what the caller may see.
		lc := circleAt(t, pa, lat0, lng0, 15)
		if find(lc, school.ID) == nil || find(lc, shop.ID) != nil {
			t.Fatalf("park admin's circle %+v", lc.Reachable)
		}
		_, err = pa.CircleCoverage(ctx, url.Values{"park_id": {w.andong.ID}})
		testenv.WantStatus(t, err, 422)
		member := w.srv.User("member", access.Member, w.wuli.ID)
		_, err = member.UpdateResource(ctx, school.ID, map[string]any{"name": "x"}, 0)
		testenv.WantStatus(t, err, 403)
		if err := w.admin.DeleteResource(ctx, school.ID, 2); err != nil {
			t.Fatal(err)
		}
		for _, action := range []string{"create", "update", "delete"} {
			if w.srv.Count("audit_log", "entity = 'resource' AND entity_id = $1 AND action = $2", school.ID, action) != 1 {
				t.Fatalf("no %s audit entry", action)
			}
		}
	})
}

func TestBadInputChangesNothing(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		w.resource(t, w.wuli.ID, "五里园幼儿园", "kindergarten", lat0, lng0)
		if _, err := w.admin.ImportRoads(ctx, roads(line([2]float64{lng0, lat0}, [2]float64{lng0 + 0.001, lat0}))); err != nil {
			t.Fatal(err)
		}
		counts := func() [5]int {
			return [5]int{w.srv.Count("resources"), w.srv.Count("resource_categories"), w.srv.Count("road_networks"), w.srv.Count("audit_log"),
				w.srv.Count("road_networks", "version = 1")}
		}
		before := counts()
		place := func(q string) string { return "/api/v1/living-circle?" + q }
		ls := func(coords string) string {
			return `{"type":"FeatureCollection","features":[{"type":"Feature","properties":null,"geometry":{"type":"LineString","coordinates":` + coords + `}}]}`
		}
		cases := []struct {
			name, method, path, body string
			status                   int
			field, code              string
		}{
			{"no lat", "GET", place("lng=118.57"), "", 422, "lat", "required"},
			{"lat not a number", "GET", place("lat=abc&lng=118.57"), "", 422, "lat", "not_number"},
			{"lat NaN", "GET", place("lat=NaN&lng=118.57"), "", 422, "lat", "not_number"},
			{"lat out of range", "GET", place("lat=91&lng=118.57"), "", 422, "lat", "out_of_range"},
			{"lng out of range", "GET", place("lat=24.8&lng=-181"), "", 422, "lng", "out_of_range"},
			{"outside the zone (Beijing)", "GET", place("lat=39.9&lng=116.4"), "", 422, "lat", "outside_zone"},
			{"outside the zone to the east", "GET", place("lat=24.8&lng=119.5"), "", 422, "lng", "outside_zone"},
			{"minutes 0", "GET", place("lat=24.8&lng=118.57&minutes=0"), "", 422, "minutes", "out_of_range"},
			{"minutes 61", "GET", place("lat=24.8&lng=118.57&minutes=61"), "", 422, "minutes", "out_of_range"},
			{"minutes absurd", "GET", place("lat=24.8&lng=118.57&minutes=99999999999999999999"), "", 422, "minutes", "not_integer"},
			{"minutes a fraction", "GET", place("lat=24.8&lng=118.57&minutes=7.5"), "", 422, "minutes", "not_integer"},
			{"coverage minutes", "GET", "/api/v1/living-circle/coverage?minutes=-1", "", 422, "minutes", "out_of_range"},
			{"unknown zone", "GET", place("lat=24.8&lng=118.57&zone_id=nope"), "", 422, "zone_id", "unknown_value"},
			{"not a FeatureCollection", "POST", "/api/v1/road-network", `{"type":"Feature","features":[]}`, 422, "type", "geojson_type"},
			{"no features", "POST", "/api/v1/road-network", `{"type":"FeatureCollection"}`, 422, "features", "required"},
			{"features not an array", "POST", "/api/v1/road-network", `{"type":"FeatureCollection","features":{}}`, 400, "features", "wrong_type"},
			{"feature type", "POST", "/api/v1/road-network", `{"type":"FeatureCollection","features":[{"type":"Point","geometry":{"type":"LineString","coordinates":[[118.57,24.8],[118.58,24.8]]}}]}`, 422, "features.0.type", "geojson_type"},
			{"no geometry", "POST", "/api/v1/road-network", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null}]}`, 422, "features.0.geometry", "required"},
			{"polygon", "POST", "/api/v1/road-network", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[]}}]}`, 422, "features.0.geometry.type", "geojson_type"},
			{"one position", "POST", "/api/v1/road-network", ls(`[[118.57,24.8]]`), 422, "features.0.geometry.coordinates", "too_few_positions"},
			{"short position", "POST", "/api/v1/road-network", ls(`[[118.57,24.8],[118.58]]`), 422, "features.0.geometry.coordinates.1", "invalid_position"},
			{"text position", "POST", "/api/v1/road-network", ls(`[[118.57,24.8],["118.58",24.8]]`), 422, "features.0.geometry.coordinates.1", "invalid_position"},
			{"longitude out of range", "POST", "/api/v1/road-network", ls(`[[218.57,24.8],[118.58,24.8]]`), 422, "features.0.geometry.coordinates.0.0", "out_of_range"},
			{"latitude out of range", "POST", "/api/v1/road-network", ls(`[[118.57,24.8],[118.58,-94.8]]`), 422, "features.0.geometry.coordinates.1.1", "out_of_range"},
			{"coordinates not an array", "POST", "/api/v1/road-network", ls(`"x"`), 422, "features.0.geometry.coordinates", "invalid_coordinates"},
			{"multi line part", "POST", "/api/v1/road-network", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"MultiLineString","coordinates":[[[118.57,24.8],[118.58,24.8]],[[1,2]]]}}]}`, 422, "features.0.geometry.coordinates.1", "too_few_positions"},
			{"NUL in a road name", "POST", "/api/v1/road-network", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"a\u0000"},"geometry":{"type":"LineString","coordinates":[[118.57,24.8],[118.58,24.8]]}}]}`, 422, "features.0.properties.name", "control_chars"},
			{"unknown member", "POST", "/api/v1/road-network", `{"type":"FeatureCollection","features":[],"extra":1}`, 400, "extra", "unknown_field"},
			{"zone of nobody", "POST", "/api/v1/road-network", `{"type":"FeatureCollection","zone_id":"nope","features":[]}`, 422, "zone_id", "unknown_value"},
			{"unknown category", "POST", "/api/v1/resources", `{"park_id":"` + w.wuli.ID + `","name":"x","category":"spa","location":{"lat":24.8,"lng":118.57}}`, 422, "category", "unknown_value"},
			{"no location", "POST", "/api/v1/resources", `{"park_id":"` + w.wuli.ID + `","name":"x","category":"hospital"}`, 422, "location", "required"},
			{"location out of range", "POST", "/api/v1/resources", `{"park_id":"` + w.wuli.ID + `","name":"x","category":"hospital","location":{"lat":95,"lng":118}}`, 422, "location.lat", "out_of_range"},
			{"category circle", "POST", "/api/v1/resource-categories", `{"code":"gym","name":"健身房","circle":7}`, 422, "circle", "invalid_choice"},
			{"category code", "POST", "/api/v1/resource-categories", `{"code":"Gym!","name":"健身房"}`, 422, "code", "code_format"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				status, _, body := testenv.Raw(t, w.admin, tc.method, tc.path, tc.body, map[string]string{"Content-Type": "application/json", "Accept-Language": "en"})
				if status != tc.status || !strings.Contains(body, `"field":"`+tc.field+`","code":"`+tc.code+`"`) {
					t.Fatalf("status %d, want %d %s/%s: %s", status, tc.status, tc.field, tc.code, body)
				}
			})
		}
		// Oversize: 413, nothing read into the network.
		big := `{"type":"FeatureCollection","features":[` + strings.Repeat(`{"type":"Feature","geometry":{"type":"LineString","coordinates":[[118.57,24.8],[118.58,24.8]]}},`, 200_000) + `]}`
		if status, _, body := testenv.Raw(t, w.admin, "POST", "/api/v1/road-network", big, map[string]string{"Content-Type": "application/json"}); status != 413 {
			t.Fatalf("oversize: %d %s", status, body)
		}
		// Messages come in the caller's language, zh-CN first.
		_, _, body := testenv.Raw(t, w.admin, "GET", place("lat=39.9&lng=116.4"), "", nil)
		var p client.Problem
		if json.Unmarshal([]byte(body), &p) != nil || !strings.Contains(p.Errors[0].Message, "不在本开发区范围内") {
			t.Fatalf("zh-CN message: %s", body)
		}
		if got := counts(); got != before {
			t.Fatalf("bad input changed rows: %v → %v", before, got)
		}
	})
}

// Concurrent first edits of a zone's catalogue copy the default in once.
func TestConcurrentFirstEdits(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := w.admin.CreateResourceCategory(ctx, map[string]any{"code": fmt.Sprintf("extra_%d", i), "name": fmt.Sprintf("类别%d", i)})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := w.srv.Count("resource_categories"); n != 30+8 {
			t.Fatalf("%d categories, want 38", n)
		}
	})
}
