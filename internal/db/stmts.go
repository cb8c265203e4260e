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

// readStmts holds prepared statements of the SQLite read pool (each is
// prepared on a connection the first time it runs there).
type readStmts struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// QueryPrepared runs a read on the read pool, prepared once on SQLite (the
// statements every request runs, such as the session lookup, would
// otherwise be parsed and planned each time); on PostgreSQL pgx caches
// prepared statements itself, and this is R.QueryContext.
func (d *DB) QueryPrepared(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if d.Dialect != SQLite {
		return d.R.QueryContext(ctx, query, args...)
	}
	d.reads.mu.Lock()
	s := d.reads.m[query]
	d.reads.mu.Unlock()
	kept := true
	if s == nil {
		var err error
		if s, err = d.R.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		d.reads.mu.Lock()
		if d.reads.m == nil {
			d.reads.m = map[string]*sql.Stmt{}
		}
		if old := d.reads.m[query]; old != nil {
			s.Close()
			s = old
		} else if len(d.reads.m) < maxStmts {
			d.reads.m[query] = s
		} else {
			kept = false
		}
		d.reads.mu.Unlock()
	}
	rows, err := s.QueryContext(ctx, args...)
	if !kept {
		s.Close() // released once rows are closed
	}
	return rows, err
}
