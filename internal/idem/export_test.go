package idem

// PruneBefore is the pruning job's statement, for its plan test.
const PruneBefore = pruneBefore
