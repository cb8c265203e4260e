package enterprisesapi_test

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/testenv"
)

// coverageRow is a row of the coverage file as the JSON report gives it.
func coverageRow(name string, f client.CoverageFigures) []string {
	rate := ""
	if f.Enterprises > 0 {
		rate = fmt.Sprintf("%.1f%%", float64(f.WithOrg)*100/float64(f.Enterprises))
	}
	n := strconv.Itoa
	return []string{name, n(f.Enterprises), n(f.WithOrg), rate, n(f.NeedingOrg), n(f.Members.Full), n(f.Members.Probationary),
		n(f.Orgs), n(f.TermsExpired)}
}

// wantCoverage is the file the JSON report of c (with q) should give.
func wantCoverage(t *testing.T, c *client.Client, q url.Values, total string) [][]string {
	t.Helper()
	rep, err := c.Coverage(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	out := [][]string{{"园区", "企业数", "已建党组织企业数", "覆盖率", "应建未建企业数", "正式党员", "预备党员", "党组织数", "任期届满组织数"}}
	for _, p := range rep.Parks {
		out = append(out, coverageRow(p.ParkName, figures(p)))
	}
	return append(out, coverageRow(total, rep.Total))
}

func TestCoverageExport(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		wuli, andong := coverageWorld(t, srv)
		admin := srv.User("zone-admin", access.ZoneAdmin, srv.ZoneID)

		hdr, b := download(t, admin, "/api/v1/reports/coverage/export?format=csv")
		if !strings.Contains(hdr.Get("Content-Disposition"), "filename*=UTF-8''"+url.PathEscape("党组织覆盖情况-")) {
			t.Fatalf("disposition %q", hdr.Get("Content-Disposition"))
		}
		rows := readCSV(t, b)
		want := wantCoverage(t, admin, nil, "合计")
		if !slices.EqualFunc(rows, want, slices.Equal) || len(rows) != 4 {
			t.Fatalf("zone export\n got %q\nwant %q", rows, want)
		}
		// The known figures of 五里园 (see coverageWorld), to be sure the
		// comparison is not of two empty reports.
		if i := slices.IndexFunc(rows, func(r []string) bool { return r[0] == "五里园" }); i < 0 ||
			!slices.Equal(rows[i], coverageRow("五里园", wantWuli)) || !slices.Equal(rows[3], coverageRow("合计", wantTotal)) {
			t.Fatalf("五里园 %q", rows)
		}
		// xlsx, one park.
		_, b = download(t, admin, "/api/v1/reports/coverage/export?park_id="+andong.ID)
		_, xrows := readXLSX(t, b)
		want = wantCoverage(t, admin, url.Values{"park_id": {andong.ID}}, "合计")
		if !slices.EqualFunc(xrows, want, slices.Equal) || len(xrows) != 3 {
			t.Fatalf("one park\n got %q\nwant %q", xrows, want)
		}
		// A park administrator: their park only, as in the JSON report;
		// another park is 404.
		parkAdmin := srv.User("wuli-admin", access.ParkAdmin, wuli.ID)
		_, b = download(t, parkAdmin, "/api/v1/reports/coverage/export?format=csv")
		rows = readCSV(t, b)
		want = wantCoverage(t, parkAdmin, nil, "合计")
		if !slices.EqualFunc(rows, want, slices.Equal) || len(rows) != 3 || rows[1][0] != "五里园" {
			t.Fatalf("park admin\n got %q\nwant %q", rows, want)
		}
		if _, _, err := parkAdmin.Send(ctx, "GET", "/api/v1/reports/coverage/export?park_id="+andong.ID, "", nil, nil); client.StatusOf(err) != 404 {
			t.Fatalf("another park: %v", err)
		}
		// English headers and total; a member may not export it.
		en := *admin
		en.Lang = "en"
		_, b = download(t, &en, "/api/v1/reports/coverage/export?format=csv")
		rows = readCSV(t, b)
		if rows[0][0] != "Park" || rows[len(rows)-1][0] != "Total" {
			t.Fatalf("en %q", rows)
		}
		member := srv.User("member", "member", srv.ZoneID)
		if _, _, err := member.Send(ctx, "GET", "/api/v1/reports/coverage/export", "", nil, nil); client.StatusOf(err) != 403 {
			t.Fatalf("member: %v", err)
		}
	})
}
