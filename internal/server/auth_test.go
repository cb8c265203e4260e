package server_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/testenv"
)

func TestLoginAndTokens(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		c := client.New(f.srv.URL)
		_, err := c.Login(ctx, "admin", "wrong-password")
		wantStatus(t, err, 401)
		_, err = c.Login(ctx, "nobody", "wrong-password")
		wantStatus(t, err, 401)
		if p := problem(err); p.Problem.Detail != "用户名或密码错误。" {
			t.Fatalf("detail %q", p.Problem.Detail)
		}
		res, err := c.Login(ctx, "ADMIN ", testenv.AdminPassword)
		if err != nil || res.Token == "" || res.User.Username != "admin" || len(res.User.Grants) != 2 {
			t.Fatalf("login %+v %v", res, err)
		}
		if _, err := c.ListParks(ctx, nil); err != nil {
			t.Fatal(err)
		}
		// Malformed and unknown tokens.
		bad := client.New(f.srv.URL)
		bad.Token = "txs_forged"
		_, err = bad.ListParks(ctx, nil)
		wantStatus(t, err, 401)
		s, _, _ := raw(t, c, "GET", "/api/v1/parks", "", map[string]string{"Authorization": "Basic x"})
		if s != 401 {
			t.Fatalf("Basic auth: %d", s)
		}
		anon := client.New(f.srv.URL)
		_, err = anon.ListParks(ctx, nil)
		wantStatus(t, err, 401)
		// Logout revokes at once.
		if err := c.Logout(ctx); err != nil {
			t.Fatal(err)
		}
		_, err = c.ListParks(ctx, nil)
		wantStatus(t, err, 401)
		// Expiry: a token unused for longer than the TTL stops working.
		c2, _ := f.admin.As(ctx, "admin", testenv.AdminPassword)
		f.srv.DB.Now = func() time.Time { return time.Now().Add(13 * time.Hour) }
		_, err = c2.ListParks(ctx, nil)
		f.srv.DB.Now = time.Now
		wantStatus(t, err, 401)
	})
}

func TestSessionSlides(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		// Used every 8 hours, a 12-hour session lives on.
		for i := 1; i <= 3; i++ {
			shift := time.Duration(i) * 8 * time.Hour
			f.srv.DB.Now = func() time.Time { return time.Now().Add(shift) }
			if _, err := f.admin.ListParks(ctx, nil); err != nil {
				t.Fatalf("after %v: %v", shift, err)
			}
		}
		f.srv.DB.Now = time.Now
	})
}

func TestLoginThrottle(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		c := client.New(f.srv.URL)
		for i := 0; i < 10; i++ {
			_, err := c.Login(ctx, "admin", "wrong")
			wantStatus(t, err, 401)
		}
		// The 11th attempt is refused even with the right password.
		resp, err := c.Do(ctx, "POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": testenv.AdminPassword}, nil, nil)
		wantStatus(t, err, 429)
		ra, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		if ra < 1 || ra > 15*60 {
			t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
		}
		// Another username from the same address still may try.
		if _, err := c.Login(ctx, "nobody", "wrong"); client.StatusOf(err) != 401 {
			t.Fatalf("other username: %v", err)
		}
		// After the window the user may sign in again.
		f.srv.DB.Now = func() time.Time { return time.Now().Add(16 * time.Minute) }
		_, err = c.Login(ctx, "admin", testenv.AdminPassword)
		f.srv.DB.Now = time.Now
		if err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}

func TestCookieSessionNeedsCSRF(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		jar, _ := cookiejar.New(nil)
		hc := &http.Client{Jar: jar}
		c := client.New(f.srv.URL)
		c.HTTP = hc
		if _, err := c.Login(ctx, "admin", testenv.AdminPassword); err != nil {
			t.Fatal(err)
		}
		c.Token = "" // from here on only the cookie
		u, _ := url.Parse(f.srv.URL)
		var session struct {
			CSRFToken string `json:"csrf_token"`
		}
		if _, err := c.Do(ctx, "GET", "/api/v1/auth/session", nil, &session, nil); err != nil || session.CSRFToken == "" {
			t.Fatalf("session: %+v %v", session, err)
		}
		for _, ck := range jar.Cookies(u) {
			if ck.Name == "tongxin_session" && ck.Value == "" {
				t.Fatal("empty session cookie")
			}
		}
		_, err := c.CreatePark(ctx, map[string]string{"name": "园", "code": "a"})
		wantStatus(t, err, 403)
		if p := problem(err); !strings.Contains(p.Problem.Detail, "CSRF") {
			t.Fatalf("detail %q", p.Problem.Detail)
		}
		_, err = c.Do(ctx, "POST", "/api/v1/parks", map[string]string{"name": "园", "code": "a"}, nil, http.Header{"X-Csrf-Token": {"wrong"}})
		wantStatus(t, err, 403)
		if n := f.count("parks"); n != 0 {
			t.Fatalf("CSRF-less request created %d parks", n)
		}
		if _, err := c.Do(ctx, "POST", "/api/v1/parks", map[string]string{"name": "园", "code": "a"}, nil, http.Header{"X-Csrf-Token": {session.CSRFToken}}); err != nil {
			t.Fatalf("with CSRF token: %v", err)
		}
		// Reads need no token.
		if _, err := c.ListParks(ctx, nil); err != nil {
			t.Fatal(err)
		}
	})
}

func TestGrants(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		wuli, andong := f.park("五里园", "wuli"), f.park("安东园", "andong")
		za := f.user("zone-admin", access.ZoneAdmin, f.srv.ZoneID)
		u, err := za.CreateUser(ctx, map[string]string{"username": "worker", "password": "password-worker", "display_name": "职工"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = za.CreateUser(ctx, map[string]string{"username": "worker", "password": "password-worker", "display_name": "职工"})
		wantStatus(t, err, 409)
		_, err = za.CreateUser(ctx, map[string]string{"username": "w2", "password": "short", "display_name": ""})
		wantStatus(t, err, 422)
		if fs := problem(err).Problem.Errors; len(fs) != 3 {
			t.Fatalf("want 3 field errors, got %+v", fs)
		}
		cases := []struct {
			name, role, scope string
			status            int
		}{
			{"platform admin is beyond a zone admin", access.PlatformAdmin, f.srv.ZoneID, 403},
			{"unknown role", "king", andong.ID, 422},
			{"unknown scope", access.ParkAdmin, "no-such-node", 422},
			{"role does not fit the scope", access.ParkAdmin, f.srv.ZoneID, 422},
			{"park admin on a park", access.ParkAdmin, andong.ID, 201},
			{"the same grant again", access.ParkAdmin, andong.ID, 409},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := za.Grant(ctx, u.ID, tc.role, tc.scope)
				if got := client.StatusOf(err); got != tc.status && !(tc.status == 201 && got == 0) {
					t.Fatalf("status %d, want %d: %v", got, tc.status, err)
				}
			})
		}
		// A park administrator cannot manage users, let alone grant.
		pa := f.user("park-admin", access.ParkAdmin, wuli.ID)
		_, err = pa.Grant(ctx, u.ID, access.ParkAdmin, wuli.ID)
		wantStatus(t, err, 403)
		// The grant works at once, and revoking it takes effect at once.
		w, err := f.admin.As(ctx, "worker", "password-worker")
		if err != nil {
			t.Fatal(err)
		}
		l, err := w.ListParks(ctx, nil)
		if err != nil || l.Total != 1 || l.Items[0].ID != andong.ID {
			t.Fatalf("worker sees %+v %v", l, err)
		}
		full, err := za.ListUsers(ctx, url.Values{"q": {"worker"}})
		if err != nil || full.Total != 1 || len(full.Items[0].Grants) != 1 {
			t.Fatalf("users %+v %v", full, err)
		}
		if err := za.Revoke(ctx, u.ID, full.Items[0].Grants[0].ID); err != nil {
			t.Fatal(err)
		}
		l, err = w.ListParks(ctx, nil)
		if err != nil || l.Total != 0 {
			t.Fatalf("after revoke worker sees %d parks (%v)", l.Total, err)
		}
		wantStatus(t, za.Revoke(ctx, u.ID, full.Items[0].Grants[0].ID), 404)
		// Deleting a park removes the grants on it.
		if _, err := za.Grant(ctx, u.ID, access.ParkAdmin, andong.ID); err != nil {
			t.Fatal(err)
		}
		if err := za.DeletePark(ctx, andong.ID); err != nil {
			t.Fatal(err)
		}
		var n int
		f.srv.DB.R.QueryRow("SELECT COUNT(*) FROM grants WHERE scope_id = $1", andong.ID).Scan(&n)
		if n != 0 {
			t.Fatalf("%d grants left on a deleted park", n)
		}
	})
}

func TestPasswords(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		w := f.user("worker", access.Member, f.srv.ZoneID)
		other, _ := f.admin.As(ctx, "worker", "password-worker")
		_, err := w.Do(ctx, "POST", "/api/v1/auth/password", map[string]string{"current_password": "wrong", "new_password": "new-password-1"}, nil, nil)
		wantStatus(t, err, 422)
		_, err = w.Do(ctx, "POST", "/api/v1/auth/password", map[string]string{"current_password": "password-worker", "new_password": "short"}, nil, nil)
		wantStatus(t, err, 422)
		if _, err := w.Do(ctx, "POST", "/api/v1/auth/password", map[string]string{"current_password": "password-worker", "new_password": "new-password-1"}, nil, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := w.ListParks(ctx, nil); err != nil {
			t.Fatalf("own session must survive a password change: %v", err)
		}
		_, err = other.ListParks(ctx, nil)
		wantStatus(t, err, 401)
		if _, err := f.admin.As(ctx, "worker", "new-password-1"); err != nil {
			t.Fatal(err)
		}
		// An administrator's reset ends every session of the user.
		id := userID(t, f, "worker")
		if _, err := f.admin.Do(ctx, "POST", "/api/v1/users/"+id+"/password", map[string]string{"password": "reset-password-2"}, nil, nil); err != nil {
			t.Fatal(err)
		}
		_, err = w.ListParks(ctx, nil)
		wantStatus(t, err, 401)
		_, err = w.Do(ctx, "POST", "/api/v1/users/"+userID(t, f, "admin")+"/password", map[string]string{"password": "hijacked-pw"}, nil, nil)
		wantStatus(t, err, 401)
		if _, err := f.admin.As(ctx, "worker", "reset-password-2"); err != nil {
			t.Fatal(err)
		}
	})
}
