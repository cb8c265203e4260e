package testenv_test

import (
	"testing"

	"tongxin/internal/testenv"
)

func TestMatrixHelpers(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		park := srv.Park("五里园", "wuli")
		ent := srv.Enterprise(park.ID, "成达齿轮")
		org := srv.Org(park.ID, park.ID, "成达齿轮党支部", "branch", ent)
		srv.Person(park.ZoneID, "陈明", ent, org, "full")
		if n := srv.Count("scope_nodes", "path LIKE $1", "%/"+park.ID+"/"+org+"/"); n != 1 {
			t.Fatalf("org node under park: %d", n)
		}
		if n := srv.Count("people", "org_id = $1 AND enterprise_id = $2 AND sample = $3", org, ent, false); n != 1 {
			t.Fatalf("people: %d", n)
		}
	})
}
