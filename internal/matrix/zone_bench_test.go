package matrix_test

import (
	"context"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/matrix"
	"tongxin/internal/nodes"
	"tongxin/internal/server"
)

// BenchmarkZoneMatrix measures the dashboard on a zone-scale SQLite
// database (`tongxin gen --scale zone`): the direct sum over the facts
// (the computation before the roll-up, "facts") against the roll-up
// ("rollup"), for the callers and periods the load benchmark asks for,
// alone and with 64 concurrent callers. Set TONGXIN_BENCH_ZONE_DB to a
// COPY of the database: it is migrated (the roll-up back-filled) in place.
// Each case first checks that both answers agree. Reports p50 and p99 in
// ms next to ns/op.
//
//	cp /work/zone/zone.db* /tmp/z/ && TONGXIN_BENCH_ZONE_DB=/tmp/z/zone.db \
//	  go test ./internal/matrix -run '^$' -bench ZoneMatrix -benchtime 3s
func BenchmarkZoneMatrix(b *testing.B) {
	path := os.Getenv("TONGXIN_BENCH_ZONE_DB")
	if path == "" {
		b.Skip("TONGXIN_BENCH_ZONE_DB (a copy of a zone-scale SQLite database) is not set")
	}
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite:"+path)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	start := time.Now()
	applied, err := server.Migrate(ctx, d)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("migrations %v applied in %v", applied, time.Since(start))
	var zone, park, committee string
	var facts, totals int
	if err := d.R.QueryRowContext(ctx, `SELECT zone_id FROM matrix_facts GROUP BY zone_id ORDER BY COUNT(*) DESC LIMIT 1`).Scan(&zone); err != nil {
		b.Fatal(err)
	}
	if err := d.R.QueryRowContext(ctx, `SELECT p.id FROM parks p WHERE p.zone_id = $1
		ORDER BY (SELECT COUNT(*) FROM enterprises e WHERE e.park_id = p.id) DESC, p.id LIMIT 1`, zone).Scan(&park); err != nil {
		b.Fatal(err)
	}
	if err := d.R.QueryRowContext(ctx, `SELECT id FROM orgs WHERE zone_id = $1 AND park_id = $2 AND kind = 'committee' LIMIT 1`, zone, park).Scan(&committee); err != nil {
		b.Fatal(err)
	}
	d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM matrix_facts`).Scan(&facts)
	d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM matrix_totals`).Scan(&totals)
	b.Logf("%d fact rows, %d roll-up rows", facts, totals)
	as := func(role, node string) context.Context {
		n, err := nodes.Get(ctx, d.R, node)
		if err != nil {
			b.Fatal(err)
		}
		return access.With(ctx, &access.Principal{UserID: "bench", Grants: []access.Grant{{Role: role, ScopeID: node, Kind: n.Kind, Path: n.Path, ZoneID: n.ZoneID}}})
	}
	day := func(s string) time.Time {
		t, _ := time.ParseInLocation(time.DateOnly, s, matrix.Local)
		return t
	}
	cases := []struct {
		name string
		ctx  context.Context
		f    matrix.Filter
	}{
		{"zone_all_time", as(access.ZoneAdmin, zone), matrix.Filter{}},
		{"zone_period_park", as(access.ZoneAdmin, zone), matrix.Filter{From: day("2025-03-15"), To: day("2026-05-21"), ParkID: park}},
		{"park_period", as(access.ParkAdmin, park), matrix.Filter{From: day("2026-01-01"), To: day("2026-11-01")}},
		{"secretary_all_time", as(access.OrgSecretary, committee), matrix.Filter{}},
		{"zone_year_trend", as(access.ZoneAdmin, zone), matrix.Filter{From: day("2025-01-01"), To: day("2026-01-01"), Trend: true}},
	}
	svc := &matrix.Service{DB: d}
	for _, c := range cases {
		want, err := svc.OracleMatrix(c.ctx, c.f)
		if err != nil {
			b.Fatal(err)
		}
		got, err := svc.Matrix(c.ctx, c.f)
		if err != nil {
			b.Fatal(err)
		}
		if want = normalise(want, got); !reflect.DeepEqual(got, want) {
			b.Fatalf("%s: the roll-up answers\n%+v\nthe facts\n%+v", c.name, got, want)
		}
		for _, impl := range []struct {
			name string
			fn   func(context.Context, matrix.Filter) (matrix.Report, error)
		}{{"facts", svc.OracleMatrix}, {"rollup", svc.Matrix}} {
			for _, clients := range []int{1, 64} {
				b.Run(c.name+"/"+impl.name+"/clients="+strconv.Itoa(clients), func(b *testing.B) {
					var mu sync.Mutex
					var lat []time.Duration
					b.SetParallelism(max(1, clients/max(1, runtime.GOMAXPROCS(0))))
					run := func() {
						t0 := time.Now()
						if _, err := impl.fn(c.ctx, c.f); err != nil {
							b.Error(err)
						}
						mu.Lock()
						lat = append(lat, time.Since(t0))
						mu.Unlock()
					}
					if clients == 1 {
						for range b.N {
							run()
						}
					} else {
						b.RunParallel(func(pb *testing.PB) {
							for pb.Next() {
								run()
							}
						})
					}
					slices.Sort(lat)
					b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
					b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
				})
			}
		}
	}
}
