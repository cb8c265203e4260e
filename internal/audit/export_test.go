package audit

// PruneBefore is the pruning job's statement, for its plan test
// (audit_test, which needs testenv and so the whole server).
const PruneBefore = pruneBefore
