// Package config reads the platform's settings from flags and TONGXIN_*
// environment variables. Every option is one row of the table in options();
// a secret option also accepts <NAME>_FILE naming a file that holds it.
// Precedence: flag, then environment, then the _FILE variant, then default.
package config

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config holds every setting of the serve command.
type Config struct {
	Addr              string
	DB                string
	DBListen          string
	ReadTurns         int
	SecretKey         string
	SecretPrevious    string
	ZoneName          string
	AdminPassword     string
	SessionTTL        time.Duration
	SessionMaxAge     time.Duration
	AuditRetention    time.Duration
	LogLevel          string
	LogFormat         string
	CookieSecure      bool
	TrustedProxies    string
	MetricsAddr       string
	MetricsToken      string
	ShutdownTimeout   time.Duration
	Demo              bool
	LoginMaxFailures  int
	PasswordHashers   int
	Photos            string
	MaxPhotoBytes     int64
	SLASweep          time.Duration
	DashboardCacheTTL time.Duration
	PublicURL         string
	SMSSender         string
	SMSWebhookURL     string
	SMSWebhookToken   string
}

// PhotoDir is where request photos are stored: TONGXIN_PHOTOS, or a
// folder beside the SQLite database (tongxin.db → tongxin-photos), or
// ./tongxin-photos for PostgreSQL.
func (c *Config) PhotoDir() string {
	if c.Photos != "" {
		return c.Photos
	}
	if p, ok := strings.CutPrefix(c.DB, "sqlite:"); ok && p != "" && !strings.HasPrefix(p, ":memory:") {
		p, _, _ = strings.Cut(p, "?")
		return strings.TrimSuffix(p, filepath.Ext(p)) + "-photos"
	}
	return "tongxin-photos"
}

// Option is one row of the configuration table.
type Option struct {
	Env     string // TONGXIN_…
	Flag    string // without dashes; "" when env only
	Default string
	Secret  bool // also read from <Env>_FILE; never printed
	Usage   string
	set     func(*Config, string) error
}

func str(p func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *p(c) = v; return nil }
}

// intAtLeast sets an integer setting that may not be below min.
func intAtLeast(min int, p func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err == nil && n < min {
			err = fmt.Errorf("must be at least %d", min)
		}
		*p(c) = n
		return err
	}
}

func dur(p func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := parseDuration(v)
		*p(c) = d
		return err
	}
}

func boolean(p func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		*p(c) = b
		return err
	}
}

// parseDuration accepts Go durations and a "d" suffix for days ("90d").
func parseDuration(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 {
			return 0, fmt.Errorf("invalid duration %q", v)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(v)
}

// Options is the configuration table, in the order the README lists it.
func Options() []Option {
	return []Option{
		{Env: "TONGXIN_ADDR", Flag: "addr", Default: "127.0.0.1:8080", Usage: "HTTP listen address (HOST:PORT)",
			set: str(func(c *Config) *string { return &c.Addr })},
		{Env: "TONGXIN_DB", Flag: "db", Default: "sqlite:./tongxin.db", Usage: "database: sqlite:PATH or postgres://user@host:port/db",
			set: str(func(c *Config) *string { return &c.DB })},
		{Env: "TONGXIN_DB_LISTEN", Default: "", Usage: "PostgreSQL: where each replica listens for account changes (logout, grants) made on the others; empty: TONGXIN_DB. Behind a pooler in transaction mode, which cannot LISTEN, give PostgreSQL itself",
			set: str(func(c *Config) *string { return &c.DBListen })},
		{Env: "TONGXIN_DB_READ_TURNS", Default: "0", Usage: "how many read-only requests (GET, HEAD) of a replica read from the database at once; the others wait their turn in order. 0: the engine's default (SQLite: its read pool, 2 per CPU and at least 4; PostgreSQL: 8 of the pool's 32 connections). At most the pool's size",
			set: intAtLeast(0, func(c *Config) *int { return &c.ReadTurns })},
		{Env: "TONGXIN_SECRET_KEY", Default: "", Secret: true, Usage: "secret of at least 32 characters; signing and personal-data keys are derived from it (HKDF). SQLite without it: generated once into <db>.key (0600). Required with PostgreSQL",
			set: str(func(c *Config) *string { return &c.SecretKey })},
		{Env: "TONGXIN_SECRET_KEY_PREVIOUS", Default: "", Secret: true, Usage: "secrets used before TONGXIN_SECRET_KEY, separated by newlines: personal data they sealed still opens until `tongxin rekey` has sealed it anew",
			set: str(func(c *Config) *string { return &c.SecretPrevious })},
		{Env: "TONGXIN_ZONE_NAME", Default: "示例开发区", Usage: "name of the zone created on first start of an empty database",
			set: str(func(c *Config) *string { return &c.ZoneName })},
		{Env: "TONGXIN_ADMIN_PASSWORD", Default: "", Secret: true, Usage: "password of the first user `admin`; unset: a random one is printed once on stderr",
			set: str(func(c *Config) *string { return &c.AdminPassword })},
		{Env: "TONGXIN_SESSION_TTL", Flag: "session-ttl", Default: "12h", Usage: "idle lifetime of a session or token; each use slides it forward",
			set: dur(func(c *Config) *time.Duration { return &c.SessionTTL })},
		{Env: "TONGXIN_SESSION_MAX_AGE", Default: "7d", Usage: "absolute lifetime of a session, however busy: after it the user signs in again",
			set: dur(func(c *Config) *time.Duration { return &c.SessionMaxAge })},
		{Env: "TONGXIN_AUDIT_RETENTION", Flag: "audit-retention", Default: "1095d", Usage: "how long audit entries are kept before the pruning job deletes them (e.g. 1095d, 2160h)",
			set: dur(func(c *Config) *time.Duration { return &c.AuditRetention })},
		{Env: "TONGXIN_LOGIN_MAX_FAILURES", Default: "10", Usage: "failed sign-ins allowed per username in 15 minutes before 429 (per client address: 5×)",
			set: intAtLeast(1, func(c *Config) *int { return &c.LoginMaxFailures })},
		{Env: "TONGXIN_PASSWORD_HASHERS", Default: "0", Usage: "how many password hashes (19 MiB each) may run at once; 0: one per CPU, at least 2. The rest wait up to 2 s, then get 503",
			set: intAtLeast(0, func(c *Config) *int { return &c.PasswordHashers })},
		{Env: "TONGXIN_PUBLIC_URL", Default: "", Usage: "the address people reach Tongxin at (https://tongxin.example.cn), for invitation links and their QR codes; empty: taken from each request's Host",
			set: str(func(c *Config) *string { return &c.PublicURL })},
		{Env: "TONGXIN_SMS_SENDER", Default: "log", Usage: "how one-time codes are sent: log (development only: the code goes to the log, the phone masked) or webhook (POST to TONGXIN_SMS_WEBHOOK_URL)",
			set: str(func(c *Config) *string { return &c.SMSSender })},
		{Env: "TONGXIN_SMS_WEBHOOK_URL", Default: "", Usage: "with TONGXIN_SMS_SENDER=webhook: the URL each code is posted to as JSON {phone, purpose, code, ttl_seconds}",
			set: str(func(c *Config) *string { return &c.SMSWebhookURL })},
		{Env: "TONGXIN_SMS_WEBHOOK_TOKEN", Default: "", Secret: true, Usage: "sent as Authorization: Bearer <token> to the SMS webhook",
			set: str(func(c *Config) *string { return &c.SMSWebhookToken })},
		{Env: "TONGXIN_LOG_LEVEL", Flag: "log-level", Default: "info", Usage: "debug, info, warn or error",
			set: str(func(c *Config) *string { return &c.LogLevel })},
		{Env: "TONGXIN_LOG_FORMAT", Default: "json", Usage: "json or text",
			set: str(func(c *Config) *string { return &c.LogFormat })},
		{Env: "TONGXIN_COOKIE_SECURE", Default: "false", Usage: "mark the session cookie Secure (set true behind HTTPS)",
			set: boolean(func(c *Config) *bool { return &c.CookieSecure })},
		{Env: "TONGXIN_TRUSTED_PROXIES", Default: "", Usage: "addresses or CIDR ranges of your own reverse proxies; from them X-Forwarded-For is read from the right, and the first address that is not a proxy is the client. Empty: X-Forwarded-For is ignored",
			set: str(func(c *Config) *string { return &c.TrustedProxies })},
		{Env: "TONGXIN_METRICS_ADDR", Flag: "metrics-addr", Default: "127.0.0.1:9464", Usage: "address of the separate listener serving Prometheus /metrics (off: none); keep it off the public network",
			set: str(func(c *Config) *string { return &c.MetricsAddr })},
		{Env: "TONGXIN_METRICS_TOKEN", Default: "", Secret: true, Usage: "when set, GET /metrics is also served on the API address to scrapers sending Authorization: Bearer <token>; unset: not at all there",
			set: str(func(c *Config) *string { return &c.MetricsToken })},
		{Env: "TONGXIN_SHUTDOWN_TIMEOUT", Default: "30s", Usage: "how long SIGTERM waits for in-flight requests",
			set: dur(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
		{Env: "TONGXIN_PHOTOS", Default: "", Usage: "folder for the photos attached to service requests; empty: beside the SQLite database (tongxin.db → tongxin-photos/), or ./tongxin-photos with PostgreSQL (give replicas one shared folder)",
			set: str(func(c *Config) *string { return &c.Photos })},
		{Env: "TONGXIN_PHOTO_MAX_BYTES", Default: "5242880", Usage: "largest photo accepted on a service request, in bytes (JPEG, PNG, GIF or WebP only)",
			set: func(c *Config, v string) error {
				n, err := strconv.ParseInt(v, 10, 64)
				if err == nil && n < 1024 {
					err = fmt.Errorf("must be at least 1024")
				}
				c.MaxPhotoBytes = n
				return err
			}},
		{Env: "TONGXIN_SLA_SWEEP", Default: "1m", Usage: "how often the overdue job looks for service requests past their deadline and escalates them (exactly once, whatever the number of replicas)",
			set: dur(func(c *Config) *time.Duration { return &c.SLASweep })},
		{Env: "TONGXIN_DASHBOARD_CACHE_TTL", Default: "1s", Usage: "how long the dashboard matrix may reuse an answer for callers asking the same question in the same scope (at most 10s; 0: off). This process's own writes show at once; other replicas' within this bound",
			set: func(c *Config, v string) error {
				d, err := time.ParseDuration(v)
				if err == nil && (d < 0 || d > 10*time.Second) {
					err = fmt.Errorf("must be between 0 (off) and 10s, got %s", d)
				}
				c.DashboardCacheTTL = d
				return err
			}},
		{Env: "TONGXIN_DEMO", Flag: "demo", Default: "false", Usage: "load the article's demo zone into an empty database",
			set: boolean(func(c *Config) *bool { return &c.Demo })},
	}
}

// Load parses args (the flags after the subcommand) and the environment.
func Load(name string, args []string, getenv func(string) string, stderr io.Writer) (*Config, error) {
	c := &Config{}
	opts := Options()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	flags := map[string]*string{}
	for _, o := range opts {
		if o.Flag == "" {
			continue
		}
		flags[o.Env] = new(string)
		if o.Flag == "demo" {
			fs.BoolFunc("demo", o.Usage+" (env "+o.Env+")", func(v string) error { *flags[o.Env] = v; return nil })
			continue
		}
		fs.StringVar(flags[o.Env], o.Flag, "", fmt.Sprintf("%s (env %s, default %q)", o.Usage, o.Env, o.Default))
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, o := range opts {
		v, from := o.Default, "default"
		if p, ok := flags[o.Env]; ok && *p != "" {
			v, from = *p, "flag --"+o.Flag
		} else if e := getenv(o.Env); e != "" {
			v, from = e, o.Env
		} else if f := getenv(o.Env + "_FILE"); o.Secret && f != "" {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("%s_FILE: %w", o.Env, err)
			}
			v, from = strings.TrimRight(string(b), "\r\n"), o.Env+"_FILE"
		}
		if err := o.set(c, v); err != nil {
			return nil, fmt.Errorf("%s (from %s): %w", o.Env, from, err)
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return nil, fmt.Errorf("TONGXIN_LOG_LEVEL: want debug, info, warn or error, got %q", c.LogLevel)
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		return nil, fmt.Errorf("TONGXIN_LOG_FORMAT: want json or text, got %q", c.LogFormat)
	}
	if c.SessionTTL < time.Minute {
		return nil, fmt.Errorf("TONGXIN_SESSION_TTL: must be at least 1m")
	}
	if c.SessionMaxAge < c.SessionTTL {
		return nil, fmt.Errorf("TONGXIN_SESSION_MAX_AGE: must be at least TONGXIN_SESSION_TTL (%s)", c.SessionTTL)
	}
	if getenv("TONGXIN_TRUST_PROXY") != "" {
		return nil, fmt.Errorf("TONGXIN_TRUST_PROXY is gone: list your proxies in TONGXIN_TRUSTED_PROXIES (e.g. 10.0.0.5 or 10.0.0.0/24)")
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.PublicURL != "" && !strings.HasPrefix(c.PublicURL, "https://") && !strings.HasPrefix(c.PublicURL, "http://") {
		return nil, fmt.Errorf("TONGXIN_PUBLIC_URL: want an http(s) URL, got %q", c.PublicURL)
	}
	switch {
	case c.SMSSender != "log" && c.SMSSender != "webhook":
		return nil, fmt.Errorf("TONGXIN_SMS_SENDER: want log or webhook, got %q", c.SMSSender)
	case c.SMSSender == "webhook" && !strings.HasPrefix(c.SMSWebhookURL, "https://") && !strings.HasPrefix(c.SMSWebhookURL, "http://"):
		return nil, fmt.Errorf("TONGXIN_SMS_WEBHOOK_URL: an http(s) URL is required with TONGXIN_SMS_SENDER=webhook")
	}
	if c.AuditRetention < 24*time.Hour {
		return nil, fmt.Errorf("TONGXIN_AUDIT_RETENTION: must be at least 1d")
	}
	return c, nil
}
