package e2e_test

import (
	"net/http"
	"testing"

	"tongxin/internal/auth"
	"tongxin/internal/client"
	"tongxin/internal/testenv"
)

// BenchmarkSignedInGet reads one park by id as its administrator, the
// caller remembered (auth.Principals) and, for comparison in the same run,
// read from the database on every request as before the cache:
//
//	go test ./internal/e2e -run '^$' -bench SignedInGet -benchtime 5s
func BenchmarkSignedInGet(b *testing.B) {
	var id, token string
	seed := func(b *testing.B, c *client.Client) { id, _, token = seedScoped(b, c) }
	eachEngine(b, seed, func(b *testing.B, srv *testenv.Server, _ string) {
		cache := srv.App.Auth.Principals
		for _, mode := range []struct {
			name  string
			cache *auth.Principals
		}{{"remembered", cache}, {"read", nil}} {
			b.Run(mode.name, func(b *testing.B) {
				var h0, m0, by0 uint64
				if mode.cache != nil {
					h0, m0, by0 = mode.cache.Stats()
				}
				srv.App.Auth.Principals = mode.cache
				defer func() { srv.App.Auth.Principals = cache }()
				benchRequests(b, http.StatusOK, func() *http.Request {
					r, _ := http.NewRequest("GET", srv.URL+"/api/v1/parks/"+id, nil)
					r.Header.Set("Authorization", "Bearer "+token)
					return r
				})
				if mode.cache != nil {
					h, m, by := mode.cache.Stats()
					h, m, by = h-h0, m-m0, by-by0
					b.ReportMetric(float64(h)/float64(h+m+by), "hit-ratio")
					b.ReportMetric(float64(by)/float64(h+m+by), "bypass-ratio")
				}
			})
		}
	})
}
