package e2e_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tongxin/internal/client"
	"tongxin/internal/testenv"
)

// The benchmarks drive the real server (testenv.Start: the full handler
// chain behind an httptest server on 127.0.0.1) over loopback HTTP, once
// per engine, and report requests per second.

func benchClient() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
}

// benchRequests runs newReq in parallel b.N times; each answer must carry
// status want.
func benchRequests(b *testing.B, want int, newReq func() *http.Request) {
	hc := benchClient()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := hc.Do(newReq())
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != want {
				b.Errorf("HTTP %d, want %d", resp.StatusCode, want)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// eachEngine starts one server per engine, runs seed once, then bench as
// a sub-benchmark (which the framework calls several times, growing b.N).
func eachEngine(b *testing.B, seed func(b *testing.B, c *client.Client), bench func(b *testing.B, srv *testenv.Server, token string)) {
	for _, e := range testenv.Engines(b) {
		srv := testenv.Start(b, e.DSN)
		c := login(b, srv.URL)
		if seed != nil {
			seed(b, c)
		}
		b.Run(e.Name, func(b *testing.B) { bench(b, srv, c.Token) })
	}
}

func BenchmarkHealthz(b *testing.B) {
	eachEngine(b, nil, func(b *testing.B, srv *testenv.Server, _ string) {
		benchRequests(b, http.StatusOK, func() *http.Request {
			r, _ := http.NewRequest("GET", srv.URL+"/healthz", nil)
			return r
		})
	})
}

// BenchmarkParksList lists 50 of 200 parks as a zone administrator.
func BenchmarkParksList(b *testing.B) {
	var token string
	seed := func(b *testing.B, c *client.Client) { _, token, _ = seedScoped(b, c) }
	eachEngine(b, seed, func(b *testing.B, srv *testenv.Server, _ string) {
		benchRequests(b, http.StatusOK, func() *http.Request {
			r, _ := http.NewRequest("GET", srv.URL+"/api/v1/parks?limit=50", nil)
			r.Header.Set("Authorization", "Bearer "+token)
			return r
		})
	})
}

// BenchmarkParkGet reads one park by id as the administrator of that park.
func BenchmarkParkGet(b *testing.B) {
	var id, token string
	seed := func(b *testing.B, c *client.Client) { id, _, token = seedScoped(b, c) }
	eachEngine(b, seed, func(b *testing.B, srv *testenv.Server, _ string) {
		benchRequests(b, http.StatusOK, func() *http.Request {
			r, _ := http.NewRequest("GET", srv.URL+"/api/v1/parks/"+id, nil)
			r.Header.Set("Authorization", "Bearer "+token)
			return r
		})
	})
}

// seedScoped creates 200 parks, a zone administrator and an administrator
// of the last park, and returns the last park's id and the two users'
// bearer tokens: the benchmarks read as them, not as the platform
// administrator (whose scope needs no predicate at all).
func seedScoped(b *testing.B, c *client.Client) (parkID, zoneToken, parkToken string) {
	ctx := context.Background()
	for i := range 200 {
		p, err := c.CreatePark(ctx, map[string]string{"name": fmt.Sprintf("压测园 %03d", i), "code": fmt.Sprintf("load-%03d", i)})
		if err != nil {
			b.Fatal(err)
		}
		parkID = p.ID
	}
	var zones struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if _, err := c.Do(ctx, "GET", "/api/v1/zones", nil, &zones, nil); err != nil || len(zones.Items) != 1 {
		b.Fatalf("zones: %v", err)
	}
	return parkID, grantedToken(b, c, "bench-zone", "zone_admin", zones.Items[0].ID), grantedToken(b, c, "bench-park", "park_admin", parkID)
}

// grantedToken creates user name with role on scope (as c, an
// administrator) and returns the bearer token of a session of theirs.
func grantedToken(b *testing.B, c *client.Client, name, role, scope string) string {
	ctx := context.Background()
	var u struct {
		ID string `json:"id"`
	}
	if _, err := c.Do(ctx, "POST", "/api/v1/users", map[string]string{"username": name, "password": "Bench-pw-2024!", "display_name": name}, &u, nil); err != nil {
		b.Fatal(err)
	}
	if _, err := c.Do(ctx, "POST", "/api/v1/users/"+u.ID+"/grants", map[string]string{"role": role, "scope_id": scope}, nil, nil); err != nil {
		b.Fatal(err)
	}
	cc, err := c.As(ctx, name, "Bench-pw-2024!")
	if err != nil {
		b.Fatal(err)
	}
	return cc.Token
}

func BenchmarkParkCreate(b *testing.B) {
	var n atomic.Int64 // codes stay unique across the framework's rounds
	eachEngine(b, nil, func(b *testing.B, srv *testenv.Server, token string) {
		benchRequests(b, http.StatusCreated, func() *http.Request {
			i := n.Add(1)
			body := fmt.Sprintf(`{"name": "压测新园 %d", "code": "bench-%d"}`, i, i)
			r, _ := http.NewRequest("POST", srv.URL+"/api/v1/parks", strings.NewReader(body))
			r.Header.Set("Authorization", "Bearer "+token)
			r.Header.Set("Content-Type", "application/json")
			return r
		})
	})
}
