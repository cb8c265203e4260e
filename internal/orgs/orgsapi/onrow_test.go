package orgsapi_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"tongxin/internal/db"
	"tongxin/internal/server"
	"tongxin/internal/testenv"
)

// onRow is every organisation's secretary name and enterprise ids as
// kept on its row (migration 0440), and as read from people and
// org_enterprises, each "id|name|ids" with the ids sorted.
func onRow(t *testing.T, q db.Querier) (kept, read []string) {
	t.Helper()
	norm := func(rows []string) []string {
		for i, r := range rows {
			f := strings.Split(r, "|")
			ids := strings.Split(f[2], ",")
			slices.Sort(ids)
			rows[i] = f[0] + "|" + f[1] + "|" + strings.Join(ids, ",")
		}
		return rows
	}
	kept = norm(testenv.Strings(t, q, `SELECT id || '|' || COALESCE(secretary_name, '-') || '|' || enterprise_ids FROM orgs ORDER BY id`))
	read = norm(testenv.Strings(t, q, `SELECT id || '|' || COALESCE((SELECT name FROM people WHERE id = orgs.secretary_id), '-') || '|' ||
		COALESCE((SELECT string_agg(enterprise_id, ',') FROM org_enterprises WHERE org_id = orgs.id), '') FROM orgs ORDER BY id`))
	return kept, read
}

func execAll(t *testing.T, d *db.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := d.W.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// An organisation's secretary name and enterprise ids kept on its row
// follow every write, through the API and by hand, and its get shows
// them.
func TestOrgSecretaryAndEnterprisesOnTheRow(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		park := srv.Park("五里园", "wuli")
		e1, e2, e3 := srv.Enterprise(park.ID, "成达齿轮"), srv.Enterprise(park.ID, "海纳机械"), srv.Enterprise(park.ID, "鸿盛纺织")
		committee := mustCreate(t, admin, map[string]any{"park_id": park.ID, "name": "五里园党委", "kind": "committee"})
		joint := mustCreate(t, admin, map[string]any{"parent_id": committee.ID, "name": "五里园联合党支部", "kind": "joint_branch",
			"enterprise_ids": []string{e2, e1}})
		lin := srv.Person(srv.ZoneID, "林芳", e1, joint.ID, "full")
		chen := srv.Person(srv.ZoneID, "陈明", e2, joint.ID, "full")
		same := func(when string) {
			t.Helper()
			kept, read := onRow(t, srv.DB.R)
			if len(kept) != 2 || !slices.Equal(kept, read) {
				t.Fatalf("%s: kept %q, read %q", when, kept, read)
			}
		}
		same("created")
		up, err := admin.UpdateOrg(ctx, joint.ID, map[string]any{"secretary_id": lin, "enterprise_ids": []string{e1, e3}}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if up.Version != 2 {
			t.Fatalf("update version %d", up.Version)
		}
		same("secretary and enterprises changed through the API")
		p, err := admin.GetPerson(ctx, lin, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.UpdatePerson(ctx, lin, map[string]any{"name": "林芳芳"}, p.Version); err != nil {
			t.Fatal(err)
		}
		same("the secretary renamed through the API")
		got, err := admin.GetOrg(ctx, joint.ID)
		if err != nil || got.SecretaryName == nil || *got.SecretaryName != "林芳芳" || !slices.Equal(got.EnterpriseIDs, sorted(e1, e3)) {
			t.Fatalf("get: %+v %v", got, err)
		}
		execAll(t, srv.DB,
			`UPDATE orgs SET secretary_id = '`+chen+`' WHERE id = '`+joint.ID+`'`,
			`UPDATE people SET name = '陈明亮' WHERE id = '`+chen+`'`,
			`UPDATE people SET name = '林' WHERE id = '`+lin+`'`,
			`DELETE FROM org_enterprises WHERE org_id = '`+joint.ID+`' AND enterprise_id = '`+e1+`'`,
			`INSERT INTO org_enterprises (org_id, enterprise_id, zone_id) VALUES ('`+committee.ID+`', '`+e2+`', '`+srv.ZoneID+`')`,
			`UPDATE org_enterprises SET org_id = '`+joint.ID+`' WHERE org_id = '`+committee.ID+`'`,
		)
		same("by hand")
		// A secretary who is no one (yet): the name follows the person.
		execAll(t, srv.DB, `UPDATE orgs SET secretary_id = 'nobody' WHERE id = '`+committee.ID+`'`)
		same("a secretary who is no one")
		execAll(t, srv.DB, `INSERT INTO people (id, zone_id, name, search_key, created_at, updated_at) VALUES ('nobody', '`+srv.ZoneID+`', '无名', 'wuming', 1, 1)`)
		same("the person added")
		execAll(t, srv.DB, `DELETE FROM people WHERE id = 'nobody'`)
		same("the person removed")
		got, err = admin.GetOrg(ctx, joint.ID)
		if err != nil || got.SecretaryName == nil || *got.SecretaryName != "陈明亮" || !slices.Equal(got.EnterpriseIDs, sorted(e2, e3)) {
			t.Fatalf("get after writes by hand: %+v %v", got, err)
		}
	})
}

// A database that stop 32's release left (migrations through 0430) comes
// out of the upgrade with its organisations' secretary names and
// enterprise ids on their rows, and triggers that go on keeping them.
func TestUpgradeKeepsOrgSecretaryAndEnterprises(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		d, err := db.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if _, err := d.Migrate(ctx, testenv.Through(430, server.Schema()...)...); err != nil {
			t.Fatal(err)
		}
		stmts := []string{
			`INSERT INTO zones (id, name, created_at, updated_at) VALUES ('z', '开发区', 1, 1)`,
			`INSERT INTO parks (id, zone_id, name, code, created_at, updated_at) VALUES ('p', 'z', '五里园', 'wuli', 1, 1)`,
			`INSERT INTO people (id, zone_id, name, search_key, created_at, updated_at) VALUES ('s1', 'z', '林芳', 'linfang', 1, 1), ('s2', 'z', '陈明', 'chenming', 1, 1)`,
		}
		for i := range 6 {
			stmts = append(stmts, fmt.Sprintf(`INSERT INTO enterprises (id, zone_id, park_id, name, uscc, search_key, created_at, updated_at)
				VALUES ('e%d', 'z', 'p', '企业%d', '91110000MA00000%02dX', 'qiye', 1, 1)`, i, i, i))
		}
		secretaries := []string{"'s1'", "'s2'", "NULL", "'gone'"}
		for i := range 4 {
			stmts = append(stmts, fmt.Sprintf(`INSERT INTO orgs (id, zone_id, park_id, name, kind, secretary_id, search_key, created_at, updated_at)
				VALUES ('o%d', 'z', 'p', '支部%d', 'branch', %s, 'zhibu', 1, 1)`, i, i, secretaries[i]))
			for j := range i {
				stmts = append(stmts, fmt.Sprintf(`INSERT INTO org_enterprises (org_id, enterprise_id, zone_id) VALUES ('o%d', 'e%d', 'z')`, i, j+i))
			}
		}
		execAll(t, d, stmts...)
		applied, err := server.Migrate(ctx, d)
		if err != nil || !slices.Contains(applied, "0440_org_secretary_enterprises_on_row.sql") {
			t.Fatalf("upgrade: %v %v", applied, err)
		}
		check := func(when string, want []string) {
			t.Helper()
			kept, read := onRow(t, d.R)
			if !slices.Equal(kept, read) || !slices.Equal(kept, want) {
				t.Errorf("%s: kept %q, read %q, want %q", when, kept, read, want)
			}
		}
		check("upgraded", []string{"o0|林芳|", "o1|陈明|e1", "o2|-|e2,e3", "o3|-|e3,e4,e5"})
		execAll(t, d,
			`UPDATE people SET name = '林芳芳' WHERE id = 's1'`,
			`DELETE FROM org_enterprises WHERE org_id = 'o3' AND enterprise_id = 'e4'`,
			`INSERT INTO org_enterprises (org_id, enterprise_id, zone_id) VALUES ('o0', 'e5', 'z')`,
			`UPDATE orgs SET secretary_id = 's2' WHERE id = 'o2'`,
		)
		check("written after the upgrade", []string{"o0|林芳芳|e5", "o1|陈明|e1", "o2|陈明|e2,e3", "o3|-|e3,e5"})
	})
}

// On PostgreSQL writers run side by side. A secretary renamed while the
// organisation takes them as its secretary, and two enterprises linked at
// once to one organisation, leave its row as its sources say: the first
// write is held open while the second starts, then committed.
func TestOrgOnTheRowUnderConcurrentWrites(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		if srv.DB.Dialect != db.Postgres {
			t.Skip("SQLite writes one transaction at a time")
		}
		admin := srv.Admin()
		park := srv.Park("五里园", "wuli")
		e1, e2, e3 := srv.Enterprise(park.ID, "成达齿轮"), srv.Enterprise(park.ID, "海纳机械"), srv.Enterprise(park.ID, "鸿盛纺织")
		org := mustCreate(t, admin, map[string]any{"park_id": park.ID, "name": "五里园联合党支部", "kind": "joint_branch",
			"enterprise_ids": []string{e1}})
		lin := srv.Person(srv.ZoneID, "林芳", e1, org.ID, "full")
		race := func(first, second string) {
			t.Helper()
			tx, err := srv.DB.W.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(ctx, first); err != nil {
				t.Fatalf("%s: %v", first, err)
			}
			done := make(chan error, 1)
			go func() {
				_, err := srv.DB.W.ExecContext(ctx, second)
				done <- err
			}()
			time.Sleep(300 * time.Millisecond)
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatalf("%s: %v", second, err)
			}
			kept, read := onRow(t, srv.DB.R)
			if !slices.Equal(kept, read) {
				t.Fatalf("%s while %s: kept %q, read %q", second, first, kept, read)
			}
		}
		race(`UPDATE orgs SET secretary_id = '`+lin+`' WHERE id = '`+org.ID+`'`, `UPDATE people SET name = '林芳芳' WHERE id = '`+lin+`'`)
		race(`INSERT INTO org_enterprises (org_id, enterprise_id, zone_id) VALUES ('`+org.ID+`', '`+e2+`', '`+srv.ZoneID+`')`,
			`INSERT INTO org_enterprises (org_id, enterprise_id, zone_id) VALUES ('`+org.ID+`', '`+e3+`', '`+srv.ZoneID+`')`)
		race(`DELETE FROM org_enterprises WHERE org_id = '`+org.ID+`' AND enterprise_id = '`+e1+`'`,
			`DELETE FROM org_enterprises WHERE org_id = '`+org.ID+`' AND enterprise_id = '`+e2+`'`)
	})
}
