package testenv

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"tongxin/internal/db"
)

// Explain returns the engine's plan of q. On PostgreSQL sequential scans
// are discouraged for the session: on tables this small the planner would
// rightly prefer them, and the question is whether the index can serve the
// predicate at all.
func Explain(t testing.TB, d *db.DB, q string, args []any) string {
	t.Helper()
	ctx := context.Background()
	conn, err := d.R.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var rows *sql.Rows
	if d.Dialect == db.Postgres {
		if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
			t.Fatal(err)
		}
		defer conn.ExecContext(ctx, "RESET enable_seqscan")
		rows, err = conn.QueryContext(ctx, "EXPLAIN "+q, args...)
	} else {
		rows, err = conn.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		if s, ok := vals[len(vals)-1].(string); ok {
			lines = append(lines, s)
		} else if b, ok := vals[len(vals)-1].([]byte); ok {
			lines = append(lines, string(b))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// RequirePartialIndex fails t unless statement q reads index, and cannot
// once its term (followed in q by " AND ") is taken out: then the index's
// predicate holds the term, and the rows it excludes are not in the index.
func RequirePartialIndex(t testing.TB, d *db.DB, q, term, index string, args []any) {
	t.Helper()
	if plan := Explain(t, d, q, args); !strings.Contains(plan, index) {
		t.Errorf("the statement does not read %s:\n%s", index, plan)
	}
	without := strings.Replace(q, term+" AND ", "", 1)
	if without == q {
		t.Fatalf("the statement has no term %q", term)
	}
	if plan := Explain(t, d, without, args); strings.Contains(plan, index) {
		t.Errorf("%s serves the statement without %s:\n%s", index, term, plan)
	}
}
