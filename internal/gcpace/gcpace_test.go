package gcpace_test

import (
	"context"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"tongxin/internal/gcpace"
)

func TestLimitIsNeverUnderTwiceTheLiveHeap(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int64
	}{
		{0, gcpace.Base},
		{10 << 20, gcpace.Base},
		{40 << 20, gcpace.Base},         // 2 × 40 + 16 = 96
		{41 << 20, 98 << 20},            // beyond: twice the live heap and the slack
		{1 << 30, 2<<30 + gcpace.Slack}, // a gigabyte live
	} {
		if got := gcpace.Limit(c.live); got != c.want {
			t.Errorf("Limit(%d MiB) = %d MiB, want %d MiB", c.live>>20, got>>20, c.want>>20)
		}
	}
}

// settings returns the collector's pace and memory limit, unchanged.
func settings() (percent int, limit int64) {
	percent = debug.SetGCPercent(100)
	debug.SetGCPercent(percent)
	return percent, debug.SetMemoryLimit(-1)
}

func restore(t *testing.T) {
	percent, limit := settings()
	t.Cleanup(func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
}

func TestAnOperatorsSettingsWin(t *testing.T) {
	restore(t)
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, "200")
			before, limit := settings()
			if gcpace.Start(t.Context()) {
				t.Fatal("Start took over although " + env + " is set")
			}
			if p, l := settings(); p != before || l != limit {
				t.Fatalf("settings moved: %d%%, %d → %d%%, %d", before, limit, p, l)
			}
		})
	}
}

func TestStartRaisesTheLimitWithTheLiveHeap(t *testing.T) {
	restore(t)
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	if !gcpace.Start(ctx) {
		t.Fatal("Start changed nothing")
	}
	if p, l := settings(); p != gcpace.Percent || l != gcpace.Base {
		t.Fatalf("after Start: %d%%, limit %d MiB; want %d%%, %d MiB", p, l>>20, gcpace.Percent, gcpace.Base>>20)
	}
	held := make([][]byte, 96) // 96 MiB live: twice that is over Base
	for i := range held {
		held[i] = make([]byte, 1<<20)
	}
	runtime.GC()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, l := settings(); l >= 2*96<<20+gcpace.Slack {
			break
		}
		if time.Now().After(deadline) {
			_, l := settings()
			t.Fatalf("with 96 MiB live the limit stayed %d MiB", l>>20)
		}
	}
	runtime.KeepAlive(held)
}
