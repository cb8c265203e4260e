package demo

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"tongxin/internal/db"
)

// bulk inserts rows many at a time: one INSERT with many VALUES rows, the
// same statement on both engines. Rows wait in memory until a statement's
// worth (rowsPerInsert) has gathered.
type bulk struct {
	ctx    context.Context
	tx     *db.Tx
	tables map[string]*pending
	order  []string // first-use order, so parents are flushed before children
	counts map[string]int
}

type pending struct {
	cols string
	n    int
	args []any
	full *sql.Stmt // the statement of a full batch, prepared once: parsing thousands of $N is slow
}

const rowsPerInsert = 50

func newBulk(ctx context.Context, tx *db.Tx) *bulk {
	return &bulk{ctx: ctx, tx: tx, tables: map[string]*pending{}, counts: map[string]int{}}
}

// add queues one row of table; cols must be the same on every call for a
// table. A table's earlier rows are flushed first when it fills, and so are
// the tables used before it (its parents).
func (b *bulk) add(table, cols string, vals ...any) error {
	p := b.tables[table]
	if p == nil {
		p = &pending{cols: cols}
		b.tables[table] = p
		b.order = append(b.order, table)
	}
	p.args = append(p.args, vals...)
	p.n++
	b.counts[table]++
	if p.n >= rowsPerInsert {
		return b.flushUpTo(table)
	}
	return nil
}

// flushUpTo writes the pending rows of table and of every table first used
// before it.
func (b *bulk) flushUpTo(table string) error {
	for _, t := range b.order {
		if err := b.flushTable(t); err != nil {
			return err
		}
		if t == table {
			return nil
		}
	}
	return nil
}

func (b *bulk) flush() error {
	for _, t := range b.order {
		if err := b.flushTable(t); err != nil {
			return err
		}
	}
	return nil
}

func (b *bulk) flushTable(table string) error {
	p := b.tables[table]
	if p == nil || p.n == 0 {
		return nil
	}
	width := len(p.args) / p.n
	if p.n == rowsPerInsert && p.full != nil {
		if _, err := p.full.ExecContext(b.ctx, p.args...); err != nil {
			return err
		}
		p.args, p.n = p.args[:0], 0
		return nil
	}
	var sb strings.Builder
	sb.WriteString("INSERT INTO " + table + " (" + p.cols + ") VALUES ")
	for r := 0; r < p.n; r++ {
		if r > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('(')
		for c := 0; c < width; c++ {
			if c > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("$" + strconv.Itoa(r*width+c+1))
		}
		sb.WriteByte(')')
	}
	if p.n == rowsPerInsert {
		stmt, err := b.tx.PrepareContext(b.ctx, sb.String())
		if err != nil {
			return err
		}
		p.full = stmt
		if _, err := stmt.ExecContext(b.ctx, p.args...); err != nil {
			return err
		}
	} else if _, err := b.tx.ExecContext(b.ctx, sb.String(), p.args...); err != nil {
		return err
	}
	p.args, p.n = p.args[:0], 0
	return nil
}

// close releases the prepared statements.
func (b *bulk) close() {
	for _, p := range b.tables {
		if p.full != nil {
			p.full.Close()
		}
	}
}
