package mediation

// SweepUnsettled is the flag job's statement, for its plan test
// (mediation_test, which needs testenv and so the whole server).
const SweepUnsettled = sweepUnsettled
