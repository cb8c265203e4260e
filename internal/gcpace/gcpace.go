// Package gcpace sets how often a server's Go collector runs.
//
// A server's live heap is small (about 10 MB under the load benchmark at
// zone scale) next to what every request allocates, so with the default
// pace (GOGC=100: collect when the heap has doubled) the collector ran
// about twenty times a second under load and took a sixth of a list's
// CPU. Start lets the heap grow to five times the live heap (GOGC=400),
// within a soft limit of Go memory (Base), so a small heap is collected
// less often and a large one no more often than by default: the limit is
// raised to twice the live heap plus Slack whenever that is higher, and
// the collector never runs more often than GOGC=100 would make it.
//
// An operator who sets GOGC or GOMEMLIMIT takes over: Start changes
// nothing then.
package gcpace

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

const (
	// Percent is the collector's pace: collect when the heap has grown
	// by this percentage of the live heap.
	Percent = 400
	// Base is the soft limit of the process's Go memory while the live
	// heap is small.
	Base = 96 << 20
	// Slack is what the limit keeps above twice the live heap: the
	// goroutine stacks and the runtime's own memory count toward it.
	Slack = 16 << 20
	// every is how often the live heap is looked at.
	every = time.Second
)

// Start sets the pace and keeps the limit above twice the live heap until
// ctx is done. It reports false, changing nothing, when GOGC or GOMEMLIMIT
// is set.
func Start(ctx context.Context) bool {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return false
	}
	debug.SetGCPercent(Percent)
	debug.SetMemoryLimit(Limit(live()))
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				debug.SetMemoryLimit(Limit(live()))
			}
		}
	}()
	return true
}

// Limit is the soft memory limit for a live heap of live bytes: Base, or
// twice the live heap and Slack when that is more, so that the limit
// never makes the heap's goal lower than the default pace's.
func Limit(live uint64) int64 {
	return max(Base, 2*int64(live)+Slack)
}

// live returns the heap the last collection found live.
func live() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
