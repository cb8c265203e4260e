package httpx

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"tongxin/internal/apperr"
	"tongxin/internal/reqctx"
)

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// Metrics counts requests and their latency by route pattern and status.
type Metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// NewMetrics registers the HTTP metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tongxin_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "tongxin_http_request_duration_seconds", Help: "HTTP request latency by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

// methodLabel keeps the label set bounded: any method string a client
// invents counts as OTHER.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *recorder) WriteHeader(s int) {
	if r.status == 0 {
		r.status = s
	}
	if s == StatusClientGone {
		return // nobody is listening; do not send a made-up status
	}
	r.ResponseWriter.WriteHeader(s)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Proxies is the set of reverse proxies whose X-Forwarded-For is believed.
type Proxies []netip.Prefix

// ParseProxies reads a comma-separated list of addresses and CIDR ranges.
func ParseProxies(s string) (Proxies, error) {
	var ps Proxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			ps = append(ps, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, err
		}
		ps = append(ps, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return ps, nil
}

func (ps Proxies) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientAddr returns the client's address: the peer, unless the peer is a
// trusted proxy; then X-Forwarded-For is read from the right, skipping
// trusted proxies, and the first address that is not one is the client
// (entries to its left were written by the client and prove nothing).
func (ps Proxies) ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || len(ps) == 0 || !ps.trusted(peer) {
		return host
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed hop: trust nothing further left
		}
		client = a.Unmap()
		if !ps.trusted(client) {
			break
		}
	}
	return client.String()
}

// Observe wraps the whole handler: it gives every request the server's own
// id (a well-formed inbound X-Request-ID is kept beside it as the client's),
// a logger carrying both, the client address, a panic guard, an access log
// line and metrics. The logger is made when first used (Log): a server
// logging warnings only writes no line for a request that goes well, and
// making it was 2% of a get's CPU.
func Observe(next http.Handler, base *slog.Logger, m *Metrics, proxies Proxies) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		meta := reqctx.Meta{ID: uuid.Must(uuid.NewV7()).String(), ClientAddr: proxies.ClientAddr(r)}
		if id := r.Header.Get("X-Request-ID"); requestIDPattern.MatchString(id) {
			meta.ClientID = id
		}
		o := &observed{base: base, meta: meta}
		ctx := context.WithValue(reqctx.With(r.Context(), meta), keyObserved, o)
		r = r.WithContext(ctx)
		w.Header().Set("X-Request-ID", meta.ID)
		rec := &recorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				o.logger().Error("panic", "panic", p)
				if rec.status == 0 {
					Error(rec, r, apperr.New(apperr.Internal, ""))
				}
			}
			if rec.status == 0 {
				rec.status = http.StatusOK
			}
			route := o.pattern
			if route == "" {
				route = "unmatched"
			} else if _, after, ok := strings.Cut(route, " "); ok {
				route = after
			}
			d := time.Since(start)
			method := methodLabel(r.Method)
			if m != nil {
				m.requests.WithLabelValues(route, method, strconv.Itoa(rec.status)).Inc()
				m.latency.WithLabelValues(route, method).Observe(d.Seconds())
			}
			level := slog.LevelInfo
			switch {
			case rec.status == http.StatusServiceUnavailable:
				level = slog.LevelWarn // shed load or a dependency down: its cause is logged on its own line
			case rec.status >= 500 && rec.status != StatusClientGone:
				level = slog.LevelError
			}
			if base.Enabled(r.Context(), level) {
				o.logger().Log(r.Context(), level, "http", "method", method, "path", r.URL.Path, "route", route,
					"status", rec.status, "bytes", rec.bytes, "duration_ms", float64(d.Microseconds())/1000, "client", meta.ClientAddr)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// observed is what Observe keeps of a request in its context: the
// logger, made once when first asked for (handlers may log from more
// than one goroutine), and the route Routed matched.
type observed struct {
	base    *slog.Logger
	meta    reqctx.Meta
	once    sync.Once
	log     *slog.Logger
	pattern string
}

func (o *observed) logger() *slog.Logger {
	o.once.Do(func() {
		o.log = o.base.With("request_id", o.meta.ID)
		if o.meta.ClientID != "" {
			o.log = o.log.With("client_request_id", o.meta.ClientID)
		}
	})
	return o.log
}

// Routed wraps the mux: it reports the matched pattern to Observe, which
// sits outside middleware that may replace the request (and with it
// r.Pattern).
func Routed(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { // a handler's panic too is logged and counted under its route
			if o, ok := r.Context().Value(keyObserved).(*observed); ok {
				o.pattern = r.Pattern
			}
		}()
		mux.ServeHTTP(w, r)
	})
}
