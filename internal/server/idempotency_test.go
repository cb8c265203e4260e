package server_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/testenv"
)

func TestIdempotencyKey(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		hdr := map[string]string{"Idempotency-Key": "k-1", "Content-Type": "application/json"}
		s1, h1, b1 := testenv.Raw(t, admin, "POST", "/api/v1/parks", `{"name":"五里园","code":"wuli"}`, hdr)
		s2, h2, b2 := testenv.Raw(t, admin, "POST", "/api/v1/parks", `{"name":"五里园","code":"wuli"}`, hdr)
		if s1 != 201 || s2 != 201 || b1 != b2 || h2.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %d\n%s\n%s", s1, s2, b1, b2)
		}
		if h2.Get("ETag") != h1.Get("ETag") || h2.Get("Location") != h1.Get("Location") || h2.Get("Location") == "" {
			t.Fatalf("a replay lost its headers: ETag %q/%q Location %q/%q", h1.Get("ETag"), h2.Get("ETag"), h1.Get("Location"), h2.Get("Location"))
		}
		if n := srv.Count("parks"); n != 1 {
			t.Fatalf("%d parks after a replay", n)
		}
		s3, _, b3 := testenv.Raw(t, admin, "POST", "/api/v1/parks", `{"name":"安东园","code":"andong"}`, hdr)
		if s3 != 422 || !strings.Contains(b3, "Idempotency-Key") {
			t.Fatalf("different body, same key: %d %s", s3, b3)
		}
		// The key belongs to its user: another user with the same key is a new request.
		other := srv.User("zone2", access.ZoneAdmin, srv.ZoneID)
		if s4, _, b4 := testenv.Raw(t, other, "POST", "/api/v1/parks", `{"name":"食品园","code":"food"}`, hdr); s4 != 201 {
			t.Fatalf("other user's key: %d %s", s4, b4)
		}
		// A refusal is not kept: the form keeps its key and sends the
		// corrected request with it.
		bad := map[string]string{"Idempotency-Key": "k-bad", "Content-Type": "application/json"}
		s5, _, _ := testenv.Raw(t, admin, "POST", "/api/v1/parks", `{"name":"","code":"x"}`, bad)
		s6, h6, _ := testenv.Raw(t, admin, "POST", "/api/v1/parks", `{"name":"新园","code":"x"}`, bad)
		s7, h7, _ := testenv.Raw(t, admin, "POST", "/api/v1/parks", `{"name":"新园","code":"x"}`, bad)
		if s5 != 422 || s6 != 201 || h6.Get("Idempotent-Replayed") != "" || s7 != 201 || h7.Get("Idempotent-Replayed") != "true" || srv.Count("parks") != 3 {
			t.Fatalf("refused, corrected, retried: %d %d %d parks %d", s5, s6, s7, srv.Count("parks"))
		}
		// After 24 h the key is forgotten.
		srv.DB.Now = func() time.Time { return time.Now().Add(25 * time.Hour) }
		srv.App.PruneOnce(ctx)
		srv.DB.Now = time.Now
		if n := srv.Count("idempotency_keys"); n != 0 {
			t.Fatalf("%d idempotency keys left after pruning", n)
		}
	})
}

// A replay must not outlive the right to create, and refusals are never
// kept.
func TestIdempotentReplayChecksAccessFirst(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		za := srv.User("zone-a", access.ZoneAdmin, srv.ZoneID)
		hdr := map[string]string{"Idempotency-Key": "k-lost", "Content-Type": "application/json"}
		if s, _, b := testenv.Raw(t, za, "POST", "/api/v1/parks", `{"name":"五里园","code":"wuli"}`, hdr); s != 201 {
			t.Fatalf("first: %d %s", s, b)
		}
		u, err := admin.GetUser(ctx, srv.UserID("zone-a"))
		if err != nil {
			t.Fatal(err)
		}
		if err := admin.Revoke(ctx, u.ID, u.Grants[0].ID); err != nil {
			t.Fatal(err)
		}
		s, h, b := testenv.Raw(t, za, "POST", "/api/v1/parks", `{"name":"五里园","code":"wuli"}`, hdr)
		if s != 403 || h.Get("Idempotent-Replayed") != "" {
			t.Fatalf("replay after losing the right to create: %d %s", s, b)
		}
		// A 403 is not kept: with the right back, the same key runs for real.
		if _, err := admin.Grant(ctx, u.ID, access.ZoneAdmin, srv.ZoneID); err != nil {
			t.Fatal(err)
		}
		member := srv.User("member", access.Member, srv.ZoneID)
		key := map[string]string{"Idempotency-Key": "k-403", "Content-Type": "application/json"}
		if s, _, _ := testenv.Raw(t, member, "POST", "/api/v1/parks", `{"name":"食品园","code":"food"}`, key); s != 403 {
			t.Fatalf("member creating: %d", s)
		}
		if n := srv.Count("idempotency_keys", "key = 'k-403'"); n != 0 {
			t.Fatalf("a 403 answer was kept for replay")
		}
	})
}

// Filings with one key sent at once: the key is reserved in the filing's
// own (group-committed) transaction, so exactly one request and one key
// are written, and every answer is that request or 409.
func TestIdempotentConcurrentFilings(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		park := srv.Park("五里园", "wuli").ID
		if _, err := admin.CreateServicePoint(ctx, map[string]any{"park_id": park, "name": "法律服务点", "kind": "center",
			"location": map[string]float64{"lat": 24.77, "lng": 118.59}, "service_codes": []string{"legal_aid"}}); err != nil {
			t.Fatal(err)
		}
		const n = 12
		for round := range 3 {
			key := fmt.Sprintf("file-race-%d", round)
			desc := fmt.Sprintf("同时提交%d", round)
			body := fmt.Sprintf(`{"park_id":%q,"service_code":"legal_aid","description":%q}`, park, desc)
			hdr := map[string]string{"Idempotency-Key": key, "Content-Type": "application/json"}
			status, bodies := make([]int, n), make([]string, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					status[i], _, bodies[i] = testenv.Raw(t, admin, "POST", "/api/v1/service-requests", body, hdr)
				}()
			}
			wg.Wait()
			if got := srv.Count("service_requests", "description = '"+desc+"'"); got != 1 {
				t.Fatalf("round %d: %d requests filed with one key, want 1 (answers %v)", round, got, status)
			}
			if got := srv.Count("idempotency_keys", "key = '"+key+"' AND status = 201"); got != 1 {
				t.Fatalf("round %d: %d answered keys, want 1", round, got)
			}
			first := ""
			for i, s := range status {
				switch {
				case s == 409:
				case s == 201 && (first == "" || first == bodies[i]):
					first = bodies[i]
				default:
					t.Fatalf("round %d: answers %v: want 201 with one request, or 409\n%s", round, status, bodies[i])
				}
			}
			if first == "" {
				t.Fatalf("round %d: no answer created the request: %v", round, status)
			}
		}
	})
}
