//go:build ui

package e2e_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tongxin/internal/db"
	"tongxin/internal/matrix"
	"tongxin/internal/testenv"
	"tongxin/web"
)

// The matrix page draws the cells, opens a clicked cell's figures and
// drills down to the records behind it with the cell's level, function
// and period.
func TestBrowserMatrix(t *testing.T) {
	needBrowser(t)
	srv := testenv.StartWith(t, "sqlite:"+filepath.Join(t.TempDir(), "matrix.db"), web.Dist(), nil)
	ctx := context.Background()
	park := srv.Park("五里园", "WL").ID
	for _, f := range []struct {
		node, function string
		figures        matrix.Figures
	}{
		{srv.ZoneID, "political", matrix.Figures{Activities: 3, Participants: 14, VolunteerMinutes: 14 * 120}},
		{park, "service", matrix.Figures{Activities: 1, Participants: 207}},
	} {
		err := srv.DB.Tx(ctx, func(tx *db.Tx) error {
			p, err := matrix.PlaceOf(ctx, tx, f.node)
			if err != nil {
				return err
			}
			return matrix.Add(ctx, tx, matrix.Fact{Place: p, Function: f.function, At: time.Date(2022, 11, 15, 2, 0, 0, 0, time.UTC), Figures: f.figures})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	_, run := browser(t)
	text := func(sel string) string {
		return `(() => { const e = document.querySelector('` + sel + `'); return e ? e.innerText.trim() : ''; })()`
	}
	run("sign in and open the matrix",
		chromedp.Navigate(srv.URL+"/login?redirect=/dashboard"),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=login-username] input`)),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-username] input`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`[data-test=login-password] input`), testenv.AdminPassword),
		chromedp.Click(chromedp.CSS(`[data-test=login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-test=matrix-heatmap] canvas`)),
		waitJS("true", `String(document.querySelector('[data-test=matrix-parks]').innerText.includes('五里园'))`),
		// The loading mask fades out over the chart: it would take the click.
		waitJS("true", `String(document.querySelector('[data-test=matrix-page] .el-loading-mask') === null)`),
	)
	// The heat map's grid: 90 px left, 20 right, 10 top, 70 bottom; four
	// functions across, three levels down (zone first): the centre of
	// zone × political.
	cellCentre := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		xy, err := chromedp.Evaluate[[]float64](`(() => {
			const r = document.querySelector('[data-test=matrix-heatmap]').getBoundingClientRect();
			return [r.left + 90 + (r.width - 110) / 8, r.top + 10 + (r.height - 80) / 6];
		})()`)(ctx, tg)
		if err != nil {
			return err
		}
		// ECharts finds the item under the pointer as it moves.
		if _, err := chromedp.MouseEvent(chromedp.MouseMoved, xy[0], xy[1])(ctx, tg); err != nil {
			return err
		}
		_, err = chromedp.MouseClickXY(xy[0], xy[1])(ctx, tg)
		return err
	})
	run("click it: its figures",
		cellCentre,
		waitJS("3", text(`[data-test=cell-activities]`)),
		waitJS("14", text(`[data-test=cell-participants]`)),
		waitJS("28", text(`[data-test=cell-volunteer_hours]`)),
	)
	run("drill down to the activities behind it",
		chromedp.Click(chromedp.CSS(`[data-test=drill-activities]`)),
		waitJS("/activities?level=zone&function=political", `location.pathname + location.search`),
	)
}
