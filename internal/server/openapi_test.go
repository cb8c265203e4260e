package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"tongxin/internal/client"
	"tongxin/internal/openapi"
	"tongxin/internal/openapi/openapitest"
	"tongxin/internal/testenv"
)

func TestOpenAPIDocumentValid(t *testing.T) {
	openapitest.Doc(t)
	want, err := openapi.JSON()
	if err != nil {
		t.Fatal(err)
	}
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		resp, err := http.Get(srv.URL + "/api/openapi.json")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/openapi.json: %d", resp.StatusCode)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("Content-Type = %q, want application/json", ct)
		}
		var got, exp map[string]any
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("served document is not JSON: %v", err)
		}
		if err := json.Unmarshal(want, &exp); err != nil {
			t.Fatal(err)
		}
		if got["openapi"] != "3.1.0" {
			t.Errorf(`"openapi" = %v, want "3.1.0"`, got["openapi"])
		}
		if !reflect.DeepEqual(got, exp) {
			t.Error("served document differs from openapi.yaml")
		}
	})
}

// TestEveryRouteDocumented checks the route table against the document
// both ways: every registered "METHOD /path" is documented, and every
// documented operation is registered.
func TestEveryRouteDocumented(t *testing.T) {
	doc := openapitest.Doc(t)
	srv := testenv.Start(t, "sqlite:"+filepath.Join(t.TempDir(), "tongxin.db"))

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
		t.Errorf("routes missing from openapi.yaml:\n  %s", strings.Join(undocumented, "\n  "))
	}
	if len(unregistered) > 0 {
		t.Errorf("documented operations the server does not register:\n  %s", strings.Join(unregistered, "\n  "))
	}
	if len(registered) == 0 {
		t.Error("no routes registered")
	}
}

// oaCall is one exchange of TestResponsesMatchDocument.
type oaCall struct {
	name   string
	c      *client.Client
	method string
	path   string
	body   any
	hdr    http.Header
	want   int
}

// TestResponsesMatchDocument drives representative calls, each answer
// checked against the document by openapitest.Checker, and each status
// checked against what the call must get.
func TestResponsesMatchDocument(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		bg := context.Background()
		srv := testenv.Start(t, dsn)
		check := openapitest.Checker(t)

		anon := client.New(srv.URL)
		anon.Check = check
		admin := client.New(srv.URL)
		admin.Check = check
		if _, err := admin.Login(bg, "admin", testenv.AdminPassword); err != nil {
			t.Fatalf("login: %v", err)
		}
		en := *admin
		en.Lang = "en"
		badToken := client.New(srv.URL)
		badToken.Check = check
		badToken.Token = "txs_not-a-token"

		do := func(k oaCall, out any) *http.Response {
			t.Helper()
			resp, err := k.c.Do(bg, k.method, k.path, k.body, out, k.hdr)
			if got := client.StatusOf(err); err != nil && got == -1 {
				t.Fatalf("%s: %v", k.name, err)
			}
			if resp.StatusCode != k.want {
				t.Errorf("%s: %s %s = %d, want %d (%v)", k.name, k.method, k.path, resp.StatusCode, k.want, err)
			}
			return resp
		}
		run := func(calls []oaCall) {
			t.Helper()
			for _, k := range calls {
				do(k, nil)
			}
		}

		run([]oaCall{
			{"healthz", anon, "GET", "/healthz", nil, nil, 200},
			{"healthz ignores a bad bearer token", badToken, "GET", "/healthz", nil, nil, 200},
			{"readyz", anon, "GET", "/readyz", nil, nil, 200},
			{"metrics", anon, "GET", "/metrics", nil, nil, 200},
			{"openapi", anon, "GET", "/api/openapi.json", nil, nil, 200},
			{"login wrong password", anon, "POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": "wrong-password"}, nil, 401},
			{"login missing fields", anon, "POST", "/api/v1/auth/login", map[string]string{}, nil, 422},
			{"login unknown field", anon, "POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": "x", "otp": "1"}, nil, 400},
			{"session anonymous", anon, "GET", "/api/v1/auth/session", nil, nil, 401},
			{"session", admin, "GET", "/api/v1/auth/session", nil, nil, 200},
			{"parks anonymous", anon, "GET", "/api/v1/parks", nil, nil, 401},
			{"parks bad limit", admin, "GET", "/api/v1/parks?limit=0", nil, nil, 400},
			{"zones", admin, "GET", "/api/v1/zones", nil, nil, 200},
			{"zone", admin, "GET", "/api/v1/zones/" + srv.ZoneID, nil, nil, 200},
			{"zone absent", admin, "GET", "/api/v1/zones/nope", nil, nil, 404},
			{"scopes", admin, "GET", "/api/v1/scopes", nil, nil, 200},
		})

		// Rate limit: more failures than LoginMaxFailures for one username.
		for range srv.App.Cfg.LoginMaxFailures {
			anon.Do(bg, "POST", "/api/v1/auth/login", map[string]string{"username": "ghost", "password": "wrong-password"}, nil, nil)
		}
		resp := do(oaCall{"login throttled", anon, "POST", "/api/v1/auth/login", map[string]string{"username": "ghost", "password": "wrong-password"}, nil, 429}, nil)
		if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || n < 1 {
			t.Errorf("429 Retry-After = %q", resp.Header.Get("Retry-After"))
		}

		// Parks.
		var park struct {
			ID      string `json:"id"`
			Version int    `json:"version"`
		}
		idem := http.Header{"Idempotency-Key": {"oa-park-1"}}
		do(oaCall{"create park", admin, "POST", "/api/v1/parks", map[string]string{"name": "软件园", "code": "SW"}, idem, 201}, &park)
		resp = do(oaCall{"create park replayed", admin, "POST", "/api/v1/parks", map[string]string{"name": "软件园", "code": "SW"}, idem, 201}, nil)
		if resp.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replay: Idempotent-Replayed = %q", resp.Header.Get("Idempotent-Replayed"))
		}
		pp := "/api/v1/parks/" + park.ID
		run([]oaCall{
			{"create park key reused", admin, "POST", "/api/v1/parks", map[string]string{"name": "别的", "code": "OT"}, idem, 422},
			{"create park code taken", admin, "POST", "/api/v1/parks", map[string]string{"name": "软件园二期", "code": "SW"}, nil, 409},
			{"create park invalid", &en, "POST", "/api/v1/parks", map[string]string{"name": "", "code": "bad code"}, nil, 422},
			{"create park unknown field", admin, "POST", "/api/v1/parks", map[string]any{"name": "x", "code": "X", "owner": "y"}, nil, 400},
			{"create park too large", admin, "POST", "/api/v1/parks", map[string]string{"name": strings.Repeat("园", 1<<19), "code": "BIG"}, nil, 413},
			{"list parks", admin, "GET", "/api/v1/parks?q=软件", nil, nil, 200},
			{"list parks page", admin, "GET", "/api/v1/parks?limit=1&zone_id=" + srv.ZoneID, nil, nil, 200},
			{"get park", admin, "GET", pp, nil, nil, 200},
			{"get park absent", admin, "GET", "/api/v1/parks/nope", nil, nil, 404},
			{"patch park", admin, "PATCH", pp, map[string]string{"name": "软件园一期"}, http.Header{"If-Match": {`"1"`}}, 200},
			{"patch park stale", admin, "PATCH", pp, map[string]string{"name": "再改"}, http.Header{"If-Match": {`"1"`}}, 412},
			{"patch park bad If-Match", admin, "PATCH", pp, map[string]string{"name": "再改"}, http.Header{"If-Match": {"soon"}}, 400},
		})

		// Cookie session without X-CSRF-Token on an unsafe method.
		cookie := client.New(srv.URL)
		cookie.Check = check
		do(oaCall{"cookie without CSRF", cookie, "DELETE", pp, nil, http.Header{"Cookie": {"tongxin_session=" + admin.Token}}, 403}, nil)

		// Users and grants.
		var user struct {
			ID string `json:"id"`
		}
		do(oaCall{"create user", admin, "POST", "/api/v1/users", map[string]string{"username": "oa-member", "password": "password-oa", "display_name": "成员"}, nil, 201}, &user)
		up := "/api/v1/users/" + user.ID
		var g struct {
			ID string `json:"id"`
		}
		do(oaCall{"grant", admin, "POST", up + "/grants", map[string]string{"role": "member", "scope_id": srv.ZoneID}, nil, 201}, &g)
		member, err := admin.As(bg, "oa-member", "password-oa")
		if err != nil {
			t.Fatalf("login member: %v", err)
		}
		run([]oaCall{
			{"create user taken", admin, "POST", "/api/v1/users", map[string]string{"username": "oa-member", "password": "password-oa", "display_name": "成员"}, nil, 409},
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
			{"reset password", admin, "POST", up + "/password", map[string]string{"password": "password-new"}, nil, 204},
			{"reset password too short", admin, "POST", up + "/password", map[string]string{"password": "x"}, nil, 422},
			{"revoke", admin, "DELETE", up + "/grants/" + g.ID, nil, nil, 204},
			{"revoke again", admin, "DELETE", up + "/grants/" + g.ID, nil, nil, 404},
			{"audit", admin, "GET", "/api/v1/audit?limit=5", nil, nil, 200},
			{"audit filtered", admin, "GET", "/api/v1/audit?entity_id=" + park.ID + "&from=2020-01-01&to=2100-01-01", nil, nil, 200},
			{"audit bad date", admin, "GET", "/api/v1/audit?from=yesterday", nil, nil, 400},
			{"change password wrong", admin, "POST", "/api/v1/auth/password", map[string]string{"current_password": "nope", "new_password": "password-next"}, nil, 422},
			{"delete park stale", admin, "DELETE", pp, nil, http.Header{"If-Match": {`"1"`}}, 412},
			{"delete park", admin, "DELETE", pp, nil, nil, 204},
			{"delete park again", admin, "DELETE", pp, nil, nil, 404},
			{"logout", admin, "POST", "/api/v1/auth/logout", nil, nil, 204},
			{"session after logout", admin, "GET", "/api/v1/auth/session", nil, nil, 401},
		})
	})
}
