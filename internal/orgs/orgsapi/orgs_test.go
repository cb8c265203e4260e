package orgsapi_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/testenv"
)

var ctx = context.Background()

// today is the fixed "now" of the warning tests: 2024-06-15 in China.
var now = time.Date(2024, 6, 15, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))

func day(offset int) string { return now.AddDate(0, 0, offset).Format(time.DateOnly) }

func s(v string) *string { return &v }

func mustCreate(t *testing.T, c *client.Client, body map[string]any) client.Org {
	t.Helper()
	o, err := c.CreateOrg(ctx, body)
	if err != nil {
		t.Fatalf("create %v: %v", body, err)
	}
	return o
}

func ids(os []client.Org) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.ID)
	}
	slices.Sort(out)
	return out
}

func treeIDs(t client.OrgTree) []string {
	var out []string
	for _, n := range t.Items {
		out = append(out, n.ID)
	}
	slices.Sort(out)
	return out
}

func sorted(v ...string) []string { slices.Sort(v); return v }

func TestOrgCRUD(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		park := srv.Park("五里园", "wuli")
		ent1, ent2 := srv.Enterprise(park.ID, "成达齿轮"), srv.Enterprise(park.ID, "海纳机械")

		wc := mustCreate(t, admin, map[string]any{"name": "开发区党工委", "kind": "working_committee", "founded_on": "2010-05-01"})
		if wc.ParkID != nil || wc.ParentID != nil || wc.ZoneID != srv.ZoneID || wc.Version != 1 {
			t.Fatalf("working committee %+v", wc)
		}
		if n := srv.Count("scope_nodes", "id = $1 AND parent_id = $2 AND kind = 'org'", wc.ID, srv.ZoneID); n != 1 {
			t.Fatal("the working committee's node is not under the zone")
		}
		// A child of the zone-level committee names its park; its node is under the committee.
		joint := mustCreate(t, admin, map[string]any{"parent_id": wc.ID, "park_id": park.ID, "name": "五里园联合党支部",
			"kind": "joint_branch", "enterprise_ids": []string{ent2, ent1}, "founded_on": "2021-07-01", "term_ends_on": "2024-07-01"})
		if *joint.ParkID != park.ID || *joint.ParentID != wc.ID || !slices.Equal(joint.EnterpriseIDs, sorted(ent1, ent2)) {
			t.Fatalf("joint branch %+v", joint)
		}
		if got, err := admin.GetOrg(ctx, joint.ID); err != nil || !slices.Equal(got.EnterpriseIDs, sorted(ent1, ent2)) {
			t.Fatalf("get joint branch: %+v %v", got, err)
		}
		if n := srv.Count("scope_nodes", "id = $1 AND parent_id = $2", joint.ID, wc.ID); n != 1 {
			t.Fatal("the joint branch's node is not under the committee")
		}
		// Under a park-level parent the park comes from the parent.
		committee := mustCreate(t, admin, map[string]any{"park_id": park.ID, "name": "五里园党委", "kind": "committee"})
		branch := mustCreate(t, admin, map[string]any{"parent_id": committee.ID, "name": "成达齿轮党支部", "kind": "branch", "has_committee": true})
		if branch.ParkID == nil || *branch.ParkID != park.ID || !branch.HasCommittee {
			t.Fatalf("branch %+v", branch)
		}

		srv.Person(srv.ZoneID, "陈明", ent1, branch.ID, "full")
		sec := srv.Person(srv.ZoneID, "林芳", ent1, branch.ID, "probationary")
		got, err := admin.GetOrg(ctx, branch.ID)
		if err != nil || got.MemberCount != (client.OrgMemberCount{Full: 1, Probationary: 1}) || got.Warnings == nil {
			t.Fatalf("get: %+v %v", got, err)
		}
		_, hdr, body := testenv.Raw(t, admin, "GET", "/api/v1/orgs/"+branch.ID, "", nil)
		if hdr.Get("ETag") != `"1"` || !strings.Contains(body, `"warnings":[`) {
			t.Fatalf("ETag %q body %s", hdr.Get("ETag"), body)
		}
		up, err := admin.UpdateOrg(ctx, branch.ID, map[string]any{"name": "成达齿轮第一党支部", "secretary_id": sec,
			"founded_on": "2020-01-01", "term_ends_on": "2023-01-01", "has_committee": false}, 1)
		if err != nil || up.Version != 2 || up.Name != "成达齿轮第一党支部" || *up.SecretaryID != sec || *up.SecretaryName != "林芳" ||
			*up.TermEndsOn != "2023-01-01" || up.HasCommittee {
			t.Fatalf("update: %+v %v", up, err)
		}
		if n := srv.Count("scope_nodes", "id = $1 AND name = $2", branch.ID, "成达齿轮第一党支部"); n != 1 {
			t.Fatal("node not renamed")
		}
		// An empty string clears; the same values again change nothing.
		up, err = admin.UpdateOrg(ctx, branch.ID, map[string]any{"secretary_id": "", "term_ends_on": ""}, 2)
		if err != nil || up.Version != 3 || up.SecretaryID != nil || up.TermEndsOn != nil || up.SecretaryName != nil {
			t.Fatalf("clearing: %+v %v", up, err)
		}
		same, err := admin.UpdateOrg(ctx, branch.ID, map[string]any{"name": up.Name, "parent_id": committee.ID, "park_id": park.ID}, 3)
		if err != nil || same.Version != 3 {
			t.Fatalf("a patch changing nothing: %+v %v", same, err)
		}
		_, err = admin.UpdateOrg(ctx, branch.ID, map[string]any{"name": "stale"}, 1)
		testenv.WantStatus(t, err, 412)
		if n := srv.Count("audit_log", "entity = 'org' AND entity_id = $1", branch.ID); n != 3 {
			t.Fatalf("%d audit entries for the branch, want create and two updates", n)
		}

		// Delete: refused while people are attached, then allowed.
		testenv.WantStatus(t, admin.DeleteOrg(ctx, joint.ID, 5), 412)
		if err := admin.DeleteOrg(ctx, joint.ID, 1); err != nil {
			t.Fatal(err)
		}
		if srv.Count("org_enterprises", "org_id = $1", joint.ID) != 0 || srv.Count("scope_nodes", "id = $1", joint.ID) != 0 {
			t.Fatal("delete left rows behind")
		}
		_, err = admin.GetOrg(ctx, joint.ID)
		testenv.WantStatus(t, err, 404)
		if n := srv.Count("audit_log", "entity = 'org' AND entity_id = $1 AND action = 'delete'", joint.ID); n != 1 {
			t.Fatal("delete not audited")
		}
	})
}

func TestOrgDeleteConflicts(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		park := srv.Park("安东园", "andong")
		parent := mustCreate(t, admin, map[string]any{"park_id": park.ID, "name": "安东园党委", "kind": "committee"})
		child := mustCreate(t, admin, map[string]any{"parent_id": parent.ID, "name": "盼盼饮料党支部", "kind": "branch"})
		err := admin.DeleteOrg(ctx, parent.ID, 0)
		testenv.WantStatus(t, err, 409)
		if !strings.Contains(testenv.Problem(err).Detail, "下级组织") {
			t.Fatalf("detail %q", testenv.Problem(err).Detail)
		}
		person := srv.Person(srv.ZoneID, "王强", "", child.ID, "full")
		err = admin.DeleteOrg(ctx, child.ID, 0)
		testenv.WantStatus(t, err, 409)
		if !strings.Contains(testenv.Problem(err).Detail, "1 名人员") {
			t.Fatalf("detail %q", testenv.Problem(err).Detail)
		}
		if _, err := srv.DB.W.Exec(`UPDATE people SET org_id = NULL WHERE id = $1`, person); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.DB.W.Exec(`INSERT INTO alliances (id, zone_id, park_id, name, lead_org_id, search_key, created_at, updated_at)
			VALUES ('al1', $1, $2, '安东园党建联盟', $3, 'x', 0, 0)`, srv.ZoneID, park.ID, child.ID); err != nil {
			t.Fatal(err)
		}
		testenv.WantStatus(t, admin.DeleteOrg(ctx, child.ID, 0), 409)
		if _, err := srv.DB.W.Exec(`UPDATE alliances SET lead_org_id = NULL`); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.DB.W.Exec(`INSERT INTO workshops (id, zone_id, enterprise_id, org_id, name, search_key, created_at, updated_at)
			VALUES ('w1', $1, $2, $3, '红色车间', 'x', 0, 0)`, srv.ZoneID, srv.Enterprise(park.ID, "盼盼饮料"), child.ID); err != nil {
			t.Fatal(err)
		}
		testenv.WantStatus(t, admin.DeleteOrg(ctx, child.ID, 0), 409)
		if _, err := srv.DB.W.Exec(`DELETE FROM workshops`); err != nil {
			t.Fatal(err)
		}
		// A secretary granted on the branch loses the grant with it (audited).
		sec := srv.User("sec", access.OrgSecretary, child.ID)
		if err := admin.DeleteOrg(ctx, child.ID, 0); err != nil {
			t.Fatal(err)
		}
		if srv.Count("grants", "scope_id = $1", child.ID) != 0 || srv.Count("audit_log", "entity = 'grant' AND action = 'delete'") != 1 {
			t.Fatal("the grant on the deleted branch was not removed and audited")
		}
		_, err = sec.ListOrgs(ctx, nil)
		testenv.WantStatus(t, err, 403)
		if err := admin.DeleteOrg(ctx, parent.ID, 0); err != nil {
			t.Fatal(err)
		}
	})
}

func TestOrgBadInputChangesNothing(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		wuli, andong := srv.Park("五里园", "wuli"), srv.Park("安东园", "andong")
		entW, entA := srv.Enterprise(wuli.ID, "成达齿轮"), srv.Enterprise(andong.ID, "盼盼饮料")
		other := srv.Zone("另一开发区")
		var otherPark string
		if err := srv.DB.R.QueryRow(`SELECT id FROM scope_nodes WHERE zone_id = $1`, other).Scan(&otherPark); err != nil {
			t.Fatal(err)
		}
		wc := mustCreate(t, admin, map[string]any{"name": "党工委", "kind": "working_committee"})
		committee := mustCreate(t, admin, map[string]any{"park_id": wuli.ID, "name": "五里园党委", "kind": "committee"})
		branch := mustCreate(t, admin, map[string]any{"parent_id": committee.ID, "name": "成达党支部", "kind": "branch", "enterprise_ids": []string{entW}})
		deep := mustCreate(t, admin, map[string]any{"parent_id": branch.ID, "name": "成达第一党小组支部", "kind": "branch"})
		member := srv.Person(srv.ZoneID, "陈明", entW, branch.ID, "full")
		elsewhere := srv.Person(srv.ZoneID, "林芳", entW, committee.ID, "full")
		worker := srv.Person(srv.ZoneID, "王强", entW, "", "")
		many := make([]string, 201)
		for i := range many {
			many[i] = fmt.Sprintf("e%d", i)
		}
		counts := func() [4]int {
			return [4]int{srv.Count("orgs"), srv.Count("org_enterprises"), srv.Count("audit_log"), srv.Count("scope_nodes")}
		}
		before := counts()
		paths := func() string {
			var out []string
			rows, err := srv.DB.R.Query(`SELECT id, path FROM scope_nodes ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var id, p string
				if err := rows.Scan(&id, &p); err != nil {
					t.Fatal(err)
				}
				out = append(out, id+p)
			}
			return strings.Join(out, ",")
		}
		pathsBefore := paths()
		post := func(extra map[string]any) map[string]any {
			b := map[string]any{"park_id": wuli.ID, "name": "新支部", "kind": "branch"}
			for k, v := range extra {
				if v == nil {
					delete(b, k)
				} else {
					b[k] = v
				}
			}
			return b
		}
		type tc struct {
			name        string
			method, id  string
			body        map[string]any
			status      int
			field, code string
			text        string
		}
		cases := []tc{
			{"missing kind", "POST", "", post(map[string]any{"kind": nil}), 422, "kind", "required", "类型"},
			{"unknown kind", "POST", "", post(map[string]any{"kind": "cell"}), 422, "kind", "unknown_value", "类型"},
			{"missing name", "POST", "", post(map[string]any{"name": nil}), 422, "name", "required", "名称"},
			{"long name", "POST", "", post(map[string]any{"name": strings.Repeat("支", 101)}), 422, "name", "too_long", "100"},
			{"working committee with a park", "POST", "", map[string]any{"name": "x", "kind": "working_committee", "park_id": wuli.ID}, 422, "park_id", "zone_level_only", "党工委"},
			{"working committee with a parent", "POST", "", map[string]any{"name": "x", "kind": "working_committee", "parent_id": wc.ID, "zone_id": srv.ZoneID}, 422, "parent_id", "zone_level_only", "党工委"},
			{"working committee covering enterprises", "POST", "", map[string]any{"name": "x", "kind": "working_committee", "enterprise_ids": []string{entW}}, 422, "enterprise_ids", "zone_level_only", ""},
			{"branch without a park", "POST", "", post(map[string]any{"park_id": nil, "zone_id": srv.ZoneID}), 422, "park_id", "required", "园区"},
			{"child of the working committee without a park", "POST", "", post(map[string]any{"park_id": nil, "parent_id": wc.ID}), 422, "park_id", "required", "园区"},
			{"unknown park", "POST", "", post(map[string]any{"park_id": "nope", "zone_id": srv.ZoneID}), 422, "park_id", "unknown_value", ""},
			{"park of another zone", "POST", "", post(map[string]any{"park_id": otherPark}), 422, "", "", ""},
			{"a zone as the park", "POST", "", post(map[string]any{"park_id": srv.ZoneID}), 422, "park_id", "unknown_value", ""},
			{"an enterprise as the park", "POST", "", post(map[string]any{"park_id": entW}), 422, "park_id", "unknown_value", ""},
			{"unknown parent", "POST", "", post(map[string]any{"parent_id": "nope"}), 422, "parent_id", "unknown_value", ""},
			{"a park as the parent", "POST", "", post(map[string]any{"parent_id": andong.ID}), 422, "parent_id", "unknown_value", ""},
			{"parent in another park", "POST", "", post(map[string]any{"parent_id": committee.ID, "park_id": andong.ID}), 422, "park_id", "parent_park_mismatch", "同一园区"},
			{"bad founded_on", "POST", "", post(map[string]any{"founded_on": "2021-13-01"}), 422, "founded_on", "invalid_date", "成立日期"},
			{"slashed date", "POST", "", post(map[string]any{"founded_on": "2021/07/01"}), 422, "founded_on", "invalid_date", ""},
			{"short date", "POST", "", post(map[string]any{"term_ends_on": "2024-7-1"}), 422, "term_ends_on", "invalid_date", ""},
			{"date with time", "POST", "", post(map[string]any{"term_ends_on": "2024-07-01T00:00:00Z"}), 422, "term_ends_on", "invalid_date", ""},
			{"year zero", "POST", "", post(map[string]any{"founded_on": "0001-01-01"}), 422, "founded_on", "invalid_date", ""},
			{"term before founded", "POST", "", post(map[string]any{"founded_on": "2021-07-01", "term_ends_on": "2021-06-30"}), 422, "term_ends_on", "term_before_founded", "晚于"},
			{"term on the founding day", "POST", "", post(map[string]any{"founded_on": "2021-07-01", "term_ends_on": "2021-07-01"}), 422, "term_ends_on", "term_before_founded", ""},
			{"enterprise of another park", "POST", "", post(map[string]any{"enterprise_ids": []string{entW, entA}}), 422, "enterprise_ids", "enterprise_other_park", "第 2 个企业（" + entA + "）"},
			{"unknown enterprise", "POST", "", post(map[string]any{"enterprise_ids": []string{"nope"}}), 422, "enterprise_ids", "unknown_enterprise", "第 1 个企业（nope）"},
			{"a park as an enterprise", "POST", "", post(map[string]any{"enterprise_ids": []string{wuli.ID}}), 422, "enterprise_ids", "unknown_enterprise", ""},
			{"repeated enterprise", "POST", "", post(map[string]any{"enterprise_ids": []string{entW, entW}}), 422, "enterprise_ids", "duplicate_item", "第 2 项"},
			{"empty enterprise id", "POST", "", post(map[string]any{"enterprise_ids": []string{""}}), 422, "enterprise_ids", "duplicate_item", ""},
			{"too many enterprises", "POST", "", post(map[string]any{"enterprise_ids": many}), 422, "enterprise_ids", "too_many", "200"},
			{"secretary on create", "POST", "", post(map[string]any{"secretary_id": member}), 422, "secretary_id", "not_member", "书记"},
			{"enterprise ids as a string", "POST", "", post(map[string]any{"enterprise_ids": "x"}), 400, "enterprise_ids", "wrong_type", ""},
			{"has_committee as a string", "POST", "", post(map[string]any{"has_committee": "yes"}), 400, "has_committee", "wrong_type", ""},
			{"unknown field", "POST", "", post(map[string]any{"secretary": "x"}), 400, "secretary", "unknown_field", ""},
			{"sample is read-only", "POST", "", post(map[string]any{"sample": true}), 400, "sample", "unknown_field", ""},
			{"patch parent onto itself", "PATCH", branch.ID, map[string]any{"parent_id": branch.ID}, 422, "parent_id", "cycle", "自身"},
			{"patch parent onto a child", "PATCH", branch.ID, map[string]any{"parent_id": deep.ID}, 422, "parent_id", "cycle", ""},
			{"patch parent onto a grandchild", "PATCH", committee.ID, map[string]any{"parent_id": deep.ID}, 422, "parent_id", "cycle", ""},
			{"patch to working committee", "PATCH", branch.ID, map[string]any{"kind": "working_committee"}, 422, "kind", "working_committee_fixed", ""},
			{"patch working committee kind", "PATCH", wc.ID, map[string]any{"kind": "committee"}, 422, "kind", "working_committee_fixed", ""},
			{"move the working committee", "PATCH", wc.ID, map[string]any{"park_id": wuli.ID}, 422, "parent_id", "zone_level_only", ""},
			{"patch unknown kind", "PATCH", branch.ID, map[string]any{"kind": "cell"}, 422, "kind", "unknown_value", ""},
			{"patch secretary of another org", "PATCH", branch.ID, map[string]any{"secretary_id": elsewhere}, 422, "secretary_id", "not_member", ""},
			{"patch secretary not a member", "PATCH", branch.ID, map[string]any{"secretary_id": worker}, 422, "secretary_id", "not_member", ""},
			{"patch unknown secretary", "PATCH", branch.ID, map[string]any{"secretary_id": "nope"}, 422, "secretary_id", "not_member", ""},
			{"patch bad date", "PATCH", branch.ID, map[string]any{"term_ends_on": "tomorrow"}, 422, "term_ends_on", "invalid_date", ""},
			{"patch term before founded", "PATCH", branch.ID, map[string]any{"founded_on": "2021-07-01", "term_ends_on": "2020-07-01"}, 422, "term_ends_on", "term_before_founded", ""},
			{"patch enterprise of another park", "PATCH", branch.ID, map[string]any{"enterprise_ids": []string{entA}}, 422, "enterprise_ids", "enterprise_other_park", ""},
			{"patch empty name", "PATCH", branch.ID, map[string]any{"name": " "}, 422, "name", "required", ""},
			{"patch park under a park-level parent", "PATCH", branch.ID, map[string]any{"park_id": andong.ID}, 422, "park_id", "parent_park_mismatch", ""},
			{"patch clearing the park", "PATCH", committee.ID, map[string]any{"park_id": ""}, 422, "park_id", "required", ""},
			{"move covering enterprises of the old park", "PATCH", committee.ID, map[string]any{"park_id": andong.ID}, 422, "park_id", "enterprises_in_other_park", "1 家企业"},
			{"move a parent of such a branch", "PATCH", branch.ID, map[string]any{"parent_id": "", "park_id": andong.ID}, 422, "enterprise_ids", "enterprise_other_park", ""},
			{"patch unknown field", "PATCH", branch.ID, map[string]any{"member_count": 3}, 400, "member_count", "unknown_field", ""},
			{"patch missing org", "PATCH", "nope", map[string]any{"name": "x"}, 404, "", "", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var err error
				if c.method == "POST" {
					_, err = admin.CreateOrg(ctx, c.body)
				} else {
					_, err = admin.UpdateOrg(ctx, c.id, c.body, 0)
				}
				testenv.WantStatus(t, err, c.status)
				p := testenv.Problem(err)
				if c.field != "" && !slices.ContainsFunc(p.Errors, func(f client.FieldError) bool { return f.Field == c.field && f.Code == c.code }) {
					t.Fatalf("errors %+v lack %s/%s", p.Errors, c.field, c.code)
				}
				if c.text != "" && !strings.Contains(p.Detail+fmt.Sprint(p.Errors), c.text) {
					t.Fatalf("problem lacks %q: %+v", c.text, p)
				}
			})
		}
		for _, q := range []string{"kind=cell", "term_expired=maybe", "limit=0", "cursor=!!"} {
			status, _, body := testenv.Raw(t, admin, "GET", "/api/v1/orgs?"+q, "", nil)
			if status != 400 {
				t.Errorf("GET /api/v1/orgs?%s: %d %s", q, status, body)
			}
		}
		if status, _, body := testenv.Raw(t, admin, "GET", "/api/v1/reports/org-warnings?code=nope", "", nil); status != 400 || !strings.Contains(body, `"field":"code"`) {
			t.Errorf("report with an unknown code: %d %s", status, body)
		}
		if got := counts(); got != before {
			t.Fatalf("bad input changed rows: %v → %v", before, got)
		}
		if paths() != pathsBefore {
			t.Fatal("bad input changed the scope tree")
		}
		got, err := admin.GetOrg(ctx, branch.ID)
		if err != nil || got.Version != 1 || *got.ParentID != committee.ID || got.SecretaryID != nil {
			t.Fatalf("bad input changed the branch: %+v %v", got, err)
		}
	})
}

// A move takes the subtree to its new place: the secretary granted on the
// moved organisation keeps seeing it and its members, the old park's staff
// stop seeing it, the new park's start, and every organisation below gets
// the new park in the same transaction.
func TestOrgMoveSubtree(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		wuli, andong := srv.Park("五里园", "wuli"), srv.Park("安东园", "andong")
		a := mustCreate(t, admin, map[string]any{"park_id": wuli.ID, "name": "五里园党委", "kind": "committee"})
		b := mustCreate(t, admin, map[string]any{"parent_id": a.ID, "name": "机械行业党总支", "kind": "general_branch"})
		c := mustCreate(t, admin, map[string]any{"parent_id": b.ID, "name": "恒毅机械党支部", "kind": "branch"})
		for i := 0; i < 3; i++ {
			srv.Person(srv.ZoneID, fmt.Sprintf("党员%d", i), "", c.ID, "full")
		}
		srv.Person(srv.ZoneID, "预备党员", "", c.ID, "probationary")
		sec := srv.User("sec-b", access.OrgSecretary, b.ID)
		paWuli := srv.User("pa-wuli", access.ParkAdmin, wuli.ID)
		paAndong := srv.User("pa-andong", access.ParkAdmin, andong.ID)

		// The secretary may not move their organisation, nor change what it covers.
		_, err := sec.UpdateOrg(ctx, b.ID, map[string]any{"parent_id": "", "park_id": andong.ID}, 0)
		testenv.WantStatus(t, err, 403)
		_, err = sec.UpdateOrg(ctx, c.ID, map[string]any{"enterprise_ids": []string{srv.Enterprise(wuli.ID, "恒毅机械")}}, 0)
		testenv.WantStatus(t, err, 403)
		_, err = sec.UpdateOrg(ctx, c.ID, map[string]any{"kind": "joint_branch"}, 0)
		testenv.WantStatus(t, err, 403)
		// A park administrator cannot move into a park they cannot see.
		_, err = paWuli.UpdateOrg(ctx, b.ID, map[string]any{"parent_id": "", "park_id": andong.ID}, 0)
		testenv.WantStatus(t, err, 422)
		if srv.Count("orgs", "park_id = $1", andong.ID) != 0 {
			t.Fatal("refused moves changed parks")
		}

		moved, err := admin.UpdateOrg(ctx, b.ID, map[string]any{"parent_id": "", "park_id": andong.ID}, 1)
		if err != nil || moved.ParentID != nil || *moved.ParkID != andong.ID || moved.Version != 2 {
			t.Fatalf("move: %+v %v", moved, err)
		}
		cNow, err := admin.GetOrg(ctx, c.ID)
		if err != nil || *cNow.ParkID != andong.ID || cNow.Version != 2 || *cNow.ParentID != b.ID {
			t.Fatalf("the child did not follow: %+v %v", cNow, err)
		}
		if n := srv.Count("scope_nodes", "id = $1 AND path = $2", c.ID, "/"+srv.ZoneID+"/"+andong.ID+"/"+b.ID+"/"+c.ID+"/"); n != 1 {
			t.Fatal("the child's node did not move")
		}
		// People attached by org_id now lie under the new park.
		if n := srv.Count("people p JOIN scope_nodes n ON n.id = p.org_id", "n.path LIKE $1", "/"+srv.ZoneID+"/"+andong.ID+"/%"); n != 4 {
			t.Fatalf("%d people under the new park, want 4", n)
		}
		// The secretary still sees the moved organisation and its members.
		tr, err := sec.OrgTree(ctx, nil)
		if err != nil || !slices.Equal(treeIDs(tr), sorted(b.ID, c.ID)) {
			t.Fatalf("secretary's tree %+v %v", tr, err)
		}
		for _, n := range tr.Items {
			if n.ID == c.ID && n.Members != (client.OrgMemberCount{Full: 3, Probationary: 1}) {
				t.Fatalf("secretary sees members %+v", n.Members)
			}
		}
		if got, err := sec.GetOrg(ctx, c.ID); err != nil || got.MemberCount.Full != 3 {
			t.Fatalf("secretary reads the branch: %+v %v", got, err)
		}
		// The old park's administrator no longer sees the subtree; the new one does.
		for _, id := range []string{b.ID, c.ID} {
			_, err := paWuli.GetOrg(ctx, id)
			testenv.WantStatus(t, err, 404)
			if _, err := paAndong.GetOrg(ctx, id); err != nil {
				t.Fatalf("new park admin: %v", err)
			}
		}
		l, err := paWuli.ListOrgs(ctx, nil)
		if err != nil || !slices.Equal(ids(l.Items), []string{a.ID}) {
			t.Fatalf("old park admin lists %v %v", ids(l.Items), err)
		}
		l, err = paAndong.ListOrgs(ctx, nil)
		if err != nil || !slices.Equal(ids(l.Items), sorted(b.ID, c.ID)) {
			t.Fatalf("new park admin lists %v %v", ids(l.Items), err)
		}
		if n := srv.Count("audit_log", "entity = 'org' AND entity_id = $1 AND action = 'update' AND summary LIKE $2", b.ID, "%descendants_moved%"); n != 1 {
			t.Fatal("the move is not audited with its subtree")
		}

		// And back under the committee: the park follows from the parent.
		back, err := paWuli.UpdateOrg(ctx, b.ID, map[string]any{"parent_id": a.ID}, 0)
		testenv.WantStatus(t, err, 404) // the old park's admin cannot see it any more
		back, err = admin.UpdateOrg(ctx, b.ID, map[string]any{"parent_id": a.ID}, 2)
		if err != nil || *back.ParkID != wuli.ID || *back.ParentID != a.ID {
			t.Fatalf("move back: %+v %v", back, err)
		}
		if got, _ := admin.GetOrg(ctx, c.ID); *got.ParkID != wuli.ID {
			t.Fatal("the child did not come back")
		}
		// A park administrator moves within their park.
		if _, err := paWuli.UpdateOrg(ctx, c.ID, map[string]any{"parent_id": a.ID}, 0); err != nil {
			t.Fatalf("park admin moving within the park: %v", err)
		}
		// Deep cycle: the committee under its grandchild's child.
		_, err = admin.UpdateOrg(ctx, a.ID, map[string]any{"parent_id": c.ID}, 0)
		testenv.WantStatus(t, err, 422)
	})
}

// Concurrent opposite moves never make a cycle: the tree stays a tree and
// every node's path is its parent's path and its id.
func TestConcurrentMovesKeepATree(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		park := srv.Park("五里园", "wuli")
		a := mustCreate(t, admin, map[string]any{"park_id": park.ID, "name": "甲", "kind": "committee"})
		b := mustCreate(t, admin, map[string]any{"park_id": park.ID, "name": "乙", "kind": "committee"})
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(2)
			go func() { defer wg.Done(); admin.UpdateOrg(ctx, a.ID, map[string]any{"parent_id": b.ID}, 0) }()
			go func() { defer wg.Done(); admin.UpdateOrg(ctx, b.ID, map[string]any{"parent_id": a.ID}, 0) }()
		}
		wg.Wait()
		if n := srv.Count("orgs", "parent_id IS NULL"); n != 1 {
			t.Fatalf("%d roots: the two committees form a cycle", n)
		}
		if n := srv.Count("scope_nodes c JOIN scope_nodes p ON p.id = c.parent_id", "c.path <> p.path || c.id || '/'"); n != 0 {
			t.Fatalf("%d nodes whose path is not under their parent's", n)
		}
		if n := srv.Count("orgs o JOIN scope_nodes n ON n.id = o.id", "COALESCE(o.parent_id, o.park_id) <> n.parent_id"); n != 0 {
			t.Fatal("orgs and their nodes disagree on the parent")
		}
	})
}

func TestOrgListFiltersTreeAndSearch(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv, admin, wuli, andong := twoParks(t, dsn)
		e1, e2 := srv.Enterprise(andong.ID, "盼盼饮料"), srv.Enterprise(andong.ID, "蜡笔小新")
		wc := mustCreate(t, admin, map[string]any{"name": "晋江经济开发区党工委", "kind": "working_committee", "founded_on": "2010-01-01", "term_ends_on": day(-1)})
		food := mustCreate(t, admin, map[string]any{"parent_id": wc.ID, "park_id": andong.ID, "name": "安东园食品联合党支部", "kind": "joint_branch",
			"enterprise_ids": []string{e1, e2}, "term_ends_on": day(0)})
		mech := mustCreate(t, admin, map[string]any{"park_id": wuli.ID, "name": "五里园机械党委", "kind": "committee", "term_ends_on": day(400)})
		gear := mustCreate(t, admin, map[string]any{"parent_id": mech.ID, "name": "成达齿轮党支部", "kind": "branch"})
		srv.Person(srv.ZoneID, "甲", e1, food.ID, "full")
		srv.Person(srv.ZoneID, "乙", e1, food.ID, "probationary")

		list := func(c *client.Client, q url.Values) []string {
			t.Helper()
			l, err := c.ListOrgs(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if l.Total != len(l.Items) {
				t.Fatalf("total %d, %d items", l.Total, len(l.Items))
			}
			return ids(l.Items)
		}
		for q, want := range map[string][]string{
			"park_id=" + wuli.ID:     sorted(mech.ID, gear.ID),
			"park_id=" + andong.ID:   {food.ID},
			"parent_id=" + wc.ID:     {food.ID},
			"parent_id=" + mech.ID:   {gear.ID},
			"kind=branch":            {gear.ID},
			"kind=working_committee": {wc.ID},
			"term_expired=true":      {wc.ID},
			"term_expired=false":     sorted(food.ID, mech.ID, gear.ID),
			"q=食品":                   {food.ID},
			"q=齿轮":                   {gear.ID},
			"q=adyspl":               {food.ID}, // pinyin initials of 安东园食品联
			"q=chengda":              {gear.ID},
			"q=党委":                   {mech.ID}, // not 党工委
			"q=党工委":                  {wc.ID},
			"q=%25":                  nil,
			"q=不存在":                  nil,
			"kind=branch&q=chengda":  {gear.ID},
			"park_id=nope":           nil,
			"parent_id=" + andong.ID: nil,
			"term_expired=true&q=食品": nil,
		} {
			v, _ := url.ParseQuery(q)
			if got := list(admin, v); !slices.Equal(got, want) {
				t.Errorf("%s: %v, want %v", q, got, want)
			}
		}
		// Paging.
		l, err := admin.ListOrgs(ctx, url.Values{"limit": {"3"}})
		if err != nil || len(l.Items) != 3 || l.Total != 4 || l.NextCursor == nil {
			t.Fatalf("page 1: %+v %v", l, err)
		}
		l2, err := admin.ListOrgs(ctx, url.Values{"limit": {"3"}, "cursor": {*l.NextCursor}})
		if err != nil || len(l2.Items) != 1 || l2.NextCursor != nil {
			t.Fatalf("page 2: %+v %v", l2, err)
		}
		for _, o := range l.Items {
			if o.ID == food.ID && (o.MemberCount != client.OrgMemberCount{Full: 1, Probationary: 1} || len(o.EnterpriseIDs) != 2 || o.Warnings != nil) {
				t.Fatalf("listed %+v", o)
			}
		}

		// The tree: every node once, with its figures.
		tr, err := admin.OrgTree(ctx, nil)
		if err != nil || len(tr.Items) != 4 || tr.Truncated {
			t.Fatalf("tree %+v %v", tr, err)
		}
		byID := map[string]client.OrgTreeNode{}
		for _, n := range tr.Items {
			byID[n.ID] = n
		}
		if n := byID[food.ID]; n.Members.Full != 1 || n.Members.Probationary != 1 || n.Enterprises != 2 || n.Children != 0 || *n.ParentID != wc.ID {
			t.Fatalf("food node %+v", n)
		}
		if byID[wc.ID].Children != 1 || byID[mech.ID].Children != 1 || byID[wc.ID].ParentID != nil {
			t.Fatalf("children %+v", tr.Items)
		}
		if tr, _ := admin.OrgTree(ctx, url.Values{"park_id": {wuli.ID}}); !slices.Equal(treeIDs(tr), sorted(mech.ID, gear.ID)) {
			t.Fatalf("park tree %v", treeIDs(tr))
		}
		if tr, _ := admin.OrgTree(ctx, url.Values{"root_id": {mech.ID}}); !slices.Equal(treeIDs(tr), sorted(mech.ID, gear.ID)) {
			t.Fatalf("root tree %v", treeIDs(tr))
		}
		if tr, _ := admin.OrgTree(ctx, url.Values{"root_id": {wuli.ID}}); len(tr.Items) != 0 {
			t.Fatalf("a park as the root: %v", treeIDs(tr))
		}
		// The park administrator of Andong sees the working committee's child in their park, not the committee.
		pa := srv.User("pa-andong", access.ParkAdmin, andong.ID)
		if got := list(pa, nil); !slices.Equal(got, []string{food.ID}) {
			t.Fatalf("andong park admin lists %v", got)
		}
		if tr, _ := pa.OrgTree(ctx, nil); !slices.Equal(treeIDs(tr), []string{food.ID}) {
			t.Fatalf("andong park admin's tree %v", treeIDs(tr))
		}
		if tr, _ := pa.OrgTree(ctx, url.Values{"root_id": {wc.ID}}); !slices.Equal(treeIDs(tr), []string{food.ID}) {
			t.Fatalf("andong park admin's tree from the committee %v", treeIDs(tr))
		}
		// The secretary of the zone's working committee sees its subtree, not the park-level committees.
		sec := srv.User("sec-wc", access.OrgSecretary, wc.ID)
		if got := list(sec, nil); !slices.Equal(got, sorted(wc.ID, food.ID)) {
			t.Fatalf("committee secretary lists %v", got)
		}
		if got := list(sec, url.Values{"q": {"chengda"}}); len(got) != 0 {
			t.Fatal("search reaches outside the secretary's scope")
		}
	})
}

// Every route keeps to the caller's scope: a park administrator of another
// park, a secretary of another organisation and another zone's
// administrator neither see nor touch an organisation.
func TestOrgScope(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		srv.App.Orgs.Now = func() time.Time { return now }
		admin := srv.Admin()
		wuli, andong := srv.Park("五里园", "wuli"), srv.Park("安东园", "andong")
		entA := srv.Enterprise(andong.ID, "盼盼饮料")
		target := mustCreate(t, admin, map[string]any{"park_id": wuli.ID, "name": "恒毅机械党支部", "kind": "branch", "term_ends_on": day(-10)})
		mine := mustCreate(t, admin, map[string]any{"park_id": andong.ID, "name": "盼盼饮料党支部", "kind": "branch", "term_ends_on": day(-10)})
		other := srv.Zone("另一开发区")
		callers := map[string]*client.Client{
			"other park admin": srv.User("pa-andong", access.ParkAdmin, andong.ID),
			"other secretary":  srv.User("sec-mine", access.OrgSecretary, mine.ID),
			"other zone admin": srv.UserIn("oz-admin", other, access.ZoneAdmin, other),
			"member elsewhere": srv.User("member", access.Member, mine.ID),
		}
		for name, c := range callers {
			t.Run(name, func(t *testing.T) {
				_, err := c.GetOrg(ctx, target.ID)
				testenv.WantStatus(t, err, 404)
				_, err = c.UpdateOrg(ctx, target.ID, map[string]any{"name": "x"}, 0)
				if name == "member elsewhere" {
					testenv.WantStatus(t, err, 403) // holds org.update nowhere
				} else {
					testenv.WantStatus(t, err, 404)
				}
				if err := c.DeleteOrg(ctx, target.ID, 0); client.StatusOf(err) != 404 && client.StatusOf(err) != 403 {
					t.Fatalf("delete: %v", err)
				}
				l, err := c.ListOrgs(ctx, url.Values{"q": {"恒毅"}})
				if err != nil || l.Total != 0 {
					t.Fatalf("search finds %d (%v)", l.Total, err)
				}
				l, err = c.ListOrgs(ctx, nil)
				if err != nil || slices.Contains(ids(l.Items), target.ID) {
					t.Fatalf("list shows the row (%v)", err)
				}
				tr, err := c.OrgTree(ctx, url.Values{"root_id": {target.ID}})
				if err != nil || len(tr.Items) != 0 {
					t.Fatalf("tree shows %v (%v)", treeIDs(tr), err)
				}
				r, err := c.OrgWarnings(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range r.Items {
					if it.OrgID != nil && *it.OrgID == target.ID {
						t.Fatal("the report shows the row")
					}
				}
				_, err = c.CreateOrg(ctx, map[string]any{"parent_id": target.ID, "name": "x", "kind": "branch"})
				if s := client.StatusOf(err); s != 422 && s != 403 {
					t.Fatalf("create under it: %v", err)
				}
				_, err = c.CreateOrg(ctx, map[string]any{"park_id": wuli.ID, "name": "x", "kind": "branch"})
				if s := client.StatusOf(err); s != 422 && s != 403 {
					t.Fatalf("create in its park: %v", err)
				}
			})
		}
		// The Andong park admin may not take Wuli's enterprises, nor move an org onto Wuli's.
		pa := callers["other park admin"]
		_, err := pa.UpdateOrg(ctx, mine.ID, map[string]any{"parent_id": target.ID}, 0)
		testenv.WantStatus(t, err, 422)
		wuliEnt := srv.Enterprise(wuli.ID, "恒毅机械")
		_, err = pa.UpdateOrg(ctx, mine.ID, map[string]any{"enterprise_ids": []string{wuliEnt}}, 0)
		testenv.WantStatus(t, err, 422)
		if p := testenv.Problem(err); len(p.Errors) != 1 || p.Errors[0].Code != "unknown_enterprise" {
			t.Fatalf("an enterprise out of scope must look unknown: %+v", p.Errors)
		}
		if _, err := pa.UpdateOrg(ctx, mine.ID, map[string]any{"enterprise_ids": []string{entA}}, 0); err != nil {
			t.Fatalf("park admin covering an enterprise of their park: %v", err)
		}
		// A secretary updates their own organisation but may not delete it or create organisations.
		sec := callers["other secretary"]
		if _, err := sec.UpdateOrg(ctx, mine.ID, map[string]any{"name": "盼盼饮料第一党支部", "has_committee": true, "term_ends_on": "2027-01-01"}, 0); err != nil {
			t.Fatalf("secretary updating own org: %v", err)
		}
		testenv.WantStatus(t, sec.DeleteOrg(ctx, mine.ID, 0), 403)
		_, err = sec.CreateOrg(ctx, map[string]any{"parent_id": mine.ID, "name": "x", "kind": "branch"})
		testenv.WantStatus(t, err, 403)
		// A member reads but may not write.
		_, err = callers["member elsewhere"].UpdateOrg(ctx, mine.ID, map[string]any{"name": "x"}, 0)
		testenv.WantStatus(t, err, 403)
		if got, err := admin.GetOrg(ctx, target.ID); err != nil || got.Version != 1 {
			t.Fatalf("out-of-scope writes changed the org: %+v %v", got, err)
		}
	})
}
