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
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
	return createPostgres(t, base, "")
}

// createPostgres creates a database on the server of base (with the
// clause as, e.g. " TEMPLATE x") and drops it when the test ends.
func createPostgres(t testing.TB, base, as string) string {
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
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+as); err != nil {
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
	d := openDB(t, dsn)
	t.Cleanup(func() { d.Close() })
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
	router     *openapitest.Router // the document, loaded once for every clone of a template
	admin      *client.Client
	stop       func() // ends the handlers, the watch and (when the server opened it) the database
}

// Client returns an anonymous client of the server whose every answer is
// checked against the OpenAPI document (a mismatch fails the test).
func (s *Server) Client() *client.Client {
	c := client.New(s.URL)
	c.Check = s.checker()
	return c
}

func (s *Server) checker() func(*http.Request, *http.Response, []byte) {
	if s.check == nil {
		if s.router == nil {
			s.router = openapitest.Load(s.t, s.App.OpenAPI)
		}
		s.check = s.router.Checker(s.t)
	}
	return s.check
}

// Bind returns a copy of c (same caller, same token) talking to s, its
// answers checked for s's test: for clients signed in on a template
// (Freeze), whose sessions every clone holds.
func (s *Server) Bind(c *client.Client) *client.Client {
	b := *c
	b.Base = s.URL
	b.Check = s.checker()
	return &b
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
	return serve(t, app, d, s.ZoneID, logs, nil)
}

// serve runs app's handlers and its principal watch until the test ends
// (or Freeze), then runs closeDB when not nil.
func serve(t testing.TB, app *server.App, d *db.DB, zoneID string, logs *LogBuffer, closeDB func()) *Server {
	watch, stopWatch := context.WithCancel(context.Background())
	watched := make(chan struct{})
	go func() { defer close(watched); app.Auth.Principals.Watch(watch) }()
	ts := httptest.NewServer(app.Handler)
	ms := httptest.NewServer(app.Metrics)
	stop := sync.OnceFunc(func() {
		ts.Close()
		ms.Close()
		stopWatch()
		<-watched
		if closeDB != nil {
			closeDB()
		}
	})
	t.Cleanup(stop)
	return &Server{URL: ts.URL, App: app, DB: d, ZoneID: zoneID, Log: logs, MetricsURL: ms.URL + "/metrics", t: t, stop: stop}
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
	d := openDB(t, dsn)
	cfg := Config(dsn)
	cfg.Photos = t.TempDir()
	if edit != nil {
		edit(cfg)
	}
	zoneID, _, err := server.Bootstrap(context.Background(), d, Passwords(), "测试开发区", AdminPassword)
	if err != nil {
		d.Close()
		t.Fatal(err)
	}
	return start(t, cfg, d, zoneID, ui)
}

// start builds the app on d (open, migrated, first-started) and serves it;
// d is closed when the server stops.
func start(t testing.TB, cfg *config.Config, d *db.DB, zoneID string, ui fs.FS) *Server {
	t.Helper()
	keys, err := secret.Derive(strings.Repeat("k", secret.MinLength))
	if err != nil {
		d.Close()
		t.Fatal(err)
	}
	logs := &LogBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	app, err := server.New(cfg, d, keys, log, ui)
	if err != nil {
		d.Close()
		t.Fatal(err)
	}
	return serve(t, app, d, zoneID, logs, func() { d.Close() })
}

// openDB opens and migrates dsn; the caller closes it.
func openDB(t testing.TB, dsn string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.Migrate(context.Background(), d); err != nil {
		d.Close()
		t.Fatal(err)
	}
	return d
}

// Template is the database of a stopped server, in the state its test
// left it (migrated, first-started, seeded with zones, users and their
// sessions …): Start runs a server on a fresh copy of it. A test that needs
// the same surroundings for many subtests prepares them once and gives
// each subtest its own copy, so no subtest sees another's rows.
type Template struct {
	dsn    string // the stopped server's database
	cfg    config.Config
	zoneID string
	router *openapitest.Router
}

// Freeze stops s — its handlers, its principal watch and its connections
// (PostgreSQL copies only a database nobody is connected to) — and returns
// its database as a template. s's clients keep their sessions: Bind them
// to a clone's server. The template lives as long as s's test.
func (s *Server) Freeze() *Template {
	s.t.Helper()
	s.checker() // the clones share the loaded document
	s.stop()
	return &Template{dsn: s.App.Cfg.DB, cfg: *s.App.Cfg, zoneID: s.ZoneID, router: s.router}
}

// Start runs a server on a fresh copy of the template's database, made for
// t and dropped when it ends; its configuration is the template server's
// (with a photo directory of its own).
func (tp *Template) Start(t testing.TB) *Server {
	t.Helper()
	dsn := tp.clone(t)
	d, err := db.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg := tp.cfg
	cfg.DB = dsn
	cfg.Photos = t.TempDir()
	s := start(t, &cfg, d, tp.zoneID, nil)
	s.router = tp.router
	return s
}

// clone copies the template's database for t: a file copy on SQLite
// (the stopped server's last connection has checkpointed the WAL into
// the file; a WAL left behind is copied with it), CREATE DATABASE …
// TEMPLATE on PostgreSQL.
func (tp *Template) clone(t testing.TB) string {
	t.Helper()
	if path, ok := strings.CutPrefix(tp.dsn, "sqlite:"); ok {
		dst := filepath.Join(t.TempDir(), "tongxin.db")
		for _, suffix := range []string{"", "-wal"} {
			if err := copyFile(path+suffix, dst+suffix); err != nil && !(suffix != "" && errors.Is(err, fs.ErrNotExist)) {
				t.Fatalf("cloning the template: %v", err)
			}
		}
		return "sqlite:" + dst
	}
	u, err := url.Parse(tp.dsn)
	if err != nil {
		t.Fatal(err)
	}
	return createPostgres(t, os.Getenv("TONGXIN_TEST_POSTGRES"), " TEMPLATE "+strings.TrimPrefix(u.Path, "/"))
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
