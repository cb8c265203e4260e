package servicenet_test

import (
	"testing"
	"time"

	"tongxin/internal/db"
	"tongxin/internal/servicenet"
	"tongxin/internal/testenv"
)

// A request's row is one allocation of its own, whatever columns are
// NULL: the nullable columns, the rating and the packed timeline share it
// (and Scan's arguments take one more). Each in a variable of its own
// cost one more: seventeen a row before.
func TestScanAllocatesOnce(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	due := db.Micros(now.Add(time.Hour))
	rows := map[string]testenv.Row{
		"rated": {"r1", "z1", "k1", "repair", "路灯不亮", "u1", "王伟", "", "园区北门", 31.2, 121.5, "pt1", "closed", "u2", due,
			due, int64(5), "app", int64(4), int64(1), int64(2), "u1", "/z1/k1/pt1/", "北门驿站", "", ""},
		"anonymous": {"r2", "z1", "k1", "repair", "路灯不亮", nil, "", "", "", nil, nil, "pt1", "submitted", nil, due,
			nil, nil, "walk_in", int64(1), int64(1), int64(1), nil, "/z1/k1/pt1/", "北门驿站", "", ""},
	}
	scan := (&servicenet.Service{}).ScanFull(now)
	for name, row := range rows {
		var sc db.Scanner = row
		r, err := scan(sc)
		if err != nil {
			t.Fatal(name, err)
		}
		switch {
		case name == "rated" && (r.Rating == nil || *r.Rating != 5 || r.RequesterID == nil || r.Location.Lat == nil || !r.Escalated):
			t.Fatalf("rated request scanned as %+v", r)
		case name == "anonymous" && (r.Rating != nil || r.RequesterID != nil || r.Location.Lat != nil || r.Escalated):
			t.Fatalf("anonymous request scanned as %+v", r)
		}
		if n := testing.AllocsPerRun(100, func() { scan(sc) }); n > 2 {
			t.Errorf("%s: %v allocations a row, want at most 2", name, n)
		}
	}
}
