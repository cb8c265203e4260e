package care

import "tongxin/internal/matrix"

// matrixLocal is the zone's civil time (dates are booked on China's day).
var matrixLocal = matrix.Local
