package mediation_test

import (
	"strings"
	"testing"

	"tongxin/internal/mediation"
	"tongxin/internal/testenv"
)

// The flag job reads its index, which holds open cases alone: the cases
// settled or withdrawn in time are not in it to be walked every sweep.
// Without the status term the index cannot serve the statement, which
// shows that the index leaves out the closed cases.
func TestSweepIndexHoldsOpenCasesOnly(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		args := []any{int64(1), mediation.SweepBatch}
		if plan := testenv.Explain(t, srv.DB, mediation.SweepUnsettled, args); !strings.Contains(plan, "mediation_cases_clock") {
			t.Errorf("the sweep does not read mediation_cases_clock:\n%s", plan)
		}
		all := strings.Replace(mediation.SweepUnsettled, "status IN ('intake', 'accepted', 'scheduled', 'in_mediation') AND ", "", 1)
		if all == mediation.SweepUnsettled {
			t.Fatal("the sweep's statement has no status term")
		}
		if plan := testenv.Explain(t, srv.DB, all, args); strings.Contains(plan, "mediation_cases_clock") {
			t.Errorf("mediation_cases_clock serves cases of every status:\n%s", plan)
		}
	})
}
