package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A phase drives its operations from every client for its length.
type phase struct {
	group, name string
	ops         []op
	length      time.Duration
}

// ceilings are the phases of the bare handlers, each d long.
func ceilings(d time.Duration) []phase {
	ceil := func(path func(w *worker) string) []op {
		return []op{{endpoint: "ceiling", weight: 1, build: func(w *worker) (*http.Request, []int) {
			r, _ := http.NewRequest("GET", w.ceil+path(w), nil)
			return r, ok200
		}}}
	}
	return []phase{
		{"ceiling", "ceiling: primary-key read", ceil(func(w *worker) string { return "/pk/" + w.pick(w.p.people) }), d},
		{"ceiling", "ceiling: page of 50 by id", ceil(func(w *worker) string {
			return "/page?zone=" + w.p.zoneID + "&after=" + w.pick(w.p.people)
		}), d},
	}
}

func (o options) phases() []phase {
	d := o.phase
	ps := ceilings(d)
	for _, x := range getOps() {
		ps = append(ps, phase{"get", x.endpoint, []op{x}, d / 2})
	}
	for _, x := range listOps() {
		ps = append(ps, phase{"list", x.endpoint, []op{x}, d / 2})
	}
	ps = append(ps,
		phase{"search", "search", searchOps(), d},
		phase{"matrix", "matrix", matrixOps(), d / 2},
		phase{"open311", "open311", open311Ops(), d / 2},
		phase{"signups", "signups", signupOps(), d},
		phase{"requests", "service requests", requestOps(), d},
	)
	var mix []op
	for _, g := range []struct {
		ops    []op
		factor int
	}{{getOps(), 6}, {listOps(), 4}, {searchOps(), 3}, {matrixOps(), 4}, {open311Ops(), 2}, {signupOps(), 8}, {requestOps(), 6}} {
		for _, x := range g.ops {
			x.weight *= g.factor
			mix = append(mix, x)
		}
	}
	ps = append(ps, phase{"mix", "mix", mix, 2 * d})
	// The ceilings again at the end: the machine is shared, and its load
	// moves during a run; ratios are to the mean of both measurements.
	ps = append(ps, phase{ps[0].group, ps[0].name + " (again)", ps[0].ops, d}, phase{ps[1].group, ps[1].name + " (again)", ps[1].ops, d})
	if len(o.only) > 0 {
		ps = slices.DeleteFunc(ps, func(p phase) bool {
			return !slices.Contains(o.only, p.group) && !slices.Contains(o.only, p.name)
		})
	}
	return ps
}

// Stat is one endpoint's figures in one phase.
type Stat struct {
	Phase     string  `json:"phase"`
	Group     string  `json:"group"`
	Endpoint  string  `json:"endpoint"`
	Requests  int     `json:"requests"`
	RPS       float64 `json:"rps"`
	P50       float64 `json:"p50_ms"`
	P95       float64 `json:"p95_ms"`
	P99       float64 `json:"p99_ms"`
	Errors    int     `json:"errors"`
	Conflicts int     `json:"conflicts_409"`
	Ratio     float64 `json:"ratio_to_ceiling,omitempty"`
	Ceiling   string  `json:"ceiling,omitempty"`
	// CPU is the server's CPU time (user and system, every replica; the
	// ceiling's own process in a ceiling phase; on PostgreSQL with every
	// postgres process of the machine) per request of the phase, in
	// microseconds; CPURatio is it over the same ceiling's. Throughput
	// follows what else the shared machine runs; CPU per request much
	// less.
	CPU      float64 `json:"server_cpu_us_per_request,omitempty"`
	CPURatio float64 `json:"cpu_to_ceiling,omitempty"`
	// TurnCeilingRPS and TurnCeilingCPU are the ceiling's throughput and
	// CPU per request measured in turns with the phase (--turns): its
	// slices and the ceiling's alternate, so both see the same moments
	// of the shared machine, and the ratios are to these.
	TurnCeilingRPS float64  `json:"turn_ceiling_rps,omitempty"`
	TurnCeilingCPU float64  `json:"turn_ceiling_cpu_us_per_request,omitempty"`
	Samples        []string `json:"error_samples,omitempty"`
}

type record struct {
	lat       []time.Duration
	errors    int
	conflicts int
	samples   []string
}

// runPhase drives ph from every worker and returns per-endpoint figures.
func runPhase(ctx context.Context, ph phase, workers []*worker) []Stat {
	recs, elapsed := drive(ctx, ph, workers)
	return stats(ph, recs, elapsed)
}

// drive runs ph from every worker for its length and returns what each
// endpoint answered and how long that took (the last requests
// included).
func drive(ctx context.Context, ph phase, workers []*worker) (map[string]*record, time.Duration) {
	total := 0
	for _, x := range ph.ops {
		total += x.weight
	}
	recs := make([]map[string]*record, len(workers))
	start := time.Now()
	deadline := start.Add(ph.length)
	var wg sync.WaitGroup
	for i, w := range workers {
		recs[i] = map[string]*record{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				var x op
				var req *http.Request
				var want []int
				for try := 0; try < 5 && req == nil; try++ {
					n := w.rnd.IntN(total)
					for _, c := range ph.ops {
						if n < c.weight {
							x = c
							break
						}
						n -= c.weight
					}
					req, want = x.build(w)
				}
				if req == nil {
					continue
				}
				t0 := time.Now()
				resp, err := w.hc.Do(req.WithContext(ctx))
				var body []byte
				status := 0
				if err == nil {
					body, err = io.ReadAll(resp.Body)
					resp.Body.Close()
					status = resp.StatusCode
				}
				el := time.Since(t0)
				if ctx.Err() != nil {
					return
				}
				r := recs[i][x.endpoint]
				if r == nil {
					r = &record{}
					recs[i][x.endpoint] = r
				}
				r.lat = append(r.lat, el)
				switch {
				case err != nil:
					r.errors++
					if len(r.samples) < 3 {
						r.samples = append(r.samples, err.Error())
					}
				case status == 409:
					r.conflicts++
				case !slices.Contains(want, status):
					r.errors++
					if len(r.samples) < 3 {
						r.samples = append(r.samples, fmt.Sprintf("%s %s → %d %.200s", req.Method, req.URL.Path, status, body))
					}
				}
				if x.after != nil && err == nil {
					x.after(w, status, body)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	merged := map[string]*record{}
	for _, m := range recs {
		merge(merged, m)
	}
	return merged, elapsed
}

// merge adds the records of from to into.
func merge(into, from map[string]*record) {
	for k, r := range from {
		t := into[k]
		if t == nil {
			t = &record{}
			into[k] = t
		}
		t.lat = append(t.lat, r.lat...)
		t.errors += r.errors
		t.conflicts += r.conflicts
		if len(t.samples) < 3 {
			t.samples = append(t.samples, r.samples...)
		}
	}
}

// stats are the per-endpoint figures of ph's records over elapsed.
func stats(ph phase, merged map[string]*record, elapsed time.Duration) []Stat {
	var out []Stat
	for _, x := range ph.ops {
		r := merged[x.endpoint]
		if r == nil || slices.ContainsFunc(out, func(s Stat) bool { return s.Endpoint == x.endpoint }) {
			continue
		}
		slices.Sort(r.lat)
		q := func(p float64) float64 {
			return float64(r.lat[min(len(r.lat)-1, int(p*float64(len(r.lat))))].Microseconds()) / 1000
		}
		out = append(out, Stat{Phase: ph.name, Group: ph.group, Endpoint: x.endpoint, Requests: len(r.lat), RPS: float64(len(r.lat)) / elapsed.Seconds(),
			P50: q(0.50), P95: q(0.95), P99: q(0.99), Errors: r.errors, Conflicts: r.conflicts, Samples: r.samples})
	}
	return out
}

// Result is one engine's run.
type Result struct {
	Engine       string    `json:"engine"`
	Scale        string    `json:"scale"`
	Seed         uint64    `json:"seed"`
	Clients      int       `json:"clients"`
	Replicas     int       `json:"replicas"`
	CPUs         int       `json:"cpus"`
	Started      time.Time `json:"started"`
	PhaseSeconds float64   `json:"phase_seconds"`
	GenSeconds   float64   `json:"gen_seconds"`
	GenCached    bool      `json:"gen_cached"`
	StartupMS    []float64 `json:"startup_ms"`
	RSSPeakMB    []float64 `json:"rss_peak_mb"`
	RSSHWMMB     []float64 `json:"rss_hwm_mb"`
	CeilingPKRPS float64   `json:"ceiling_pk_rps"`
	CeilingPage  float64   `json:"ceiling_page_rps"`
	// The ceilings' server CPU per request, in microseconds.
	CeilingPKCPU   float64  `json:"ceiling_pk_cpu_us"`
	CeilingPageCPU float64  `json:"ceiling_page_cpu_us"`
	Stats          []Stat   `json:"stats"`
	Overbooked     int      `json:"overbooked_activities"`
	Registered     int      `json:"signups_registered_in_run"`
	Targets        []Target `json:"targets"`
	// DBPool is each replica's tongxin_db_* gauges, principal lookups and
	// dashboard answers after the run.
	DBPool []string `json:"db_pool"`
	Notes  []string `json:"notes,omitempty"`
}

// Target is one of the scale targets (issues 10 and 11), as measured.
type Target struct {
	Name string `json:"name"`
	Want string `json:"want"`
	Got  string `json:"got"`
	OK   bool   `json:"ok"`
}

func (r Result) ok() bool {
	return r.Overbooked == 0
}

func runEngine(ctx context.Context, o options, engine string) (*Result, error) {
	res := &Result{Engine: engine, Scale: o.scale, Seed: o.seed, Clients: o.clients, Replicas: o.replicas, CPUs: numCPU(), Started: time.Now().UTC(),
		PhaseSeconds: o.phase.Seconds()}
	db, err := o.prepare(ctx, engine)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	res.GenSeconds, res.GenCached = db.genTime.Seconds(), db.cached
	if db.cached {
		res.Notes = append(res.Notes, fmt.Sprintf("database copied from the one generated earlier (%s, generated in %.1f s); --fresh generates it anew", filepath.Base(db.template), db.genTime.Seconds()))
	}
	p, err := loadPools(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("pools: %w", err)
	}

	// The ceiling server, on the same database.
	// The ceiling keeps a replica's pool (32 connections) — less when
	// several replicas keep theirs open on the same PostgreSQL.
	ceil, ceilPID, stopCeil, err := o.startCeiling(ctx, db.dsn, max(8, 32/o.replicas))
	if err != nil {
		return nil, fmt.Errorf("ceiling: %w", err)
	}
	defer stopCeil()

	var reps []*replica
	defer func() {
		for _, r := range reps {
			r.stop()
		}
	}()
	for i := range o.replicas {
		r, err := o.serve(ctx, db.dsn, filepath.Join(o.out, fmt.Sprintf("load-%s-serve%d.log", engine, i)))
		if err != nil {
			return nil, err
		}
		reps = append(reps, r)
		res.StartupMS = append(res.StartupMS, float64(r.startup.Microseconds())/1000)
	}

	hc := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConns: 4 * o.clients, MaxIdleConnsPerHost: 2 * o.clients,
		MaxConnsPerHost: 2 * o.clients, IdleConnTimeout: time.Minute}}
	sessions, err := signIn(ctx, hc, reps[0].url, db.users, min(8, o.clients))
	if err != nil {
		return nil, err
	}
	queue := &actionQueue{}
	workers := make([]*worker, o.clients)
	for i := range workers {
		ses := map[string]session{}
		for role, ss := range sessions {
			ses[role] = ss[i%len(ss)]
		}
		workers[i] = &worker{id: i, base: reps[i%len(reps)].url, rnd: rand.New(rand.NewPCG(o.seed, uint64(i))), ses: ses, p: p, hc: hc, queue: queue, ceil: ceil}
	}

	fmt.Fprintf(os.Stderr, "%s: %d clients, %d replica(s), start-up %v; running %d phases …\n", engine, o.clients, len(reps), res.StartupMS, len(o.phases()))
	// Warm up: connections, caches, the query planner; the ceilings for a
	// whole phase: on PostgreSQL, 2 s left the first ceiling at two
	// thirds of the last (its reads found a cold buffer cache: 306 against
	// 208 µs of CPU per request).
	runPhase(ctx, phase{"warm-up", "warm-up", append(getOps(), listOps()...), min(2*time.Second, o.phase)}, workers)
	var warm []op
	for _, ph := range ceilings(o.phase) {
		warm = append(warm, ph.ops...)
	}
	runPhase(ctx, phase{"warm-up", "warm-up", warm, o.phase}, workers)
	for _, ph := range o.phases() {
		// A get or a list runs in turns with its ceiling (--turns).
		var ceil *phase
		if o.turns > 0 {
			switch ph.group {
			case "get":
				ceil = &ceilings(ph.length)[0]
			case "list":
				ceil = &ceilings(ph.length)[1]
			}
		}
		var prof chan error
		if o.pprof != "" && (o.pprof == ph.group || o.pprof == ph.name) {
			length := ph.length
			if ceil != nil {
				length *= 2 // the server is idle in the ceiling's turns
			}
			prof = make(chan error, 1)
			go func() {
				prof <- saveProfile(ctx, reps[0].metrics, length, filepath.Join(o.out, fmt.Sprintf("load-%s-%s.pprof", engine, fileName(ph.name))))
			}()
		}
		pids := []int{ceilPID}
		if ph.group != "ceiling" {
			pids = nil
			for _, r := range reps {
				pids = append(pids, r.cmd.Process.Pid)
			}
		}
		var st []Stat
		if ceil != nil {
			n := max(1, min(o.turns, int(ph.length/(50*time.Millisecond))))
			st = inTurns(ctx, ph, *ceil, n, workers, pids, ceilPID, engine == "postgres")
		} else {
			cpu0 := procCPU(pids, engine == "postgres")
			st = runPhase(ctx, ph, workers)
			if n := requests(st); n > 0 {
				us := float64(cpu0.used(procCPU(pids, engine == "postgres")).Microseconds()) / float64(n)
				for i := range st {
					st[i].CPU = us
				}
			}
		}
		if prof != nil {
			if err := <-prof; err != nil {
				res.Notes = append(res.Notes, "pprof: "+err.Error())
			}
		}
		for _, s := range st {
			fmt.Fprintf(os.Stderr, "  %-44s %8.0f req/s  p50 %6.1f  p99 %6.1f ms  err %d  409 %d\n", s.Endpoint, s.RPS, s.P50, s.P99, s.Errors, s.Conflicts)
		}
		res.Stats = append(res.Stats, st...)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	for i, r := range reps {
		res.DBPool = append(res.DBPool, poolGauges(ctx, r.metrics, i)...)
	}
	for _, r := range reps {
		select {
		case err := <-r.exited:
			return nil, fmt.Errorf("a replica died during the run: %v (log %s)", err, r.logPath)
		default:
		}
		peak, hwm := r.rss.stop()
		res.RSSPeakMB = append(res.RSSPeakMB, peak)
		res.RSSHWMMB = append(res.RSSHWMMB, hwm)
	}
	// Stop the servers first: their idle connections would count against
	// PostgreSQL's max_connections.
	for _, r := range reps {
		r.stop()
	}
	reps = nil
	stopCeil()
	if err := checkCapacity(ctx, db, res); err != nil {
		return nil, err
	}
	res.rate()
	return res, nil
}

func numCPU() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "\nprocessor") + 1
}

// startCeiling runs `tongxin-load ceiling` (this binary) on dsn.
func (o options) startCeiling(ctx context.Context, dsn string, conns int) (string, int, func(), error) {
	self, err := os.Executable()
	if err != nil {
		return "", 0, nil, err
	}
	cmd := exec.Command(self, "ceiling", "--db", dsn, "--conns", strconv.Itoa(conns))
	cmd.Env = childEnv()
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", 0, nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", 0, nil, err
	}
	var once sync.Once
	stop := func() { once.Do(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }) }
	line := make([]byte, 64)
	n, err := out.Read(line)
	if err != nil {
		stop()
		return "", 0, nil, err
	}
	return "http://" + strings.TrimSpace(string(line[:n])), cmd.Process.Pid, stop, nil
}

// inTurns runs ph and its ceiling in turns, n slices of each of
// ph.length/n, ph's first, and returns ph's figures with its server CPU
// per request (pids) over its own slices and the ceiling's throughput and
// CPU per request (ceilPID) over the ceiling's. The machine is shared,
// and what else runs on it moves by the second: a ceiling measured at the
// start and the end of a run can differ by half, where slices a few
// hundred milliseconds apart see nearly the same load.
func inTurns(ctx context.Context, ph, ceil phase, n int, workers []*worker, pids []int, ceilPID int, postgres bool) []Stat {
	slice := ph.length / time.Duration(n)
	ph.length, ceil.length = slice, slice
	recs, ceilRecs := map[string]*record{}, map[string]*record{}
	var elapsed, ceilElapsed, used, ceilUsed time.Duration
	for range n {
		if ctx.Err() != nil {
			break
		}
		c0 := procCPU(pids, postgres)
		r, e := drive(ctx, ph, workers)
		used += c0.used(procCPU(pids, postgres))
		merge(recs, r)
		elapsed += e
		c0 = procCPU([]int{ceilPID}, postgres)
		r, e = drive(ctx, ceil, workers)
		ceilUsed += c0.used(procCPU([]int{ceilPID}, postgres))
		merge(ceilRecs, r)
		ceilElapsed += e
	}
	st := stats(ph, recs, elapsed)
	ceilSt := stats(ceil, ceilRecs, ceilElapsed)
	answered := requests(st)
	for i := range st {
		if answered > 0 {
			st[i].CPU = float64(used.Microseconds()) / float64(answered)
		}
		// A ceiling that answered nothing (the run cancelled) gives no ratio.
		if len(ceilSt) > 0 && ceilSt[0].Requests > 0 {
			st[i].TurnCeilingRPS = ceilSt[0].RPS
			st[i].TurnCeilingCPU = float64(ceilUsed.Microseconds()) / float64(ceilSt[0].Requests)
		}
	}
	return st
}

func requests(st []Stat) int {
	n := 0
	for _, s := range st {
		n += s.Requests
	}
	return n
}

// cpuTimes is the CPU time (user and system) each process has used so
// far, by pid.
type cpuTimes map[int]time.Duration

// used is the CPU time used between t and later: by the processes of
// both (a process that ended in between is lost) and by those started
// since.
func (t cpuTimes) used(later cpuTimes) time.Duration {
	var d time.Duration
	for pid, c := range later {
		d += c - t[pid]
	}
	return d
}

// procCPU reads the CPU times of pids and, with postgres, of every
// PostgreSQL process on the machine (the database's work for a request is
// done in its backend, not in the server), from /proc/PID/stat, in clock
// ticks of 1/100 s as on every Linux this runs on.
func procCPU(pids []int, postgres bool) cpuTimes {
	if postgres {
		pids = append(slices.Clone(pids), processesNamed("postgres")...)
	}
	t := cpuTimes{}
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// The command name, field 2, is in parentheses and may hold
		// spaces: count fields after its closing one (state is field 3).
		i := strings.LastIndexByte(string(b), ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 13 {
			continue
		}
		utime, _ := strconv.ParseInt(f[11], 10, 64)
		stime, _ := strconv.ParseInt(f[12], 10, 64)
		t[pid] = time.Duration(utime+stime) * 10 * time.Millisecond
	}
	return t
}

// processesNamed lists the pids whose command name is name.
func processesNamed(name string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); err == nil && strings.TrimSpace(string(b)) == name {
			pids = append(pids, pid)
		}
	}
	return pids
}

// signIn signs each user in n times (each client uses one of the n
// sessions of each role).
func signIn(ctx context.Context, hc *http.Client, base string, users []loadUser, n int) (map[string][]session, error) {
	out := map[string][]session{}
	for _, u := range users {
		for range n {
			b, _ := json.Marshal(map[string]string{"username": u.name, "password": password})
			req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/auth/login", strings.NewReader(string(b)))
			req.Header.Set("Content-Type", "application/json")
			resp, err := hc.Do(req)
			if err != nil {
				return nil, err
			}
			var v struct {
				Token string `json:"token"`
			}
			err = json.NewDecoder(resp.Body).Decode(&v)
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 || v.Token == "" {
				return nil, fmt.Errorf("sign-in of %s: HTTP %d %v", u.name, resp.StatusCode, err)
			}
			out[u.role] = append(out[u.role], session{user: u.name, role: u.role, token: v.Token})
		}
	}
	return out, nil
}

func saveProfile(ctx context.Context, metrics string, d time.Duration, path string) error {
	secs := max(1, int(d.Seconds())-1)
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", metrics, secs), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("%s: HTTP %d", req.URL, resp.StatusCode)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// checkCapacity verifies that no activity (nor post) has more registered
// sign-ups than its capacity, after the run, in the database.
func checkCapacity(ctx context.Context, db database, res *Result) error {
	d, err := openSQL(db.dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	err = d.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM activities a WHERE a.zone_id = $1 AND a.capacity <
			(SELECT COUNT(*) FROM activity_signups s WHERE s.activity_id = a.id AND s.status = 'registered'))
		+ (SELECT COUNT(*) FROM activity_posts p WHERE p.zone_id = $1 AND p.capacity <
			(SELECT COUNT(*) FROM activity_signups s WHERE s.post_id = p.id AND s.status = 'registered'))`, db.zoneID).Scan(&res.Overbooked)
	if err != nil {
		return fmt.Errorf("capacity check: %w", err)
	}
	return d.QueryRowContext(ctx, `SELECT COUNT(*) FROM activity_signups WHERE zone_id = $1 AND status = 'registered' AND created_at > $2`,
		db.zoneID, res.Started.UnixMicro()).Scan(&res.Registered)
}

// poolGauges returns the tongxin_db_*, tongxin_principal_* and
// tongxin_matrix_* lines of a replica's /metrics (its pools, where its
// callers came from, where its dashboard answers came from).
func poolGauges(ctx context.Context, metrics string, i int) []string {
	req, _ := http.NewRequestWithContext(ctx, "GET", metrics+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return []string{err.Error()}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "tongxin_db_") || strings.HasPrefix(l, "tongxin_principal_") || strings.HasPrefix(l, "tongxin_matrix_") {
			out = append(out, fmt.Sprintf("replica %d: %s", i, l))
		}
	}
	return out
}

// fileName makes a phase name (a route) a file name.
func fileName(s string) string {
	return strings.Trim(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, strings.ToLower(s)), "_")
}
