//go:build ui

package e2e_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tongxin/internal/access"
	"tongxin/internal/testenv"
	"tongxin/web"
)

// mediationWorld: 五里园 with 信泰 and a worker of it with a phone account,
// the legal service base's staff, an arbitrator and a room.
func mediationWorld(t *testing.T, name string) (srv *testenv.Server, worker, enterprise, arbitrator, room string) {
	t.Helper()
	ctx := context.Background()
	srv = testenv.StartWith(t, "sqlite:"+filepath.Join(t.TempDir(), name+".db"), web.Dist(), nil)
	admin := srv.Admin()
	park := srv.Park("五里园", "wuli")
	enterprise = srv.Enterprise(park.ID, "信泰集团")
	worker = srv.Person(srv.ZoneID, "陈建明", enterprise, "", "")
	if _, err := admin.CreateUser(ctx, map[string]any{"username": "chen", "password": testenv.UserPassword("chen"), "display_name": "陈建明", "person_id": worker}); err != nil {
		t.Fatal(err)
	}
	staff := srv.User("legal-staff", access.ServiceStaff, park.ID)
	srv.User("arbitrator", access.Mediator, park.ID)
	arbitrator = srv.UserID("arbitrator")
	var r struct {
		ID string `json:"id"`
	}
	if err := staff.Call(ctx, "POST", "/api/v1/mediation-rooms", map[string]any{"park_id": park.ID, "name": "第一调解室"}, &r); err != nil {
		t.Fatal(err)
	}
	return srv, worker, enterprise, arbitrator, r.ID
}

func text(sel string) string {
	return `(() => { const e = document.querySelector('` + sel + `'); return e ? e.innerText.trim() : ''; })()`
}

// The staff open a case with the intake wizard (the conflict check shown
// before the case is opened), accept it, and — after the hearing — draft
// the agreement in the editor, record both signatures and settle.
func TestBrowserMediationCaseFlow(t *testing.T) {
	needBrowser(t)
	srv, _, _, arbitrator, room := mediationWorld(t, "mediation-console")
	ctx := context.Background()
	_, run := browser(t)
	// pick chooses option in the select test: among the options of that
	// select's own list (its input names it in aria-controls), never of
	// another one still fading out, and waits for the choice to show.
	pick := func(test, typed, option string) []chromedp.Action[chromedp.Void] {
		sel := `[data-test=` + test + `] input`
		options := `[...(document.getElementById(document.querySelector('` + sel + `').getAttribute('aria-controls'))?.querySelectorAll('.el-select-dropdown__item') || [])].filter((e) => e.offsetParent && e.innerText.includes('` + option + `'))`
		return []chromedp.Action[chromedp.Void]{
			chromedp.Click(chromedp.CSS(sel)),
			chromedp.SendKeys(chromedp.CSS(sel), typed),
			waitJS("true", `String(`+options+`.length > 0)`),
			chromedp.Evaluate[chromedp.Void](options + `[0].click()`),
			waitJS("true", `String(document.querySelector('[data-test=`+test+`]').innerText.includes('`+option+`'))`),
		}
	}
	run("sign in as the base's staff and open the cases",
		chromedp.Navigate(srv.URL+"/mediation"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=login-username] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-username] input`), "legal-staff"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-password] input`), testenv.UserPassword("legal-staff")),
		chromedp.Click(chromedp.CSS(`[data-test=login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=mediation-page]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=mediation-figures]`)),
	)
	run("the intake wizard: the dispute",
		chromedp.Click(chromedp.CSS(`[data-test=mediation-new]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=intake-summary] textarea`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=intake-summary] textarea`), "工伤待遇争议：停工留薪期工资"),
		chromedp.Click(chromedp.CSS(`[data-test=intake-next]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=intake-applicant]`)),
	)
	run("the parties", append(append(pick("intake-applicant", "陈建明", "陈建明"), pick("intake-respondent", "信泰", "信泰集团")...),
		chromedp.Click(chromedp.CSS(`[data-test=intake-next]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=intake-mediator]`)),
	)...)
	run("the mediator and the conflict check", append(pick("intake-mediator", "", "arbitrator"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=intake-check-clear]`)),
		chromedp.Click(chromedp.CSS(`[data-test=intake-save]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=mediation-case]`)),
		waitJS("待受理", text(`[data-test=mediation-case-status]`)),
	)...)
	var c struct {
		ID      string `json:"id"`
		Parties []struct {
			ID string `json:"id"`
		} `json:"parties"`
	}
	var l struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := srv.Admin().Call(ctx, "GET", "/api/v1/mediation-cases", nil, &l); err != nil || len(l.Items) != 1 {
		t.Fatalf("cases: %+v %v", l, err)
	}
	if n := srv.Count("mediation_cases", "mediator_id = $1", arbitrator); n != 1 {
		t.Fatal("the arbitrator was not assigned at intake")
	}
	run("accept it",
		chromedp.Click(chromedp.CSS(`[data-test=mediation-act-accept]`)),
		waitJS("已受理", text(`[data-test=mediation-case-status]`)),
	)
	// The hearing and its start through the API (the calendar shows it).
	staff := srv.SignIn("legal-staff")
	if err := staff.Call(ctx, "GET", "/api/v1/mediation-cases/"+l.Items[0].ID, nil, &c); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range c.Parties {
		ids = append(ids, p.ID)
	}
	at := time.Now().Add(2 * time.Hour).Truncate(time.Hour)
	if err := staff.Call(ctx, "POST", "/api/v1/mediation-cases/"+c.ID+"/hearings", map[string]any{"starts_at": at, "ends_at": at.Add(2 * time.Hour), "room_id": room, "party_ids": ids}, nil); err != nil {
		t.Fatal(err)
	}
	run("start the mediation",
		chromedp.Reload(),
		waitJS("已排期", text(`[data-test=mediation-case-status]`)),
		chromedp.Click(chromedp.CSS(`[data-test=mediation-act-start]`)),
		waitJS("调解中", text(`[data-test=mediation-case-status]`)),
	)
	run("draft the agreement, record the signatures, settle",
		chromedp.Click(chromedp.CSS(`#tab-agreement`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=agreement-terms] textarea`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=agreement-terms] textarea`), "被申请人支付申请人工伤待遇。"),
		chromedp.Evaluate[chromedp.Void](`(() => { const i = document.querySelector('[data-test=agreement-amount] input'); i.value = ''; })()`),
		chromedp.SendKeys(chromedp.CSS(`[data-test=agreement-amount] input`), "68000"),
		chromedp.Click(chromedp.CSS(`[data-test=agreement-editor] label`)),
		chromedp.Click(chromedp.CSS(`[data-test=agreement-save]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=agreement-view]`)),
		waitJS("true", `String(document.querySelector('[data-test=agreement-view]').innerText.includes('68000.00'))`),
		chromedp.Click(chromedp.CSS(`[data-test=agreement-sign-applicant]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-test=agreement-sign-applicant]`)),
		chromedp.Click(chromedp.CSS(`[data-test=agreement-sign-respondent]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-test=agreement-sign-respondent]`)),
		chromedp.Click(chromedp.CSS(`[data-test=mediation-act-settle]`)),
		waitJS("调解成功", text(`[data-test=mediation-case-status]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=agreement-document]`)),
	)
	run("the timeline and the calendar",
		chromedp.Click(chromedp.CSS(`#tab-timeline`)),
		waitJS("true", `String(document.querySelector('[data-test=mediation-timeline]').innerText.includes('当事人签字'))`),
		chromedp.Navigate(srv.URL+"/mediation-calendar"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=calendar-hearing]`)),
	)
	if n := srv.Count("mediation_cases", "status = 'settled' AND outcome = 'settled'"); n != 1 {
		t.Fatal("the case is not settled")
	}
}

// A worker on a phone files a case under 我的 and follows it.
func TestBrowserPhoneMediation(t *testing.T) {
	needBrowser(t)
	srv, _, _, _, _ := mediationWorld(t, "mediation-phone")
	_, run := phone(t)
	run("sign in on the phone and open 我的 → 劳动争议调解",
		chromedp.Navigate(srv.URL+"/m/me"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-login-phone] input`)),
		chromedp.Click(chromedp.CSS(`[data-test=phone-login-mode-account]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-login-username] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-login-username] input`), "chen"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-login-password] input`), testenv.UserPassword("chen")),
		chromedp.Click(chromedp.CSS(`[data-test=phone-login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-me-mediation]`)),
	)
	run("on a slow network the file button waits for the cases and stays put",
		slowNetwork(500*time.Millisecond),
		chromedp.Click(chromedp.CSS(`[data-test=phone-me-mediation]`)),
		staysPut(`[data-test=phone-mediation-new]`, 1500*time.Millisecond),
		slowNetwork(0),
	)
	run("file a case",
		chromedp.Click(chromedp.CSS(`[data-test=phone-mediation-new]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-mediation-summary] textarea`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-mediation-summary] textarea`), "单位拖欠三个月工资"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-mediation-claim] input`), "15000"),
		chromedp.Click(chromedp.CSS(`[data-test=phone-mediation-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-mediation-detail]`)),
		waitJS("待受理", text(`[data-test=phone-mediation-status] .van-cell__value`)),
		waitJS("true", `String(document.querySelector('[data-test=phone-mediation-timeline]').innerText.includes('立案登记'))`),
		waitJS("true", `String(document.documentElement.scrollWidth <= window.innerWidth)`),
	)
	if n := srv.Count("mediation_cases", "type = 'unpaid_wages' AND claim_fen = 1500000 AND status = 'intake'"); n != 1 {
		t.Fatal("the case was not filed")
	}
	run("follow it in the list",
		chromedp.Navigate(srv.URL+"/m/me/mediation"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-mediation-case]`)),
		waitJS("true", `String(document.querySelector('[data-test=phone-mediation-case]').innerText.includes('信泰集团'))`),
	)
}
