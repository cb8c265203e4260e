package e2e_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"testing"

	"tongxin/internal/demo"
	"tongxin/internal/testenv"
)

// BenchmarkZoneSearch measures q at zone scale (PRODUCT.md: 2,000
// enterprises, 100,000 people; TONGXIN_BENCH_SCALE=demo for a quick run):
// `tongxin gen` fills a zone once per engine, then a zone administrator
// searches it over loopback HTTP, in Chinese (two characters) and in pinyin
// initials, next to /healthz of the same server for the ratio.
func BenchmarkZoneSearch(b *testing.B) {
	scale := os.Getenv("TONGXIN_BENCH_SCALE")
	if scale == "" {
		scale = "zone"
	}
	sc, ok := demo.Scales[scale]
	if !ok {
		b.Fatalf("TONGXIN_BENCH_SCALE=%s: want demo or zone", scale)
	}
	ctx := context.Background()
	for _, e := range testenv.Engines(b) {
		srv := testenv.Start(b, e.DSN)
		zoneID, _, err := demo.Generate(ctx, srv.DB, srv.App.Keys, "检索压测区", sc, 1)
		if err != nil {
			b.Fatal(err)
		}
		admin := login(b, srv.URL)
		token := grantedToken(b, admin, "search-zone", "zone_admin", zoneID)
		// Queries that hit: a two-character piece of a generated enterprise
		// name, the initials of one, and a common surname-and-given pair.
		var name string
		if err := srv.DB.R.QueryRowContext(ctx, `SELECT name FROM enterprises WHERE zone_id = $1 AND sample = $2 ORDER BY id LIMIT 1`, zoneID, true).Scan(&name); err != nil {
			b.Fatal(err)
		}
		r := []rune(name)
		two := string(r[3:5]) // after 晋江市
		var sealed string
		if err := srv.DB.R.QueryRowContext(ctx, `SELECT id_sealed FROM people WHERE zone_id = $1 ORDER BY id DESC LIMIT 1`, zoneID).Scan(&sealed); err != nil {
			b.Fatal(err)
		}
		idNumber, err := srv.App.Keys.Open(sealed)
		if err != nil {
			b.Fatal(err)
		}
		cases := []struct{ name, path string }{
			{"healthz", "/healthz"},
			{"enterprises_zh", "/api/v1/enterprises?limit=50&q=" + url.QueryEscape(two)},
			{"enterprises_initials", "/api/v1/enterprises?limit=50&q=jjs"},
			{"people_zh", "/api/v1/people?limit=50&q=" + url.QueryEscape("陈伟")},
			{"people_initials", "/api/v1/people?limit=50&q=cw"},
			{"people_id_number", "/api/v1/people?limit=50&id_number=" + idNumber},
		}
		for _, c := range cases {
			b.Run(e.Name+"/"+c.name, func(b *testing.B) {
				benchRequests(b, http.StatusOK, func() *http.Request {
					r, _ := http.NewRequest("GET", srv.URL+c.path, nil)
					r.Header.Set("Authorization", "Bearer "+token)
					return r
				})
			})
		}
	}
}
