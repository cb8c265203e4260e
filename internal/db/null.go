package db

import "database/sql"

// Ref is s's string, or nil when s is NULL: a pointer into s itself, so
// that a nullable column scanned into a row's own struct costs no
// allocation of its own (a helper taking s by value copies it to the heap
// on every call).
func Ref(s *sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}
