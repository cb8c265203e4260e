// Package password hashes and checks passwords (argon2id) and decides
// which passwords are acceptable. Hashing costs 19 MiB of memory and tens
// of milliseconds of CPU each time, so every hash in the process runs
// through a Pool that bounds how many run at once: a burst of sign-ins
// queues briefly, then is turned away with 503 and Retry-After, instead of
// taking the server's memory.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"tongxin/internal/apperr"
)

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1
// lane), which keeps a sign-in near 30 ms on a small server.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// Pool runs hashes at most n at a time.
type Pool struct {
	slots chan struct{}
	wait  time.Duration
}

// NewPool returns a pool of n slots (n < 1: one per CPU, at least two)
// where a hash waits at most wait for a slot.
func NewPool(n int, wait time.Duration) *Pool {
	if n < 1 {
		n = max(2, runtime.GOMAXPROCS(0))
	}
	return &Pool{slots: make(chan struct{}, n), wait: wait}
}

// Size is the number of hashes that may run at once.
func (p *Pool) Size() int { return cap(p.slots) }

// run takes a slot for fn. Returns EUNAVAILABLE (with RetryAfter) when no
// slot frees within the pool's wait, or ctx's error when the caller gives up.
func (p *Pool) run(ctx context.Context, fn func()) error {
	t := time.NewTimer(p.wait)
	defer t.Stop()
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		e := apperr.New(apperr.Unavailable, "problem.busy")
		e.RetryAfter = time.Second
		return e
	}
	defer func() { <-p.slots }()
	fn()
	return nil
}

// Hash returns the PHC-format argon2id hash of pw.
func (p *Pool) Hash(ctx context.Context, pw string) (string, error) {
	var h string
	err := p.run(ctx, func() { h = hash(pw) })
	return h, err
}

// Check reports whether pw matches hash, in constant time. Hashes made
// with other parameters still verify (the parameters are in the hash).
func (p *Pool) Check(ctx context.Context, hash, pw string) (bool, error) {
	var ok bool
	err := p.run(ctx, func() { ok = check(hash, pw) })
	return ok, err
}

// DummyCheck spends what a Check costs, for unknown usernames, so a wrong
// username takes as long as a wrong password.
func (p *Pool) DummyCheck(ctx context.Context, pw string) error {
	_, err := p.Check(ctx, dummyHash, pw)
	return err
}

func hash(pw string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// maxMemory bounds the cost a stored hash may ask for (64 MiB): a hash is
// data, and data must not be able to take the server's memory.
const maxMemory = 64 * 1024

func check(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > maxMemory || t > 10 || p == 0 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

var dummyHash = hash("tongxin-dummy-password")

// Random returns a password for a new administrator.
func Random() string {
	b := make([]byte, 15)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
