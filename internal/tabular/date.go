package tabular

import (
	"regexp"
	"strconv"
	"time"
)

// dateForms are the ways people write a date in a roster cell: 2021-07-01,
// 2021/7/1, 2021.7.1, 2021年7月1日, 20210701.
var dateForm = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$|^(\d{4})(\d{2})(\d{2})$`)

// excelEpoch is day 0 of Excel's 1900 date system (as Excel counts it,
// with its phantom 1900-02-29).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// Date returns the YYYY-MM-DD form of a date cell written as above, or as
// an Excel date serial (a whole number up to 99999: a date typed into a
// cell not formatted as text); anything else comes back unchanged, for
// the caller's date check to refuse. An impossible date (2021-02-30)
// comes back in YYYY-MM-DD form, and is refused there too.
func Date(s string) string {
	if m := dateForm.FindStringSubmatch(s); m != nil {
		y, mo, d := m[1], m[2], m[3]
		if y == "" {
			y, mo, d = m[4], m[5], m[6]
		}
		return y + "-" + pad2(mo) + "-" + pad2(d)
	}
	if n, err := strconv.Atoi(s); err == nil && n > 0 && n < 100_000 {
		return excelEpoch.AddDate(0, 0, n).Format(time.DateOnly)
	}
	return s
}

func pad2(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}
