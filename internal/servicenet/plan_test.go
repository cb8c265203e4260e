package servicenet_test

import (
	"strings"
	"testing"

	"tongxin/internal/db"
	"tongxin/internal/servicenet"
	"tongxin/internal/testenv"
)

// A request's timeline and photos, which every get and list carries, are
// read from their indexes alone: reading each event's row was one more
// read, scattered through the zone's 1.3 million events, per event.
// PostgreSQL's planner chooses a bitmap scan over the test's few rows, an
// index-only scan over the zone's (docs/scaling.md): here it must at
// least search the index.
func TestTimelineReadsIndexesAlone(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		plan := testenv.Explain(t, srv.DB, `SELECT r.id`+servicenet.WithTimeline+` FROM `+servicenet.RequestFrom+` WHERE r.id = $1`, []any{"x"})
		for _, index := range []string{"service_request_events_request", "service_request_photos_request"} {
			want := index
			if srv.DB.Dialect == db.SQLite {
				want = "USING COVERING INDEX " + index
			}
			if !strings.Contains(plan, want) {
				t.Errorf("%q not in the plan:\n%s", want, plan)
			}
		}
	})
}
