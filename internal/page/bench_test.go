package page_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/activities"
	"tongxin/internal/enterprises"
	"tongxin/internal/nodes"
	"tongxin/internal/page"
	"tongxin/internal/people"
	"tongxin/internal/secret"
	"tongxin/internal/servicenet"
	"tongxin/internal/testenv"
)

// BenchmarkZoneLists measures what total costs on zone-scale lists
// (docs/scaling.md, "Counting totals"), through the domains' real list
// services on an existing zone database — a COPY: it is migrated.
// TONGXIN_BENCH_ZONE_DBS is a comma-separated list of DSNs (sqlite:PATH,
// postgres://…); the zones' secret is TONGXIN_SECRET_KEY, or for a SQLite
// zone without it the key beside its file (cmd/tongxin-load's databases
// are sealed with its own secretKey). Each
// list runs three ways in the same run: before (a COUNT of the rows with
// every page, the behaviour before), needed (as Rows does now) and never
// (the page alone, what no total would cost).
//
//	TONGXIN_BENCH_ZONE_DBS=sqlite:/tmp/zone.db go test ./internal/page -run '^$' -bench ZoneLists
func BenchmarkZoneLists(b *testing.B) {
	dsns := os.Getenv("TONGXIN_BENCH_ZONE_DBS")
	if dsns == "" {
		b.Skip("TONGXIN_BENCH_ZONE_DBS names no zone database")
	}
	ctx := context.Background()
	for _, dsn := range strings.Split(dsns, ",") {
		engine := "sqlite"
		if !strings.HasPrefix(dsn, "sqlite:") {
			engine = "postgres"
		}
		d := testenv.OpenDB(b, dsn)
		// TONGXIN_SECRET_KEY, else (SQLite) the key beside the file.
		beside := ""
		if engine == "sqlite" {
			beside = strings.TrimPrefix(dsn, "sqlite:")
		}
		s, _, err := secret.Resolve(os.Getenv("TONGXIN_SECRET_KEY"), beside)
		if err != nil {
			b.Fatal(err)
		}
		keys, err := secret.Derive(s)
		if err != nil {
			b.Fatal(err)
		}
		// The zone with the most people, its busiest park (as
		// cmd/tongxin-load picks it) and one of that park's enterprises.
		var zone, park, ent string
		if err := d.R.QueryRowContext(ctx, `SELECT zone_id FROM people GROUP BY zone_id ORDER BY COUNT(*) DESC LIMIT 1`).Scan(&zone); err != nil {
			b.Fatal(err)
		}
		if err := d.R.QueryRowContext(ctx, `SELECT p.id FROM parks p WHERE p.zone_id = $1 ORDER BY (SELECT COUNT(*) FROM enterprises e WHERE e.park_id = p.id) DESC, p.id LIMIT 1`, zone).Scan(&park); err != nil {
			b.Fatal(err)
		}
		if err := d.R.QueryRowContext(ctx, `SELECT id FROM enterprises WHERE park_id = $1 ORDER BY id LIMIT 1`, park).Scan(&ent); err != nil {
			b.Fatal(err)
		}
		pn, err := nodes.Get(ctx, d.R, park)
		if err != nil {
			b.Fatal(err)
		}
		as := func(role, path string) context.Context {
			return access.With(ctx, &access.Principal{UserID: "bench-" + role, ZoneID: zone,
				Grants: []access.Grant{{Role: role, Path: path, ZoneID: zone}}})
		}
		zoneAdmin := as(access.ZoneAdmin, access.ZonePath(zone))
		parkAdmin := as(access.ParkAdmin, pn.Path)
		staff := as(access.ServiceStaff, pn.Path)
		ps := &people.Service{DB: d, Keys: keys}
		es := &enterprises.Service{DB: d}
		acts := &activities.Service{DB: d, Keys: keys}
		sn := &servicenet.Service{DB: d, Keys: keys}
		yes := true
		type list func(p page.Page) (total int, next *string, err error)
		wrap := func(l any, err error) (int, *string, error) {
			switch l := l.(type) {
			case page.List[people.Person]:
				return l.Total, l.NextCursor, err
			case page.List[enterprises.Enterprise]:
				return l.Total, l.NextCursor, err
			case page.List[activities.Activity]:
				return l.Total, l.NextCursor, err
			case page.List[servicenet.Request]:
				return l.Total, l.NextCursor, err
			}
			b.Fatalf("%T", l)
			return 0, nil, nil
		}
		cases := []struct {
			name string
			fn   list
		}{
			{"people_zone", func(p page.Page) (int, *string, error) { return wrap(ps.List(zoneAdmin, people.Filter{}, p)) }},
			{"people_park_admin", func(p page.Page) (int, *string, error) { return wrap(ps.List(parkAdmin, people.Filter{}, p)) }},
			{"people_member_park", func(p page.Page) (int, *string, error) {
				return wrap(ps.List(zoneAdmin, people.Filter{IsMember: &yes, ParkID: park}, p))
			}},
			{"people_enterprise", func(p page.Page) (int, *string, error) {
				return wrap(ps.List(parkAdmin, people.Filter{EnterpriseID: ent}, p))
			}},
			{"enterprises_park", func(p page.Page) (int, *string, error) {
				return wrap(es.List(zoneAdmin, enterprises.Filter{ParkID: park}, p))
			}},
			{"activities_published", func(p page.Page) (int, *string, error) {
				return wrap(acts.List(zoneAdmin, activities.Filter{Status: "published"}, p))
			}},
			{"requests_closed_park", func(p page.Page) (int, *string, error) {
				return wrap(sn.ListRequests(zoneAdmin, servicenet.RequestFilter{Status: "closed", ParkID: park}, p))
			}},
			{"requests_submitted_staff", func(p page.Page) (int, *string, error) {
				return wrap(sn.ListRequests(staff, servicenet.RequestFilter{Status: "submitted"}, p))
			}},
		}
		for _, c := range cases {
			first, _ := page.Parse("50", "", "")
			total, next, err := c.fn(first)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%s %s: total %d", engine, c.name, total)
			pages := []struct {
				name string
				p    page.Page
			}{{"first", first}}
			if next != nil {
				second, _ := page.Parse("50", *next, "")
				pages = append(pages, struct {
					name string
					p    page.Page
				}{"second", second})
			}
			for _, pg := range pages {
				for _, mode := range []string{"before", "needed", "never"} {
					b.Run(engine+"/"+c.name+"/"+pg.name+"/"+mode, func(b *testing.B) {
						page.SetCountMode(mode)
						defer page.SetCountMode("needed")
						for i := 0; i < b.N; i++ {
							if _, _, err := c.fn(pg.p); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			}
		}
	}
}
