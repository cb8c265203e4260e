package access

import (
	"slices"
	"strings"
	"testing"

	"tongxin/internal/db"
)

var (
	testRead  = NewPerm("test.read", Everyone()...)
	testWrite = NewPerm("test.write", ZoneAdmin, ParkAdmin)
)

func TestScopeFailsClosed(t *testing.T) {
	var nobody *Principal
	cases := map[string]*Principal{
		"nil principal":     nobody,
		"no grants":         {UserID: "u"},
		"unknown role":      {Grants: []Grant{{Role: "king", ScopeID: "z", Kind: KindZone, Path: "/z/"}}},
		"empty path":        {Grants: []Grant{{Role: ZoneAdmin, ScopeID: "z", Kind: KindZone, Path: ""}}},
		"root path":         {Grants: []Grant{{Role: ZoneAdmin, ScopeID: "z", Kind: KindZone, Path: "/"}}},
		"unterminated path": {Grants: []Grant{{Role: ZoneAdmin, ScopeID: "z", Kind: KindZone, Path: "/z"}}},
		"empty segment":     {Grants: []Grant{{Role: ZoneAdmin, ScopeID: "z", Kind: KindZone, Path: "//"}}},
		"role without perm": {Grants: []Grant{{Role: Member, ScopeID: "z", Kind: KindZone, Path: "/z/"}}},
	}
	for name, p := range cases {
		sc := p.Scope(testWrite)
		var a db.Args
		if w := sc.Where(&a, ByNode("id"), ByPath("path")); w != "1=0" || len(a) != 0 {
			t.Errorf("%s: predicate %q %v", name, w, a)
		}
		if !sc.Empty() || sc.All() || sc.Covers("/z/") || sc.Covers("/z/p/") || sc.Covers("") || sc.CoversZone("z") || sc.CoversZone("") {
			t.Errorf("%s: covers something", name)
		}
		if _, ok := sc.SingleZone(); ok {
			t.Errorf("%s: names a zone", name)
		}
	}
	if w := (Scope{paths: []string{"/z/"}}).Where(&db.Args{}); w != "1=0" {
		t.Errorf("no attachment: %q", w)
	}
}

func TestScopeCoversSubtrees(t *testing.T) {
	p := &Principal{Grants: []Grant{
		{Role: ParkAdmin, ScopeID: "p1", Kind: KindPark, Path: "/z1/p1/"},
		{Role: Auditor, ScopeID: "z2", Kind: KindZone, Path: "/z2/"},
	}}
	w := p.Scope(testWrite)
	for path, want := range map[string]bool{
		"/z1/p1/": true, "/z1/p1/e9/": true, "/z1/p1/o1/o2/o3/": true,
		"/z1/p10/": false, "/z1/p2/": false, "/z1/": false, "/z2/p3/": false, "/z2/": false,
	} {
		if w.Covers(path) != want {
			t.Errorf("park_admin write covers %s: %v, want %v", path, !want, want)
		}
	}
	if w.CoversZone("z1") {
		t.Fatal("a park grant covers its zone")
	}
	for path, want := range map[string]bool{
		"/z1/p1/": true, "/z1/": true, "/z1/p1/e9/": true, "/z1/p10/": false, "/z2/": false, "": false, "/z1/p": false,
	} {
		if w.Reaches(path) != want {
			t.Errorf("park_admin write reaches %s: %v, want %v", path, !want, want)
		}
	}
	var a db.Args
	got := w.Where(&a, ByNode("park_id"))
	if got != "park_id IN (SELECT id FROM scope_nodes WHERE path >= $1 AND path < $2)" || a[0] != "/z1/p1/" || a[1] != "/z1/p10" {
		t.Fatalf("predicate %q %v", got, a)
	}
	r := p.Scope(testRead)
	a = nil
	got = r.Where(&a, ByNode("enterprise_id"), ByPath("scope_path"))
	want := "(enterprise_id IN (SELECT id FROM scope_nodes WHERE path >= $1 AND path < $2 OR path >= $3 AND path < $4)" +
		" OR (scope_path >= $5 AND scope_path < $6 OR scope_path >= $7 AND scope_path < $8))"
	if got != want || len(a) != 8 {
		t.Fatalf("two attachments, two grants:\n%s\n%v", got, a)
	}
	if !r.Covers("/z2/p3/") || !r.CoversZone("z2") || r.CoversZone("z1") {
		t.Fatal("read scope")
	}
}

// A whole-zone grant matches the tenant column; narrower grants still
// range over the tree.
func TestScopeUsesTheTenantColumnForWholeZones(t *testing.T) {
	p := &Principal{Grants: []Grant{
		{Role: ZoneAdmin, Path: "/z1/"}, {Role: ParkAdmin, Path: "/z2/p/"},
	}}
	var a db.Args
	got := p.Scope(testRead).Where(&a, ByZone("zone_id"), ByNode("id"))
	if got != "(zone_id IN ($1) OR id IN (SELECT id FROM scope_nodes WHERE path >= $2 AND path < $3))" || a[0] != "z1" || a[1] != "/z2/p/" {
		t.Fatalf("%s %v", got, a)
	}
	a = nil
	if got := (&Principal{Grants: []Grant{{Role: ZoneAdmin, Path: "/z1/"}}}).Scope(testRead).Where(&a, ByZone("zone_id"), ByNode("id")); got != "zone_id IN ($1)" {
		t.Fatalf("zone only: %s", got)
	}
	a = nil
	if got := (&Principal{Grants: []Grant{{Role: ParkAdmin, Path: "/z2/p/"}}}).Scope(testRead).Where(&a, ByZone("zone_id")); got != "1=0" {
		t.Fatalf("a park grant on a zone-only table: %s", got)
	}
}

func TestScopeKeepsOnlyTheWidestPaths(t *testing.T) {
	p := &Principal{Grants: []Grant{
		{Role: ParkAdmin, Path: "/z/p/"}, {Role: ZoneAdmin, Path: "/z/"}, {Role: Member, Path: "/z/p/e/"},
	}}
	var a db.Args
	p.Scope(testRead).Where(&a, ByPath("path"))
	if len(a) != 2 || a[0] != "/z/" {
		t.Fatalf("args %v", a)
	}
	if z, ok := p.Scope(testRead).SingleZone(); !ok || z != "z" {
		t.Fatalf("single zone %q %v", z, ok)
	}
	if _, ok := (&Principal{Grants: []Grant{{Role: ParkAdmin, Path: "/z/p/"}}}).Scope(testRead).SingleZone(); ok {
		t.Fatal("a park grant names a zone")
	}
}

func TestPlatformAdminCoversEveryZone(t *testing.T) {
	p := &Principal{Grants: []Grant{{Role: PlatformAdmin, ScopeID: "z1", Kind: KindZone, Path: "/z1/"}}}
	sc := p.Scope(testWrite) // not listed for platform_admin: it carries every permission
	var a db.Args
	if w := sc.Where(&a, ByNode("id")); w != "1=1" || !sc.All() || !sc.Covers("/z9/p/") || !p.IsPlatformAdmin() {
		t.Fatalf("platform admin: %q all=%v", w, sc.All())
	}
	if z, ok := sc.SingleZone(); !ok || z != "z1" {
		t.Fatal("platform admin's own zone")
	}
	if (&Principal{Grants: []Grant{{Role: PlatformAdmin}}}).IsPlatformAdmin() {
		t.Fatal("a platform_admin grant without a node counts")
	}
}

func TestPermissionDeclarations(t *testing.T) {
	if !Has(ZoneAdmin, testWrite) || !Has(PlatformAdmin, testWrite) || Has(Member, testWrite) || !Has(Member, testRead) {
		t.Fatal("Has")
	}
	if !slices.Contains(PermsOf(ParkAdmin), testWrite) || slices.Contains(PermsOf(Auditor), testWrite) {
		t.Fatal("PermsOf")
	}
	for _, bad := range []func(){
		func() { NewPerm("test.read") },
		func() { NewPerm("test.other", "king") },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("declaration did not panic")
				}
			}()
			bad()
		}()
	}
}

func TestRoleFits(t *testing.T) {
	for _, r := range Roles {
		if !ValidRole(r) || len(KindsOf(r)) == 0 {
			t.Errorf("role %s has no kinds", r)
		}
	}
	if RoleFits(ParkAdmin, KindZone) || !RoleFits(ParkAdmin, KindPark) || RoleFits(PlatformAdmin, KindPark) || ValidRole("") {
		t.Fatal("role/kind rules")
	}
	if ZoneOfPath("/z1/p1/") != "z1" || ZoneOfPath("nope") != "" || !strings.HasSuffix(ZonePath("z"), "/") {
		t.Fatal("paths")
	}
}
