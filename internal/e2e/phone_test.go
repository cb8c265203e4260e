//go:build ui

package e2e_test

import (
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

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
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-login-username] input`)),
		waitJS("390", `String(window.innerWidth)`),
	)
	run("sign in",
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
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-login-username] input`)),
		waitJS("/m/login", `location.pathname`),
	)
}
