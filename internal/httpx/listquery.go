package httpx

import (
	"context"

	"tongxin/internal/db"
)

// Scanner is a *sql.Row or *sql.Rows.
type Scanner interface{ Scan(...any) error }

// ListRows answers a list the common way: COUNT(*) of the filtered rows for
// total, then the page after p.After ordered by id (time-ordered ids make
// that creation order). where must already hold the scope predicate and
// filters, with their arguments in a.
func ListRows[T any](ctx context.Context, q db.Querier, p Page, table, cols, where string, a db.Args,
	scan func(Scanner) (T, error), id func(T) string) (List[T], error) {
	var total int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table+" WHERE "+where, a...).Scan(&total); err != nil {
		return List[T]{}, err
	}
	if p.After != "" {
		where += " AND id > " + a.Add(p.After)
	}
	rows, err := q.QueryContext(ctx, "SELECT "+cols+" FROM "+table+" WHERE "+where+" ORDER BY id LIMIT "+a.Add(p.Limit+1), a...)
	if err != nil {
		return List[T]{}, err
	}
	defer rows.Close()
	var items []T
	for rows.Next() {
		item, err := scan(rows)
		if err != nil {
			return List[T]{}, err
		}
		items = append(items, item)
	}
	if err := rows.Err(); err != nil {
		return List[T]{}, err
	}
	return NewList(p, items, total, id), nil
}
