package servicenetapi_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"tongxin/internal/client"
	"tongxin/internal/db"
	"tongxin/internal/servicenet/servicenetapi"
	"tongxin/internal/testenv"
)

// timelines returns, per request, its kept timeline's events and the same
// events packed from service_request_events, each as sorted lines.
func timelines(t *testing.T, srv *testenv.Server) (kept, packed map[string][]string) {
	t.Helper()
	kept, packed = map[string][]string{}, map[string][]string{}
	for _, line := range srv.Strings(`SELECT id || '|' || timeline FROM service_requests`) {
		id, tl, _ := strings.Cut(line, "|")
		kept[id] = nil
		if tl != "" {
			kept[id] = strings.Split(tl, "\x1e")
		}
		slices.Sort(kept[id])
	}
	rows, err := srv.DB.W.Query(`SELECT request_id, at, id, COALESCE(actor_id, ''), action, note FROM service_request_events`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var req, id, actor, action, note string
		var at int64
		if err := rows.Scan(&req, &at, &id, &actor, &action, &note); err != nil {
			t.Fatal(err)
		}
		packed[req] = append(packed[req], strings.Join([]string{strconv.FormatInt(at, 10), id, actor, action, note}, "\x1f"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for id := range kept {
		if _, ok := packed[id]; !ok {
			packed[id] = nil
		}
		slices.Sort(packed[id])
	}
	return kept, packed
}

// A request's timeline on its row (migration 0270) holds exactly its
// events, on both engines: after filings, steps with notes, an event
// added by hand (as the overdue job adds one), one deleted and one moved
// to another request by hand; and the API shows it in order.
func TestTimelineOnTheRowMatchesTheEvents(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		srv := w.srv
		var ids []string
		for i, steps := range [][]string{nil, {"accept"}, {"accept", "start", "resolve", "close"}, {"reject"}} {
			r := w.file(t, w.admin, map[string]any{"point_id": w.center.ID})
			for _, a := range steps {
				if _, err := w.admin.ActOnServiceRequest(ctx, r.ID, map[string]any{"action": a, "note": "第" + []string{"一", "二", "三", "四"}[i] + "步\t说明"}); err != nil {
					t.Fatalf("%s: %v", a, err)
				}
			}
			ids = append(ids, r.ID)
		}
		zone := srv.ZoneID
		byHand(t, srv.DB,
			stmt{`INSERT INTO service_request_events (id, request_id, zone_id, at, action, note) VALUES ('ev-by-hand', $1, $2, 1, 'escalate', '')`, []any{ids[0], zone}},
			stmt{`DELETE FROM service_request_events WHERE request_id = $1 AND action = 'start'`, []any{ids[2]}},
			stmt{`UPDATE service_request_events SET request_id = $1 WHERE request_id = $2 AND action = 'reject'`, []any{ids[1], ids[3]}},
		)
		kept, packed := timelines(t, srv)
		if len(kept) != 4 {
			t.Fatalf("%d requests", len(kept))
		}
		for id, want := range packed {
			if !slices.Equal(kept[id], want) {
				t.Errorf("request %s: kept\n%q\nevents\n%q", id, kept[id], want)
			}
		}
		if len(packed[ids[3]]) != 1 || len(packed[ids[1]]) != 3 || len(packed[ids[0]]) != 2 {
			t.Fatalf("the writes by hand did not land: %v", packed)
		}
		r, err := w.admin.GetServiceRequest(ctx, ids[2])
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range r.Timeline {
			actions = append(actions, e.Action)
		}
		if want := []string{"submit", "accept", "resolve", "close"}; !slices.Equal(actions, want) || r.Timeline[1].Note != "第三步\t说明" {
			t.Fatalf("timeline %v (%q), want %v", actions, r.Timeline[1].Note, want)
		}
	})
}

// A request's photo ids on its row (migration 0380) are exactly its
// photos, on both engines: after uploads, a photo added by hand, one
// deleted and one moved to another request by hand; and the API shows
// them, sorted, in a get and in a list.
func TestPhotoIDsOnTheRowMatchThePhotos(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		srv := w.srv
		var ids []string
		for range 3 {
			r := w.file(t, w.admin, map[string]any{"point_id": w.center.ID})
			ids = append(ids, r.ID)
		}
		upload := func(id string) string {
			_, b, err := w.admin.Send(ctx, "POST", "/api/v1/service-requests/"+id+"/photos", "application/octet-stream", servicenetapi.TinyPNG, nil)
			if err != nil {
				t.Fatal(err)
			}
			var ph struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(b, &ph); err != nil || ph.ID == "" {
				t.Fatalf("photo %s: %v", b, err)
			}
			return ph.ID
		}
		first, second, third := upload(ids[0]), upload(ids[0]), upload(ids[1])
		zone := srv.ZoneID
		byHand(t, srv.DB,
			stmt{`INSERT INTO service_request_photos (id, request_id, zone_id, content_type, size, created_at) VALUES ('ph-by-hand', $1, $2, 'image/png', 1, 1)`, []any{ids[2], zone}},
			stmt{`DELETE FROM service_request_photos WHERE id = $1`, []any{first}},
			stmt{`UPDATE service_request_photos SET request_id = $1 WHERE id = $2`, []any{ids[2], third}},
		)
		photos := map[string][]string{}
		for _, line := range srv.Strings(`SELECT request_id || '|' || id FROM service_request_photos`) {
			req, id, _ := strings.Cut(line, "|")
			photos[req] = append(photos[req], id)
		}
		for _, id := range ids {
			kept := srv.Strings(`SELECT photo_ids FROM service_requests WHERE id = $1`, id)
			var got []string
			if len(kept) == 1 && kept[0] != "" {
				got = strings.Split(kept[0], "\x1f")
			}
			slices.Sort(got)
			want := photos[id]
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("request %s: kept %q, photos %q", id, got, want)
			}
		}
		if want := []string{second}; !slices.Equal(photos[ids[0]], want) || len(photos[ids[1]]) != 0 || len(photos[ids[2]]) != 2 {
			t.Fatalf("the writes by hand did not land: %v", photos)
		}
		r, err := w.admin.GetServiceRequest(ctx, ids[2])
		if err != nil {
			t.Fatal(err)
		}
		want := []string{third, "ph-by-hand"}
		slices.Sort(want)
		if !slices.Equal(r.PhotoIDs, want) {
			t.Errorf("get: photo ids %q, want %q", r.PhotoIDs, want)
		}
		var l struct {
			Items []client.ServiceRequest `json:"items"`
		}
		if err := w.admin.Call(ctx, "GET", "/api/v1/service-requests?point_id="+w.center.ID, nil, &l); err != nil {
			t.Fatal(err)
		}
		listed := map[string][]string{}
		for _, it := range l.Items {
			listed[it.ID] = it.PhotoIDs
		}
		if !slices.Equal(listed[ids[2]], want) || len(listed[ids[1]]) != 0 || !slices.Equal(listed[ids[0]], []string{second}) {
			t.Errorf("list: photo ids %q", listed)
		}
		if listed[ids[1]] == nil {
			t.Errorf("list: a request without photos has photo_ids null, want []")
		}
	})
}

// stmt is a statement written by hand, with its arguments.
type stmt struct {
	sql  string
	args []any
}

// byHand runs the statements on d's writer, as an operator or a job
// would, past the API.
func byHand(t *testing.T, d *db.DB, stmts ...stmt) {
	t.Helper()
	for _, q := range stmts {
		if _, err := d.W.Exec(q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
}

// A request's point's path and name, kept on its row (migration 0430),
// equal its point's scope node's after filings, a point renamed through
// the API, and by hand: a node renamed, a point's path changed, a request
// moved to another point; and the get and the list show the kept name.
func TestPointOnTheRowFollowsItsNode(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		srv := w.srv
		var ids []string
		for _, pt := range []string{w.center.ID, w.center.ID, w.area.ID, w.andongPt.ID} {
			ids = append(ids, w.file(t, w.admin, map[string]any{"point_id": pt}).ID)
		}
		same := func(when string) {
			t.Helper()
			kept := srv.Strings(`SELECT id || '|' || point_path || '|' || point_name FROM service_requests ORDER BY id`)
			joined := srv.Strings(`SELECT r.id || '|' || n.path || '|' || n.name FROM service_requests r
				JOIN scope_nodes n ON n.id = r.point_id ORDER BY r.id`)
			if len(kept) != len(ids) || !slices.Equal(kept, joined) {
				t.Fatalf("%s: kept %q, the nodes' %q", when, kept, joined)
			}
		}
		same("filed")
		if err := w.admin.Call(ctx, "PATCH", "/api/v1/service-points/"+w.center.ID, map[string]any{"name": "五里园党群服务中心"}, nil); err != nil {
			t.Fatal(err)
		}
		same("a point renamed through the API")
		if got := srv.Strings(`SELECT DISTINCT point_name FROM service_requests WHERE point_id = $1`, w.center.ID); !slices.Equal(got, []string{"五里园党群服务中心"}) {
			t.Fatalf("renamed point's requests show %q", got)
		}
		byHand(t, srv.DB,
			stmt{`UPDATE scope_nodes SET name = '北片区' WHERE id = $1`, []any{w.area.ID}},
			stmt{`UPDATE scope_nodes SET path = path || 'x/' WHERE id = $1`, []any{w.andongPt.ID}},
			stmt{`UPDATE service_requests SET point_id = $1 WHERE id = $2`, []any{w.area.ID, ids[1]}},
			stmt{`UPDATE scope_nodes SET name = name WHERE id = $1`, []any{w.center.ID}},
		)
		same("by hand")
		r, err := w.admin.GetServiceRequest(ctx, ids[1])
		if err != nil {
			t.Fatal(err)
		}
		if r.PointID != w.area.ID || r.PointName != "北片区" {
			t.Errorf("get: point %s %q, want %s 北片区", r.PointID, r.PointName, w.area.ID)
		}
		var l struct {
			Items []client.ServiceRequest `json:"items"`
		}
		if err := w.admin.Call(ctx, "GET", "/api/v1/service-requests?point_id="+w.center.ID, nil, &l); err != nil {
			t.Fatal(err)
		}
		if len(l.Items) != 1 || l.Items[0].ID != ids[0] || l.Items[0].PointName != "五里园党群服务中心" {
			t.Errorf("list of the renamed point: %+v", l.Items)
		}
	})
}
