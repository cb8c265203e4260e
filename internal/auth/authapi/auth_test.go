package authapi_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/testenv"
)

var ctx = context.Background()

func TestLoginAndTokens(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		c := srv.Client()
		_, err := c.Login(ctx, "admin", "wrong-password")
		testenv.WantStatus(t, err, 401)
		_, err = c.Login(ctx, "nobody", "wrong-password")
		testenv.WantStatus(t, err, 401)
		if p := testenv.Problem(err); p.Detail != "用户名或密码错误。" {
			t.Fatalf("detail %q", p.Detail)
		}
		res, err := c.Login(ctx, "ADMIN ", testenv.AdminPassword)
		if err != nil || res.Token == "" || res.User.Username != "admin" || len(res.User.Grants) != 2 {
			t.Fatalf("login %+v %v", res, err)
		}
		if _, err := c.ListParks(ctx, nil); err != nil {
			t.Fatal(err)
		}
		// RFC 7235: the scheme is case-insensitive.
		for _, scheme := range []string{"bearer", "BEARER", "Bearer"} {
			s, _, body := testenv.Raw(t, client.New(srv.URL), "GET", "/api/v1/parks", "", map[string]string{"Authorization": scheme + " " + res.Token})
			if s != 200 {
				t.Fatalf("%s scheme: %d %s", scheme, s, body)
			}
		}
		bad := srv.Client()
		bad.Token = "txs_forged"
		_, err = bad.ListParks(ctx, nil)
		testenv.WantStatus(t, err, 401)
		if s, _, _ := testenv.Raw(t, client.New(srv.URL), "GET", "/api/v1/parks", "", map[string]string{"Authorization": "Basic x"}); s != 401 {
			t.Fatalf("Basic auth: %d", s)
		}
		_, err = srv.Client().ListParks(ctx, nil)
		testenv.WantStatus(t, err, 401)
		// Logout revokes at once.
		if err := c.Logout(ctx); err != nil {
			t.Fatal(err)
		}
		_, err = c.ListParks(ctx, nil)
		testenv.WantStatus(t, err, 401)
		// Expiry: a token unused for longer than the TTL stops working.
		c2 := srv.NewAdmin()
		srv.DB.Now = func() time.Time { return time.Now().Add(13 * time.Hour) }
		_, err = c2.ListParks(ctx, nil)
		srv.DB.Now = time.Now
		testenv.WantStatus(t, err, 401)
	})
}

func TestSessionSlidesUpToItsAbsoluteLifetime(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.NewAdmin()
		// Used every 8 hours, a 12-hour session lives on …
		for i := 1; i <= 20; i++ {
			shift := time.Duration(i) * 8 * time.Hour
			srv.DB.Now = func() time.Time { return time.Now().Add(shift) }
			_, err := admin.ListParks(ctx, nil)
			if shift < srv.App.Cfg.SessionMaxAge && err != nil {
				t.Fatalf("after %v: %v", shift, err)
			}
			// … until the absolute lifetime (7 days) ends it, however busy.
			if shift >= srv.App.Cfg.SessionMaxAge {
				testenv.WantStatus(t, err, 401)
				break
			}
		}
		srv.DB.Now = time.Now
	})
}

func TestLoginThrottle(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		c := srv.Client()
		for i := 0; i < 10; i++ {
			_, err := c.Login(ctx, "admin", "wrong")
			testenv.WantStatus(t, err, 401)
		}
		// The 11th attempt is refused even with the right password.
		resp, err := c.Do(ctx, "POST", "/api/v1/auth/login", map[string]string{"username": "admin", "password": testenv.AdminPassword}, nil, nil)
		testenv.WantStatus(t, err, 429)
		ra, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		if ra < 1 || ra > 15*60 {
			t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
		}
		// Another username from the same address still may try.
		_, err = c.Login(ctx, "nobody", "wrong")
		testenv.WantStatus(t, err, 401)
		// After the window the user may sign in again.
		srv.DB.Now = func() time.Time { return time.Now().Add(16 * time.Minute) }
		_, err = c.Login(ctx, "admin", testenv.AdminPassword)
		srv.DB.Now = time.Now
		if err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}

// burst sends n wrong sign-ins for username at once, spread over the
// servers, and counts the answers by status.
func burst(t *testing.T, n int, username string, srvs ...*testenv.Server) map[int]int {
	t.Helper()
	var (
		mu     sync.Mutex
		counts = map[int]int{}
		wg     sync.WaitGroup
		start  = make(chan struct{})
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := client.New(srvs[i%len(srvs)].URL)
			<-start
			_, err := c.Login(ctx, username, "wrong-password")
			mu.Lock()
			counts[client.StatusOf(err)]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return counts
}

// Failures are reserved before the password is checked, so a burst of
// parallel guesses gets no more tries than a patient attacker.
func TestParallelGuessesAreThrottled(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		counts := burst(t, 60, "admin", srv)
		if counts[401] > 10 || counts[401] == 0 || counts[401]+counts[429]+counts[503] != 60 {
			t.Fatalf("60 parallel wrong passwords: %v, want at most 10 answered 401 and the rest 429", counts)
		}
		// Each 401 is a failure recorded; a guess turned away with 503
		// (too many password checks at once, on a busy machine) gave its
		// reservation back, and a 429 never had one.
		if n := srv.Count("login_failures", "key = $1", "u:admin"); n != counts[401] || (counts[503] == 0 && n != 10) {
			t.Fatalf("%d failures recorded for admin, want one per 401 (%v)", n, counts)
		}
	})
}

// Two replicas on one database count the same attempts.
func TestThrottleAcrossReplicas(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		a := testenv.Start(t, dsn)
		b := testenv.Start(t, dsn)
		counts := burst(t, 60, "admin", a, b)
		if counts[401] > 10 || counts[401]+counts[429]+counts[503] != 60 {
			t.Fatalf("60 parallel wrong passwords on two replicas: %v, want at most 10 answered 401", counts)
		}
	})
}

func TestWrongCurrentPasswordCountsAsFailure(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		w := srv.User("worker", access.Member, srv.ZoneID)
		for i := 0; i < 10; i++ {
			_, err := w.Do(ctx, "POST", "/api/v1/auth/password", map[string]string{"current_password": "wrong-one", "new_password": "New-password-1"}, nil, nil)
			testenv.WantStatus(t, err, 422)
		}
		_, err := w.Do(ctx, "POST", "/api/v1/auth/password", map[string]string{"current_password": testenv.UserPassword("worker"), "new_password": "New-password-1"}, nil, nil)
		testenv.WantStatus(t, err, 429)
		_, err = srv.Client().Login(ctx, "worker", testenv.UserPassword("worker"))
		testenv.WantStatus(t, err, 429)
	})
}

func TestPasswordRules(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		w := srv.User("worker", access.Member, srv.ZoneID)
		cur := testenv.UserPassword("worker")
		for next, code := range map[string]string{
			"password123": "common", "Password123": "common", "12345678": "common", "woaini1314": "common", "qwertyuiop": "common",
			"worker": "too_short", "WORKER-01": "", "        ": "blank", "abc\x01defgh": "control_chars", "short": "too_short",
			strings.Repeat("x", 129): "too_long", " Worker ": "same_as_username",
		} {
			if code == "" {
				continue
			}
			_, err := w.Do(ctx, "POST", "/api/v1/auth/password", map[string]string{"current_password": cur, "new_password": next}, nil, nil)
			p := testenv.Problem(err)
			if client.StatusOf(err) != 422 || len(p.Errors) != 1 || p.Errors[0].Code != code || p.Errors[0].Field != "new_password" {
				t.Errorf("%q: %v %+v, want 422 %s", next, err, p.Errors, code)
			}
		}
		_, err := srv.Admin().CreateUser(ctx, map[string]string{"username": "lijun", "password": "lijun", "display_name": "李军"})
		testenv.WantStatus(t, err, 422)
		_, err = srv.Admin().CreateUser(ctx, map[string]string{"username": "lijun2024", "password": "LIJUN2024", "display_name": "李军"})
		if p := testenv.Problem(err); client.StatusOf(err) != 422 || p.Errors[0].Code != "same_as_username" {
			t.Fatalf("password = username: %v %+v", err, p.Errors)
		}
		if _, err := w.Do(ctx, "POST", "/api/v1/auth/password", map[string]string{"current_password": cur, "new_password": "Zhuhai-河流-2024"}, nil, nil); err != nil {
			t.Fatalf("a good password: %v", err)
		}
	})
}

func TestCookieSessionNeedsCSRF(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		jar, _ := cookiejar.New(nil)
		c := srv.Client()
		c.HTTP = &http.Client{Jar: jar}
		if _, err := c.Login(ctx, "admin", testenv.AdminPassword); err != nil {
			t.Fatal(err)
		}
		c.Token = "" // from here on only the cookie
		u, _ := url.Parse(srv.URL)
		session, err := c.Session(ctx)
		if err != nil || session.CSRFToken == "" {
			t.Fatalf("session: %+v %v", session, err)
		}
		if len(jar.Cookies(u)) != 1 || jar.Cookies(u)[0].Value == "" {
			t.Fatal("no session cookie")
		}
		_, err = c.CreatePark(ctx, map[string]string{"name": "园", "code": "a"})
		testenv.WantStatus(t, err, 403)
		if p := testenv.Problem(err); !strings.Contains(p.Detail, "CSRF") {
			t.Fatalf("detail %q", p.Detail)
		}
		_, err = c.Do(ctx, "POST", "/api/v1/parks", map[string]string{"name": "园", "code": "a"}, nil, http.Header{"X-Csrf-Token": {"wrong"}})
		testenv.WantStatus(t, err, 403)
		if n := srv.Count("parks"); n != 0 {
			t.Fatalf("CSRF-less request created %d parks", n)
		}
		if _, err := c.Do(ctx, "POST", "/api/v1/parks", map[string]string{"name": "园", "code": "a"}, nil, http.Header{"X-Csrf-Token": {session.CSRFToken}}); err != nil {
			t.Fatalf("with CSRF token: %v", err)
		}
		if _, err := c.ListParks(ctx, nil); err != nil {
			t.Fatal(err) // reads need no token
		}
	})
}

// Login CSRF: a page on another site must not be able to sign a victim's
// browser in as the attacker.
func TestLoginRefusesCrossSiteRequests(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		body := `{"username":"admin","password":"` + testenv.AdminPassword + `"}`
		host := strings.TrimPrefix(srv.URL, "http://")
		for _, tc := range []struct {
			name   string
			hdr    map[string]string
			status int
		}{
			{"text/plain form post", map[string]string{"Content-Type": "text/plain"}, 415},
			{"urlencoded form post", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415},
			{"other site's origin", map[string]string{"Content-Type": "application/json", "Origin": "https://evil.example"}, 403},
			{"null origin", map[string]string{"Content-Type": "application/json", "Origin": "null"}, 403},
			{"cross-site fetch", map[string]string{"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, 403},
			{"same origin", map[string]string{"Content-Type": "application/json", "Origin": "http://" + host, "Sec-Fetch-Site": "same-origin"}, 200},
			{"no origin (API client)", map[string]string{"Content-Type": "application/json"}, 200},
		} {
			s, h, b := testenv.Raw(t, client.New(srv.URL), "POST", "/api/v1/auth/login", body, tc.hdr)
			if s != tc.status {
				t.Errorf("%s: %d, want %d: %s", tc.name, s, tc.status, b)
			}
			if s != 200 && h.Get("Set-Cookie") != "" {
				t.Errorf("%s: refused but set a cookie", tc.name)
			}
		}
	})
}

func TestSessionShowsPermissions(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		park := srv.Park("安东园", "andong")
		pa := srv.User("pa-user", access.ParkAdmin, park.ID)
		s, err := pa.Session(ctx)
		if err != nil || s.AllZones || len(s.Permissions) != 1 || s.Permissions[0].ScopeID != park.ID || s.Permissions[0].ScopeKind != "park" {
			t.Fatalf("park admin session %+v %v", s, err)
		}
		perms := strings.Join(s.Permissions[0].Perms, " ")
		if !strings.Contains(perms, "park.update") || strings.Contains(perms, "park.manage") || strings.Contains(perms, "user.manage") {
			t.Fatalf("park admin perms %s", perms)
		}
		as, err := srv.Admin().Session(ctx)
		if err != nil || !as.AllZones {
			t.Fatalf("admin session %+v %v", as, err)
		}
	})
}

func TestSignInsAndSignOutsAreAudited(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		srv.User("worker", access.Member, srv.ZoneID)
		if _, err := srv.Client().Login(ctx, "worker", "not-the-password"); client.StatusOf(err) != 401 {
			t.Fatal(err)
		}
		if _, err := srv.Client().Login(ctx, "ghost", "not-the-password"); client.StatusOf(err) != 401 {
			t.Fatal(err)
		}
		w := srv.SignIn("worker")
		if err := w.Logout(ctx); err != nil {
			t.Fatal(err)
		}
		if n := srv.Count("audit_log", "action = 'login_failed' AND actor_name = 'worker' AND zone_id = $1", srv.ZoneID); n != 1 {
			t.Fatalf("%d failed sign-ins of worker audited", n)
		}
		if n := srv.Count("audit_log", "action = 'login_failed' AND actor_name = 'ghost' AND zone_id IS NULL AND actor_id IS NULL"); n != 1 {
			t.Fatalf("%d failed sign-ins of an unknown user audited (platform-level)", n)
		}
		if n := srv.Count("audit_log", "action = 'logout' AND actor_name = 'worker'"); n != 1 {
			t.Fatalf("%d sign-outs audited", n)
		}
	})
}

// The session names the people record an account is bound to, and null
// for an account bound to none.
func TestSessionNamesTheBoundPerson(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		park := srv.Park("五里园", "WL")
		person := srv.Person(srv.ZoneID, "林晓", srv.Enterprise(park.ID, "恒安集团"), "", "")
		if _, err := srv.Admin().CreateUser(ctx, map[string]string{"username": "linxiao", "password": testenv.UserPassword("linxiao"),
			"display_name": "林晓", "person_id": person}); err != nil {
			t.Fatal(err)
		}
		s, err := srv.SignIn("linxiao").Session(ctx)
		if err != nil || s.PersonID == nil || *s.PersonID != person {
			t.Fatalf("bound account's session: %+v %v", s, err)
		}
		s, err = srv.Admin().Session(ctx)
		if err != nil || s.PersonID != nil {
			t.Fatalf("admin's session: %+v %v", s, err)
		}
	})
}
