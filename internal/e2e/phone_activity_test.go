//go:build ui

package e2e_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tongxin/internal/testenv"
	"tongxin/web"
)

// A member signs up for an activity on their phone, checks in by opening
// the address of a code the organiser shows, and sees the hours credited
// at completion.
func TestBrowserPhoneActivitySignupCheckinHours(t *testing.T) {
	needBrowser(t)
	srv := testenv.StartWith(t, "sqlite:"+filepath.Join(t.TempDir(), "phone-activity.db"), web.Dist(), nil)
	ctx := context.Background()
	admin := srv.Admin()
	park := srv.Park("五里园", "wuli").ID
	ent := srv.Enterprise(park, "盼盼饮料")
	person := srv.Person(srv.ZoneID, "林晓", ent, "", "")
	if _, err := admin.CreateUser(ctx, map[string]string{"username": "linxiao", "password": testenv.UserPassword("linxiao"),
		"display_name": "林晓", "person_id": person}); err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(30 * time.Minute).Truncate(time.Minute)
	a, err := admin.CreateActivity(ctx, map[string]any{"organizer_id": park, "title": "河长制护河主题党日", "kind": "theme_day",
		"function": "governance", "starts_at": start.UTC().Format(time.RFC3339), "ends_at": start.Add(2 * time.Hour).UTC().Format(time.RFC3339),
		"capacity": 14, "credit_hours": 2, "checkin_mode": "checkin", "location": map[string]any{"name": "沟（Kemu Creek）五里段"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ActivityAction(ctx, a.ID, "publish"); err != nil {
		t.Fatal(err)
	}
	_, run := phone(t)
	text := func(sel string) string {
		return `(() => { const e = document.querySelector('` + sel + `'); return e ? e.innerText.trim() : ''; })()`
	}
	run("sign in on the phone",
		chromedp.Navigate(srv.URL+"/m/activities"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-login-phone] input`)),
		chromedp.Click(chromedp.CSS(`[data-test=phone-login-mode-account]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-login-username] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-login-username] input`), "linxiao"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-login-password] input`), testenv.UserPassword("linxiao")),
		chromedp.Click(chromedp.CSS(`[data-test=phone-login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-activity]`)),
	)
	run("open the activity and sign up",
		chromedp.Click(chromedp.CSS(`[data-test=phone-activity]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-signup]`)),
		waitJS("河长制护河主题党日", `(() => { const e = document.querySelector('[data-test=phone-activity-title] .van-cell__title span'); return e ? e.innerText.trim() : ''; })()`),
		chromedp.Click(chromedp.CSS(`[data-test=phone-signup]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-signup-status]`)),
		waitJS("已报名", text(`[data-test=phone-signup-status]`)),
	)
	code, err := admin.MintCheckinCode(ctx, a.ID, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	run("open the scanned code's address: checked in",
		chromedp.Navigate(code.CheckinURL),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-checkin-ok]`)),
		waitJS("true", `String(document.body.innerText.includes('签到成功'))`),
	)
	if _, err := admin.ActivityAction(ctx, a.ID, "complete"); err != nil {
		t.Fatal(err)
	}
	run("my hours show the credit",
		chromedp.Navigate(srv.URL+"/m/mine"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-hours-record]`)),
		waitJS("2", `(() => { const e = document.querySelector('[data-test=phone-total-hours] .van-cell__value'); return e ? e.innerText.trim() : ''; })()`),
		waitJS("true", `String(document.body.innerText.includes('河长制护河主题党日'))`),
		waitJS("true", `String(document.documentElement.scrollWidth <= window.innerWidth)`),
	)
	run("my private calendar address",
		chromedp.Click(chromedp.CSS(`[data-test=phone-calendar]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-calendar-url]`)),
		waitJS("true", `String(document.querySelector('[data-test=phone-calendar-url]').innerText.includes('/api/v1/calendar/'))`),
	)
}
