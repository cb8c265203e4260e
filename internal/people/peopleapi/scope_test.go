package peopleapi_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/testenv"
)

// roster is a world with people in it.
type roster struct {
	*world
	memW, workerW, subMem, memA client.Person
}

func newRoster(t *testing.T, dsn string) *roster {
	r := &roster{world: newWorld(t, dsn)}
	admin := r.srv.Admin()
	mk := func(b map[string]any) client.Person {
		t.Helper()
		p, err := admin.CreatePerson(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	r.memW = mk(map[string]any{"name": "五里党员", "phone": "13811110001", "id_number": womanID, "enterprise_id": r.entW,
		"party": member(r.branchW, "full", "2010-07-01")})
	r.workerW = mk(map[string]any{"name": "五里工人", "phone": "13811110002", "enterprise_id": r.entW})
	r.subMem = mk(map[string]any{"name": "五里二支党员", "party": member(r.subBranchW, "full", "2012-07-01")})
	r.memA = mk(map[string]any{"name": "安东党员", "phone": "13811110003", "enterprise_id": r.entA,
		"party": member(r.branchA, "full", "2014-07-01")})
	return r
}

func listed(t *testing.T, c *client.Client, q url.Values) []string {
	t.Helper()
	l, err := c.ListPeople(ctx, q)
	if err != nil {
		t.Fatalf("list %v: %v", q, err)
	}
	var names []string
	for _, p := range l.Items {
		names = append(names, p.Name)
	}
	slices.Sort(names)
	return names
}

func TestPeopleScope(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		r := newRoster(t, dsn)
		admin := r.srv.Admin()
		other := r.srv.Zone("另一开发区")
		callers := map[string]*client.Client{
			"park admin of 安东园":     r.srv.User("pa-andong", access.ParkAdmin, r.andong.ID),
			"secretary of 盼盼饮料党支部":  r.srv.User("sec-andong", access.OrgSecretary, r.branchA),
			"partner of 盼盼饮料":       r.srv.User("partner-andong", access.Partner, r.entA),
			"service staff of 安东园":  r.srv.User("staff-andong", access.ServiceStaff, r.andong.ID),
			"admin of another zone": r.srv.UserIn("oz-admin", other, access.ZoneAdmin, other),
		}
		for who, c := range callers {
			t.Run(who, func(t *testing.T) {
				want := []string{"安东党员"}
				if who == "admin of another zone" {
					want = nil
				}
				// Filters on the caller's own part (their branch, inside their
				// park, at their enterprise: covered whole or not) show their
				// people; on another park's, nobody.
				for _, q := range []url.Values{nil, {"q": {"党员"}}, {"q": {"dy"}}, {"org_id": {r.branchA}}, {"park_id": {r.andong.ID}},
					{"phone": {"13811110001"}}, {"id_number": {womanID}},
					{"org_id": {r.branchW}}, {"org_id": {r.subBranchW}}, {"park_id": {r.wuli.ID}}, {"enterprise_id": {r.entW}}} {
					got := listed(t, c, q)
					var exp []string
					if q == nil || q.Get("q") != "" || q.Get("org_id") == r.branchA || q.Get("park_id") == r.andong.ID {
						exp = want
					}
					if !slices.Equal(got, exp) {
						t.Fatalf("list %v shows %v, want %v", q, got, exp)
					}
				}
				for _, p := range []client.Person{r.memW, r.workerW, r.subMem} {
					_, err := c.GetPerson(ctx, p.ID, false)
					testenv.WantStatus(t, err, 404)
					_, err = c.GetPerson(ctx, p.ID, true)
					testenv.WantStatus(t, err, 404)
					_, err = c.ListTransfers(ctx, p.ID, nil)
					testenv.WantStatus(t, err, 404)
					status := 404
					if who == "partner of 盼盼饮料" || who == "service staff of 安东园" {
						status = 403 // holds no person.manage anywhere
					}
					_, err = c.UpdatePerson(ctx, p.ID, map[string]any{"name": "x"}, 0)
					testenv.WantStatus(t, err, status)
					testenv.WantStatus(t, c.DeletePerson(ctx, p.ID, 0), status)
					_, err = c.TransferPerson(ctx, p.ID, map[string]any{"outside_org": "外地", "on_date": "2024-01-01"})
					testenv.WantStatus(t, err, status)
				}
			})
		}
		if n := r.srv.Count("audit_log", "action IN ('update', 'delete', 'transfer', 'reveal')"); n != 0 {
			t.Fatalf("out-of-scope requests wrote %d audit entries", n)
		}
		for _, p := range []client.Person{r.memW, r.workerW, r.subMem} {
			if got, err := admin.GetPerson(ctx, p.ID, false); err != nil || got.Version != 1 || got.Party == nil && p.Party != nil {
				t.Fatalf("out-of-scope requests changed %s: %+v %v", p.Name, got, err)
			}
		}

		// What each sees in their own part of the tree.
		secW := r.srv.User("sec-wuli", access.OrgSecretary, r.branchW)
		if got := listed(t, secW, nil); strings.Join(got, ",") != "五里二支党员,五里党员" {
			t.Fatalf("branch secretary sees %v (members of the branch and of the branch under it, no workers)", got)
		}
		_, err := secW.GetPerson(ctx, r.workerW.ID, false)
		testenv.WantStatus(t, err, 404)
		partnerW := r.srv.User("partner-wuli", access.Partner, r.entW)
		if got := listed(t, partnerW, nil); strings.Join(got, ",") != "五里党员,五里工人" {
			t.Fatalf("partner sees %v", got)
		}
		_, err = partnerW.UpdatePerson(ctx, r.workerW.ID, map[string]any{"name": "x"}, 0)
		testenv.WantStatus(t, err, 403)
		_, err = partnerW.GetPerson(ctx, r.workerW.ID, true)
		testenv.WantStatus(t, err, 403)
		paW := r.srv.User("pa-wuli", access.ParkAdmin, r.wuli.ID)
		if got := listed(t, paW, nil); strings.Join(got, ",") != "五里二支党员,五里党员,五里工人" {
			t.Fatalf("park admin sees %v", got)
		}
		// A park filter: the scope itself for a caller covering the park
		// whole (its administrator, the zone's); for one holding a part of
		// it (a partner, a branch secretary) the scope still applies.
		zoneAdmin := r.srv.User("za-zone", access.ZoneAdmin, r.srv.ZoneID)
		for _, tc := range []struct {
			who  string
			c    *client.Client
			q    url.Values
			want string
		}{
			{"park admin", paW, url.Values{"park_id": {r.wuli.ID}}, "五里二支党员,五里党员,五里工人"},
			{"park admin, members", paW, url.Values{"park_id": {r.wuli.ID}, "is_member": {"true"}}, "五里二支党员,五里党员"},
			{"zone admin, members", zoneAdmin, url.Values{"park_id": {r.wuli.ID}, "is_member": {"true"}}, "五里二支党员,五里党员"},
			{"zone admin, non-members", zoneAdmin, url.Values{"park_id": {r.wuli.ID}, "is_member": {"false"}}, "五里工人"},
			{"zone admin, other park", zoneAdmin, url.Values{"park_id": {r.andong.ID}}, "安东党员"},
			{"partner", partnerW, url.Values{"park_id": {r.wuli.ID}}, "五里党员,五里工人"},
			{"partner, members", partnerW, url.Values{"park_id": {r.wuli.ID}, "is_member": {"true"}}, "五里党员"},
			{"secretary", secW, url.Values{"park_id": {r.wuli.ID}}, "五里二支党员,五里党员"},
			{"secretary, non-members", secW, url.Values{"park_id": {r.wuli.ID}, "is_member": {"false"}}, ""},
			// An enterprise filter likewise: the scope itself for a caller
			// covering the enterprise whole; else each person's nodes are
			// checked (the secretary sees the enterprise's members of the
			// branch alone).
			{"park admin, enterprise", paW, url.Values{"enterprise_id": {r.entW}}, "五里党员,五里工人"},
			{"partner, enterprise", partnerW, url.Values{"enterprise_id": {r.entW}}, "五里党员,五里工人"},
			{"zone admin, enterprise", zoneAdmin, url.Values{"enterprise_id": {r.entA}}, "安东党员"},
			{"secretary, enterprise", secW, url.Values{"enterprise_id": {r.entW}}, "五里党员"},
			{"park admin, other park's enterprise", paW, url.Values{"enterprise_id": {r.entA}}, ""},
			{"park admin, an organisation as enterprise", paW, url.Values{"enterprise_id": {r.branchW}}, ""},
		} {
			if got := strings.Join(listed(t, tc.c, tc.q), ","); got != tc.want {
				t.Fatalf("%s, %v: sees %q, want %q", tc.who, tc.q, got, tc.want)
			}
			// A page of one: the total is counted (each person once,
			// though 五里党员's enterprise and branch both lie in the park).
			q := url.Values{"limit": {"1"}}
			for k, v := range tc.q {
				q[k] = v
			}
			l, err := tc.c.ListPeople(ctx, q)
			want := 0
			if tc.want != "" {
				want = len(strings.Split(tc.want, ","))
			}
			if err != nil || l.Total != want {
				t.Fatalf("%s, %v: total %d (%v), want %d", tc.who, q, l.Total, err, want)
			}
		}
		auditor := r.srv.User("auditor-wuli", access.Auditor, r.wuli.ID)
		if got := listed(t, auditor, url.Values{"q": {"wl"}}); len(got) != 3 {
			t.Fatalf("auditor of the park searching by initials sees %v", got)
		}
		_, err = auditor.UpdatePerson(ctx, r.memW.ID, map[string]any{"name": "x"}, 0)
		testenv.WantStatus(t, err, 403)
		zone := r.srv.User("member-zone", access.Member, r.srv.ZoneID)
		_, err = zone.ListPeople(ctx, nil)
		testenv.WantStatus(t, err, 403)
	})
}

// Creating and changing people stays inside the caller's reach.
func TestPeopleWritesStayInScope(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		r := newRoster(t, dsn)
		secW := r.srv.User("sec-wuli", access.OrgSecretary, r.branchW)
		paA := r.srv.User("pa-andong", access.ParkAdmin, r.andong.ID)
		other := r.srv.Zone("另一开发区")
		oz := r.srv.UserIn("oz-admin", other, access.ZoneAdmin, other)
		people := r.srv.Count("people")
		for _, tc := range []struct {
			who   string
			c     *client.Client
			body  map[string]any
			field string
			code  string
		}{
			{"secretary, other branch", secW, map[string]any{"name": "a", "party": member(r.branchA, "full", "2020-01-01")}, "party.org_id", "unknown_value"},
			{"secretary, other enterprise", secW, map[string]any{"name": "a", "enterprise_id": r.entA, "party": member(r.branchW, "full", "2020-01-01")}, "enterprise_id", "unknown_value"},
			{"secretary, non-member", secW, map[string]any{"name": "a", "enterprise_id": r.entW}, "party", "out_of_reach"},
			{"secretary, nowhere", secW, map[string]any{"name": "a"}, "enterprise_id", "required"},
			{"park admin, other park", paA, map[string]any{"name": "a", "enterprise_id": r.entW}, "enterprise_id", "unknown_value"},
			{"park admin, nowhere", paA, map[string]any{"name": "a"}, "enterprise_id", "required"},
			{"other zone, this zone's enterprise", oz, map[string]any{"name": "a", "enterprise_id": r.entW}, "enterprise_id", "unknown_value"},
			{"other zone, this zone", oz, map[string]any{"name": "a", "zone_id": r.srv.ZoneID}, "enterprise_id", "required"},
		} {
			_, err := tc.c.CreatePerson(ctx, tc.body)
			p := testenv.Problem(err)
			if client.StatusOf(err) != 422 || len(p.Errors) == 0 || p.Errors[0].Field != tc.field || p.Errors[0].Code != tc.code {
				t.Errorf("%s: %v %+v, want %s/%s", tc.who, err, p.Errors, tc.field, tc.code)
			}
		}
		if r.srv.Count("people") != people {
			t.Fatal("refused creates made people")
		}
		// The secretary makes a member of their branch, at an enterprise
		// their branch covers; zone_id follows.
		p, err := secW.CreatePerson(ctx, map[string]any{"name": "新党员", "enterprise_id": r.entW, "party": member(r.branchW, "full", "2020-01-01")})
		if err != nil || p.ZoneID != r.srv.ZoneID {
			t.Fatalf("secretary creating a member: %+v %v", p, err)
		}
		// Ending the membership would put the person out of their reach.
		_, err = secW.UpdatePerson(ctx, p.ID, map[string]any{"party": nil}, 0)
		if pr := testenv.Problem(err); client.StatusOf(err) != 422 || pr.Errors[0].Field != "party" || pr.Errors[0].Code != "out_of_reach" {
			t.Fatalf("secretary ending a membership: %v %+v", err, pr.Errors)
		}
		// A park administrator keeps the worker in reach through the enterprise.
		paW := r.srv.User("pa-wuli", access.ParkAdmin, r.wuli.ID)
		up, err := paW.UpdatePerson(ctx, p.ID, map[string]any{"party": nil}, 0)
		if err != nil || up.Party != nil {
			t.Fatalf("park admin ending a membership: %+v %v", up, err)
		}
		_, err = paW.UpdatePerson(ctx, p.ID, map[string]any{"enterprise_id": r.entA}, 0)
		testenv.WantStatus(t, err, 422)
		if err := paW.DeletePerson(ctx, p.ID, 0); err != nil {
			t.Fatal(err)
		}
	})
}
