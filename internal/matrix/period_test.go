package matrix

import (
	"math/rand/v2"
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, s, Local)
	if err != nil {
		panic(err)
	}
	return t
}

func TestSpansTakeTheFewestRows(t *testing.T) {
	for _, c := range []struct {
		from, to string
		coarsest string
		want     []span
	}{
		{"1900-01-01", "3000-01-01", "y", []span{{"y", 1900, 3000}}},
		{"2022-01-01", "2023-01-01", "y", []span{{"y", 2022, 2023}}},
		{"2022-01-01", "2023-01-01", "m", []span{{"m", 202201, 202301}}},
		{"2022-11-15", "2022-11-16", "y", []span{{"d", 20221115, 20221116}}},
		{"2022-03-15", "2022-11-21", "y", []span{{"d", 20220315, 20220401}, {"m", 202204, 202211}, {"d", 20221101, 20221121}}},
		{"2021-11-03", "2024-02-10", "y", []span{{"d", 20211103, 20211201}, {"m", 202112, 202201}, {"y", 2022, 2024}, {"m", 202401, 202402}, {"d", 20240201, 20240210}}},
		{"2021-12-01", "2022-02-01", "y", []span{{"m", 202112, 202201}, {"m", 202201, 202202}}},
		{"2022-11-15", "2022-11-15", "y", nil},
	} {
		got := spans(date(c.from), date(c.to), c.coarsest)
		if len(got) != len(c.want) {
			t.Errorf("%s..%s: %v, want %v", c.from, c.to, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s..%s: %v, want %v", c.from, c.to, got, c.want)
				break
			}
		}
	}
}

// Every day of a random period lies in exactly one span, and no day
// outside it in any.
func TestSpansCoverEachDayOnce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	base := date("2019-06-01")
	for range 300 {
		from := base.AddDate(0, 0, rng.IntN(1500))
		to := from.AddDate(0, 0, rng.IntN(1200))
		for _, coarsest := range []string{"y", "m"} {
			ss := spans(from, to, coarsest)
			for d := from.AddDate(0, 0, -3); d.Before(to.AddDate(0, 0, 3)); d = d.AddDate(0, 0, 1) {
				n := 0
				for _, s := range ss {
					key := map[string]int{"d": Day(d), "m": Day(d) / 100, "y": Day(d) / 10000}[s.grain]
					if key >= s.lo && key < s.hi {
						n++
					}
				}
				inside := !d.Before(from) && d.Before(to)
				if (inside && n != 1) || (!inside && n != 0) {
					t.Fatalf("%s..%s (%s): day %s in %d spans of %v", from.Format(time.DateOnly), to.Format(time.DateOnly), coarsest, d.Format(time.DateOnly), n, ss)
				}
			}
		}
	}
}
