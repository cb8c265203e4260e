package access

import (
	"testing"

	"tongxin/internal/db"
)

func TestScopeFailsClosed(t *testing.T) {
	var nobody *Principal
	cases := map[string]*Principal{
		"nil principal":     nobody,
		"no grants":         {UserID: "u"},
		"unknown role":      {Grants: []Grant{{Role: "king", ScopeID: "z", ScopeKind: KindZone, ScopePath: "/z/"}}},
		"unknown kind":      {Grants: []Grant{{Role: ZoneAdmin, ScopeID: "z", ScopeKind: "galaxy", ScopePath: "/z/"}}},
		"role without perm": {Grants: []Grant{{Role: Member, ScopeID: "z", ScopeKind: KindZone, ScopePath: "/z/"}}},
	}
	for name, p := range cases {
		sc := p.Scope(UserManage)
		if name != "role without perm" {
			sc = p.Scope(ParkRead)
		}
		var a db.Args
		if w := sc.Where(Cols{Zone: "zone_id", Park: "id"}, &a); w != "1=0" || len(a) != 0 {
			t.Errorf("%s: predicate %q %v", name, w, a)
		}
		if !sc.Empty() || sc.Covers("/z/") || sc.Covers("") || sc.CoversZone("z") || sc.CoversZone("") {
			t.Errorf("%s: covers something", name)
		}
		if w := sc.PathWhere("path", &a); w != "1=0" {
			t.Errorf("%s: path predicate %q", name, w)
		}
	}
}

func TestScopeByLevel(t *testing.T) {
	p := &Principal{Grants: []Grant{
		{Role: ParkAdmin, ScopeID: "p1", ScopeKind: KindPark, ScopePath: "/z1/p1/"},
		{Role: Auditor, ScopeID: "z2", ScopeKind: KindZone, ScopePath: "/z2/"},
	}}
	upd := p.Scope(ParkUpdate)
	if !upd.Covers("/z1/p1/") || !upd.Covers("/z1/p1/e9/") || upd.Covers("/z1/p2/") || upd.Covers("/z1/") || upd.Covers("/z2/p3/") {
		t.Fatal("park_admin's update scope is not exactly the park's subtree")
	}
	if upd.CoversZone("z1") {
		t.Fatal("a park grant covers its zone")
	}
	var a db.Args
	if w := upd.Where(Cols{Zone: "zone_id", Park: "id"}, &a); w != "(id IN ($1))" || a[0] != "p1" {
		t.Fatalf("predicate %q %v", w, a)
	}
	read := p.Scope(ParkRead)
	a = nil
	if w := read.Where(Cols{Zone: "zone_id", Park: "id"}, &a); w != "(zone_id IN ($1) OR id IN ($2))" {
		t.Fatalf("read predicate %q", w)
	}
	// A table without a park column is not widened by park grants.
	a = nil
	if w := upd.Where(Cols{Zone: "zone_id"}, &a); w != "1=0" {
		t.Fatalf("zone-only table under a park grant: %q", w)
	}
	audit := p.Scope(AuditRead)
	if !audit.CoversZone("z2") || audit.Covers("/z1/p1/") {
		t.Fatal("auditor scope")
	}
	plat := (&Principal{Grants: []Grant{{Role: PlatformAdmin, ScopeID: "z1", ScopeKind: KindZone, ScopePath: "/z1/"}}}).Scope(ParkRead)
	a = nil
	if w := plat.Where(Cols{Zone: "zone_id"}, &a); w != "1=1" || !plat.Covers("/z9/") {
		t.Fatal("platform_admin must cover every zone")
	}
}

func TestRoleFits(t *testing.T) {
	for _, r := range Roles {
		if !ValidRole(r) || len(roleKinds[r]) == 0 {
			t.Errorf("role %s has no permissions or kinds", r)
		}
	}
	if RoleFits(ParkAdmin, KindZone) || !RoleFits(ParkAdmin, KindPark) || RoleFits(PlatformAdmin, KindPark) || ValidRole("") {
		t.Fatal("role/kind rules")
	}
}
