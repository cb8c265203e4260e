package secret

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// OpenMasked shows a sealed value through its mask, opens each sealed
// value once per mask, keeps masks apart, remembers no failure and no
// more than maxMasked values, and holds under concurrent use (-race).
func TestOpenMasked(t *testing.T) {
	k, err := Derive(strings.Repeat("k", 32))
	if err != nil {
		t.Fatal(err)
	}
	var shown atomic.Int64
	tail := NewMask("tail", func(s string) string { shown.Add(1); return "***" + s[len(s)-4:] })
	head := NewMask("head", func(s string) string { return s[:3] + "***" })
	sealed := k.Seal("13812345678")
	for range 3 {
		if got, err := k.OpenMasked(sealed, tail); err != nil || got != "***5678" {
			t.Fatalf("tail: %q, %v", got, err)
		}
	}
	if n := shown.Load(); n != 1 {
		t.Errorf("the mask ran %d times for one sealed value, want once", n)
	}
	if got, err := k.OpenMasked(sealed, head); err != nil || got != "138***" {
		t.Errorf("head of the same sealed value: %q, %v", got, err)
	}
	if got, err := k.OpenMasked("", tail); err != nil || got != "" {
		t.Errorf("no value: %q, %v", got, err)
	}
	if got, err := k.OpenMasked(k.Seal(""), tail); err != nil || got != "" {
		t.Errorf("an empty value sealed: %q, %v", got, err)
	}

	// Sealed under a secret these keys do not know: an error every time.
	other, _ := Derive(strings.Repeat("o", 32))
	foreign := other.Seal("13900000000")
	for range 2 {
		if got, err := k.OpenMasked(foreign, tail); err == nil {
			t.Fatalf("a foreign value opened: %q", got)
		}
	}
	if _, ok := k.masked.seen[maskedKey{"tail", foreign}]; ok {
		t.Error("a value that did not open was remembered")
	}

	// Many goroutines, more values than the memo holds.
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range maxMasked/2 + 100 {
				v := fmt.Sprintf("1%02d%08d", g, i)
				got, err := k.OpenMasked(k.Seal(v), tail)
				if err != nil || got != "***"+v[len(v)-4:] {
					t.Errorf("%s: %q, %v", v, got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := len(k.masked.seen); n > maxMasked || n == 0 {
		t.Errorf("the memo holds %d values, want 1 … %d", n, maxMasked)
	}
}
