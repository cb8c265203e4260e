package httpx_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"tongxin/internal/httpx"
)

// logLines are the JSON lines a test logger wrote.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// Observe's access line and a handler's own lines carry the request's id
// and the client's, and the route Routed matched; a server logging
// warnings only writes no line for a request that went well, but still
// the handler's warning (with the ids) and a panic's error.
func TestObserveLogsWithTheRequestsIDs(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "warn" {
			httpx.Log(r.Context()).Warn("something odd")
		}
		if r.PathValue("id") == "panic" {
			panic("boom")
		}
		w.WriteHeader(http.StatusNoContent)
	})
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelWarn} {
		var buf bytes.Buffer
		base := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level}))
		h := httpx.Observe(httpx.Routed(mux), base, httpx.NewMetrics(prometheus.NewRegistry()), nil)
		for _, id := range []string{"ok", "warn", "panic"} {
			buf.Reset()
			req := httptest.NewRequest("GET", "/things/"+id, nil)
			req.Header.Set("X-Request-ID", "client-id-123")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			reqID := rec.Header().Get("X-Request-ID")
			if reqID == "" {
				t.Fatal("no X-Request-ID")
			}
			var msgs []string
			for _, l := range logLines(t, &buf) {
				msgs = append(msgs, l["msg"].(string))
				if l["request_id"] != reqID || l["client_request_id"] != "client-id-123" {
					t.Errorf("%v %s: line %v lacks the ids %s, client-id-123", level, id, l, reqID)
				}
				if l["msg"] == "http" && l["route"] != "/things/{id}" {
					t.Errorf("%v %s: access line's route %v", level, id, l["route"])
				}
			}
			want := map[slog.Level]map[string]string{
				slog.LevelInfo: {"ok": "http", "warn": "something odd,http", "panic": "panic,request failed,http"},
				slog.LevelWarn: {"ok": "", "warn": "something odd", "panic": "panic,request failed,http"},
			}[level][id]
			if got := strings.Join(msgs, ","); got != want {
				t.Errorf("%v %s: lines %q, want %q", level, id, got, want)
			}
		}
	}
}

// Observe around a handler that does nothing, on a server logging
// warnings only (as the load benchmark's): what every request pays.
func BenchmarkObserve(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	base := slog.New(slog.NewJSONHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h := httpx.Observe(httpx.Routed(mux), base, httpx.NewMetrics(prometheus.NewRegistry()), nil)
	req := httptest.NewRequest("GET", "/things/1", nil)
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}
