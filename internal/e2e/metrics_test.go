package e2e_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// The process serves /metrics on its own address, not on the API's.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	e := procEngines(t)[0]
	maddr := freeAddr(t)
	p := start(t, e.dsn, append(e.env, "TONGXIN_METRICS_ADDR="+maddr)...)
	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}
	if s, body := get("http://" + maddr + "/metrics"); s != 200 || !strings.Contains(body, `tongxin_http_requests_total{method="GET",route="/readyz",status="200"}`) {
		t.Fatalf("metrics address: %d\n%.500s", s, body)
	}
	if _, body := get(p.URL + "/metrics"); strings.Contains(body, "tongxin_http_requests_total") {
		t.Fatal("the API address serves /metrics")
	}
}
