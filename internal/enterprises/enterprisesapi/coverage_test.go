package enterprisesapi_test

import (
	"net/url"
	"testing"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/testenv"
)

// coverageWorld builds two parks of the first zone and a park of another
// zone, with enterprises, organisations and people whose coverage figures
// are known, and returns the parks and the other zone.
func coverageWorld(t *testing.T, srv *testenv.Server) (wuli, andong client.Park) {
	t.Helper()
	zone := srv.ZoneID
	wuli, andong = srv.Park("五里园", "wuli"), srv.Park("安东园", "andong")
	people := func(e, org, status string, n int) {
		for i := 0; i < n; i++ {
			srv.Person(zone, "成员", e, org, status)
		}
	}
	setTerm := func(org, date string) {
		if _, err := srv.DB.W.Exec(`UPDATE orgs SET term_ends_on = $1 WHERE id = $2`, date, org); err != nil {
			t.Fatal(err)
		}
	}
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)

	// 五里园: 6 enterprises, 3 covered (e1 by its branch, e3 and e4 by a
	// joint branch), 2 needing an organisation (e2 and e6: 3 full members
	// each, no organisation); e5 has only 2 full members.
	e1 := srv.Enterprise(wuli.ID, "成达齿轮")
	e2 := srv.Enterprise(wuli.ID, "恒毅机械")
	e3 := srv.Enterprise(wuli.ID, "海纳机械")
	e4 := srv.Enterprise(wuli.ID, "泉森木业")
	e5 := srv.Enterprise(wuli.ID, "红晟鞋业")
	e6 := srv.Enterprise(wuli.ID, "华宇织造")
	o1 := srv.Org(wuli.ID, wuli.ID, "成达齿轮党支部", "branch", e1)
	o2 := srv.Org(wuli.ID, wuli.ID, "五里联合党支部", "joint_branch", e3, e4)
	o3 := srv.Org(wuli.ID, wuli.ID, "五里园党总支", "general_branch")
	setTerm(o1, "2020-01-01") // expired
	setTerm(o2, today)        // ends today: not yet expired
	setTerm(o3, "2999-12-31")
	people(e1, o1, "full", 4)
	people(e1, o1, "probationary", 1)
	people(e2, o2, "full", 3) // members of a branch that does not cover their enterprise
	people(e3, o2, "full", 2)
	people(e4, o2, "full", 2)
	people(e5, o2, "full", 2)
	people(e5, o2, "probationary", 1)
	people(e6, "", "full", 3)
	people(e6, "", "", 5) // workers, not members
	// 安东园: 2 enterprises, 1 covered by an expired branch, 1 with 5 full
	// members and no organisation.
	e7 := srv.Enterprise(andong.ID, "盼盼饮料")
	e8 := srv.Enterprise(andong.ID, "蜡笔小新")
	o4 := srv.Org(andong.ID, andong.ID, "盼盼饮料党支部", "branch", e7)
	setTerm(o4, "2023-06-30")
	people(e7, o4, "full", 1)
	people(e8, "", "full", 5)
	// Zone level, in no park; members without an enterprise.
	committee := srv.Org(zone, "", "开发区党工委", "working_committee")
	setTerm(committee, "2001-01-01")
	people("", committee, "full", 7)
	// Another zone, with the same shape of data: never in this zone's report.
	otherZone := srv.Zone("另一开发区")
	oz := srv.UserIn("oz-admin", otherZone, access.ZoneAdmin, otherZone)
	op, err := oz.CreatePark(ctx, map[string]string{"name": "他园", "code": "other"})
	if err != nil {
		t.Fatal(err)
	}
	oe := srv.Enterprise(op.ID, "他企")
	people2 := srv.Org(op.ID, op.ID, "他支部", "branch", oe)
	for i := 0; i < 3; i++ {
		srv.Person(otherZone, "他人", oe, people2, "full")
	}
	return wuli, andong
}

var (
	wantWuli = client.CoverageFigures{Enterprises: 6, WithOrg: 3, NeedingOrg: 2,
		Members: client.CoverageMembers{Full: 16, Probationary: 2}, Orgs: 3, TermsExpired: 1}
	wantAndong = client.CoverageFigures{Enterprises: 2, WithOrg: 1, NeedingOrg: 1,
		Members: client.CoverageMembers{Full: 6, Probationary: 0}, Orgs: 1, TermsExpired: 1}
	wantTotal = client.CoverageFigures{Enterprises: 8, WithOrg: 4, NeedingOrg: 3,
		Members: client.CoverageMembers{Full: 22, Probationary: 2}, Orgs: 4, TermsExpired: 2}
)

func figures(p client.ParkCoverage) client.CoverageFigures {
	return client.CoverageFigures{Enterprises: p.Enterprises, WithOrg: p.WithOrg, NeedingOrg: p.NeedingOrg,
		Members: p.Members, Orgs: p.Orgs, TermsExpired: p.TermsExpired}
}

// byPark returns the report's figures by park name.
func byPark(r client.CoverageReport) map[string]client.CoverageFigures {
	m := map[string]client.CoverageFigures{}
	for _, p := range r.Parks {
		m[p.ParkName] = figures(p)
	}
	return m
}

func TestCoverageReport(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		wuli, andong := coverageWorld(t, srv)
		admin := srv.Admin()

		// A zone administrator (here also platform administrator) and a
		// zone auditor see both parks, exactly.
		zoneAuditor := srv.User("zone-auditor", access.Auditor, srv.ZoneID)
		zoneAdmin := srv.User("zone-admin", access.ZoneAdmin, srv.ZoneID)
		for name, c := range map[string]*client.Client{"zone auditor": zoneAuditor, "zone admin": zoneAdmin} {
			r, err := c.Coverage(ctx, nil)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			got := byPark(r)
			if len(r.Parks) != 2 || got["五里园"] != wantWuli || got["安东园"] != wantAndong || r.Total != wantTotal {
				t.Fatalf("%s:\n got %+v total %+v\nwant 五里园 %+v 安东园 %+v total %+v", name, got, r.Total, wantWuli, wantAndong, wantTotal)
			}
		}
		// The platform administrator sees every zone's parks; the other
		// zone's park is there with its own figures only.
		if r, err := admin.Coverage(ctx, nil); err != nil || len(r.Parks) != 3 || r.Total.Enterprises != 9 || r.Total.Members.Full != 25 {
			t.Fatalf("platform admin: %+v %v", r, err)
		}

		// One park, by filter.
		r, err := zoneAdmin.Coverage(ctx, url.Values{"park_id": {andong.ID}})
		if err != nil || len(r.Parks) != 1 || r.Parks[0].ParkID != andong.ID || figures(r.Parks[0]) != wantAndong || r.Total != wantAndong {
			t.Fatalf("filtered: %+v %v", r, err)
		}
		_, err = zoneAdmin.Coverage(ctx, url.Values{"park_id": {"nope"}})
		testenv.WantStatus(t, err, 404)

		// A park administrator sees their park and never the other's.
		pa := srv.User("wuli-admin", access.ParkAdmin, wuli.ID)
		r, err = pa.Coverage(ctx, nil)
		if err != nil || len(r.Parks) != 1 || r.Parks[0].ParkID != wuli.ID || figures(r.Parks[0]) != wantWuli || r.Total != wantWuli {
			t.Fatalf("park admin: %+v %v", r, err)
		}
		_, err = pa.Coverage(ctx, url.Values{"park_id": {andong.ID}})
		testenv.WantStatus(t, err, 404)
		// A park auditor likewise.
		auditor := srv.User("andong-auditor", access.Auditor, andong.ID)
		r, err = auditor.Coverage(ctx, nil)
		if err != nil || len(r.Parks) != 1 || r.Total != wantAndong {
			t.Fatalf("park auditor: %+v %v", r, err)
		}

		// Another zone's administrator sees only their own zone.
		oz := srv.SignIn("oz-admin")
		r, err = oz.Coverage(ctx, nil)
		if err != nil || len(r.Parks) != 1 || r.Parks[0].ParkName != "他园" || r.Total.Enterprises != 1 || r.Total.Members.Full != 3 {
			t.Fatalf("other zone admin: %+v %v", r, err)
		}
		_, err = oz.Coverage(ctx, url.Values{"park_id": {wuli.ID}})
		testenv.WantStatus(t, err, 404)

		// Roles without the permission are refused.
		member := srv.User("member", access.Member, srv.ZoneID)
		_, err = member.Coverage(ctx, nil)
		testenv.WantStatus(t, err, 403)
		staff := srv.User("staff", access.ServiceStaff, wuli.ID)
		_, err = staff.Coverage(ctx, nil)
		testenv.WantStatus(t, err, 403)

		// An empty scope's report is empty, not everything.
		emptyPark := srv.Park("食品园", "food")
		fa := srv.User("food-admin", access.ParkAdmin, emptyPark.ID)
		r, err = fa.Coverage(ctx, nil)
		if err != nil || len(r.Parks) != 1 || r.Total != (client.CoverageFigures{}) {
			t.Fatalf("empty park: %+v %v", r, err)
		}
	})
}
