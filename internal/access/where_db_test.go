package access_test

import (
	"context"
	"slices"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/nodes"
	"tongxin/internal/testenv"
)

var whereRead = access.NewPerm("test.where_row", access.Everyone()...)

// WhereRow, checked on one row at a time, admits exactly the rows Where
// selects, for every shape of scope: a whole zone, a park, an enterprise,
// a party organisation, two grants, a zone and a park of another zone,
// the platform, nobody.
func TestWhereRowAdmitsWhatWhereSelects(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := testenv.Start(t, dsn)
		z1, z2 := s.ZoneID, s.Zone("第二开发区")
		p1, p2 := s.Park("一园", "p1").ID, s.Park("二园", "p2").ID
		e1, e2 := s.Enterprise(p1, "甲厂"), s.Enterprise(p2, "乙厂")
		o1 := s.Org(p1, p1, "一园党委", "committee")
		o2 := s.Org(o1, p1, "甲厂支部", "branch", e1)
		s.Org(p2, p2, "二园党委", "committee")
		s.Person(z1, "张一", e1, o2, "full")
		s.Person(z1, "张二", e2, o2, "full") // works in park 2, member in park 1
		s.Person(z1, "张三", e2, "", "")
		s.Person(z1, "张四", "", o1, "probationary")
		s.Person(z1, "张五", "", "", "")
		s.Person(z2, "李一", "", "", "")

		path := func(id string) string {
			n, err := nodes.Get(ctx, s.DB.R, id)
			if err != nil {
				t.Fatal(err)
			}
			return n.Path
		}
		grant := func(role, id string) access.Grant { return access.Grant{Role: role, ScopeID: id, Path: path(id)} }
		principals := map[string]*access.Principal{
			"zone":            {Grants: []access.Grant{grant(access.ZoneAdmin, z1)}},
			"park 1":          {Grants: []access.Grant{grant(access.ParkAdmin, p1)}},
			"park 2":          {Grants: []access.Grant{grant(access.ParkAdmin, p2)}},
			"enterprise":      {Grants: []access.Grant{grant(access.ServiceStaff, e2)}},
			"branch":          {Grants: []access.Grant{grant(access.OrgSecretary, o2)}},
			"two grants":      {Grants: []access.Grant{grant(access.ParkAdmin, p2), grant(access.OrgSecretary, o2)}},
			"zone 2 + park 1": {Grants: []access.Grant{grant(access.ZoneAdmin, z2), grant(access.ParkAdmin, p1)}},
			"platform":        {Grants: []access.Grant{{Role: access.PlatformAdmin, ScopeID: z1, Kind: access.KindZone, Path: path(z1)}}},
			"nobody":          {},
		}
		// people hang under two nodes; enterprises under their own id,
		// which inside the check's subquery would name scope_nodes' own
		// were it not qualified; requests-like aliases keep theirs.
		tables := []struct {
			from, name string
			attach     []access.Attach
		}{
			{"people", "people", []access.Attach{access.ByZone("zone_id"), access.ByNode("enterprise_id"), access.ByNode("org_id")}},
			{"enterprises", "enterprises", []access.Attach{access.ByZone("zone_id"), access.ByNode("id")}},
			{"enterprises e", "e", []access.Attach{access.ByZone("e.zone_id"), access.ByNode("e.id")}},
			{"orgs", "orgs", []access.Attach{access.ByZone("zone_id"), access.ByNode("id"), access.ByNode("park_id")}},
			// The same, each node column of one kind (ByNodeOf): Where
			// lists the scope's nodes of that kind alone, WhereRow checks
			// the row's own node, and they still agree.
			{"people p", "p", []access.Attach{access.ByZone("p.zone_id"), access.ByNodeOf("p.enterprise_id", access.KindEnterprise), access.ByNodeOf("p.org_id", access.KindOrg)}},
			{"orgs o", "o", []access.Attach{access.ByZone("o.zone_id"), access.ByNodeOf("o.id", access.KindOrg), access.ByNodeOf("o.park_id", access.KindPark)}},
		}
		ids := func(query string, args db.Args) []string {
			var out []string
			err := db.Each(ctx, s.DB.R, query, args, func(r db.Scanner) error {
				var id string
				out = append(out, id)
				return r.Scan(&out[len(out)-1])
			})
			if err != nil {
				t.Fatalf("%s: %v", query, err)
			}
			return out
		}
		selected, narrowed := map[string]int{}, map[string]int{}
		for _, tb := range tables {
			idCol := tb.name + ".id"
			every := ids("SELECT "+idCol+" FROM "+tb.from+" ORDER BY "+idCol, nil)
			for name, p := range principals {
				sc := p.Scope(whereRead)
				var a db.Args
				want := ids("SELECT "+idCol+" FROM "+tb.from+" WHERE "+sc.Where(&a, tb.attach...)+" ORDER BY "+idCol, a)
				var got []string
				for _, id := range every {
					var a db.Args
					w := idCol + " = " + a.Add(id) + " AND " + sc.WhereRow(&a, tb.name, tb.attach...)
					got = append(got, ids("SELECT "+idCol+" FROM "+tb.from+" WHERE "+w, a)...)
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s, %s: WhereRow admits %v, Where selects %v", tb.from, name, got, want)
				}
				selected[name] += len(want)
				if len(want) > 0 && len(want) < len(every) {
					narrowed[tb.from]++
				}
			}
		}
		// Cases that prove nothing: a scope that selects no row anywhere,
		// a table no scope narrows.
		for name := range principals {
			if (selected[name] == 0) != (name == "nobody") {
				t.Errorf("%s selects %d rows in all", name, selected[name])
			}
		}
		for _, tb := range tables {
			if narrowed[tb.from] < 3 {
				t.Errorf("%s: only %d scopes select some rows but not all", tb.from, narrowed[tb.from])
			}
		}
	})
}
