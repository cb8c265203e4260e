package servicenet

// For the plan test (servicenet_test), which needs testenv and so the
// whole server: this package's own tests cannot import it.
const (
	RequestFrom  = requestFrom
	WithTimeline = withTimeline
)

// SweepDue is the overdue sweep's statement, for its plan test.
const SweepDue = sweepDue
