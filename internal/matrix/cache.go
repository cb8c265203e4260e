package matrix

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tongxin/internal/access"
)

// The answer cache. Many staff open the same few dashboards at once, and
// each answer costs a grouped sum over a few hundred rows (about 1.8 ms of
// CPU), so an answer is reused for a short while by callers who would
// get the same one:
//
//   - same question: the caller's scope for Read (every subtree, and
//     whether it covers all zones) and every field of the Filter are the
//     key, so callers with different scopes never share an answer;
//   - read-your-writes in this process: an answer is tagged with
//     db.DB.Writes() loaded before its read began, and used only by a
//     caller who loaded the same value on arrival, so a request that
//     begins after a write of this process ended never gets figures read
//     before it ended;
//   - answers never go back: an answer is kept only when no write of
//     this process was committing while it was read (db.DB.Committing),
//     so every kept answer with a tag read the same state; a caller
//     arriving while one commits computes its own;
//   - bounded staleness across processes (other replicas, a CLI on the
//     SQLite file): an answer is used only while less than TTL has passed
//     since its read began (TONGXIN_DASHBOARD_CACHE_TTL, 1 s by default:
//     under load on PostgreSQL an answer can take most of 100 ms to
//     compute, and a shorter TTL, counted from the read's start, left it
//     hardly any time to be reused);
//   - one computation per question: callers arriving while an answer with
//     their tag is being computed wait for it instead of computing it
//     again;
//   - errors are never kept: a caller whose shared computation failed
//     computes its own answer.
//
// At most maxAnswers answers are kept; a new question beyond that forgets
// them all. Answers are shared: callers must not change them (their
// slices are clipped, so an append copies).

// maxAnswers bounds the cache.
const maxAnswers = 1000

// answers is the cache's state; its zero value is empty.
type answers struct {
	mu      sync.Mutex
	entries map[answerKey]*answer

	hits, misses, shared, off atomic.Uint64
}

// answerKey is everything that decides an answer.
type answerKey struct {
	all      bool
	paths    string // the scope's paths, concatenated (none holds "//", so the joins are unambiguous)
	from, to instant
	zoneID   string
	parkID   string
	orgID    string
	trend    bool
}

// instant is a time as its place on the time line (the answer reads
// From and To only through their day in Local time).
type instant struct {
	sec  int64
	nsec int
}

func instantOf(t time.Time) instant { return instant{t.Unix(), t.Nanosecond()} }

func keyOf(scope access.Scope, f Filter) answerKey {
	return answerKey{all: scope.All(), paths: strings.Join(scope.Paths(), ""), from: instantOf(f.From), to: instantOf(f.To),
		zoneID: f.ZoneID, parkID: f.ParkID, orgID: f.OrgID, trend: f.Trend}
}

// answer is one computation: rep and err are set before done is closed.
type answer struct {
	writes uint64    // db.DB.Writes() before the read began
	began  time.Time // before the read began
	done   chan struct{}
	rep    Report
	err    error
}

// errAbandoned is what waiters see of a computation that never returned.
var errAbandoned = errors.New("matrix: computation abandoned")

// Lookups are the cache's answers so far by where they came from.
type Lookups struct {
	Hit    uint64 // a kept answer
	Miss   uint64 // computed (and shared with those who came meanwhile)
	Shared uint64 // waited for a computation another caller had begun
	Off    uint64 // computed with the cache off (TTL 0)
}

// Lookups counts the answers given so far.
func (s *Service) Lookups() Lookups {
	a := &s.answers
	return Lookups{Hit: a.hits.Load(), Miss: a.misses.Load(), Shared: a.shared.Load(), Off: a.off.Load()}
}

// Matrix returns the figures of every cell within the caller's scope
// (Read) and the parks the caller covers or sees figures of, from the
// answer cache when one answers the same question and is fresh enough
// (see above). The Report is shared: do not change it.
//
// Returns EVALIDATION (field zone_id, park_id or org_id: unknown_value)
// when a filter names a node the caller has nothing in, or that is not of
// the kind named.
func (s *Service) Matrix(ctx context.Context, f Filter) (Report, error) {
	c := &s.answers
	if s.TTL <= 0 {
		c.off.Add(1)
		return s.compute(ctx, f)
	}
	k := keyOf(access.From(ctx).Scope(Read), f)
	// The order matters: the tag is loaded before the clock is read, and
	// both before the read begins. While a write of this process commits,
	// a read may or may not see it: such an answer is neither taken from
	// the cache nor kept in it (see keep).
	w := s.DB.Writes()
	if s.DB.Committing() {
		c.misses.Add(1)
		return s.compute(ctx, f)
	}
	now := time.Now()
	c.mu.Lock()
	a := c.entries[k]
	if a != nil && a.writes == w && now.Sub(a.began) < s.TTL {
		c.mu.Unlock()
		return s.wait(ctx, a, f)
	}
	a = &answer{writes: w, began: now, done: make(chan struct{}), err: errAbandoned}
	if c.entries == nil || len(c.entries) >= maxAnswers {
		c.entries = map[answerKey]*answer{}
	}
	c.entries[k] = a
	c.mu.Unlock()
	c.misses.Add(1)
	defer func() {
		if a.err != nil || !s.keep(w) {
			c.mu.Lock()
			if c.entries[k] == a {
				delete(c.entries, k)
			}
			c.mu.Unlock()
		}
		close(a.done)
	}()
	rep, err := s.compute(ctx, f)
	a.rep, a.err = clip(rep), err
	return a.rep, a.err
}

// keep reports whether an answer whose read began with no commit of this
// process under way and Writes at w read exactly the state those w writes
// left: no commit began or ended since. Otherwise it is given to its
// caller and to those who waited for it, not kept: its read may have seen
// a commit that later answers tagged w would not, and a caller who got it
// could then get an older answer (answers must never go back).
func (s *Service) keep(w uint64) bool {
	return !s.DB.Committing() && s.DB.Writes() == w
}

// wait returns a's answer once computed; when its computation failed (its
// caller gone, a filter refused), the caller computes its own.
func (s *Service) wait(ctx context.Context, a *answer, f Filter) (Report, error) {
	c := &s.answers
	select {
	case <-a.done:
		if a.err == nil {
			c.hits.Add(1)
			return a.rep, nil
		}
	default:
		select {
		case <-a.done:
		case <-ctx.Done():
			return Report{}, ctx.Err()
		}
		if a.err == nil {
			c.shared.Add(1)
			return a.rep, nil
		}
	}
	c.misses.Add(1)
	return s.compute(ctx, f)
}

// clip makes an append to any of rep's slices copy them first.
func clip(rep Report) Report {
	rep.Levels, rep.Functions = slices.Clip(rep.Levels), slices.Clip(rep.Functions)
	rep.Cells, rep.Parks, rep.Trend = slices.Clip(rep.Cells), slices.Clip(rep.Parks), slices.Clip(rep.Trend)
	return rep
}
