package tabular

import (
	"regexp"
	"strconv"
	"time"
)

// A date in a roster cell arrives as text ("2021-07-01", or "2021/7/1" as
// Chinese Excel shows dates) or, when Excel took the cell for a date and
// stored it as one, as the cell's serial number ("44378"): the reader
// passes numeric cells on as their raw value, never formatted.

var (
	datePattern   = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$|^(\d{4})(\d{2})(\d{2})$`)
	serialPattern = regexp.MustCompile(`^\d{1,7}(\.\d+)?$`)
	// excelEpoch is day 0 of Excel's 1900 date system as it counts from
	// 1 March 1900 on (Excel holds 1900 a leap year, so serial 60 is a
	// 29 February that never was and earlier serials are off by one).
	excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
)

// Excel's 1900 date system ends at 9999-12-31.
const maxSerial = 2958465

// Date returns the date a cell holds as YYYY-MM-DD: a date written
// YYYY-MM-DD, YYYY/M/D, YYYY.M.D, YYYY年M月D日 or YYYYMMDD, or an Excel date serial
// (a time of day in its fraction is dropped). Anything else, an
// impossible date (2023-02-30) included, comes back as it is, for the
// caller's date validation to refuse.
func Date(v string) string {
	if m := datePattern.FindStringSubmatch(v); m != nil {
		if m[1] == "" {
			m = m[3:]
		}
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
		if t.Year() != y || int(t.Month()) != mo || t.Day() != d {
			return v
		}
		return t.Format(time.DateOnly)
	}
	if serialPattern.MatchString(v) {
		days, err := strconv.ParseFloat(v, 64)
		if err != nil || days < 61 || days >= maxSerial+1 {
			return v // before March 1900 the serials are off by a day: not worth guessing
		}
		return excelEpoch.AddDate(0, 0, int(days)).Format(time.DateOnly)
	}
	return v
}
