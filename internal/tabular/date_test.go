package tabular

import "testing"

func TestDate(t *testing.T) {
	for in, want := range map[string]string{
		"2021-07-01": "2021-07-01",
		"2021/7/1":   "2021-07-01",
		"2021.7.1":   "2021-07-01",
		"2021年7月1日":  "2021-07-01",
		"44378":      "2021-07-01", // =DATE(2021,7,1) in Excel
		"44378.75":   "2021-07-01", // with 18:00
		"61":         "1900-03-01",
		"2958465":    "9999-12-31",
		"60":         "60",         // Excel's 29 February 1900
		"2958466":    "2958466",    // past 9999
		"2023-02-30": "2023-02-30", // no such day
		"2021-7":     "2021-7",
		"-44378":     "-44378",
		"1e5":        "1e5",
		"":           "",
		"３０００-01-01": "３０００-01-01", // full-width digits are not \d in RE2 … kept as typed
	} {
		if got := Date(in); got != want {
			t.Errorf("Date(%q) = %q, want %q", in, got, want)
		}
	}
}
