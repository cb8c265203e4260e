package server_test

import (
	"net/url"
	"testing"

	"tongxin/internal/config"
	"tongxin/internal/testenv"
)

// Behind a trusted proxy the client is the right-most address that is not
// a proxy: what a client writes further left cannot choose its address for
// throttling and the audit log.
func TestForwardedForIsReadFromTheRight(t *testing.T) {
	for _, tc := range []struct {
		name, proxies, xff, want string
	}{
		{"no proxy configured", "", "203.0.113.9", "127.0.0.1"},
		{"one proxy", "127.0.0.1", "198.51.100.7", "198.51.100.7"},
		{"client forges the left", "127.0.0.1", "1.2.3.4, 198.51.100.7", "198.51.100.7"},
		{"two proxies", "127.0.0.0/8, 10.0.0.0/8", "1.2.3.4, 198.51.100.7, 10.1.2.3", "198.51.100.7"},
		{"garbage hop", "127.0.0.1", "198.51.100.7, not-an-ip", "127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := testenv.StartWith(t, testenv.Engines(t)[0].DSN, nil, func(c *config.Config) { c.TrustedProxies = tc.proxies })
			admin := srv.Admin()
			s, h, b := testenv.Raw(t, admin, "POST", "/api/v1/parks", `{"name":"园","code":"x"}`,
				map[string]string{"Content-Type": "application/json", "X-Forwarded-For": tc.xff})
			if s != 201 {
				t.Fatalf("%d %s", s, b)
			}
			l, err := admin.Audit(ctx, url.Values{"entity_id": {h.Get("Location")[len("/api/v1/parks/"):]}})
			if err != nil || len(l.Items) != 1 {
				t.Fatalf("%+v %v", l, err)
			}
			if got := l.Items[0].ClientAddr; got != tc.want {
				t.Fatalf("client address %q, want %q", got, tc.want)
			}
		})
	}
}
