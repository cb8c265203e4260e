package db

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// The SQLite driver parses and plans every statement it is handed as text,
// which was a quarter of a sign-up's time on the one writer connection.
// The writer therefore keeps its statements prepared: a statement a
// transaction runs for the first time runs as text and is remembered; once
// the transaction has given the connection back, the remembered ones are
// prepared on the pool (the writer pool has one connection, so a statement
// cannot be prepared on it while a transaction holds it), and every later
// transaction runs them prepared. PostgreSQL needs none of this: pgx keeps
// its own per-connection cache of prepared statements.

// maxStmts bounds the cache: statements built with a varying number of
// placeholders (IN lists) would otherwise grow it without end.
const maxStmts = 1024

type stmtCache struct {
	mu     sync.Mutex
	ready  map[string]*sql.Stmt
	wanted map[string]bool // seen, not yet prepared (or being prepared)
}

func newStmtCache() *stmtCache {
	return &stmtCache{ready: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

// lookup returns the prepared statement for query, or nil after noting
// that query is wanted.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.ready[query]; s != nil {
		return s
	}
	if _, ok := c.wanted[query]; !ok && len(c.ready)+len(c.wanted) < maxStmts {
		c.wanted[query] = false
	}
	return nil
}

// prepare prepares the wanted statements on w. Called with no transaction
// of this goroutine open on w.
func (c *stmtCache) prepare(w *sql.DB) {
	c.mu.Lock()
	var todo []string
	for q, busy := range c.wanted {
		if !busy {
			c.wanted[q] = true
			todo = append(todo, q)
		}
	}
	c.mu.Unlock()
	if len(todo) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, q := range todo {
		s, err := w.PrepareContext(ctx, q)
		c.mu.Lock()
		delete(c.wanted, q)
		if err == nil {
			c.ready[q] = s
		}
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, s := range c.ready {
		s.Close()
		delete(c.ready, q)
	}
}

// stmt is the transaction's handle on query's prepared statement, or nil.
func (t *Tx) stmt(ctx context.Context, query string) *sql.Stmt {
	if t.stmts == nil {
		return nil
	}
	if s := t.stmts.lookup(query); s != nil {
		return t.Tx.StmtContext(ctx, s)
	}
	return nil
}

// ExecContext runs query in the transaction (prepared once on SQLite).
func (t *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := t.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

// QueryContext runs query in the transaction (prepared once on SQLite).
func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := t.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query in the transaction (prepared once on SQLite).
func (t *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := t.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// Reader is the read pool. On SQLite it keeps every statement it runs
// prepared (up to maxStmts): the driver otherwise parses and plans each
// statement it is handed as text, which was two thirds of the time of a
// primary-key read. On PostgreSQL it is the pool itself: pgx keeps its own
// per-connection cache of prepared statements.
type Reader struct {
	*sql.DB
	stmts *readStmts // nil on PostgreSQL
	gate  *gate      // leased reads' FIFO (lease.go); nil: none
}

// readStmts holds the read pool's prepared statements (each is prepared on
// a connection the first time it runs there).
type readStmts struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// QueryContext runs a read, prepared once on SQLite.
func (r *Reader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := r.gate.wait(ctx); err != nil {
		return nil, err
	}
	if r.stmts == nil {
		return r.DB.QueryContext(ctx, query, args...)
	}
	s, kept, err := r.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := s.QueryContext(ctx, args...)
	if !kept {
		s.Close() // released once rows are closed
	}
	return rows, err
}

// QueryRowContext runs a read of one row, prepared once on SQLite.
func (r *Reader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if r.gate.wait(ctx) != nil || r.stmts == nil {
		return r.DB.QueryRowContext(ctx, query, args...)
	}
	s, kept, err := r.stmt(ctx, query)
	if err != nil {
		return r.DB.QueryRowContext(ctx, query, args...) // the same error, as a Row
	}
	row := s.QueryRowContext(ctx, args...)
	if !kept {
		s.Close()
	}
	return row
}

// stmt returns query's prepared statement; kept is false when the cache
// is full and the caller must close it.
func (r *Reader) stmt(ctx context.Context, query string) (s *sql.Stmt, kept bool, err error) {
	c := r.stmts
	c.mu.Lock()
	s = c.m[query]
	c.mu.Unlock()
	if s != nil {
		return s, true, nil
	}
	if s, err = r.DB.PrepareContext(ctx, query); err != nil {
		return nil, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	if old := c.m[query]; old != nil {
		s.Close()
		return old, true, nil
	}
	if len(c.m) < maxStmts {
		c.m[query] = s
		return s, true, nil
	}
	return s, false, nil
}

func (r *Reader) closeStmts() {
	if r.stmts == nil {
		return
	}
	r.stmts.mu.Lock()
	defer r.stmts.mu.Unlock()
	for _, s := range r.stmts.m {
		s.Close()
	}
	r.stmts.m = nil
}
