package config

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Load("serve", nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DB != "sqlite:./tongxin.db" || c.ZoneName != "示例开发区" || c.SessionTTL != 12*time.Hour ||
		c.AuditRetention != 1095*24*time.Hour || c.LoginMaxFailures != 10 || c.DashboardCacheTTL != time.Second || c.Demo {
		t.Fatalf("defaults %+v", c)
	}
}

func TestDashboardCacheTTL(t *testing.T) {
	for v, want := range map[string]time.Duration{"0": 0, "50ms": 50 * time.Millisecond, "10s": 10 * time.Second} {
		c, err := Load("serve", nil, env(map[string]string{"TONGXIN_DASHBOARD_CACHE_TTL": v}), io.Discard)
		if err != nil || c.DashboardCacheTTL != want {
			t.Errorf("%s: %v %v, want %v", v, c, err, want)
		}
	}
}

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	os.WriteFile(keyFile, []byte("from-file-0123456789-0123456789-xx\n"), 0o600)
	e := env(map[string]string{
		"TONGXIN_ADDR": "0.0.0.0:9000", "TONGXIN_DB": "postgres://x", "TONGXIN_SECRET_KEY_FILE": keyFile,
		"TONGXIN_ADMIN_PASSWORD": "from-env", "TONGXIN_ADMIN_PASSWORD_FILE": keyFile, "TONGXIN_AUDIT_RETENTION": "90d",
	})
	c, err := Load("serve", []string{"--addr", "127.0.0.1:1", "--demo"}, e, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:1" {
		t.Errorf("flag must beat env: %s", c.Addr)
	}
	if c.DB != "postgres://x" {
		t.Errorf("env must beat default: %s", c.DB)
	}
	if c.SecretKey != "from-file-0123456789-0123456789-xx" {
		t.Errorf("_FILE variant, newline trimmed: %q", c.SecretKey)
	}
	if c.AdminPassword != "from-env" {
		t.Errorf("env must beat _FILE: %q", c.AdminPassword)
	}
	if !c.Demo || c.AuditRetention != 90*24*time.Hour {
		t.Errorf("demo %v retention %v", c.Demo, c.AuditRetention)
	}
}

func TestBadValues(t *testing.T) {
	bad := func(k, v string) {
		t.Helper()
		_, err := Load("serve", nil, env(map[string]string{k: v}), io.Discard)
		if err == nil || !strings.Contains(err.Error(), strings.TrimSuffix(k, "_FILE")) {
			t.Errorf("%s=%s: error %v should name the variable", k, v, err)
		}
	}
	for k, v := range map[string]string{
		"TONGXIN_SESSION_TTL": "soon", "TONGXIN_LOG_LEVEL": "loud", "TONGXIN_COOKIE_SECURE": "maybe",
		"TONGXIN_AUDIT_RETENTION": "1h", "TONGXIN_LOGIN_MAX_FAILURES": "0", "TONGXIN_SECRET_KEY_FILE": "/nonexistent/key",
		"TONGXIN_SMS_SENDER": "carrier-pigeon", "TONGXIN_PUBLIC_URL": "tongxin.example.cn",
		"TONGXIN_DB_READ_TURNS": "-1",
	} {
		bad(k, v)
	}
	// The dashboard cache: negative, beyond the bound, or not a duration.
	for _, v := range []string{"-1ms", "11s", "1m", "0.1"} {
		bad("TONGXIN_DASHBOARD_CACHE_TTL", v)
	}
	// The webhook sender needs its URL.
	if _, err := Load("serve", nil, env(map[string]string{"TONGXIN_SMS_SENDER": "webhook"}), io.Discard); err == nil ||
		!strings.Contains(err.Error(), "TONGXIN_SMS_WEBHOOK_URL") {
		t.Errorf("webhook without URL: %v", err)
	}
	if _, err := Load("serve", []string{"--nope"}, env(nil), io.Discard); err == nil {
		t.Error("unknown flag accepted")
	}
}
