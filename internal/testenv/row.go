package testenv

import (
	"database/sql"
	"fmt"
)

// Row is one row of values as a driver would return them (string, int64,
// float64, bool, nil), scanned without allocating: for tests counting
// what a domain's scan function allocates itself (testing.AllocsPerRun).
// A destination it does not know, or a value of the wrong type, is an
// error.
type Row []any

// Scan assigns the row's values to dest in order.
func (r Row) Scan(dest ...any) error {
	if len(dest) != len(r) {
		return fmt.Errorf("testenv.Row: %d destinations for %d values", len(dest), len(r))
	}
	for i, d := range dest {
		v := r[i]
		ok := true
		switch d := d.(type) {
		case *string:
			*d, ok = v.(string)
		case *int64:
			*d, ok = v.(int64)
		case *int:
			var n int64
			n, ok = v.(int64)
			*d = int(n)
		case *bool:
			*d, ok = v.(bool)
		case sql.Scanner:
			if err := d.Scan(v); err != nil {
				return fmt.Errorf("testenv.Row: column %d: %w", i, err)
			}
		default:
			ok = false
		}
		if !ok {
			return fmt.Errorf("testenv.Row: column %d: cannot scan %T into %T", i, v, d)
		}
	}
	return nil
}
