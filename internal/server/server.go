// Package server assembles the domains into one HTTP handler and runs the
// platform: migrations, first start, background jobs, graceful stop. It
// holds no domain rule: adding a domain is one line in Domains.
package server

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"path"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"tongxin/internal/activities"
	"tongxin/internal/activities/activitiesapi"
	"tongxin/internal/alliances"
	"tongxin/internal/alliances/alliancesapi"
	"tongxin/internal/apperr"
	"tongxin/internal/artery"
	"tongxin/internal/artery/arteryapi"
	"tongxin/internal/audit"
	"tongxin/internal/audit/auditapi"
	"tongxin/internal/auth"
	"tongxin/internal/auth/authapi"
	"tongxin/internal/care"
	"tongxin/internal/care/careapi"
	"tongxin/internal/circle"
	"tongxin/internal/circle/circleapi"
	"tongxin/internal/config"
	"tongxin/internal/db"
	"tongxin/internal/enterprises"
	"tongxin/internal/enterprises/enterprisesapi"
	"tongxin/internal/httpx"
	"tongxin/internal/i18n"
	"tongxin/internal/idem"
	"tongxin/internal/invitations"
	"tongxin/internal/invitations/invitationsapi"
	"tongxin/internal/kit"
	"tongxin/internal/matrix"
	"tongxin/internal/matrix/matrixapi"
	"tongxin/internal/mediation"
	"tongxin/internal/mediation/mediationapi"
	"tongxin/internal/openapi"
	"tongxin/internal/orgs"
	"tongxin/internal/orgs/orgsapi"
	"tongxin/internal/parks"
	"tongxin/internal/parks/parksapi"
	"tongxin/internal/partyaffairs"
	"tongxin/internal/partyaffairs/partyaffairsapi"
	"tongxin/internal/password"
	"tongxin/internal/people"
	"tongxin/internal/people/peopleapi"
	"tongxin/internal/search"
	"tongxin/internal/secret"
	"tongxin/internal/servicenet"
	"tongxin/internal/servicenet/servicenetapi"
	"tongxin/internal/stations"
	"tongxin/internal/stations/stationsapi"
	"tongxin/internal/users"
	"tongxin/internal/users/usersapi"
	"tongxin/internal/workshops"
	"tongxin/internal/workshops/workshopsapi"
	"tongxin/internal/zones"
	"tongxin/internal/zones/zonesapi"
)

// Version is set at build time (-ldflags "-X tongxin/internal/server.Version=…").
var Version = "dev"

// App is a running platform instance.
type App struct {
	Cfg         *config.Config
	DB          *db.DB
	Keys        *secret.Keys
	Log         *slog.Logger
	Passwords   *password.Pool
	Auth        *auth.Service
	Users       *users.Service
	Zones       *zones.Service
	Parks       *parks.Service
	Enterprises *enterprises.Service
	Orgs        *orgs.Service
	Stations    *stations.Service
	Matrix      *matrix.Service
	Alliances   *alliances.Service
	Workshops   *workshops.Service
	Artery      *artery.Service
	Party       *partyaffairs.Service
	People      *people.Service
	Services    *servicenet.Service
	Mediation   *mediation.Service
	Activities  *activities.Service
	Invitations *invitations.Service
	Circle      *circle.Service
	Care        *care.Service
	Idem        *idem.Store
	// Domains are the mounted domains; tests walk their routes and fixtures.
	Domains []kit.Domain
	// Handler serves the API and the console; Metrics serves /metrics on
	// its own address.
	Handler http.Handler
	Metrics http.Handler
	// Mux is the route table; tests walk it to check the OpenAPI document.
	Mux     *httpx.Mux
	OpenAPI []byte
}

// domains lists the platform's domains, in the order they are mounted.
func (a *App) domains() []kit.Domain {
	return []kit.Domain{
		authapi.Domain(a.Auth, a.Cfg.CookieSecure),
		usersapi.Domain(a.Users),
		zonesapi.Domain(a.Zones),
		parksapi.Domain(a.Parks),
		orgsapi.Domain(a.Orgs),
		peopleapi.Domain(a.People),
		auditapi.Domain(a.DB),
		enterprisesapi.Domain(a.Enterprises),
		stationsapi.Domain(a.Stations),
		matrixapi.Domain(a.Matrix),
		alliancesapi.Domain(a.Alliances),
		workshopsapi.Domain(a.Workshops),
		servicenetapi.Domain(a.Services),
		mediationapi.Domain(a.Mediation),
		activitiesapi.Domain(a.Activities),
		arteryapi.Domain(a.Artery),
		partyaffairsapi.Domain(a.Party),
		invitationsapi.Domain(a.Invitations, a.Cfg.PublicURL, a.Cfg.CookieSecure),
		circleapi.Domain(a.Circle),
		careapi.Domain(a.Care),
	}
}

// Schema lists the sources of the one migration history: the platform's
// own tables and each domain's. It is not taken from the mounted domains:
// tools (the demo loader, gen) need every table whether or not its routes
// are served.
func Schema() []fs.FS {
	return []fs.FS{
		db.Foundation(),
		auth.Migrations(),
		enterprises.Migrations(),
		orgs.Migrations(),
		people.Migrations(),
		stations.Migrations(),
		alliances.Migrations(),
		workshops.Migrations(),
		matrix.Migrations(),
		activities.Migrations(),
		artery.Migrations(),
		partyaffairs.Migrations(),
		invitations.Migrations(),
		servicenet.Migrations(),
		mediation.Migrations(),
		circle.Migrations(),
		care.Migrations(),
		search.Migrations(),
	}
}

// Migrate applies the platform's migrations and every domain's to d.
func Migrate(ctx context.Context, d *db.DB) ([]string, error) {
	return d.Migrate(ctx, Schema()...)
}

// smsSender is the configured sender of one-time codes.
func smsSender(cfg *config.Config, log *slog.Logger) auth.Sender {
	if cfg.SMSSender == "webhook" {
		return authapi.WebhookSender{URL: cfg.SMSWebhookURL, Token: cfg.SMSWebhookToken}
	}
	return auth.LogSender{Log: log}
}

// hashWait is how long a password hash waits for a free slot before the
// request is turned away with 503.
const hashWait = 2 * time.Second

// New builds the handlers over an open, migrated database.
func New(cfg *config.Config, d *db.DB, keys *secret.Keys, log *slog.Logger, ui fs.FS) (*App, error) {
	proxies, err := httpx.ParseProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("TONGXIN_TRUSTED_PROXIES: %w", err)
	}
	pool := password.NewPool(cfg.PasswordHashers, hashWait)
	// Every server on the database remembers principals for a lease: a
	// logout or revoke is acknowledged once none can still honour what it
	// took away.
	d.Settle = auth.Lease
	a := &App{Cfg: cfg, DB: d, Keys: keys, Log: log, Passwords: pool,
		Auth: &auth.Service{DB: d, TTL: cfg.SessionTTL, MaxAge: cfg.SessionMaxAge, MaxFailures: cfg.LoginMaxFailures, Passwords: pool,
			Keys: keys, Sender: smsSender(cfg, log), Principals: auth.NewPrincipals(d, log)},
		Users:       &users.Service{DB: d, Passwords: pool},
		Zones:       &zones.Service{DB: d},
		Parks:       &parks.Service{DB: d},
		Enterprises: &enterprises.Service{DB: d},
		Orgs:        &orgs.Service{DB: d},
		Stations:    &stations.Service{DB: d},
		Matrix:      &matrix.Service{DB: d, TTL: cfg.DashboardCacheTTL},
		Alliances:   &alliances.Service{DB: d},
		Workshops:   &workshops.Service{DB: d},
		Artery:      &artery.Service{DB: d},
		Party:       &partyaffairs.Service{DB: d},
		People:      &people.Service{DB: d, Keys: keys},
		Services:    &servicenet.Service{DB: d, Keys: keys, PhotoDir: cfg.PhotoDir(), MaxPhoto: cfg.MaxPhotoBytes},
		Mediation:   &mediation.Service{DB: d},
		Activities:  &activities.Service{DB: d, Keys: keys},
		Circle:      &circle.Service{DB: d},
		Care:        &care.Service{DB: d},
		Idem:        &idem.Store{DB: d},
	}
	a.Auth.Principals.ListenDSN = cfg.DBListen
	a.Invitations = &invitations.Service{DB: d, Keys: keys, Passwords: pool, Auth: a.Auth}
	a.Domains = a.domains()
	if err := audit.SetRetention(context.Background(), d, cfg.AuditRetention); err != nil {
		return nil, fmt.Errorf("audit retention: %w", err)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	registerPoolGauges(reg, "write", d.W)
	if d.R.DB != d.W {
		registerPoolGauges(reg, "read", d.R.DB)
	}
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "tongxin_db_read_queue_waits_total",
		Help: "Read-only requests that waited for their turn on the read pool (httpx.Leased), in total."},
		func() float64 { return float64(d.R.QueueStats().Waits) }))
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "tongxin_db_read_queue_seconds_total",
		Help: "Time read-only requests spent waiting for their turn on the read pool, in total."},
		func() float64 { return d.R.QueueStats().Waited.Seconds() }))
	registerLookups(reg, "tongxin_principal_lookups_total",
		"Signed-in requests by where their caller came from: hit (memory), miss (read and remembered), bypass (read: the cache was not trusted).",
		map[string]func() uint64{
			"hit":    func() uint64 { h, _, _ := a.Auth.Principals.Stats(); return h },
			"miss":   func() uint64 { _, m, _ := a.Auth.Principals.Stats(); return m },
			"bypass": func() uint64 { _, _, b := a.Auth.Principals.Stats(); return b },
		})
	registerLookups(reg, "tongxin_matrix_lookups_total",
		"Dashboard matrix answers by where they came from: hit (a kept answer), miss (computed), shared (waited for another caller's computation), off (computed: TONGXIN_DASHBOARD_CACHE_TTL=0).",
		map[string]func() uint64{
			"hit":    func() uint64 { return a.Matrix.Lookups().Hit },
			"miss":   func() uint64 { return a.Matrix.Lookups().Miss },
			"shared": func() uint64 { return a.Matrix.Lookups().Shared },
			"off":    func() uint64 { return a.Matrix.Lookups().Off },
		})
	metrics := httpx.NewMetrics(reg)
	a.Metrics = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})

	var fragments [][]byte
	for _, dom := range a.Domains {
		if dom.Locales != nil {
			if err := i18n.Add(dom.Locales); err != nil {
				return nil, fmt.Errorf("domain %s: translations: %w", dom.Name, err)
			}
		}
		fragments = append(fragments, dom.OpenAPI)
	}
	if a.OpenAPI, err = openapi.Build(fragments...); err != nil {
		return nil, err
	}

	mux := httpx.NewMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		httpx.JSON(w, http.StatusOK, map[string]string{"status": "ok", "version": Version})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := d.Ping(ctx); err != nil {
			httpx.Error(w, r, apperr.E(apperr.Unavailable, err))
			return
		}
		httpx.JSON(w, http.StatusOK, map[string]string{"status": "ready", "database": string(d.Dialect)})
	})
	mux.HandleFunc("GET /metrics", a.metricsOnAPI)
	mux.HandleFunc("GET /api/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(a.OpenAPI)
	})
	kit.Mount(mux, a.Idem, a.Domains...)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if allow := allowed(mux.ServeMux, r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			httpx.Error(w, r, apperr.New(apperr.MethodNotAllowed, ""))
			return
		}
		httpx.Error(w, r, apperr.New(apperr.NotFound, "problem.no_route"))
	})
	mux.Handle("/", console(ui))
	a.Mux = mux
	a.Handler = httpx.Observe(httpx.Leased(httpx.Edge(authapi.Middleware(a.Auth, httpx.Routed(mux)))), log, metrics, proxies)
	return a, nil
}

// metricsOnAPI serves GET /metrics on the API address to a scraper that
// sends the configured token (TONGXIN_METRICS_TOKEN); without a token
// configured the metrics live only on TONGXIN_METRICS_ADDR, and here the
// path does not exist.
func (a *App) metricsOnAPI(w http.ResponseWriter, r *http.Request) {
	if a.Cfg.MetricsToken == "" {
		httpx.Error(w, r, apperr.New(apperr.NotFound, "problem.no_route"))
		return
	}
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(a.Cfg.MetricsToken)) != 1 {
		httpx.Error(w, r, apperr.New(apperr.Unauthorized, ""))
		return
	}
	a.Metrics.ServeHTTP(w, r)
}

// allowed returns the methods that have a route for r's path: the catch-all
// answers 405 with them rather than 404 (Go's mux would, but the catch-all
// matches every method first).
func allowed(mux *http.ServeMux, r *http.Request) []string {
	var allow []string
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"} {
		probe, err := http.NewRequestWithContext(r.Context(), m, r.URL.String(), nil)
		if err != nil {
			return nil
		}
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/api/" {
			allow = append(allow, m)
		}
	}
	return allow
}

// registerLookups registers one counter of a cache's lookups per result
// (the label "result"), each read from its function when scraped.
func registerLookups(reg prometheus.Registerer, name, help string, results map[string]func() uint64) {
	for result, n := range results {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help,
			ConstLabels: prometheus.Labels{"result": result}}, func() float64 { return float64(n()) }))
	}
}

func registerPoolGauges(reg prometheus.Registerer, pool string, p *sql.DB) {
	labels := prometheus.Labels{"pool": pool}
	gauge := func(name, help string, f func(sql.DBStats) float64) {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help, ConstLabels: labels},
			func() float64 { return f(p.Stats()) }))
	}
	gauge("tongxin_db_open_connections", "Open database connections.", func(s sql.DBStats) float64 { return float64(s.OpenConnections) })
	gauge("tongxin_db_in_use_connections", "Database connections in use.", func(s sql.DBStats) float64 { return float64(s.InUse) })
	gauge("tongxin_db_idle_connections", "Idle database connections.", func(s sql.DBStats) float64 { return float64(s.Idle) })
	gauge("tongxin_db_max_open_connections", "Pool size limit.", func(s sql.DBStats) float64 { return float64(s.MaxOpenConnections) })
	gauge("tongxin_db_wait_count", "Connections waited for, in total.", func(s sql.DBStats) float64 { return float64(s.WaitCount) })
	gauge("tongxin_db_wait_seconds", "Time spent waiting for connections, in total.", func(s sql.DBStats) float64 { return s.WaitDuration.Seconds() })
	gauge("tongxin_db_max_idle_closed", "Connections closed because the idle pool was full, in total (each is opened again: with PostgreSQL, a new backend process).",
		func(s sql.DBStats) float64 { return float64(s.MaxIdleClosed) })
}

// console serves the embedded single-page app, falling back to index.html
// for client-side routes. Without a built console it says so.
func console(ui fs.FS) http.Handler {
	if ui != nil {
		if _, err := fs.Stat(ui, "index.html"); err != nil {
			ui = nil
		}
	}
	if ui == nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			l := httpx.Lang(r)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, l.T("console.not_built", nil)+"\n")
		})
	}
	files := http.FileServerFS(ui)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			httpx.Error(w, r, apperr.New(apperr.MethodNotAllowed, ""))
			return
		}
		p := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if p != "" && httpx.CleanText(p) {
			if st, err := fs.Stat(ui, p); err == nil && !st.IsDir() {
				if strings.HasPrefix(p, "assets/") {
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				files.ServeHTTP(w, r)
				return
			}
		}
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFileFS(w, r, ui, "index.html")
	})
}

// Serve listens on cfg.Addr (and cfg.MetricsAddr for /metrics) until ctx
// is done, then drains in-flight requests for up to cfg.ShutdownTimeout.
// ready, when not nil, receives the bound API address.
func (a *App) Serve(ctx context.Context, ready chan<- string) error {
	ln, err := net.Listen("tcp", a.Cfg.Addr)
	if err != nil {
		return err
	}
	servers := []*http.Server{a.httpServer(a.Handler)}
	listeners := []net.Listener{ln}
	if a.Cfg.MetricsAddr != "" && a.Cfg.MetricsAddr != "off" {
		mln, err := net.Listen("tcp", a.Cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("metrics listener (TONGXIN_METRICS_ADDR): %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", a.Metrics)
		if isLoopback(mln.Addr()) {
			// Profiles only where nobody else can reach them (docs/scaling.md).
			mux.HandleFunc("GET /debug/pprof/", pprof.Index)
			mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
			mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
		}
		servers = append(servers, a.httpServer(mux))
		listeners = append(listeners, mln)
		a.Log.Info("metrics listening", "addr", mln.Addr().String())
	}
	a.Log.Info("listening", "addr", ln.Addr().String(), "db", string(a.DB.Dialect), "version", Version)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, len(servers))
	for i, s := range servers {
		go func() { errc <- s.Serve(listeners[i]) }()
	}
	select {
	case err := <-errc:
		for _, s := range servers {
			s.Close()
		}
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down: draining in-flight requests", "timeout", a.Cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), a.Cfg.ShutdownTimeout)
	defer cancel()
	for _, s := range servers {
		if err := s.Shutdown(sctx); err != nil {
			return fmt.Errorf("shutdown: %w", err)
		}
	}
	for range servers {
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	a.Log.Info("stopped")
	return nil
}

// isLoopback reports whether addr is a loopback address (127.0.0.1, ::1).
func isLoopback(addr net.Addr) bool {
	t, ok := addr.(*net.TCPAddr)
	return ok && t.IP.IsLoopback()
}

func (a *App) httpServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
}
