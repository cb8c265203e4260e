// Package server wires the domain packages into one HTTP handler and runs
// the platform: migrations, first start, background jobs, graceful stop.
package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/auth"
	"tongxin/internal/config"
	"tongxin/internal/db"
	"tongxin/internal/httpx"
	"tongxin/internal/idem"
	"tongxin/internal/openapi"
	"tongxin/internal/org"
	"tongxin/internal/secret"
)

// Version is set at build time (-ldflags "-X tongxin/internal/server.Version=…").
var Version = "dev"

// App is a running platform instance.
type App struct {
	Cfg     *config.Config
	DB      *db.DB
	Keys    *secret.Keys
	Log     *slog.Logger
	Auth    *auth.Service
	Org     *org.Service
	Idem    *idem.Store
	Handler http.Handler
	// Mux is the route table; tests walk it to check the OpenAPI document.
	Mux *httpx.Mux
}

// New builds the handler over an open, migrated database.
func New(cfg *config.Config, d *db.DB, keys *secret.Keys, log *slog.Logger, ui fs.FS) (*App, error) {
	a := &App{Cfg: cfg, DB: d, Keys: keys, Log: log,
		Auth: &auth.Service{DB: d, TTL: cfg.SessionTTL, MaxFailures: cfg.LoginMaxFailures},
		Org:  &org.Service{DB: d},
		Idem: &idem.Store{DB: d},
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	registerPoolGauges(reg, "write", d.W)
	if d.R != d.W {
		registerPoolGauges(reg, "read", d.R)
	}
	metrics := httpx.NewMetrics(reg)

	doc, err := openapi.JSON()
	if err != nil {
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
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /api/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(doc)
	})
	(&auth.Handler{Svc: a.Auth, CookieSecure: cfg.CookieSecure}).Routes(mux, a.Idem.Wrap)
	(&org.Handler{Svc: a.Org}).Routes(mux, a.Idem.Wrap)
	(&audit.Handler{DB: d}).Routes(mux)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		httpx.Error(w, r, apperr.New(apperr.NotFound, "problem.no_route"))
	})
	mux.Handle("/", console(ui))
	a.Mux = mux
	a.Handler = httpx.Observe(a.Auth.Middleware(httpx.Routed(mux)), log, metrics, cfg.TrustProxy)
	return a, nil
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
			httpx.Error(w, r, apperr.New(apperr.NotFound, "problem.no_route"))
			return
		}
		p := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if p != "" {
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

// Serve listens on cfg.Addr until ctx is done, then drains in-flight
// requests for up to cfg.ShutdownTimeout. ready, when not nil, receives the
// bound address.
func (a *App) Serve(ctx context.Context, ready chan<- string) error {
	ln, err := net.Listen("tcp", a.Cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	a.Log.Info("listening", "addr", ln.Addr().String(), "db", string(a.DB.Dialect), "version", Version)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down: draining in-flight requests", "timeout", a.Cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), a.Cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	a.Log.Info("stopped")
	return nil
}
