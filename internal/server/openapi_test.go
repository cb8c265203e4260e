package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"tongxin/internal/client"
	"tongxin/internal/openapi/openapitest"
	"tongxin/internal/testenv"
)

func TestOpenAPIDocumentServed(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		openapitest.Doc(t, srv.App.OpenAPI)
		resp, err := http.Get(srv.URL + "/api/openapi.json")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("GET /api/openapi.json: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var got map[string]any
		if err := json.Unmarshal(body, &got); err != nil || got["openapi"] != "3.1.0" {
			t.Fatalf("served document: %v %v", got["openapi"], err)
		}
		if string(body) != string(srv.App.OpenAPI) {
			t.Error("served document differs from the assembled one")
		}
	})
}

// TestEveryRouteDocumented checks the route table against the document
// both ways: every registered "METHOD /path" is documented, and every
// documented operation is registered.
func TestEveryRouteDocumented(t *testing.T) {
	srv := testenv.Start(t, testenv.Engines(t)[0].DSN)
	doc := openapitest.Doc(t, srv.App.OpenAPI)
	registered := map[string]bool{}
	for _, p := range srv.App.Mux.Patterns {
		method, path, ok := strings.Cut(p, " ")
		if !ok {
			if p != "/" && p != "/api/" {
				t.Errorf("route %q has no method: document it or add it to the catch-alls", p)
			}
			continue
		}
		registered[method+" "+path] = true
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	var undocumented, unregistered []string
	for r := range registered {
		if !documented[r] {
			undocumented = append(undocumented, r)
		}
	}
	for d := range documented {
		if !registered[d] {
			unregistered = append(unregistered, d)
		}
	}
	slices.Sort(undocumented)
	slices.Sort(unregistered)
	if len(undocumented) > 0 {
		t.Errorf("routes missing from the OpenAPI document:\n  %s", strings.Join(undocumented, "\n  "))
	}
	if len(unregistered) > 0 {
		t.Errorf("documented operations the server does not register:\n  %s", strings.Join(unregistered, "\n  "))
	}
	if len(registered) < 10 {
		t.Errorf("only %d routes registered", len(registered))
	}
}

// TestResponsesMatchDocument drives representative calls through clients
// that check every answer against the document, and checks each status.
func TestResponsesMatchDocument(t *testing.T) {
	testenv.EachParallel(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		anon := srv.Client()
		admin := srv.Admin()
		en := *admin
		en.Lang = "en"
		badToken := srv.Client()
		badToken.Token = "txs_not-a-token"

		type call struct {
			name   string
			c      *client.Client
			method string
			path   string
			body   any
			hdr    http.Header
			want   int
		}
		do := func(k call, out any) *http.Response {
			t.Helper()
			resp, err := k.c.Do(ctx, k.method, k.path, k.body, out, k.hdr)
			if err != nil && client.StatusOf(err) == -1 {
				t.Fatalf("%s: %v", k.name, err)
			}
			if resp.StatusCode != k.want {
				t.Errorf("%s: %s %s = %d, want %d (%v)", k.name, k.method, k.path, resp.StatusCode, k.want, err)
			}
			return resp
		}
		run := func(calls []call) {
			t.Helper()
			for _, k := range calls {
				do(k, nil)
			}
		}
		run([]call{
			{"healthz", anon, "GET", "/healthz", nil, nil, 200},
			{"healthz ignores a bad bearer token", badToken, "GET", "/healthz", nil, nil, 200},
			{"readyz", anon, "GET", "/readyz", nil, nil, 200},
			{"openapi", anon, "GET", "/api/openapi.json", nil, nil, 200},
			{"metrics without a token configured", anon, "GET", "/metrics", nil, nil, 404},
			{"login wrong password", anon, "POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": "wrong-password"}, nil, 401},
			{"login missing fields", anon, "POST", "/api/v1/auth/login", map[string]string{}, nil, 422},
			{"login unknown field", anon, "POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": "x", "otp": "1"}, nil, 400},
			{"session anonymous", anon, "GET", "/api/v1/auth/session", nil, nil, 401},
			{"session", admin, "GET", "/api/v1/auth/session", nil, nil, 200},
			{"parks anonymous", anon, "GET", "/api/v1/parks", nil, nil, 401},
			{"parks bad token", badToken, "GET", "/api/v1/parks", nil, nil, 401},
			{"parks bad limit", admin, "GET", "/api/v1/parks?limit=0", nil, nil, 400},
			{"zones", admin, "GET", "/api/v1/zones", nil, nil, 200},
			{"zone", admin, "GET", "/api/v1/zones/" + srv.ZoneID, nil, nil, 200},
			{"zone absent", admin, "GET", "/api/v1/zones/nope", nil, nil, 404},
			{"create zone", admin, "POST", "/api/v1/zones", map[string]string{"name": "第二开发区"}, nil, 201},
			{"create zone invalid", &en, "POST", "/api/v1/zones", map[string]string{"name": " "}, nil, 422},
			{"scopes", admin, "GET", "/api/v1/scopes", nil, nil, 200},
		})
		for range srv.App.Cfg.LoginMaxFailures {
			anon.Do(ctx, "POST", "/api/v1/auth/login", map[string]string{"username": "ghost", "password": "wrong-password"}, nil, nil)
		}
		resp := do(call{"login throttled", anon, "POST", "/api/v1/auth/login", map[string]string{"username": "ghost", "password": "wrong-password"}, nil, 429}, nil)
		if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || n < 1 {
			t.Errorf("429 Retry-After = %q", resp.Header.Get("Retry-After"))
		}
		var park struct {
			ID      string `json:"id"`
			Version int    `json:"version"`
		}
		idem := http.Header{"Idempotency-Key": {"oa-park-1"}}
		do(call{"create park", admin, "POST", "/api/v1/parks", map[string]string{"name": "软件园", "code": "SW"}, idem, 201}, &park)
		resp = do(call{"create park replayed", admin, "POST", "/api/v1/parks", map[string]string{"name": "软件园", "code": "SW"}, idem, 201}, nil)
		if resp.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replay: Idempotent-Replayed = %q", resp.Header.Get("Idempotent-Replayed"))
		}
		pp := "/api/v1/parks/" + park.ID
		run([]call{
			{"create park key reused", admin, "POST", "/api/v1/parks", map[string]string{"name": "别的", "code": "OT"}, idem, 422},
			{"create park code taken", admin, "POST", "/api/v1/parks", map[string]string{"name": "软件园二期", "code": "SW"}, nil, 409},
			{"create park invalid", &en, "POST", "/api/v1/parks", map[string]string{"name": "", "code": "bad code"}, nil, 422},
			{"create park unknown field", admin, "POST", "/api/v1/parks", map[string]any{"name": "x", "code": "X", "owner": "y"}, nil, 400},
			{"create park too large", admin, "POST", "/api/v1/parks", map[string]string{"name": strings.Repeat("园", 1<<19), "code": "BIG"}, nil, 413},
			{"list parks", admin, "GET", "/api/v1/parks?q=软件", nil, nil, 200},
			{"list parks page", admin, "GET", "/api/v1/parks?limit=1&zone_id=" + srv.ZoneID, nil, nil, 200},
			{"get park", admin, "GET", pp, nil, nil, 200},
			{"get park absent", admin, "GET", "/api/v1/parks/nope", nil, nil, 404},
			{"get park NUL id", admin, "GET", "/api/v1/parks/%00", nil, nil, 400},
			{"patch park", admin, "PATCH", pp, map[string]string{"name": "软件园一期"}, http.Header{"If-Match": {`"1"`}}, 200},
			{"patch park stale", admin, "PATCH", pp, map[string]string{"name": "再改"}, http.Header{"If-Match": {`"1"`}}, 412},
			{"patch park weak tag", admin, "PATCH", pp, map[string]string{"name": "再改"}, http.Header{"If-Match": {`W/"2"`}}, 412},
			{"patch park bad If-Match", admin, "PATCH", pp, map[string]string{"name": "再改"}, http.Header{"If-Match": {"soon"}}, 400},
			{"patch park as text", admin, "PATCH", pp, map[string]string{"name": "x"}, http.Header{"Content-Type": {"text/plain"}}, 415},
		})
		cookie := srv.Client()
		do(call{"cookie without CSRF", cookie, "DELETE", pp, nil, http.Header{"Cookie": {"tongxin_session=" + admin.Token}}, 403}, nil)

		var user struct {
			ID string `json:"id"`
		}
		do(call{"create user", admin, "POST", "/api/v1/users", map[string]string{"username": "oa-member", "password": testenv.UserPassword("oa-member"), "display_name": "成员"}, nil, 201}, &user)
		up := "/api/v1/users/" + user.ID
		var g struct {
			ID string `json:"id"`
		}
		do(call{"grant", admin, "POST", up + "/grants", map[string]string{"role": "member", "scope_id": srv.ZoneID}, nil, 201}, &g)
		member := srv.SignIn("oa-member")
		run([]call{
			{"create user taken", admin, "POST", "/api/v1/users", map[string]string{"username": "oa-member", "password": testenv.UserPassword("oa-member"), "display_name": "成员"}, nil, 409},
			{"create user invalid", admin, "POST", "/api/v1/users", map[string]string{"username": "X", "password": "short", "display_name": ""}, nil, 422},
			{"list users", admin, "GET", "/api/v1/users?q=oa", nil, nil, 200},
			{"get user", admin, "GET", up, nil, nil, 200},
			{"get user absent", admin, "GET", "/api/v1/users/nope", nil, nil, 404},
			{"grant twice", admin, "POST", up + "/grants", map[string]string{"role": "member", "scope_id": srv.ZoneID}, nil, 409},
			{"grant unknown role", admin, "POST", up + "/grants", map[string]string{"role": "king", "scope_id": srv.ZoneID}, nil, 422},
			{"list users as member", member, "GET", "/api/v1/users", nil, nil, 403},
			{"audit as member", member, "GET", "/api/v1/audit", nil, nil, 403},
			{"patch park as member", member, "PATCH", pp, map[string]string{"name": "x"}, nil, 403},
			{"get park as member", member, "GET", pp, nil, nil, 200},
			{"reset password", admin, "POST", up + "/password", map[string]string{"password": "Password-new-1"}, nil, 204},
			{"reset password too short", admin, "POST", up + "/password", map[string]string{"password": "x"}, nil, 422},
			{"revoke", admin, "DELETE", up + "/grants/" + g.ID, nil, nil, 204},
			{"revoke again", admin, "DELETE", up + "/grants/" + g.ID, nil, nil, 404},
			{"audit", admin, "GET", "/api/v1/audit?limit=5", nil, nil, 200},
			{"audit filtered", admin, "GET", "/api/v1/audit?entity_id=" + park.ID + "&from=2020-01-01&to=2100-01-01", nil, nil, 200},
			{"audit bad date", admin, "GET", "/api/v1/audit?from=yesterday", nil, nil, 400},
			{"change password wrong", admin, "POST", "/api/v1/auth/password", map[string]string{"current_password": "nope", "new_password": "Password-next-1"}, nil, 422},
			{"delete park stale", admin, "DELETE", pp, nil, http.Header{"If-Match": {`"1"`}}, 412},
			{"delete park", admin, "DELETE", pp, nil, nil, 204},
			{"delete park again", admin, "DELETE", pp, nil, nil, 404},
			{"logout", admin, "POST", "/api/v1/auth/logout", nil, nil, 204},
			{"session after logout", admin, "GET", "/api/v1/auth/session", nil, nil, 401},
		})
	})
}
