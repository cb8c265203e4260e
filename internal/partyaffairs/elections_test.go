package partyaffairs

import (
	"slices"
	"testing"
)

func TestElect(t *testing.T) {
	for _, c := range []struct {
		seats, voters int
		votes         []int
		elected       []bool
		ok            bool
	}{
		{3, 9, []int{8, 3, 7, 9, 5}, []bool{true, false, true, true, false}, true},
		{2, 9, []int{9, 4}, []bool{true, false}, true},             // 4 of 9 is not over half
		{1, 9, []int{3, 3}, []bool{false, false}, true},            // nobody over half: nobody elected, no tie to break
		{1, 9, []int{6, 6, 1}, []bool{false, false, false}, false}, // a tie for the last seat
		{2, 9, []int{7, 6, 6}, []bool{true, false, false}, false},
		{2, 9, []int{7, 7, 6}, []bool{true, true, false}, true}, // a tie within the seats is no tie
		{1, 1, []int{1}, []bool{true}, true},
	} {
		got, ok := elect(c.seats, c.voters, c.votes)
		if ok != c.ok || (ok && !slices.Equal(got, c.elected)) {
			t.Errorf("elect(%d, %d, %v) = %v %v, want %v %v", c.seats, c.voters, c.votes, got, ok, c.elected, c.ok)
		}
	}
}
