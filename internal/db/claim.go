package db

import (
	"context"
	"sync/atomic"
)

// A Claim is a write that belongs with the first write of a request: the
// Idempotency-Key's reservation. Made in a transaction of its own it
// would cost a turn on SQLite's one writer, a commit and its fsync; made
// in the request's own transaction it costs one statement, and a claim
// that fails (the key is taken) undoes the request's write with it, so
// two requests with one key can never both write.
type Claim struct {
	fn   func(context.Context, *Tx) error
	made atomic.Bool
}

type claimKey struct{}

// WithClaim returns ctx carrying a claim: the first transaction run by Tx
// or Group with ctx (or a context derived from it) runs fn first, in the
// same transaction (in Group, inside the caller's own savepoint). An error
// from fn is that transaction's error: nothing of it is written. Once a
// transaction carrying the claim has committed, later ones do not run fn
// again (Made reports it).
func WithClaim(ctx context.Context, fn func(context.Context, *Tx) error) (context.Context, *Claim) {
	c := &Claim{fn: fn}
	return context.WithValue(ctx, claimKey{}, c), c
}

// Made reports whether a transaction carrying the claim has committed.
func (c *Claim) Made() bool { return c.made.Load() }

// pendingClaim is ctx's claim when it has not been made yet.
func pendingClaim(ctx context.Context) *Claim {
	c, _ := ctx.Value(claimKey{}).(*Claim)
	if c == nil || c.made.Load() {
		return nil
	}
	return c
}
