package people_test

import (
	"strings"
	"testing"

	"tongxin/internal/db"
	"tongxin/internal/people"
	"tongxin/internal/testenv"
)

// A person's row is one allocation of its own, whatever columns are NULL:
// the nullable columns and the party share it (and Scan's arguments take
// one more). Each nullable column in a variable of its own cost one more:
// eight a row before.
func TestScanAllocatesOnce(t *testing.T) {
	rows := map[string]testenv.Row{
		"member": {"p1", "z1", "王伟", "male", "", "", "e1", "o1", "full", "2020-07-01", "2026-05-01", false, int64(3),
			int64(1), int64(2), "鸿盛机械", "鸿盛机械党支部", ""},
		"worker": {"p2", "z1", "李娜", "female", "", "", nil, nil, nil, nil, nil, false, int64(1),
			int64(1), int64(2), "", "", ""},
	}
	for name, row := range rows {
		var sc db.Scanner = row
		p, err := people.Scan(sc)
		if err != nil {
			t.Fatal(name, err)
		}
		if name == "member" && (p.Party == nil || p.Party.LastContactOn == nil || *p.EnterpriseID != "e1" || *p.Party.LastContactOn != "2026-05-01") {
			t.Fatalf("member scanned as %+v", p)
		}
		if name == "worker" && (p.Party != nil || p.EnterpriseID != nil) {
			t.Fatalf("worker scanned as %+v", p)
		}
		if n := testing.AllocsPerRun(100, func() { people.Scan(sc) }); n > 2 {
			t.Errorf("%s: %v allocations a row, want at most 2", name, n)
		}
	}
	// Tags are split into a slice of their own.
	tagged := append(testenv.Row{}, rows["worker"]...)
	tagged[len(tagged)-1] = strings.Join([]string{"退役军人", "志愿者"}, "\x1f")
	p, err := people.Scan(tagged)
	if err != nil || len(p.Tags) != 2 {
		t.Fatalf("tags %q, %v", p.Tags, err)
	}
}
