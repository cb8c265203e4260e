package enterprisesapi_test

import (
	"bytes"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"tongxin/internal/client"
	"tongxin/internal/testenv"
)

const (
	csvType  = testenv.CSVType
	xlsxType = testenv.XLSXType
)

var zhHeader = []string{"企业名称", "统一社会信用代码", "所属园区", "行业", "地址", "纬度", "经度", "职工人数", "研发人数", "月产值（元）"}

var (
	csvOf    = testenv.CSV
	xlsxOf   = testenv.XLSX
	places   = testenv.Places
	readXLSX = testenv.ReadXLSX
	readCSV  = testenv.ReadCSV
)

func upload(t *testing.T, c *client.Client, ct string, file []byte, query string) (int, testenv.RosterProblem, client.ImportResult) {
	t.Helper()
	return testenv.Upload(t, c, "/api/v1/enterprises/import"+query, ct, file)
}

func download(t *testing.T, c *client.Client, path string) (http.Header, []byte) {
	t.Helper()
	h, b := testenv.Download(t, c, path)
	return http.Header(h), b
}

func TestRosterTemplate(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		wuli := srv.Park("五里园", "wuli")
		srv.Park("安东园", "andong")
		parkAdmin := srv.User("wuli-admin", "park_admin", wuli.ID)
		hdr, b := download(t, parkAdmin, "/api/v1/enterprises/template")
		if hdr.Get("Content-Type") != xlsxType || !strings.Contains(hdr.Get("Content-Disposition"), "filename*=UTF-8''"+url.PathEscape("企业导入模板")+".xlsx") {
			t.Fatalf("headers %v", hdr)
		}
		f, rows := readXLSX(t, b)
		if len(rows) != 1 || !slices.Equal(rows[0], zhHeader) {
			t.Fatalf("template rows %q", rows)
		}
		dvs, err := f.GetDataValidations(f.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
		var parkList string
		for _, dv := range dvs {
			if strings.HasPrefix(dv.Sqref, "C2:") {
				parkList = dv.Formula1
			}
		}
		// The park administrator's drop-down holds their park, not the other.
		if !strings.Contains(parkList, "五里园") || strings.Contains(parkList, "安东园") {
			t.Fatalf("park drop-down %q (%+v)", parkList, dvs)
		}
		// The zone's administrator sees both; English headers for en.
		en := *srv.Admin()
		en.Lang = "en"
		hdr, b = download(t, &en, "/api/v1/enterprises/template?format=csv")
		rows = readCSV(t, b)
		if !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") || !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) ||
			len(rows) != 1 || rows[0][0] != "Enterprise name" || rows[0][1] != "USCC" || rows[0][9] != "Monthly output (yuan)" {
			t.Fatalf("en csv template %v %q", hdr, rows)
		}
		_, b = download(t, srv.Admin(), "/api/v1/enterprises/template")
		f, _ = readXLSX(t, b)
		dvs, _ = f.GetDataValidations(f.GetSheetName(0))
		if !slices.ContainsFunc(dvs, func(dv *excelize.DataValidation) bool {
			return strings.Contains(dv.Formula1, "五里园") && strings.Contains(dv.Formula1, "安东园")
		}) {
			t.Fatalf("zone admin's drop-down %+v", dvs)
		}
		// Bad format; a member may not fetch it.
		if _, _, err := srv.Admin().Send(ctx, "GET", "/api/v1/enterprises/template?format=xls", "", nil, nil); client.StatusOf(err) != 400 {
			t.Fatalf("format=xls: %v", err)
		}
		member := srv.User("member", "member", srv.ZoneID)
		if _, _, err := member.Send(ctx, "GET", "/api/v1/enterprises/template", "", nil, nil); client.StatusOf(err) != 403 {
			t.Fatalf("member: %v", err)
		}
	})
}

func TestRosterImportCreates(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		wuli, andong := srv.Park("五里园", "wuli"), srv.Park("安东园", "andong")
		admin := srv.Admin()
		u1, u2, u3 := testenv.USCC(), testenv.USCC(), testenv.USCC()
		file := csvOf(zhHeader,
			[]string{"成达齿轮", strings.ToLower(u1), "五里园", "装备制造", "五里工业区 8 号", "24.781", "118.552", "1,200", "40", "12345.6"},
			[]string{"闽南食品", u2, "ANDONG", "食品", "", "", "", "", "", ""})
		// A dry run checks and writes nothing.
		before := srv.Count("enterprises")
		status, p, res := upload(t, admin, csvType, file, "?dry_run=true")
		if status != 200 || res != (client.ImportResult{Rows: 2, Imported: 0, DryRun: true}) || srv.Count("enterprises") != before {
			t.Fatalf("dry run %d %+v %+v", status, p, res)
		}
		status, p, res = upload(t, admin, csvType, file, "")
		if status != 200 || res != (client.ImportResult{Rows: 2, Imported: 2}) {
			t.Fatalf("import %d %+v %+v", status, p, res)
		}
		list, err := admin.ListEnterprises(ctx, url.Values{"q": {"cdcl"}})
		if err != nil || len(list.Items) != 1 {
			t.Fatalf("search by initials: %+v %v", list, err)
		}
		e := list.Items[0]
		if e.USCC != u1 || e.ParkID != wuli.ID || e.Industry != "装备制造" || e.Location == nil || e.Location.Lat != 24.781 ||
			e.Employees != 1200 || e.RDStaff != 40 || e.MonthlyOutputFen == nil || *e.MonthlyOutputFen != 1234560 {
			t.Fatalf("imported %+v", e)
		}
		if n := srv.Count("scope_nodes", "id = $1 AND kind = 'enterprise' AND parent_id = $2", e.ID, wuli.ID); n != 1 {
			t.Fatalf("scope node %d", n)
		}
		if n := srv.Count("audit_log", "entity = 'enterprise' AND action = 'create' AND entity_id = $1", e.ID); n != 1 {
			t.Fatalf("audit entries %d", n)
		}
		list, err = admin.ListEnterprises(ctx, url.Values{"q": {"食品"}, "park_id": {andong.ID}})
		if err != nil || len(list.Items) != 1 || list.Items[0].USCC != u2 || list.Items[0].Location != nil || list.Items[0].MonthlyOutputFen != nil {
			t.Fatalf("by code: %+v %v", list, err)
		}
		// The same rows again: every USCC is registered now; nothing changes.
		before = srv.Count("enterprises")
		status, p, _ = upload(t, admin, csvType, file, "")
		if status != 422 || !slices.Equal(places(p.Errors), []string{"2:统一社会信用代码:registered", "3:统一社会信用代码:registered"}) ||
			srv.Count("enterprises") != before {
			t.Fatalf("again %d %+v", status, p)
		}

		// xlsx, English headers, a title line above them, multipart.
		rows := [][]string{{"企业名册"}, {"Enterprise name", "USCC", "Park", "Employees"}, {"泉州鞋业", u3, "wuli", "80"}}
		var body bytes.Buffer
		body.WriteString("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"名录.xlsx\"\r\nContent-Type: " + xlsxType + "\r\n\r\n")
		body.Write(xlsxOf(t, "Sheet1", rows))
		body.WriteString("\r\n--B--\r\n")
		status, p, res = upload(t, admin, "multipart/form-data; boundary=B", body.Bytes(), "")
		if status != 200 || res.Imported != 1 {
			t.Fatalf("xlsx %d %+v %+v", status, p, res)
		}
		list, err = admin.ListEnterprises(ctx, url.Values{"q": {"xieye"}})
		if err != nil || len(list.Items) != 1 || list.Items[0].Employees != 80 || list.Items[0].ParkID != wuli.ID {
			t.Fatalf("xlsx imported %+v %v", list, err)
		}
	})
}

// A file with many kinds of bad rows reports every error, with its row
// and column, in the caller's language, and creates nothing.
func TestRosterImportReportsEveryError(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		wuli, andong := srv.Park("五里园", "wuli"), srv.Park("安东园", "andong")
		parkAdmin := srv.User("wuli-admin", "park_admin", wuli.ID)
		existing, err := srv.Admin().CreateEnterprise(ctx, map[string]any{"park_id": andong.ID, "name": "已有企业", "uscc": testenv.USCC()})
		if err != nil {
			t.Fatal(err)
		}
		good := testenv.USCC()
		dup := testenv.USCC()
		rows := [][]string{zhHeader,
			{"正常企业", good, "五里园"},                                     // 2: fine
			{"校验位错", badCheck(testenv.USCC()), "五里园"},                 // 3: check digit
			{"不明园区", testenv.USCC(), "火星园"},                           // 4: unknown park
			{"别人园区", testenv.USCC(), "安东园"},                           // 5: out of the caller's scope
			{"重复甲", dup, "五里园"},                                       // 6
			{"重复乙", dup, "五里园"},                                       // 7: repeats row 6
			{"已登记", existing.USCC, "五里园"},                             // 8: registered in the zone
			{"=HYPERLINK(\"http://x\")", testenv.USCC(), "五里园"},       // 9: a formula
			{"数字不对", testenv.USCC(), "五里园", "", "", "91", "118", "十"}, // 10: employees, latitude
		}
		file := xlsxOf(t, "数据", rows)
		counts := func() [3]int {
			return [3]int{srv.Count("enterprises"), srv.Count("scope_nodes"), srv.Count("audit_log")}
		}
		before := counts()
		want := []string{"3:统一社会信用代码:check_digit", "4:所属园区:unknown_value", "5:所属园区:unknown_value",
			"7:统一社会信用代码:duplicate", "9:企业名称:formula", "10:职工人数:not_number", "10:纬度:out_of_range",
			"8:统一社会信用代码:registered"}
		status, p, _ := upload(t, parkAdmin, xlsxType, file, "?dry_run=true")
		if status != 422 || !slices.Equal(places(p.Errors), want) {
			t.Fatalf("dry run %d\n got %q\nwant %q", status, places(p.Errors), want)
		}
		status, p, _ = upload(t, parkAdmin, xlsxType, file, "")
		if status != 422 || !slices.Equal(places(p.Errors), want) || counts() != before {
			t.Fatalf("import %d %q, counts %v → %v", status, places(p.Errors), before, counts())
		}
		if !strings.Contains(p.Detail, "8 处错误") || p.Errors[0].Message != "第 3 行：「统一社会信用代码」校验位不正确，请核对是否输错。" ||
			p.Errors[3].Field != "uscc" || !strings.Contains(p.Errors[3].Message, "第 6 行") {
			t.Fatalf("zh-CN texts %q %+v", p.Detail, p.Errors)
		}
		en := *parkAdmin
		en.Lang = "en"
		_, p, _ = upload(t, &en, xlsxType, file, "")
		if !strings.Contains(p.Detail, ": 8.") || p.Errors[1].Message != "Row 4: “所属园区” does not exist or is not available." {
			t.Fatalf("en texts %q %+v", p.Detail, p.Errors)
		}

		// File-level problems: a missing required header, the roster on
		// another sheet than the first, 10 MB of random bytes.
		status, p, _ = upload(t, parkAdmin, csvType, csvOf([]string{"企业名称", "所属园区"}, []string{"甲", "五里园"}), "")
		if status != 422 || !slices.Equal(places(p.Errors), []string{"0:统一社会信用代码:missing_column"}) {
			t.Fatalf("missing header %d %+v", status, p)
		}
		status, p, _ = upload(t, parkAdmin, xlsxType, xlsxOf(t, "说明", [][]string{{"请在第二页填写"}}, "数据", rows[:3]), "")
		if status != 422 || !slices.Contains(places(p.Errors), "0:统一社会信用代码:missing_column") {
			t.Fatalf("wrong sheet %d %+v", status, p)
		}
		garbage := make([]byte, 10<<20)
		rand.NewChaCha8([32]byte{9}).Read(garbage)
		status, p, _ = upload(t, parkAdmin, "application/octet-stream", garbage, "")
		if status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "file" {
			t.Fatalf("garbage %d %+v", status, p)
		}
		status, p, _ = upload(t, parkAdmin, csvType, make([]byte, 20<<20+1), "")
		if status != 413 || len(p.Errors) != 1 || p.Errors[0].Field != "file" {
			t.Fatalf("over the limit %d %+v", status, p)
		}
		if counts() != before {
			t.Fatal("a refused import changed data")
		}
	})
}

func TestRosterExport(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		wuli, andong := srv.Park("五里园", "wuli"), srv.Park("安东园", "andong")
		admin := srv.Admin()
		out := int64(1234550)
		mine := create(t, admin, map[string]any{"park_id": wuli.ID, "name": `=HYPERLINK("x")`, "uscc": testenv.USCC(), "industry": "+食品",
			"location": map[string]float64{"lat": 24.5, "lng": 118.25}, "employees": 10, "rd_staff": 2, "monthly_output_fen": out})
		other := create(t, admin, map[string]any{"park_id": andong.ID, "name": "安东企业", "uscc": testenv.USCC()})
		parkAdmin := srv.User("wuli-admin", "park_admin", wuli.ID)

		hdr, b := download(t, parkAdmin, "/api/v1/enterprises/export?format=csv")
		if !strings.Contains(hdr.Get("Content-Disposition"), "filename*=UTF-8''"+url.PathEscape("企业名录-")) {
			t.Fatalf("disposition %q", hdr.Get("Content-Disposition"))
		}
		rows := readCSV(t, b)
		want := []string{`'=HYPERLINK("x")`, mine.USCC, "五里园", "'+食品", "", "24.5", "118.25", "10", "2", "12345.50"}
		if len(rows) != 2 || !slices.Equal(rows[0], zhHeader) || !slices.Equal(rows[1], want) {
			t.Fatalf("park admin's csv export %q", rows)
		}
		_, b = download(t, parkAdmin, "/api/v1/enterprises/export")
		f, xrows := readXLSX(t, b)
		if len(xrows) != 2 || xrows[1][0] != `'=HYPERLINK("x")` {
			t.Fatalf("xlsx export %q", xrows)
		}
		if formula, _ := f.GetCellFormula(f.GetSheetName(0), "A2"); formula != "" {
			t.Fatalf("a formula in the export: %q", formula)
		}
		// Filters and q as the list's.
		_, b = download(t, admin, "/api/v1/enterprises/export?format=csv&park_id="+andong.ID)
		if rows := readCSV(t, b); len(rows) != 2 || rows[1][1] != other.USCC {
			t.Fatalf("filtered %q", rows)
		}
		_, b = download(t, admin, "/api/v1/enterprises/export?format=csv&q=adqy")
		if rows := readCSV(t, b); len(rows) != 2 || rows[1][1] != other.USCC {
			t.Fatalf("q %q", rows)
		}
		// Another zone's administrator exports none of them.
		zoneB := srv.Zone("第二开发区")
		adminB := srv.UserIn("zone-b-admin", zoneB, "zone_admin", zoneB)
		_, b = download(t, adminB, "/api/v1/enterprises/export?format=csv")
		if rows := readCSV(t, b); len(rows) != 1 {
			t.Fatalf("other zone's export %q", rows)
		}

		// Round trip: the zone's export imported into the other zone,
		// whose parks bear the same names.
		for _, code := range []string{"wuli", "andong"} {
			name := map[string]string{"wuli": "五里园", "andong": "安东园"}[code]
			if _, err := adminB.CreatePark(ctx, map[string]string{"zone_id": zoneB, "name": name, "code": code}); err != nil {
				t.Fatal(err)
			}
		}
		adminA := srv.User("zone-a-admin", "zone_admin", srv.ZoneID)
		for _, format := range []string{"csv", "xlsx"} {
			_, b = download(t, adminA, "/api/v1/enterprises/export?format="+format)
			ct := map[string]string{"csv": csvType, "xlsx": xlsxType}[format]
			status, p, res := upload(t, adminB, ct, b, "?dry_run="+map[string]string{"csv": "true", "xlsx": "false"}[format])
			if status != 200 || res.Rows != 2 {
				t.Fatalf("%s round trip %d %+v", format, status, p)
			}
		}
		list, err := adminB.ListEnterprises(ctx, url.Values{"uscc": {mine.USCC}})
		if err != nil || len(list.Items) != 1 {
			t.Fatalf("round trip %+v %v", list, err)
		}
		e := list.Items[0]
		if e.ZoneID != zoneB || e.Name != mine.Name || e.Industry != "+食品" || e.Location == nil || *e.Location != *mine.Location ||
			e.Employees != 10 || e.RDStaff != 2 || e.MonthlyOutputFen == nil || *e.MonthlyOutputFen != out || e.ParkName != "五里园" {
			t.Fatalf("round trip %+v", e)
		}
		// A member of zone B sees zone B's, not zone A's.
		if n := srv.Count("enterprises", "zone_id = $1", zoneB); n != 2 {
			t.Fatalf("zone B holds %d", n)
		}
	})
}
