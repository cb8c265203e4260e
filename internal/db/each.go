package db

import (
	"context"
	"database/sql"
)

// Scanner is a row to scan (*sql.Row, *sql.Rows).
type Scanner interface{ Scan(dest ...any) error }

// Also returns a Scanner that scans s's row into a scan function's
// destinations followed by more: a row of a table's usual columns with
// extra columns after them, read by that table's own scan function.
func Also(s Scanner, more ...any) Scanner { return also{s, more} }

type also struct {
	s    Scanner
	more []any
}

func (x also) Scan(dest ...any) error { return x.s.Scan(append(dest, x.more...)...) }

// Each runs query with args and calls fn for every row, stopping at the
// first error, fn's or the query's: the loop (Next, Scan, Close, Err)
// that is easy to get subtly wrong by hand.
func Each(ctx context.Context, q Querier, query string, args Args, fn func(Scanner) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	return EachRow(rows, fn)
}

// EachRow is Each over rows already queried; it closes them.
func EachRow(rows *sql.Rows, fn func(Scanner) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}
