package servicenetapi_test

import (
	"fmt"
	"slices"
	"testing"

	"tongxin/internal/db"
	"tongxin/internal/server"
	"tongxin/internal/testenv"
)

// A database that stop 31's release left (migrations through 0410), with
// requests at two points whose counters it split into shards, comes out
// of the upgrade with every request's point path and name on its row
// (0430), its counts equal to the requests', on SQLite one counter row
// per key (0420), and triggers that go on keeping all of them.
func TestUpgradeKeepsRequestCountsAndPoints(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		d, err := db.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if _, err := d.Migrate(ctx, testenv.Through(410, server.Schema()...)...); err != nil {
			t.Fatal(err)
		}
		byHand(t, d,
			stmt{`INSERT INTO zones (id, name, created_at, updated_at) VALUES ('z', '开发区', 1, 1)`, nil},
			stmt{`INSERT INTO parks (id, zone_id, name, code, created_at, updated_at) VALUES ('p', 'z', '五里园', 'wuli', 1, 1)`, nil},
			stmt{`INSERT INTO scope_nodes (id, zone_id, kind, parent_id, path, name) VALUES ('z', 'z', 'zone', NULL, '/z/', '开发区'),
				('p', 'z', 'park', 'z', '/z/p/', '五里园'),
				('c', 'z', 'service_point', 'p', '/z/p/c/', '邻里中心'),
				('a', 'z', 'service_point', 'p', '/z/p/a/', '北片区服务点')`, nil},
			stmt{`INSERT INTO service_points (id, zone_id, park_id, name, kind, created_at, updated_at) VALUES
				('c', 'z', 'p', '邻里中心', 'center', 1, 1), ('a', 'z', 'p', '北片区服务点', 'point', 1, 1)`, nil},
			stmt{`INSERT INTO services (zone_id, code, name, category, function, sla_hours, created_at, updated_at)
				VALUES ('z', 'legal_aid', '法律援助', 'legal', 'service', 24, 1, 1)`, nil},
		)
		file := func(id, point, status string) stmt {
			return stmt{`INSERT INTO service_requests (id, zone_id, park_id, point_id, service_code, description, status, due_at, source, created_at, updated_at)
				VALUES ($1, 'z', 'p', $2, 'legal_aid', '咨询', $3, 1, 'api', 1, 1)`, []any{id, point, status}}
		}
		statuses := []string{"submitted", "accepted", "closed"}
		var requests []stmt
		for i := range 40 {
			requests = append(requests, file(fmt.Sprintf("r-%02x", i*7), []string{"c", "a"}[i%2], statuses[i%3]))
		}
		byHand(t, d, requests...)
		if shards := testenv.Strings(t, d.R, `SELECT DISTINCT shard FROM request_counts`); len(shards) < 2 {
			t.Fatalf("before the upgrade, the counts lie in shards %q: the test splits nothing", shards)
		}
		applied, err := server.Migrate(ctx, d)
		if err != nil || !slices.Contains(applied, "0420_request_counts_one_row.sql") || !slices.Contains(applied, "0430_request_point_on_row.sql") {
			t.Fatalf("upgrade: %v %v", applied, err)
		}
		check := func(when string) {
			t.Helper()
			if kept, counted := keptCounts(t, d); !slices.Equal(kept, counted) {
				t.Errorf("%s: request_counts %q, requests %q", when, kept, counted)
			}
			if kept, counted := keptPointCounts(t, d); !slices.Equal(kept, counted) {
				t.Errorf("%s: request_point_counts %q, requests %q", when, kept, counted)
			}
			if d.Dialect == db.SQLite {
				for _, table := range []string{"request_counts", "request_point_counts"} {
					if shards := testenv.Strings(t, d.R, `SELECT DISTINCT shard FROM `+table); !slices.Equal(shards, []string{""}) {
						t.Errorf("%s: %s's shards on SQLite: %q, want one row per key", when, table, shards)
					}
				}
			}
			points := testenv.Strings(t, d.R, `SELECT r.id || ' ' || r.point_path || ' ' || r.point_name FROM service_requests r ORDER BY r.id`)
			nodes := testenv.Strings(t, d.R, `SELECT r.id || ' ' || n.path || ' ' || n.name FROM service_requests r JOIN scope_nodes n ON n.id = r.point_id ORDER BY r.id`)
			if len(points) != len(nodes) || !slices.Equal(points, nodes) {
				t.Errorf("%s: points on the rows %q, their nodes %q", when, points, nodes)
			}
		}
		check("upgraded")
		byHand(t, d,
			file("r-new", "a", "submitted"),
			stmt{`UPDATE service_requests SET status = 'accepted' WHERE id = $1`, []any{"r-00"}},
			stmt{`DELETE FROM service_requests WHERE id = $1`, []any{"r-07"}},
			stmt{`UPDATE scope_nodes SET name = '五里园邻里中心' WHERE id = 'c'`, nil},
		)
		check("written after the upgrade")
	})
}
