package e2e_test

import (
	"context"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"tongxin/internal/testenv"
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

// `tongxin zone add` creates a tenant the platform administrator then
// sees, and nothing of it is visible to the first zone's administrator.
func TestZoneAddCommand(t *testing.T) {
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "zones.db")
	p := start(t, dsn)
	admin := login(t, p.URL)
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(30 * time.Second); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	cmd := exec.Command(binary(t), "zone", "add", "第二开发区", "--db", dsn)
	cmd.Env = childEnv("TONGXIN_ADMIN_PASSWORD=" + testenv.AdminPassword)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("zone add: %v", err)
	}
	id := strings.TrimSpace(string(out))
	p = start(t, dsn)
	admin = login(t, p.URL)
	l, err := admin.ListZones(context.Background(), nil)
	if err != nil || l.Total != 2 || l.Items[1].ID != id || l.Items[1].Name != "第二开发区" {
		t.Fatalf("zones after zone add: %+v %v", l, err)
	}
	bad := exec.Command(binary(t), "zone", "add", "\u200b", "--db", dsn)
	bad.Env = childEnv()
	if err := bad.Run(); err == nil {
		t.Fatal("zone add accepted an invisible name")
	}
}
