package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Foundation holds the platform's own migrations (zones, the scope tree,
// users, sessions, audit …). Domains bring theirs in their own folders; all
// of them form one history, ordered by version number, which must be unique
// across every source.
//
//go:embed migrations/*.sql
var foundation embed.FS

// Foundation returns the platform's own migrations.
func Foundation() fs.FS {
	sub, err := fs.Sub(foundation, "migrations")
	if err != nil {
		panic(err)
	}
	return sub
}

// migrateLockKey is the PostgreSQL advisory lock that serialises replicas
// migrating the same database at the same moment.
const migrateLockKey = 0x746f6e67 // "tong"

// Migration is one step of the history.
type Migration struct {
	Version int
	Name    string
	sql     string // the whole file; For picks the dialect's part
}

// LoadMigrations reads NNNN_name.sql files from every source and returns
// them in version order. Two files with one version are an error.
func LoadMigrations(sources ...fs.FS) ([]Migration, error) {
	var ms []Migration
	seen := map[int]string{}
	for _, src := range sources {
		entries, err := fs.ReadDir(src, ".")
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || !strings.HasSuffix(name, ".sql") {
				continue
			}
			v, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
			if err != nil || v <= 0 {
				return nil, fmt.Errorf("db: migration %s: name must start with a positive number", name)
			}
			if other, dup := seen[v]; dup {
				return nil, fmt.Errorf("db: migrations %s and %s share version %d", other, name, v)
			}
			seen[v] = name
			b, err := fs.ReadFile(src, name)
			if err != nil {
				return nil, err
			}
			ms = append(ms, Migration{Version: v, Name: name, sql: string(b)})
		}
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// For returns the statements of m for one engine. A migration is plain SQL
// shared by both engines, except between a line "-- dialect: sqlite" (or
// postgres) and the next "-- dialect: all": there the engines truly differ
// (types such as BLOB/BYTEA, collations, triggers).
func (m Migration) For(d Dialect) (string, error) {
	var b strings.Builder
	keep := true
	for i, line := range strings.Split(m.sql, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "-- dialect:"); ok {
			switch strings.TrimSpace(rest) {
			case "all":
				keep = true
			case string(SQLite), string(Postgres):
				keep = strings.TrimSpace(rest) == string(d)
			default:
				return "", fmt.Errorf("db: migration %s line %d: unknown dialect %q", m.Name, i+1, strings.TrimSpace(rest))
			}
			continue
		}
		if keep {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String(), nil
}

// Migrate applies every migration of sources not yet applied, each in its
// own transaction, and returns the names applied. Two processes migrating
// at once are serialised: by an advisory lock on PostgreSQL, by the single
// writer on SQLite.
func (d *DB) Migrate(ctx context.Context, sources ...fs.FS) ([]string, error) {
	ms, err := LoadMigrations(sources...)
	if err != nil {
		return nil, err
	}
	conn, err := d.W.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if d.Dialect == Postgres {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrateLockKey); err != nil {
			return nil, fmt.Errorf("db: migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLockKey)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("db: create schema_migrations: %w", err)
	}
	var applied []string
	for _, m := range ms {
		stmts, err := m.For(d.Dialect)
		if err != nil {
			return applied, err
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return applied, err
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = $1", m.Version).Scan(&n); err != nil {
			tx.Rollback()
			return applied, err
		}
		if n > 0 {
			tx.Rollback()
			continue
		}
		if _, err := tx.ExecContext(ctx, stmts); err != nil {
			tx.Rollback()
			return applied, fmt.Errorf("db: migration %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
			m.Version, m.Name, Micros(time.Now())); err != nil {
			tx.Rollback()
			return applied, err
		}
		if err := tx.Commit(); err != nil {
			return applied, err
		}
		applied = append(applied, m.Name)
	}
	return applied, nil
}
