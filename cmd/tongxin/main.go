// Command tongxin runs the Tongxin platform. It only wires: every rule
// lives under internal/.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"tongxin/internal/auth"
	"tongxin/internal/config"
	"tongxin/internal/db"
	"tongxin/internal/demo"
	"tongxin/internal/gcpace"
	"tongxin/internal/password"
	"tongxin/internal/people"
	"tongxin/internal/secret"
	"tongxin/internal/server"
	"tongxin/internal/users"
	"tongxin/internal/zones"
	"tongxin/web"
)

const usage = `tongxin — 同心 party-building and service platform

usage:
  tongxin serve [--addr HOST:PORT] [--db DSN] [--demo]   run the platform
  tongxin migrate [--db DSN]                             apply database migrations and exit
  tongxin demo [--db DSN]                                load the demo zone into a database
  tongxin user add USERNAME [--display-name NAME] [--zone ZONE_ID] [--db DSN]
  tongxin user passwd USERNAME [--db DSN]
  tongxin user grant USERNAME ROLE SCOPE_ID [--db DSN]
  tongxin zone add NAME [--db DSN]                       create a zone (a new tenant); prints its id
  tongxin gen --scale demo|small|zone [--seed N] [--db DSN]
                                                         add a synthetic zone at a reference scale
  tongxin rekey [--db DSN]                               seal personal data anew with the current key
  tongxin version

user add and user passwd read the password from the first line of stdin.
Every setting is also read from TONGXIN_* environment variables; see README.md.
`

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "tongxin:", err)
		}
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("missing command")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(rest, stderr)
	case "migrate":
		_, d, err := open("migrate", rest, stderr, nil)
		if err != nil {
			return err
		}
		defer d.Close()
		fmt.Fprintln(stdout, "migrations applied")
		return nil
	case "demo":
		var keys *secret.Keys
		cfg, d, err := open("demo", rest, stderr, &keys)
		if err != nil {
			return err
		}
		defer d.Close()
		return loadDemo(cfg, d, keys, stderr)
	case "gen":
		return generate(rest, stdout, stderr)
	case "rekey":
		var keys *secret.Keys
		_, d, err := open("rekey", rest, stderr, &keys)
		if err != nil {
			return err
		}
		defer d.Close()
		n, err := people.Rekey(context.Background(), d, keys)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d people sealed anew with key %s\n", n, keys.KeyID())
		return nil
	case "user":
		return user(rest, stdin, stdout, stderr)
	case "zone":
		return zone(rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "tongxin", server.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	lvl.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// previousSecrets splits TONGXIN_SECRET_KEY_PREVIOUS into its secrets.
func previousSecrets(v string) []string {
	var out []string
	for _, s := range strings.Split(v, "\n") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// open loads the configuration, connects, migrates and runs first start.
// keys, when not nil, receives the secret keys, resolved before anything is
// written: a server that cannot start must not change the database.
func open(name string, args []string, stderr io.Writer, keys **secret.Keys) (*config.Config, *db.DB, error) {
	cfg, err := config.Load(name, args, os.Getenv, stderr)
	if err != nil {
		return nil, nil, err
	}
	ctx := context.Background()
	d, err := db.Open(ctx, cfg.DB)
	if err != nil {
		return nil, nil, err
	}
	if err := d.SetReadTurns(cfg.ReadTurns); err != nil {
		d.Close()
		return nil, nil, fmt.Errorf("TONGXIN_DB_READ_TURNS: %w", err)
	}
	if keys != nil {
		s, _, err := secret.Resolve(cfg.SecretKey, d.Path)
		if err == nil {
			*keys, err = secret.Derive(s, previousSecrets(cfg.SecretPrevious)...)
		}
		if err != nil {
			d.Close()
			return nil, nil, err
		}
	}
	if _, err := server.Migrate(ctx, d); err != nil {
		d.Close()
		return nil, nil, err
	}
	zoneName := cfg.ZoneName
	if cfg.Demo && os.Getenv("TONGXIN_ZONE_NAME") == "" {
		zoneName = demo.ZoneName
	}
	zoneID, generated, err := server.Bootstrap(ctx, d, operatorPool(), zoneName, cfg.AdminPassword)
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	if zoneID != "" {
		fmt.Fprintf(stderr, "tongxin: first start: created zone %q (%s) and user admin\n", zoneName, zoneID)
	}
	if generated != "" {
		fmt.Fprintf(stderr, "tongxin: the password of user admin is %s — it is shown only this once\n", generated)
	}
	return cfg, d, nil
}

func loadDemo(cfg *config.Config, d *db.DB, keys *secret.Keys, stderr io.Writer) error {
	ctx := context.Background()
	var zoneID string
	if err := d.R.QueryRowContext(ctx, `SELECT zone_id FROM users WHERE username = 'admin'`).Scan(&zoneID); err != nil {
		return fmt.Errorf("demo: no admin user to find the zone by: %w", err)
	}
	pw := cfg.AdminPassword
	if pw == "" {
		pw = password.Random()
	}
	loaded, err := demo.Load(ctx, d, operatorPool(), keys, zoneID, pw)
	if err != nil {
		return err
	}
	if loaded {
		fmt.Fprintf(stderr, "tongxin: demo data loaded; park administrator andong, branch secretary chengda and the worker signing in on the phone with %s have password %s\n",
			demo.WorkerPhone, pw)
		base := cfg.PublicURL
		if base == "" {
			base = "http://" + cfg.Addr
		}
		fmt.Fprintf(stderr, "tongxin: demo invitation (phone %s, valid 30 days): %s/m/invite/%s\n", demo.InvitedPhone, base, demo.InvitationToken(keys, zoneID))
	}
	return nil
}

func serve(args []string, stderr io.Writer) error {
	var keys *secret.Keys
	cfg, d, err := open("serve", args, stderr, &keys)
	if err != nil {
		return err
	}
	defer d.Close()
	log := newLogger(cfg, stderr)
	if cfg.Demo {
		if err := loadDemo(cfg, d, keys, stderr); err != nil {
			return err
		}
	}
	app, err := server.New(cfg, d, keys, log, web.Dist())
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if gcpace.Start(ctx) {
		log.Debug("collector pace", "gogc", gcpace.Percent, "soft_limit_mib", gcpace.Base>>20)
	}
	go app.RunJobs(ctx, time.Hour)
	go app.Auth.Principals.Watch(ctx)
	return app.Serve(ctx, nil)
}

func user(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		return errors.New("usage: tongxin user add|passwd|grant USERNAME …")
	}
	sub, username := args[0], args[1]
	rest := args[2:]
	var role, scopeID string
	if sub == "grant" {
		if len(rest) < 2 {
			return errors.New("usage: tongxin user grant USERNAME ROLE SCOPE_ID")
		}
		role, scopeID, rest = rest[0], rest[1], rest[2:]
	}
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	displayName := fs.String("display-name", "", "display name (user add)")
	zone := fs.String("zone", "", "zone id (user add; default: the zone of user admin)")
	var cfgArgs []string
	// Pass --db and friends through to the configuration.
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if strings.HasPrefix(a, "--display-name") || strings.HasPrefix(a, "--zone") {
			if !strings.Contains(a, "=") && i+1 < len(rest) {
				a += "=" + rest[i+1]
				i++
			}
			if err := fs.Parse([]string{a}); err != nil {
				return err
			}
			continue
		}
		cfgArgs = append(cfgArgs, a)
	}
	_, d, err := open("user", cfgArgs, stderr, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	// A running server remembers principals: a password set here is
	// honoured everywhere once the command returns.
	d.Settle = auth.Lease
	ctx := context.Background()
	readPassword := func() (string, error) {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	switch sub {
	case "add":
		pw, err := readPassword()
		if err != nil {
			return err
		}
		if *zone == "" {
			if _, *zone, err = users.ID(ctx, d.R, "admin"); err != nil {
				return fmt.Errorf("--zone is required: %w", err)
			}
		}
		if *displayName == "" {
			*displayName = username
		}
		return d.Tx(ctx, func(tx *db.Tx) error {
			id, err := users.Add(ctx, tx, operatorPool(), *zone, username, *displayName, pw)
			if err == nil {
				fmt.Fprintln(stdout, id)
			}
			return err
		})
	case "passwd":
		pw, err := readPassword()
		if err != nil {
			return err
		}
		return d.Tx(ctx, func(tx *db.Tx) error { return users.SetPassword(ctx, tx, operatorPool(), username, pw) })
	case "grant":
		return d.Tx(ctx, func(tx *db.Tx) error { return users.Grant(ctx, tx, username, role, scopeID) })
	}
	return fmt.Errorf("unknown user command %q", sub)
}

// generate runs `tongxin gen`: a new zone with a deterministic synthetic
// organisation matrix at a reference scale, for benchmarks and trials.
func generate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scale := fs.String("scale", "demo", "reference scale: demo, small or zone (PRODUCT.md)")
	seed := fs.Uint64("seed", 1, "seed: the same seed gives the same rows")
	name := fs.String("name", "", "zone name (default: 合成开发区 <scale> <seed>)")
	var cfgArgs []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "--scale") || strings.HasPrefix(a, "--seed") || strings.HasPrefix(a, "--name") ||
			strings.HasPrefix(a, "-scale") || strings.HasPrefix(a, "-seed") || strings.HasPrefix(a, "-name") {
			if !strings.Contains(a, "=") && i+1 < len(args) {
				a += "=" + args[i+1]
				i++
			}
			if err := fs.Parse([]string{a}); err != nil {
				return err
			}
			continue
		}
		cfgArgs = append(cfgArgs, a)
	}
	sc, ok := demo.Scales[*scale]
	if !ok {
		return fmt.Errorf("--scale must be demo, small or zone, not %q", *scale)
	}
	if *name == "" {
		*name = fmt.Sprintf("合成开发区 %s %d", *scale, *seed)
	}
	var keys *secret.Keys
	_, d, err := open("gen", cfgArgs, stderr, &keys)
	if err != nil {
		return err
	}
	defer d.Close()
	start := time.Now()
	zoneID, counts, err := demo.Generate(context.Background(), d, keys, *name, sc, *seed)
	if err != nil {
		return err
	}
	tables := make([]string, 0, len(counts))
	for t := range counts {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	fmt.Fprintf(stdout, "zone %s (%s): scale %s, seed %d, %s\n", zoneID, *name, *scale, *seed, time.Since(start).Round(10*time.Millisecond))
	for _, t := range tables {
		fmt.Fprintf(stdout, "  %-20s %d\n", t, counts[t])
	}
	return nil
}

// operatorPool hashes the passwords of operator commands: one at a time is
// plenty, and it waits as long as it takes.
func operatorPool() *password.Pool { return password.NewPool(1, time.Hour) }

// zone runs `tongxin zone add NAME`: a platform operator creates a zone,
// a new tenant; its administrators are then granted zone_admin on the id
// printed.
func zone(args []string, stdout, stderr io.Writer) error {
	if len(args) < 2 || args[0] != "add" {
		return errors.New("usage: tongxin zone add NAME [--db DSN]")
	}
	name := args[1]
	_, d, err := open("zone", args[2:], stderr, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	ctx := context.Background()
	return d.Tx(ctx, func(tx *db.Tx) error {
		z, err := zones.Add(ctx, tx, name)
		if err == nil {
			fmt.Fprintln(stdout, z.ID)
		}
		return err
	})
}
