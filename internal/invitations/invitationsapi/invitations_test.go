package invitationsapi_test

import (
	"bytes"
	"context"
	"image/png"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/auth"
	"tongxin/internal/client"
	"tongxin/internal/testenv"
)

var ctx = context.Background()

// capture is an SMS sender that keeps what it was asked to send.
type capture struct {
	mu   sync.Mutex
	sent map[string][]auth.SMS // phone → messages
}

func (c *capture) Send(_ context.Context, phone string, msg auth.SMS) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sent == nil {
		c.sent = map[string][]auth.SMS{}
	}
	c.sent[phone] = append(c.sent[phone], msg)
	return nil
}

// last returns the last code sent to phone ("" when none).
func (c *capture) last(phone string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m := c.sent[phone]; len(m) > 0 {
		return m[len(m)-1].Code
	}
	return ""
}

func (c *capture) count(phone string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sent[phone])
}

// world is a zone with two parks, an enterprise and a branch in each, a
// worker of each enterprise with a phone number, and staff.
type world struct {
	srv              *testenv.Server
	sms              *capture
	wuli, andong     client.Park
	entW, entA       string
	branchW, branchA string
	linxiao, chenmin client.Person // workers of 五里园 and 安东园
	parkAdminW       *client.Client
	secretaryA       *client.Client
}

const (
	linPhone  = "13912345678"
	chenPhone = "13687654321"
	goodPW    = "Wuli-河流-2024"
)

func newWorld(t *testing.T, dsn string) *world {
	srv := testenv.Start(t, dsn)
	w := &world{srv: srv, sms: &capture{}, wuli: srv.Park("五里园", "wuli"), andong: srv.Park("安东园", "andong")}
	srv.App.Auth.Sender = w.sms
	w.entW = srv.Enterprise(w.wuli.ID, "恒毅机械")
	w.entA = srv.Enterprise(w.andong.ID, "盼盼饮料")
	w.branchW = srv.Org(w.wuli.ID, w.wuli.ID, "恒毅机械党支部", "branch", w.entW)
	w.branchA = srv.Org(w.andong.ID, w.andong.ID, "盼盼饮料党支部", "branch", w.entA)
	var err error
	if w.linxiao, err = srv.Admin().CreatePerson(ctx, map[string]any{"name": "林晓", "phone": linPhone, "enterprise_id": w.entW}); err != nil {
		t.Fatal(err)
	}
	if w.chenmin, err = srv.Admin().CreatePerson(ctx, map[string]any{"name": "陈敏", "phone": chenPhone, "enterprise_id": w.entA,
		"party": map[string]string{"org_id": w.branchA, "status": "full", "joined_on": "2016-07-01"}}); err != nil {
		t.Fatal(err)
	}
	w.parkAdminW = srv.User("wuli-admin", access.ParkAdmin, w.wuli.ID)
	w.secretaryA = srv.User("panpan-secretary", access.OrgSecretary, w.branchA)
	return w
}

// counts are the rows a refused request must leave as they were.
func (w *world) counts() [4]int {
	return [4]int{w.srv.Count("users"), w.srv.Count("invitations", "accepted_at IS NOT NULL"), w.srv.Count("sessions"), w.srv.Count("audit_log")}
}

// invite makes an invitation as staff and returns it with its token.
func (w *world) invite(t *testing.T, staff *client.Client, personID string, hours int) (client.CreatedInvitation, string) {
	t.Helper()
	inv, err := staff.Invite(ctx, personID, hours)
	if err != nil {
		t.Fatalf("invite: %v", err)
	}
	return inv, tokenOf(t, inv)
}

// worker invites 林晓 and accepts as her, and returns her signed-in client.
func (w *world) worker(t *testing.T) *client.Client {
	t.Helper()
	_, token := w.invite(t, w.parkAdminW, w.linxiao.ID, 0)
	c := w.srv.Client()
	if _, err := c.AcceptInvitation(ctx, token, linPhone, goodPW, ""); err != nil {
		t.Fatalf("accept: %v", err)
	}
	return c
}

func tokenOf(t *testing.T, inv client.CreatedInvitation) string {
	t.Helper()
	i := strings.Index(inv.URL, "/m/invite/")
	if i < 0 {
		t.Fatalf("url %q", inv.URL)
	}
	return inv.URL[i+len("/m/invite/"):]
}

func TestInviteAcceptAndSignInByPhone(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		inv, err := w.parkAdminW.Invite(ctx, w.linxiao.ID, 0)
		if err != nil || inv.Status != "pending" || inv.PersonName != "林晓" || !strings.HasPrefix(inv.URL, w.srv.URL+"/m/invite/inv_") {
			t.Fatalf("invite: %+v %v", inv, err)
		}
		if d := time.Until(inv.ExpiresAt); d < 71*time.Hour || d > 73*time.Hour {
			t.Fatalf("expires in %v, want 72h", d)
		}
		token := tokenOf(t, inv)
		if n := w.srv.Count("invitations", "token_hash = $1", token); n != 0 {
			t.Fatal("the token is stored in clear")
		}
		// The QR code is a PNG image.
		s, h, body := testenv.Raw(t, w.srv.Client(), "GET", inv.QRURL, "", nil)
		if s != 200 || h.Get("Content-Type") != "image/png" {
			t.Fatalf("qr: %d %s", s, h.Get("Content-Type"))
		}
		if _, err := png.Decode(bytes.NewReader([]byte(body))); err != nil {
			t.Fatalf("qr is no PNG: %v", err)
		}
		anon := w.srv.Client()
		v, err := anon.ViewInvitation(ctx, token)
		if err != nil || v.PersonName != "林晓" || v.PhoneMasked != "139****5678" || v.ZoneName != "测试开发区" {
			t.Fatalf("view: %+v %v", v, err)
		}

		// The wrong number, a weak password: 422 naming the field, nothing made.
		before := w.counts()
		_, err = anon.AcceptInvitation(ctx, token, chenPhone, goodPW, "")
		if p := testenv.Problem(err); client.StatusOf(err) != 422 || p.Errors[0].Field != "phone" || p.Errors[0].Code != "phone_mismatch" ||
			!strings.Contains(p.Errors[0].Message, "不一致") {
			t.Fatalf("wrong phone: %v %+v", err, p)
		}
		for pw, code := range map[string]string{"password123": "common", "short": "too_short", linPhone: "same_as_username", "abc\x01defgh": "control_chars"} {
			_, err = anon.AcceptInvitation(ctx, token, linPhone, pw, "")
			if p := testenv.Problem(err); client.StatusOf(err) != 422 || p.Errors[0].Field != "password" || p.Errors[0].Code != code {
				t.Fatalf("password %q: %v %+v, want %s", pw, err, p.Errors, code)
			}
		}
		if after := w.counts(); after != before {
			t.Fatalf("refused accepts changed %v → %v", before, after)
		}

		// The right number (typed as people do) and a good password.
		worker := w.srv.Client()
		res, err := worker.AcceptInvitation(ctx, token, "+86 139-1234-5678", goodPW, "")
		if err != nil || res.Token == "" || res.User.DisplayName != "林晓" || len(res.User.Grants) != 0 {
			t.Fatalf("accept: %+v %v", res, err)
		}
		sess, err := worker.Session(ctx)
		if err != nil || sess.PersonID == nil || *sess.PersonID != w.linxiao.ID || sess.Self == nil || sess.Self.Role != "member" ||
			sess.Self.PersonID != w.linxiao.ID || len(sess.Permissions) != 0 || len(sess.User.Grants) != 0 {
			t.Fatalf("session: %+v %v", sess, err)
		}
		me, err := worker.MyPerson(ctx)
		if err != nil || me.ID != w.linxiao.ID || me.Phone != "139****5678" {
			t.Fatalf("me: %+v %v", me, err)
		}

		// Used once: a second accept, the view and the QR code say so.
		_, err = w.srv.Client().AcceptInvitation(ctx, token, linPhone, goodPW, "")
		testenv.WantStatus(t, err, 409)
		if p := testenv.Problem(err); !strings.Contains(p.Detail, "已被使用") {
			t.Fatalf("reuse detail %q", p.Detail)
		}
		en := w.srv.Client()
		en.Lang = "en"
		_, err = en.ViewInvitation(ctx, token)
		if p := testenv.Problem(err); client.StatusOf(err) != 409 || !strings.Contains(p.Detail, "already been used") {
			t.Fatalf("view after use: %v %q", err, p.Detail)
		}
		if s, _, _ := testenv.Raw(t, w.srv.Client(), "GET", inv.QRURL, "", nil); s != 409 {
			t.Fatalf("qr after use: %d", s)
		}
		list, err := w.parkAdminW.ListInvitations(ctx, url.Values{"person_id": {w.linxiao.ID}})
		if err != nil || len(list.Items) != 1 || list.Items[0].Status != "accepted" || list.Items[0].UserID == nil {
			t.Fatalf("list: %+v %v", list, err)
		}
		// A person with an account is not invited again.
		_, err = w.parkAdminW.Invite(ctx, w.linxiao.ID, 0)
		testenv.WantStatus(t, err, 409)

		// Sign out; sign in again with phone and password.
		if err := worker.Logout(ctx); err != nil {
			t.Fatal(err)
		}
		again := w.srv.Client()
		if _, err := again.PhoneLogin(ctx, "139 1234 5678", goodPW, ""); err != nil {
			t.Fatalf("phone login: %v", err)
		}
		if me, err := again.MyPerson(ctx); err != nil || me.ID != w.linxiao.ID {
			t.Fatalf("me after phone login: %+v %v", me, err)
		}
		// A wrong password and an unknown number get the same 401.
		_, err = w.srv.Client().PhoneLogin(ctx, linPhone, "Not-the-pass-1", "")
		testenv.WantStatus(t, err, 401)
		_, err = w.srv.Client().PhoneLogin(ctx, "13700000000", goodPW, "")
		testenv.WantStatus(t, err, 401)
		if n := w.srv.Count("audit_log", "entity = 'invitation' AND action IN ('create', 'accept')"); n != 2 {
			t.Fatalf("%d invitation audit entries, want create and accept", n)
		}
	})
}

func TestExpiredRevokedAndLockedInvitations(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		inv, invToken := w.invite(t, w.parkAdminW, w.linxiao.ID, 2)
		token := invToken
		before := w.counts()
		w.srv.DB.Now = func() time.Time { return time.Now().Add(2*time.Hour + time.Minute) }
		_, err := w.srv.Client().ViewInvitation(ctx, token)
		if p := testenv.Problem(err); client.StatusOf(err) != 409 || !strings.Contains(p.Detail, "已过期") {
			t.Fatalf("expired view: %v %q", err, p.Detail)
		}
		_, err = w.srv.Client().AcceptInvitation(ctx, token, linPhone, goodPW, "")
		testenv.WantStatus(t, err, 409)
		list, err := w.parkAdminW.ListInvitations(ctx, url.Values{"status": {"expired"}})
		if err != nil || len(list.Items) != 1 || list.Items[0].ID != inv.ID {
			t.Fatalf("expired list: %+v %v", list, err)
		}
		w.srv.DB.Now = time.Now
		if after := w.counts(); after != before {
			t.Fatalf("expired accept changed %v → %v", before, after)
		}

		// A new invitation revokes the pending one; a revoked link is 409.
		_, firstToken := w.invite(t, w.parkAdminW, w.linxiao.ID, 0)
		second, secondToken := w.invite(t, w.parkAdminW, w.linxiao.ID, 0)
		_, err = w.srv.Client().ViewInvitation(ctx, firstToken)
		if p := testenv.Problem(err); client.StatusOf(err) != 409 || !strings.Contains(p.Detail, "撤销") {
			t.Fatalf("superseded: %v %q", err, p.Detail)
		}
		if err := w.parkAdminW.RevokeInvitation(ctx, second.ID); err != nil {
			t.Fatal(err)
		}
		_, err = w.srv.Client().AcceptInvitation(ctx, secondToken, linPhone, goodPW, "")
		testenv.WantStatus(t, err, 409)

		// Five wrong numbers lock an invitation.
		_, thirdToken := w.invite(t, w.parkAdminW, w.linxiao.ID, 0)
		for i := 0; i < 5; i++ {
			_, err = w.srv.Client().AcceptInvitation(ctx, thirdToken, "1390000000"+string(rune('0'+i)), goodPW, "")
			testenv.WantStatus(t, err, 422)
		}
		_, err = w.srv.Client().AcceptInvitation(ctx, thirdToken, linPhone, goodPW, "")
		if p := testenv.Problem(err); client.StatusOf(err) != 409 || !strings.Contains(p.Detail, "次数过多") {
			t.Fatalf("locked: %v %q", err, p.Detail)
		}
		// An unknown token is 404.
		_, err = w.srv.Client().ViewInvitation(ctx, "inv_nothing")
		testenv.WantStatus(t, err, 404)
		if w.srv.Count("users", "person_id IS NOT NULL") != 0 {
			t.Fatal("an account was made")
		}
	})
}

// An invitation binds its own person: the link of one person accepted
// with another's number is refused, and staff invite only people of their
// scope.
func TestInvitationForAnotherPerson(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		inv, invToken := w.invite(t, w.parkAdminW, w.linxiao.ID, 0)
		before := w.counts()
		_, err := w.srv.Client().AcceptInvitation(ctx, invToken, chenPhone, goodPW, "")
		if p := testenv.Problem(err); client.StatusOf(err) != 422 || p.Errors[0].Code != "phone_mismatch" {
			t.Fatalf("other person's phone: %v %+v", err, p)
		}
		if after := w.counts(); after != before {
			t.Fatalf("changed %v → %v", before, after)
		}
		// 五里园's administrator cannot invite 安东园's worker, nor see or
		// revoke their invitations; the branch secretary can.
		_, err = w.parkAdminW.Invite(ctx, w.chenmin.ID, 0)
		if p := testenv.Problem(err); client.StatusOf(err) != 422 || p.Errors[0].Field != "person_id" {
			t.Fatalf("out of scope invite: %v %+v", err, p)
		}
		invA, invAToken := w.invite(t, w.secretaryA, w.chenmin.ID, 24)
		_, err = w.secretaryA.Invite(ctx, w.linxiao.ID, 0)
		testenv.WantStatus(t, err, 422)
		list, err := w.parkAdminW.ListInvitations(ctx, nil)
		if err != nil || list.Total != 1 || list.Items[0].ID != inv.ID {
			t.Fatalf("park admin's list: %+v %v", list, err)
		}
		testenv.WantStatus(t, w.parkAdminW.RevokeInvitation(ctx, invA.ID), 404)
		// A member of no staff role may not invite at all.
		m := w.srv.User("plain-member", access.Member, w.srv.ZoneID)
		_, err = m.Invite(ctx, w.linxiao.ID, 0)
		testenv.WantStatus(t, err, 403)
		// Accepting chenmin's link with chenmin's number binds chenmin, not linxiao.
		c := w.srv.Client()
		if _, err := c.AcceptInvitation(ctx, invAToken, chenPhone, goodPW, ""); err != nil {
			t.Fatal(err)
		}
		if me, err := c.MyPerson(ctx); err != nil || me.ID != w.chenmin.ID {
			t.Fatalf("me: %+v %v", me, err)
		}
	})
}

// Of many simultaneous accepts of one link, exactly one makes an account.
func TestConcurrentAcceptsOneWins(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		_, invToken := w.invite(t, w.parkAdminW, w.linxiao.ID, 0)
		token := invToken
		const n = 8
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			counts = map[int]int{}
			start  = make(chan struct{})
		)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := client.New(w.srv.URL)
				<-start
				_, err := c.AcceptInvitation(ctx, token, linPhone, goodPW, "")
				mu.Lock()
				counts[client.StatusOf(err)]++
				mu.Unlock()
			}()
		}
		close(start)
		wg.Wait()
		if counts[0] != 1 || counts[409]+counts[503] != n-1 {
			t.Fatalf("answers %v, want one success and the rest 409", counts)
		}
		if u := w.srv.Count("users", "person_id = $1", w.linxiao.ID); u != 1 {
			t.Fatalf("%d accounts bound", u)
		}
		if s := w.srv.Count("sessions"); s < 1 {
			t.Fatal("no session")
		}
	})
}

func TestAcceptRefusesHostileInput(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		_, invToken := w.invite(t, w.parkAdminW, w.linxiao.ID, 0)
		path := "/api/v1/invitations/by-token/" + invToken + "/accept"
		before := w.counts()
		js := map[string]string{"Content-Type": "application/json"}
		for _, tc := range []struct {
			name, body, field string
			status            int
		}{
			{"NUL in phone", `{"phone":"139\u00001234567","password":"` + goodPW + `"}`, "phone", 400},
			{"invalid UTF-8", "{\"phone\":\"" + linPhone + "\",\"password\":\"\xff\xfe\"}", "password", 400},
			{"wrong type", `{"phone":13912345678,"password":"` + goodPW + `"}`, "phone", 400},
			{"unknown field", `{"phone":"` + linPhone + `","password":"` + goodPW + `","role":"zone_admin"}`, "role", 400},
			{"not a mobile", `{"phone":"12345","password":"` + goodPW + `"}`, "phone", 422},
			{"missing", `{"password":"` + goodPW + `"}`, "phone", 422},
			{"oversize", `{"phone":"` + linPhone + `","password":"` + strings.Repeat("x", 2<<20) + `"}`, "", 413},
		} {
			s, _, body := testenv.Raw(t, w.srv.Client(), "POST", path, tc.body, js)
			if s != tc.status || (tc.field != "" && !strings.Contains(body, `"field":"`+tc.field+`"`)) {
				t.Errorf("%s: %d %s, want %d naming %s", tc.name, s, body, tc.status, tc.field)
			}
		}
		s, _, _ := testenv.Raw(t, w.srv.Client(), "GET", "/api/v1/invitations/by-token/inv_%00x", "", nil)
		if s != 400 {
			t.Errorf("NUL in token: %d", s)
		}
		for _, body := range []string{`{"person_id":"x\u0000"}`, `{"person_id":"` + w.linxiao.ID + `","expires_in_hours":0}`,
			`{"person_id":"` + w.linxiao.ID + `","expires_in_hours":721}`, `{"person_id":"` + w.linxiao.ID + `","expires_in_hours":"1"}`} {
			_, err := w.parkAdminW.Do(ctx, "POST", "/api/v1/invitations", rawJSON(body), nil, nil)
			if st := client.StatusOf(err); st != 400 && st != 422 {
				t.Errorf("create %s: %v", body, err)
			}
		}
		if after := w.counts(); after != before {
			t.Fatalf("hostile input changed %v → %v", before, after)
		}
		if n := w.srv.Count("invitations"); n != 1 {
			t.Fatalf("%d invitations", n)
		}
	})
}

// rawJSON is a request body sent as it is.
type rawJSON string

func (r rawJSON) MarshalJSON() ([]byte, error) { return []byte(r), nil }

// A person whose record holds another number confirms the new one with a
// code; the record then takes it.
func TestAcceptWithNewNumberByCode(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		_, invToken := w.invite(t, w.parkAdminW, w.linxiao.ID, 0)
		token := invToken
		const newPhone = "15811112222"
		if err := w.srv.Client().InvitationCode(ctx, token, newPhone); err != nil {
			t.Fatal(err)
		}
		code := w.sms.last(newPhone)
		if len(code) != 6 {
			t.Fatalf("code %q", code)
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		_, err := w.srv.Client().AcceptInvitation(ctx, token, newPhone, goodPW, wrong)
		if p := testenv.Problem(err); client.StatusOf(err) != 422 || p.Errors[0].Field != "sms_code" {
			t.Fatalf("wrong code: %v %+v", err, p)
		}
		c := w.srv.Client()
		if _, err := c.AcceptInvitation(ctx, token, newPhone, goodPW, code); err != nil {
			t.Fatal(err)
		}
		me, err := c.MyPerson(ctx)
		if err != nil || me.Phone != "158****2222" {
			t.Fatalf("me: %+v %v", me, err)
		}
		if _, err := w.srv.Client().PhoneLogin(ctx, newPhone, goodPW, ""); err != nil {
			t.Fatalf("login with the new number: %v", err)
		}
		// A code for a used invitation is refused.
		err = w.srv.Client().InvitationCode(ctx, token, newPhone)
		testenv.WantStatus(t, err, 409)
	})
}

func TestSMSCodesSignInAndReset(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		w.worker(t)
		anon := w.srv.Client()
		if err := anon.SMSCode(ctx, linPhone, "login"); err != nil {
			t.Fatal(err)
		}
		code := w.sms.last(linPhone)
		if n := w.srv.Count("sms_codes", "code_hash = $1", code); n != 0 {
			t.Fatal("the code is stored in clear")
		}
		// A number without an account gets the same answer and no SMS.
		if err := anon.SMSCode(ctx, "13700000000", "login"); err != nil {
			t.Fatal(err)
		}
		if w.sms.count("13700000000") != 0 {
			t.Fatal("a code was sent to a number without an account")
		}
		// Again within a minute: 429 with Retry-After.
		err := anon.SMSCode(ctx, linPhone, "login")
		testenv.WantStatus(t, err, 429)
		if e := err.(*client.Error); e.Header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
		c := w.srv.Client()
		if _, err := c.PhoneLogin(ctx, linPhone, "", code); err != nil {
			t.Fatalf("code login: %v", err)
		}
		if me, err := c.MyPerson(ctx); err != nil || me.ID != w.linxiao.ID {
			t.Fatalf("me: %+v %v", me, err)
		}
		// Used once.
		_, err = w.srv.Client().PhoneLogin(ctx, linPhone, "", code)
		testenv.WantStatus(t, err, 401)
		// Password and code together is refused.
		_, err = w.srv.Client().PhoneLogin(ctx, linPhone, goodPW, code)
		testenv.WantStatus(t, err, 422)

		// Forgot password: a code (purpose reset), five wrong tries kill it.
		w.srv.DB.Now = func() time.Time { return time.Now().Add(2 * time.Minute) }
		defer func() { w.srv.DB.Now = time.Now }()
		if err := anon.SMSCode(ctx, linPhone, "reset"); err != nil {
			t.Fatal(err)
		}
		reset := w.sms.last(linPhone)
		wrong := "000000"
		if reset == wrong {
			wrong = "111111"
		}
		for i := 0; i < 5; i++ {
			err := anon.ResetPasswordByCode(ctx, linPhone, wrong, "Another-河流-2025")
			testenv.WantStatus(t, err, 422)
		}
		err = anon.ResetPasswordByCode(ctx, linPhone, reset, "Another-河流-2025")
		testenv.WantStatus(t, err, 422)
		w.srv.DB.Now = func() time.Time { return time.Now().Add(4 * time.Minute) }
		if err := anon.SMSCode(ctx, linPhone, "reset"); err != nil {
			t.Fatal(err)
		}
		if err := anon.ResetPasswordByCode(ctx, linPhone, w.sms.last(linPhone), "Another-河流-2025"); err != nil {
			t.Fatal(err)
		}
		_, err = c.MyPerson(ctx)
		testenv.WantStatus(t, err, 401) // every session ended
		if _, err := w.srv.Client().PhoneLogin(ctx, linPhone, "Another-河流-2025", ""); err != nil {
			t.Fatalf("login with the new password: %v", err)
		}
		// Codes expire.
		w.srv.DB.Now = func() time.Time { return time.Now().Add(6 * time.Minute) }
		if err := anon.SMSCode(ctx, linPhone, "login"); err != nil {
			t.Fatal(err)
		}
		late := w.sms.last(linPhone)
		w.srv.DB.Now = func() time.Time { return time.Now().Add(12 * time.Minute) }
		_, err = w.srv.Client().PhoneLogin(ctx, linPhone, "", late)
		testenv.WantStatus(t, err, 401)
		// Bad input.
		for _, tc := range []struct{ phone, purpose string }{{"12345", "login"}, {linPhone, "steal"}, {"", "login"}} {
			err := anon.SMSCode(ctx, tc.phone, tc.purpose)
			testenv.WantStatus(t, err, 422)
		}
	})
}

// The development sender writes the code to the log with the number
// masked.
func TestLogSenderMasksThePhone(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		w.srv.App.Auth.Sender = auth.LogSender{Log: w.srv.App.Log}
		_, invToken := w.invite(t, w.parkAdminW, w.linxiao.ID, 0)
		if err := w.srv.Client().InvitationCode(ctx, invToken, "15811112222"); err != nil {
			t.Fatal(err)
		}
		log := w.srv.Log.String()
		if !strings.Contains(log, `"phone":"158****2222"`) || !strings.Contains(log, `"purpose":"invite"`) || !strings.Contains(log, `"code":"`) {
			t.Fatalf("log lacks the masked message:\n%s", log)
		}
		if strings.Contains(log, "15811112222") {
			t.Fatal("the log holds the full number")
		}
	})
}

// Sending is limited per client address too.
func TestSMSCodesPerAddress(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		anon := w.srv.Client()
		for i := 0; i < 20; i++ {
			if err := anon.SMSCode(ctx, "1370000"+strings.Repeat("0", 2)+string(rune('0'+i/10))+string(rune('0'+i%10)), "login"); err != nil {
				t.Fatalf("code %d: %v", i, err)
			}
		}
		err := anon.SMSCode(ctx, "13799999999", "login")
		testenv.WantStatus(t, err, 429)
	})
}

// Phone sign-in shares the sign-in throttle, counted per number.
func TestPhoneLoginIsThrottled(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		w.worker(t)
		for i := 0; i < 10; i++ {
			_, err := w.srv.Client().PhoneLogin(ctx, linPhone, "Wrong-pass-2024", "")
			testenv.WantStatus(t, err, 401)
		}
		_, err := w.srv.Client().PhoneLogin(ctx, "+86 "+linPhone, goodPW, "")
		testenv.WantStatus(t, err, 429)
		// An unknown number is throttled alike (nothing tells them apart).
		for i := 0; i < 10; i++ {
			_, err := w.srv.Client().PhoneLogin(ctx, "13700000001", "Wrong-pass-2024", "")
			testenv.WantStatus(t, err, 401)
		}
		_, err = w.srv.Client().PhoneLogin(ctx, "13700000001", goodPW, "")
		testenv.WantStatus(t, err, 429)
		// After the window the person signs in again.
		w.srv.DB.Now = func() time.Time { return time.Now().Add(16 * time.Minute) }
		defer func() { w.srv.DB.Now = time.Now }()
		if _, err := w.srv.Client().PhoneLogin(ctx, linPhone, goodPW, ""); err != nil {
			t.Fatal(err)
		}
	})
}

// Deleting a person without an account deletes their invitations; one
// with an account stays (409).
func TestDeletingAnInvitedPerson(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		if _, err := w.parkAdminW.Invite(ctx, w.linxiao.ID, 0); err != nil {
			t.Fatal(err)
		}
		p, err := w.srv.Admin().GetPerson(ctx, w.linxiao.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.srv.Admin().DeletePerson(ctx, p.ID, p.Version); err != nil {
			t.Fatalf("delete an invited person: %v", err)
		}
		if n := w.srv.Count("invitations"); n != 0 {
			t.Fatalf("%d invitations left", n)
		}
		_, invToken := w.invite(t, w.secretaryA, w.chenmin.ID, 0)
		if _, err := w.srv.Client().AcceptInvitation(ctx, invToken, chenPhone, goodPW, ""); err != nil {
			t.Fatal(err)
		}
		p, err = w.srv.Admin().GetPerson(ctx, w.chenmin.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		testenv.WantStatus(t, w.srv.Admin().DeletePerson(ctx, p.ID, p.Version), 409)
	})
}

// A number signs in one account: a second person accepting with a number
// another account already uses is refused.
func TestOneAccountPerNumber(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		w.worker(t)
		_, token := w.invite(t, w.secretaryA, w.chenmin.ID, 0)
		if err := w.srv.Client().InvitationCode(ctx, token, linPhone); err != nil {
			t.Fatal(err)
		}
		before := w.counts()
		_, err := w.srv.Client().AcceptInvitation(ctx, token, linPhone, goodPW, w.sms.last(linPhone))
		if p := testenv.Problem(err); client.StatusOf(err) != 409 || !strings.Contains(p.Detail, "其他账号") {
			t.Fatalf("a number in use: %v %q", err, p.Detail)
		}
		if after := w.counts(); after[0] != before[0] || after[1] != before[1] {
			t.Fatalf("changed %v → %v", before, after)
		}
	})
}

// Old SMS codes are pruned with expired sessions.
func TestSMSCodesArePruned(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		_, token := w.invite(t, w.parkAdminW, w.linxiao.ID, 0)
		if err := w.srv.Client().InvitationCode(ctx, token, "15811112222"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.srv.App.Auth.PruneSessions(ctx); err != nil {
			t.Fatal(err)
		}
		if n := w.srv.Count("sms_codes"); n != 1 {
			t.Fatalf("%d codes after pruning a fresh one", n)
		}
		w.srv.DB.Now = func() time.Time { return time.Now().Add(25 * time.Hour) }
		defer func() { w.srv.DB.Now = time.Now }()
		if _, err := w.srv.App.Auth.PruneSessions(ctx); err != nil {
			t.Fatal(err)
		}
		if n := w.srv.Count("sms_codes"); n != 0 {
			t.Fatalf("%d codes after a day", n)
		}
	})
}
