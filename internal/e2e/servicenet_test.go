//go:build ui

package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/servicenet/servicenetapi"
	"tongxin/internal/testenv"
	"tongxin/web"
)

// servicenetWorld is a park with its neighbourhood centre offering legal
// aid, and a worker's account bound to a person of the park.
func servicenetWorld(t *testing.T, name string) (*testenv.Server, client.ServicePoint) {
	t.Helper()
	ctx := context.Background()
	srv := testenv.StartWith(t, "sqlite:"+filepath.Join(t.TempDir(), name+".db"), web.Dist(), nil)
	admin := srv.Admin()
	park := srv.Park("五里园", "wuli")
	pt, err := admin.CreateServicePoint(ctx, map[string]any{"park_id": park.ID, "name": "五里园邻里中心", "kind": "center",
		"location": map[string]float64{"lat": 24.77, "lng": 118.59}, "service_codes": []string{"legal_aid", "property"}})
	if err != nil {
		t.Fatal(err)
	}
	person := srv.Person(srv.ZoneID, "李德", srv.Enterprise(park.ID, "恒安"), "", "")
	if _, err := admin.CreateUser(ctx, map[string]any{"username": "lide", "password": testenv.UserPassword("lide"), "display_name": "李德",
		"person_id": person}); err != nil {
		t.Fatal(err)
	}
	return srv, pt
}

// A worker on a phone chooses a service, files a request with a photo,
// follows it and rates it once the centre has resolved it.
func TestBrowserPhoneFilesAServiceRequest(t *testing.T) {
	needBrowser(t)
	srv, pt := servicenetWorld(t, "phone-request")
	staff := srv.User("center-staff", access.ServiceStaff, pt.ID)
	photo := filepath.Join(t.TempDir(), "漏水.png")
	if err := os.WriteFile(photo, servicenetapi.TinyPNG, 0o600); err != nil {
		t.Fatal(err)
	}
	_, run := phone(t)
	text := func(sel string) string {
		return `(() => { const e = document.querySelector('` + sel + `'); return e ? e.innerText.trim() : ''; })()`
	}
	run("sign in on the phone and open 办事",
		chromedp.Navigate(srv.URL+"/m/services"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-login-phone] input`)),
		chromedp.Click(chromedp.CSS(`[data-test=phone-login-mode-account]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-login-username] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-login-username] input`), "lide"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-login-password] input`), testenv.UserPassword("lide")),
		chromedp.Click(chromedp.CSS(`[data-test=phone-login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-service-legal_aid]`)),
	)
	run("choose legal aid and file with a photo",
		chromedp.Click(chromedp.CSS(`[data-test=phone-service-legal_aid]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-request-description] textarea`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-request-description] textarea`), "工伤待遇争议，想请法律服务基地调解"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-request-name] input`), "李德"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-request-phone] input`), "13900139000"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-request-address] input`), "五里园北片区宿舍"),
		chromedp.SetUploadFiles(chromedp.CSS(`[data-test=phone-request-photos] input[type=file]`), []string{photo}),
		waitJS("1", `String(document.querySelectorAll('[data-test=phone-request-photos] .van-uploader__preview').length)`),
		chromedp.Click(chromedp.CSS(`[data-test=phone-request-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-request-detail]`)),
		waitJS("待受理", text(`[data-test=phone-request-status]`)),
		waitJS("true", `String(document.documentElement.scrollWidth <= window.innerWidth)`),
	)
	if srv.Count("service_requests", "point_id = $1 AND requester_id IS NOT NULL AND source = 'api'", pt.ID) != 1 || srv.Count("service_request_photos") != 1 {
		t.Fatal("the request or its photo was not stored")
	}
	mine, err := staff.ListServiceRequests(context.Background(), nil)
	if err != nil || mine.Total != 1 {
		t.Fatalf("the centre's queue: %+v %v", mine, err)
	}
	for _, a := range []string{"accept", "start", "resolve"} {
		if _, err := staff.ActOnServiceRequest(context.Background(), mine.Items[0].ID, map[string]any{"action": a}); err != nil {
			t.Fatal(err)
		}
	}
	run("follow it in 我的诉求 and rate it",
		chromedp.Navigate(srv.URL+"/m/requests"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-my-request]`)),
		chromedp.Click(chromedp.CSS(`[data-test=phone-my-request]`)),
		waitJS("已办结", text(`[data-test=phone-request-status]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-request-photo]`)),
		chromedp.Click(chromedp.CSS(`[data-test=phone-request-stars] .van-rate__item:nth-child(5)`)),
		chromedp.Click(chromedp.CSS(`[data-test=phone-request-rate]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-test=phone-request-rate]`)),
	)
	if srv.Count("service_requests", "rating = 5") != 1 {
		t.Fatal("the rating was not stored")
	}
}

// The centre's staff work a request in the console's queue: accept,
// start, resolve (with a note), each a button the state allows.
func TestBrowserConsoleWorksAServiceRequest(t *testing.T) {
	needBrowser(t)
	srv, pt := servicenetWorld(t, "console-request")
	srv.User("center-staff", access.ServiceStaff, pt.ID)
	r, err := srv.Admin().FileServiceRequest(context.Background(), map[string]any{"point_id": pt.ID, "service_code": "property", "description": "宿舍楼道灯不亮",
		"contact": map[string]string{"name": "王师傅", "phone": "13700137000"}})
	if err != nil {
		t.Fatal(err)
	}
	_, run := browser(t)
	t.Cleanup(func() {
		if t.Failed() {
			for _, l := range strings.Split(srv.Log.String(), "\n") {
				if strings.Contains(l, "service-requests") {
					t.Log(l)
				}
			}
		}
	})
	status := `(() => { const e = document.querySelector('[data-test=service-request-status]'); return e ? e.innerText.trim() : ''; })()`
	run("sign in as the centre's staff and open the queue",
		chromedp.Navigate(srv.URL+"/service-requests"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=login-username] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-username] input`), "center-staff"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-password] input`), testenv.UserPassword("center-staff")),
		chromedp.Click(chromedp.CSS(`[data-test=login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=service-requests-page]`)),
		waitJS("待受理", status),
		waitJS("true", `String(document.querySelector('[data-test=service-request-sla]').innerText.startsWith('剩余'))`),
	)
	// The table lays its fixed action column out after the rows: click a
	// button once it has settled.
	press := func(action string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{clickSettled(`[data-test=service-request-` + action + `]`)}
	}
	run("the phone is masked until revealed", append(press("reveal"),
		waitJS("true", `(() => { const e = document.querySelector('.el-message-box__message'); return String(!!e && e.innerText.includes('13700137000')); })()`),
		chromedp.Click(chromedp.CSS(`.el-message-box__btns .el-button--primary`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.el-message-box__message`)),
		waitJS("true", `String(document.querySelector('[data-test=service-requests-table]').innerText.includes('137****7000'))`))...)
	run("accept", append(press("accept"), waitJS("已受理", status))...)
	run("start", append(press("start"), waitJS("办理中", status))...)
	run("resolve with a note", append(press("resolve"),
		chromedp.WaitVisible(chromedp.CSS(`.el-message-box__input input`)),
		chromedp.SendKeys(chromedp.CSS(`.el-message-box__input input`), "已更换灯管"),
		chromedp.Click(chromedp.CSS(`.el-message-box__btns .el-button--primary`)),
		waitJS("已办结", status),
		waitJS("0", `String(document.querySelectorAll('[data-test=service-request-resolve]').length)`),
	)...)
	run("the overdue and satisfaction view and the points list show the centre",
		chromedp.Navigate(srv.URL+"/service-stats"),
		waitJS("true", `(() => { const e = document.querySelector('[data-test=service-stats-table]'); return String(!!e && e.innerText.includes('五里园邻里中心')); })()`),
		chromedp.Navigate(srv.URL+"/service-points"),
		waitJS("true", `(() => { const e = document.querySelector('[data-test=service-points-table]'); return String(!!e && e.innerText.includes('五里园邻里中心') && e.innerText.includes('物业管理')); })()`),
	)
	got, err := srv.Admin().GetServiceRequest(context.Background(), r.ID)
	if err != nil || got.Status != "resolved" || got.Timeline[len(got.Timeline)-1].Note != "已更换灯管" {
		t.Fatalf("after the console: %+v %v", got, err)
	}
}
