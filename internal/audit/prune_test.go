package audit_test

import (
	"strings"
	"testing"

	"tongxin/internal/audit"
	"tongxin/internal/testenv"
)

// The hourly prune deletes a range of the log's time index, not a scan
// of years of entries.
func TestPruneReadsARangeOfTime(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		if plan := testenv.Explain(t, srv.DB, audit.PruneBefore, []any{int64(1)}); !strings.Contains(plan, "audit_at") {
			t.Errorf("the prune does not read audit_at:\n%s", plan)
		}
	})
}
