package alliancesapi_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/testenv"
)

var ctx = context.Background()

// world: the Andong park with 38 enterprise party organisations (the
// article's alliance), the Wuli park with one, the zone's working
// committee, and another zone with an organisation.
type world struct {
	srv          *testenv.Server
	admin        *client.Client
	andong, wuli client.Park
	andongOrgs   []string
	wuliOrg      string
	committee    string
	otherZone    string
	otherOrg     string
}

func newWorld(t *testing.T, dsn string) world {
	srv := testenv.Start(t, dsn)
	w := world{srv: srv, admin: srv.Admin(), andong: srv.Park("安东园", "andong"), wuli: srv.Park("五里园", "wuli")}
	for i := 1; i <= 38; i++ {
		e := srv.Enterprise(w.andong.ID, fmt.Sprintf("安东企业%02d", i))
		w.andongOrgs = append(w.andongOrgs, srv.Org(w.andong.ID, w.andong.ID, fmt.Sprintf("安东企业%02d党支部", i), "branch", e))
	}
	w.wuliOrg = srv.Org(w.wuli.ID, w.wuli.ID, "盼盼饮料党支部", "branch")
	w.committee = srv.Org(srv.ZoneID, "", "开发区党工委", "working_committee")
	w.otherZone = srv.Zone("另一开发区")
	w.otherOrg = srv.Org(w.otherZone, "", "他区党工委", "working_committee")
	return w
}

func sorted(ids []string) []string {
	s := slices.Clone(ids)
	slices.Sort(s)
	return s
}

func TestAllianceCRUD(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		lead := w.andongOrgs[0]
		al, err := w.admin.CreateAlliance(ctx, map[string]any{"park_id": w.andong.ID, "name": "安东园党建联盟", "lead_org_id": lead,
			"member_org_ids": append(slices.Clone(w.andongOrgs), lead)})
		if err != nil {
			t.Fatal(err)
		}
		if al.ParkID == nil || *al.ParkID != w.andong.ID || al.LeadOrgID == nil || *al.LeadOrgID != lead || al.MemberCount != 38 ||
			!slices.Equal(al.MemberOrgIDs, sorted(w.andongOrgs)) || al.Version != 1 || al.ZoneID != w.srv.ZoneID {
			t.Fatalf("created %+v", al)
		}
		_, hdr, _ := testenv.Raw(t, w.admin, "GET", "/api/v1/alliances/"+al.ID, "", nil)
		if hdr.Get("ETag") != `"1"` {
			t.Fatalf("ETag %q", hdr.Get("ETag"))
		}
		// A zone-wide alliance led by the working committee, across parks.
		zw, err := w.admin.CreateAlliance(ctx, map[string]any{"name": "开发区企业党建联盟", "lead_org_id": w.committee,
			"member_org_ids": []string{w.committee, w.wuliOrg, w.andongOrgs[1]}})
		if err != nil || zw.ParkID != nil || zw.MemberCount != 3 {
			t.Fatalf("zone-wide %+v %v", zw, err)
		}
		for q, ids := range map[string][]string{
			"park_id=" + w.andong.ID:         {al.ID},
			"org_id=" + w.andongOrgs[1]:      {al.ID, zw.ID},
			"org_id=" + w.wuliOrg:            {zw.ID},
			"org_id=" + w.otherOrg:           {},
			"q=" + url.QueryEscape("安东"):     {al.ID},
			"q=adydjlm":                      {al.ID},
			"q=" + url.QueryEscape("联盟"):     {al.ID, zw.ID},
			"q=kaifaqu":                      {zw.ID},
			"q=" + url.QueryEscape("不存在的联盟"): {},
		} {
			vals, _ := url.ParseQuery(q)
			l, err := w.admin.ListAlliances(ctx, vals)
			if err != nil || l.Total != len(ids) || !sameIDs(l.Items, ids) {
				t.Fatalf("%s: %d items %v, want %v", q, l.Total, err, ids)
			}
		}
		// Replace the members and the lead; remove the lead.
		up, err := w.admin.UpdateAlliance(ctx, al.ID, map[string]any{"name": "安东园企业党建联盟", "lead_org_id": w.andongOrgs[2],
			"member_org_ids": w.andongOrgs[1:4]}, 1)
		if err != nil || up.Version != 2 || up.MemberCount != 3 || *up.LeadOrgID != w.andongOrgs[2] || !slices.Equal(up.MemberOrgIDs, sorted(w.andongOrgs[1:4])) {
			t.Fatalf("update %+v %v", up, err)
		}
		if n := w.srv.Count("alliance_orgs", "alliance_id = $1", al.ID); n != 3 {
			t.Fatalf("%d membership rows", n)
		}
		up, err = w.admin.UpdateAlliance(ctx, al.ID, map[string]any{"lead_org_id": nil}, 2)
		if err != nil || up.LeadOrgID != nil || up.Version != 3 || up.MemberCount != 3 {
			t.Fatalf("removing the lead %+v %v", up, err)
		}
		up, err = w.admin.UpdateAlliance(ctx, al.ID, map[string]any{"member_org_ids": w.andongOrgs[1:4]}, 3)
		if err != nil || up.Version != 3 {
			t.Fatalf("unchanged members bumped the version: %+v %v", up, err)
		}
		_, err = w.admin.UpdateAlliance(ctx, al.ID, map[string]any{"name": "x"}, 2)
		testenv.WantStatus(t, err, 412)
		// Every member leaves (the answer's list is [], the document checks).
		up, err = w.admin.UpdateAlliance(ctx, al.ID, map[string]any{"member_org_ids": []string{}}, 3)
		if err != nil || up.Version != 4 || up.MemberCount != 0 || len(up.MemberOrgIDs) != 0 {
			t.Fatalf("emptying %+v %v", up, err)
		}
		testenv.WantStatus(t, w.admin.DeleteAlliance(ctx, al.ID, 3), 412)
		if err := w.admin.DeleteAlliance(ctx, al.ID, 4); err != nil {
			t.Fatal(err)
		}
		_, err = w.admin.GetAlliance(ctx, al.ID)
		testenv.WantStatus(t, err, 404)
		if w.srv.Count("alliance_orgs", "alliance_id = $1", al.ID) != 0 || w.srv.Count("orgs") != 41 {
			t.Fatal("delete left memberships or took organisations")
		}
		for _, action := range []string{"create", "update", "delete"} {
			if w.srv.Count("audit_log", "entity = 'alliance' AND entity_id = $1 AND action = $2", al.ID, action) == 0 {
				t.Fatalf("no %s audit entry", action)
			}
		}
	})
}

func sameIDs(items []client.Alliance, ids []string) bool {
	var got []string
	for _, a := range items {
		got = append(got, a.ID)
	}
	return slices.Equal(sorted(got), sorted(ids))
}

func TestAllianceBadInputChangesNothing(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		o := w.andongOrgs
		existing, err := w.admin.CreateAlliance(ctx, map[string]any{"park_id": w.andong.ID, "name": "安东园党建联盟", "lead_org_id": o[0],
			"member_org_ids": o[:2]})
		if err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/alliances/" + existing.ID
		park := `"park_id":"` + w.andong.ID + `",`
		var many []string
		for i := 0; i <= 500; i++ {
			many = append(many, fmt.Sprintf(`"o%d"`, i))
		}
		counts := func() [3]int {
			return [3]int{w.srv.Count("alliances"), w.srv.Count("alliance_orgs"), w.srv.Count("audit_log")}
		}
		before := counts()
		cases := []struct {
			name, method, path, body string
			status                   int
			field, code              string
		}{
			{"missing name", "POST", "/api/v1/alliances", `{` + park + `"member_org_ids":[]}`, 422, "name", "required"},
			{"long name", "POST", "/api/v1/alliances", `{` + park + `"name":"` + strings.Repeat("盟", 101) + `"}`, 422, "name", "too_long"},
			{"unknown park", "POST", "/api/v1/alliances", `{"park_id":"nope","name":"盟"}`, 422, "park_id", "unknown_value"},
			{"org as park", "POST", "/api/v1/alliances", `{"park_id":"` + o[0] + `","name":"盟"}`, 422, "park_id", "unknown_value"},
			{"other zone", "POST", "/api/v1/alliances", `{"zone_id":"` + w.otherZone + `","park_id":"` + w.andong.ID + `","name":"盟"}`, 422, "zone_id", "unknown_value"},
			{"lead outside members", "POST", "/api/v1/alliances", `{` + park + `"name":"盟","lead_org_id":"` + o[3] + `","member_org_ids":["` + o[1] + `"]}`, 422, "lead_org_id", "lead_not_member"},
			{"lead without members", "POST", "/api/v1/alliances", `{` + park + `"name":"盟","lead_org_id":"` + o[3] + `"}`, 422, "lead_org_id", "lead_not_member"},
			{"member of another park", "POST", "/api/v1/alliances", `{` + park + `"name":"盟","member_org_ids":["` + o[1] + `","` + w.wuliOrg + `"]}`, 422, "member_org_ids", "outside_park"},
			{"zone-level org in a park alliance", "POST", "/api/v1/alliances", `{` + park + `"name":"盟","member_org_ids":["` + w.committee + `"]}`, 422, "member_org_ids", "outside_park"},
			{"member of another zone", "POST", "/api/v1/alliances", `{"name":"盟","member_org_ids":["` + w.otherOrg + `"]}`, 422, "member_org_ids", "unknown_value"},
			{"unknown member", "POST", "/api/v1/alliances", `{` + park + `"name":"盟","member_org_ids":["nope"]}`, 422, "member_org_ids", "unknown_value"},
			{"park as member", "POST", "/api/v1/alliances", `{"name":"盟","member_org_ids":["` + w.andong.ID + `"]}`, 422, "member_org_ids", "unknown_value"},
			{"too many members", "POST", "/api/v1/alliances", `{` + park + `"name":"盟","member_org_ids":[` + strings.Join(many, ",") + `]}`, 422, "member_org_ids", "too_many"},
			{"member id not text", "POST", "/api/v1/alliances", `{` + park + `"name":"盟","member_org_ids":[7]}`, 400, "member_org_ids.0", "wrong_type"},
			{"patch lead outside members", "PATCH", path, `{"lead_org_id":"` + o[5] + `"}`, 422, "lead_org_id", "lead_not_member"},
			{"patch members dropping the lead", "PATCH", path, `{"member_org_ids":["` + o[1] + `"]}`, 422, "lead_org_id", "lead_not_member"},
			{"patch member of another park", "PATCH", path, `{"member_org_ids":["` + o[0] + `","` + w.wuliOrg + `"]}`, 422, "member_org_ids", "outside_park"},
			{"patch empty name", "PATCH", path, `{"name":""}`, 422, "name", "required"},
			{"patch park", "PATCH", path, `{"park_id":null}`, 400, "park_id", "unknown_field"},
			{"patch lead as number", "PATCH", path, `{"lead_org_id":5}`, 400, "lead_org_id", "wrong_type"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				status, _, body := testenv.Raw(t, w.admin, tc.method, tc.path, tc.body, map[string]string{"Content-Type": "application/json"})
				if status != tc.status || !strings.Contains(body, `"field":"`+tc.field+`","code":"`+tc.code+`"`) {
					t.Fatalf("status %d, want %d %s/%s: %s", status, tc.status, tc.field, tc.code, body)
				}
			})
		}
		if got := counts(); got != before {
			t.Fatalf("bad input changed rows: %v → %v", before, got)
		}
		if got, err := w.admin.GetAlliance(ctx, existing.ID); err != nil || got.Version != 1 || got.MemberCount != 2 {
			t.Fatalf("bad input changed the alliance: %+v %v", got, err)
		}
	})
}

func TestAllianceScope(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		o := w.andongOrgs
		andongAl, err := w.admin.CreateAlliance(ctx, map[string]any{"park_id": w.andong.ID, "name": "安东园党建联盟", "lead_org_id": o[0], "member_org_ids": o})
		if err != nil {
			t.Fatal(err)
		}
		wuliAl, err := w.admin.CreateAlliance(ctx, map[string]any{"park_id": w.wuli.ID, "name": "五里园党建联盟", "lead_org_id": w.wuliOrg, "member_org_ids": []string{w.wuliOrg}})
		if err != nil {
			t.Fatal(err)
		}
		// Zone-wide, led by an Andong branch: the Andong park admin reads it
		// through the lead but may not manage it.
		zoneAl, err := w.admin.CreateAlliance(ctx, map[string]any{"name": "开发区党建联盟", "lead_org_id": o[5], "member_org_ids": []string{o[5], w.wuliOrg, w.committee}})
		if err != nil {
			t.Fatal(err)
		}

		wa := w.srv.User("wuli-admin", access.ParkAdmin, w.wuli.ID)
		l, err := wa.ListAlliances(ctx, nil)
		if err != nil || !sameIDs(l.Items, []string{wuliAl.ID}) || l.Total != 1 {
			t.Fatalf("wuli admin lists %+v %v", l, err)
		}
		if l, _ := wa.ListAlliances(ctx, url.Values{"q": {"adydjlm"}}); l.Total != 0 {
			t.Fatal("search shows another park's alliance")
		}
		if l, _ := wa.ListAlliances(ctx, url.Values{"org_id": {w.wuliOrg}}); !sameIDs(l.Items, []string{wuliAl.ID}) {
			t.Fatalf("org filter shows %+v", l.Items)
		}
		for _, id := range []string{andongAl.ID, zoneAl.ID} {
			_, err = wa.GetAlliance(ctx, id)
			testenv.WantStatus(t, err, 404)
			_, err = wa.UpdateAlliance(ctx, id, map[string]any{"name": "x"}, 0)
			testenv.WantStatus(t, err, 404)
			testenv.WantStatus(t, wa.DeleteAlliance(ctx, id, 0), 404)
		}
		_, err = wa.CreateAlliance(ctx, map[string]any{"park_id": w.andong.ID, "name": "越界联盟"})
		testenv.WantStatus(t, err, 422)
		_, err = wa.CreateAlliance(ctx, map[string]any{"name": "全区联盟"})
		testenv.WantStatus(t, err, 422)
		if p := testenv.Problem(err); len(p.Errors) != 1 || p.Errors[0].Field != "park_id" || p.Errors[0].Code != "required" {
			t.Fatalf("a park admin's zone-wide alliance: %+v", p)
		}
		_, err = wa.CreateAlliance(ctx, map[string]any{"zone_id": w.srv.ZoneID, "name": "全区联盟"})
		testenv.WantStatus(t, err, 422)
		mine, err := wa.CreateAlliance(ctx, map[string]any{"park_id": w.wuli.ID, "name": "五里园第二联盟", "member_org_ids": []string{w.wuliOrg}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := wa.UpdateAlliance(ctx, mine.ID, map[string]any{"lead_org_id": w.wuliOrg}, 1); err != nil {
			t.Fatal(err)
		}
		if err := wa.DeleteAlliance(ctx, mine.ID, 2); err != nil {
			t.Fatal(err)
		}

		aa := w.srv.User("andong-admin", access.ParkAdmin, w.andong.ID)
		l, err = aa.ListAlliances(ctx, nil)
		if err != nil || !sameIDs(l.Items, []string{andongAl.ID, zoneAl.ID}) {
			t.Fatalf("andong admin lists %+v %v", l, err)
		}
		_, err = aa.UpdateAlliance(ctx, zoneAl.ID, map[string]any{"name": "x"}, 0)
		testenv.WantStatus(t, err, 403)
		testenv.WantStatus(t, aa.DeleteAlliance(ctx, zoneAl.ID, 0), 403)
		if _, err := aa.UpdateAlliance(ctx, andongAl.ID, map[string]any{"name": "安东园党建联盟（新）"}, 0); err != nil {
			t.Fatal(err)
		}

		// The lead organisation's secretary sees what it leads, and only that.
		lead := w.srv.User("lead-secretary", access.OrgSecretary, o[0])
		l, err = lead.ListAlliances(ctx, nil)
		if err != nil || !sameIDs(l.Items, []string{andongAl.ID}) {
			t.Fatalf("lead secretary lists %+v %v", l, err)
		}
		_, err = lead.UpdateAlliance(ctx, andongAl.ID, map[string]any{"name": "x"}, 0)
		testenv.WantStatus(t, err, 403)
		_, err = lead.CreateAlliance(ctx, map[string]any{"park_id": w.andong.ID, "name": "x"})
		testenv.WantStatus(t, err, 403)
		// A secretary of a branch that leads nothing sees none.
		other := w.srv.User("other-secretary", access.OrgSecretary, o[9])
		l, err = other.ListAlliances(ctx, url.Values{"q": {"联盟"}})
		if err != nil || l.Total != 0 {
			t.Fatalf("another branch's secretary lists %d (%v)", l.Total, err)
		}
		_, err = other.GetAlliance(ctx, andongAl.ID)
		testenv.WantStatus(t, err, 404)

		oz := w.srv.UserIn("oz-admin", w.otherZone, access.ZoneAdmin, w.otherZone)
		l, err = oz.ListAlliances(ctx, nil)
		if err != nil || l.Total != 0 {
			t.Fatalf("other zone admin sees %d (%v)", l.Total, err)
		}
		for _, id := range []string{andongAl.ID, zoneAl.ID} {
			_, err = oz.GetAlliance(ctx, id)
			testenv.WantStatus(t, err, 404)
			_, err = oz.UpdateAlliance(ctx, id, map[string]any{"name": "x"}, 0)
			testenv.WantStatus(t, err, 404)
			testenv.WantStatus(t, oz.DeleteAlliance(ctx, id, 0), 404)
		}
		_, err = oz.CreateAlliance(ctx, map[string]any{"name": "他区联盟", "member_org_ids": []string{o[0]}})
		testenv.WantStatus(t, err, 422)
		if got, err := w.admin.GetAlliance(ctx, zoneAl.ID); err != nil || got.Version != 1 {
			t.Fatalf("out-of-scope writes changed the zone alliance: %+v %v", got, err)
		}
	})
}
