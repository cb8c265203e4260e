package circleapi_test

import (
	"fmt"
	"net/url"
	"os"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/demo"
	"tongxin/internal/testenv"
)

// BenchmarkLivingCircle measures the living circle and the coverage at
// zone scale (PRODUCT.md: 2,000 enterprises in 12 parks; `tongxin gen` adds
// 1,200 resources and a street grid of about 6,600 segments over the
// zone; TONGXIN_BENCH_SCALE=demo for the article's zone): a zone
// administrator asks over loopback HTTP, on each engine, what lies within
// 15 minutes of an enterprise (a different one each time), and for the
// coverage of one park and of the whole zone.
//
//	go test ./internal/circle/circleapi -run '^$' -bench LivingCircle -benchtime 20x
func BenchmarkLivingCircle(b *testing.B) {
	scale := os.Getenv("TONGXIN_BENCH_SCALE")
	if scale == "" {
		scale = "zone"
	}
	sc, ok := demo.Scales[scale]
	if !ok {
		b.Fatalf("TONGXIN_BENCH_SCALE=%s: want demo or zone", scale)
	}
	for _, e := range testenv.Engines(b) {
		srv := testenv.Start(b, e.DSN)
		zoneID, _, err := demo.Generate(ctx, srv.DB, srv.App.Keys, "生活圈压测区", sc, 1)
		if err != nil {
			b.Fatal(err)
		}
		admin := srv.UserIn("circle-bench", zoneID, access.ZoneAdmin, zoneID)
		var places [][2]float64
		var park string
		rows, err := srv.DB.R.QueryContext(ctx, `SELECT lat, lng, park_id FROM enterprises WHERE zone_id = $1 ORDER BY id`, zoneID)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
			var p [2]float64
			if err := rows.Scan(&p[0], &p[1], &park); err != nil {
				b.Fatal(err)
			}
			places = append(places, p)
		}
		rows.Close()
		b.Run(e.Name+"/circle_15min", func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				p := places[i%len(places)]
				lc, err := admin.LivingCircle(ctx, url.Values{"lat": {fmt.Sprint(p[0])}, "lng": {fmt.Sprint(p[1])}})
				if err != nil || (scale == "zone" && lc.Method != "network") {
					b.Fatalf("%v %s", err, lc.Method)
				}
			}
		})
		b.Run(e.Name+"/coverage_park", func(b *testing.B) {
			for b.Loop() {
				if _, err := admin.CircleCoverage(ctx, url.Values{"park_id": {park}}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(e.Name+"/coverage_zone", func(b *testing.B) {
			for b.Loop() {
				cov, err := admin.CircleCoverage(ctx, nil)
				if err != nil || cov.Enterprises != sc.Enterprises {
					b.Fatalf("%v %d", err, cov.Enterprises)
				}
			}
		})
	}
}
