package db

import (
	"slices"
	"testing"
)

// Equals keeps the order it is given and skips empty values, numbering
// after the arguments already there; the same filters give the same text.
func TestArgsEquals(t *testing.T) {
	a := Args{"zone"}
	got := a.Equals("status", "open", "kind", "", "park_id", "p1")
	if got != " AND status = $2 AND park_id = $3" || !slices.Equal(a, Args{"zone", "open", "p1"}) {
		t.Fatalf("%q %v", got, a)
	}
	for range 20 {
		var b Args
		if again := b.Equals("status", "open", "kind", "", "park_id", "p1"); again != " AND status = $1 AND park_id = $2" {
			t.Fatalf("%q", again)
		}
	}
	var none Args
	if got := none.Equals("status", "", "kind", ""); got != "" || len(none) != 0 {
		t.Fatalf("%q %v", got, none)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("an odd number of arguments was taken")
		}
	}()
	none.Equals("status")
}
