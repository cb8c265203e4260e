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

// The console's activity list opens filtered by the matrix's drill-down
// query, the activity page lists the sign-ups per post, and the check-in
// screen shows the QR image of a fresh code.
func TestBrowserActivitiesConsole(t *testing.T) {
	needBrowser(t)
	srv := testenv.StartWith(t, "sqlite:"+filepath.Join(t.TempDir(), "activities.db"), web.Dist(), nil)
	ctx := context.Background()
	admin := srv.Admin()
	park := srv.Park("安东园", "andong").ID
	ent := srv.Enterprise(park, "成达齿轮")
	person := srv.Person(srv.ZoneID, "王志愿", ent, "", "")
	start := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
	mk := func(title, fn string) string {
		a, err := admin.CreateActivity(ctx, map[string]any{"organizer_id": park, "title": title, "kind": "volunteer", "function": fn,
			"starts_at": start.UTC().Format(time.RFC3339), "ends_at": start.Add(3 * time.Hour).UTC().Format(time.RFC3339), "capacity": 5,
			"posts": []map[string]any{{"name": "公共区域消杀", "capacity": 2}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.ActivityAction(ctx, a.ID, "publish"); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	id := mk("疫情防控志愿服务", "governance")
	mk("义诊", "service")
	if _, err := admin.SignUp(ctx, id, map[string]any{"person_id": person, "post_id": mustPost(t, srv, id)}); err != nil {
		t.Fatal(err)
	}
	_, run := browser(t)
	rows := `String(document.querySelectorAll('[data-test=activities-table] .el-table__body tbody tr').length)`
	run("sign in and open the drill-down of a cell",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=login-username] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-username] input`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-password] input`), testenv.AdminPassword),
		chromedp.Click(chromedp.CSS(`[data-test=login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=current-user]`)),
		chromedp.Navigate(srv.URL+"/activities?level=park&function=governance&park_id="+park),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=activities-page]`)),
		waitJS("1", rows),
		waitJS("true", `String(document.querySelector('[data-test=activities-table]').innerText.includes('疫情防控志愿服务'))`),
	)
	run("the activity page lists the sign-ups per post",
		// The list may render again after its first answer: click until the page opens.
		waitJS("open", `(() => {
			if (document.querySelector('[data-test=activity-page]')) return 'open';
			const a = document.querySelector('[data-test=activity-open]');
			if (a) a.click();
			return 'not yet';
		})()`),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=activity-page]`)),
		waitJS("true", `String(document.querySelector('[data-test=signups-table]').innerText.includes('王志愿'))`),
		waitJS("true", `String(document.querySelector('[data-test=signups-table]').innerText.includes('公共区域消杀'))`),
	)
	run("the check-in screen shows a QR code",
		chromedp.Click(chromedp.CSS(`[data-test=activity-checkin-screen]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=checkin-qr]`)),
		waitJS("true", `(() => { const i = document.querySelector('[data-test=checkin-qr]'); return String(!!i && i.complete && i.naturalWidth >= 256); })()`),
	)
}

func mustPost(t *testing.T, srv *testenv.Server, activityID string) string {
	t.Helper()
	a, err := srv.Admin().GetActivity(context.Background(), activityID)
	if err != nil || len(a.Posts) == 0 {
		t.Fatalf("posts of %s: %v", activityID, err)
	}
	return a.Posts[0].ID
}
