package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"tongxin/internal/testenv"
)

// benchClients is the number of concurrent clients the write benchmarks
// drive (issue 10: 64 clients signed in with bearer tokens).
const benchClients = 64

// clients makes b.RunParallel run benchClients goroutines.
func clients(b *testing.B) {
	g := runtime.GOMAXPROCS(0)
	b.SetParallelism((benchClients + g - 1) / g)
}

// cpuPerOp reports the CPU time (user + system) this process — server and
// clients together — spent per operation while run ran: on a machine
// shared with other work requests/s are noisy, CPU per request is not.
func cpuPerOp(b *testing.B, run func()) {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	before := cpu()
	run()
	b.ReportMetric(float64((cpu()-before).Microseconds())/float64(b.N), "cpu-µs/op")
}

// BenchmarkServiceRequestCreate files b.N requests, in parallel from 64
// clients, as the zone administrator: each gives a location and is routed
// to the nearest of the park's two points offering the service, with a
// contact phone (sealed), its submit event and its audit entry; "key" sends
// an Idempotency-Key with each, as the load benchmark and the forms do.
func BenchmarkServiceRequestCreate(b *testing.B) {
	ctx := context.Background()
	for _, e := range testenv.Engines(b) {
		srv := testenv.Start(b, e.DSN)
		c := login(b, srv.URL)
		park := srv.Park("五里园", "wuli").ID
		for i, kind := range []string{"center", "point"} {
			if _, err := c.CreateServicePoint(ctx, map[string]any{"park_id": park, "name": fmt.Sprintf("压测服务点%d", i), "kind": kind,
				"location": map[string]float64{"lat": 24.77 + float64(i)/100, "lng": 118.59}, "service_codes": []string{"legal_aid"}}); err != nil {
				b.Fatal(err)
			}
		}
		for _, keyed := range []bool{false, true} {
			name := map[bool]string{false: "/nokey", true: "/key"}[keyed]
			b.Run(e.Name+name, func(b *testing.B) {
				before := srv.Count("service_requests")
				var next atomic.Int64
				run := time.Now().UnixNano() // the framework runs this several times: new keys each time
				clients(b)
				cpuPerOp(b, func() {
					benchRequests(b, http.StatusCreated, func() *http.Request {
						n := next.Add(1)
						body := fmt.Sprintf(`{"park_id":%q,"service_code":"legal_aid","description":"压测工伤咨询%d","contact":{"name":"张师傅","phone":"13800138000"},`+
							`"location":{"address":"五里园","lat":24.78,"lng":118.6}}`, park, n)
						r, _ := http.NewRequest("POST", srv.URL+"/api/v1/service-requests", strings.NewReader(body))
						r.Header.Set("Authorization", "Bearer "+c.Token)
						r.Header.Set("Content-Type", "application/json")
						if keyed {
							r.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d-%d", run, n))
						}
						return r
					})
				})
				if got := srv.Count("service_requests") - before; got != b.N {
					b.Fatalf("%d requests filed, want %d", got, b.N)
				}
			})
		}
	}
}
