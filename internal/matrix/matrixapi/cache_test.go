package matrixapi_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/config"
	"tongxin/internal/matrix"
	"tongxin/internal/testenv"
)

// With the answer cache on (an hour, so nothing expires during the test),
// callers of different scopes asking the same question — one after
// another and all at once — each get their own figures: the platform
// administrator (every zone) and the zone administrator (the same zone's
// path, but not every zone), 五里园's administrator and the park
// committee's secretary.
func TestMatrixCacheKeepsScopesApart(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := buildWith(t, dsn, func(c *config.Config) { c.DashboardCacheTTL = time.Hour })
		srv := w.srv
		zoneAdmin := srv.User("cache-zone", access.ZoneAdmin, srv.ZoneID)
		parkAdmin := srv.User("cache-wuli", access.ParkAdmin, w.wuli)
		secretary := srv.User("cache-secretary", access.OrgSecretary, w.parkOrg)
		secretary2 := srv.User("cache-secretary-2", access.OrgSecretary, w.parkOrg)
		type want struct {
			political, parkService, enterprisePolitical, parkGovernance int64
			parks                                                       int
		}
		callers := []struct {
			name string
			c    *client.Client
			want want
		}{
			// Zone B: 7 political activities at its zone level, 5 in its park.
			{"platform", srv.Admin(), want{1 + 7 + 5, 1, 2, 1, 3}},
			{"zone", zoneAdmin, want{1, 1, 2, 1, 2}},
			{"park", parkAdmin, want{0, 1, 2, 0, 1}},
			{"secretary", secretary, want{0, 0, 2, 0, 1}},    // 五里园: their branch's figures
			{"secretary 2", secretary2, want{0, 0, 2, 0, 1}}, // the same scope: may share
		}
		ask := func(i int) {
			c := callers[i]
			m, err := c.c.Matrix(ctx, nil)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				return
			}
			got := want{m.Cell("zone", "political").Activities + m.Cell("park", "political").Activities,
				m.Cell("park", "service").Activities, m.Cell("enterprise", "political").Activities,
				m.Cell("park", "governance").Activities, len(m.Parks)}
			if got != c.want {
				t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
			}
		}
		for round := range 2 {
			for i := range callers {
				ask(i)
			}
			var wg sync.WaitGroup
			for i := range callers {
				for range 4 {
					wg.Add(1)
					go func() { defer wg.Done(); ask(i) }()
				}
			}
			wg.Wait()
			l := srv.App.Matrix.Lookups()
			// Four scopes asked: four computations, the rest kept or shared.
			if round == 1 && (l.Miss != 4 || l.Hit+l.Shared != 2*5*5-4) {
				t.Errorf("lookups %+v: want one computation per scope", l)
			}
		}
	})
}

// TONGXIN_DASHBOARD_CACHE_TTL=0 computes every answer, and
// tongxin_matrix_lookups_total says so.
func TestMatrixCacheOff(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := buildWith(t, dsn, func(c *config.Config) { c.DashboardCacheTTL = 0 })
		admin := w.srv.User("cache-off", access.ZoneAdmin, w.srv.ZoneID)
		for range 3 {
			if _, err := admin.Matrix(ctx, nil); err != nil {
				t.Fatal(err)
			}
		}
		if l := w.srv.App.Matrix.Lookups(); l != (matrix.Lookups{Off: 3}) {
			t.Errorf("lookups %+v, want 3 off", l)
		}
		resp, err := http.Get(w.srv.MetricsURL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range []string{`tongxin_matrix_lookups_total{result="off"} 3`, `tongxin_matrix_lookups_total{result="hit"} 0`} {
			if !strings.Contains(string(b), line+"\n") {
				t.Errorf("metrics lack %q", line)
			}
		}
	})
}

// The default configuration keeps answers (1 s): a second ask at once
// is a hit, and a refused filter is never kept.
func TestMatrixCacheDefault(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := build(t, dsn)
		admin := w.srv.User("cache-default", access.ZoneAdmin, w.srv.ZoneID)
		for range 2 {
			_, err := admin.Matrix(ctx, map[string][]string{"park_id": {"no-such-park"}})
			testenv.WantStatus(t, err, 422)
		}
		start := time.Now()
		for range 2 {
			if _, err := admin.Matrix(ctx, nil); err != nil {
				t.Fatal(err)
			}
		}
		l := w.srv.App.Matrix.Lookups()
		if l.Miss != 3 || (time.Since(start) < 100*time.Millisecond && l.Hit != 1) {
			t.Errorf("lookups %+v", l)
		}
	})
}
