package orgsapi_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/testenv"
)

// members adds n party members of status to org, all in recent contact
// (so that only the rule under test fires), and returns their ids.
func members(t *testing.T, srv *testenv.Server, org, enterprise, status string, n int) []string {
	t.Helper()
	var out []string
	for i := 0; i < n; i++ {
		id := srv.Person(srv.ZoneID, fmt.Sprintf("党员%d", i), enterprise, org, status)
		if _, err := srv.DB.W.Exec(`UPDATE people SET last_contact_on = $1 WHERE id = $2`, day(0), id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

func codes(ws []client.OrgWarning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Code)
	}
	return out
}

func warningsOf(t *testing.T, c *client.Client, id string) []client.OrgWarning {
	t.Helper()
	o, err := c.GetOrg(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return o.Warnings
}

func param(w client.OrgWarning, k string) any {
	v := w.Params[k]
	if f, ok := v.(float64); ok {
		return int(f)
	}
	return v
}

// twoParks starts a server on the warning tests' clock with two parks.
func twoParks(t *testing.T, dsn string) (*testenv.Server, *client.Client, client.Park, client.Park) {
	srv := testenv.Start(t, dsn)
	srv.App.Orgs.Now = func() time.Time { return now }
	return srv, srv.Admin(), srv.Park("五里园", "wuli"), srv.Park("安东园", "andong")
}

// Each rule fires exactly at its threshold.
func TestOrgWarningThresholds(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		srv.App.Orgs.Now = func() time.Time { return now }
		admin := srv.Admin()
		park := srv.Park("五里园", "wuli")
		newOrg := func(name, kind string, extra map[string]any) client.Org {
			b := map[string]any{"park_id": park.ID, "name": name, "kind": kind}
			for k, v := range extra {
				b[k] = v
			}
			return mustCreate(t, admin, b)
		}

		t.Run("branch_too_large at 51", func(t *testing.T) {
			b := newOrg("大支部", "branch", map[string]any{"has_committee": true})
			members(t, srv, b.ID, "", "full", 45)
			members(t, srv, b.ID, "", "probationary", 5)
			if ws := warningsOf(t, admin, b.ID); len(ws) != 0 {
				t.Fatalf("50 members: %v", codes(ws))
			}
			members(t, srv, b.ID, "", "probationary", 1)
			ws := warningsOf(t, admin, b.ID)
			if !slices.Equal(codes(ws), []string{"branch_too_large"}) || param(ws[0], "members") != 51 || param(ws[0], "max") != 50 {
				t.Fatalf("51 members: %+v", ws)
			}
			// A general branch of the same size is not a branch.
			g := newOrg("党总支", "general_branch", nil)
			members(t, srv, g.ID, "", "full", 51)
			if ws := warningsOf(t, admin, g.ID); len(ws) != 0 {
				t.Fatalf("general branch: %v", codes(ws))
			}
		})

		t.Run("committee_required at 7", func(t *testing.T) {
			b := newOrg("七人支部", "joint_branch", nil)
			members(t, srv, b.ID, "", "full", 5)
			members(t, srv, b.ID, "", "probationary", 1)
			if ws := warningsOf(t, admin, b.ID); len(ws) != 0 {
				t.Fatalf("6 members: %v", codes(ws))
			}
			members(t, srv, b.ID, "", "full", 1)
			ws := warningsOf(t, admin, b.ID)
			if !slices.Equal(codes(ws), []string{"committee_required"}) || param(ws[0], "members") != 7 || param(ws[0], "min") != 7 {
				t.Fatalf("7 members: %+v", ws)
			}
			// People who are not party members do not count.
			srv.Person(srv.ZoneID, "群众", "", b.ID, "")
			if _, err := admin.UpdateOrg(ctx, b.ID, map[string]any{"has_committee": true}, 0); err != nil {
				t.Fatal(err)
			}
			if ws := warningsOf(t, admin, b.ID); len(ws) != 0 {
				t.Fatalf("with a committee: %v", codes(ws))
			}
		})

		t.Run("terms at 89, 90, 91 days and overdue", func(t *testing.T) {
			for _, c := range []struct {
				offset int
				want   []string
				key    string
				value  int
			}{
				{-1, []string{"term_overdue"}, "days_overdue", 1},
				{-400, []string{"term_overdue"}, "days_overdue", 400},
				{0, []string{"term_ending"}, "days_left", 0},
				{89, []string{"term_ending"}, "days_left", 89},
				{90, []string{"term_ending"}, "days_left", 90},
				{91, nil, "", 0},
			} {
				o := newOrg(fmt.Sprintf("届满%d", c.offset), "committee", map[string]any{"founded_on": "2000-01-01", "term_ends_on": day(c.offset)})
				ws := warningsOf(t, admin, o.ID)
				if !slices.Equal(codes(ws), c.want) {
					t.Fatalf("term in %d days: %v, want %v", c.offset, codes(ws), c.want)
				}
				if c.key != "" && (param(ws[0], c.key) != c.value || param(ws[0], "term_ends_on") != day(c.offset)) {
					t.Fatalf("term in %d days: params %v", c.offset, ws[0].Params)
				}
			}
			// The clock moves on: what ended yesterday was ending the day before.
			o := newOrg("昨日届满", "committee", map[string]any{"term_ends_on": day(-1)})
			srv.App.Orgs.Now = func() time.Time { return now.AddDate(0, 0, -2) }
			if ws := warningsOf(t, admin, o.ID); !slices.Equal(codes(ws), []string{"term_ending"}) || param(ws[0], "days_left") != 1 {
				t.Fatalf("two days earlier: %+v", ws)
			}
			srv.App.Orgs.Now = func() time.Time { return now }
		})

		t.Run("members out of contact for 6 months", func(t *testing.T) {
			o := newOrg("失联支部", "branch", nil)
			ids := members(t, srv, o.ID, "", "full", 5)
			sixMonths := now.AddDate(0, -6, 0).Format(time.DateOnly)
			older := now.AddDate(0, -6, -1).Format(time.DateOnly)
			for i, set := range []string{
				`last_contact_on = '` + sixMonths + `'`,                   // exactly 6 months: not yet
				`last_contact_on = '` + older + `'`,                       // a day more: flagged
				`last_contact_on = NULL, joined_on = '` + older + `'`,     // never in contact since joining long ago: flagged
				`last_contact_on = NULL, joined_on = '` + sixMonths + `'`, // joined 6 months ago: not yet
			} {
				if _, err := srv.DB.W.Exec(`UPDATE people SET `+set+` WHERE id = $1`, ids[i]); err != nil {
					t.Fatal(err)
				}
			}
			ws := warningsOf(t, admin, o.ID)
			if !slices.Equal(codes(ws), []string{"members_out_of_contact"}) || param(ws[0], "count") != 2 || param(ws[0], "months") != 6 {
				t.Fatalf("out of contact: %+v", ws)
			}
		})

		t.Run("enterprise_needs_org at 3 full members", func(t *testing.T) {
			ent := srv.Enterprise(park.ID, "好来屋")
			for i := 0; i < 2; i++ {
				srv.Person(srv.ZoneID, "正式", ent, "", "full")
			}
			for i := 0; i < 4; i++ {
				srv.Person(srv.ZoneID, "预备", ent, "", "probationary")
			}
			report := func() []client.OrgWarningItem {
				r, err := admin.OrgWarnings(ctx, url.Values{"code": {"enterprise_needs_org"}})
				if err != nil {
					t.Fatal(err)
				}
				return r.Items
			}
			if r := report(); len(r) != 0 {
				t.Fatalf("2 full members: %+v", r)
			}
			srv.Person(srv.ZoneID, "正式", ent, "", "full")
			r := report()
			if len(r) != 1 || *r[0].EnterpriseID != ent || *r[0].EnterpriseName != "好来屋" || r[0].OrgID != nil ||
				*r[0].ParkID != park.ID || r[0].Params["full_members"] != float64(3) {
				t.Fatalf("3 full members: %+v", r)
			}
			newOrg("好来屋党支部", "branch", map[string]any{"enterprise_ids": []string{ent}})
			if r := report(); len(r) != 0 {
				t.Fatalf("covered by an organisation: %+v", r)
			}
		})
	})
}

// The report lists every warning in scope, paged, filtered by park and
// code, and nothing outside the caller's scope.
func TestOrgWarningsReport(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv, admin, wuli, andong := twoParks(t, dsn)
		var wuliOrgs, andongOrgs []string
		for i := 0; i < 3; i++ {
			o := mustCreate(t, admin, map[string]any{"park_id": wuli.ID, "name": fmt.Sprintf("五里支部%d", i), "kind": "branch", "term_ends_on": day(-i - 1)})
			wuliOrgs = append(wuliOrgs, o.ID)
			o = mustCreate(t, admin, map[string]any{"park_id": andong.ID, "name": fmt.Sprintf("安东支部%d", i), "kind": "branch", "term_ends_on": day(i + 1)})
			andongOrgs = append(andongOrgs, o.ID)
		}
		members(t, srv, andongOrgs[0], "", "full", 7)
		ent := srv.Enterprise(wuli.ID, "泉森木业")
		for i := 0; i < 3; i++ {
			srv.Person(srv.ZoneID, "木业党员", ent, "", "full")
		}
		all := func(c *client.Client, q url.Values) []client.OrgWarningItem {
			t.Helper()
			var out []client.OrgWarningItem
			q.Set("limit", "2")
			for pages := 0; ; pages++ {
				r, err := c.OrgWarnings(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, r.Items...)
				if r.NextCursor == nil {
					if r.Total != len(out) {
						t.Fatalf("total %d, %d items", r.Total, len(out))
					}
					return out
				}
				q.Set("cursor", *r.NextCursor)
				if pages > 20 {
					t.Fatal("paging does not end")
				}
			}
		}
		summary := func(items []client.OrgWarningItem) []string {
			var out []string
			for _, it := range items {
				id := it.OrgID
				if id == nil {
					id = it.EnterpriseID
				}
				out = append(out, it.Code+":"+*id)
			}
			return out
		}
		var want []string
		want = append(want, "committee_required:"+andongOrgs[0], "enterprise_needs_org:"+ent)
		for _, id := range andongOrgs {
			want = append(want, "term_ending:"+id)
		}
		for _, id := range wuliOrgs {
			want = append(want, "term_overdue:"+id)
		}
		got := summary(all(admin, url.Values{}))
		if !slices.Equal(got, want) {
			t.Fatalf("report:\n%v\nwant\n%v", got, want)
		}
		if got := summary(all(admin, url.Values{"park_id": {wuli.ID}})); len(got) != 4 || !strings.HasPrefix(got[0], "enterprise_needs_org") {
			t.Fatalf("wuli report %v", got)
		}
		if got := summary(all(admin, url.Values{"code": {"term_overdue"}})); len(got) != 3 {
			t.Fatalf("overdue report %v", got)
		}
		// Scope: Andong's park admin sees Andong's only; a secretary their own organisation's.
		pa := srv.User("pa-andong", access.ParkAdmin, andong.ID)
		if got := summary(all(pa, url.Values{})); len(got) != 4 || slices.ContainsFunc(got, func(s string) bool {
			return strings.Contains(s, ent) || slices.ContainsFunc(wuliOrgs, func(id string) bool { return strings.Contains(s, id) })
		}) {
			t.Fatalf("andong park admin's report %v", got)
		}
		sec := srv.User("sec", access.OrgSecretary, andongOrgs[0])
		if got := summary(all(sec, url.Values{})); !slices.Equal(got, []string{"committee_required:" + andongOrgs[0], "term_ending:" + andongOrgs[0]}) {
			t.Fatalf("secretary's report %v", got)
		}
		other := srv.Zone("另一开发区")
		oz := srv.UserIn("oz-admin", other, access.ZoneAdmin, other)
		if got := all(oz, url.Values{}); len(got) != 0 {
			t.Fatalf("another zone's admin sees %v", summary(got))
		}
		nobody := srv.User("nobody", "", "")
		_, err := nobody.OrgWarnings(ctx, nil)
		testenv.WantStatus(t, err, 403)
	})
}

// Get reads an organisation, its decorations and its warnings in one
// statement: for organisations of every kind, size, committee, term and
// contact, its answer equals what the list's decorations and the report's
// rules (the SQL they were computed by before) give for that organisation,
// and a caller outside its scope still gets 404.
func TestOrgGetWarningsMatchReport(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv, admin, wuli, andong := twoParks(t, dsn)
		var ents []string
		for i := 0; i < 4; i++ {
			ents = append(ents, srv.Enterprise(wuli.ID, fmt.Sprintf("企业%d", i)))
		}
		old := now.AddDate(0, -6, -1).Format(time.DateOnly)
		sixMonths := now.AddDate(0, -6, 0).Format(time.DateOnly)
		contact := []string{ // flagged, flagged, not yet
			`last_contact_on = '` + old + `'`,
			`last_contact_on = NULL, joined_on = '` + old + `'`,
			`last_contact_on = '` + sixMonths + `'`,
		}
		var made []string
		for i := 0; i < 24; i++ {
			kind := []string{"branch", "joint_branch", "general_branch", "committee"}[i%4]
			park := wuli.ID
			if i%5 == 4 {
				park = andong.ID
			}
			b := map[string]any{"park_id": park, "name": fmt.Sprintf("组织%d", i), "kind": kind, "has_committee": i%3 == 0}
			if i%4 != 3 {
				b["term_ends_on"] = day([]int{-30, -1, 0, 45, 90, 91, 400}[i%7])
			}
			switch i {
			case 0: // a branch
				b["enterprise_ids"] = ents[:1]
			case 1: // a joint branch covers several
				b["enterprise_ids"] = ents[1:]
			}
			o := mustCreate(t, admin, b)
			made = append(made, o.ID)
			full := members(t, srv, o.ID, "", "full", []int{0, 2, 6, 7, 49, 51}[i%6])
			members(t, srv, o.ID, "", "probationary", i%3)
			srv.Person(srv.ZoneID, "群众", "", o.ID, "")
			for j := 0; j < i%4 && j < len(full); j++ {
				if _, err := srv.DB.W.Exec(`UPDATE people SET `+contact[j]+` WHERE id = $1`, full[j]); err != nil {
					t.Fatal(err)
				}
			}
			if len(full) > 0 && i%2 == 0 {
				if _, err := admin.UpdateOrg(ctx, o.ID, map[string]any{"secretary_id": full[0]}, 0); err != nil {
					t.Fatal(err)
				}
			}
		}
		listed := map[string]client.Org{}
		for q := (url.Values{"limit": {"100"}}); ; {
			l, err := admin.ListOrgs(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range l.Items {
				listed[o.ID] = o
			}
			if l.NextCursor == nil {
				break
			}
			q.Set("cursor", *l.NextCursor)
		}
		report := map[string][]client.OrgWarning{}
		for q := (url.Values{"limit": {"100"}}); ; {
			r, err := admin.OrgWarnings(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range r.Items {
				if it.OrgID != nil {
					report[*it.OrgID] = append(report[*it.OrgID], client.OrgWarning{Code: it.Code, Params: it.Params})
				}
			}
			if r.NextCursor == nil {
				break
			}
			q.Set("cursor", *r.NextCursor)
		}
		seen := map[string]bool{}
		for _, id := range made {
			got, err := admin.GetOrg(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			want := listed[id]
			want.Warnings = report[id]
			if want.Warnings == nil {
				want.Warnings = []client.OrgWarning{}
			}
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			if string(g) != string(w) {
				t.Fatalf("get %s:\n%s\nlist and report:\n%s", id, g, w)
			}
			for _, w := range got.Warnings {
				seen[w.Code] = true
			}
			if got.SecretaryName != nil {
				seen["secretary"] = true
			}
			if len(got.EnterpriseIDs) > 1 {
				seen["enterprises"] = true
			}
		}
		for _, c := range []string{"branch_too_large", "committee_required", "members_out_of_contact", "term_ending", "term_overdue", "secretary", "enterprises"} {
			if !seen[c] {
				t.Errorf("no organisation shows %s: the comparison proves little", c)
			}
		}
		// Scope: Andong's park admin reads Andong's organisations, not Wuli's.
		pa := srv.User("pa-andong", access.ParkAdmin, andong.ID)
		for i, id := range made {
			_, err := pa.GetOrg(ctx, id)
			if i%5 == 4 {
				if err != nil {
					t.Fatalf("andong's org %d: %v", i, err)
				}
			} else {
				testenv.WantStatus(t, err, 404)
			}
		}
	})
}
