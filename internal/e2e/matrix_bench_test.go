package e2e_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"
	"time"

	"tongxin/internal/db"
	"tongxin/internal/matrix"
	"tongxin/internal/testenv"
)

// BenchmarkDashboardMatrix measures GET /api/v1/dashboard/matrix on a zone
// whose fact table holds what 1,000,000 participations make: 20,000
// activities over two years by the zone, 3 parks and 240 party
// organisations, 50 participants each (the figures are kept up to date as
// records change, so the size that matters is the number of fact rows,
// not of participations). One client asks at a time, so the figures are
// latencies: p50, p95 and p99 in ms, next to /healthz of the same server.
func BenchmarkDashboardMatrix(b *testing.B) {
	ctx := context.Background()
	for _, e := range testenv.Engines(b) {
		srv := testenv.Start(b, e.DSN)
		nodes := []string{srv.ZoneID}
		var parks []string
		for i := range 3 {
			parks = append(parks, srv.Park(fmt.Sprintf("园区%d", i), fmt.Sprintf("P%d", i)).ID)
		}
		nodes = append(nodes, parks...)
		committee := srv.Org(srv.ZoneID, "", "党工委", "working_committee")
		for i := range 240 {
			park := parks[i%3]
			nodes = append(nodes, srv.Org(committee, park, fmt.Sprintf("支部%d", i), "branch"))
		}
		places := make([]matrix.Place, len(nodes))
		for i, n := range nodes {
			p, err := matrix.PlaceOf(ctx, srv.DB.R, n)
			if err != nil {
				b.Fatal(err)
			}
			places[i] = p
		}
		rng := rand.New(rand.NewPCG(1, 2))
		start := time.Date(2021, 1, 1, 9, 0, 0, 0, matrix.Local)
		const activities, perTx = 20000, 2000
		for done := 0; done < activities; done += perTx {
			err := srv.DB.Tx(ctx, func(tx *db.Tx) error {
				for range perTx {
					f := matrix.Fact{
						Place:    places[rng.IntN(len(places))],
						Function: matrix.Functions[rng.IntN(4)],
						At:       start.AddDate(0, 0, rng.IntN(730)),
						Figures:  matrix.Figures{Activities: 1, Participants: 50, VolunteerMinutes: 50 * 120},
					}
					if err := matrix.Add(ctx, tx, f); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		var rows int
		if err := srv.DB.R.QueryRow(`SELECT COUNT(*) FROM matrix_facts`).Scan(&rows); err != nil {
			b.Fatal(err)
		}
		admin := login(b, srv.URL)
		zoneToken := grantedToken(b, admin, "matrix-zone", "zone_admin", srv.ZoneID)
		parkToken := grantedToken(b, admin, "matrix-park", "park_admin", parks[0])
		cases := []struct{ name, path, token string }{
			{"healthz", "/healthz", ""},
			{"zone_all_time", "/api/v1/dashboard/matrix", zoneToken},
			{"zone_one_year", "/api/v1/dashboard/matrix?from=2022-01-01&to=2022-12-31", zoneToken},
			{"zone_year_trend", "/api/v1/dashboard/matrix?from=2022-01-01&to=2022-12-31&trend=true", zoneToken},
			{"zone_park_filter", "/api/v1/dashboard/matrix?park_id=" + parks[1], zoneToken},
			{"park_admin", "/api/v1/dashboard/matrix", parkToken},
		}
		b.Logf("%s: %d fact rows for %d activities", e.Name, rows, activities)
		for _, c := range cases {
			b.Run(e.Name+"/"+c.name, func(b *testing.B) {
				benchLatency(b, func() *http.Request {
					r, _ := http.NewRequest("GET", srv.URL+c.path, nil)
					if c.token != "" {
						r.Header.Set("Authorization", "Bearer "+c.token)
					}
					return r
				})
			})
		}
	}
}

// benchLatency sends newReq's requests one at a time and reports their
// latency percentiles (ms) besides ns/op.
func benchLatency(b *testing.B, newReq func() *http.Request) {
	hc := benchClient()
	took := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		resp, err := hc.Do(newReq())
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("HTTP %d", resp.StatusCode)
		}
		took = append(took, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(took)
	pct := func(p float64) float64 { return float64(took[int(p*float64(len(took)-1))]) / float64(time.Millisecond) }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
