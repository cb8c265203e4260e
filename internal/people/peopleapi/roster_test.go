package peopleapi_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"tongxin/internal/access"
	"tongxin/internal/client"
	tt "tongxin/internal/tabular/tabulartest"
	"tongxin/internal/testenv"
)

var zhHeader = []string{"姓名", "性别", "手机号", "身份证号", "所属企业", "政治面貌", "所属党组织", "入党日期", "标签"}

func upload(t *testing.T, c *client.Client, ct string, file []byte, query string) (int, tt.Problem, client.ImportResult) {
	t.Helper()
	return tt.Upload(t, c, "/api/v1/people/import", ct, file, query)
}

// withCheck returns id with a wrong check character.
func withBadCheck(id string) string {
	for _, c := range "0123456789X" {
		if s := id[:17] + string(c); s != id {
			return s
		}
	}
	panic("unreachable")
}

func usccOf(t *testing.T, srv *testenv.Server, enterpriseID string) string {
	t.Helper()
	var u string
	if err := srv.DB.R.QueryRow(`SELECT uscc FROM enterprises WHERE id = $1`, enterpriseID).Scan(&u); err != nil {
		t.Fatal(err)
	}
	return u
}

// dropDowns returns the drop-down list of each column letter of the first
// sheet.
func dropDowns(t *testing.T, f *excelize.File) map[string]string {
	t.Helper()
	dvs, err := f.GetDataValidations(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, dv := range dvs {
		col, _, _ := strings.Cut(dv.Sqref, "2:")
		out[col] = dv.Formula1
	}
	return out
}

func TestPeopleRosterTemplate(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		parkAdmin := w.srv.User("wuli-admin", access.ParkAdmin, w.wuli.ID)
		hdr, b := tt.Download(t, parkAdmin, "/api/v1/people/template")
		if hdr.Get("Content-Type") != tt.XLSXType || !strings.Contains(hdr.Get("Content-Disposition"), "filename*=UTF-8''"+url.PathEscape("人员导入模板")+".xlsx") {
			t.Fatalf("headers %v", hdr)
		}
		f, rows := tt.ReadXLSX(t, b)
		if len(rows) != 1 || !slices.Equal(rows[0], zhHeader) {
			t.Fatalf("template rows %q", rows)
		}
		dd := dropDowns(t, f)
		// Gender and status are coded; the enterprises and organisations
		// are the park's, not the other park's.
		if !strings.Contains(dd["B"], "男,女") || !strings.Contains(dd["F"], "正式党员,预备党员") ||
			!strings.Contains(dd["E"], "恒毅机械") || strings.Contains(dd["E"], "盼盼饮料") ||
			!strings.Contains(dd["G"], "恒毅机械党支部") || !strings.Contains(dd["G"], "恒毅机械第二党支部") || strings.Contains(dd["G"], "盼盼饮料") {
			t.Fatalf("drop-downs %q", dd)
		}
		if _, ok := dd["A"]; ok || dd["C"] != "" || dd["D"] != "" || dd["H"] != "" {
			t.Fatalf("a free column has a drop-down: %q", dd)
		}
		// A branch secretary is offered their branch and the one under it.
		sec := w.srv.User("sec-w", access.OrgSecretary, w.branchW)
		_, b = tt.Download(t, sec, "/api/v1/people/template")
		f, _ = tt.ReadXLSX(t, b)
		if dd := dropDowns(t, f); !strings.Contains(dd["G"], "恒毅机械第二党支部") || strings.Contains(dd["G"], "盼盼饮料党支部") {
			t.Fatalf("secretary's drop-downs %q", dd)
		}
		// English: headers and coded values.
		en := *w.srv.Admin()
		en.Lang = "en"
		hdr, b = tt.Download(t, &en, "/api/v1/people/template?format=csv")
		rows = tt.ReadCSV(t, b)
		if !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") || len(rows) != 1 ||
			!slices.Equal(rows[0], []string{"Name", "Gender", "Mobile", "ID number", "Enterprise", "Party status", "Party organisation", "Date joined", "Tags"}) {
			t.Fatalf("en csv template %v %q", hdr, rows)
		}
		_, b = tt.Download(t, &en, "/api/v1/people/template")
		f, _ = tt.ReadXLSX(t, b)
		if dd := dropDowns(t, f); !strings.Contains(dd["B"], "Male,Female") || !strings.Contains(dd["F"], "Full member,Probationary member") {
			t.Fatalf("en drop-downs %q", dd)
		}
		if _, _, err := w.srv.Admin().Send(ctx, "GET", "/api/v1/people/template?format=xls", "", nil, nil); client.StatusOf(err) != 400 {
			t.Fatalf("format=xls: %v", err)
		}
		partner := w.srv.User("partner", access.Partner, w.entW)
		if _, _, err := partner.Send(ctx, "GET", "/api/v1/people/template", "", nil, nil); client.StatusOf(err) != 403 {
			t.Fatalf("partner: %v", err)
		}
	})
}

func TestPeopleRosterImport(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		admin := w.srv.Admin()
		id1 := manID()
		file := tt.CSV(zhHeader,
			[]string{"林晓红", "女", "+86 138-0013-8000", strings.ToLower(womanID), usccOf(t, w.srv, w.entW), "正式党员", "恒毅机械党支部", "2015/7/1", "志愿者、调解员"},
			[]string{"张伟", "", "13900139000", id1, "盼盼饮料", "", "", "", ""},
			[]string{"王芳", "Female", "", "", "", "群众", "", "", "网格员,楼长"})
		counts := func() [3]int {
			return [3]int{w.srv.Count("people"), w.srv.Count("person_tags"), w.srv.Count("audit_log", "entity = 'person'")}
		}
		before := counts()
		status, p, res := upload(t, admin, tt.CSVType, file, "?dry_run=true")
		if status != 200 || res != (client.ImportResult{Rows: 3, DryRun: true}) || counts() != before {
			t.Fatalf("dry run %d %+v %+v", status, p, res)
		}
		status, p, res = upload(t, admin, tt.CSVType, file, "")
		if status != 200 || res != (client.ImportResult{Rows: 3, Imported: 3}) {
			t.Fatalf("import %d %+v %+v", status, p, res)
		}
		if got := counts(); got != [3]int{before[0] + 3, before[1] + 4, before[2] + 3} {
			t.Fatalf("counts %v → %v", before, got)
		}
		// Found by pinyin initials, masked, placed as the file says.
		l, err := admin.ListPeople(ctx, url.Values{"q": {"lxh"}})
		if err != nil || len(l.Items) != 1 {
			t.Fatalf("search by initials: %+v %v", l, err)
		}
		lin := l.Items[0]
		if lin.Gender != "female" || lin.Phone != "138****8000" || lin.IDNumber != "1101**********002X" || lin.EnterpriseID == nil ||
			*lin.EnterpriseID != w.entW || lin.Party == nil || lin.Party.Status != "full" || lin.Party.OrgID != w.branchW ||
			lin.Party.JoinedOn != "2015-07-01" || strings.Join(lin.Tags, ",") != "志愿者,调解员" {
			t.Fatalf("imported %+v %+v", lin, lin.Party)
		}
		// Sealed as Create seals: found by the exact numbers, revealed in clear.
		if got := listed(t, admin, url.Values{"id_number": {womanID}}); !slices.Equal(got, []string{"林晓红"}) {
			t.Fatalf("by ID number %q", got)
		}
		if got := listed(t, admin, url.Values{"phone": {"13900139000"}}); !slices.Equal(got, []string{"张伟"}) {
			t.Fatalf("by phone %q", got)
		}
		clear, err := admin.GetPerson(ctx, lin.ID, true)
		if err != nil || clear.Phone != "13800138000" || clear.IDNumber != womanID {
			t.Fatalf("revealed %+v %v", clear, err)
		}
		zhang := listed(t, admin, url.Values{"q": {"zw"}, "enterprise_id": {w.entA}})
		wang, _ := admin.ListPeople(ctx, url.Values{"q": {"王芳"}})
		if !slices.Equal(zhang, []string{"张伟"}) || len(wang.Items) != 1 || wang.Items[0].Party != nil ||
			wang.Items[0].EnterpriseID != nil || wang.Items[0].ZoneID != w.srv.ZoneID || wang.Items[0].Gender != "female" {
			t.Fatalf("张伟 %q, 王芳 %+v", zhang, wang.Items)
		}
		// Audit entries like Create's: one per person, never the numbers.
		rows, err := w.srv.DB.R.Query(`SELECT summary FROM audit_log WHERE entity = 'person' AND action = 'create'`)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			n++
			for _, secret := range []string{"13800138000", "13900139000", womanID, id1, "0013"} {
				if strings.Contains(s, secret) {
					t.Fatalf("audit summary holds %s: %s", secret, s)
				}
			}
		}
		if rows.Close(); n != 3 {
			t.Fatalf("%d create entries", n)
		}

		// xlsx, English headers, multipart, the join date as Excel
		// stores a date (a number), a probationary member.
		x := excelize.NewFile()
		for i, v := range []any{"Name", "Party status", "Party organisation", "Date joined", "Mobile"} {
			cell, _ := excelize.CoordinatesToCellName(i+1, 1)
			x.SetCellValue("Sheet1", cell, v)
		}
		x.SetCellStr("Sheet1", "A2", "陈预备")
		x.SetCellStr("Sheet1", "B2", "Probationary member")
		x.SetCellStr("Sheet1", "C2", "恒毅机械第二党支部")
		joined := time.Now().AddDate(0, -3, 0)
		serial := int64(joined.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24)
		x.SetCellInt("Sheet1", "D2", serial) // as Excel stores a date typed into a cell
		x.SetCellInt("Sheet1", "E2", 13700137000)
		var xb bytes.Buffer
		if err := x.Write(&xb); err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		body.WriteString("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"人员.xlsx\"\r\nContent-Type: " + tt.XLSXType + "\r\n\r\n")
		body.Write(xb.Bytes())
		body.WriteString("\r\n--B--\r\n")
		status, p, res = upload(t, admin, "multipart/form-data; boundary=B", body.Bytes(), "")
		if status != 200 || res.Imported != 1 {
			t.Fatalf("xlsx %d %+v %+v", status, p, res)
		}
		chen, err := admin.ListPeople(ctx, url.Values{"q": {"cyb"}})
		if err != nil || len(chen.Items) != 1 || chen.Items[0].Party == nil || chen.Items[0].Party.Status != "probationary" ||
			chen.Items[0].Party.JoinedOn != joined.UTC().Format(time.DateOnly) || chen.Items[0].Party.OrgID != w.subBranchW || chen.Items[0].Phone != "137****7000" {
			t.Fatalf("xlsx imported %+v %v", chen.Items, err)
		}

		// A branch secretary imports members of their branch; naming
		// another branch is refused.
		sec := w.srv.User("sec-a", access.OrgSecretary, w.branchA)
		status, p, res = upload(t, sec, tt.CSVType, tt.CSV([]string{"姓名", "政治面貌", "所属党组织", "入党日期"},
			[]string{"安东新党员", "正式党员", "盼盼饮料党支部", "2019-07-01"}), "")
		if status != 200 || res.Imported != 1 {
			t.Fatalf("secretary %d %+v", status, p)
		}
		status, p, _ = upload(t, sec, tt.CSVType, tt.CSV([]string{"姓名", "政治面貌", "所属党组织", "入党日期"},
			[]string{"越界党员", "正式党员", "恒毅机械党支部", "2019-07-01"}), "")
		if status != 422 || !slices.Equal(tt.Places(p.Errors), []string{"2:所属党组织:unknown_value"}) {
			t.Fatalf("secretary, another branch %d %+v", status, p)
		}
		// A park admin cannot create people of the whole zone.
		pa := w.srv.User("wuli-admin", access.ParkAdmin, w.wuli.ID)
		status, p, _ = upload(t, pa, tt.CSVType, tt.CSV([]string{"姓名"}, []string{"无处安放"}), "")
		if status != 422 || !slices.Equal(tt.Places(p.Errors), []string{"2:所属企业:required"}) {
			t.Fatalf("park admin, no placement %d %+v", status, p)
		}
		partner := w.srv.User("partner", access.Partner, w.entW)
		if status, _, _ := upload(t, partner, tt.CSVType, file, ""); status != 403 {
			t.Fatalf("partner %d", status)
		}
	})
}

// A file with many kinds of bad rows reports every error, with its row
// and column, in the caller's language, and creates nothing.
func TestPeopleRosterImportReportsEveryError(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		parkAdmin := w.srv.User("wuli-admin", access.ParkAdmin, w.wuli.ID)
		taken := manID()
		if _, err := w.srv.Admin().CreatePerson(ctx, map[string]any{"name": "已有人员", "id_number": taken, "enterprise_id": w.entA}); err != nil {
			t.Fatal(err)
		}
		dup := manID()
		rows := [][]string{zhHeader,
			{"正常人员", "男", "13800138000", manID(), "恒毅机械", "正式党员", "恒毅机械党支部", "2015-07-01", "志愿者"}, // 2: fine
			{"校验位错", "", "", withBadCheck(manID()), "恒毅机械"},                                       // 3
			{"手机号错", "", "1380013800", "", "恒毅机械"},                                                // 4
			{"不明企业", "", "", "", "火星公司"},                                                          // 5
			{"别园企业", "", "", "", "盼盼饮料"},                                                          // 6: out of the caller's scope
			{"别园支部", "", "", "", "", "正式党员", "盼盼饮料党支部", "2015-07-01"},                             // 7: out of the caller's scope
			{"重复甲", "", "", dup, "恒毅机械"},                                                          // 8
			{"重复乙", "", "", strings.ToLower(dup), "恒毅机械"},                                         // 9: repeats row 8
			{"已登记", "", "", taken, "恒毅机械"},                                                        // 10: held by a person of the zone
			{"=HYPERLINK(\"http://x\")", "", "", "", "恒毅机械"},                                      // 11: a formula
			{"预备太久", "", "", "", "", "预备党员", "恒毅机械党支部", "2015-07-01"},                             // 12: probation over two years
			{"遮盖号码", "", "138****8000", "3505**********1234", "恒毅机械"},                             // 13: masked, as exported
			{"性别不对", "未知", "", "", "恒毅机械"},                                                        // 14
		}
		file := tt.XLSX(t, "数据", rows)
		counts := func() [3]int {
			return [3]int{w.srv.Count("people"), w.srv.Count("person_tags"), w.srv.Count("audit_log")}
		}
		before := counts()
		want := []string{"3:身份证号:check_digit", "4:手机号:invalid_mobile", "5:所属企业:unknown_value", "6:所属企业:unknown_value",
			"7:所属党组织:unknown_value", "9:身份证号:duplicate", "11:姓名:formula", "12:入党日期:probation_too_long",
			"13:手机号:masked", "13:身份证号:masked", "14:性别:unknown_option", "10:身份证号:id_registered"}
		status, p, _ := upload(t, parkAdmin, tt.XLSXType, file, "?dry_run=true")
		if status != 422 || !slices.Equal(tt.Places(p.Errors), want) {
			t.Fatalf("dry run %d\n got %q\nwant %q", status, tt.Places(p.Errors), want)
		}
		status, p, _ = upload(t, parkAdmin, tt.XLSXType, file, "")
		if status != 422 || !slices.Equal(tt.Places(p.Errors), want) || counts() != before {
			t.Fatalf("import %d %q, counts %v → %v", status, tt.Places(p.Errors), before, counts())
		}
		if !strings.Contains(p.Detail, "12 处错误") || p.Errors[0].Message != "第 3 行：「身份证号」校验位不正确，请核对是否输错。" ||
			p.Errors[0].Field != "id_number" || !strings.Contains(p.Errors[5].Message, "第 8 行") ||
			p.Errors[11].Message != "第 10 行：「身份证号」在本开发区已有人员使用。" {
			t.Fatalf("zh-CN texts %q %+v", p.Detail, p.Errors)
		}
		for _, e := range p.Errors {
			if strings.Contains(e.Message, taken) {
				t.Fatalf("an error shows the registered ID number: %q", e.Message)
			}
		}
		en := *parkAdmin
		en.Lang = "en"
		_, p, _ = upload(t, &en, tt.XLSXType, file, "")
		if !strings.Contains(p.Detail, ": 12.") || p.Errors[2].Message != "Row 5: “所属企业” does not exist or is not available." ||
			!strings.HasPrefix(p.Errors[8].Message, "Row 13: “手机号” is a masked number from an export") {
			t.Fatalf("en texts %q %+v", p.Detail, p.Errors)
		}

		// File-level problems: a missing required header, the roster on
		// another sheet than the first, 10 MB of random bytes.
		status, p, _ = upload(t, parkAdmin, tt.CSVType, tt.CSV([]string{"性别", "手机号"}, []string{"男", "13800138000"}), "")
		if status != 422 || !slices.Equal(tt.Places(p.Errors), []string{"0:姓名:missing_column"}) {
			t.Fatalf("missing header %d %+v", status, p)
		}
		status, p, _ = upload(t, parkAdmin, tt.XLSXType, tt.XLSX(t, "说明", [][]string{{"请在第二页填写"}}, "数据", rows[:3]), "")
		if status != 422 || !slices.Contains(tt.Places(p.Errors), "0:姓名:missing_column") {
			t.Fatalf("wrong sheet %d %+v", status, p)
		}
		garbage := make([]byte, 10<<20)
		rand.NewChaCha8([32]byte{9}).Read(garbage)
		status, p, _ = upload(t, parkAdmin, "application/octet-stream", garbage, "")
		if status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "file" {
			t.Fatalf("garbage %d %+v", status, p)
		}
		if counts() != before {
			t.Fatal("a refused import changed data")
		}
	})
}

// xlsxText returns every part of an xlsx file unzipped, for scanning.
func xlsxText(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(&all, rc)
		rc.Close()
	}
	return all.String()
}

func exportNames(t *testing.T, c *client.Client, query string) []string {
	t.Helper()
	_, b := tt.Download(t, c, "/api/v1/people/export?format=csv"+query)
	rows := tt.ReadCSV(t, b)
	if len(rows) == 0 || !slices.Equal(rows[0], zhHeader) {
		t.Fatalf("export header %q", rows)
	}
	var names []string
	for _, r := range rows[1:] {
		names = append(names, r[0])
	}
	slices.Sort(names)
	return names
}

func TestPeopleRosterExport(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		r := newRoster(t, dsn)
		admin := r.srv.Admin()
		guarded, err := admin.CreatePerson(ctx, map[string]any{"name": "公式人员", "phone": "13822223333", "id_number": manID(),
			"enterprise_id": r.entW, "tags": []string{"=1+1", "@cmd"}})
		if err != nil {
			t.Fatal(err)
		}
		clearIDs := []string{womanID, "13811110001", "13811110002", "13811110003", "13822223333"}
		g, err := admin.GetPerson(ctx, guarded.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		clearIDs = append(clearIDs, g.IDNumber)

		hdr, b := tt.Download(t, admin, "/api/v1/people/export?format=csv")
		if !strings.Contains(hdr.Get("Content-Disposition"), "filename*=UTF-8''"+url.PathEscape("人员名册-")) {
			t.Fatalf("disposition %q", hdr.Get("Content-Disposition"))
		}
		rows := tt.ReadCSV(t, b)
		byName := map[string][]string{}
		for _, row := range rows[1:] {
			byName[row[0]] = row
		}
		want := []string{"五里党员", "女", "138****0001", "1101**********002X", "恒毅机械", "正式党员", "恒毅机械党支部", "2010-07-01", ""}
		if len(rows) != 6 || !slices.Equal(byName["五里党员"], want) {
			t.Fatalf("zone export %q", rows)
		}
		if got := byName["公式人员"][8]; got != "'=1+1、@cmd" {
			t.Fatalf("tags cell %q: a formula start must be guarded", got)
		}
		_, xb := tt.Download(t, admin, "/api/v1/people/export")
		f, xrows := tt.ReadXLSX(t, xb)
		if len(xrows) != 6 {
			t.Fatalf("xlsx export %q", xrows)
		}
		for i := 2; i <= len(xrows); i++ {
			cell, _ := excelize.CoordinatesToCellName(9, i)
			if formula, _ := f.GetCellFormula(f.GetSheetName(0), cell); formula != "" {
				t.Fatalf("a formula in the export: %q", formula)
			}
		}
		// Never a clear number, in either format, in any language.
		en := *admin
		en.Lang = "en"
		_, enb := tt.Download(t, &en, "/api/v1/people/export?format=csv")
		for name, text := range map[string]string{"csv": string(b), "xlsx": xlsxText(t, xb), "en csv": string(enb)} {
			for _, s := range clearIDs {
				if strings.Contains(text, s) {
					t.Fatalf("%s export holds %s in clear", name, s)
				}
			}
		}
		if enRows := tt.ReadCSV(t, enb); enRows[0][0] != "Name" || !slices.ContainsFunc(enRows, func(r []string) bool {
			return r[0] == "五里党员" && r[1] == "Female" && r[5] == "Full member"
		}) {
			t.Fatalf("en export %q", enRows)
		}

		// Scope: the export shows what the list shows, no more.
		zoneB := r.srv.Zone("第二开发区")
		callers := map[string]struct {
			c    *client.Client
			want []string
		}{
			"park admin of 安东园":           {r.srv.User("pa-andong", access.ParkAdmin, r.andong.ID), []string{"安东党员"}},
			"secretary of the sub-branch": {r.srv.User("sec-sub", access.OrgSecretary, r.subBranchW), []string{"五里二支党员"}},
			"secretary of 恒毅机械党支部":        {r.srv.User("sec-w", access.OrgSecretary, r.branchW), []string{"五里二支党员", "五里党员"}},
			"another zone's admin":        {r.srv.UserIn("zone-b", zoneB, access.ZoneAdmin, zoneB), nil},
		}
		for name, tc := range callers {
			if got := exportNames(t, tc.c, ""); !slices.Equal(got, tc.want) {
				t.Errorf("%s exports %q, want %q", name, got, tc.want)
			}
			if got := listed(t, tc.c, nil); !slices.Equal(got, tc.want) {
				t.Errorf("%s lists %q, want %q (the test's own expectation is off)", name, got, tc.want)
			}
		}
		// The list's filters and q.
		if got := exportNames(t, admin, "&is_member=true&park_id="+r.wuli.ID); !slices.Equal(got, []string{"五里二支党员", "五里党员"}) {
			t.Fatalf("filtered %q", got)
		}
		if got := exportNames(t, admin, "&q=wldy"); !slices.Equal(got, []string{"五里党员"}) {
			t.Fatalf("q %q", got)
		}
		if _, _, err := admin.Send(ctx, "GET", "/api/v1/people/export?phone=123", "", nil, nil); client.StatusOf(err) != 400 {
			t.Fatalf("bad phone filter: %v", err)
		}

		// Re-importing an export: the masked numbers are refused, clearly,
		// and nothing is created.
		before := r.srv.Count("people")
		status, p, _ := upload(t, admin, tt.CSVType, b, "?dry_run=true")
		if status != 422 || !slices.Contains(tt.Places(p.Errors), fmt.Sprintf("%d:身份证号:masked", 2)) || r.srv.Count("people") != before {
			t.Fatalf("re-import %d %q", status, tt.Places(p.Errors))
		}
	})
}
