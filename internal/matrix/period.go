package matrix

import "time"

// span is one range of fact rows of one grain: periods lo ≤ p < hi.
type span struct {
	grain  string
	lo, hi int
}

// Bounds of an open period: no record is older or newer.
var (
	beginning = time.Date(1900, 1, 1, 0, 0, 0, 0, Local)
	end       = time.Date(3000, 1, 1, 0, 0, 0, 0, Local)
)

// spans covers the days from (inclusive) to to (exclusive), both midnight
// in Local, with the fewest rows: whole years at the year grain (unless
// coarsest is "m"), whole months at the month grain, the rest as days.
func spans(from, to time.Time, coarsest string) []span {
	var out []span
	add := func(grain string, a, b time.Time, key func(time.Time) int) {
		if a.Before(b) {
			out = append(out, span{grain, key(a), key(b)})
		}
	}
	day := func(t time.Time) int { return Day(t) }
	month := func(t time.Time) int { return Day(t) / 100 }
	year := func(t time.Time) int { return Day(t) / 10000 }
	nextMonth := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, Local) }
	nextYear := func(t time.Time) time.Time { return time.Date(t.Year()+1, 1, 1, 0, 0, 0, 0, Local) }
	firstOfMonth := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, Local) }
	firstOfYear := func(t time.Time) time.Time { return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, Local) }
	if !from.Before(to) {
		return nil
	}
	// Head: days up to the first whole month, months up to the first
	// whole year.
	cur := from
	if cur.Day() != 1 {
		stop := minTime(nextMonth(cur), to)
		add("d", cur, stop, day)
		cur = stop
	}
	if coarsest == "y" && cur.Before(to) && (cur.Month() != 1) {
		stop := cur
		for stop.Month() != 1 && !nextMonth(stop).After(to) {
			stop = nextMonth(stop)
		}
		add("m", cur, stop, month)
		cur = stop
	}
	// Body: whole years, then whole months, then the tail's days.
	if coarsest == "y" {
		stop := cur
		if stop.Equal(firstOfYear(stop)) {
			for !nextYear(stop).After(to) {
				stop = nextYear(stop)
			}
		}
		add("y", cur, stop, year)
		cur = stop
	}
	if cur.Equal(firstOfMonth(cur)) {
		stop := cur
		for !nextMonth(stop).After(to) {
			stop = nextMonth(stop)
		}
		add("m", cur, stop, month)
		cur = stop
	}
	add("d", cur, to, day)
	return out
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// midnight is t's day's start in Local.
func midnight(t time.Time) time.Time {
	y, m, d := t.In(Local).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Local)
}
