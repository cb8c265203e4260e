package mediation_test

import (
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
		testenv.RequirePartialIndex(t, srv.DB, mediation.SweepUnsettled, "status IN ('intake', 'accepted', 'scheduled', 'in_mediation')",
			"mediation_cases_clock", []any{int64(1), mediation.SweepBatch})
	})
}
