package servicenet

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"tongxin/internal/db"
)

func packed(events ...[5]string) string {
	var evs []string
	for _, e := range events {
		evs = append(evs, strings.Join(e[:], fieldSep))
	}
	return strings.Join(evs, eventSep)
}

// unpackTimeline reads what withTimeline packs, in order of time then id
// whatever order string_agg gave, a note whole (tabs, newlines, a field
// separator: it is the last field), the system's events without an actor.
func TestUnpackTimeline(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	us := func(d time.Duration) string { return strconv.FormatInt(db.Micros(at.Add(d)), 10) }
	got, err := unpackTimeline(packed(
		[5]string{us(time.Hour), "b", "", "escalate", ""},
		[5]string{us(0), "z", "u1", "submit", "水管\t漏水\n三楼"},
		[5]string{us(time.Hour), "a", "u2", "accept", "先到" + fieldSep + "先办"},
	))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ action, actor, note string }{{"submit", "u1", "水管\t漏水\n三楼"}, {"accept", "u2", "先到" + fieldSep + "先办"}, {"escalate", "", ""}}
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i, w := range want {
		e := got[i]
		actor := ""
		if e.ActorID != nil {
			actor = *e.ActorID
		}
		if e.Action != w.action || actor != w.actor || e.Note != w.note {
			t.Errorf("event %d: %s by %q %q, want %s by %q %q", i, e.Action, actor, e.Note, w.action, w.actor, w.note)
		}
	}
	if !got[0].At.Equal(at) || !got[1].At.Equal(at.Add(time.Hour)) {
		t.Errorf("times %v, %v", got[0].At, got[1].At)
	}
	// In order already (as the triggers append), and with one event.
	inOrder, err := unpackTimeline(packed(
		[5]string{us(0), "a", "u1", "submit", "漏水"},
		[5]string{us(time.Hour), "b", "", "escalate", ""},
		[5]string{us(time.Hour), "c", "u2", "accept", ""},
	))
	if err != nil || len(inOrder) != 3 || inOrder[0].Action != "submit" || inOrder[1].Action != "escalate" || inOrder[1].ActorID != nil ||
		inOrder[2].Action != "accept" || *inOrder[2].ActorID != "u2" || *inOrder[0].ActorID != "u1" {
		t.Errorf("in order: %+v, %v", inOrder, err)
	}
	if one, err := unpackTimeline(packed([5]string{us(0), "a", "u1", "submit", ""})); err != nil || len(one) != 1 || *one[0].ActorID != "u1" {
		t.Errorf("one event: %+v, %v", one, err)
	}
	if e, err := unpackTimeline(""); err != nil || e == nil || len(e) != 0 {
		t.Errorf("no events: %v, %v (want an empty list, not null)", e, err)
	}
	for _, bad := range []string{"1" + fieldSep + "a", "x" + fieldSep + "a" + fieldSep + fieldSep + "submit" + fieldSep} {
		if _, err := unpackTimeline(bad); err == nil {
			t.Errorf("%q unpacked without an error", bad)
		}
	}
}

// BenchmarkUnpackTimeline unpacks a closed request's five events, as
// every request of a list or a get is: its allocations per timeline
// (-benchmem) are the figure, three whatever the number of events.
func BenchmarkUnpackTimeline(b *testing.B) {
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	var evs [][5]string
	for i, action := range []string{"submit", "accept", "start", "resolve", "close"} {
		evs = append(evs, [5]string{strconv.FormatInt(db.Micros(at.Add(time.Duration(i)*time.Hour)), 10), "01a19477-bc99-7b33-a148-f7e888f5505" + strconv.Itoa(i), "01a19477-bc99-7b33-a148-f7e888f55000", action, ""})
	}
	p := packed(evs...)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := unpackTimeline(p); err != nil {
			b.Fatal(err)
		}
	}
}
