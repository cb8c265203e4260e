package main

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for tongxin-load when the
// harness starts its ceiling server (it runs os.Executable() ceiling).
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "ceiling" {
		if err := ceilingMain(os.Args[2:]); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestSmoke runs the whole harness on SQLite at the small scale with short
// phases: generation, users, the ceiling and the server as child
// processes, every phase of the mix, the capacity check and the results
// files. It checks that every endpoint answered as expected (no error but
// 409s), not the figures (the machine is shared).
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "tongxin")
	build := exec.Command("go", "build", "-o", bin, "tongxin/cmd/tongxin")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// The cache key reads ./internal from the repository root.
	wd, _ := os.Getwd()
	if err := os.Chdir(filepath.Join(wd, "..", "..")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(wd) })
	o, err := parse([]string{"--bin", bin, "--engines", "sqlite", "--scale", "small", "--clients", "4", "--duration", "200ms", "--out", dir, "--fresh"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := runEngine(ctx, o, "sqlite")
	if err != nil {
		t.Fatal(err)
	}
	if err := res.write(dir); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range res.Stats {
		if s.Errors > 0 {
			t.Errorf("%s %s: %d errors: %v", s.Phase, s.Endpoint, s.Errors, s.Samples)
		}
		if s.Requests > 0 {
			seen[s.Endpoint] = true
		}
	}
	for _, ops := range [][]op{getOps(), listOps(), searchOps(), matrixOps(), open311Ops(), signupOps(), requestOps()} {
		for _, x := range ops {
			if !seen[x.endpoint] {
				t.Errorf("%s was never requested", x.endpoint)
			}
		}
	}
	if res.Overbooked != 0 {
		t.Errorf("%d activities overbooked", res.Overbooked)
	}
	if res.CeilingPKRPS == 0 || res.CeilingPage == 0 || len(res.StartupMS) != 1 || res.RSSHWMMB[0] == 0 {
		t.Errorf("ceilings %.0f %.0f, start-up %v, RSS %v", res.CeilingPKRPS, res.CeilingPage, res.StartupMS, res.RSSHWMMB)
	}
	if res.CeilingPKCPU <= 0 || res.CeilingPageCPU <= 0 {
		t.Errorf("ceilings' CPU per request %.1f, %.1f µs", res.CeilingPKCPU, res.CeilingPageCPU)
	}
	for _, s := range res.Stats {
		if s.Group == "get" && (s.CPU <= 0 || s.CPURatio <= 0) {
			t.Errorf("%s: CPU per request %.1f µs, %.2f× the ceiling's", s.Endpoint, s.CPU, s.CPURatio)
		}
		// Gets and lists ran in turns with their ceiling (--turns).
		if (s.Group == "get" || s.Group == "list") && (s.TurnCeilingRPS <= 0 || !strings.HasSuffix(s.Ceiling, " in turns") || s.Ratio != s.RPS/s.TurnCeilingRPS) {
			t.Errorf("%s: ratio %.2f to %q, its ceiling in turns %.0f req/s", s.Endpoint, s.Ratio, s.Ceiling, s.TurnCeilingRPS)
		}
	}
	for _, f := range []string{"load-sqlite.json", "load-sqlite.md"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}

// procCPU counts this process's own CPU time as it spins, and finds
// nothing of a process that does not exist.
func TestProcCPU(t *testing.T) {
	me := []int{os.Getpid()}
	t0 := procCPU(me, false)
	for end := time.Now().Add(300 * time.Millisecond); time.Now().Before(end); {
	}
	if d := t0.used(procCPU(me, false)); d < 100*time.Millisecond || d > 2*time.Second {
		t.Errorf("300 ms of spinning counted as %v", d)
	}
	if c := procCPU([]int{-1}, false); len(c) != 0 {
		t.Errorf("no such process: %v", c)
	}
}

// A run of chosen phases without the ceilings has no ratios, and its
// results still encode (it once stopped at "json: unsupported value: +Inf").
func TestRateWithoutCeilings(t *testing.T) {
	r := Result{Stats: []Stat{{Group: "get", Endpoint: "GET /x/{id}", RPS: 100}, {Group: "list", Endpoint: "GET /x", RPS: 50}},
		StartupMS: []float64{300}, RSSPeakMB: []float64{100}, RSSHWMMB: []float64{110}}
	r.rate()
	for _, s := range r.Stats {
		if s.Ratio != 0 || s.Ceiling != "" {
			t.Errorf("%s: ratio %v to %q without a ceiling", s.Endpoint, s.Ratio, s.Ceiling)
		}
	}
	for _, tg := range r.Targets {
		if strings.Contains(tg.Want, "ceiling") {
			t.Errorf("target %q judged without a ceiling", tg.Name)
		}
	}
	if _, err := json.Marshal(r); err != nil {
		t.Fatal(err)
	}
	r.Stats = append(r.Stats, Stat{Group: "ceiling", Phase: "ceiling: primary-key read", RPS: 400})
	r.Targets = nil
	r.rate()
	if r.Stats[0].Ratio != 0.25 || r.Stats[1].Ratio != 0 {
		t.Fatalf("ratios %v %v", r.Stats[0].Ratio, r.Stats[1].Ratio)
	}
}

// The ratios are judged against issue 11's targets: a get at 80% of the
// primary-key ceiling, a list at 70% of the page ceiling, each just met
// and just missed.
func TestRateJudgesIssue11Targets(t *testing.T) {
	r := Result{Stats: []Stat{
		{Group: "ceiling", Phase: "ceiling: primary-key read", RPS: 1000},
		{Group: "ceiling", Phase: "ceiling: page of 50 by id", RPS: 100},
		{Group: "get", Endpoint: "GET /met/{id}", RPS: 800},
		{Group: "get", Endpoint: "GET /missed/{id}", RPS: 790},
		{Group: "list", Endpoint: "GET /met", RPS: 70},
		{Group: "list", Endpoint: "GET /missed", RPS: 69},
	}, StartupMS: []float64{300}, RSSPeakMB: []float64{100}, RSSHWMMB: []float64{110}}
	r.rate()
	judged := map[string]bool{}
	for _, tg := range r.Targets {
		if strings.HasSuffix(tg.Name, ": req/s") {
			judged[strings.TrimSuffix(tg.Name, ": req/s")] = tg.OK
		}
	}
	want := map[string]bool{"GET /met/{id}": true, "GET /missed/{id}": false, "GET /met": true, "GET /missed": false}
	if !maps.Equal(judged, want) {
		t.Errorf("judged %v, want %v", judged, want)
	}

	// A phase run in turns with its ceiling is judged against those turns,
	// not the run's ceilings.
	r.Stats = append(r.Stats[:2], Stat{Group: "get", Endpoint: "GET /turns/{id}", RPS: 800, CPU: 90, TurnCeilingRPS: 2000, TurnCeilingCPU: 45},
		Stat{Group: "list", Endpoint: "GET /turns", RPS: 70, CPU: 400, TurnCeilingRPS: 80, TurnCeilingCPU: 200})
	r.Targets = nil
	r.rate()
	get, list := r.Stats[2], r.Stats[3]
	if get.Ratio != 0.4 || get.CPURatio != 2 || get.Ceiling != "primary-key in turns" || list.Ratio != 0.875 || list.CPURatio != 2 || list.Ceiling != "page in turns" {
		t.Errorf("in turns: get %.2f (%.2f× CPU) of %q, list %.3f (%.2f× CPU) of %q", get.Ratio, get.CPURatio, get.Ceiling, list.Ratio, list.CPURatio, list.Ceiling)
	}
}
