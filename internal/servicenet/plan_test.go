package servicenet_test

import (
	"strings"
	"testing"

	"tongxin/internal/db"
	"tongxin/internal/servicenet"
	"tongxin/internal/testenv"
)

// A request's timeline, which every get and list carries, is its row's
// own column (migration 0270): the statement reads no event at all — it
// read each request's events from their index, 300 for a page of closed
// requests — and its photos from their index alone.
func TestTimelineIsTheRowsOwn(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		plan := testenv.Explain(t, srv.DB, `SELECT r.id`+servicenet.WithTimeline+` FROM `+servicenet.RequestFrom+` WHERE r.id = $1`, []any{"x"})
		want := "service_request_photos_request"
		if srv.DB.Dialect == db.SQLite {
			want = "USING COVERING INDEX " + want
		}
		if !strings.Contains(plan, want) {
			t.Errorf("%q not in the plan:\n%s", want, plan)
		}
		if strings.Contains(plan, "service_request_events") {
			t.Errorf("the plan reads the events:\n%s", plan)
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
