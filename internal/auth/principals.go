package auth

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"tongxin/internal/access"
	"tongxin/internal/db"
)

// Principals remembers who stands behind each session token, so that a
// signed-in request costs no query for its caller — while a logout, a
// revoked session, a password change, a grant or a revoke takes effect at
// once in this process, within Lease on every other process on the same
// database, and a replica that cannot tell what changed trusts nothing it
// remembers.
//
// Every change that can alter what a token stands for moves the principal
// epoch forward in its own transaction (triggers, migration 0140). The
// cache forgets everything when it sees the epoch move. It looks:
//   - after every write transaction of this process (db.DB.Writes): the
//     first request after one reads the epoch (one primary-key read)
//     before trusting what it remembers, so a change this process made is
//     seen by the very next request;
//   - on a watch connection (Watch), which reads the epoch every Beat, and
//     on PostgreSQL also listens on tongxin_principals, where the trigger
//     announces each change at commit: another replica's change is seen
//     when it is announced (milliseconds), and at the latest by the first
//     beat that begins after its commit.
//
// A change that takes rights away waits Lease after its commit before it
// is acknowledged (db.DB.Settle, db.Tx.TakesRightsAway): by then every
// other process has heard of it or stopped trusting its memory.
//
// Fail closed: what is remembered is used only while the watch's last
// successful beat began less than Lease ago. A lost or silent watch
// connection therefore makes the process read every principal from the
// database until the watch is back, and coming back forgets everything.
//
// A principal read from the database is remembered only if nothing was
// forgotten and no write of this process ended while it was being read
// (a ticket), so a read that raced a change is never kept.
type Principals struct {
	DB  *db.DB
	Log *slog.Logger
	// ListenDSN is where the watch connects on PostgreSQL (default: the
	// database's DSN). A pooler in transaction mode cannot LISTEN: behind
	// one, point it at PostgreSQL itself.
	ListenDSN string

	mu      sync.Mutex
	entries map[string]*remembered // by token hash
	gen     uint64                 // moves each time everything is forgotten
	epoch   int64                  // the highest epoch seen
	seen    uint64                 // db.Writes() when the epoch was last read

	// trustedUntil is the end of the lease (unix nanoseconds; 0: none).
	trustedUntil atomic.Int64

	hits, misses, bypasses atomic.Uint64
}

// Beat is how often the watch reads the epoch; Lease is how long after
// the start of its last successful read the cache is trusted. A change on
// another process is therefore honoured within Lease even if its
// announcement is lost.
const (
	Beat  = 25 * time.Millisecond
	Lease = 100 * time.Millisecond
)

// stuck is how long the watch waits for an answer before it takes its
// connection for lost and makes a new one.
const stuck = 5 * time.Second

// maxRemembered bounds the cache; beyond it an arbitrary entry goes.
const maxRemembered = 100_000

type remembered struct {
	p         access.Principal
	expiresAt int64 // micros, as in sessions
	createdAt int64
}

// NewPrincipals returns an empty cache over d. It trusts nothing until
// Watch has read the epoch.
func NewPrincipals(d *db.DB, log *slog.Logger) *Principals {
	return &Principals{DB: d, Log: log, entries: map[string]*remembered{}}
}

// ticket is what a reader took before reading a principal from the
// database; keep stores the result only if the ticket still holds.
type ticket struct {
	gen    uint64
	writes uint64
	ok     bool
}

// Stats returns how many lookups were answered from memory, read from the
// database and remembered, and read from the database because the cache
// was not trusted.
func (c *Principals) Stats() (hits, misses, bypasses uint64) {
	return c.hits.Load(), c.misses.Load(), c.bypasses.Load()
}

// Trusted reports whether the watch's lease is current.
func (c *Principals) Trusted() bool {
	return time.Now().UnixNano() < c.trustedUntil.Load()
}

// lookup returns the remembered principal for hash (nil when none) and a
// ticket for remembering one read now. An error means the epoch could not
// be read: the caller reads the principal and does not keep it.
func (c *Principals) lookup(ctx context.Context, hash string) (*remembered, ticket) {
	if !c.Trusted() {
		c.bypasses.Add(1)
		return nil, ticket{}
	}
	w := c.DB.Writes()
	c.mu.Lock()
	stale := w != c.seen
	c.mu.Unlock()
	if stale {
		e, err := readEpoch(ctx, c.DB.R)
		if err != nil {
			c.bypasses.Add(1)
			return nil, ticket{}
		}
		c.observe(e, w)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	t := ticket{gen: c.gen, writes: w, ok: true}
	if r := c.entries[hash]; r != nil {
		c.hits.Add(1)
		return r, t
	}
	c.misses.Add(1)
	return nil, t
}

// keep remembers r under hash if t still holds: nothing was forgotten and
// no write of this process ended since t was taken.
func (c *Principals) keep(t ticket, hash string, r *remembered) {
	if !t.ok || !c.Trusted() || c.DB.Writes() != t.writes {
		return
	}
	r.p.Grants = slices.Clip(r.p.Grants) // callers that append get their own array
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != t.gen {
		return
	}
	// The places its requests look up are remembered with it, and go
	// with it: the epoch that forgets it covers them (access.Principal).
	r.p.Places = access.NewPlaces()
	if len(c.entries) >= maxRemembered {
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	c.entries[hash] = r
}

// slid records that hash's session now expires at expiresAt.
func (c *Principals) slid(hash string, expiresAt int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r := c.entries[hash]; r != nil && r.expiresAt < expiresAt {
		cp := *r
		cp.expiresAt = expiresAt
		c.entries[hash] = &cp
	}
}

// drop forgets hash (a session that expired by its remembered expiry).
func (c *Principals) drop(hash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, hash)
}

// observe takes note of epoch e, read after db.Writes() was w: a higher
// epoch than any seen before forgets everything.
func (c *Principals) observe(e int64, w uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e > c.epoch {
		c.forgetLocked()
		c.epoch = e
	}
	if w > c.seen {
		c.seen = w
	}
}

// Forget forgets every principal.
func (c *Principals) Forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgetLocked()
}

func (c *Principals) forgetLocked() {
	c.gen++
	clear(c.entries)
}

// epochQuery reads the principal epoch.
const epochQuery = `SELECT n FROM principal_epoch WHERE id = 1`

func readEpoch(ctx context.Context, q db.Querier) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, epochQuery).Scan(&n)
	return n, err
}

// Watch keeps the lease until ctx is done: it reads the epoch every Beat
// on a connection of its own, and on PostgreSQL listens for the changes
// other replicas announce. When the connection fails it stops trusting
// (the lease runs out), reconnects, and on coming back forgets everything
// before trusting again.
func (c *Principals) Watch(ctx context.Context) {
	for ctx.Err() == nil {
		var err error
		if c.DB.Dialect == db.Postgres {
			err = c.watchPostgres(ctx)
		} else {
			err = c.watchSQLite(ctx)
		}
		c.trustedUntil.Store(0)
		if ctx.Err() != nil {
			return
		}
		if c.Log != nil {
			c.Log.Warn("principal cache: watch lost; every request reads its principal until it is back", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(Beat):
		}
	}
}

// beat reads the epoch with read and extends the lease from the moment the
// read began. The first successful beat of a connection forgets everything:
// changes may have been missed while there was none.
func (c *Principals) beat(ctx context.Context, first bool, read func(context.Context) (int64, error)) error {
	start := time.Now()
	w := c.DB.Writes()
	// A slow read does not end the connection: the lease runs out on its
	// own meanwhile (requests read from the database) and is renewed when
	// the read answers. Only a read that never answers does.
	rctx, cancel := context.WithTimeout(ctx, stuck)
	defer cancel()
	e, err := read(rctx)
	if err != nil {
		return err
	}
	if first {
		c.Forget()
	}
	c.observe(e, w)
	c.trustedUntil.Store(start.Add(Lease).UnixNano())
	return nil
}

func (c *Principals) watchSQLite(ctx context.Context) error {
	side, err := c.DB.OpenSideReader()
	if err != nil {
		return err
	}
	defer side.Close()
	read := func(ctx context.Context) (int64, error) { return readEpoch(ctx, side) }
	if err := c.beat(ctx, true, read); err != nil {
		return err
	}
	t := time.NewTicker(Beat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		if err := c.beat(ctx, false, read); err != nil {
			return err
		}
	}
}

// WatchApplication is the application_name of the watch's connection.
const WatchApplication = "tongxin-principal-watch"

// notifyChannel is where the trigger announces principal changes.
const notifyChannel = "tongxin_principals"

func (c *Principals) watchPostgres(ctx context.Context) error {
	dsn := c.ListenDSN
	if dsn == "" {
		dsn = c.DB.DSN()
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return err
	}
	cfg.RuntimeParams["application_name"] = WatchApplication
	// An announcement forgets at once, whatever the connection is doing
	// (waiting, or reading the epoch).
	cfg.OnNotification = func(*pgconn.PgConn, *pgconn.Notification) { c.Forget() }
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	conn, err := pgx.ConnectConfig(cctx, cfg)
	cancel()
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	read := func(ctx context.Context) (int64, error) {
		var n int64
		err := conn.QueryRow(ctx, epochQuery).Scan(&n)
		return n, err
	}
	lctx, cancel := context.WithTimeout(ctx, stuck)
	_, err = conn.Exec(lctx, "LISTEN "+notifyChannel)
	cancel()
	if err != nil {
		return err
	}
	// Listening first, then the first beat: a change committed after the
	// beat's read is announced on this connection.
	if err := c.beat(ctx, true, read); err != nil {
		return err
	}
	next := time.Now().Add(Beat)
	for {
		wctx, cancel := context.WithDeadline(ctx, next)
		_, err := conn.WaitForNotification(wctx)
		cancel()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil && !pgconn.Timeout(err) {
			return err
		}
		if time.Now().Before(next) {
			continue // an announcement (handled by OnNotification)
		}
		if err := c.beat(ctx, false, read); err != nil {
			return err
		}
		next = time.Now().Add(Beat)
	}
}
