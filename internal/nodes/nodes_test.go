package nodes_test

import (
	"context"
	"slices"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/db"
	"tongxin/internal/nodes"
	"tongxin/internal/parks"
	"tongxin/internal/testenv"
	"tongxin/internal/users"
	"tongxin/internal/zones"
)

var read = access.NewPerm("nodestest.read", access.Everyone()...)

// visible lists the nodes username's grants cover, through the same
// predicate every store query takes.
func visible(t *testing.T, d *db.DB, username string) []string {
	t.Helper()
	ctx := context.Background()
	id, _, err := users.ID(ctx, d.R, username)
	if err != nil {
		t.Fatal(err)
	}
	gs, err := access.LoadGrants(ctx, d.R, []string{id})
	if err != nil {
		t.Fatal(err)
	}
	var a db.Args
	where := (&access.Principal{Grants: gs[id]}).Scope(read).Where(&a, access.ByNode("id"))
	rows, err := d.R.Query("SELECT name FROM scope_nodes WHERE "+where+" ORDER BY name", a...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

// Moving a subtree (a party organisation moving under another park's
// committee) re-scopes everything under it in one transaction: grants on
// the nodes below move with them, and the old ancestors' grants stop
// covering them.
func TestMoveSubtree(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := testenv.OpenDB(t, dsn)
		pool := testenv.Passwords()
		var zone, other zones.Zone
		var p1, p2 parks.Park
		err := d.Tx(ctx, func(tx *db.Tx) error {
			var err error
			if zone, err = zones.Add(ctx, tx, "开发区"); err != nil {
				return err
			}
			if other, err = zones.Add(ctx, tx, "另一开发区"); err != nil {
				return err
			}
			if p1, err = parks.Add(ctx, tx, parks.Input{ZoneID: zone.ID, Name: "一园", Code: "p1"}); err != nil {
				return err
			}
			if p2, err = parks.Add(ctx, tx, parks.Input{ZoneID: zone.ID, Name: "二园", Code: "p2"}); err != nil {
				return err
			}
			for _, n := range []nodes.Node{
				{ID: "org-x", ZoneID: zone.ID, Kind: access.KindOrg, ParentID: p1.ID, Name: "x党委"},
				{ID: "org-y", ZoneID: zone.ID, Kind: access.KindOrg, ParentID: "org-x", Name: "y支部"},
			} {
				if _, err := nodes.Insert(ctx, tx, n, "parent_id"); err != nil {
					return err
				}
			}
			for _, u := range []struct{ name, role, scope string }{
				{"admin-one", access.ParkAdmin, p1.ID}, {"admin-two", access.ParkAdmin, p2.ID}, {"secretary-y", access.OrgSecretary, "org-y"},
			} {
				if _, err := users.Add(ctx, tx, pool, zone.ID, u.name, u.name, testenv.UserPassword(u.name)); err != nil {
					return err
				}
				if err := users.Grant(ctx, tx, u.name, u.role, u.scope); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := visible(t, d, "admin-one"); !slices.Equal(got, []string{"x党委", "y支部", "一园"}) {
			t.Fatalf("before the move, park one's admin sees %v", got)
		}
		if got := visible(t, d, "admin-two"); !slices.Equal(got, []string{"二园"}) {
			t.Fatalf("before the move, park two's admin sees %v", got)
		}
		for _, bad := range []struct {
			name, node, parent, code string
		}{
			{"under itself", "org-x", "org-x", "cycle"},
			{"under its own child", "org-x", "org-y", "cycle"},
			{"into another zone", "org-x", other.ID, "unknown_value"},
			{"under nothing", "org-x", "nope", "unknown_value"},
			{"a zone", zone.ID, other.ID, "unknown_value"},
		} {
			err := d.Tx(ctx, func(tx *db.Tx) error { _, err := nodes.Move(ctx, tx, bad.node, bad.parent, "parent_id"); return err })
			var e *apperr.Error
			if !apperr.Is(err, apperr.Validation) || !asField(err, &e, bad.code) {
				t.Errorf("moving %s: %v, want 422 %s", bad.name, err, bad.code)
			}
		}
		err = d.Tx(ctx, func(tx *db.Tx) error {
			n, err := nodes.Move(ctx, tx, "org-x", p2.ID, "parent_id")
			if err == nil && n.Path != "/"+zone.ID+"/"+p2.ID+"/org-x/" {
				t.Errorf("moved path %s", n.Path)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := visible(t, d, "admin-one"); !slices.Equal(got, []string{"一园"}) {
			t.Fatalf("after the move, park one's admin still sees %v", got)
		}
		if got := visible(t, d, "admin-two"); !slices.Equal(got, []string{"x党委", "y支部", "二园"}) {
			t.Fatalf("after the move, park two's admin sees %v", got)
		}
		if got := visible(t, d, "secretary-y"); !slices.Equal(got, []string{"y支部"}) {
			t.Fatalf("the secretary's grant did not move with the branch: %v", got)
		}
		y, err := nodes.Get(ctx, d.R, "org-y")
		if err != nil || y.Path != "/"+zone.ID+"/"+p2.ID+"/org-x/org-y/" || y.ParentID != "org-x" {
			t.Fatalf("grandchild %+v %v", y, err)
		}
	})
}

func asField(err error, e **apperr.Error, code string) bool {
	x, ok := err.(*apperr.Error)
	if !ok || len(x.Fields) == 0 {
		return false
	}
	*e = x
	return x.Fields[0].Code == code
}

// PlaceOf answers from the caller's remembered places once it has read a
// node, and only then: a caller without Places (nobody, or a principal
// read while the cache was not trusted) reads the table every time, and a
// node that was not there is not remembered as missing.
func TestPlaceOfRemembersWithTheCaller(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := testenv.OpenDB(t, dsn)
		var zone zones.Zone
		var park parks.Park
		err := d.Tx(ctx, func(tx *db.Tx) error {
			var err error
			if zone, err = zones.Add(ctx, tx, "开发区"); err != nil {
				return err
			}
			park, err = parks.Add(ctx, tx, parks.Input{ZoneID: zone.ID, Name: "一园", Code: "p1"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		remembering := access.With(ctx, &access.Principal{Places: access.NewPlaces()})
		bare := access.With(ctx, &access.Principal{})
		want := access.Place{ID: park.ID, ZoneID: zone.ID, Kind: access.KindPark, Path: "/" + zone.ID + "/" + park.ID + "/"}
		for _, c := range []context.Context{remembering, bare, ctx} {
			if got, err := nodes.PlaceOf(c, d.R, park.ID); err != nil || got != want {
				t.Fatalf("PlaceOf = %+v, %v; want %+v", got, err, want)
			}
		}
		// Behind the epoch's back (no principal cache here to forget): the
		// remembering caller keeps what it read, the others read anew.
		if _, err := d.W.ExecContext(ctx, `UPDATE scope_nodes SET path = '/elsewhere/' WHERE id = $1`, park.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := nodes.PlaceOf(remembering, d.R, park.ID); got != want {
			t.Errorf("the remembering caller read %+v again", got)
		}
		for _, c := range []context.Context{bare, ctx} {
			if got, _ := nodes.PlaceOf(c, d.R, park.ID); got.Path != "/elsewhere/" {
				t.Errorf("a caller without Places got %+v from memory", got)
			}
		}
		if _, err := nodes.PlaceOf(remembering, d.R, "later"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("an unknown node: %v, want ENOTFOUND", err)
		}
		if _, err := d.W.ExecContext(ctx, `INSERT INTO scope_nodes (id, zone_id, kind, parent_id, path, name) VALUES ('later', $1, 'org', $2, $3, '后来')`,
			zone.ID, park.ID, want.Path+"later/"); err != nil {
			t.Fatal(err)
		}
		if got, err := nodes.PlaceOf(remembering, d.R, "later"); err != nil || got.Kind != access.KindOrg {
			t.Errorf("a node made after a miss: %+v %v", got, err)
		}
	})
}
