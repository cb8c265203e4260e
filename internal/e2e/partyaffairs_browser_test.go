//go:build ui

package e2e_test

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"tongxin/internal/demo"
	"tongxin/internal/testenv"
	"tongxin/web"
)

// setJS types v into the input inside [data-test=name] the way a user's
// typing reaches Vue (input, then change on leaving the field).
func setJS(name, v string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const i = document.querySelector('[data-test=%s] input');
		i.value = %q;
		i.dispatchEvent(new Event('input', { bubbles: true }));
		i.dispatchEvent(new Event('change', { bubbles: true }));
	})()`, name, v))
}

// TestBrowserPartyConsole walks the demo zone's 创新举措 and 一企一品 as
// the zone's administrator: the innovation log found by pinyin with its
// report, the matrix cell drilling down to it, a brand found by search,
// its page with its evaluations, a score out of range refused under its
// field, and a year's evaluation recorded; and the arrears list.
func TestBrowserPartyConsole(t *testing.T) {
	needBrowser(t)
	srv := testenv.StartWith(t, "sqlite:"+filepath.Join(t.TempDir(), "party.db"), web.Dist(), nil)
	if _, err := demo.Load(context.Background(), srv.DB, testenv.Passwords(), srv.App.Keys, srv.ZoneID, testenv.AdminPassword); err != nil {
		t.Fatal(err)
	}
	ents, err := srv.Admin().ListEnterprises(context.Background(), url.Values{"q": {"蜡笔小新"}})
	if err != nil || len(ents.Items) != 1 {
		t.Fatalf("蜡笔小新: %+v %v", ents, err)
	}
	orgs, err := srv.Admin().ListOrgs(context.Background(), url.Values{"q": {"成达齿轮党支部"}})
	if err != nil || len(orgs.Items) != 1 {
		t.Fatalf("成达齿轮党支部: %+v %v", orgs, err)
	}
	_, run := browser(t)
	has := func(sel, want string) string {
		return fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e && e.innerText.includes(%q) ? 'yes' : 'no'; })()`, sel, want)
	}
	rows := func(sel string) string {
		return fmt.Sprintf(`String(document.querySelectorAll('%s .el-table__body-wrapper tbody tr').length)`, sel)
	}
	click := func(sel string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).click()`, sel))
	}
	run("sign in",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=login-username] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-username] input`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-password] input`), testenv.AdminPassword),
		chromedp.Click(chromedp.CSS(`[data-test=login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=current-user]`)),
	)
	run("the innovation log: its report, and a search in pinyin",
		chromedp.Navigate(srv.URL+"/innovations"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=innovations-table]`)),
		waitJS("yes", has(`[data-test=innovation-report]`, "共 11 项创新举措")),
		waitJS("yes", has(`[data-test=innovation-report]`, "推动发展")),
		chromedp.SendKeys(chromedp.CSS(`[data-test=innovation-search] input`), "rencai"),
		waitJS("1", rows(`[data-test=innovations-table]`)),
		waitJS("yes", has(`[data-test=innovations-table]`, "信泰“党建+人才”计划")),
	)
	run("the matrix's zone × political cell drills down to its innovations",
		chromedp.Navigate(srv.URL+"/innovations?level=zone&function=political"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=innovations-table]`)),
		waitJS("3", rows(`[data-test=innovations-table]`)),
		waitJS("yes", has(`[data-test=innovations-table]`, "圆周率")),
	)
	run("find the brand 甜蜜党建 and open its page",
		chromedp.Navigate(srv.URL+"/brands"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=brands-table]`)),
		waitJS("3", rows(`[data-test=brands-table]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=brand-search] input`), "甜蜜"),
		waitJS("1", rows(`[data-test=brands-table]`)),
		click(`[data-test=brand-link]`),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=brand-page]`)),
		waitJS("yes", has(`[data-test=brand-title]`, "蜡笔小新")),
		waitJS("2", rows(`[data-test=brand-evaluations]`)),
	)
	run("a score above 100 is refused under its field, nothing recorded",
		setJS("evaluation-score", "101"),
		click(`[data-test=evaluation-save]`),
		waitJS("yes", `(() => { const e = document.querySelector('[data-test=evaluation-score]').closest('.el-form-item').querySelector('.el-form-item__error'); return e && e.textContent.includes('100') ? 'yes' : 'no'; })()`),
		waitJS("2", rows(`[data-test=brand-evaluations]`)),
	)
	run("a score in range is recorded",
		setJS("evaluation-score", "95"),
		click(`[data-test=evaluation-save]`),
		waitJS("3", rows(`[data-test=brand-evaluations]`)),
		waitJS("yes", has(`[data-test=brand-evaluations]`, "优秀")),
	)
	run("the enterprise's page leads to its brand page",
		chromedp.Navigate(srv.URL+"/enterprises/"+ents.Items[0].ID),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=enterprise-brand]`)),
		waitJS("yes", has(`[data-test=enterprise-brand]`, "甜蜜党建")),
		click(`[data-test=enterprise-brand]`),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=brand-page]`)),
		waitJS("3", rows(`[data-test=brand-evaluations]`)),
	)
	run("the branch's page keeps the record of its elections",
		chromedp.Navigate(srv.URL+"/orgs/"+orgs.Items[0].ID),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=org-elections]`)),
		waitJS("yes", has(`[data-test=org-elections]`, "2022-06-18")),
	)
	run("the elections page: reminders and records",
		chromedp.Navigate(srv.URL+"/party-elections"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=election-reminders]`)),
		waitJS("yes", has(`[data-test=elections-table]`, "成达齿轮党支部")),
	)
	run("the dues' arrears list",
		chromedp.Navigate(srv.URL+"/party-dues"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=dues-table]`)),
		click(`#tab-arrears`),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=arrears-table]`)),
		waitJS("yes", `(() => document.querySelectorAll('[data-test=arrears-table] .el-table__body-wrapper tbody tr').length > 0 ? 'yes' : 'no')()`),
	)
}

// TestBrowserPhoneParty: the demo's worker, a member of 成达齿轮党支部,
// opens 我的 → 我的党务 on the phone and sees their dues month by month
// with the rate kept, and what they still owe.
func TestBrowserPhoneParty(t *testing.T) {
	needBrowser(t)
	srv := testenv.StartWith(t, "sqlite:"+filepath.Join(t.TempDir(), "phone-party.db"), web.Dist(), nil)
	if _, err := demo.Load(context.Background(), srv.DB, testenv.Passwords(), srv.App.Keys, srv.ZoneID, testenv.AdminPassword); err != nil {
		t.Fatal(err)
	}
	_, run := phone(t)
	has := func(sel, want string) string {
		return fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e && e.innerText.includes(%q) ? 'yes' : 'no'; })()`, sel, want)
	}
	run("sign in on the phone",
		chromedp.Navigate(srv.URL+"/m/me"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-login-phone] input`)),
		chromedp.Click(chromedp.CSS(`[data-test=phone-login-mode-account]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-login-username] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-login-username] input`), demo.WorkerUsername),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-login-password] input`), testenv.AdminPassword),
		chromedp.Click(chromedp.CSS(`[data-test=phone-login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-me-party]`)),
	)
	run("open 我的党务: dues with their rate, what is owed",
		chromedp.Click(chromedp.CSS(`[data-test=phone-me-party]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-party-due]`)),
		waitJS("yes", has(`[data-test=phone-party]`, "比例")),
		waitJS("yes", has(`[data-test=phone-party]`, "党费缴纳记录")),
		waitJS("yes", `(() => document.querySelector('[data-test=phone-party-owed], [data-test=phone-party-owed-none]') ? 'yes' : 'no')()`),
		waitJS("true", `String(document.documentElement.scrollWidth <= window.innerWidth)`),
	)
}
