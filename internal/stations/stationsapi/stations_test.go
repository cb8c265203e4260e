package stationsapi_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/testenv"
)

var ctx = context.Background()

// world is a zone with two parks, enterprises in each, and a second zone.
type world struct {
	srv            *testenv.Server
	admin          *client.Client
	andong, wuli   client.Park
	a1, a2, a3, w1 string // enterprises: three of Andong, one of Wuli
	otherZone      string
	otherEnt       string // an enterprise of the other zone
}

func newWorld(t *testing.T, dsn string) world {
	srv := testenv.Start(t, dsn)
	w := world{srv: srv, admin: srv.Admin(), andong: srv.Park("安东园", "andong"), wuli: srv.Park("五里园", "wuli")}
	w.a1, w.a2, w.a3 = srv.Enterprise(w.andong.ID, "成达齿轮"), srv.Enterprise(w.andong.ID, "恒毅机械"), srv.Enterprise(w.andong.ID, "海纳机械")
	w.w1 = srv.Enterprise(w.wuli.ID, "盼盼饮料")
	w.otherZone = srv.Zone("另一开发区")
	p, err := w.admin.CreatePark(ctx, map[string]string{"zone_id": w.otherZone, "name": "他园", "code": "other"})
	if err != nil {
		t.Fatal(err)
	}
	w.otherEnt = srv.Enterprise(p.ID, "他区企业")
	return w
}

func TestStationCRUD(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		st, err := w.admin.CreateStation(ctx, map[string]any{"park_id": w.andong.ID, "name": "安东园第一服务站", "address": "安东园管委会一楼",
			"location": map[string]float64{"lat": 24.78, "lng": 118.55}, "enterprise_ids": []string{w.a2, w.a1, w.a1}})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{w.a1, w.a2}
		slices.Sort(want)
		if st.ZoneID != w.srv.ZoneID || st.ParkID != w.andong.ID || st.Version != 1 || st.Location == nil || st.Location.Lat != 24.78 ||
			!slices.Equal(st.EnterpriseIDs, want) {
			t.Fatalf("created %+v", st)
		}
		if n := w.srv.Count("scope_nodes", "id = $1 AND kind = 'station' AND parent_id = $2", st.ID, w.andong.ID); n != 1 {
			t.Fatalf("station node: %d", n)
		}
		_, hdr, _ := testenv.Raw(t, w.admin, "GET", "/api/v1/stations/"+st.ID, "", nil)
		if hdr.Get("ETag") != `"1"` {
			t.Fatalf("ETag %q", hdr.Get("ETag"))
		}
		got, err := w.admin.GetStation(ctx, st.ID)
		if err != nil || !slices.Equal(got.EnterpriseIDs, want) || got.Address != "安东园管委会一楼" {
			t.Fatalf("get %+v %v", got, err)
		}
		up, err := w.admin.UpdateStation(ctx, st.ID, map[string]any{"name": "安东园服务站", "enterprise_ids": []string{w.a3, w.a1}}, 1)
		want = []string{w.a1, w.a3}
		slices.Sort(want)
		if err != nil || up.Version != 2 || up.Name != "安东园服务站" || !slices.Equal(up.EnterpriseIDs, want) || up.Location == nil {
			t.Fatalf("update %+v %v", up, err)
		}
		if n := w.srv.Count("station_enterprises", "station_id = $1", st.ID); n != 2 {
			t.Fatalf("links after update: %d", n)
		}
		if n := w.srv.Count("scope_nodes", "id = $1 AND name = $2", st.ID, "安东园服务站"); n != 1 {
			t.Fatal("node not renamed")
		}
		// location null removes it; absent fields stay; nothing changed keeps the version
		up, err = w.admin.UpdateStation(ctx, st.ID, map[string]any{"location": nil}, 2)
		if err != nil || up.Location != nil || up.Version != 3 || up.Address != "安东园管委会一楼" {
			t.Fatalf("clearing location %+v %v", up, err)
		}
		up, err = w.admin.UpdateStation(ctx, st.ID, map[string]any{"name": "安东园服务站", "location": nil}, 3)
		if err != nil || up.Version != 3 {
			t.Fatalf("no-op update %+v %v", up, err)
		}
		_, err = w.admin.UpdateStation(ctx, st.ID, map[string]any{"name": "x"}, 2)
		testenv.WantStatus(t, err, 412)

		// Filters: by park and by enterprise covered.
		other, err := w.admin.CreateStation(ctx, map[string]any{"park_id": w.wuli.ID, "name": "五里园服务站", "enterprise_ids": []string{w.w1}})
		if err != nil {
			t.Fatal(err)
		}
		for q, ids := range map[string][]string{
			"park_id=" + w.andong.ID:     {st.ID},
			"park_id=" + w.wuli.ID:       {other.ID},
			"enterprise_id=" + w.a3:      {st.ID},
			"enterprise_id=" + w.w1:      {other.ID},
			"enterprise_id=" + w.a2:      {},
			"q=" + url.QueryEscape("安东"): {st.ID},
			"q=adyfwz":                   {st.ID},
			"q=wuliyuan":                 {other.ID},
			"q=" + url.QueryEscape("管委"): {st.ID},
			"q=fwz":                      {st.ID, other.ID},
		} {
			vals, _ := url.ParseQuery(q)
			l, err := w.admin.ListStations(ctx, vals)
			if err != nil || l.Total != len(ids) || !sameIDs(l.Items, ids) {
				t.Fatalf("%s: %+v %v, want %v", q, l, err, ids)
			}
		}

		// Delete: the links, the node and grants on it go; the audit keeps it.
		staff := w.srv.User("staff", access.ServiceStaff, st.ID)
		if _, err := staff.GetStation(ctx, st.ID); err != nil {
			t.Fatalf("staff of the station: %v", err)
		}
		// Covering no enterprise any more (the answer's list is [], the document checks).
		up, err = w.admin.UpdateStation(ctx, st.ID, map[string]any{"enterprise_ids": []string{}}, 3)
		if err != nil || up.Version != 4 || len(up.EnterpriseIDs) != 0 || w.srv.Count("station_enterprises", "station_id = $1", st.ID) != 0 {
			t.Fatalf("emptying %+v %v", up, err)
		}
		testenv.WantStatus(t, w.admin.DeleteStation(ctx, st.ID, 3), 412)
		if err := w.admin.DeleteStation(ctx, st.ID, 4); err != nil {
			t.Fatal(err)
		}
		_, err = w.admin.GetStation(ctx, st.ID)
		testenv.WantStatus(t, err, 404)
		if w.srv.Count("station_enterprises", "station_id = $1", st.ID) != 0 || w.srv.Count("scope_nodes", "id = $1", st.ID) != 0 ||
			w.srv.Count("grants", "scope_id = $1", st.ID) != 0 {
			t.Fatal("delete left links, node or grants")
		}
		for _, action := range []string{"create", "update", "delete"} {
			if w.srv.Count("audit_log", "entity = 'station' AND entity_id = $1 AND action = $2", st.ID, action) == 0 {
				t.Fatalf("no %s audit entry", action)
			}
		}
		if w.srv.Count("audit_log", "entity = 'grant' AND action = 'delete'") != 1 {
			t.Fatal("the grant on the deleted station was not audited")
		}
	})
}

func sameIDs(items []client.Station, ids []string) bool {
	var got []string
	for _, s := range items {
		got = append(got, s.ID)
	}
	slices.Sort(got)
	want := slices.Clone(ids)
	slices.Sort(want)
	return slices.Equal(got, want)
}

func TestStationBadInputChangesNothing(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		existing, err := w.admin.CreateStation(ctx, map[string]any{"park_id": w.andong.ID, "name": "安东园服务站", "enterprise_ids": []string{w.a1}})
		if err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/stations/" + existing.ID
		counts := func() [4]int {
			return [4]int{w.srv.Count("stations"), w.srv.Count("station_enterprises"), w.srv.Count("audit_log"), w.srv.Count("scope_nodes")}
		}
		before := counts()
		var ids []string
		for i := 0; i <= 1000; i++ {
			ids = append(ids, fmt.Sprintf(`"e%d"`, i))
		}
		many := "[" + strings.Join(ids, ",") + "]"
		cases := []struct {
			name, method, path, body string
			status                   int
			field, code              string
		}{
			{"missing park", "POST", "/api/v1/stations", `{"name":"站"}`, 422, "park_id", "required"},
			{"unknown park", "POST", "/api/v1/stations", `{"park_id":"nope","name":"站"}`, 422, "park_id", "unknown_value"},
			{"zone as park", "POST", "/api/v1/stations", `{"park_id":"` + w.srv.ZoneID + `","name":"站"}`, 422, "park_id", "unknown_value"},
			{"enterprise as park", "POST", "/api/v1/stations", `{"park_id":"` + w.a1 + `","name":"站"}`, 422, "park_id", "unknown_value"},
			{"zone not the park's", "POST", "/api/v1/stations", `{"zone_id":"` + w.otherZone + `","park_id":"` + w.andong.ID + `","name":"站"}`, 422, "zone_id", "unknown_value"},
			{"missing name", "POST", "/api/v1/stations", `{"park_id":"` + w.andong.ID + `"}`, 422, "name", "required"},
			{"long name", "POST", "/api/v1/stations", `{"park_id":"` + w.andong.ID + `","name":"` + strings.Repeat("站", 101) + `"}`, 422, "name", "too_long"},
			{"long address", "POST", "/api/v1/stations", `{"park_id":"` + w.andong.ID + `","name":"站","address":"` + strings.Repeat("路", 201) + `"}`, 422, "address", "too_long"},
			{"lat only", "POST", "/api/v1/stations", `{"park_id":"` + w.andong.ID + `","name":"站","location":{"lat":24.7}}`, 422, "location.lng", "required"},
			{"lng only", "POST", "/api/v1/stations", `{"park_id":"` + w.andong.ID + `","name":"站","location":{"lng":118.5}}`, 422, "location.lat", "required"},
			{"lat out of range", "POST", "/api/v1/stations", `{"park_id":"` + w.andong.ID + `","name":"站","location":{"lat":91,"lng":118}}`, 422, "location.lat", "out_of_range"},
			{"lng out of range", "POST", "/api/v1/stations", `{"park_id":"` + w.andong.ID + `","name":"站","location":{"lat":24,"lng":-181}}`, 422, "location.lng", "out_of_range"},
			{"lat as text", "POST", "/api/v1/stations", `{"park_id":"` + w.andong.ID + `","name":"站","location":{"lat":"24","lng":118}}`, 400, "location.lat", "wrong_type"},
			{"unknown location field", "POST", "/api/v1/stations", `{"park_id":"` + w.andong.ID + `","name":"站","location":{"lat":24,"lng":118,"alt":3}}`, 400, "location.alt", "unknown_field"},
			{"enterprise of another park", "POST", "/api/v1/stations", `{"park_id":"` + w.andong.ID + `","name":"站","enterprise_ids":["` + w.a1 + `","` + w.w1 + `"]}`, 422, "enterprise_ids", "outside_park"},
			{"enterprise of another zone", "POST", "/api/v1/stations", `{"park_id":"` + w.andong.ID + `","name":"站","enterprise_ids":["` + w.otherEnt + `"]}`, 422, "enterprise_ids", "unknown_value"},
			{"unknown enterprise", "POST", "/api/v1/stations", `{"park_id":"` + w.andong.ID + `","name":"站","enterprise_ids":["nope"]}`, 422, "enterprise_ids", "unknown_value"},
			{"park as enterprise", "POST", "/api/v1/stations", `{"park_id":"` + w.andong.ID + `","name":"站","enterprise_ids":["` + w.andong.ID + `"]}`, 422, "enterprise_ids", "unknown_value"},
			{"too many enterprises", "POST", "/api/v1/stations", `{"park_id":"` + w.andong.ID + `","name":"站","enterprise_ids":` + many + `}`, 422, "enterprise_ids", "too_many"},
			{"enterprise id not text", "POST", "/api/v1/stations", `{"park_id":"` + w.andong.ID + `","name":"站","enterprise_ids":[1]}`, 400, "enterprise_ids.0", "wrong_type"},
			{"duplicate name in park", "POST", "/api/v1/stations", `{"park_id":"` + w.andong.ID + `","name":"安东园服务站"}`, 409, "name", "taken"},
			{"patch park", "PATCH", path, `{"park_id":"` + w.wuli.ID + `"}`, 400, "park_id", "unknown_field"},
			{"patch empty name", "PATCH", path, `{"name":" "}`, 422, "name", "required"},
			{"patch half location", "PATCH", path, `{"location":{"lat":1}}`, 422, "location.lng", "required"},
			{"patch enterprise of another park", "PATCH", path, `{"enterprise_ids":["` + w.w1 + `"]}`, 422, "enterprise_ids", "outside_park"},
			{"patch location as text", "PATCH", path, `{"location":"here"}`, 400, "location", "wrong_type"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				status, _, body := testenv.Raw(t, w.admin, tc.method, tc.path, tc.body, map[string]string{"Content-Type": "application/json"})
				if status != tc.status || !strings.Contains(body, `"field":"`+tc.field+`","code":"`+tc.code+`"`) {
					t.Fatalf("status %d, want %d %s/%s: %s", status, tc.status, tc.field, tc.code, body)
				}
			})
		}
		if got := counts(); got != before {
			t.Fatalf("bad input changed rows: %v → %v", before, got)
		}
		if got, err := w.admin.GetStation(ctx, existing.ID); err != nil || got.Version != 1 || !slices.Equal(got.EnterpriseIDs, []string{w.a1}) {
			t.Fatalf("bad input changed the station: %+v %v", got, err)
		}
		// The same name in another park is fine.
		if _, err := w.admin.CreateStation(ctx, map[string]any{"park_id": w.wuli.ID, "name": "安东园服务站"}); err != nil {
			t.Fatalf("same name, other park: %v", err)
		}
	})
}

func TestStationScope(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		andongSt, err := w.admin.CreateStation(ctx, map[string]any{"park_id": w.andong.ID, "name": "安东园服务站", "enterprise_ids": []string{w.a1}})
		if err != nil {
			t.Fatal(err)
		}
		wuliSt, err := w.admin.CreateStation(ctx, map[string]any{"park_id": w.wuli.ID, "name": "五里园服务站", "enterprise_ids": []string{w.w1}})
		if err != nil {
			t.Fatal(err)
		}
		pa := w.srv.User("wuli-admin", access.ParkAdmin, w.wuli.ID)

		// A park administrator of Wuli: sees and manages Wuli's station only.
		l, err := pa.ListStations(ctx, nil)
		if err != nil || l.Total != 1 || l.Items[0].ID != wuliSt.ID {
			t.Fatalf("park admin lists %+v %v", l, err)
		}
		for _, q := range []string{"安东", "adyfwz"} {
			if l, err := pa.ListStations(ctx, url.Values{"q": {q}}); err != nil || l.Total != 0 {
				t.Fatalf("park admin's search %s finds %d (%v)", q, l.Total, err)
			}
		}
		if l, err := pa.ListStations(ctx, url.Values{"enterprise_id": {w.a1}}); err != nil || l.Total != 0 {
			t.Fatalf("park admin filtering by another park's enterprise: %d", l.Total)
		}
		_, err = pa.GetStation(ctx, andongSt.ID)
		testenv.WantStatus(t, err, 404)
		_, err = pa.UpdateStation(ctx, andongSt.ID, map[string]any{"name": "x"}, 0)
		testenv.WantStatus(t, err, 404)
		testenv.WantStatus(t, pa.DeleteStation(ctx, andongSt.ID, 0), 404)
		_, err = pa.CreateStation(ctx, map[string]any{"park_id": w.andong.ID, "name": "越界站"})
		testenv.WantStatus(t, err, 422)
		_, err = pa.CreateStation(ctx, map[string]any{"park_id": w.wuli.ID, "name": "越界站", "enterprise_ids": []string{w.a1}})
		testenv.WantStatus(t, err, 422)
		if p := testenv.Problem(err); len(p.Errors) != 1 || p.Errors[0].Code != "unknown_value" {
			t.Fatalf("another park's enterprise, as a park admin: %+v", p)
		}
		own, err := pa.CreateStation(ctx, map[string]any{"park_id": w.wuli.ID, "name": "五里园第二服务站", "enterprise_ids": []string{w.w1}})
		if err != nil {
			t.Fatalf("park admin in own park: %v", err)
		}
		if _, err := pa.UpdateStation(ctx, own.ID, map[string]any{"address": "五里园"}, 1); err != nil {
			t.Fatal(err)
		}
		if err := pa.DeleteStation(ctx, own.ID, 2); err != nil {
			t.Fatal(err)
		}

		// Staff granted on a station see that station only and change nothing.
		staff := w.srv.User("staff", access.ServiceStaff, andongSt.ID)
		l, err = staff.ListStations(ctx, nil)
		if err != nil || l.Total != 1 || l.Items[0].ID != andongSt.ID {
			t.Fatalf("staff lists %+v %v", l, err)
		}
		_, err = staff.UpdateStation(ctx, andongSt.ID, map[string]any{"name": "x"}, 0)
		testenv.WantStatus(t, err, 403)
		testenv.WantStatus(t, staff.DeleteStation(ctx, andongSt.ID, 0), 403)
		_, err = staff.GetStation(ctx, wuliSt.ID)
		testenv.WantStatus(t, err, 404)
		_, err = staff.CreateStation(ctx, map[string]any{"park_id": w.andong.ID, "name": "x"})
		testenv.WantStatus(t, err, 403)

		// A member of the Andong park reads, but may not write.
		member := w.srv.User("member", access.Member, w.andong.ID)
		if _, err := member.GetStation(ctx, andongSt.ID); err != nil {
			t.Fatal(err)
		}
		_, err = member.UpdateStation(ctx, andongSt.ID, map[string]any{"name": "x"}, 0)
		testenv.WantStatus(t, err, 403)

		// Another zone's administrator sees none of it.
		oz := w.srv.UserIn("oz-admin", w.otherZone, access.ZoneAdmin, w.otherZone)
		l, err = oz.ListStations(ctx, url.Values{"q": {"服务站"}})
		if err != nil || l.Total != 0 {
			t.Fatalf("other zone admin sees %d (%v)", l.Total, err)
		}
		_, err = oz.GetStation(ctx, andongSt.ID)
		testenv.WantStatus(t, err, 404)
		_, err = oz.UpdateStation(ctx, andongSt.ID, map[string]any{"name": "x"}, 0)
		testenv.WantStatus(t, err, 404)
		testenv.WantStatus(t, oz.DeleteStation(ctx, andongSt.ID, 0), 404)
		_, err = oz.CreateStation(ctx, map[string]any{"park_id": w.andong.ID, "name": "x"})
		testenv.WantStatus(t, err, 422)

		for _, id := range []string{andongSt.ID, wuliSt.ID} {
			if got, err := w.admin.GetStation(ctx, id); err != nil || got.Version != 1 {
				t.Fatalf("out-of-scope writes changed %s: %+v %v", id, got, err)
			}
		}
	})
}

func TestConcurrentStationsSameName(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		park := srv.Park("安东园", "andong")
		admin := srv.Admin()
		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses := map[int]int{}
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := admin.CreateStation(ctx, map[string]any{"park_id": park.ID, "name": "同名服务站"})
				mu.Lock()
				statuses[client.StatusOf(err)]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if statuses[0] != 1 || statuses[409] != 7 {
			t.Fatalf("statuses %v", statuses)
		}
		if srv.Count("stations") != 1 || srv.Count("scope_nodes", "kind = 'station'") != 1 {
			t.Fatal("a refused create left rows behind")
		}
	})
}
