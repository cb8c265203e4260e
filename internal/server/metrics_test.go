package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"tongxin/internal/testenv"
)

func TestMetricsCountByRoutePattern(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		p := f.park("五里园", "wuli")
		for i := 0; i < 3; i++ {
			f.admin.GetPark(ctx, p.ID)
		}
		f.admin.GetPark(ctx, "missing")
		resp, err := http.Get(f.srv.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body := string(b)
		for _, want := range []string{
			// ids never become labels: the pattern does
			`tongxin_http_requests_total{method="GET",route="/api/v1/parks/{id}",status="200"} 3`,
			`tongxin_http_requests_total{method="GET",route="/api/v1/parks/{id}",status="404"} 1`,
			`tongxin_http_requests_total{method="POST",route="/api/v1/parks",status="201"} 1`,
			`tongxin_http_request_duration_seconds_bucket{method="GET",route="/api/v1/parks/{id}",le=`,
			`tongxin_db_open_connections{pool="write"}`,
			`tongxin_db_in_use_connections{pool="write"}`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics lacks %s\n%s", want, grep(body, "tongxin_http"))
			}
		}
		if strings.Contains(body, p.ID) {
			t.Error("a record id leaked into metric labels")
		}
	})
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
