// Package db opens the platform's database — embedded SQLite (modernc, no
// cgo) or PostgreSQL (pgx) — and runs the same plain SQL with $N
// placeholders on both. Writes go through Tx, which retries when the engine
// reports a transient lock conflict.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB holds a write pool and a read pool. On SQLite the write pool has one
// connection (SQLite has one writer; queueing in Go beats spinning on
// SQLITE_BUSY) and the read pool is query-only. On PostgreSQL both are the
// same pool.
type DB struct {
	Dialect Dialect
	W       *sql.DB
	R       *Reader
	// Path is the SQLite file (empty on PostgreSQL).
	Path string
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Settle is how long a write transaction that takes rights away
	// (Tx.TakesRightsAway) waits after its commit before it returns. Other
	// processes on the same database trust the principals they remember
	// for a lease (auth.Lease) after they last read the principal epoch:
	// waiting one lease out means that when the logout or revoke is
	// acknowledged, no process still honours what it took away. Zero
	// where no other process remembers principals.
	Settle time.Duration

	stmts  *stmtCache     // SQLite: the writer's prepared statements
	group  *grouper       // Group's queue
	writes *atomic.Uint64 // write transactions ended (Writes)
	// committing counts the commits under way (Committing).
	committing *atomic.Int64
	dsn        string // PostgreSQL: what Open was given; SQLite: the readers' DSN
}

// Writes counts the write transactions this process has ended (committed
// or not), counted after the end. A reader that loads it, then reads the
// database, and later finds it unchanged knows that no write of this
// process ended in between: what it read is as fresh as any write of this
// process (the principal cache relies on it).
func (d *DB) Writes() uint64 { return d.writes.Load() }

// Committing reports whether a write transaction of this process is
// committing now: its rows may be visible to a read that begins now, and
// Writes does not count it yet (it counts it before Committing turns
// false). A reader that finds Committing false, loads Writes, reads, and
// then finds Committing still false and Writes unchanged read exactly the
// state those writes left (the matrix's answer cache relies on it).
func (d *DB) Committing() bool { return d.committing.Load() != 0 }

// DSN is the PostgreSQL connection string Open was given ("" on SQLite),
// for connections that cannot come from the pool (LISTEN).
func (d *DB) DSN() string {
	if d.Dialect != Postgres {
		return ""
	}
	return d.dsn
}

// OpenSideReader opens a separate one-connection, query-only pool on a
// SQLite database, for a background reader that must not wait behind the
// requests for the read pool.
func (d *DB) OpenSideReader() (*sql.DB, error) {
	if d.Dialect != SQLite {
		return nil, errors.New("db: OpenSideReader is for SQLite")
	}
	r, err := sql.Open("sqlite", d.dsn)
	if err != nil {
		return nil, err
	}
	r.SetMaxOpenConns(1)
	r.SetMaxIdleConns(1)
	return r, nil
}

// WithClock is d on the same connections with another clock (the demo
// records dated history through the domains' services). It groups its own
// writes: a group runs on the clock of the DB it was queued on.
func (d *DB) WithClock(now func() time.Time) *DB {
	return &DB{Dialect: d.Dialect, W: d.W, R: d.R, Path: d.Path, Now: now, Settle: d.Settle, stmts: d.stmts, group: &grouper{},
		writes: d.writes, committing: d.committing, dsn: d.dsn}
}

// WALCheckpointPages is how many pages SQLite's WAL holds before the
// writer's commit copies them into the database file (about 40 MB of
// 4 KiB pages; readers never wait for it).
const WALCheckpointPages = 10_000

// Open connects to dsn: "sqlite:PATH" or "postgres://…" / "postgresql://…".
func Open(ctx context.Context, dsn string) (*DB, error) {
	d := &DB{Now: time.Now, group: &grouper{}, writes: &atomic.Uint64{}, committing: &atomic.Int64{}}
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		d.Dialect = SQLite
		d.Path = strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//")
		if d.Path == "" {
			return nil, errors.New("db: sqlite DSN needs a path, e.g. sqlite:./tongxin.db")
		}
		// Order matters: busy_timeout must be set before journal_mode(WAL),
		// which itself may need to wait for a lock.
		base := "file:" + (&url.URL{Path: d.Path}).EscapedPath() +
			"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
		// The one writer keeps a 64 MiB page cache (default 2 MiB): a large
		// transaction (an import, `tongxin gen`) otherwise spills its pages
		// to the WAL as it goes. It checkpoints the WAL into the database
		// file every WALCheckpointPages pages instead of SQLite's 1,000: a
		// checkpoint runs inside the commit that crosses the mark, on the
		// one writer every sign-up and filing waits for, and the pages the
		// busiest writes change again and again (an activity's counts, the
		// indexes' last leaves) are copied once per checkpoint, not once
		// per thousand pages. Its temporary files are kept in memory: a
		// grouped write (db.Group) runs each caller in a savepoint, and
		// SQLite copies every page a savepoint first changes to a
		// sub-journal, a temporary file — 16% of the writer's time in
		// write(2) calls when filing requests (docs/scaling.md, "The
		// writer").
		w, err := sql.Open("sqlite", base+"&_pragma=cache_size(-65536)&_pragma=wal_autocheckpoint("+strconv.Itoa(WALCheckpointPages)+")"+
			"&_pragma=temp_store(memory)&_txlock=immediate")
		if err != nil {
			return nil, err
		}
		w.SetMaxOpenConns(1)
		w.SetMaxIdleConns(1)
		w.SetConnMaxLifetime(0)
		d.dsn = base + "&_pragma=query_only(1)"
		r, err := sql.Open("sqlite", d.dsn)
		if err != nil {
			w.Close()
			return nil, err
		}
		n := max(4, runtime.NumCPU()*2)
		r.SetMaxOpenConns(n)
		r.SetMaxIdleConns(n)
		d.W, d.R = w, &Reader{DB: r, stmts: &readStmts{}, gate: newGate(n)}
		d.stmts = newStmtCache()
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		d.Dialect = Postgres
		d.dsn = dsn
		p, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		// As many idle as open: with fewer, every burst above the idle
		// limit closes connections as they are released and opens them
		// again on the next request — a new PostgreSQL backend process
		// each time, tens of milliseconds on a busy machine, and the p99 of
		// every request behind it (tongxin_db_max_idle_closed counts them).
		p.SetMaxOpenConns(pgConns)
		p.SetMaxIdleConns(pgConns)
		p.SetConnMaxIdleTime(5 * time.Minute)
		d.W, d.R = p, &Reader{DB: p, gate: newGate(pgReadTurns)}
	default:
		return nil, fmt.Errorf("db: unsupported DSN %q (want sqlite:PATH or postgres://…)", redact(dsn))
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.W.PingContext(pingCtx); err != nil {
		d.Close()
		return nil, fmt.Errorf("db: connect %s: %w", d.Dialect, err)
	}
	return d, nil
}

func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		return u.String()
	}
	return dsn
}

// pgConns is the PostgreSQL pool's size (reads and writes share it).
const pgConns = 32

// pgReadTurns is how many read-only requests of a replica read from
// PostgreSQL at once (lease.go); the others wait in order. Fewer backends
// at work at once do more: on the two-core machine of docs/scaling.md
// ("Counts clustered; reads take their turns in order"), 8 rather than the
// pool's 32 gave gets 20–40% more requests per second and a p99 30–50%
// lower, and lists a p99 20–55% lower. Writes are not held back: they
// have the rest of the pool.
const pgReadTurns = 8

// SetReadTurns sets how many leased requests read at once (the gate of
// lease.go) to n, instead of the engine's default (0 keeps it): at least 1
// and at most the read pool's size, since requests beyond it would wait in
// the pool's random order again. Call it before the first read.
func (d *DB) SetReadTurns(n int) error {
	if n == 0 {
		return nil
	}
	pool := d.R.Stats().MaxOpenConnections
	if n < 1 || n > pool {
		return fmt.Errorf("db: %d read turns: want 1 to %d, the read pool's size (0: the default, %d)", n, pool, d.R.Turns())
	}
	d.R.gate = newGate(n)
	return nil
}

// Close closes both pools.
func (d *DB) Close() error {
	if d.stmts != nil {
		d.stmts.close()
	}
	d.R.closeStmts()
	err := d.W.Close()
	if d.R.DB != d.W {
		err = errors.Join(err, d.R.DB.Close())
	}
	return err
}

// Ping checks that the database answers (readiness).
func (d *DB) Ping(ctx context.Context) error {
	var one int
	return d.R.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Querier is what both *sql.DB and *sql.Tx offer.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is a write transaction. Now is read once when it begins so every row
// it writes carries the same time.
type Tx struct {
	*sql.Tx
	Dialect Dialect
	Now     time.Time

	stmts  *stmtCache
	settle bool
}

// TakesRightsAway marks tx as ending a session or taking a grant or a
// scope away: once it commits, Tx waits DB.Settle before it returns.
func (tx *Tx) TakesRightsAway() { tx.settle = true }

// Tx runs fn in a write transaction and commits when fn returns nil. It
// retries the whole function when the engine reports a transient conflict
// (SQLITE_BUSY, PostgreSQL serialization failure or deadlock), so fn must
// not have effects outside the transaction.
func (d *DB) Tx(ctx context.Context, fn func(*Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt*attempt*10+rand.IntN(20)) * time.Millisecond)
		}
		var settle bool
		settle, err = d.tx(ctx, fn)
		if d.stmts != nil {
			d.stmts.prepare(d.W)
		}
		if err == nil && settle {
			d.settle(ctx)
		}
		if err == nil || !transient(err) || ctx.Err() != nil {
			return err
		}
	}
	return err
}

// settle waits d.Settle after a commit that took rights away, or until
// nobody waits for the answer.
func (d *DB) settle(ctx context.Context) {
	if d.Settle <= 0 {
		return
	}
	t := time.NewTimer(d.Settle)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// tx runs fn once; settle reports a commit that took rights away.
func (d *DB) tx(ctx context.Context, fn func(*Tx) error) (settle bool, err error) {
	stx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	committing := false
	defer func() {
		d.writes.Add(1) // before the commit stops counting as under way
		if committing {
			d.committing.Add(-1)
		}
	}()
	tx := &Tx{Tx: stx, Dialect: d.Dialect, Now: d.Now().UTC().Truncate(time.Microsecond), stmts: d.stmts}
	c := pendingClaim(ctx)
	if c != nil {
		if err := c.fn(ctx, tx); err != nil {
			stx.Rollback()
			return false, err
		}
	}
	if err := fn(tx); err != nil {
		stx.Rollback()
		return false, err
	}
	d.committing.Add(1)
	committing = true
	if err := stx.Commit(); err != nil {
		return false, err
	}
	if c != nil {
		c.made.Store(true)
	}
	return tx.settle, nil
}

func transient(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// IsUnique reports whether err is a unique-constraint violation.
func IsUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// IsForeignKey reports whether err is a foreign-key violation.
func IsForeignKey(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	return false
}
