package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// secretKey seals the generated zone's personal data; the benchmark's
// databases hold only generated people.
const secretKey = "tongxin-load-benchmark-key-not-a-secret-0123456789"

// password of the benchmark's users.
const password = "load-Bench-2026!"

// A benchmark user: a role on a scope of the generated zone.
type loadUser struct{ name, role, scope string }

// database is a prepared database for one engine: its DSN, the zone the
// generator wrote, and how long generating it took.
type database struct {
	dsn      string
	zoneID   string
	genTime  time.Duration
	cached   bool
	users    []loadUser
	template string // what it was copied from
}

// env is the environment of every tongxin child process.
func childEnv() []string {
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TONGXIN_") {
			env = append(env, kv)
		}
	}
	return append(env, "TONGXIN_SECRET_KEY="+secretKey, "TONGXIN_ADMIN_PASSWORD="+password, "TONGXIN_LOG_LEVEL=warn")
}

// cacheKey names a generated database by what decides its rows: the
// scale, the seed, and the generator's sources (when run from the
// repository). Empty: no cache. Migrations added since it was generated
// are applied to it before it is copied (migrate), so a new index does not
// cost a new generation, nor the server's start-up.
func cacheKey(scale string, seed uint64) string {
	h := sha256.New()
	n := 0
	filepath.WalkDir("internal", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if strings.HasPrefix(p, filepath.Join("internal", "demo")) && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			b, err := os.ReadFile(p)
			if err == nil {
				fmt.Fprintf(h, "%s %d\n", p, len(b))
				h.Write(b)
				n++
			}
		}
		return nil
	})
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%s-s%d-%s", scale, seed, hex.EncodeToString(h.Sum(nil))[:10])
}

// run runs the tongxin binary with args, stdin, and returns its stdout.
func (o options) tongxin(ctx context.Context, stdin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, o.bin, args...)
	cmd.Env = childEnv()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("tongxin %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), nil
}

var zoneLine = regexp.MustCompile(`^zone ([0-9a-f-]{36}) `)

// generate fills dsn with `tongxin gen` and adds the benchmark's users.
func (o options) generate(ctx context.Context, dsn string) (zoneID string, took time.Duration, users []loadUser, err error) {
	start := time.Now()
	out, err := o.tongxin(ctx, "", "gen", "--scale", o.scale, "--seed", strconv.FormatUint(o.seed, 10), "--db", dsn)
	if err != nil {
		return "", 0, nil, err
	}
	took = time.Since(start)
	m := zoneLine.FindStringSubmatch(out)
	if m == nil {
		return "", 0, nil, fmt.Errorf("tongxin gen printed no zone: %q", out)
	}
	zoneID = m[1]
	d, err := sql.Open(driverOf(dsn), sqlDSN(dsn))
	if err != nil {
		return "", 0, nil, err
	}
	defer d.Close()
	// The busiest park (its admin and service staff), and its committee
	// (a secretary).
	var park, committee string
	if err := d.QueryRowContext(ctx, `SELECT p.id FROM parks p WHERE p.zone_id = $1 ORDER BY (SELECT COUNT(*) FROM enterprises e WHERE e.park_id = p.id) DESC, p.id LIMIT 1`, zoneID).Scan(&park); err != nil {
		return "", 0, nil, fmt.Errorf("park: %w", err)
	}
	if err := d.QueryRowContext(ctx, `SELECT id FROM orgs WHERE zone_id = $1 AND park_id = $2 AND kind = 'committee' LIMIT 1`, zoneID, park).Scan(&committee); err != nil {
		return "", 0, nil, fmt.Errorf("committee: %w", err)
	}
	users = []loadUser{{"load-zone", "zone_admin", zoneID}, {"load-park", "park_admin", park}, {"load-staff", "service_staff", park}, {"load-secretary", "org_secretary", committee}}
	for _, u := range users {
		if _, err := o.tongxin(ctx, password+"\n", "user", "add", u.name, "--zone", zoneID, "--db", dsn); err != nil {
			return "", 0, nil, err
		}
		if _, err := o.tongxin(ctx, "", "user", "grant", u.name, u.role, u.scope, "--db", dsn); err != nil {
			return "", 0, nil, err
		}
	}
	return zoneID, took, users, nil
}

func driverOf(dsn string) string {
	if strings.HasPrefix(dsn, "sqlite:") {
		return "sqlite"
	}
	return "pgx"
}

// sqlDSN is dsn as database/sql takes it (read-only for SQLite).
func sqlDSN(dsn string) string {
	if p, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		return "file:" + p + "?_pragma=busy_timeout(10000)"
	}
	return dsn
}

type meta struct {
	ZoneID  string
	GenTime time.Duration
	Users   []loadUser
}

func writeMeta(path string, m meta) error {
	var b strings.Builder
	fmt.Fprintf(&b, "zone %s\ngen %d\n", m.ZoneID, m.GenTime)
	for _, u := range m.Users {
		fmt.Fprintf(&b, "user %s %s %s\n", u.name, u.role, u.scope)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func readMeta(path string) (meta, error) {
	var m meta
	f, err := os.Open(path)
	if err != nil {
		return m, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		switch {
		case len(fs) == 2 && fs[0] == "zone":
			m.ZoneID = fs[1]
		case len(fs) == 2 && fs[0] == "gen":
			n, _ := strconv.ParseInt(fs[1], 10, 64)
			m.GenTime = time.Duration(n)
		case len(fs) == 4 && fs[0] == "user":
			m.Users = append(m.Users, loadUser{fs[1], fs[2], fs[3]})
		}
	}
	if m.ZoneID == "" || len(m.Users) == 0 {
		return m, errors.New("incomplete")
	}
	return m, sc.Err()
}

// prepare returns a fresh database for this run: a copy of the cached
// generated one (generated first when missing or --fresh).
func (o options) prepare(ctx context.Context, engine string) (database, error) {
	key := cacheKey(o.scale, o.seed)
	dir := filepath.Join(o.out, "load-db")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return database{}, err
	}
	if engine == "sqlite" {
		return o.prepareSQLite(ctx, dir, key)
	}
	return o.preparePostgres(ctx, dir, key)
}

func (o options) prepareSQLite(ctx context.Context, dir, key string) (database, error) {
	run := filepath.Join(dir, "run.db")
	for _, suf := range []string{"", "-wal", "-shm"} {
		os.Remove(run + suf)
	}
	if key == "" || o.fresh {
		tpl := filepath.Join(dir, "fresh.db")
		for _, suf := range []string{"", "-wal", "-shm"} {
			os.Remove(tpl + suf)
		}
		z, took, users, err := o.generate(ctx, "sqlite:"+run)
		return database{dsn: "sqlite:" + run, zoneID: z, genTime: took, users: users}, err
	}
	tpl := filepath.Join(dir, key+".db")
	m, err := readMeta(tpl + ".meta")
	cached := err == nil
	if !cached {
		for _, suf := range []string{"", "-wal", "-shm"} {
			os.Remove(tpl + suf)
		}
		fmt.Fprintf(os.Stderr, "generating the %s database (sqlite) …\n", o.scale)
		z, took, users, err := o.generate(ctx, "sqlite:"+tpl)
		if err != nil {
			return database{}, err
		}
		m = meta{ZoneID: z, GenTime: took, Users: users}
		if err := writeMeta(tpl+".meta", m); err != nil {
			return database{}, err
		}
	}
	// Migrations added since the template was generated are applied to
	// it, once, not to every run's copy: a new index on a zone-scale table
	// takes a while to build. Then one file: the WAL (of the generation or
	// of the migrations) is folded in before copying.
	if _, err := o.tongxin(ctx, "", "migrate", "--db", "sqlite:"+tpl); err != nil {
		return database{}, err
	}
	if d, err := sql.Open("sqlite", "file:"+tpl); err == nil {
		d.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
		d.Close()
	}
	if err := copyFile(tpl, run); err != nil {
		return database{}, err
	}
	return database{dsn: "sqlite:" + run, zoneID: m.ZoneID, genTime: m.GenTime, cached: cached, users: m.Users, template: tpl}, nil
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// withDB is the DSN with its database name replaced.
func withDB(dsn, name string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", err
	}
	if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" && h != "::1" {
		return "", fmt.Errorf("PostgreSQL must be on 127.0.0.1, not %q", h)
	}
	u.Path = "/" + name
	return u.String(), nil
}

func (o options) preparePostgres(ctx context.Context, dir, key string) (database, error) {
	admin, err := sql.Open("pgx", o.pg)
	if err != nil {
		return database{}, err
	}
	defer admin.Close()
	if _, err := withDB(o.pg, "x"); err != nil {
		return database{}, err
	}
	exec := func(q string) error {
		_, err := admin.ExecContext(ctx, q)
		return err
	}
	const run = "tongxin_load"
	if err := exec(`DROP DATABASE IF EXISTS ` + run + ` WITH (FORCE)`); err != nil {
		return database{}, err
	}
	runDSN, _ := withDB(o.pg, run)
	if key == "" || o.fresh {
		if err := exec(`CREATE DATABASE ` + run); err != nil {
			return database{}, err
		}
		z, took, users, err := o.generate(ctx, runDSN)
		return database{dsn: runDSN, zoneID: z, genTime: took, users: users}, err
	}
	tpl := "tongxin_load_" + strings.NewReplacer("-", "_").Replace(key)
	metaPath := filepath.Join(dir, tpl+".pgmeta")
	var exists bool
	if err := admin.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, tpl).Scan(&exists); err != nil {
		return database{}, err
	}
	m, err := readMeta(metaPath)
	cached := err == nil && exists
	if !cached {
		// Older templates of this benchmark go: they are large.
		rows, err := admin.QueryContext(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'tongxin_load_%'`)
		if err != nil {
			return database{}, err
		}
		var old []string
		for rows.Next() {
			var n string
			rows.Scan(&n)
			old = append(old, n)
		}
		rows.Close()
		for _, n := range old {
			if err := exec(`DROP DATABASE IF EXISTS ` + n + ` WITH (FORCE)`); err != nil {
				return database{}, err
			}
		}
		if err := exec(`CREATE DATABASE ` + tpl); err != nil {
			return database{}, err
		}
		fmt.Fprintf(os.Stderr, "generating the %s database (postgres) …\n", o.scale)
		tplDSN, _ := withDB(o.pg, tpl)
		z, took, users, err := o.generate(ctx, tplDSN)
		if err != nil {
			return database{}, err
		}
		vacuum(ctx, tplDSN)
		m = meta{ZoneID: z, GenTime: took, Users: users}
		if err := writeMeta(metaPath, m); err != nil {
			return database{}, err
		}
	}
	// As on SQLite, new migrations are applied to the template, once. One
	// that rewrites rows (a column filled in) leaves dead tuples and pages
	// not all-visible: every index-only scan would visit the heap until
	// autovacuum came by, so the template is vacuumed then, as after
	// generating it.
	tplDSN, _ := withDB(o.pg, tpl)
	before, _ := appliedMigrations(ctx, tplDSN)
	if _, err := o.tongxin(ctx, "", "migrate", "--db", tplDSN); err != nil {
		return database{}, err
	}
	if after, err := appliedMigrations(ctx, tplDSN); err != nil || after != before {
		vacuum(ctx, tplDSN)
	}
	// FILE_COPY (PostgreSQL 15 and later) copies the files: the default,
	// WAL_LOG, writes the whole database through the WAL, and the
	// checkpoint that follows wrote gigabytes during the first phases
	// (the first ceiling ran at two thirds of the last).
	if err := exec(`CREATE DATABASE ` + run + ` TEMPLATE ` + tpl + ` STRATEGY FILE_COPY`); err != nil {
		if err := exec(`CREATE DATABASE ` + run + ` TEMPLATE ` + tpl); err != nil {
			return database{}, err
		}
	}
	return database{dsn: runDSN, zoneID: m.ZoneID, genTime: m.GenTime, cached: cached, users: m.Users, template: tpl}, nil
}

// replica is a running `tongxin serve`.
type replica struct {
	cmd     *exec.Cmd
	url     string
	metrics string
	startup time.Duration
	rss     *rssSampler
	exited  chan error
	logPath string
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// serve starts a replica on dsn and waits until /readyz answers.
func (o options) serve(ctx context.Context, dsn, logPath string) (*replica, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	maddr, err := freePort()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(o.bin, "serve", "--addr", addr, "--metrics-addr", maddr, "--db", dsn)
	cmd.Env = childEnv()
	cmd.Stdout, cmd.Stderr = logf, logf
	r := &replica{cmd: cmd, url: "http://" + addr, metrics: "http://" + maddr, exited: make(chan error, 1), logPath: logPath}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	go func() { r.exited <- cmd.Wait(); logf.Close() }()
	hc := &http.Client{Timeout: time.Second}
	for {
		select {
		case err := <-r.exited:
			return nil, fmt.Errorf("tongxin serve exited before ready: %v (log: %s)", err, logPath)
		case <-ctx.Done():
			r.stop()
			return nil, ctx.Err()
		default:
		}
		resp, err := hc.Get(r.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				r.startup = time.Since(start)
				break
			}
		}
		if time.Since(start) > 2*time.Minute {
			r.stop()
			return nil, errors.New("tongxin serve not ready after 2 minutes")
		}
		time.Sleep(5 * time.Millisecond)
	}
	r.rss = sampleRSS(cmd.Process.Pid)
	return r, nil
}

func (r *replica) stop() {
	if r.rss != nil {
		r.rss.stop()
	}
	r.cmd.Process.Signal(os.Interrupt)
	select {
	case <-r.exited:
	case <-time.After(20 * time.Second):
		r.cmd.Process.Kill()
		<-r.exited
	}
}

// rssSampler reads the process's resident memory every 100 ms.
type rssSampler struct {
	pid  int
	done chan struct{}
	max  chan int64 // the largest VmRSS seen, in kB, on stop
	hwm  int64
}

func sampleRSS(pid int) *rssSampler {
	s := &rssSampler{pid: pid, done: make(chan struct{}), max: make(chan int64, 1)}
	go func() {
		var peak int64
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if rss, hwm, err := procStatus(pid); err == nil {
				peak = max(peak, rss)
				s.hwm = hwm
			}
			select {
			case <-s.done:
				s.max <- peak
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// stop ends sampling; it returns the peak VmRSS sampled and VmHWM, in MB.
func (s *rssSampler) stop() (peakMB, hwmMB float64) {
	select {
	case <-s.done:
	default:
		close(s.done)
	}
	p := <-s.max
	s.max <- p
	return float64(p) / 1024, float64(s.hwm) / 1024
}

// procStatus reads VmRSS and VmHWM (kB) from /proc/PID/status.
func procStatus(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(f[0], 10, 64)
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	return rss, hwm, nil
}

// vacuum runs VACUUM ANALYZE on the PostgreSQL database dsn, at best: a
// template not vacuumed is slower, not wrong.
func vacuum(ctx context.Context, dsn string) {
	if d, err := sql.Open("pgx", dsn); err == nil {
		d.ExecContext(ctx, `VACUUM ANALYZE`)
		d.Close()
	}
}

// appliedMigrations is how many migrations the PostgreSQL database dsn
// has applied.
func appliedMigrations(ctx context.Context, dsn string) (int, error) {
	d, err := sql.Open("pgx", dsn)
	if err != nil {
		return 0, err
	}
	defer d.Close()
	var n int
	err = d.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n)
	return n, err
}
