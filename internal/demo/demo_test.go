package demo_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"tongxin/internal/demo"
	"tongxin/internal/ident"
	"tongxin/internal/mediation"
	"tongxin/internal/partyaffairs"
	"tongxin/internal/servicenet"
	"tongxin/internal/testenv"
)

func TestDemoLoadsOnceAndScopesTheParkAdmin(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		srv := testenv.Start(t, dsn)
		for i, want := range []bool{true, false} {
			loaded, err := demo.Load(ctx, srv.DB, testenv.Passwords(), srv.App.Keys, srv.ZoneID, testenv.AdminPassword)
			if err != nil || loaded != want {
				t.Fatalf("load %d: loaded=%v err=%v", i, loaded, err)
			}
		}
		admin := srv.Admin()
		all, err := admin.ListParks(ctx, nil)
		if err != nil || all.Total != len(demo.Parks) {
			t.Fatalf("admin sees %d parks (%v)", all.Total, err)
		}
		andong, err := srv.Client().As(ctx, "andong", testenv.AdminPassword)
		if err != nil {
			t.Fatal(err)
		}
		l, err := andong.ListParks(ctx, url.Values{})
		if err != nil || l.Total != 1 || l.Items[0].Name != "安东园" {
			t.Fatalf("andong sees %+v (%v)", l.Items, err)
		}
	})
}

// The demo zone holds what the article says: its three parks, 8
// stations, the enterprises it names among about 60, the 38 organisations
// of the 安东园 alliance, 成达齿轮's red workshop rising from about 5 to
// about 20 million yuan a month, about 600 people with valid identifiers,
// sealed.
func TestDemoHoldsTheArticlesZone(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		srv := testenv.Start(t, dsn)
		if _, err := demo.Load(ctx, srv.DB, testenv.Passwords(), srv.App.Keys, srv.ZoneID, testenv.AdminPassword); err != nil {
			t.Fatal(err)
		}
		z := srv.ZoneID
		if n := srv.Count("enterprises", "zone_id = $1", z); n != 60 {
			t.Errorf("%d enterprises, want 60", n)
		}
		for _, name := range []string{"信泰集团", "泉州恒毅机械有限公司", "晋江海纳机械有限公司", "晋江市成达齿轮有限公司", "福建盼盼饮料有限公司", "361度（中国）有限公司", "华宇织造有限公司"} {
			if n := srv.Count("enterprises", "zone_id = $1 AND name = $2 AND sample = $3", z, name, false); n != 1 {
				t.Errorf("named enterprise %s: %d rows", name, n)
			}
		}
		if n := srv.Count("enterprises", "zone_id = $1 AND sample = $2", z, true); n != 60-15 {
			t.Errorf("%d generated enterprises marked sample, want 45", n)
		}
		if n := srv.Count("people", "zone_id = $1", z); n != 600 {
			t.Errorf("%d people", n)
		}
		if n := srv.Count("stations", "zone_id = $1", z); n != 8 {
			t.Errorf("%d stations, want 8", n)
		}
		if n := srv.Count("alliance_orgs ao JOIN alliances a ON a.id = ao.alliance_id", "a.name = $1 AND a.zone_id = $2", "安东园党建联盟", z); n != 38 {
			t.Errorf("安东园党建联盟 has %d organisations, want 38", n)
		}
		if n := srv.Count("orgs", "zone_id = $1 AND kind = $2 AND parent_id IS NULL AND park_id IS NULL", z, "working_committee"); n != 1 {
			t.Errorf("%d working committees", n)
		}
		rows, err := srv.DB.R.QueryContext(ctx, `SELECT o.month, o.output_fen FROM workshop_outputs o JOIN workshops w ON w.id = o.workshop_id
			WHERE w.name = '成达齿轮红色车间' ORDER BY o.month`)
		if err != nil {
			t.Fatal(err)
		}
		var fens []int64
		for rows.Next() {
			var m string
			var f int64
			if err := rows.Scan(&m, &f); err != nil {
				t.Fatal(err)
			}
			fens = append(fens, f)
		}
		rows.Close()
		if len(fens) != 12 || fens[0] < 4_500_000_00 || fens[0] > 6_000_000_00 || fens[11] < 18_000_000_00 || fens[11] > 20_500_000_00 {
			t.Errorf("成达齿轮 outputs %v: want 12 months from about 5M to about 20M yuan", fens)
		}
		if n := srv.Count("workshop_members wm JOIN workshops w ON w.id = wm.workshop_id", "w.name = $1", "成达齿轮红色车间"); n != 4 {
			t.Errorf("成达齿轮 workshop has %d members, the article says 4", n)
		}
		// Every identifier valid; personal data only sealed.
		prs, err := srv.DB.R.QueryContext(ctx, `SELECT id_sealed, phone_sealed FROM people WHERE zone_id = $1`, z)
		if err != nil {
			t.Fatal(err)
		}
		defer prs.Close()
		for prs.Next() {
			var idS, phS string
			if err := prs.Scan(&idS, &phS); err != nil {
				t.Fatal(err)
			}
			id, err := srv.App.Keys.Open(idS)
			if err != nil || ident.IDNumberError(id) != "" {
				t.Fatalf("ID number %q (%v): %s", id, err, ident.IDNumberError(id))
			}
			ph, err := srv.App.Keys.Open(phS)
			if err != nil || !ident.ValidMobile(ph) {
				t.Fatalf("phone %q (%v)", ph, err)
			}
		}
		us, err := srv.DB.R.QueryContext(ctx, `SELECT uscc FROM enterprises WHERE zone_id = $1`, z)
		if err != nil {
			t.Fatal(err)
		}
		defer us.Close()
		for us.Next() {
			var u string
			us.Scan(&u)
			if e := ident.USCCError(u); e != "" {
				t.Fatalf("USCC %s: %s", u, e)
			}
		}
	})
}

// The same seed gives the same zone, in two databases.
func TestGenerateIsDeterministic(t *testing.T) {
	ctx := context.Background()
	var digests [2]string
	for i := range digests {
		srv := testenv.Start(t, testenv.Engines(t)[0].DSN)
		z, counts, err := demo.Generate(ctx, srv.DB, srv.App.Keys, "合成", demo.Scales["demo"], 42)
		if err != nil {
			t.Fatal(err)
		}
		if counts["people"] != 600 || counts["enterprises"] != 60 {
			t.Fatalf("counts %v", counts)
		}
		var e, p string
		if err := srv.DB.R.QueryRowContext(ctx, `SELECT MAX(id) || ':' || COUNT(*) || ':' || SUM(LENGTH(name)) || ':' || MIN(uscc) || ':' || SUM(employees)
			FROM enterprises WHERE zone_id = $1`, z).Scan(&e); err != nil {
			t.Fatal(err)
		}
		if err := srv.DB.R.QueryRowContext(ctx, `SELECT MIN(id) || MAX(name) || COUNT(*) || COUNT(org_id) || MAX(joined_on) FROM people WHERE zone_id = $1`, z).Scan(&p); err != nil {
			t.Fatal(err)
		}
		digests[i] = e + "|" + p
	}
	if digests[0] != digests[1] {
		t.Fatalf("same seed, different rows:\n%s\n%s", digests[0], digests[1])
	}
}

// The demo's phone sign-in: the worker signs in with their number and sees
// their own record only; the open invitation works for the second number,
// and the branch secretary sees both in their invitations.
func TestDemoPhoneAccounts(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		srv := testenv.Start(t, dsn)
		if _, err := demo.Load(ctx, srv.DB, testenv.Passwords(), srv.App.Keys, srv.ZoneID, testenv.AdminPassword); err != nil {
			t.Fatal(err)
		}
		worker := srv.Client()
		if _, err := worker.PhoneLogin(ctx, demo.WorkerPhone, testenv.AdminPassword, ""); err != nil {
			t.Fatalf("worker phone login: %v", err)
		}
		me, err := worker.MyPerson(ctx)
		if err != nil || me.Party == nil || me.OrgName != "成达齿轮党支部" || me.Phone != ident.MaskMobile(demo.WorkerPhone) {
			t.Fatalf("worker's record: %+v %v", me, err)
		}
		_, err = worker.ListPeople(ctx, nil)
		testenv.WantStatus(t, err, 403)
		chengda, err := srv.Client().As(ctx, "chengda", testenv.AdminPassword)
		if err != nil {
			t.Fatal(err)
		}
		pending, err := chengda.ListInvitations(ctx, url.Values{"status": {"pending"}})
		if err != nil || pending.Total != 1 {
			t.Fatalf("chengda's pending invitations: %+v %v", pending, err)
		}
		token := demo.InvitationToken(srv.App.Keys, srv.ZoneID)
		v, err := srv.Client().ViewInvitation(ctx, token)
		if err != nil || v.PhoneMasked != ident.MaskMobile(demo.InvitedPhone) || v.PersonName != pending.Items[0].PersonName {
			t.Fatalf("demo invitation: %+v %v", v, err)
		}
		if _, err := srv.Client().AcceptInvitation(ctx, token, demo.InvitedPhone, "Chengda-齿轮-2024", ""); err != nil {
			t.Fatalf("accepting the demo invitation: %v", err)
		}
	})
}

// The demo's artery holds the article's cooperations and institute, its
// four chains with the named enterprises in them, and about 60 listings,
// all generated ones marked sample; the ranking finds the article's
// partners for their needs.
func TestDemoHoldsTheArticlesArtery(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		srv := testenv.Start(t, dsn)
		if _, err := demo.Load(ctx, srv.DB, testenv.Passwords(), srv.App.Keys, srv.ZoneID, testenv.AdminPassword); err != nil {
			t.Fatal(err)
		}
		z := srv.ZoneID
		if n := srv.Count("chains", "zone_id = $1", z); n != 4 {
			t.Errorf("%d chains", n)
		}
		if n := srv.Count("institutes", "zone_id = $1 AND name = '泉州装备所' AND sample = $2", z, false); n != 1 {
			t.Errorf("institute: %d", n)
		}
		deep := "(SELECT id FROM cooperations WHERE title = '泉州装备所与9家企业深度合作')"
		if n := srv.Count("cooperation_parties", "cooperation_id = "+deep+" AND enterprise_id IS NOT NULL"); n != 9 {
			t.Errorf("deep cooperation: %d enterprises", n)
		}
		projects := "cooperation_id IN (SELECT id FROM cooperations WHERE type = 'research' AND title <> '泉州装备所与9家企业深度合作')"
		if n := srv.Count("cooperations", "type = 'research' AND zone_id = $1", z); n != 6 {
			t.Errorf("%d research cooperations, want 1 + 5 projects", n)
		}
		if n := srv.Count("(SELECT DISTINCT enterprise_id FROM cooperation_parties WHERE " + projects + " AND enterprise_id IS NOT NULL) x"); n != 4 {
			t.Errorf("5 projects with %d enterprises, want 4", n)
		}
		for _, title := range []string{"食品上下游产业链合作", "家居产业共享链", "信泰与红晟鞋业人才共享", "信泰与红晟鞋业产能互帮"} {
			if n := srv.Count("cooperations", "title = $1 AND sample = $2 AND status = 'active'", title, false); n != 1 {
				t.Errorf("%s: %d", title, n)
			}
		}
		if n := srv.Count("listings", "zone_id = $1 AND sample = $2", z, true); n != 60 {
			t.Errorf("%d sample listings", n)
		}
		if n := srv.Count("listings", "zone_id = $1 AND sample = $2", z, false); n != 0 {
			t.Errorf("%d listings not marked sample", n)
		}
		// 海纳's need proposes the institute's offer first.
		admin := srv.Admin()
		l, err := admin.ListListings(ctx, url.Values{"q": {"数控装备智能化升级"}, "kind": {"need"}})
		if err != nil || l.Total != 1 {
			t.Fatalf("need %+v %v", l, err)
		}
		ps, err := admin.Proposals(ctx, l.Items[0].ID, 3)
		if err != nil || len(ps.Items) == 0 || ps.Items[0].Listing.OwnerName != "泉州装备所" || !strings.Contains(ps.Items[0].Explanation["zh-CN"], "双方曾合作") {
			t.Fatalf("proposals %+v %v", ps.Items, err)
		}
	})
}

// The article's service network: Wuli Park's neighbourhood centre with its
// four named functions, three area points, the work-injury dispute an
// arbitrator mediated, and sample requests in every state, readable by
// the centre's staff through the API.
func TestDemoHoldsTheServiceNetwork(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		srv := testenv.Start(t, dsn)
		if _, err := demo.Load(ctx, srv.DB, testenv.Passwords(), srv.App.Keys, srv.ZoneID, testenv.AdminPassword); err != nil {
			t.Fatal(err)
		}
		if n := srv.Count("service_points", "kind = 'center' AND name = '五里园“党建+”邻里中心'"); n != 1 {
			t.Fatalf("centres: %d", n)
		}
		if n := srv.Count("service_points", "kind = 'point'"); n != 3 {
			t.Fatalf("area points: %d", n)
		}
		for _, code := range []string{"party_mass", "legal_aid", "grid_work", "property"} {
			if n := srv.Count("service_point_services o JOIN service_points p ON p.id = o.point_id", "p.kind = 'center' AND o.service_code = $1", code); n != 1 {
				t.Errorf("the centre does not offer %s", code)
			}
		}
		for _, st := range servicenet.States {
			if n := srv.Count("service_requests", "status = $1", st); n == 0 {
				t.Errorf("no sample request is %s", st)
			}
		}
		c, err := srv.Client().As(ctx, "wuli-center", testenv.AdminPassword)
		if err != nil {
			t.Fatal(err)
		}
		l, err := c.ListServiceRequests(ctx, url.Values{"q": {"工伤待遇"}})
		if err != nil || l.Total != 1 || l.Items[0].Status != servicenet.Closed || *l.Items[0].Rating != 5 || len(l.Items[0].Timeline) != 6 {
			t.Fatalf("the work-injury dispute: %+v %v", l, err)
		}
		var resolved int64
		if err := srv.DB.R.QueryRowContext(ctx, `SELECT SUM(requests_resolved) FROM matrix_facts WHERE grain = 'd' AND zone_id = $1`, srv.ZoneID).Scan(&resolved); err != nil || resolved != 3 {
			t.Fatalf("requests_resolved %d %v", resolved, err)
		}
	})
}

// The article's activities are recorded through the activities service:
// the river day with its 14 members of 5 riverside enterprises, the 安东园
// epidemic work with 207 volunteers over its five posts, and the others
// with their check-ins and hours; the matrix counts exactly the records.
func TestDemoActivities(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		srv := testenv.Start(t, dsn)
		if _, err := demo.Load(ctx, srv.DB, testenv.Passwords(), srv.App.Keys, srv.ZoneID, testenv.AdminPassword); err != nil {
			t.Fatal(err)
		}
		z := srv.ZoneID
		if n := srv.Count("activities", "zone_id = $1", z); n != 8 {
			t.Fatalf("%d activities, want 8", n)
		}
		if n := srv.Count("activity_campaigns", "zone_id = $1", z); n != 2 {
			t.Fatalf("%d campaigns", n)
		}
		count := func(title, where string) int {
			return srv.Count("activity_signups s JOIN activities a ON a.id = s.activity_id", "a.title = $1 AND "+where, title)
		}
		if n := count("“守护幸福河湖”主题党日", "s.credited_minutes = 180 AND s.checked_in_at IS NOT NULL"); n != 14 {
			t.Errorf("river day: %d members credited 3 h", n)
		}
		if n := srv.Count("people p JOIN activity_signups s ON s.person_id = p.id JOIN activities a ON a.id = s.activity_id",
			"a.title = '“守护幸福河湖”主题党日'"); n != 14 {
			t.Errorf("river day: %d", n)
		}
		if n := srv.Count("(SELECT DISTINCT p.enterprise_id FROM people p JOIN activity_signups s ON s.person_id = p.id JOIN activities a ON a.id = s.activity_id WHERE a.title = '“守护幸福河湖”主题党日') x"); n > 5 {
			t.Errorf("river day: members of %d enterprises, want at most 5", n)
		}
		if n := count("安东园企业网格疫情防控志愿服务", "s.status = 'registered' AND s.credited_minutes = 480"); n != 207 {
			t.Errorf("epidemic: %d volunteers credited", n)
		}
		if n := srv.Count("activity_posts p JOIN activities a ON a.id = p.activity_id", "a.title = '安东园企业网格疫情防控志愿服务'"); n != 5 {
			t.Errorf("epidemic: %d posts", n)
		}
		if n := count("红色车间里的党课", "s.checked_in_at IS NOT NULL"); n < 30 {
			t.Errorf("party lesson: %d", n)
		}
		if n := count("“关爱老年人，暖心服务下基层”义诊", "s.credited_minutes > 0"); n != 9 {
			t.Errorf("clinic: %d credited", n)
		}
		var acts, parts, minutes, recParts, recMinutes int64
		if err := srv.DB.R.QueryRow(`SELECT SUM(activities), SUM(participants), SUM(volunteer_minutes) FROM matrix_facts WHERE zone_id = $1 AND grain = 'd'`, z).
			Scan(&acts, &parts, &minutes); err != nil {
			t.Fatal(err)
		}
		if err := srv.DB.R.QueryRow(`SELECT COUNT(*), SUM(credited_minutes) FROM activity_signups WHERE zone_id = $1 AND credited_minutes > 0`, z).
			Scan(&recParts, &recMinutes); err != nil {
			t.Fatal(err)
		}
		if acts != 8 || parts != recParts || minutes != recMinutes {
			t.Errorf("matrix %d %d %d, records 8 %d %d", acts, parts, minutes, recParts, recMinutes)
		}
		if n := srv.Count("activities", "zone_id = $1 AND level = 'enterprise'", z); n != 1 {
			t.Errorf("%d enterprise-level activities", n)
		}
	})
}

// The demo's party affairs: the article's three brands with two years of
// evaluations, the innovative practices it names counted in the matrix,
// and the sample dues, election and development of 成达齿轮党支部.
func TestDemoPartyAffairs(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		srv := testenv.Start(t, dsn)
		if _, err := demo.Load(ctx, srv.DB, testenv.Passwords(), srv.App.Keys, srv.ZoneID, testenv.AdminPassword); err != nil {
			t.Fatal(err)
		}
		admin := srv.Admin()
		for _, name := range []string{"极致党建", "精工党建", "甜蜜党建"} {
			l, err := admin.ListBrands(ctx, url.Values{"q": {name}})
			if err != nil || l.Total != 1 || len(l.Items[0].Evaluations) != 2 || !l.Items[0].Sample {
				t.Fatalf("brand %s: %+v %v", name, l, err)
			}
		}
		l, err := admin.ListInnovations(ctx, url.Values{"limit": {"200"}})
		if err != nil || l.Total != len(partyaffairs.DemoInnovations) {
			t.Fatalf("innovations %d %v", l.Total, err)
		}
		if l, _ := admin.ListInnovations(ctx, url.Values{"q": {"rencai"}}); l.Total != 1 || l.Items[0].Title != "信泰“党建+人才”计划" {
			t.Fatalf("pinyin search %+v", l.Items)
		}
		m, err := admin.Matrix(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var counted int64
		for _, c := range m.Cells {
			counted += c.Innovations
		}
		if counted != int64(len(partyaffairs.DemoInnovations)) || m.Cell("zone", "political").Innovations != 3 {
			t.Fatalf("matrix counts %d innovations, zone political %d", counted, m.Cell("zone", "political").Innovations)
		}
		chengda, err := srv.Client().As(ctx, "chengda", testenv.AdminPassword)
		if err != nil {
			t.Fatal(err)
		}
		dues, err := chengda.ListDues(ctx, nil)
		if err != nil || dues.Total == 0 {
			t.Fatalf("dues %+v %v", dues.Total, err)
		}
		arrears, err := chengda.Arrears(ctx, nil)
		if err != nil || arrears.Total == 0 {
			t.Fatalf("arrears %+v %v", arrears, err)
		}
		if es, err := chengda.ListElections(ctx, nil); err != nil || es.Total != 1 {
			t.Fatalf("elections %+v %v", es, err)
		}
		if ds, err := chengda.ListDevelopment(ctx, nil); err != nil || ds.Total != 1 || ds.Items[0].Stage != "candidate" {
			t.Fatalf("development %+v %v", ds, err)
		}
		// The demo's phone worker (a member of the branch) sees their dues.
		worker, err := srv.Client().As(ctx, demo.WorkerUsername, testenv.AdminPassword)
		if err != nil {
			t.Fatal(err)
		}
		me, err := worker.MyParty(ctx)
		if err != nil || me.Status == nil || len(me.Dues) == 0 {
			t.Fatalf("worker's party affairs %+v %v", me, err)
		}
	})
}

// 信泰's talent plan and 恒毅机械's mutual-aid fund and childcare class, as
// the zone's administrator and the Andong park administrator see them.
func TestDemoHoldsTalentAndCare(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		srv := testenv.Start(t, dsn)
		if _, err := demo.Load(ctx, srv.DB, testenv.Passwords(), srv.App.Keys, srv.ZoneID, testenv.AdminPassword); err != nil {
			t.Fatal(err)
		}
		admin := srv.Admin()
		l, err := admin.ListRDProfiles(ctx, url.Values{"postdoc": {"true"}})
		if err != nil || l.Total != 1 {
			t.Fatalf("postdoc workstations %+v %v", l, err)
		}
		p := l.Items[0]
		if p.EnterpriseName != demo.XintaiName || p.RDStaff < 300 || p.PostdocApprovedOn == nil || !strings.HasPrefix(*p.PostdocApprovedOn, "2022-10") ||
			p.Mentorships != 3 || p.Teams != 2 {
			t.Fatalf("信泰 %+v", p)
		}
		teams, err := admin.ListProjectTeams(ctx, url.Values{"enterprise_id": {p.EnterpriseID}})
		kinds := map[string]bool{}
		for _, x := range teams.Items {
			kinds[x.Kind] = true
		}
		if err != nil || !kinds["tech"] || !kinds["project"] {
			t.Fatalf("信泰 teams %+v %v", teams, err)
		}
		andong, err := srv.Client().As(ctx, "andong", testenv.AdminPassword)
		if err != nil {
			t.Fatal(err)
		}
		funds, err := andong.ListAidFunds(ctx, nil)
		if err != nil || funds.Total != 1 || funds.Items[0].BalanceFen != 5_000_000+120_000-300_000 {
			t.Fatalf("恒毅 fund %+v %v", funds, err)
		}
		st, err := andong.AidStatement(ctx, funds.Items[0].ID, nil)
		if err != nil || !st.Balanced || st.DisbursedFen != 300_000 {
			t.Fatalf("statement %+v %v", st, err)
		}
		apps, err := andong.ListAidApplications(ctx, nil)
		if err != nil || apps.Total != 2 {
			t.Fatalf("applications %+v %v", apps, err)
		}
		for _, x := range apps.Items {
			if x.Status == "disbursed" && (x.FirstBy == nil || x.SecondBy == nil || *x.FirstBy == *x.SecondBy) {
				t.Fatalf("disbursed without two approvers %+v", x)
			}
		}
		if n := srv.Count("childcare_classes c JOIN enterprises e ON e.id = c.enterprise_id", "e.name = $1", demo.HengyiName); n != 1 {
			t.Fatalf("%d childcare classes of 恒毅", n)
		}
		if n := srv.Count("childcare_enrolments", "status = 'registered'"); n != 8 {
			t.Fatalf("%d children enrolled", n)
		}
	})
}

// The article's work-injury dispute, settled at the hearing by the
// arbitrator, and a sample case in every state, all recorded through the
// mediation service.
func TestDemoHoldsTheMediation(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		srv := testenv.Start(t, dsn)
		if _, err := demo.Load(ctx, srv.DB, testenv.Passwords(), srv.App.Keys, srv.ZoneID, testenv.AdminPassword); err != nil {
			t.Fatal(err)
		}
		for _, st := range mediation.States {
			if n := srv.Count("mediation_cases", "status = $1", st); n == 0 {
				t.Errorf("no sample case is %s", st)
			}
		}
		// The article's case: work injury, the arbitrator, a hearing, an
		// agreement signed by both sides, paid in full, closed.
		if n := srv.Count("mediation_cases c JOIN mediation_hearings h ON h.case_id = c.id JOIN mediation_agreements a ON a.case_id = c.id",
			"c.type = 'work_injury' AND c.status = 'closed' AND c.outcome = 'settled' AND c.mediator_role = 'arbitrator' AND a.amount_fen = 6800000"+
				" AND (SELECT SUM(amount_fen) FROM mediation_payments p WHERE p.case_id = c.id) = 6800000"+
				" AND (SELECT COUNT(*) FROM mediation_signatures s WHERE s.case_id = c.id) = 2"+
				" AND EXISTS (SELECT 1 FROM mediation_parties p WHERE p.case_id = c.id AND p.role = 'agent')"); n != 1 {
			t.Fatalf("the article's work-injury case: %d", n)
		}
		var closed int64
		if err := srv.DB.R.QueryRowContext(ctx, `SELECT SUM(cases_closed) FROM matrix_facts WHERE grain = 'd' AND zone_id = $1 AND function = 'governance'`, srv.ZoneID).
			Scan(&closed); err != nil || closed != 1 {
			t.Fatalf("cases_closed %d %v", closed, err)
		}
		// The base's staff see the cases; the phone worker sees their own.
		staff, err := srv.Client().As(ctx, demo.LegalUsername, testenv.AdminPassword)
		if err != nil {
			t.Fatal(err)
		}
		var l struct {
			Total int `json:"total"`
		}
		if err := staff.Call(ctx, "GET", "/api/v1/mediation-cases", nil, &l); err != nil || l.Total != len(mediation.States) {
			t.Fatalf("staff list: %d %v", l.Total, err)
		}
		worker, err := srv.Client().As(ctx, demo.WorkerUsername, testenv.AdminPassword)
		if err != nil {
			t.Fatal(err)
		}
		if err := worker.Call(ctx, "GET", "/api/v1/my/mediation-cases", nil, &l); err != nil || l.Total != 1 {
			t.Fatalf("worker's cases: %d %v", l.Total, err)
		}
	})
}

// A generated zone is in its steady state at demo.Reference: every open
// request past its deadline was escalated when it fell due, with its event
// and notification, as the overdue sweep does it, so a sweep at Reference
// has nothing left to do (at zone scale the backlog had been 45,000
// requests, escalated 500 a minute by every server started on a copy).
func TestGeneratedZoneHasNoOverdueBacklog(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		srv := testenv.Start(t, dsn)
		z, _, err := demo.Generate(ctx, srv.DB, srv.App.Keys, "合成", demo.Scales["small"], 7)
		if err != nil {
			t.Fatal(err)
		}
		escalated := srv.Count("service_requests", "zone_id = $1 AND overdue_at IS NOT NULL", z)
		events := srv.Count("service_request_events", "zone_id = $1 AND action = 'escalate'", z)
		notices := srv.Count("service_notifications", "zone_id = $1 AND kind = 'overdue'", z)
		if escalated == 0 || events != escalated || notices != escalated {
			t.Fatalf("escalated %d requests, %d escalate events, %d overdue notifications", escalated, events, notices)
		}
		if n := srv.Count("service_requests", "zone_id = $1 AND overdue_at IS NOT NULL AND status IN ('resolved', 'closed', 'rejected')", z); n != 0 {
			t.Fatalf("%d finished requests marked overdue", n)
		}
		d := *srv.DB
		d.Now = func() time.Time { return demo.Reference }
		n, err := (&servicenet.Service{DB: &d}).Sweep(ctx)
		if err != nil || n != 0 {
			t.Fatalf("a sweep at Reference escalated %d requests (%v), want none", n, err)
		}
	})
}
