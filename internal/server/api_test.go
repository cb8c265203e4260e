package server_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/db"
	"tongxin/internal/org"
	"tongxin/internal/testenv"
)

var ctx = context.Background()

// fixture is a running server with an administrator client and helpers.
type fixture struct {
	t     *testing.T
	srv   *testenv.Server
	admin *client.Client
}

func newFixture(t *testing.T, dsn string) *fixture {
	t.Helper()
	srv := testenv.Start(t, dsn)
	admin := client.New(srv.URL)
	if _, err := admin.Login(ctx, "admin", testenv.AdminPassword); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, srv: srv, admin: admin}
}

func (f *fixture) park(name, code string) org.Park {
	f.t.Helper()
	p, err := f.admin.CreatePark(ctx, map[string]string{"name": name, "code": code})
	if err != nil {
		f.t.Fatalf("create park %s: %v", code, err)
	}
	return p
}

// user creates a user holding role on scopeID and returns a client signed
// in as them.
func (f *fixture) user(username, role, scopeID string) *client.Client {
	f.t.Helper()
	u, err := f.admin.CreateUser(ctx, map[string]string{"username": username, "password": "password-" + username, "display_name": username})
	if err != nil {
		f.t.Fatalf("create user %s: %v", username, err)
	}
	if role != "" {
		if _, err := f.admin.Grant(ctx, u.ID, role, scopeID); err != nil {
			f.t.Fatalf("grant %s %s: %v", username, role, err)
		}
	}
	c, err := f.admin.As(ctx, username, "password-"+username)
	if err != nil {
		f.t.Fatalf("login %s: %v", username, err)
	}
	return c
}

// otherZone creates a second zone directly (no API creates zones yet).
func (f *fixture) otherZone(name string) string {
	f.t.Helper()
	var id string
	err := f.srv.DB.Tx(ctx, func(tx *db.Tx) error {
		z, err := org.CreateZone(ctx, tx, name)
		id = z.ID
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *fixture) count(table string) int {
	f.t.Helper()
	var n int
	if err := f.srv.DB.R.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// raw sends a request with a literal body and returns status and body.
func raw(t *testing.T, c *client.Client, method, path, body string, hdr map[string]string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(method, c.Base+path, strings.NewReader(body))
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, resp.Header, b.String()
}

func wantStatus(t *testing.T, err error, want int) {
	t.Helper()
	if got := client.StatusOf(err); got != want {
		t.Fatalf("status %d, want %d (err: %v)", got, want, err)
	}
}

func problem(err error) client.Error {
	if e, ok := err.(*client.Error); ok {
		return *e
	}
	return client.Error{}
}

func TestParksCRUD(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		p := f.park("五里园", "wuli")
		if p.ZoneID != f.srv.ZoneID || p.Version != 1 || p.Name != "五里园" {
			t.Fatalf("created %+v", p)
		}
		got, err := f.admin.GetPark(ctx, p.ID)
		if err != nil || got.ID != p.ID {
			t.Fatalf("get: %+v %v", got, err)
		}
		_, hdr, _ := raw(t, f.admin, "GET", "/api/v1/parks/"+p.ID, "", nil)
		if hdr.Get("ETag") != `"1"` {
			t.Fatalf("ETag %q", hdr.Get("ETag"))
		}
		up, err := f.admin.UpdatePark(ctx, p.ID, map[string]string{"name": "五里园区"}, 1)
		if err != nil || up.Version != 2 || up.Name != "五里园区" || up.Code != "wuli" {
			t.Fatalf("update: %+v %v", up, err)
		}
		_, err = f.admin.UpdatePark(ctx, p.ID, map[string]string{"name": "stale"}, 1)
		wantStatus(t, err, 412)
		if got, _ := f.admin.GetPark(ctx, p.ID); got.Name != "五里园区" {
			t.Fatalf("stale update changed the park: %+v", got)
		}
		if err := f.admin.DeletePark(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.admin.GetPark(ctx, p.ID)
		wantStatus(t, err, 404)
		wantStatus(t, f.admin.DeletePark(ctx, p.ID), 404)
		_, err = f.admin.GetPark(ctx, "not-an-id")
		wantStatus(t, err, 404)
	})
}

func TestParkBadInputChangesNothing(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		existing := f.park("安东园", "andong")
		parks, audits := f.count("parks"), f.count("audit_log")
		big := `{"name":"` + strings.Repeat("园", 400000) + `","code":"big"}`
		cases := []struct {
			name, method, path, body, lang string
			hdr                            map[string]string
			status                         int
			field, code, text              string
		}{
			{"malformed json", "POST", "/api/v1/parks", `{"name":`, "", nil, 400, "", "", "不是有效的 JSON"},
			{"empty body", "POST", "/api/v1/parks", ``, "", nil, 400, "", "", "请求体为空"},
			{"two objects", "POST", "/api/v1/parks", `{"name":"a","code":"a"}{}`, "", nil, 400, "", "", "只能包含一个"},
			{"array body", "POST", "/api/v1/parks", `[1]`, "", nil, 400, "", "", "JSON 对象"},
			{"unknown field", "POST", "/api/v1/parks", `{"name":"a","code":"a","colour":"red"}`, "", nil, 400, "colour", "unknown_field", "colour"},
			{"unknown field en", "POST", "/api/v1/parks", `{"name":"a","code":"a","colour":"red"}`, "en", nil, 400, "colour", "unknown_field", `Unknown field`},
			{"wrong type", "POST", "/api/v1/parks", `{"name":5,"code":"a"}`, "", nil, 400, "name", "wrong_type", "字符串"},
			{"missing name", "POST", "/api/v1/parks", `{"code":"a"}`, "", nil, 422, "name", "required", "名称不能为空"},
			{"missing name en", "POST", "/api/v1/parks", `{"code":"a"}`, "en", nil, 422, "name", "required", "Name is required"},
			{"long name", "POST", "/api/v1/parks", `{"name":"` + strings.Repeat("园", 101) + `","code":"a"}`, "", nil, 422, "name", "too_long", "100"},
			{"bad code", "POST", "/api/v1/parks", `{"name":"园","code":"a b"}`, "", nil, 422, "code", "code_format", "编码"},
			{"duplicate code", "POST", "/api/v1/parks", `{"name":"另一个","code":"andong"}`, "", nil, 409, "code", "taken", "andong"},
			{"foreign zone", "POST", "/api/v1/parks", `{"zone_id":"nope","name":"园","code":"zz"}`, "", nil, 422, "zone_id", "unknown_value", "开发区"},
			{"oversize", "POST", "/api/v1/parks", big, "", nil, 413, "", "", "1 MiB"},
			{"patch unknown field", "PATCH", "/api/v1/parks/" + existing.ID, `{"nmae":"x"}`, "", nil, 400, "nmae", "unknown_field", "nmae"},
			{"patch empty name", "PATCH", "/api/v1/parks/" + existing.ID, `{"name":"  "}`, "", nil, 422, "name", "required", "名称"},
			{"patch stale", "PATCH", "/api/v1/parks/" + existing.ID, `{"name":"x"}`, "", map[string]string{"If-Match": `"7"`}, 412, "", "", "刷新"},
			{"patch bad if-match", "PATCH", "/api/v1/parks/" + existing.ID, `{"name":"x"}`, "", map[string]string{"If-Match": `abc`}, 400, "If-Match", "invalid_format", "If-Match"},
			{"patch missing", "PATCH", "/api/v1/parks/0", `{"name":"x"}`, "", nil, 404, "", "", "不存在"},
			{"bad limit", "GET", "/api/v1/parks?limit=500", ``, "", nil, 400, "limit", "out_of_range", "200"},
			{"bad cursor", "GET", "/api/v1/parks?cursor=!!!", ``, "", nil, 400, "cursor", "invalid_format", ""},
			{"no route", "GET", "/api/v1/nothing", ``, "", nil, 404, "", "", "没有这个接口"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				hdr := map[string]string{"Content-Type": "application/json"}
				if tc.lang != "" {
					hdr["Accept-Language"] = tc.lang
				}
				for k, v := range tc.hdr {
					hdr[k] = v
				}
				status, h, body := raw(t, f.admin, tc.method, tc.path, tc.body, hdr)
				if status != tc.status {
					t.Fatalf("status %d, want %d: %s", status, tc.status, body)
				}
				if !strings.HasPrefix(h.Get("Content-Type"), "application/problem+json") {
					t.Fatalf("content type %q", h.Get("Content-Type"))
				}
				if !strings.Contains(body, tc.text) {
					t.Fatalf("body lacks %q: %s", tc.text, body)
				}
				if tc.field != "" && !strings.Contains(body, `"field":"`+tc.field+`","code":"`+tc.code+`"`) {
					t.Fatalf("body lacks field %s/%s: %s", tc.field, tc.code, body)
				}
				if h.Get("X-Request-ID") == "" {
					t.Fatal("no X-Request-ID")
				}
			})
		}
		if got := f.count("parks"); got != parks {
			t.Fatalf("bad input changed parks: %d → %d", parks, got)
		}
		if got := f.count("audit_log"); got != audits {
			t.Fatalf("bad input wrote audit entries: %d → %d", audits, got)
		}
		if got, _ := f.admin.GetPark(ctx, existing.ID); got.Version != 1 || got.Name != "安东园" {
			t.Fatalf("bad input changed the park: %+v", got)
		}
	})
}

func TestParkListPagingAndSearch(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		names := []string{"五里园", "安东园", "食品园", "五里科技园", "安东食品园"}
		for i, n := range names {
			f.park(n, fmt.Sprintf("p%d", i))
		}
		var seen []string
		cursor := ""
		for pages := 0; ; pages++ {
			q := url.Values{"limit": {"2"}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			l, err := f.admin.ListParks(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if l.Total != 5 {
				t.Fatalf("total %d", l.Total)
			}
			for _, p := range l.Items {
				seen = append(seen, p.Name)
			}
			if l.NextCursor == nil {
				break
			}
			cursor = *l.NextCursor
			if pages > 5 {
				t.Fatal("paging does not end")
			}
		}
		if strings.Join(seen, ",") != strings.Join(names, ",") {
			t.Fatalf("pages gave %v", seen)
		}
		for q, want := range map[string]int{"安东": 2, "食品": 2, "五里": 2, "科技": 1, "P1": 1, "%": 0, "_": 0, "不存在": 0} {
			l, err := f.admin.ListParks(ctx, url.Values{"q": {q}})
			if err != nil || l.Total != want || len(l.Items) != want {
				t.Fatalf("q=%s: total %d items %d, want %d (%v)", q, l.Total, len(l.Items), want, err)
			}
		}
	})
}

func TestParkScope(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		wuli, andong := f.park("五里园", "wuli"), f.park("安东园", "andong")
		pa := f.user("andong-admin", access.ParkAdmin, andong.ID)

		l, err := pa.ListParks(ctx, nil)
		if err != nil || l.Total != 1 || l.Items[0].ID != andong.ID {
			t.Fatalf("park admin lists %+v %v", l, err)
		}
		_, err = pa.GetPark(ctx, wuli.ID)
		wantStatus(t, err, 404)
		_, err = pa.UpdatePark(ctx, wuli.ID, map[string]string{"name": "x"}, 0)
		wantStatus(t, err, 404)
		wantStatus(t, pa.DeletePark(ctx, wuli.ID), 404)
		if _, err := pa.UpdatePark(ctx, andong.ID, map[string]string{"name": "安东园（新）"}, 0); err != nil {
			t.Fatalf("park admin updating own park: %v", err)
		}
		wantStatus(t, pa.DeletePark(ctx, andong.ID), 403)
		_, err = pa.CreatePark(ctx, map[string]string{"name": "新园", "code": "new"})
		wantStatus(t, err, 403)
		_, err = pa.ListUsers(ctx, nil)
		wantStatus(t, err, 403)
		_, err = pa.Audit(ctx, nil)
		wantStatus(t, err, 403)

		// A zone administrator of another zone sees none of this zone.
		other := f.otherZone("另一开发区")
		oz := f.user("other-zone-admin", "", "")
		za := f.user("zone-a-admin", access.ZoneAdmin, f.srv.ZoneID)
		_, err = za.Grant(ctx, userID(t, f, "other-zone-admin"), access.ZoneAdmin, other)
		wantStatus(t, err, 403)
		oz2 := f.userInZone("oz-admin", other, access.ZoneAdmin)
		l, err = oz2.ListParks(ctx, nil)
		if err != nil || l.Total != 0 {
			t.Fatalf("other zone admin sees %d parks (%v)", l.Total, err)
		}
		_, err = oz2.GetPark(ctx, wuli.ID)
		wantStatus(t, err, 404)
		_, err = oz2.UpdatePark(ctx, wuli.ID, map[string]string{"name": "x"}, 0)
		wantStatus(t, err, 404)
		wantStatus(t, oz2.DeletePark(ctx, wuli.ID), 404)
		_, err = oz2.CreatePark(ctx, map[string]string{"zone_id": f.srv.ZoneID, "name": "x", "code": "x"})
		wantStatus(t, err, 422)
		created, err := oz2.CreatePark(ctx, map[string]string{"name": "他园", "code": "wuli"})
		if err != nil || created.ZoneID != other {
			t.Fatalf("other zone admin creating in own zone (same code, other zone): %+v %v", created, err)
		}
		// A user with no grant at all sees nothing and may do nothing.
		l, err = oz.ListParks(ctx, nil)
		if err != nil || l.Total != 0 {
			t.Fatalf("grantless user sees %d parks (%v)", l.Total, err)
		}
		_, err = oz.CreatePark(ctx, map[string]string{"name": "x", "code": "x"})
		wantStatus(t, err, 403)
		if got, _ := f.admin.GetPark(ctx, wuli.ID); got.Version != 1 {
			t.Fatalf("out-of-scope writes changed the park: %+v", got)
		}
		if !strings.Contains(f.srv.Log.String(), `"msg":"access refused"`) {
			t.Fatal("refused access was not logged")
		}
	})
}

func userID(t *testing.T, f *fixture, username string) string {
	t.Helper()
	var id string
	if err := f.srv.DB.R.QueryRow("SELECT id FROM users WHERE username = $1", username).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// userInZone creates, through the operator functions, a user of zoneID
// with role on the zone, and signs them in.
func (f *fixture) userInZone(username, zoneID, role string) *client.Client {
	f.t.Helper()
	err := f.srv.DB.Tx(ctx, func(tx *db.Tx) error {
		if _, err := addUser(ctx, tx, zoneID, username); err != nil {
			return err
		}
		return grant(ctx, tx, username, role, zoneID)
	})
	if err != nil {
		f.t.Fatal(err)
	}
	c, err := f.admin.As(ctx, username, "password-"+username)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func TestIdempotencyKey(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		hdr := map[string]string{"Idempotency-Key": "k-1", "Content-Type": "application/json"}
		s1, _, b1 := raw(t, f.admin, "POST", "/api/v1/parks", `{"name":"五里园","code":"wuli"}`, hdr)
		s2, h2, b2 := raw(t, f.admin, "POST", "/api/v1/parks", `{"name":"五里园","code":"wuli"}`, hdr)
		if s1 != 201 || s2 != 201 || b1 != b2 || h2.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %d\n%s\n%s", s1, s2, b1, b2)
		}
		if n := f.count("parks"); n != 1 {
			t.Fatalf("%d parks after a replay", n)
		}
		s3, _, b3 := raw(t, f.admin, "POST", "/api/v1/parks", `{"name":"安东园","code":"andong"}`, hdr)
		if s3 != 422 || !strings.Contains(b3, "Idempotency-Key") {
			t.Fatalf("different body, same key: %d %s", s3, b3)
		}
		// The key belongs to its user: another user with the same key is a new request.
		other := f.user("zone2", access.ZoneAdmin, f.srv.ZoneID)
		s4, _, b4 := raw(t, other, "POST", "/api/v1/parks", `{"name":"食品园","code":"food"}`, hdr)
		if s4 != 201 {
			t.Fatalf("other user's key: %d %s", s4, b4)
		}
		// A failed request is remembered too: the same bad request replays its 422.
		bad := map[string]string{"Idempotency-Key": "k-bad", "Content-Type": "application/json"}
		s5, _, _ := raw(t, f.admin, "POST", "/api/v1/parks", `{"name":"","code":"x"}`, bad)
		s6, _, _ := raw(t, f.admin, "POST", "/api/v1/parks", `{"name":"","code":"x"}`, bad)
		if s5 != 422 || s6 != 422 || f.count("parks") != 2 {
			t.Fatalf("bad request replay: %d %d parks %d", s5, s6, f.count("parks"))
		}
		// After 24 h the key is forgotten.
		f.srv.DB.Now = func() time.Time { return time.Now().Add(25 * time.Hour) }
		f.srv.App.PruneOnce(ctx)
		f.srv.DB.Now = time.Now
		var n int
		f.srv.DB.R.QueryRow("SELECT COUNT(*) FROM idempotency_keys").Scan(&n)
		if n != 0 {
			t.Fatalf("%d idempotency keys left after pruning", n)
		}
	})
}

func TestConcurrentCreatesSameCode(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses := map[int]int{}
		for i := 0; i < 12; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, err := f.admin.CreatePark(ctx, map[string]string{"name": fmt.Sprintf("园%d", i), "code": "same"})
				mu.Lock()
				statuses[client.StatusOf(err)]++
				mu.Unlock()
			}(i)
		}
		wg.Wait()
		if statuses[0] != 1 || statuses[409] != 11 {
			t.Fatalf("statuses %v, want one success and 11 conflicts", statuses)
		}
		if n := f.count("parks"); n != 1 {
			t.Fatalf("%d parks", n)
		}
	})
}
