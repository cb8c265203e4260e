package servicenet_test

import (
	"strings"
	"testing"

	"tongxin/internal/servicenet"
	"tongxin/internal/testenv"
)

// A request's timeline and photos, which every get and list carries, are
// its row's own columns (migrations 0270 and 0380): the statement reads
// no event and no photo at all — it read each request's events from their
// index, 300 for a page of closed requests, then each one's photos.
func TestTimelineIsTheRowsOwn(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		plan := testenv.Explain(t, srv.DB, `SELECT r.id`+servicenet.WithTimeline+` FROM `+servicenet.RequestFrom+` WHERE r.id = $1`, []any{"x"})
		for _, table := range []string{"service_request_events", "service_request_photos"} {
			if strings.Contains(plan, table) {
				t.Errorf("the plan reads %s:\n%s", table, plan)
			}
		}
	})
}

// The overdue sweep reads its index, which holds open requests alone: the
// requests closed in time (most of a zone's history) are not in it to be
// walked every minute. Without the status term the index cannot serve the
// statement, which shows that the index leaves out the closed requests.
func TestSweepIndexHoldsOpenRequestsOnly(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		testenv.RequirePartialIndex(t, srv.DB, servicenet.SweepDue, "status NOT IN ('resolved', 'closed', 'rejected')",
			"service_requests_due", []any{int64(1), servicenet.SweepBatch})
	})
}
