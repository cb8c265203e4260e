package db_test

import (
	"context"
	"testing"
	"testing/fstest"

	"tongxin/internal/db"
	"tongxin/internal/testenv"
)

// A database made by the foundation release keeps everything through the
// scope-model migration: grants keep their nodes, audit entries get the
// path they happened under, nothing is dropped.
func TestUpgradeFromTheFoundationSchema(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d, err := db.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if _, err := d.Migrate(ctx, testenv.Through(1, db.Foundation())...); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`INSERT INTO zones (id, name, version, created_at, updated_at) VALUES ('z', '开发区', 1, 1, 1)`,
			`INSERT INTO scope_nodes (id, zone_id, kind, parent_id, path, name) VALUES ('z', 'z', 'zone', NULL, '/z/', '开发区')`,
			`INSERT INTO parks (id, zone_id, name, code, version, created_at, updated_at) VALUES ('p', 'z', '园', 'p', 1, 1, 1)`,
			`INSERT INTO scope_nodes (id, zone_id, kind, parent_id, path, name) VALUES ('p', 'z', 'park', 'z', '/z/p/', '园')`,
			`INSERT INTO users (id, zone_id, username, display_name, password_hash, version, created_at, updated_at) VALUES ('u', 'z', 'user', 'U', 'x', 1, 1, 1)`,
			`INSERT INTO grants (id, zone_id, user_id, role, scope_id, scope_kind, scope_path, created_at) VALUES ('g', 'z', 'u', 'park_admin', 'p', 'park', '/z/p/', 1)`,
			`INSERT INTO audit_log (id, zone_id, park_id, at, actor_name, client_addr, request_id, entity, entity_id, action, summary)
				VALUES ('a1', 'z', 'p', 1, 'system', '', '', 'park', 'p', 'create', '{}'),
				       ('a2', 'z', NULL, 2, 'system', '', '', 'zone', 'z', 'create', '{}'),
				       ('a3', NULL, NULL, 3, 'system', '', '', 'zone', 'z', 'platform', '{}')`,
		} {
			if _, err := d.W.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		applied, err := d.Migrate(ctx, db.Foundation())
		if err != nil || len(applied) == 0 {
			t.Fatalf("upgrade: %v %v", applied, err)
		}
		var role, path string
		if err := d.R.QueryRowContext(ctx, `SELECT g.role, n.path FROM grants g JOIN scope_nodes n ON n.id = g.scope_id WHERE g.id = 'g'`).Scan(&role, &path); err != nil || role != "park_admin" || path != "/z/p/" {
			t.Fatalf("grant after the upgrade: %s %s %v", role, path, err)
		}
		rows, err := d.R.QueryContext(ctx, `SELECT id, scope_path FROM audit_log ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		want := map[string]string{"a1": "/z/p/", "a2": "/z/", "a3": ""}
		n := 0
		for rows.Next() {
			var id, p string
			if err := rows.Scan(&id, &p); err != nil {
				t.Fatal(err)
			}
			if want[id] != p {
				t.Errorf("entry %s lies at %q, want %q", id, p, want[id])
			}
			n++
		}
		if err := rows.Err(); err != nil || n != 3 {
			t.Fatalf("%d entries after the upgrade (%v)", n, err)
		}
	})
}

func TestOneHistoryRefusesDuplicateVersions(t *testing.T) {
	dup := fstest.MapFS{"0001_other.sql": {Data: []byte("SELECT 1;")}}
	if _, err := db.LoadMigrations(db.Foundation(), dup); err == nil {
		t.Fatal("two migrations numbered 1 were accepted")
	}
	ms, err := db.LoadMigrations(db.Foundation())
	if err != nil || len(ms) < 2 {
		t.Fatalf("%v %v", ms, err)
	}
	for _, m := range ms {
		for _, d := range []db.Dialect{db.SQLite, db.Postgres} {
			if _, err := m.For(d); err != nil {
				t.Errorf("%s for %s: %v", m.Name, d, err)
			}
		}
	}
}
