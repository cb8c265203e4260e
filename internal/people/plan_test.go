package people_test

import (
	"context"
	"strings"
	"testing"

	"tongxin/internal/db"
	"tongxin/internal/people"
	"tongxin/internal/testenv"
)

// An organisation's people (the organisation and those under it) are one
// range of people_org_path: the count reads it alone, and on SQLite so do
// the page's ids (the rows are read for the page alone), instead of one
// search of people_org per organisation of the subtree.
func TestOrgPeopleAreOneRange(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		srv := testenv.Start(t, dsn)
		p := srv.Park("一园", "p1").ID
		o := srv.Org(p, p, "一园党委", "committee")
		srv.Org(o, p, "一园支部", "branch")
		_, _, where, a, err := people.OrgFilters(ctx, srv.DB, o)
		if err != nil {
			t.Fatal(err)
		}
		index := "people_org_path"
		if srv.DB.Dialect == db.SQLite {
			index = "COVERING INDEX people_org_path"
		}
		statements := []string{"SELECT COUNT(*) FROM people WHERE 1=1" + where}
		if srv.DB.Dialect == db.SQLite {
			// PostgreSQL may walk a table this small in id order instead.
			statements = append(statements, "SELECT id FROM people WHERE 1=1"+where+" ORDER BY id LIMIT 51")
		}
		for _, q := range statements {
			plan := testenv.Explain(t, srv.DB, q, a)
			if !strings.Contains(plan, index) || strings.Contains(plan, "people_org ") || strings.Contains(plan, "scope_nodes") {
				t.Fatalf("%s: want one range of %s:\n%s", q, index, plan)
			}
		}
	})
}
