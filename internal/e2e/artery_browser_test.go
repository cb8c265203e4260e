//go:build ui

package e2e_test

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tongxin/internal/demo"
	"tongxin/internal/testenv"
	"tongxin/web"
)

// TestBrowserArtery walks the artery in the demo zone: a need's proposals
// with their reasons, pairing it with the proposed offer, brokering the
// match to agreed, the cooperation it became with its timeline, and the
// chain map with its gaps.
func TestBrowserArtery(t *testing.T) {
	needBrowser(t)
	srv := testenv.StartWith(t, "sqlite:"+filepath.Join(t.TempDir(), "artery.db"), web.Dist(), nil)
	if _, err := demo.Load(context.Background(), srv.DB, testenv.Passwords(), srv.App.Keys, srv.ZoneID, testenv.AdminPassword); err != nil {
		t.Fatal(err)
	}
	ctx, run := browser(t)
	text := func(sel string) string {
		return fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.innerText : ''; })()`, sel)
	}
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
	run("find 蜡笔小新's need and see its proposals with their reasons",
		chromedp.Navigate(srv.URL+"/listings"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=listings-table]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=listing-search] input`), "果冻糖果原料"),
		waitJS("1", rows(`[data-test=listings-table]`)),
		waitJS("yes", has(`[data-test=listings-table]`, "蜡笔小新")),
		click(`[data-test=listing-proposals]`),
		waitJS("yes", has(`[data-test=proposals-table]`, "共同关键词")),
		waitJS("yes", has(`[data-test=proposals-table]`, "产业链上下游相邻")),
	)
	run("pair the need with the first proposal",
		click(`[data-test=proposal-pair]`),
		waitJS("yes", has(`[data-test=proposals-table]`, "已牵线")),
	)
	run("broker the match: contacted, then agreed",
		chromedp.Navigate(srv.URL+"/matching"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=match-contact]`)),
		waitJS("待联系", text(`[data-test=match-status]`)),
		click(`[data-test=match-contact]`),
		waitJS("已联系", text(`[data-test=match-status]`)),
		click(`[data-test=match-agree]`),
		waitJS("已牵手", text(`[data-test=match-status]`)),
	)
	run("the cooperation it became, with its timeline and a new milestone",
		chromedp.Navigate(srv.URL+"/cooperations"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=cooperation-open]`)),
		waitJS("yes", has(`[data-test=cooperations-table]`, "果冻糖果原料供应")),
		click(`[data-test=cooperation-open]`),
		waitJS("yes", has(`[data-test=cooperation-timeline]`, "立项")),
		chromedp.SendKeys(chromedp.CSS(`[data-test=milestone-title] input`), "签订供货协议"),
		click(`[data-test=milestone-add]`),
		waitJS("yes", has(`[data-test=cooperation-dialog]`, "签订供货协议")),
		click(`[data-test=cooperation-start]`),
		waitJS("yes", has(`[data-test=cooperation-timeline]`, "启动")),
	)
	run("the chain map: a graph and the gaps",
		chromedp.Navigate(srv.URL+"/chains"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=chain-graph] canvas`)),
		waitJS("yes", has(`[data-test=chain-gaps]`, "补链")),
		waitJS("yes", has(`[data-test=chain-picker]`, "家居")),
	)
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	writeShot(t, "chain-map.png", shot)
}

// TestBrowserPhoneArtery: an enterprise's contact, on a phone, sees their
// listings and a listing's proposals with reasons, posts a need, and
// accepts a match for their side.
func TestBrowserPhoneArtery(t *testing.T) {
	needBrowser(t)
	srv := testenv.StartWith(t, "sqlite:"+filepath.Join(t.TempDir(), "phone-artery.db"), web.Dist(), nil)
	bg := context.Background()
	if _, err := demo.Load(bg, srv.DB, testenv.Passwords(), srv.App.Keys, srv.ZoneID, testenv.AdminPassword); err != nil {
		t.Fatal(err)
	}
	admin := srv.Admin()
	ents, err := admin.ListEnterprises(bg, url.Values{"q": {"蜡笔小新"}})
	if err != nil || len(ents.Items) != 1 {
		t.Fatalf("蜡笔小新: %+v %v", ents, err)
	}
	srv.User("labixiaoxin", "partner", ents.Items[0].ID)
	mine, err := admin.ListListings(bg, url.Values{"enterprise_id": {ents.Items[0].ID}})
	if err != nil || len(mine.Items) == 0 {
		t.Fatalf("its listings: %+v %v", mine, err)
	}
	ps, err := admin.Proposals(bg, mine.Items[0].ID, 1)
	if err != nil || len(ps.Items) == 0 {
		t.Fatalf("proposals: %v", err)
	}
	m, err := admin.CreateMatch(bg, map[string]any{"need_id": mine.Items[0].ID, "offer_id": ps.Items[0].Listing.ID})
	if err != nil {
		t.Fatal(err)
	}

	_, run := phone(t)
	has := func(sel, want string) string {
		return fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e && e.innerText.includes(%q) ? 'yes' : 'no'; })()`, sel, want)
	}
	run("sign in on the phone",
		chromedp.Navigate(srv.URL+"/m/artery"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-login-phone] input`)),
		chromedp.Click(chromedp.CSS(`[data-test=phone-login-mode-account]`)), // an enterprise's contact has an account
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-login-username] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-login-username] input`), "labixiaoxin"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-login-password] input`), testenv.UserPassword("labixiaoxin")),
		chromedp.Click(chromedp.CSS(`[data-test=phone-login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-artery]`)),
		waitJS("yes", has(`[data-test=phone-artery]`, "果冻糖果原料供应")),
		waitJS("true", `String(document.documentElement.scrollWidth <= window.innerWidth)`),
	)
	run("accept the match for their side",
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-match-accept]`)),
		chromedp.Click(chromedp.CSS(`[data-test=phone-match-accept]`)),
		waitJS("yes", has(`[data-test=phone-match-status]`, "需求方已同意")),
	)
	got, err := admin.GetMatch(bg, m.ID)
	if err != nil || !got.NeedAccepted || got.OfferAccepted || got.Status != "proposed" {
		t.Fatalf("after accepting on the phone: %+v %v", got, err)
	}
	run("a listing's proposals with reasons",
		chromedp.Click(chromedp.CSS(`[data-test=phone-listing]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-proposal]`)),
		waitJS("yes", has(`[data-test=phone-proposals]`, "共同关键词")),
	)
	run("back on a slow network, the post button waits for the lists and stays put",
		slowNetwork(500*time.Millisecond),
		chromedp.NavigateBack(),
		staysPut(`[data-test=phone-post]`, 1500*time.Millisecond),
		slowNetwork(0),
	)
	run("post a need",
		chromedp.Click(chromedp.CSS(`[data-test=phone-post]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-post-title] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-post-title] input`), "冷链配送合作"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=phone-post-text] textarea`), "需要冷链配送和保鲜包装合作伙伴"),
		chromedp.Click(chromedp.CSS(`[data-test=phone-post-save]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=phone-artery]`)),
		waitJS("yes", has(`[data-test=phone-artery]`, "冷链配送合作")),
	)
}
