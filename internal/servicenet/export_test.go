package servicenet

import (
	"time"
	"tongxin/internal/db"
)

// For the plan test (servicenet_test), which needs testenv and so the
// whole server: this package's own tests cannot import it.
const (
	RequestFrom  = requestFrom
	WithTimeline = withTimeline
)

// SweepDue is the overdue sweep's statement, for its plan test.
const SweepDue = sweepDue

// ScanFull is the scan of a request with its timeline and photos
// (requestCols and withTimeline), for the allocation test.
func (s *Service) ScanFull(now time.Time) func(db.Scanner) (Request, error) { return s.scanFull(now) }
