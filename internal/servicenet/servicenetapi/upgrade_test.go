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
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := d.W.ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec(`INSERT INTO zones (id, name, created_at, updated_at) VALUES ('z', '开发区', 1, 1)`)
		exec(`INSERT INTO parks (id, zone_id, name, code, created_at, updated_at) VALUES ('p', 'z', '五里园', 'wuli', 1, 1)`)
		exec(`INSERT INTO scope_nodes (id, zone_id, kind, parent_id, path, name) VALUES ('z', 'z', 'zone', NULL, '/z/', '开发区'),
			('p', 'z', 'park', 'z', '/z/p/', '五里园'),
			('c', 'z', 'service_point', 'p', '/z/p/c/', '邻里中心'),
			('a', 'z', 'service_point', 'p', '/z/p/a/', '北片区服务点')`)
		exec(`INSERT INTO service_points (id, zone_id, park_id, name, kind, created_at, updated_at) VALUES
			('c', 'z', 'p', '邻里中心', 'center', 1, 1), ('a', 'z', 'p', '北片区服务点', 'point', 1, 1)`)
		exec(`INSERT INTO services (zone_id, code, name, category, function, sla_hours, created_at, updated_at)
			VALUES ('z', 'legal_aid', '法律援助', 'legal', 'service', 24, 1, 1)`)
		file := func(id, point, status string) {
			exec(`INSERT INTO service_requests (id, zone_id, park_id, point_id, service_code, description, status, due_at, source, created_at, updated_at)
				VALUES ($1, 'z', 'p', $2, 'legal_aid', '咨询', $3, 1, 'api', 1, 1)`, id, point, status)
		}
		statuses := []string{"submitted", "accepted", "closed"}
		for i := range 40 {
			file(fmt.Sprintf("r-%02x", i*7), []string{"c", "a"}[i%2], statuses[i%3])
		}
		counted := func() []string {
			return testenv.Strings(t, d.R, `SELECT point_id || ' ' || status || ' ' || CAST(COUNT(*) AS TEXT) FROM service_requests
				GROUP BY point_id, status ORDER BY point_id, status`)
		}
		kept := func(table string) []string {
			return testenv.Strings(t, d.R, `SELECT point_id || ' ' || status || ' ' || CAST(SUM(n) AS TEXT) FROM `+table+`
				GROUP BY point_id, status HAVING SUM(n) <> 0 ORDER BY point_id, status`)
		}
		if shards := testenv.Strings(t, d.R, `SELECT DISTINCT shard FROM request_counts`); len(shards) < 2 {
			t.Fatalf("before the upgrade, the counts lie in shards %q: the test splits nothing", shards)
		}
		applied, err := server.Migrate(ctx, d)
		if err != nil || !slices.Contains(applied, "0420_request_counts_one_row.sql") || !slices.Contains(applied, "0430_request_point_on_row.sql") {
			t.Fatalf("upgrade: %v %v", applied, err)
		}
		check := func(when string) {
			t.Helper()
			byPark := testenv.Strings(t, d.R, `SELECT status || ' ' || CAST(SUM(n) AS TEXT) FROM request_counts GROUP BY status HAVING SUM(n) <> 0 ORDER BY status`)
			want := testenv.Strings(t, d.R, `SELECT status || ' ' || CAST(COUNT(*) AS TEXT) FROM service_requests GROUP BY status ORDER BY status`)
			if !slices.Equal(byPark, want) {
				t.Errorf("%s: request_counts %q, requests %q", when, byPark, want)
			}
			if got, want := kept(`request_point_counts`), counted(); !slices.Equal(got, want) {
				t.Errorf("%s: request_point_counts %q, requests %q", when, got, want)
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
		file("r-new", "a", "submitted")
		exec(`UPDATE service_requests SET status = 'accepted' WHERE id = $1`, "r-00")
		exec(`DELETE FROM service_requests WHERE id = $1`, "r-07")
		exec(`UPDATE scope_nodes SET name = '五里园邻里中心' WHERE id = 'c'`)
		check("written after the upgrade")
	})
}
