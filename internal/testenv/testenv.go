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
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tongxin/internal/client"
	"tongxin/internal/config"
	"tongxin/internal/db"
	"tongxin/internal/openapi/openapitest"
	"tongxin/internal/password"
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

// EachParallel is Each with the engines run at the same time (and beside
// other parallel tests), each on a server of its own: for the long walks
// over every route, whose fixtures keep any shared state under a lock.
func EachParallel(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Parallel()
	for _, e := range Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, e.DSN)
		})
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
	if _, err := server.Migrate(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return d
}

// Passwords is a password pool for operator functions in tests.
func Passwords() *password.Pool { return password.NewPool(0, time.Minute) }

// Config returns the configuration test servers use.
func Config(dsn string) *config.Config {
	c, err := config.Load("test", nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		panic(err)
	}
	c.DB = dsn
	c.AdminPassword = AdminPassword
	c.ShutdownTimeout = 5 * time.Second
	c.MetricsAddr = "off"
	return c
}

// Server is a platform instance behind an httptest server.
type Server struct {
	URL    string
	App    *server.App
	DB     *db.DB
	ZoneID string
	// Log holds the server's JSON log lines.
	Log *LogBuffer
	// MetricsURL serves /metrics (the App's separate metrics handler).
	MetricsURL string
	t          testing.TB
	check      func(*http.Request, *http.Response, []byte)
	admin      *client.Client
}

// Client returns an anonymous client of the server whose every answer is
// checked against the OpenAPI document (a mismatch fails the test).
func (s *Server) Client() *client.Client {
	if s.check == nil {
		s.check = openapitest.Checker(s.t, s.App.OpenAPI)
	}
	c := client.New(s.URL)
	c.Check = s.check
	return c
}

// Admin returns a client signed in as admin (the same session each call;
// NewAdmin signs in anew).
func (s *Server) Admin() *client.Client {
	s.t.Helper()
	if s.admin == nil {
		s.admin = s.NewAdmin()
	}
	return s.admin
}

// Replica starts a second server on s's database: its own connections,
// its own principal cache and watch, as another replica (or, on SQLite,
// another process on the same file) would have. Its clients sign in as on
// s; its ZoneID is s's. edit, when given, changes the app before it
// starts.
func (s *Server) Replica(t testing.TB, edit ...func(*server.App)) *Server {
	t.Helper()
	d := OpenDB(t, s.App.Cfg.DB)
	keys, err := secret.Derive(strings.Repeat("k", secret.MinLength))
	if err != nil {
		t.Fatal(err)
	}
	logs := &LogBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	app, err := server.New(s.App.Cfg, d, keys, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range edit {
		e(app)
	}
	return serve(t, app, d, s.ZoneID, logs)
}

// serve runs app's handlers and its principal watch until the test ends.
func serve(t testing.TB, app *server.App, d *db.DB, zoneID string, logs *LogBuffer) *Server {
	watch, stop := context.WithCancel(context.Background())
	watched := make(chan struct{})
	go func() { defer close(watched); app.Auth.Principals.Watch(watch) }()
	t.Cleanup(func() { stop(); <-watched })
	ts := httptest.NewServer(app.Handler)
	t.Cleanup(ts.Close)
	ms := httptest.NewServer(app.Metrics)
	t.Cleanup(ms.Close)
	return &Server{URL: ts.URL, App: app, DB: d, ZoneID: zoneID, Log: logs, MetricsURL: ms.URL + "/metrics", t: t}
}

// NewAdmin returns a client with a new session of admin.
func (s *Server) NewAdmin() *client.Client {
	s.t.Helper()
	c := s.Client()
	if _, err := c.Login(context.Background(), "admin", AdminPassword); err != nil {
		s.t.Fatalf("admin login: %v", err)
	}
	return c
}

// Start runs a server on dsn, first-started with user admin
// (AdminPassword) as platform and zone administrator of a new zone.
func Start(t testing.TB, dsn string) *Server {
	t.Helper()
	return StartWith(t, dsn, nil, nil)
}

// StartWith is Start serving ui (web.Dist() in a -tags ui build) as the
// console, with the configuration changed by edit (when not nil).
func StartWith(t testing.TB, dsn string, ui fs.FS, edit func(*config.Config)) *Server {
	t.Helper()
	d := OpenDB(t, dsn)
	cfg := Config(dsn)
	cfg.Photos = t.TempDir()
	if edit != nil {
		edit(cfg)
	}
	zoneID, _, err := server.Bootstrap(context.Background(), d, Passwords(), "测试开发区", AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := secret.Derive(strings.Repeat("k", secret.MinLength))
	if err != nil {
		t.Fatal(err)
	}
	logs := &LogBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	app, err := server.New(cfg, d, keys, log, ui)
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, app, d, zoneID, logs)
}
