package server_test

import (
	"strings"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/testenv"
)

var planRead = access.NewPerm("plantest.read", access.Everyone()...)

// The scope predicate must stay one indexable condition per attachment —
// a range over scope_nodes.path, or over the row's own path column — and
// never a per-row function call. The plans of both engines prove it: each
// range is an index search.
func TestScopePredicateUsesIndexes(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		a1, a2 := srv.Park("五里园", "wuli"), srv.Park("安东园", "andong")
		zone := "/" + srv.ZoneID + "/"
		zoneGrant := &access.Principal{Grants: []access.Grant{{Role: access.ZoneAdmin, Path: zone}}}
		oneGrant := &access.Principal{Grants: []access.Grant{{Role: access.ParkAdmin, Path: zone + a1.ID + "/"}}}
		twoGrants := &access.Principal{Grants: []access.Grant{
			{Role: access.ParkAdmin, Path: zone + a1.ID + "/"}, {Role: access.Auditor, Path: zone + a2.ID + "/"}}}
		for _, tc := range []struct {
			name  string
			p     *access.Principal
			table string
			at    []access.Attach
			index string
		}{
			{"rows attached by node, one grant", oneGrant, "parks", []access.Attach{access.ByZone("zone_id"), access.ByNode("id")}, "scope_nodes_path"},
			{"rows attached by node, two grants", twoGrants, "users", []access.Attach{access.ByNode("zone_id")}, "scope_nodes_path"},
			{"rows attached by a node of one kind, one grant", oneGrant, "parks", []access.Attach{access.ByZone("zone_id"), access.ByNodeOf("id", access.KindPark)}, "scope_nodes_kind_path"},
			{"rows attached by a node of one kind, two grants", twoGrants, "parks", []access.Attach{access.ByNodeOf("id", access.KindPark)}, "scope_nodes_kind_path"},
			{"rows attached by path, one grant", oneGrant, "audit_log", []access.Attach{access.ByPath("scope_path")}, "audit_scope"},
			{"rows attached by path, two grants", twoGrants, "audit_log", []access.Attach{access.ByPath("scope_path")}, "audit_scope"},
			{"a whole zone by the tenant column", zoneGrant, "users", []access.Attach{access.ByZone("zone_id"), access.ByNode("id")}, "users_zone"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var a db.Args
				where := tc.p.Scope(planRead).Where(&a, tc.at...)
				plan := testenv.Explain(t, srv.DB, "SELECT * FROM "+tc.table+" WHERE "+where, a)
				ranges := max(strings.Count(where, ">="), 1)
				if got := strings.Count(plan, tc.index); got < 1 || (srv.DB.Dialect == db.SQLite && got < ranges) {
					t.Fatalf("%d range(s), index %s used %d times:\n%s\n%s", ranges, tc.index, got, where, plan)
				}
				// A node's subtree (of one kind) is read from its index
				// alone (it holds the id): no read of the table per node.
				if srv.DB.Dialect == db.SQLite && strings.HasPrefix(tc.index, "scope_nodes") && !strings.Contains(plan, "COVERING INDEX "+tc.index) {
					t.Fatalf("scope_nodes read from the table:\n%s\n%s", where, plan)
				}
				for _, bad := range []string{"SCAN scope_nodes", "Seq Scan on scope_nodes", "SCAN audit_log", "Seq Scan on audit_log"} {
					if strings.Contains(plan, bad) {
						t.Fatalf("%s in the plan:\n%s", bad, plan)
					}
				}
			})
		}
	})
}

// The counts kept with the rows (row_counts, people_park_counts,
// people_committee_counts, activity_status_counts, request_counts,
// request_point_counts) answer
// lists' totals as sums over a key's range. On SQLite they are clustered
// by that key (migrations 0280–0300): a sum reads the key's B-tree alone,
// never a counter's row from the table after its index entry (256 of them
// for one park's requests of a status).
func TestKeptCountsReadTheirKeyAlone(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		if srv.DB.Dialect != db.SQLite {
			t.Skip("PostgreSQL keeps its counters in the heap: every update of n stays a HOT one")
		}
		for table, key := range map[string]string{
			"row_counts":              "tbl = $1 AND zone_id = $2",
			"people_park_counts":      "zone_id = $1 AND park_id = $2",
			"people_committee_counts": "zone_id = $1 AND committee = $2",
			"activity_status_counts":  "zone_id = $1 AND status = $2",
			"request_counts":          "zone_id = $1 AND status = $2",
			"request_point_counts":    "point_id = $1 AND status = $2",
		} {
			plan := testenv.Explain(t, srv.DB, "SELECT SUM(n) FROM "+table+" WHERE "+key, []any{"a", "b"})
			if want := "SEARCH " + table + " USING PRIMARY KEY"; !strings.Contains(plan, want) {
				t.Errorf("%s: %q not in the plan:\n%s", table, want, plan)
			}
		}
	})
}
