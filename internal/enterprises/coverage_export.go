package enterprises

import (
	"strconv"
	"strings"

	"tongxin/internal/tabular"
)

// CoverageColumns are the columns of the coverage report as a file: the
// console's table.
func CoverageColumns() []tabular.Column {
	return []tabular.Column{
		{Key: "park", Header: "园区", HeaderEN: "Park", Width: 20},
		{Key: "enterprises", Header: "企业数", HeaderEN: "Enterprises"},
		{Key: "with_org", Header: "已建党组织企业数", HeaderEN: "With a party organisation", Width: 20},
		{Key: "coverage_rate", Header: "覆盖率", HeaderEN: "Coverage"},
		{Key: "needing_org", Header: "应建未建企业数", HeaderEN: "Should form one", Width: 18},
		{Key: "full", Header: "正式党员", HeaderEN: "Full members"},
		{Key: "probationary", Header: "预备党员", HeaderEN: "Probationary members", Width: 20},
		{Key: "orgs", Header: "党组织数", HeaderEN: "Party organisations", Width: 20},
		{Key: "terms_expired", Header: "任期届满组织数", HeaderEN: "Terms expired", Width: 18},
	}
}

// CoverageRecords are the rows of rep as a file, in the order of
// CoverageColumns: one per park, then the total (named 合计, or Total
// when lang is English).
func CoverageRecords(rep CoverageReport, lang string) [][]string {
	out := make([][]string, 0, len(rep.Parks)+1)
	for _, p := range rep.Parks {
		out = append(out, coverageRecord(p.ParkName, p.Figures))
	}
	total := "合计"
	if strings.HasPrefix(strings.ToLower(lang), "en") {
		total = "Total"
	}
	return append(out, coverageRecord(total, rep.Total))
}

func coverageRecord(name string, f Figures) []string {
	rate := ""
	if f.Enterprises > 0 {
		rate = strconv.FormatFloat(float64(f.WithOrg)*100/float64(f.Enterprises), 'f', 1, 64) + "%"
	}
	n := strconv.Itoa
	return []string{name, n(f.Enterprises), n(f.WithOrg), rate, n(f.NeedingOrg), n(f.Members.Full), n(f.Members.Probationary),
		n(f.Orgs), n(f.TermsExpired)}
}
