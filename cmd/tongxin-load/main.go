// Command tongxin-load is the load benchmark of issue 10 (`make load`):
// it builds a zone-scale database with `tongxin gen`, starts `tongxin
// serve` on it as a child process (one or more replicas), and drives a
// realistic mix of signed-in requests against it from N concurrent
// clients over 127.0.0.1, phase by phase. In the same run it measures the
// ceilings — bare Go handlers (this same binary, `tongxin-load ceiling`,
// in its own process) on the same engine and driver: one primary-key read
// returned as JSON, one page of 51 rows ordered by id returning 50 — with
// the same client and concurrency, so every figure comes with its ratio to
// what this machine can do right now.
//
// It is a program of its own rather than a `tongxin` subcommand: the
// server binary carries nothing that only a benchmark needs, and the
// harness measures the real binary from outside, as a client would.
//
// Nothing listens beyond 127.0.0.1. See docs/scaling.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

type options struct {
	bin      string
	engines  []string
	pg       string
	scale    string
	seed     uint64
	clients  int
	phase    time.Duration
	replicas int
	out      string
	fresh    bool
	pprof    string
	only     []string
	turns    int
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "ceiling" {
		if err := ceilingMain(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "tongxin-load ceiling:", err)
			os.Exit(1)
		}
		return
	}
	o, err := parse(os.Args[1:])
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "tongxin-load:", err)
		}
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	failed := false
	for _, e := range o.engines {
		res, err := runEngine(ctx, o, e)
		if err != nil {
			fmt.Fprintf(os.Stderr, "tongxin-load: %s: %v\n", e, err)
			failed = true
			continue
		}
		if err := res.write(o.out); err != nil {
			fmt.Fprintln(os.Stderr, "tongxin-load:", err)
			failed = true
		}
		if !res.ok() {
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

func parse(args []string) (options, error) {
	fs := flag.NewFlagSet("tongxin-load", flag.ContinueOnError)
	var o options
	engines := fs.String("engines", "", "comma-separated: sqlite, postgres (default: sqlite, and postgres when --pg or TONGXIN_TEST_POSTGRES is set)")
	fs.StringVar(&o.bin, "bin", "./tongxin", "the tongxin binary to measure (make load builds it)")
	fs.StringVar(&o.pg, "pg", os.Getenv("TONGXIN_TEST_POSTGRES"), "PostgreSQL DSN of a server on 127.0.0.1 whose user may create databases (env TONGXIN_TEST_POSTGRES)")
	fs.StringVar(&o.scale, "scale", "zone", "reference scale for tongxin gen: small or zone")
	fs.Uint64Var(&o.seed, "seed", 1, "generator seed")
	fs.IntVar(&o.clients, "clients", 64, "concurrent clients")
	fs.DurationVar(&o.phase, "duration", 8*time.Second, "length of each phase (the mix runs twice as long); the whole run is about 12 phases")
	fs.IntVar(&o.replicas, "replicas", 1, "tongxin serve processes sharing the database, the load spread across them (more than one needs PostgreSQL)")
	fs.StringVar(&o.out, "out", "bench-output", "folder for results (load-<engine>.json and .md) and the cached databases")
	fs.BoolVar(&o.fresh, "fresh", false, "generate the database anew even when a cached one of the same scale, seed and schema exists")
	fs.StringVar(&o.pprof, "pprof", "", "phase whose server CPU profile to save (bench-output/load-<engine>-<phase>.pprof), from /debug/pprof on the loopback metrics address")
	fs.IntVar(&o.turns, "turns", 8, "slices in which each get and list phase alternates with its ceiling (fewer in a phase too short for turns of 50ms), the ratios taken to those turns (0: the phases in a row, the ratios to the ceilings' first and last phases)")
	only := fs.String("phases", "", "comma-separated phases to run (default: all)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case *engines != "":
		o.engines = strings.Split(*engines, ",")
	case o.pg != "":
		o.engines = []string{"sqlite", "postgres"}
	default:
		o.engines = []string{"sqlite"}
	}
	for _, e := range o.engines {
		if e != "sqlite" && e != "postgres" {
			return o, fmt.Errorf("--engines: unknown engine %q", e)
		}
		if e == "postgres" && o.pg == "" {
			return o, errors.New("postgres needs --pg or TONGXIN_TEST_POSTGRES")
		}
		if e == "sqlite" && o.replicas > 1 {
			return o, errors.New("--replicas above 1 needs PostgreSQL (--engines postgres)")
		}
	}
	if *only != "" {
		o.only = strings.Split(*only, ",")
	}
	if o.clients < 1 || o.replicas < 1 || o.phase < 100*time.Millisecond {
		return o, errors.New("--clients and --replicas must be at least 1, --duration at least 100ms")
	}
	if o.turns < 0 {
		return o, errors.New("--turns must be 0 or more")
	}
	if o.scale != "small" && o.scale != "zone" {
		return o, fmt.Errorf("--scale must be small or zone, not %q", o.scale)
	}
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return o, err
	}
	if _, err := os.Stat(bin); err != nil {
		return o, fmt.Errorf("--bin: %w (build it: go build -o tongxin ./cmd/tongxin)", err)
	}
	o.bin = bin
	return o, os.MkdirAll(o.out, 0o755)
}
