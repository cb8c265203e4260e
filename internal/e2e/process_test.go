// Package e2e_test drives the real tongxin binary and the real server:
// crash safety, graceful shutdown, replicas sharing one PostgreSQL, the
// secret-key rules, a browser against the embedded console (-tags ui) and
// load benchmarks.
package e2e_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"tongxin/internal/client"
	"tongxin/internal/db"
	"tongxin/internal/testenv"
)

// secretKey is the TONGXIN_SECRET_KEY the processes share on PostgreSQL.
const secretKey = "e2e-secret-key-0123456789abcdefghijklmnop"

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// moduleRoot is the directory holding go.mod, found from this file.
func moduleRoot(t testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("runtime.Caller failed")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// binary builds ./cmd/tongxin once per test run.
func binary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "tongxin-e2e-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "tongxin")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/tongxin")
		cmd.Dir = moduleRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build ./cmd/tongxin: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// proc is one running tongxin process.
type proc struct {
	t      testing.TB
	cmd    *exec.Cmd
	addr   string
	URL    string
	stderr *lockedBuffer
	done   chan struct{}
	err    error // exit error, valid after done is closed
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// childEnv is the test's environment without any TONGXIN_* setting (a
// developer's shell must not leak into the processes), plus extra.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TONGXIN_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// launch starts `tongxin serve` on dsn at a free address without waiting.
func launch(t testing.TB, dsn string, env ...string) *proc {
	t.Helper()
	p := &proc{t: t, addr: freeAddr(t), stderr: &lockedBuffer{}, done: make(chan struct{})}
	p.URL = "http://" + p.addr
	p.cmd = exec.Command(binary(t), "serve", "--addr", p.addr, "--db", dsn)
	p.cmd.Env = childEnv(append([]string{"TONGXIN_ADMIN_PASSWORD=" + testenv.AdminPassword, "TONGXIN_LOG_LEVEL=warn", "TONGXIN_METRICS_ADDR=127.0.0.1:0"}, env...)...)
	p.cmd.Stdout = p.stderr
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("output of tongxin at %s:\n%s", p.addr, p.stderr.String())
		}
	})
	return p
}

// waitReady waits until /readyz answers 200, failing when the process dies.
func (p *proc) waitReady() {
	p.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			p.t.Fatalf("tongxin exited before it was ready (%v):\n%s", p.err, p.stderr.String())
		default:
		}
		resp, err := http.Get(p.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.t.Fatalf("tongxin at %s not ready after 90s:\n%s", p.addr, p.stderr.String())
}

func start(t testing.TB, dsn string, env ...string) *proc {
	t.Helper()
	p := launch(t, dsn, env...)
	p.waitReady()
	return p
}

// wait waits up to d for the process to exit and returns its exit code.
func (p *proc) wait(d time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		p.t.Fatalf("tongxin did not exit within %v:\n%s", d, p.stderr.String())
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		p.t.Fatalf("waiting for tongxin: %v", p.err)
	}
	return 0
}

func newClient(base string) *client.Client {
	c := client.New(base)
	c.HTTP = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	return c
}

func login(t testing.TB, base string) *client.Client {
	t.Helper()
	c := newClient(base)
	if _, err := c.Login(context.Background(), "admin", testenv.AdminPassword); err != nil {
		t.Fatalf("login at %s: %v", base, err)
	}
	return c
}

// allParks pages through GET /api/v1/parks with limit=200.
func allParks(t testing.TB, c *client.Client) []client.Park {
	t.Helper()
	var all []client.Park
	q := url.Values{"limit": {"200"}}
	for {
		l, err := c.ListParks(context.Background(), q)
		if err != nil {
			t.Fatalf("listing parks: %v", err)
		}
		all = append(all, l.Items...)
		if l.NextCursor == nil {
			if len(all) != l.Total {
				t.Errorf("paged through %d parks, but total says %d", len(all), l.Total)
			}
			return all
		}
		q.Set("cursor", *l.NextCursor)
	}
}

// engines lists the databases the process tests run on: a SQLite file
// and, with TONGXIN_TEST_POSTGRES, a fresh PostgreSQL database (with the
// secret key PostgreSQL requires).
type procEngine struct {
	name string
	dsn  string
	env  []string
}

func procEngines(t *testing.T) []procEngine {
	es := []procEngine{{name: "sqlite", dsn: "sqlite:" + filepath.Join(t.TempDir(), "x.db")}}
	if base := os.Getenv("TONGXIN_TEST_POSTGRES"); base != "" {
		es = append(es, procEngine{name: "postgres", dsn: testenv.FreshPostgres(t, base), env: []string{"TONGXIN_SECRET_KEY=" + secretKey}})
	}
	return es
}

func TestCrashSafety(t *testing.T) {
	for _, e := range procEngines(t) {
		t.Run(e.name, func(t *testing.T) { testCrashSafety(t, e) })
	}
}

func testCrashSafety(t *testing.T, e procEngine) {
	p := start(t, e.dsn, e.env...)
	c := login(t, p.URL)

	var (
		mu    sync.Mutex
		acked = map[string]string{} // code → id
		sent  atomic.Int64
		stop  atomic.Bool
		wg    sync.WaitGroup
	)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				code := fmt.Sprintf("crash-%d-%d", g, i)
				sent.Add(1)
				park, err := c.CreatePark(context.Background(), map[string]string{"name": "崩溃测试园 " + code, "code": code})
				switch s := client.StatusOf(err); {
				case s == 0:
					mu.Lock()
					acked[code] = park.ID
					mu.Unlock()
				case s == -1: // the process is gone
					return
				default:
					t.Errorf("POST /api/v1/parks %s before the kill: %v", code, err)
					return
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.wait(10 * time.Second)
	stop.Store(true)
	wg.Wait()
	mu.Lock()
	n := len(acked)
	mu.Unlock()
	t.Logf("%s: %d parks acknowledged with 201 of %d requests sent before SIGKILL", e.name, n, sent.Load())
	if n < 10 {
		t.Fatalf("only %d parks were acknowledged before the kill; the test proves nothing", n)
	}

	p2 := start(t, e.dsn, e.env...)
	c2 := login(t, p2.URL)
	parks := allParks(t, c2)
	byCode := map[string]client.Park{}
	for _, pk := range parks {
		if _, dup := byCode[pk.Code]; dup {
			t.Errorf("code %s listed twice", pk.Code)
		}
		byCode[pk.Code] = pk
		if pk.ID == "" || pk.ZoneID == "" || pk.Name != "崩溃测试园 "+pk.Code || pk.Version != 1 || pk.CreatedAt.IsZero() || !pk.CreatedAt.Equal(pk.UpdatedAt) {
			t.Errorf("park half-written or altered: %+v", pk)
		}
	}
	for code, id := range acked {
		pk, ok := byCode[code]
		if !ok {
			t.Errorf("park %s was acknowledged with 201 but is gone after the crash", code)
		} else if pk.ID != id {
			t.Errorf("park %s: id %s after the crash, %s when acknowledged", code, pk.ID, id)
		}
	}
	if len(parks) > int(sent.Load()) {
		t.Errorf("%d parks exist but only %d were sent", len(parks), sent.Load())
	}

	// Every park commits together with its scope node and its audit entry.
	if err := p2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p2.wait(30 * time.Second); code != 0 {
		t.Errorf("restarted tongxin exited %d on SIGTERM", code)
	}
	d, err := db.Open(context.Background(), e.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	checks := []struct{ what, sql string }{
		{"parks without a scope node", `SELECT COUNT(*) FROM parks p WHERE NOT EXISTS (SELECT 1 FROM scope_nodes n WHERE n.id = p.id AND n.kind = 'park')`},
		{"park scope nodes without a park", `SELECT COUNT(*) FROM scope_nodes n WHERE n.kind = 'park' AND NOT EXISTS (SELECT 1 FROM parks p WHERE p.id = n.id)`},
		{"parks without an audit entry", `SELECT COUNT(*) FROM parks p WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entity_id = p.id AND a.entity = 'park' AND a.action = 'create')`},
		{"park audit entries without a park", `SELECT COUNT(*) FROM audit_log a WHERE a.entity = 'park' AND a.action = 'create' AND NOT EXISTS (SELECT 1 FROM parks p WHERE p.id = a.entity_id)`},
	}
	for _, ck := range checks {
		var bad int
		if err := d.R.QueryRowContext(context.Background(), ck.sql).Scan(&bad); err != nil {
			t.Fatalf("%s: %v", ck.what, err)
		}
		if bad != 0 {
			t.Errorf("%d %s", bad, ck.what)
		}
	}
	if d.Dialect == db.SQLite {
		var res string
		if err := d.R.QueryRowContext(context.Background(), "PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
			t.Errorf("SQLite integrity_check: %q %v", res, err)
		}
	}
}

func TestGracefulShutdown(t *testing.T) {
	for _, e := range procEngines(t) {
		t.Run(e.name, func(t *testing.T) { testGracefulShutdown(t, e) })
	}
}

func testGracefulShutdown(t *testing.T, e procEngine) {
	p := start(t, e.dsn, append([]string{"TONGXIN_SHUTDOWN_TIMEOUT=10s", "TONGXIN_LOG_LEVEL=info"}, e.env...)...)
	c := login(t, p.URL)
	ctx := context.Background()

	// Slow requests: headers sent, body trickling. The handler is running
	// (reading the body) when SIGTERM arrives, so the server must wait for
	// it and answer it in full.
	type slow struct {
		w    *io.PipeWriter
		code string
		resp chan error
	}
	var slows []slow
	for i := range 3 {
		pr, pw := io.Pipe()
		code := fmt.Sprintf("slow-%d", i)
		req, err := http.NewRequest("POST", p.URL+"/api/v1/parks", pr)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+c.Token)
		req.Header.Set("Content-Type", "application/json")
		s := slow{w: pw, code: code, resp: make(chan error, 1)}
		go func() {
			resp, err := (&http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{}}).Do(req)
			if err != nil {
				s.resp <- err
				return
			}
			defer resp.Body.Close()
			var pk client.Park
			b, err := io.ReadAll(resp.Body)
			if err == nil && resp.StatusCode != http.StatusCreated {
				err = fmt.Errorf("HTTP %d: %s", resp.StatusCode, b)
			}
			if err == nil {
				err = json.Unmarshal(b, &pk)
			}
			if err == nil && (pk.Code != code || pk.ID == "") {
				err = fmt.Errorf("incomplete park in the answer: %s", b)
			}
			s.resp <- err
		}()
		if _, err := io.WriteString(pw, `{"name": "平滑停机园`); err != nil {
			t.Fatal(err)
		}
		slows = append(slows, s)
	}

	// A stream of ordinary requests.
	var (
		stop     atomic.Bool
		termAt   atomic.Int64 // unix nanos of SIGTERM, 0 before
		ok, gone atomic.Int64
		wg       sync.WaitGroup
	)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				var err error
				if i%2 == 0 {
					var l struct {
						Items []client.Park `json:"items"`
						Total *int          `json:"total"`
					}
					_, err = c.Do(ctx, "GET", "/api/v1/parks?limit=20", nil, &l, nil)
					if err == nil && (l.Items == nil || l.Total == nil) {
						err = errors.New("incomplete list envelope")
					}
				} else {
					var pk client.Park
					code := fmt.Sprintf("term-%d-%d", g, i)
					pk, err = c.CreatePark(ctx, map[string]string{"name": "停机园 " + code, "code": code})
					if err == nil && (pk.ID == "" || pk.Code != code) {
						err = fmt.Errorf("incomplete park in the answer: %+v", pk)
					}
				}
				switch s := client.StatusOf(err); {
				case s == 0:
					ok.Add(1)
				case s == -1 && termAt.Load() != 0:
					// Refused or closed once the server drains: fine, no
					// response was given. (Requests already running
					// are the slow ones above.)
					gone.Add(1)
					return
				default:
					t.Errorf("request %d of stream %d: %v", i, g, err)
					return
				}
			}
		}()
	}
	time.Sleep(700 * time.Millisecond)
	termAt.Store(time.Now().UnixNano())
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	select {
	case <-p.done:
		t.Fatalf("tongxin exited while requests were still in flight:\n%s", p.stderr.String())
	default:
	}
	for _, s := range slows {
		if _, err := io.WriteString(s.w, ` `+s.code+`", "code": "`+s.code+`"}`); err != nil {
			t.Errorf("finishing the body of %s: %v", s.code, err)
		}
		s.w.Close()
	}
	for _, s := range slows {
		select {
		case err := <-s.resp:
			if err != nil {
				t.Errorf("in-flight request %s started before SIGTERM: %v", s.code, err)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("in-flight request %s got no answer", s.code)
		}
	}
	code := p.wait(15 * time.Second)
	stop.Store(true)
	wg.Wait()
	t.Logf("%d requests answered, %d streams ended by the shutdown", ok.Load(), gone.Load())
	if code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0:\n%s", code, p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), `"msg":"stopped"`) {
		t.Errorf("no \"stopped\" log line after SIGTERM:\n%s", p.stderr.String())
	}
	if ok.Load() < 10 {
		t.Errorf("only %d requests answered before SIGTERM; the test proves little", ok.Load())
	}
}

func TestTwoReplicasOnePostgres(t *testing.T) {
	base := os.Getenv("TONGXIN_TEST_POSTGRES")
	if base == "" {
		t.Skip("TONGXIN_TEST_POSTGRES is not set")
	}
	dsn := testenv.FreshPostgres(t, base)
	env := "TONGXIN_SECRET_KEY=" + secretKey
	// Both start at the same moment: migrations and first start race.
	a, b := launch(t, dsn, env), launch(t, dsn, env)
	a.waitReady()
	b.waitReady()

	d, err := db.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, ck := range []struct{ what, sql string }{
		{"zones", "SELECT COUNT(*) FROM zones"},
		{"admins", "SELECT COUNT(*) FROM users WHERE username = 'admin'"},
	} {
		var n int
		if err := d.R.QueryRow(ck.sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%d %s after two replicas started together, want 1", n, ck.what)
		}
	}

	ctx := context.Background()
	ca := login(t, a.URL)
	cb := newClient(b.URL)
	cb.Token = ca.Token
	if _, err := cb.Do(ctx, "GET", "/api/v1/auth/session", nil, nil, nil); err != nil {
		t.Fatalf("token from replica A on replica B: %v", err)
	}
	pk, err := cb.CreatePark(ctx, map[string]string{"name": "副本园", "code": "replica"})
	if err != nil {
		t.Fatalf("create park on B: %v", err)
	}
	got, err := ca.GetPark(ctx, pk.ID)
	if err != nil || got.Code != "replica" {
		t.Fatalf("park created on B, read on A: %+v %v", got, err)
	}
	if err := ca.Logout(ctx); err != nil {
		t.Fatalf("logout on A: %v", err)
	}
	_, err = cb.Do(ctx, "GET", "/api/v1/auth/session", nil, nil, nil)
	if s := client.StatusOf(err); s != http.StatusUnauthorized {
		t.Errorf("token on B right after logout on A: status %d (%v), want 401", s, err)
	}
	_, err = cb.ListParks(ctx, nil)
	if s := client.StatusOf(err); s != http.StatusUnauthorized {
		t.Errorf("listing parks on B after logout on A: status %d (%v), want 401", s, err)
	}
}

func TestPostgresWithoutSecretRefuses(t *testing.T) {
	base := os.Getenv("TONGXIN_TEST_POSTGRES")
	if base == "" {
		t.Skip("TONGXIN_TEST_POSTGRES is not set")
	}
	dsn := testenv.FreshPostgres(t, base)
	p := launch(t, dsn)
	if code := p.wait(60 * time.Second); code == 0 {
		t.Fatalf("tongxin serve on PostgreSQL without TONGXIN_SECRET_KEY exited 0")
	}
	if out := p.stderr.String(); !strings.Contains(out, "TONGXIN_SECRET_KEY") {
		t.Errorf("the refusal does not name TONGXIN_SECRET_KEY:\n%s", out)
	}
	// Refusing must come before any write: no migration, no first start.
	d, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var tables int
	if err := d.QueryRow(`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("a refused start created %d tables", tables)
	}
}

// TestSQLiteKeyFile: without TONGXIN_SECRET_KEY a SQLite server generates
// <db>.key (0600) once and reuses it.
func TestSQLiteKeyFile(t *testing.T) {
	{
		path := filepath.Join(t.TempDir(), "k.db")
		p := start(t, "sqlite:"+path)
		st, err := os.Stat(path + ".key")
		if err != nil {
			t.Fatalf("no key file beside the database: %v", err)
		}
		if m := st.Mode().Perm(); m != 0o600 {
			t.Errorf("key file mode %v, want 0600", m)
		}
		key1, err := os.ReadFile(path + ".key")
		if err != nil {
			t.Fatal(err)
		}
		if n := len(strings.TrimSpace(string(key1))); n < 32 {
			t.Errorf("generated key has %d characters", n)
		}
		token := login(t, p.URL).Token
		p.cmd.Process.Signal(syscall.SIGTERM)
		if code := p.wait(30 * time.Second); code != 0 {
			t.Fatalf("exit code %d on SIGTERM", code)
		}

		p2 := start(t, "sqlite:"+path)
		key2, err := os.ReadFile(path + ".key")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(key1, key2) {
			t.Errorf("key file changed on restart")
		}
		if st, err := os.Stat(path + ".key"); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("key file after restart: %v %v", st.Mode(), err)
		}
		c := newClient(p2.URL)
		c.Token = token
		if _, err := c.Do(context.Background(), "GET", "/api/v1/auth/session", nil, nil, nil); err != nil {
			t.Errorf("session from before the restart: %v", err)
		}
	}
}
