//go:build ui

package e2e_test

import (
	"context"

	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tongxin/internal/access"
	"tongxin/internal/testenv"
	"tongxin/web"
)

// The phone pages sign in, keep their own frame (title bar, tab bar) in a
// phone-sized window, and send a signed-out visitor back to the phone
// sign-in, not the console's.
func TestBrowserPhoneShell(t *testing.T) {
	needBrowser(t)
	srv := testenv.StartWith(t, "sqlite:"+filepath.Join(t.TempDir(), "phone.db"), web.Dist(), nil)
	_, run := phone(t)

	text := func(sel string) string {
		return `(() => { const e = document.querySelector('` + sel + `'); return e ? e.innerText.trim() : ''; })()`
	}
	run("a signed-out visitor of a phone page gets the phone sign-in",
		chromedp.Navigate(srv.URL+"/m/me"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-login-phone] input`)),
		waitJS("390", `String(window.innerWidth)`),
	)
	run("staff sign in with their username",
		chromedp.Click(chromedp.CSS(`[data-test=phone-login-mode-account]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-login-username] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-login-username] input`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-login-password] input`), testenv.AdminPassword),
		chromedp.Click(chromedp.CSS(`[data-test=phone-login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-me]`)),
		waitJS("/m/me", `location.pathname`),
		waitJS("我的", text(`[data-test=tab-phoneMe]`)),
	)
	run("the page fits the phone's width",
		waitJS("true", `String(document.documentElement.scrollWidth <= window.innerWidth)`),
	)
	run("switch to English", chromedp.Click(chromedp.CSS(`[data-test=phone-lang]`)), waitJS("Me", text(`[data-test=tab-phoneMe]`)))
	run("sign out",
		chromedp.Click(chromedp.CSS(`[data-test=phone-logout]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-login-phone] input`)),
		waitJS("/m/login", `location.pathname`),
	)
}

// A worker invited by their park opens the link on the phone, confirms
// their number, chooses a password, lands signed in on their own record,
// signs out and signs in again with phone and password.
func TestBrowserPhoneInvitation(t *testing.T) {
	needBrowser(t)
	srv := testenv.StartWith(t, "sqlite:"+filepath.Join(t.TempDir(), "invite.db"), web.Dist(), nil)
	park := srv.Park("五里园", "wuli")
	ent := srv.Enterprise(park.ID, "恒毅机械")
	person, err := srv.Admin().CreatePerson(context.Background(), map[string]any{"name": "林晓", "phone": "13912345678", "enterprise_id": ent})
	if err != nil {
		t.Fatal(err)
	}
	staff := srv.User("wuli-admin", access.ParkAdmin, park.ID)
	inv, err := staff.Invite(context.Background(), person.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, run := phone(t)
	text := func(sel string) string {
		return `(() => { const e = document.querySelector('` + sel + `'); return e ? e.innerText.trim() : ''; })()`
	}
	const pw = "Wuli-河流-2024"
	run("the link shows who is invited",
		chromedp.Navigate(inv.URL),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-invite-name]`)),
		waitJS("true", `String(`+text(`[data-test=phone-invite-name]`)+`.includes("林晓"))`),
		waitJS("true", `String(`+text(`[data-test=phone-invite-phone]`)+`.includes("139****5678"))`),
		waitJS("true", `String(document.documentElement.scrollWidth <= window.innerWidth)`),
	)
	run("another number is refused under its field",
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-invite-phone-input] input`), "13687654321"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-invite-password] input`), pw),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-invite-confirm] input`), pw),
		chromedp.Click(chromedp.CSS(`[data-test=phone-invite-submit]`)),
		waitJS("true", `String(`+text(`[data-test=phone-invite-phone-input]`)+`.includes("不一致"))`),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-invite-code] input`)),
	)
	run("the number on record and a password: signed in on the own record",
		chromedp.Evaluate[chromedp.Void](`(() => { const i = document.querySelector('[data-test=phone-invite-phone-input] input'); i.value = ''; i.dispatchEvent(new Event('input')); })()`),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-invite-phone-input] input`), "13912345678"),
		chromedp.Click(chromedp.CSS(`[data-test=phone-invite-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-me-person]`)),
		waitJS("/m/me", `location.pathname`),
		waitJS("true", `String(`+text(`[data-test=phone-me]`)+`.includes("林晓") && `+text(`[data-test=phone-me]`)+`.includes("恒毅机械"))`),
		waitJS("true", `String(`+text(`[data-test=phone-me-phone]`)+`.includes("139****5678"))`),
	)
	run("sign out",
		chromedp.Click(chromedp.CSS(`[data-test=phone-logout]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-login-phone] input`)),
	)
	run("the link works once",
		chromedp.Navigate(inv.URL),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-invite-failure]`)),
		waitJS("true", `String(`+text(`[data-test=phone-invite-failure]`)+`.includes("已被使用"))`),
	)
	run("sign in again with phone and password",
		chromedp.Navigate(srv.URL+"/m/login"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-login-phone] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-login-phone] input`), "139 1234 5678"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-login-password] input`), pw),
		chromedp.Click(chromedp.CSS(`[data-test=phone-login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-me-person]`)),
		waitJS("true", `String(`+text(`[data-test=phone-me]`)+`.includes("林晓"))`),
	)
	run("sign out and ask for an SMS code",
		chromedp.Click(chromedp.CSS(`[data-test=phone-logout]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-login-phone] input`)),
		chromedp.Click(chromedp.CSS(`[data-test=phone-login-mode-code]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-login-code] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-login-phone] input`), "13912345678"),
		chromedp.Click(chromedp.CSS(`[data-test=phone-login-send-code]`)),
		waitJS("true", `String(`+text(`[data-test=phone-login-send-code]`)+`.includes("秒后重发"))`),
	)
	code := lastLoggedCode(t, srv.Log.String())
	run("sign in with the code",
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-login-code] input`), code),
		chromedp.Click(chromedp.CSS(`[data-test=phone-login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-me-person]`)),
		waitJS("true", `String(`+text(`[data-test=phone-me]`)+`.includes("林晓"))`),
	)
}

// lastLoggedCode is the code the development SMS sender wrote last to the
// server's JSON log.
func lastLoggedCode(t *testing.T, log string) string {
	t.Helper()
	code := ""
	for _, line := range strings.Split(log, "\n") {
		var e struct {
			Msg  string `json:"msg"`
			Code string `json:"code"`
		}
		if json.Unmarshal([]byte(line), &e) == nil && strings.HasPrefix(e.Msg, "sms (log sender") {
			code = e.Code
		}
	}
	if len(code) != 6 {
		t.Fatalf("no code in the log")
	}
	return code
}

// Staff invite a person from the person's page: the dialog shows the QR
// code and the link with its expiry, the invitation appears in the list,
// and revoking it ends it.
func TestBrowserConsoleInvitation(t *testing.T) {
	needBrowser(t)
	srv := testenv.StartWith(t, "sqlite:"+filepath.Join(t.TempDir(), "console-invite.db"), web.Dist(), nil)
	park := srv.Park("五里园", "wuli")
	ent := srv.Enterprise(park.ID, "恒毅机械")
	person, err := srv.Admin().CreatePerson(context.Background(), map[string]any{"name": "林晓", "phone": "13912345678", "enterprise_id": ent})
	if err != nil {
		t.Fatal(err)
	}
	_, run := browser(t)
	run("sign in and open the person",
		chromedp.Navigate(srv.URL+"/people/"+person.ID),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=login-username] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-username] input`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-password] input`), testenv.AdminPassword),
		chromedp.Click(chromedp.CSS(`[data-test=login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=person-invite]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=invitations-none]`)),
	)
	run("invite: the QR code and the link",
		// Clicked in the page: right after the page appears a mouse click
		// can land while the page is still moving into place.
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-test=person-invite]').click()`),
		// The dialog slides in: a click measured while it moves lands beside.
		clickSettled(`[data-test=invite-create]`),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=invite-qr]`)),
		waitJS("true", `String(document.querySelector('[data-test=invite-qr]').naturalWidth > 100)`),
		waitJS("true", `String(!!document.querySelector('[data-test=invite-url]')?.value?.startsWith(location.origin + '/m/invite/inv_'))`),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=invitation-status-pending]`)),
	)
	if n := srv.Count("invitations", "person_id = $1 AND revoked_at IS NULL", person.ID); n != 1 {
		t.Fatalf("%d pending invitations", n)
	}
	run("revoke it",
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-test=invite-created]').closest('.el-dialog').querySelector('.el-dialog__footer button').click()`),
		chromedp.WaitNotVisible(chromedp.CSS(`[data-test=invite-qr]`)),
		chromedp.Click(chromedp.CSS(`[data-test=invitation-revoke]`)),
		chromedp.WaitVisible(chromedp.CSS(`.el-message-box__btns .el-button--primary`)),
		chromedp.Click(chromedp.CSS(`.el-message-box__btns .el-button--primary`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=invitation-status-revoked]`)),
	)
	if n := srv.Count("invitations", "person_id = $1 AND revoked_at IS NOT NULL", person.ID); n != 1 {
		t.Fatalf("%d revoked invitations", n)
	}
}
