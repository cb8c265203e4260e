package search_test

import (
	"context"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tongxin/internal/db"
	"tongxin/internal/search"
	"tongxin/internal/server"
)

// BenchmarkZoneSearch measures a list's search at zone scale the way
// page.Rows runs it (the COUNT for total, then the first page of 20 in id
// order) inside a zone predicate, through the gram index ("index") and as
// before it, a LIKE over every key ("like"), in the same run on the same
// database. TONGXIN_BENCH_ZONE_DB names a database made by
// `tongxin gen --scale zone` (a copy: the benchmark migrates it); unset,
// the benchmark is skipped. For example:
//
//	cp /work/zone/zone.db /tmp/zone.db
//	TONGXIN_BENCH_ZONE_DB=sqlite:/tmp/zone.db go test ./internal/search -run '^$' -bench ZoneSearch -cpu 1,64
//
// -cpu 64 runs 64 searches at once (b.RunParallel).
func BenchmarkZoneSearch(b *testing.B) {
	dsn := os.Getenv("TONGXIN_BENCH_ZONE_DB")
	if dsn == "" {
		b.Skip("TONGXIN_BENCH_ZONE_DB unset")
	}
	ctx := context.Background()
	d, err := db.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	start := time.Now()
	applied, err := server.Migrate(ctx, d)
	if err != nil {
		b.Fatal(err)
	}
	if len(applied) > 0 {
		b.Logf("migrated %v in %v", applied, time.Since(start).Round(time.Millisecond))
	}
	var zone string
	if err := d.R.QueryRowContext(ctx, "SELECT zone_id FROM people LIMIT 1").Scan(&zone); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ table, q string }{
		{"people", "王伟"}, {"people", "张敏"}, {"people", "wangwei"}, {"people", "lina"}, {"people", "ww"}, {"people", "zm"},
		{"people", "伟"}, {"enterprises", "齿轮"}, {"enterprises", "jixie"}, {"activities", "主题党日"}, {"activities", "ztdr"},
	} {
		for _, way := range []string{"like", "index"} {
			b.Run(c.table+"/"+c.q+"/"+way, func(b *testing.B) {
				var lastTotal atomic.Int64
				run := func() {
					var a db.Args
					where := "zone_id = " + a.Add(zone)
					if way == "like" {
						where += " AND search_key LIKE " + a.Add(db.Like(search.Normalize(c.q))) + ` ESCAPE '\'`
					} else {
						m, err := search.Match(ctx, d.R, c.table, "id", "search_key", c.q, &a)
						if err != nil {
							b.Fatal(err)
						}
						where += " AND " + m
					}
					var total int
					if err := d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+c.table+" WHERE "+where, a...).Scan(&total); err != nil {
						b.Fatal(err)
					}
					n := 0
					if err := db.Each(ctx, d.R, "SELECT id, search_key FROM "+c.table+" WHERE "+where+" ORDER BY id LIMIT 21", a, func(s db.Scanner) error {
						var id, key string
						n++
						if err := s.Scan(&id, &key); err != nil {
							return err
						}
						if !strings.Contains(key, search.Normalize(c.q)) {
							b.Fatalf("%q does not contain %q", key, c.q)
						}
						return nil
					}); err != nil {
						b.Fatal(err)
					}
					if n > total || (total > 0 && n == 0) {
						b.Fatalf("total %d, page %d", total, n)
					}
					lastTotal.Store(int64(total))
				}
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						run()
					}
				})
				b.ReportMetric(float64(lastTotal.Load()), "total")
			})
		}
	}
}
