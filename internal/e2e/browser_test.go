//go:build ui

package e2e_test

import (
	"context"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"tongxin/internal/client"
	"tongxin/internal/testenv"
	"tongxin/web"
)

const chromiumPath = "/usr/bin/chromium"

// needBrowser skips, or with TONGXIN_TEST_BROWSER=1 (make test, CI)
// fails, when chromium or the built console is missing.
func needBrowser(t *testing.T) {
	t.Helper()
	missing := ""
	if _, err := os.Stat(chromiumPath); err != nil {
		missing = chromiumPath + " is not installed (apt-get install chromium)"
	} else if ui := web.Dist(); ui == nil {
		missing = "the console is not embedded"
	} else if _, err := fs.Stat(ui, "index.html"); err != nil {
		missing = "web/dist has no index.html (cd web && npm ci && npm run build)"
	}
	if missing == "" {
		return
	}
	if os.Getenv("TONGXIN_TEST_BROWSER") == "1" {
		t.Fatalf("browser test cannot run: %s (TONGXIN_TEST_BROWSER=1 makes this a failure)", missing)
	}
	t.Skipf("browser test skipped: %s", missing)
}

// fieldErrorJS reads the validation text el-form-item shows under the
// field whose input wrapper is [data-test=name].
func fieldErrorJS(name string) string {
	return fmt.Sprintf(`(() => {
		const el = document.querySelector('[data-test=%s]');
		const e = el && el.closest('.el-form-item') && el.closest('.el-form-item').querySelector('.el-form-item__error');
		return e ? e.textContent.trim() : '';
	})()`, name)
}

// waitJS polls expr until it evaluates to want.
func waitJS(want string, expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		var got string
		for {
			v, err := chromedp.Evaluate[string](expr)(ctx, tg)
			if err != nil {
				return err
			}
			if got = v; got == want {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s to be %q (last %q): %w", expr, want, got, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// slowNetwork holds every response of the page back by latency (zero
// lifts it), so a test sees the page as a phone on a slow network does:
// for as long as its lists are on their way.
func slowNetwork(latency time.Duration) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{Latency: float64(latency.Milliseconds()), DownloadThroughput: -1, UploadThroughput: -1}},
		})
		return err
	})
}

// rectJS is where the element sel lies in the viewport, as "x,y wxh"
// (empty when there is none).
func rectJS(sel string) string {
	return `(() => { const e = document.querySelector('` + sel + `'); if (!e) return ''; const r = e.getBoundingClientRect(); return r.x + ',' + r.y + ' ' + r.width + 'x' + r.height; })()`
}

// staysPut fails unless the element sel, once visible, is still where it
// was after settle: a button that moves when the page's data arrives is
// one a user taps beside.
func staysPut(sel string, settle time.Duration) chromedp.Action[chromedp.Void] {
	rect := rectJS(sel)
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := chromedp.WaitVisible(chromedp.CSS(sel))(ctx, tg); err != nil {
			return err
		}
		first, err := chromedp.Evaluate[string](rect)(ctx, tg)
		if err != nil {
			return err
		}
		if _, err := chromedp.Sleep(settle)(ctx, tg); err != nil {
			return err
		}
		then, err := chromedp.Evaluate[string](rect)(ctx, tg)
		if err != nil {
			return err
		}
		if then != first {
			return fmt.Errorf("%s moved from %s to %s after it showed", sel, first, then)
		}
		return nil
	})
}

// clickSettled clicks sel once it is visible and has kept its place for
// a quarter of a second: a click lands where the element was when it was
// measured, so one still being laid out (a table's fixed column, a list
// arriving above it) is clicked beside.
func clickSettled(sel string) chromedp.Action[chromedp.Void] {
	rect := rectJS(sel)
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := chromedp.WaitVisible(chromedp.CSS(sel))(ctx, tg); err != nil {
			return err
		}
		last, same := "", 0
		for same < 5 {
			r, err := chromedp.Evaluate[string](rect)(ctx, tg)
			if err != nil {
				return err
			}
			if r == last {
				same++
			} else {
				last, same = r, 0
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%s never stopped moving (last at %s): %w", sel, last, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
		_, err := chromedp.Click(chromedp.CSS(sel))(ctx, tg)
		return err
	})
}

// apiNameRequired asks the API for its "name is required" message in lang.
func apiNameRequired(t *testing.T, c *client.Client, lang string) string {
	t.Helper()
	cc := *c
	cc.Lang = lang
	_, err := cc.CreatePark(context.Background(), map[string]string{"name": "", "code": "probe"})
	e, ok := err.(*client.Error)
	if !ok {
		t.Fatalf("creating a park without a name: %v, want a validation error", err)
	}
	for _, fe := range e.Problem.Errors {
		if fe.Field == "name" && fe.Message != "" {
			return fe.Message
		}
	}
	t.Fatalf("no message for field name in %+v", e.Problem)
	return ""
}

// browser starts a headless chromium for the test and returns a context
// for its actions (two minutes in all) and run, which runs the actions of
// a step and, when one fails, saves a screenshot and fails the test.
func browser(t *testing.T) (context.Context, func(step string, actions ...chromedp.Action[chromedp.Void])) {
	t.Helper()
	return browserSized(t, 1280, 900)
}

// phone is browser emulating a phone's viewport (390 × 844 CSS pixels, an
// iPhone 12–15, mobile meta-viewport rules on), for the Vant pages under
// /m/. A headless window cannot be narrower than 500 pixels, so the
// viewport is emulated rather than the window sized.
func phone(t *testing.T) (context.Context, func(step string, actions ...chromedp.Action[chromedp.Void])) {
	t.Helper()
	ctx, run := browserSized(t, 390, 844)
	run("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulatePortrait, chromedp.EmulateMobile))
	return ctx, run
}

func browserSized(t *testing.T, width, height int) (context.Context, func(step string, actions ...chromedp.Action[chromedp.Void])) {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelA)
	bctx, cancelB := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancelB)
	// The first Run starts the browser, which lives as long as the context
	// of that call: no timeout on it.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", chromiumPath, err)
	}
	ctx, cancel := context.WithTimeout(bctx, 2*time.Minute)
	t.Cleanup(cancel)

	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			sctx, c := context.WithTimeout(bctx, 10*time.Second)
			if shot, err := chromedp.Run(sctx, chromedp.FullScreenshot(100)); err == nil {
				writeShot(t, t.Name()+"-failure.png", shot)
			}
			// The screenshot stays on the machine that ran the test; the
			// page's address and text reach CI's log.
			if page, err := chromedp.Run(sctx, chromedp.Evaluate[string](`location.pathname + location.search + '\n' + document.body.innerText.slice(0, 1500)`)); err == nil {
				t.Logf("the page at the failure: %s", page)
			}
			c()
			t.Fatalf("%s: %v", step, err)
		}
	}
	return ctx, run
}

func TestBrowserParks(t *testing.T) {
	needBrowser(t)
	srv := testenv.StartWith(t, "sqlite:"+filepath.Join(t.TempDir(), "browser.db"), web.Dist(), nil)
	api := login(t, srv.URL)
	zhRequired := apiNameRequired(t, api, "zh-CN")
	enRequired := apiNameRequired(t, api, "en")
	if zhRequired == enRequired {
		t.Fatalf("the API says %q in both languages", zhRequired)
	}

	ctx, run := browser(t)

	heading := `(() => { const h = document.querySelector('[data-test=parks-page] h2'); return h ? h.textContent.trim() : ''; })()`
	lang := `document.documentElement.lang`

	run("sign in",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=login-username] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-username] input`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-password] input`), testenv.AdminPassword),
		chromedp.Click(chromedp.CSS(`[data-test=login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=parks-page]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=current-user]`)),
	)
	run("the console starts in Chinese", waitJS("园区管理", heading), waitJS("zh-CN", lang))
	run("switch to English",
		chromedp.Click(chromedp.CSS(`[data-test=lang-switch]`)),
		waitJS("Parks", heading),
		waitJS("en", lang),
	)

	invalid := func(want string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			chromedp.Click(chromedp.CSS(`[data-test=park-create]`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-test=park-name] input`)),
			chromedp.SendKeys(chromedp.CSS(`[data-test=park-code] input`), "bad-park"),
			chromedp.Click(chromedp.CSS(`[data-test=park-save]`)),
			waitJS(want, fieldErrorJS("park-name")),
			waitJS("", fieldErrorJS("park-code")),
			chromedp.Click(chromedp.CSS(`[data-test=park-cancel]`)),
			chromedp.WaitNotVisible(chromedp.CSS(`[data-test=park-name] input`)),
		}
	}
	run("an empty name shows the API's English message under the field", invalid(enRequired)...)
	run("switch back to Chinese",
		chromedp.Click(chromedp.CSS(`[data-test=lang-switch]`)),
		waitJS("园区管理", heading),
		waitJS("zh-CN", lang),
	)
	run("an empty name shows the API's Chinese message under the field", invalid(zhRequired)...)

	tableHas := `document.querySelector('[data-test=parks-table]').innerText.includes('e2e-park') && document.querySelector('[data-test=parks-table]').innerText.includes('浏览器测试园') ? 'yes' : 'no'`
	run("create a park",
		chromedp.Click(chromedp.CSS(`[data-test=park-create]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=park-name] input`)),
		waitJS("", fieldErrorJS("park-name")), // the dialog opens clean
		chromedp.SendKeys(chromedp.CSS(`[data-test=park-name] input`), "浏览器测试园"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=park-code] input`), "e2e-park"),
		chromedp.Click(chromedp.CSS(`[data-test=park-save]`)),
		chromedp.WaitNotVisible(chromedp.CSS(`[data-test=park-name] input`)),
		waitJS("yes", tableHas),
	)

	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	writeShot(t, "parks.png", shot)

	// The console shows what the caller may do, from the session's
	// permissions: a park administrator edits their park but creates and
	// deletes none, and sees no user or audit pages.
	created, err := api.ListParks(context.Background(), url.Values{"q": {"e2e-park"}})
	if err != nil || len(created.Items) != 1 {
		t.Fatalf("the new park: %+v %v", created, err)
	}
	u, err := api.CreateUser(context.Background(), map[string]string{"username": "e2e-park-admin", "password": testenv.UserPassword("e2e-park-admin"), "display_name": "园区管理员"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.Grant(context.Background(), u.ID, "park_admin", created.Items[0].ID); err != nil {
		t.Fatal(err)
	}
	count := func(sel string) string {
		return fmt.Sprintf(`String(document.querySelectorAll(%q).length)`, sel)
	}
	run("sign out and in as the park's administrator",
		chromedp.Click(chromedp.CSS(`[data-test=logout]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=login-username] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-username] input`), "e2e-park-admin"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-password] input`), testenv.UserPassword("e2e-park-admin")),
		chromedp.Click(chromedp.CSS(`[data-test=login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=parks-page]`)),
		waitJS("1", count(`[data-test=park-edit]`)),
		waitJS("0", count(`[data-test=park-create]`)),
		waitJS("0", count(`[data-test=park-delete]`)),
		waitJS("0", count(`[data-test=nav-users]`)),
		waitJS("0", count(`[data-test=nav-audit]`)),
		waitJS("0", count(`[data-test=nav-zones]`)),
		waitJS("1", count(`[data-test=nav-password]`)),
	)

	l, err := api.ListParks(context.Background(), url.Values{"q": {"e2e-park"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Items) != 1 || l.Items[0].Name != "浏览器测试园" || l.Items[0].Code != "e2e-park" || l.Items[0].ZoneID != srv.ZoneID {
		t.Errorf("the park created in the browser, through the API: %+v", l.Items)
	}
	if l, err := api.ListParks(context.Background(), url.Values{"q": {"bad-park"}}); err != nil || l.Total != 0 {
		t.Errorf("the invalid park was stored: %+v %v", l.Items, err)
	}
}

// TestBrowserPeopleImport imports a roster through the console's wizard:
// a file with errors first (the report lists the bad rows), then the
// corrected file, and finds an imported person by pinyin initials.
func TestBrowserPeopleImport(t *testing.T) {
	needBrowser(t)
	srv := testenv.StartWith(t, "sqlite:"+filepath.Join(t.TempDir(), "browser.db"), web.Dist(), nil)
	park := srv.Park("五里园", "wuli")
	ent := srv.Enterprise(park.ID, "恒毅机械")
	srv.Org(park.ID, park.ID, "恒毅机械党支部", "branch", ent)

	dir := t.TempDir()
	header := "姓名,性别,手机号,身份证号,所属企业,政治面貌,所属党组织,入党日期,标签\r\n"
	good := "欧阳明月,女,13800138000,11010519491231002X,恒毅机械,正式党员,恒毅机械党支部,2015-07-01,志愿者\r\n"
	bad := filepath.Join(dir, "名册-有错.csv")
	fixed := filepath.Join(dir, "名册.csv")
	if err := os.WriteFile(bad, []byte(header+
		"欧阳明月,女,13800138000,110105194912310021,恒毅机械,正式党员,恒毅机械党支部,2015-07-01,志愿者\r\n"+ // row 2: check digit
		"司马青山,男,1380013800,,恒毅机械,,,,\r\n"), 0o644); err != nil { // row 3: mobile
		t.Fatal(err)
	}
	if err := os.WriteFile(fixed, []byte(header+good+"司马青山,男,13900139000,,恒毅机械,,,,\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	_, run := browser(t)
	text := func(sel string) string {
		return fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.innerText : ''; })()`, sel)
	}
	has := func(sel string, parts ...string) string {
		js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return 'no'; const s = e.innerText;`, sel)
		for _, p := range parts {
			js += fmt.Sprintf(` if (!s.includes(%q)) return 'no';`, p)
		}
		return js + ` return 'yes'; })()`
	}
	fileInput := chromedp.CSS(`[data-test=import-file] input[type=file]`)
	run("sign in and open 人员",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=login-username] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-username] input`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-password] input`), testenv.AdminPassword),
		chromedp.Click(chromedp.CSS(`[data-test=login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=current-user]`)),
		chromedp.Click(chromedp.CSS(`[data-test=nav-people]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=people-page]`)),
	)
	run("open the import wizard and check a file with errors",
		chromedp.Click(chromedp.CSS(`[data-test=person-import]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=import-check]`)),
		chromedp.SetUploadFiles(fileInput, []string{bad}),
		waitJS("名册-有错.csv", text(`[data-test=import-file-name]`)),
		chromedp.Click(chromedp.CSS(`[data-test=import-check]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=import-errors]`)),
		waitJS("yes", has(`[data-test=import-errors]`, "第 2 行", "身份证号", "第 3 行", "手机号")),
	)
	run("check and import the corrected file",
		chromedp.SetUploadFiles(fileInput, []string{fixed}),
		waitJS("名册.csv", text(`[data-test=import-file-name]`)),
		chromedp.Click(chromedp.CSS(`[data-test=import-check]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=import-ready]`)),
		chromedp.Click(chromedp.CSS(`[data-test=import-run]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=import-done]`)),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-test=import-done]').closest('.el-dialog').querySelector('.el-dialog__footer button').click()`),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-test=import-done]`)),
	)
	run("find an imported person by pinyin initials",
		chromedp.SendKeys(chromedp.CSS(`[data-test=person-search] input`), "oymy"),
		waitJS("yes", has(`[data-test=people-table]`, "欧阳明月", "恒毅机械党支部")),
		waitJS("no", has(`[data-test=people-table]`, "司马青山")),
	)
	api := login(t, srv.URL)
	l, err := api.ListPeople(context.Background(), url.Values{"q": {"smqs"}})
	if err != nil || len(l.Items) != 1 || l.Items[0].Phone != "139****9000" {
		t.Fatalf("the second person, through the API: %+v %v", l.Items, err)
	}
}

// writeShot saves a screenshot under <repo>/test-output/browser/.
func writeShot(t *testing.T, name string, png []byte) {
	dir := filepath.Join(moduleRoot(t), "test-output", "browser")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Error(err)
		return
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Error(err)
		return
	}
	t.Logf("screenshot: %s", p)
}
