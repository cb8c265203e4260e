//go:build ui

package e2e_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"tongxin/internal/access"
	"tongxin/internal/testenv"
	"tongxin/web"
)

// A park administrator disburses an application two others approved, from
// the mutual-aid page, and the fund's statement balances.
func TestBrowserMutualAidConsole(t *testing.T) {
	needBrowser(t)
	srv := testenv.StartWith(t, "sqlite:"+filepath.Join(t.TempDir(), "aid.db"), web.Dist(), nil)
	ctx := context.Background()
	admin := srv.Admin()
	park := srv.Park("安东园", "andong").ID
	ent := srv.Enterprise(park, "恒毅机械")
	worker := srv.Person(srv.ZoneID, "职工甲", ent, "", "")
	f, err := admin.CreateAidFund(ctx, map[string]any{"enterprise_id": ent, "name": "恒毅机械职工互助基金"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Contribute(ctx, f.ID, map[string]any{"amount_fen": 500000, "memo": "企业注资"}); err != nil {
		t.Fatal(err)
	}
	x, err := admin.ApplyForAid(ctx, map[string]any{"fund_id": f.ID, "person_id": worker, "amount_fen": 120000, "reason": "工伤住院"})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"approver-a", "approver-b"} {
		if _, err := srv.User(name, access.ParkAdmin, park).ActOnAidApplication(ctx, x.ID, "approve"); err != nil {
			t.Fatal(err)
		}
	}
	_, run := browser(t)
	run("sign in and open the mutual-aid page",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=login-username] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-username] input`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-password] input`), testenv.AdminPassword),
		chromedp.Click(chromedp.CSS(`[data-test=login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=current-user]`)),
		chromedp.Navigate(srv.URL+"/mutual-aid"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=aid-applications-table]`)),
		waitJS("已批准", `(() => { const e = document.querySelector('[data-test="aid-status-`+x.ID+`"]'); return e ? e.innerText.trim() : ''; })()`),
	)
	run("disburse it",
		clickLast("aid-disburse"),
		waitJS("已发放", `(() => { const e = document.querySelector('[data-test="aid-status-`+x.ID+`"]'); return e ? e.innerText.trim() : ''; })()`),
	)
	run("the fund holds the rest and its statement balances",
		chromedp.Click(chromedp.CSS(`#tab-funds`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=aid-funds-table]`)),
		waitJS("3800.00", `(() => { const e = document.querySelector('[data-test="aid-balance-`+f.ID+`"]'); return e ? e.innerText.trim() : ''; })()`),
		clickLast("aid-statement"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=aid-balanced]`)),
		waitJS("账目平衡", `document.querySelector('[data-test=aid-balanced]').innerText.trim()`),
		waitJS("true", `String(document.querySelector('[data-test=aid-statement-table]').innerText.includes('工伤住院'))`),
	)
}

// A worker applies for aid and enrols a child in the summer class from
// their phone, under 我的.
func TestBrowserPhoneAidAndChildcare(t *testing.T) {
	needBrowser(t)
	srv := testenv.StartWith(t, "sqlite:"+filepath.Join(t.TempDir(), "phone-care.db"), web.Dist(), nil)
	ctx := context.Background()
	admin := srv.Admin()
	park := srv.Park("安东园", "andong").ID
	ent := srv.Enterprise(park, "恒毅机械")
	person := srv.Person(srv.ZoneID, "张晓梅", ent, "", "")
	if _, err := admin.CreateUser(ctx, map[string]string{"username": "zhangxm", "password": testenv.UserPassword("zhangxm"),
		"display_name": "张晓梅", "person_id": person}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CreateAidFund(ctx, map[string]any{"enterprise_id": ent, "name": "恒毅机械职工互助基金"}); err != nil {
		t.Fatal(err)
	}
	c, err := admin.CreateChildcareClass(ctx, map[string]any{"enterprise_id": ent, "title": "职工子女暑托班", "place": "职工之家",
		"starts_on": "2026-07-06", "ends_on": "2026-08-14", "capacity": 1, "min_age": 6, "max_age": 12})
	if err != nil {
		t.Fatal(err)
	}
	_, run := phone(t)
	text := func(sel string) string {
		return `(() => { const e = document.querySelector('` + sel + `'); return e ? e.innerText.trim() : ''; })()`
	}
	run("sign in on the phone and open 我的",
		chromedp.Navigate(srv.URL+"/m/me"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-login-phone] input`)),
		chromedp.Click(chromedp.CSS(`[data-test=phone-login-mode-account]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-login-username] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-login-username] input`), "zhangxm"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-login-password] input`), testenv.UserPassword("zhangxm")),
		chromedp.Click(chromedp.CSS(`[data-test=phone-login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-me-aid]`)),
	)
	run("apply for aid",
		chromedp.Click(chromedp.CSS(`[data-test=phone-me-aid]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-aid-amount] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-aid-amount] input`), "800"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-aid-reason] textarea`), "下班路上摔伤"),
		chromedp.Click(chromedp.CSS(`[data-test=phone-aid-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-aid-submitted]`)),
		waitJS("true", `String(document.querySelector('[data-test=phone-aid-mine]').innerText.includes('下班路上摔伤'))`),
		waitJS("我已捐助 0.00 元，已获互助 0.00 元", text(`[data-test=phone-aid-own]`)),
		waitJS("true", `String(document.documentElement.scrollWidth <= window.innerWidth)`),
	)
	apps, err := admin.ListAidApplications(ctx, nil)
	if err != nil || apps.Total != 1 || apps.Items[0].AmountFen != 80000 || apps.Items[0].PersonID != person {
		t.Fatalf("the application as filed: %+v %v", apps, err)
	}
	run("enrol two children in a class of one place: the second waits",
		chromedp.Navigate(srv.URL+"/m/me/childcare"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test="phone-class-`+c.ID+`"]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-child-name] input`), "小宇"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-child-age] input`), "8"),
		chromedp.Click(chromedp.CSS(`[data-test=phone-enrol]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-enrolment-registered]`)),
		waitJS("", `document.querySelector('[data-test=phone-child-name] input').value`),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-child-name] input`), "小雨"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-child-age] input`), "6"),
		chromedp.Click(chromedp.CSS(`[data-test=phone-enrol]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-enrolment-waitlisted]`)),
		waitJS("候补第 1 位", text(`[data-test=phone-enrolment-waitlisted]`)),
	)
}

// clickLast clicks the last element of a data-test: a fixed table column
// renders its cells twice, and the visible copy comes last.
func clickLast(test string) chromedp.Action[chromedp.Void] {
	return waitJS("clicked", `(() => {
		const all = document.querySelectorAll('[data-test=`+test+`]');
		if (!all.length) return 'not yet';
		all[all.length - 1].click();
		return 'clicked';
	})()`)
}
