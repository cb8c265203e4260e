//go:build ui

package e2e_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tongxin/internal/demo"
	"tongxin/internal/testenv"
	"tongxin/web"
)

// The living-circle map: with the article's zone loaded, a click on the
// map's centre (the 五里园 neighbourhood centre, where the map opens on
// its walking network) lists the facilities within 15 minutes on foot,
// measured over the roads, and the required ones that are missing; the
// coverage analysis proposes a site.
func TestBrowserLivingCircleMap(t *testing.T) {
	needBrowser(t)
	srv := testenv.StartWith(t, "sqlite:"+filepath.Join(t.TempDir(), "browser.db"), web.Dist(), nil)
	if _, err := demo.Load(context.Background(), srv.DB, testenv.Passwords(), srv.App.Keys, srv.ZoneID, testenv.AdminPassword); err != nil {
		t.Fatal(err)
	}
	_, run := browser(t)
	has := func(sel string, parts ...string) string {
		js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return 'no'; const s = e.innerText;`, sel)
		for _, p := range parts {
			js += fmt.Sprintf(` if (!s.includes(%q)) return 'no';`, p)
		}
		return js + ` return 'yes'; })()`
	}
	run("sign in and open the map",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=login-username] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-username] input`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-password] input`), testenv.AdminPassword),
		chromedp.Click(chromedp.CSS(`[data-test=login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=current-user]`)),
		chromedp.Click(chromedp.CSS(`[data-test=nav-livingCircle]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=circle-map]`)),
		// the layers are drawn: roads, outlines and facilities as SVG paths
		waitJS("yes", `document.querySelectorAll('[data-test=circle-map] path').length > 40 ? 'yes' : 'no'`),
	)
	run("click the neighbourhood centre and see what is within a walk",
		chromedp.Click(chromedp.CSS(`[data-test=circle-map]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=circle-reachable]`)),
		waitJS("yes", has(`[data-test=circle-result]`, "按路网", "五里园党群活动服务中心", "五里园社区卫生服务站（示例）", "廉租房店面", "商家联盟")),
		waitJS("yes", has(`[data-test=circle-missing]`, "托儿所", "养老院")),
		chromedp.Sleep(time.Second), // let a zoom animation end
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			shot, err := chromedp.CaptureScreenshot()(ctx, tg)
			if err == nil {
				writeShot(t, "living-circle-map.png", shot)
			}
			return err
		}),
	)
	run("analyse the gaps and get a suggested site",
		chromedp.Click(chromedp.CSS(`[data-test=coverage-run]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=coverage-suggestion]`)),
		waitJS("yes", has(`[data-test=coverage-result]`, "建议新增服务点 1")),
		// per missing category, the best place for one facility
		waitJS("yes", has(`[data-test=coverage-category]`, "名职工缺少", "在地图上标出最佳补点")),
	)
	run("the facilities and the catalogue of categories",
		chromedp.Click(chromedp.CSS(`[data-test=nav-resources]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=resources-page]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=resource-search] input`), "dqhd"),
		waitJS("yes", has(`[data-test=resources-table]`, "五里园党群活动服务中心", "党群活动服务中心")),
		waitJS("yes", has(`[data-test=resource-categories]`, "幼儿园", "5 分钟", "初中", "15 分钟")),
	)
}
