package db

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// Reads take their turns on the read pool in the order they came.
//
// database/sql hands a connection given back to a random one of the
// requests waiting for it (sql.DB's connRequests.TakeRandom). With 64
// clients on SQLite's 4 read connections, 60 wait at any moment and each
// is picked with a chance of 1 in 60 per release: most wait about as long
// as the mean, a few many times longer. The load benchmark showed it as a
// p99 four times the p50 on the ceiling's bare primary-key read, and 3–4
// times the p50 on every list.
//
// A Lease is one request's turn: a server gives every read-only request
// (GET, HEAD) one, and its first statement on the Reader waits for a place
// at a FIFO gate (golang.org/x/sync/semaphore serves its waiters in
// order): as wide as the pool on SQLite, pgReadTurns on PostgreSQL. The
// request keeps its place for all its reads and gives it back when it
// starts its answer (the answer's bytes go to a client at the client's
// pace, which must not hold a place) or returns. Then no more requests
// reach the pool than it has connections, none waits there, and a request
// waits as long as the ones before it take. Statements outside a lease
// (writes' reads, background jobs, a leased request's reads after its
// answer began) go to the pool directly.

// gate is the FIFO in front of a read pool, and what it has queued.
type gate struct {
	width   int
	sem     *semaphore.Weighted
	waits   atomic.Uint64
	waitedN atomic.Int64 // nanoseconds
}

func newGate(n int) *gate { return &gate{width: n, sem: semaphore.NewWeighted(int64(n))} }

// Lease is a request's turn on the read pool (see above). Its zero value
// is not used: WithLease makes one.
type Lease struct {
	mu    sync.Mutex
	state int
	held  *gate
}

const (
	leaseUnused = iota
	leaseWaiting
	leaseHeld
	leaseDone
)

type leaseKey struct{}

// WithLease returns ctx carrying a new lease for a read-only request. The
// caller must Release it when the request's answer begins or, at the
// latest, when the request ends.
func WithLease(ctx context.Context) (context.Context, *Lease) {
	l := &Lease{}
	return context.WithValue(ctx, leaseKey{}, l), l
}

// Release gives the lease's place back, once; statements after it go to
// the pool directly.
func (l *Lease) Release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.state == leaseHeld {
		l.held.sem.Release(1)
		l.held = nil
	}
	l.state = leaseDone
}

// wait takes ctx's lease's place at g, if ctx carries a lease that has
// none yet and is not done; otherwise it returns at once. It fails only
// when ctx ends while it waits.
func (g *gate) wait(ctx context.Context) error {
	if g == nil {
		return nil
	}
	l, _ := ctx.Value(leaseKey{}).(*Lease)
	if l == nil {
		return nil
	}
	l.mu.Lock()
	if l.state != leaseUnused {
		l.mu.Unlock()
		return nil // held, done, or being waited for by another goroutine of the request
	}
	l.state = leaseWaiting
	l.mu.Unlock()
	if !g.sem.TryAcquire(1) {
		start := time.Now()
		err := g.sem.Acquire(ctx, 1)
		g.waits.Add(1)
		g.waitedN.Add(int64(time.Since(start)))
		if err != nil {
			l.mu.Lock()
			l.state = leaseDone
			l.mu.Unlock()
			return err
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.state == leaseDone { // released while it waited
		g.sem.Release(1)
		return nil
	}
	l.state, l.held = leaseHeld, g
	return nil
}

// Turns is how many leased requests read at once: the width of the gate
// (0: no gate).
func (r *Reader) Turns() int {
	if r.gate == nil {
		return 0
	}
	return r.gate.width
}

// QueueStats are how many leased reads waited for a place at the read
// pool's gate, and how long in all.
type QueueStats struct {
	Waits  uint64
	Waited time.Duration
}

// QueueStats reports the read pool's gate (zero without one).
func (r *Reader) QueueStats() QueueStats {
	if r.gate == nil {
		return QueueStats{}
	}
	return QueueStats{Waits: r.gate.waits.Load(), Waited: time.Duration(r.gate.waitedN.Load())}
}
