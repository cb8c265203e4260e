package db

import (
	"database/sql"
	"fmt"
	"time"
)

// Times are stored as BIGINT microseconds since the Unix epoch on both
// engines: the same SQL compares and orders them, and no driver's text
// format for timestamps leaks into the data.

// Micros converts t for storage.
func Micros(t time.Time) int64 { return t.UnixMicro() }

// FromMicros converts a stored value back (UTC).
func FromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// T scans a stored time into *t.
func T(t *time.Time) sql.Scanner { return timeScanner{t} }

type timeScanner struct{ t *time.Time }

func (s timeScanner) Scan(v any) error {
	switch x := v.(type) {
	case int64:
		*s.t = FromMicros(x)
	case nil:
		*s.t = time.Time{}
	default:
		return fmt.Errorf("db: cannot scan %T into time", v)
	}
	return nil
}

// NullString turns "" into NULL.
func NullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
