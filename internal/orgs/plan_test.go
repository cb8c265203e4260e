package orgs_test

import (
	"strings"
	"testing"

	"tongxin/internal/db"
	"tongxin/internal/orgs"
	"tongxin/internal/testenv"
)

// An organisation's get counts its members three ways (full, probationary,
// out of contact), all in one search of people_org_party that on SQLite
// reads that index alone: reading every member's row was a fifth of the
// get's time on the zone-scale database, and a search per count a quarter
// of its statement.
func TestOrgMemberCountsReadOneIndex(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		org := srv.Org(srv.ZoneID, "", "开发区党工委", "working_committee")
		plan := testenv.Explain(t, srv.DB, `SELECT `+orgs.MemberCounts+` FROM orgs WHERE orgs.id = $2`, []any{"2026-01-01", org})
		want, index := 1, "people_org_party"
		if srv.DB.Dialect == db.SQLite {
			index = "USING COVERING INDEX people_org_party"
		}
		if got := strings.Count(plan, index); got != want {
			t.Fatalf("%q %d times in the plan, want %d:\n%s", index, got, want, plan)
		}
	})
}
