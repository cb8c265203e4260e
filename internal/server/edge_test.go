package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/kit"
	"tongxin/internal/testenv"
)

var ctx = context.Background()

// Hostile bytes anywhere a client controls — path, query, cursor, JSON,
// headers — are 400 naming the field on both engines, never 5xx, and
// change nothing.
func TestHostileInputIsRefusedAtTheEdge(t *testing.T) {
	testenv.EachParallel(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		park := srv.Park("安东园", "andong")
		nulCursor := base64.RawURLEncoding.EncodeToString([]byte(`{"a":"x\u0000y"}`))
		keyCursor := base64.RawURLEncoding.EncodeToString([]byte(`{"k":{"x":1},"a":"y"}`))
		asJSON := map[string]string{"Content-Type": "application/json"}
		with := func(k, v string) map[string]string {
			return map[string]string{"Content-Type": "application/json", k: v}
		}
		cases := []struct {
			name, method, path, body string
			hdr                      map[string]string
			status                   int
			field                    string
		}{
			{"NUL in a path id", "GET", "/api/v1/parks/%00", "", nil, 400, "id"},
			{"invalid UTF-8 in a path id", "GET", "/api/v1/parks/%FF", "", nil, 400, "id"},
			{"NUL in a path id of a write", "PATCH", "/api/v1/parks/a%00b", `{"name":"x"}`, asJSON, 400, "id"},
			{"invalid UTF-8 in a second path id", "DELETE", "/api/v1/users/u1/grants/%C3%28", "", nil, 400, "grant_id"},
			{"NUL in q", "GET", "/api/v1/parks?q=%00", "", nil, 400, "q"},
			{"invalid UTF-8 in a filter", "GET", "/api/v1/parks?zone_id=%FF", "", nil, 400, "zone_id"},
			{"NUL in an audit filter", "GET", "/api/v1/audit?actor_id=a%00", "", nil, 400, "actor_id"},
			{"invalid UTF-8 in a parameter name", "GET", "/api/v1/parks?%FF=1", "", nil, 400, "query"},
			{"malformed escape", "GET", "/api/v1/parks?q=%zz", "", nil, 400, "query"},
			{"NUL inside a cursor", "GET", "/api/v1/parks?cursor=" + nulCursor, "", nil, 400, "cursor"},
			{"object as a cursor key", "GET", "/api/v1/audit?cursor=" + keyCursor, "", nil, 400, "cursor"},
			{"NUL in a JSON string", "POST", "/api/v1/parks", `{"name":"a\u0000","code":"nul"}`, asJSON, 400, "name"},
			{"invalid UTF-8 in a JSON string", "POST", "/api/v1/parks", "{\"name\":\"\xc3\x28\",\"code\":\"bad\"}", asJSON, 400, "name"},
			{"invalid UTF-8 in a JSON name", "POST", "/api/v1/parks", "{\"na\xffme\":\"a\",\"code\":\"bad\"}", asJSON, 400, ""},
			{"null as the body", "POST", "/api/v1/parks", `null`, asJSON, 400, ""},
			{"NUL in a login", "POST", "/api/v1/auth/login", `{"username":"admin\u0000","password":"x"}`, asJSON, 400, "username"},
			{"invalid UTF-8 in Idempotency-Key", "POST", "/api/v1/parks", `{"name":"园","code":"ik"}`, with("Idempotency-Key", "k\xff"), 400, "Idempotency-Key"},
			{"space in Idempotency-Key", "POST", "/api/v1/parks", `{"name":"园","code":"ik"}`, with("Idempotency-Key", "a key"), 400, "Idempotency-Key"},
			{"oversize Idempotency-Key", "POST", "/api/v1/parks", `{"name":"园","code":"ik"}`, with("Idempotency-Key", strings.Repeat("k", 256)), 400, "Idempotency-Key"},
			{"invalid UTF-8 in If-Match", "PATCH", "/api/v1/parks/" + park.ID, `{"name":"x"}`, with("If-Match", "\"\xff\""), 400, "If-Match"},
			{"invalid UTF-8 in a cookie", "GET", "/api/v1/parks", "", map[string]string{"Cookie": "tongxin_session=\xff"}, 400, "Cookie"},
		}
		parks, audits, keys := srv.Count("parks"), srv.Count("audit_log"), srv.Count("idempotency_keys")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				status, _, body := testenv.Raw(t, admin, tc.method, tc.path, tc.body, tc.hdr)
				if status != tc.status {
					t.Fatalf("status %d, want %d: %s", status, tc.status, body)
				}
				if tc.field != "" && !strings.Contains(body, `"field":"`+tc.field+`"`) {
					t.Fatalf("answer does not name %s: %s", tc.field, body)
				}
			})
		}
		if srv.Count("parks") != parks || srv.Count("audit_log") != audits || srv.Count("idempotency_keys") != keys {
			t.Fatal("hostile input changed something")
		}
		if strings.Contains(srv.Log.String(), `"level":"ERROR"`) {
			t.Fatalf("hostile input logged an error:\n%s", srv.Log.String())
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	srv := testenv.Start(t, testenv.Engines(t)[0].DSN)
	admin := srv.Admin()
	for _, path := range []string{"/api/v1/parks", "/api/v1/nothing", "/api/openapi.json"} {
		for _, c := range []string{"admin", "anonymous"} {
			cl := srv.Client()
			if c == "admin" {
				cl = admin
			}
			_, h, _ := testenv.Raw(t, cl, "GET", path, "", nil)
			if h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s as %s: Cache-Control %q, nosniff %q", path, c, h.Get("Cache-Control"), h.Get("X-Content-Type-Options"))
			}
		}
	}
	_, h, _ := testenv.Raw(t, admin, "POST", "/api/v1/auth/login", `{"username":"admin","password":"`+testenv.AdminPassword+`"}`,
		map[string]string{"Content-Type": "application/json"})
	if h.Get("Cache-Control") != "no-store" {
		t.Errorf("the login answer (it carries the token) may be cached: %q", h.Get("Cache-Control"))
	}
	_, h, _ = testenv.Raw(t, srv.Client(), "GET", "/parks", "", nil)
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("console CSP %q lacks %s", csp, want)
		}
	}
	for _, d := range strings.Split(csp, ";") {
		if d = strings.TrimSpace(d); strings.HasPrefix(d, "script-src") && strings.Contains(d, "unsafe") {
			t.Errorf("console CSP allows inline script or eval: %q", d)
		}
	}
	if h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") == "" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("console headers %v", h)
	}
}

func TestWrongMethodIs405WithAllow(t *testing.T) {
	srv := testenv.Start(t, testenv.Engines(t)[0].DSN)
	admin := srv.Admin()
	for path, allow := range map[string]string{
		"/api/v1/parks":            "GET, HEAD, POST",
		"/api/v1/parks/x":          "GET, HEAD, PATCH, DELETE",
		"/api/v1/users/x/grants/y": "DELETE",
		"/api/v1/auth/login":       "POST",
	} {
		status, h, body := testenv.Raw(t, admin, "PUT", path, `{}`, map[string]string{"Content-Type": "application/json"})
		if status != 405 || h.Get("Allow") != allow || !strings.Contains(body, "method_not_allowed") {
			t.Errorf("PUT %s: %d Allow %q: %s", path, status, h.Get("Allow"), body)
		}
	}
	if status, _, _ := testenv.Raw(t, admin, "PUT", "/api/v1/nothing", "", nil); status != 404 {
		t.Errorf("unknown path: %d", status)
	}
}

// Every route that takes a body, of every domain, refuses a NUL byte, an
// invalid UTF-8 sequence and a wrong type in each of its string fields
// with 400 naming the field, on both engines, and changes nothing. Bodies
// come from the domains' fixtures, so a new route is covered by itself.
func TestEveryBodyRefusesHostileValues(t *testing.T) {
	testenv.EachParallel(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		fixtures := map[string]kit.Fixture{}
		for _, d := range srv.App.Domains {
			for _, f := range d.Fixtures {
				fixtures[f.Resource] = f
			}
		}
		zone := kit.Node{ID: srv.ZoneID, Kind: access.KindZone, ZoneID: srv.ZoneID}
		type route struct{ method, path, pattern string }
		bodies := map[route]map[string]any{
			{"POST", "/api/v1/auth/login", "POST /api/v1/auth/login"}:       {"username": "admin", "password": "x"},
			{"POST", "/api/v1/auth/password", "POST /api/v1/auth/password"}: {"current_password": "x", "new_password": "y"},
		}
		for _, d := range srv.App.Domains {
			for _, rt := range d.Routes {
				if rt.Method != "POST" && rt.Method != "PATCH" {
					continue
				}
				f, ok := fixtures[rt.Resource]
				if !ok || f.Body == nil || rt.Upload {
					continue // uploads: TestEveryUploadRefusesHostileFiles
				}
				b, err := json.Marshal(f.Body(rt.Pattern(), zone))
				if err != nil {
					t.Fatal(err)
				}
				var m map[string]any
				if json.Unmarshal(b, &m) != nil || len(m) == 0 {
					continue // the route takes no body
				}
				bodies[route{rt.Method, kit.Path(rt.Path, anyValues(rt.Path)), rt.Pattern()}] = m
			}
		}
		if len(bodies) < 8 {
			t.Fatalf("only %d routes with a body found", len(bodies))
		}
		before := map[string]int{}
		for _, tb := range []string{"zones", "parks", "users", "grants", "audit_log", "idempotency_keys"} {
			before[tb] = srv.Count(tb)
		}
		for rt, body := range bodies {
			for field, v := range body {
				if _, ok := v.(string); !ok {
					continue
				}
				for _, bad := range []struct{ name, value, code string }{
					{"NUL", `"a\u0000b"`, "invalid_text"},
					{"invalid UTF-8", "\"a\xff\"", "invalid_text"},
					{"wrong type", `12`, "wrong_type"},
					{"object", `{"x":1}`, "wrong_type"},
				} {
					fields := []string{}
					for k, x := range body {
						if k == field {
							fields = append(fields, strconv.Quote(k)+":"+bad.value)
						} else {
							xb, _ := json.Marshal(x)
							fields = append(fields, strconv.Quote(k)+":"+string(xb))
						}
					}
					raw := "{" + strings.Join(fields, ",") + "}"
					status, _, answer := testenv.Raw(t, admin, rt.method, rt.path, raw, map[string]string{"Content-Type": "application/json"})
					if status != 400 || !strings.Contains(answer, `"field":"`+field+`","code":"`+bad.code+`"`) {
						t.Errorf("%s with %s in %s: %d %s", rt.pattern, bad.name, field, status, answer)
					}
				}
			}
		}
		for tb, n := range before {
			if got := srv.Count(tb); got != n {
				t.Errorf("hostile bodies changed %s: %d → %d", tb, n, got)
			}
		}
		if strings.Contains(srv.Log.String(), `"level":"ERROR"`) {
			t.Fatalf("hostile bodies logged an error:\n%s", srv.Log.String())
		}
	})
}

// Every route that takes a roster file refuses hostile files and bodies —
// random bytes, a NUL byte in a cell, invalid UTF-8 in a cell, JSON, plain
// text — with 4xx naming the file, the cell or the content type, on both
// engines, and changes nothing. Files come from the domains' fixtures.
func TestEveryUploadRefusesHostileFiles(t *testing.T) {
	testenv.EachParallel(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		park := srv.Park("安东园", "andong")
		under := kit.Node{ID: park.ID, Kind: access.KindPark, ZoneID: srv.ZoneID}
		fixtures := map[string]kit.Fixture{}
		var tables []string
		for _, d := range srv.App.Domains {
			for _, f := range d.Fixtures {
				fixtures[f.Resource] = f
			}
			tables = append(tables, d.Tables...)
		}
		garbage := make([]byte, 64<<10)
		rand.NewChaCha8([32]byte{1}).Read(garbage)
		uploads := 0
		for _, d := range srv.App.Domains {
			for _, rt := range d.Routes {
				if !rt.Upload {
					continue
				}
				uploads++
				f, ok := fixtures[rt.Resource]
				if !ok || f.Body == nil {
					t.Fatalf("%s: no fixture file", rt.Pattern())
				}
				file, ok := f.Body(rt.Pattern(), under).(kit.File)
				if !ok {
					t.Fatalf("%s: the fixture's body is no kit.File", rt.Pattern())
				}
				header, rows, _ := strings.Cut(string(file.Data), "\n")
				before := map[string]int{}
				for _, tb := range tables {
					before[tb] = srv.Count(tb)
				}
				for _, bad := range []struct {
					name, ct, body string
					status         int
					field          string
				}{
					{"random bytes", "application/octet-stream", string(garbage), 422, "file"},
					{"NUL in a cell", file.ContentType, header + "\n\x00" + rows, 422, ""},
					{"invalid UTF-8 in a cell", file.ContentType, header + "\n\xff\xfe\xfd" + rows, 422, ""},
					{"JSON", "application/json", `{"file":"x"}`, 415, "Content-Type"},
					{"plain text", "text/plain", "a,b", 415, "Content-Type"},
				} {
					status, _, answer := testenv.Raw(t, admin, rt.Method, kit.Path(rt.Path, map[string]string{"id": "x"}), bad.body,
						map[string]string{"Content-Type": bad.ct})
					if status != bad.status || (bad.field != "" && !strings.Contains(answer, `"field":"`+bad.field+`"`)) {
						t.Errorf("%s with %s: %d %s", rt.Pattern(), bad.name, status, answer)
					}
				}
				for tb, n := range before {
					if got := srv.Count(tb); got != n {
						t.Errorf("%s: hostile files changed %s: %d → %d", rt.Pattern(), tb, n, got)
					}
				}
			}
		}
		if uploads == 0 {
			t.Skip("no route takes an upload yet")
		}
		if strings.Contains(srv.Log.String(), `"level":"ERROR"`) {
			t.Fatalf("hostile files logged an error:\n%s", srv.Log.String())
		}
	})
}
