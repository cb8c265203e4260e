package server_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"tongxin/internal/config"
	"tongxin/internal/testenv"
)

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("scrape %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}

func TestMetricsCountByRoutePattern(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		p := srv.Park("五里园", "wuli")
		for i := 0; i < 3; i++ {
			if _, err := admin.GetPark(ctx, p.ID); err != nil {
				t.Fatal(err)
			}
		}
		_, err := admin.GetPark(ctx, "missing")
		testenv.WantStatus(t, err, 404)
		body := scrape(t, srv.MetricsURL)
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

// Any method string a client invents must not become a label of its own:
// one scrape once reached 172 MB that way.
func TestMetricsLabelsStayBounded(t *testing.T) {
	srv := testenv.Start(t, testenv.Engines(t)[0].DSN)
	for i := 0; i < 50; i++ {
		req, _ := http.NewRequest(fmt.Sprintf("M%05d", i), srv.URL+"/api/v1/parks", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	body := scrape(t, srv.MetricsURL)
	if strings.Contains(body, "M00001") || !strings.Contains(body, `method="OTHER"`) {
		t.Fatalf("invented methods: %s", grep(body, "tongxin_http_requests_total"))
	}
	// /metrics is not on the API address.
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "tongxin_http_requests_total") {
		t.Fatal("/metrics is served on the API address")
	}
}

// GET /metrics on the API address (API.md) answers only a scraper holding
// the configured token.
func TestMetricsOnTheAPIAddressNeedTheToken(t *testing.T) {
	const token = "scrape-token-0123456789"
	srv := testenv.StartWith(t, testenv.Engines(t)[0].DSN, nil, func(c *config.Config) { c.MetricsToken = token })
	c := srv.Client()
	for hdr, want := range map[string]int{"": 401, "Bearer wrong": 401, "Basic " + token: 401, "Bearer " + token: 200, "bearer " + token: 200} {
		h := map[string]string{}
		if hdr != "" {
			h["Authorization"] = hdr
		}
		status, _, body := testenv.Raw(t, c, "GET", "/metrics", "", h)
		if status != want || (want == 200) != strings.Contains(body, "tongxin_db_open_connections") {
			t.Errorf("Authorization %q: %d, want %d", hdr, status, want)
		}
	}
	plain := testenv.Start(t, testenv.Engines(t)[0].DSN)
	if status, _, _ := testenv.Raw(t, plain.Client(), "GET", "/metrics", "", map[string]string{"Authorization": "Bearer " + token}); status != 404 {
		t.Errorf("without a token configured: %d, want 404", status)
	}
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
