package orgsapi_test

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"tongxin/internal/client"
	tt "tongxin/internal/tabular/tabulartest"
	"tongxin/internal/testenv"
)

var orgHeader = []string{"组织名称", "组织类型", "上级组织", "所属园区", "覆盖企业", "成立日期", "任期届满日期", "已设支委会"}

func importOrgs(t *testing.T, c *client.Client, ct string, file []byte, query string) (int, tt.Problem, client.ImportResult) {
	t.Helper()
	return tt.Upload(t, c, "/api/v1/orgs/import"+query, ct, file, "")
}

// orgCounts are the rows an import may write.
func orgCounts(srv *testenv.Server) [4]int {
	return [4]int{srv.Count("orgs"), srv.Count("scope_nodes"), srv.Count("org_enterprises"), srv.Count("audit_log")}
}

func usccOf(t *testing.T, c *client.Client, id string) string {
	t.Helper()
	e, err := c.GetEnterprise(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return e.USCC
}

// byName returns the organisations of the caller's list by name.
func byName(t *testing.T, c *client.Client, q url.Values) map[string]client.Org {
	t.Helper()
	list, err := c.ListOrgs(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]client.Org{}
	for _, o := range list.Items {
		out[o.Name] = o
	}
	return out
}

func TestOrgRosterTemplate(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		wuli, andong := srv.Park("五里园", "wuli"), srv.Park("安东园", "andong")
		committee := srv.Org(wuli.ID, wuli.ID, "五里园党委", "committee")
		srv.Org(committee, wuli.ID, "成达党支部", "branch")
		srv.Org(andong.ID, andong.ID, "安东园党委", "committee")
		parkAdmin := srv.User("wuli-admin", "park_admin", wuli.ID)

		hdr, b := tt.Download(t, parkAdmin, "/api/v1/orgs/template")
		if strings.Join(hdr["Content-Type"], "") != tt.XLSXType ||
			!strings.Contains(strings.Join(hdr["Content-Disposition"], ""), "filename*=UTF-8''"+url.PathEscape("党组织导入模板")+".xlsx") {
			t.Fatalf("headers %v", hdr)
		}
		f, rows := tt.ReadXLSX(t, b)
		if len(rows) != 1 || !slices.Equal(rows[0], orgHeader) {
			t.Fatalf("template rows %q", rows)
		}
		dvs, err := f.GetDataValidations(f.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
		lists := map[string]string{} // column letter → list
		for _, dv := range dvs {
			lists[dv.Sqref[:1]] = dv.Formula1
		}
		if l := lists["B"]; !strings.Contains(l, "党工委,党委,党总支,党支部,联合党支部") {
			t.Fatalf("kind drop-down %q", l)
		}
		// Parents: what the park administrator sees and may have children
		// (not branches); parks: theirs alone.
		if l := lists["C"]; !strings.Contains(l, "五里园党委") || strings.Contains(l, "成达党支部") || strings.Contains(l, "安东园党委") {
			t.Fatalf("parent drop-down %q", l)
		}
		if l := lists["D"]; !strings.Contains(l, "五里园") || strings.Contains(l, "安东园") {
			t.Fatalf("park drop-down %q", l)
		}
		if l := lists["H"]; !strings.Contains(l, "是,否") {
			t.Fatalf("committee drop-down %q", l)
		}
		if _, ok := lists["E"]; ok {
			t.Fatalf("a drop-down on 覆盖企业: %+v", lists)
		}
		en := *srv.Admin()
		en.Lang = "en"
		_, b = tt.Download(t, &en, "/api/v1/orgs/template?format=csv")
		rows = tt.ReadCSV(t, b)
		if len(rows) != 1 || rows[0][0] != "Organisation name" || rows[0][2] != "Parent organisation" || rows[0][7] != "Has committee" {
			t.Fatalf("en csv template %q", rows)
		}
		if _, _, err := srv.Admin().Send(ctx, "GET", "/api/v1/orgs/template?format=pdf", "", nil, nil); client.StatusOf(err) != 400 {
			t.Fatalf("format=pdf: %v", err)
		}
		secretary := srv.User("sec", "org_secretary", committee)
		if _, _, err := secretary.Send(ctx, "GET", "/api/v1/orgs/template", "", nil, nil); client.StatusOf(err) != 403 {
			t.Fatalf("secretary: %v", err)
		}
	})
}

// A tree (working committee → park committee → branches, a joint branch
// covering two enterprises) from a CSV file, another from an xlsx file.
func TestOrgRosterImportCreatesTree(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		wuli, andong := srv.Park("五里园", "wuli"), srv.Park("安东园", "andong")
		admin := srv.User("zone-admin", "zone_admin", srv.ZoneID)
		e1, e2, e3 := srv.Enterprise(wuli.ID, "成达齿轮"), srv.Enterprise(wuli.ID, "闽南食品"), srv.Enterprise(wuli.ID, "泉州鞋业")
		e4 := srv.Enterprise(andong.ID, "安东机械")
		u1, u2 := usccOf(t, admin, e1), usccOf(t, admin, e2)
		file := tt.CSV(orgHeader,
			[]string{"开发区党工委", "党工委", "", "", "", "2019-01-01", "", ""},
			[]string{"五里园党委", "党委", "开发区党工委", "五里园", "", "2020/7/1", "2025年7月1日", "是"},
			[]string{"成达党支部", "党支部", "五里园党委", "", strings.ToLower(u1), "2021-07-01", "2024-07-01", "否"},
			[]string{"五里园联合党支部", "联合党支部", "五里园党委", "wuli", u2 + "、泉州鞋业", "", "", ""})
		before := orgCounts(srv)
		status, p, res := importOrgs(t, admin, tt.CSVType, file, "?dry_run=true")
		if status != 200 || res != (client.ImportResult{Rows: 4, DryRun: true}) || orgCounts(srv) != before {
			t.Fatalf("dry run %d %+v %+v", status, p, res)
		}
		status, p, res = importOrgs(t, admin, tt.CSVType, file, "")
		if status != 200 || res != (client.ImportResult{Rows: 4, Imported: 4}) {
			t.Fatalf("import %d %+v %+v", status, p, res)
		}
		got := byName(t, admin, nil)
		wc, committee, branch, joint := got["开发区党工委"], got["五里园党委"], got["成达党支部"], got["五里园联合党支部"]
		if wc.Kind != "working_committee" || wc.ParentID != nil || wc.ParkID != nil || *wc.FoundedOn != "2019-01-01" {
			t.Fatalf("working committee %+v", wc)
		}
		if committee.Kind != "committee" || *committee.ParentID != wc.ID || *committee.ParkID != wuli.ID || !committee.HasCommittee ||
			*committee.FoundedOn != "2020-07-01" || *committee.TermEndsOn != "2025-07-01" {
			t.Fatalf("committee %+v", committee)
		}
		if branch.Kind != "branch" || *branch.ParentID != committee.ID || *branch.ParkID != wuli.ID || branch.HasCommittee ||
			!slices.Equal(branch.EnterpriseIDs, []string{e1}) {
			t.Fatalf("branch %+v", branch)
		}
		if joint.Kind != "joint_branch" || *joint.ParentID != committee.ID || !slices.Equal(joint.EnterpriseIDs, sorted(e2, e3)) {
			t.Fatalf("joint branch %+v", joint)
		}
		// Scope nodes in the same tree, one audit entry each.
		for child, parent := range map[string]string{wc.ID: srv.ZoneID, committee.ID: wc.ID, branch.ID: committee.ID, joint.ID: committee.ID} {
			if n := srv.Count("scope_nodes", "id = $1 AND kind = 'org' AND parent_id = $2", child, parent); n != 1 {
				t.Fatalf("scope node of %s under %s: %d", child, parent, n)
			}
			if n := srv.Count("audit_log", "entity = 'org' AND action = 'create' AND entity_id = $1", child); n != 1 {
				t.Fatalf("audit entries of %s: %d", child, n)
			}
		}
		// A secretary of the committee sees the branches below it.
		sec := srv.User("committee-sec", "org_secretary", committee.ID)
		if seen := byName(t, sec, nil); len(seen) != 3 {
			t.Fatalf("the committee's secretary sees %v", seen)
		}
		// Search finds an imported branch by its initials.
		if found := byName(t, admin, url.Values{"q": {"cddzb"}}); len(found) != 1 {
			t.Fatalf("search %v", found)
		}

		// xlsx, English headers; the parent a stored organisation.
		rows := [][]string{{"Organisation name", "Type", "Parent organisation", "Park", "Enterprises covered", "Has committee"},
			{"安东园党委", "党委", "开发区党工委", "安东园", "", "否"},
			{"安东机械党支部", "党支部", "安东园党委", "", "安东机械", "是"}}
		status, p, res = importOrgs(t, admin, tt.XLSXType, tt.XLSX(t, "Sheet1", rows), "")
		if status != 200 || res.Imported != 2 {
			t.Fatalf("xlsx %d %+v %+v", status, p, res)
		}
		got = byName(t, admin, url.Values{"park_id": {andong.ID}})
		if b := got["安东机械党支部"]; *b.ParentID != got["安东园党委"].ID || !b.HasCommittee || !slices.Equal(b.EnterpriseIDs, []string{e4}) {
			t.Fatalf("xlsx tree %+v", got)
		}
		// The same file again: every organisation exists under its parent.
		before = orgCounts(srv)
		status, p, _ = importOrgs(t, admin, tt.XLSXType, tt.XLSX(t, "Sheet1", rows), "")
		// (Row 3's parent is row 2, wrong itself: nothing more is said of it.)
		if status != 422 || !slices.Equal(tt.Places(p.Errors), []string{"2:Organisation name:org_exists"}) ||
			orgCounts(srv) != before {
			t.Fatalf("again %d %+v", status, p)
		}
	})
}

// A file with many kinds of bad rows reports every error, with its row
// and column, in the caller's language, and creates nothing.
func TestOrgRosterImportReportsEveryError(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		wuli, andong := srv.Park("五里园", "wuli"), srv.Park("安东园", "andong")
		admin := srv.User("zone-admin", "zone_admin", srv.ZoneID)
		inAndong := usccOf(t, admin, srv.Enterprise(andong.ID, "安东机械"))
		zoneB := srv.Zone("第二开发区")
		adminB := srv.UserIn("zone-b-admin", zoneB, "zone_admin", zoneB)
		parkB, err := adminB.CreatePark(ctx, map[string]string{"zone_id": zoneB, "name": "北园", "code": "bei"})
		if err != nil {
			t.Fatal(err)
		}
		inZoneB := usccOf(t, adminB, srv.Enterprise(parkB.ID, "北园企业"))
		srv.Enterprise(wuli.ID, "五里企业")
		parkAdmin := srv.User("wuli-admin", "park_admin", wuli.ID)
		rows := [][]string{orgHeader,
			{"党委甲", "党委", "", "五里园"},                                  // 2: fine
			{"支部乙", "党小组", "党委甲"},                                     // 3: unknown kind
			{"支部丙", "党支部", "后面的党委"},                                   // 4: its parent comes later
			{"后面的党委", "党委", "", "五里园"},                                // 5: fine
			{"支部丁", "党支部", "党委甲", "", inAndong},                       // 6: an enterprise of another park
			{"支部戊", "党支部", "党委甲", "", inZoneB},                        // 7: an enterprise out of scope
			{"支部己", "党支部", "党委甲"},                                     // 8: fine
			{"支部己", "党支部", "党委甲"},                                     // 9: repeats row 8 under the same parent
			{"支部庚", "党支部", "党委甲", "", "", "2021-13-01"},               // 10: no such date
			{"支部辛", "党支部", "党委甲", "", "", "2022-01-01", "2021-06-30"}, // 11: term before founded
			{"=CONCAT(\"支\",\"部\")", "党支部", "党委甲"},                    // 12: a formula
			{"支部壬", "党支部", "不存在的组织"},                                  // 13: no such parent
			{"支部己", "党支部", "后面的党委"},                                   // 14: fine: another parent
		}
		want := []string{"3:组织类型:unknown_option", "4:上级组织:unknown_parent", "9:组织名称:duplicate", "10:成立日期:invalid_date",
			"11:任期届满日期:term_before_founded", "12:组织名称:formula", "13:上级组织:unknown_parent",
			"6:覆盖企业:enterprise_other_park", "7:覆盖企业:unknown_enterprise"}
		before := orgCounts(srv)
		for _, file := range []struct {
			ct, query string
			data      []byte
		}{
			{tt.XLSXType, "?dry_run=true", tt.XLSX(t, "数据", rows)},
			{tt.XLSXType, "", tt.XLSX(t, "数据", rows)},
			{tt.CSVType, "", tt.CSV(rows...)},
		} {
			status, p, _ := importOrgs(t, admin, file.ct, file.data, file.query)
			w := want
			if file.ct == tt.CSVType {
				// In a CSV file a formula is text: a name like another.
				w = slices.DeleteFunc(slices.Clone(want), func(s string) bool { return strings.HasPrefix(s, "12:") })
			}
			if status != 422 || !slices.Equal(tt.Places(p.Errors), w) || orgCounts(srv) != before {
				t.Fatalf("%s%s: %d\n got %q\nwant %q", file.ct, file.query, status, tt.Places(p.Errors), w)
			}
		}
		_, p, _ := importOrgs(t, admin, tt.XLSXType, tt.XLSX(t, "数据", rows), "")
		msg := map[string]string{}
		for _, e := range p.Errors {
			msg[strconv.Itoa(e.Row)+":"+e.Code] = e.Message
		}
		if !strings.Contains(p.Detail, "9 处错误") ||
			msg["4:unknown_parent"] != "第 4 行：「上级组织」“后面的党委”不存在或不在您的管理范围内；如果是本文件中新建的组织，请把它放在本行之前。" ||
			msg["9:duplicate"] != "第 9 行：「组织名称」的值“支部己”与第 8 行重复。" ||
			!strings.HasPrefix(msg["6:enterprise_other_park"], "第 6 行：第 1 个企业（"+inAndong+"）不在") ||
			!strings.HasPrefix(msg["11:term_before_founded"], "第 11 行：") {
			t.Fatalf("zh-CN texts %q %q", p.Detail, msg)
		}
		en := *admin
		en.Lang = "en"
		_, p, _ = importOrgs(t, &en, tt.XLSXType, tt.XLSX(t, "数据", rows), "")
		if !strings.Contains(p.Detail, ": 9.") || len(p.Errors) != 9 || !strings.HasPrefix(p.Errors[1].Message, "Row 4: “上级组织” “后面的党委” does not exist") {
			t.Fatalf("en texts %q %+v", p.Detail, p.Errors)
		}

		// A park administrator: another park is unknown, a working
		// committee is the zone's administrators' to create.
		status, p, _ := importOrgs(t, parkAdmin, tt.CSVType, tt.CSV(orgHeader,
			[]string{"安东园党委", "党委", "", "安东园"}, []string{"党工委", "党工委"}, []string{"五里园党委", "党委", "", "五里园"}), "")
		if status != 422 || !slices.Equal(tt.Places(p.Errors), []string{"2:所属园区:unknown_value", "3:组织类型:working_committee_denied"}) {
			t.Fatalf("park admin %d %+v", status, p)
		}
		// File-level problems: a missing required header, the roster on a
		// second sheet, garbage.
		status, p, _ = importOrgs(t, admin, tt.CSVType, tt.CSV([]string{"组织名称", "上级组织"}, []string{"甲", ""}), "")
		if status != 422 || !slices.Equal(tt.Places(p.Errors), []string{"0:组织类型:missing_column"}) {
			t.Fatalf("missing header %d %+v", status, p)
		}
		status, p, _ = importOrgs(t, admin, tt.XLSXType, tt.XLSX(t, "说明", [][]string{{"见第二页"}}, "数据", rows[:2]), "")
		if status != 422 || !slices.Contains(tt.Places(p.Errors), "0:组织类型:missing_column") {
			t.Fatalf("wrong sheet %d %+v", status, p)
		}
		garbage := make([]byte, 10<<20)
		for i := range garbage {
			garbage[i] = byte(i*7919 + i>>8)
		}
		status, p, _ = importOrgs(t, admin, "application/octet-stream", garbage, "")
		if status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "file" {
			t.Fatalf("garbage %d %+v", status, p)
		}
		if orgCounts(srv) != before {
			t.Fatal("a refused import changed data")
		}
	})
}

func TestOrgRosterExport(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		wuli, andong := srv.Park("五里园", "wuli"), srv.Park("安东园", "andong")
		admin := srv.User("zone-admin", "zone_admin", srv.ZoneID)
		e1, e2 := srv.Enterprise(wuli.ID, "成达齿轮"), srv.Enterprise(wuli.ID, "闽南食品")
		u1, u2 := usccOf(t, admin, e1), usccOf(t, admin, e2)
		eA := srv.Enterprise(andong.ID, "安东机械")
		uA := usccOf(t, admin, eA)
		file := tt.CSV(orgHeader,
			[]string{"开发区党工委", "党工委", "", "", "", "2019-01-01", "", ""},
			[]string{"五里园党委", "党委", "开发区党工委", "五里园", "", "2020-07-01", "2025-07-01", "是"},
			[]string{"五里园联合党支部", "联合党支部", "五里园党委", "", u2 + "、" + u1, "", "", "否"},
			[]string{"安东园党委", "党委", "", "安东园", "", "", "", "否"},
			[]string{"=安东机械党支部", "党支部", "安东园党委", "", uA, "2021-07-01", "", "是"})
		if status, p, _ := importOrgs(t, admin, tt.CSVType, file, ""); status != 200 {
			t.Fatalf("setup %d %+v", status, p)
		}
		wantAll := tt.ReadCSV(t, file)
		// The USCCs are written sorted.
		wantAll[3][4] = strings.Join(sorted(u1, u2), "、")
		wantAll[5][0] = "'=安东机械党支部"
		// The park of every organisation is written; 否 for none.
		wantAll[1][7], wantAll[3][3], wantAll[5][3] = "否", "五里园", "安东园"

		hdr, b := tt.Download(t, admin, "/api/v1/orgs/export?format=csv")
		if !strings.Contains(strings.Join(hdr["Content-Disposition"], ""), "filename*=UTF-8''"+url.PathEscape("党组织名册-")) {
			t.Fatalf("disposition %q", hdr["Content-Disposition"])
		}
		rows := tt.ReadCSV(t, b)
		// Tree order: a parent before its children; the parks' subtrees
		// in the order of their ids.
		if len(rows) != 6 || !slices.Equal(rows[0], orgHeader) {
			t.Fatalf("zone export %q", rows)
		}
		for _, want := range wantAll[1:] {
			if !slices.ContainsFunc(rows, func(r []string) bool { return slices.Equal(r, want) }) {
				t.Fatalf("zone export %q lacks %q", rows, want)
			}
		}
		pos := func(name string) int {
			return slices.IndexFunc(rows, func(r []string) bool { return r[0] == name })
		}
		if pos("五里园党委") > pos("五里园联合党支部") || pos("安东园党委") > pos("'=安东机械党支部") {
			t.Fatalf("a child before its parent: %q", rows)
		}
		// A park administrator exports their park's organisations only.
		parkAdmin := srv.User("andong-admin", "park_admin", andong.ID)
		_, b = tt.Download(t, parkAdmin, "/api/v1/orgs/export")
		f, xrows := tt.ReadXLSX(t, b)
		if len(xrows) != 3 || xrows[1][0] != "安东园党委" || xrows[2][0] != "'=安东机械党支部" {
			t.Fatalf("park admin's export %q", xrows)
		}
		if formula, _ := f.GetCellFormula(f.GetSheetName(0), "A3"); formula != "" {
			t.Fatalf("a formula in the export: %q", formula)
		}
		// Filters as the list's.
		_, b = tt.Download(t, admin, "/api/v1/orgs/export?format=csv&kind=committee")
		if rows := tt.ReadCSV(t, b); len(rows) != 3 {
			t.Fatalf("kind filter %q", rows)
		}
		if _, _, err := admin.Send(ctx, "GET", "/api/v1/orgs/export?kind=cell", "", nil, nil); client.StatusOf(err) != 400 {
			t.Fatalf("bad kind: %v", err)
		}
		// Another zone's administrator exports nothing of it.
		zoneB := srv.Zone("第二开发区")
		adminB := srv.UserIn("zone-b-admin", zoneB, "zone_admin", zoneB)
		_, b = tt.Download(t, adminB, "/api/v1/orgs/export?format=csv")
		if rows := tt.ReadCSV(t, b); len(rows) != 1 {
			t.Fatalf("other zone's export %q", rows)
		}

		// Round trip: the export imports into zone B, which has parks and
		// enterprises of the same names and USCCs.
		for code, name := range map[string]string{"wuli": "五里园", "andong": "安东园"} {
			p, err := adminB.CreatePark(ctx, map[string]string{"zone_id": zoneB, "name": name, "code": code})
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range map[string][]string{"wuli": {u1, u2}, "andong": {uA}}[code] {
				if _, err := adminB.CreateEnterprise(ctx, map[string]any{"park_id": p.ID, "name": "企业" + u[10:], "uscc": u}); err != nil {
					t.Fatal(err)
				}
			}
		}
		_, b = tt.Download(t, admin, "/api/v1/orgs/export")
		status, p, res := importOrgs(t, adminB, tt.XLSXType, b, "")
		if status != 200 || res.Imported != 5 {
			t.Fatalf("round trip %d %+v %+v", status, p, res)
		}
		_, b = tt.Download(t, adminB, "/api/v1/orgs/export?format=csv")
		again := tt.ReadCSV(t, b)
		slices.SortFunc(again, func(a, b []string) int { return strings.Compare(strings.Join(a, "|"), strings.Join(b, "|")) })
		slices.SortFunc(rows, func(a, b []string) int { return strings.Compare(strings.Join(a, "|"), strings.Join(b, "|")) })
		if !slices.EqualFunc(again, rows, slices.Equal) {
			t.Fatalf("round trip\n got %q\nwant %q", again, rows)
		}
	})
}
