// Package testenv gives tests real databases and real servers: a fresh
// SQLite file for every test, and a fresh PostgreSQL database as well when
// TONGXIN_TEST_POSTGRES holds a DSN (as gitea chooses engines by
// environment). A PostgreSQL that is configured but unreachable fails the
// test; it never skips.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tongxin/internal/config"
	"tongxin/internal/db"
	"tongxin/internal/secret"
	"tongxin/internal/server"
)

// AdminPassword is the password of user admin in every test server.
const AdminPassword = "admin-pass-123"

// Engine is one database a test runs on.
type Engine struct {
	Name string
	DSN  string
}

// Engines returns a fresh database of each configured engine.
func Engines(t testing.TB) []Engine {
	es := []Engine{{Name: "sqlite", DSN: "sqlite:" + filepath.Join(t.TempDir(), "tongxin.db")}}
	if base := os.Getenv("TONGXIN_TEST_POSTGRES"); base != "" {
		es = append(es, Engine{Name: "postgres", DSN: FreshPostgres(t, base)})
	}
	return es
}

// Each runs fn as a subtest on every engine.
func Each(t *testing.T, fn func(t *testing.T, dsn string)) {
	for _, e := range Engines(t) {
		t.Run(e.Name, func(t *testing.T) { fn(t, e.DSN) })
	}
}

// FreshPostgres creates an empty database on the server of base and drops
// it when the test ends.
func FreshPostgres(t testing.TB, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TONGXIN_TEST_POSTGRES: %v", err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("TONGXIN_TEST_POSTGRES: %v", err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "tongxin_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("PostgreSQL from TONGXIN_TEST_POSTGRES is not usable: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u.Path = "/" + name
	return u.String()
}

// OpenDB opens and migrates dsn, closing it when the test ends.
func OpenDB(t testing.TB, dsn string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// Config returns the configuration test servers use.
func Config(dsn string) *config.Config {
	c, err := config.Load("test", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		panic(err)
	}
	c.DB = dsn
	c.AdminPassword = AdminPassword
	c.ShutdownTimeout = 5 * time.Second
	return c
}

// Server is a platform instance behind an httptest server.
type Server struct {
	URL    string
	App    *server.App
	DB     *db.DB
	ZoneID string
	// Log holds the server's JSON log lines.
	Log *strings.Builder
}

// Start runs a server on dsn, first-started with user admin
// (AdminPassword) as platform and zone administrator of a new zone.
func Start(t testing.TB, dsn string) *Server {
	t.Helper()
	return StartWithUI(t, dsn, nil)
}

// StartWithUI is Start serving ui (web.Dist() in a -tags ui build) as the
// console.
func StartWithUI(t testing.TB, dsn string, ui fs.FS) *Server {
	t.Helper()
	d := OpenDB(t, dsn)
	cfg := Config(dsn)
	zoneID, _, err := server.Bootstrap(context.Background(), d, "测试开发区", AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := secret.Derive(strings.Repeat("k", secret.MinLength))
	if err != nil {
		t.Fatal(err)
	}
	logs := &strings.Builder{}
	log := slog.New(slog.NewJSONHandler(&syncWriter{w: logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	app, err := server.New(cfg, d, keys, log, ui)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(app.Handler)
	t.Cleanup(ts.Close)
	return &Server{URL: ts.URL, App: app, DB: d, ZoneID: zoneID, Log: logs}
}
