package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"tongxin/internal/client"
	"tongxin/internal/db"
	"tongxin/internal/kit"
	"tongxin/internal/testenv"
)

// TestTwoReplicasShareTheWork: two `tongxin serve` processes on one
// PostgreSQL, the work spread across both. Simultaneous sign-ups through
// both never overbook and give each waitlisted person their own place; an
// Idempotency-Key replayed to the other replica gets the first answer and
// writes nothing again (also when both get it at the same moment); the
// overdue job, which both replicas run (river, every second), escalates
// each due request exactly once, and each sweep job runs once.
func TestTwoReplicasShareTheWork(t *testing.T) {
	base := os.Getenv("TONGXIN_TEST_POSTGRES")
	if base == "" {
		t.Skip("TONGXIN_TEST_POSTGRES is not set")
	}
	dsn := testenv.FreshPostgres(t, base)
	env := []string{"TONGXIN_SECRET_KEY=" + secretKey, "TONGXIN_SLA_SWEEP=1s"}
	a, b := launch(t, dsn, env...), launch(t, dsn, env...)
	a.waitReady()
	b.waitReady()
	d, err := db.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	ca := login(t, a.URL)
	cb := newClient(b.URL)
	cb.Token = ca.Token // a token issued by A, used on B
	replicas := []*client.Client{ca, cb}

	park, err := ca.CreatePark(ctx, map[string]string{"name": "双副本园", "code": "twin"})
	if err != nil {
		t.Fatal(err)
	}
	ent, err := cb.CreateEnterprise(ctx, map[string]any{"park_id": park.ID, "name": "双副本企业", "uscc": kit.USCC()})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("sign-ups through both never overbook", func(t *testing.T) {
		const n, capacity = 60, 10
		people := make([]string, n)
		for i := range people {
			p, err := replicas[i%2].CreatePerson(ctx, map[string]any{"name": fmt.Sprintf("副本志愿者%d", i), "enterprise_id": ent.ID})
			if err != nil {
				t.Fatal(err)
			}
			people[i] = p.ID
		}
		start := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Hour)
		act, err := ca.CreateActivity(ctx, map[string]any{"organizer_id": park.ID, "title": "双副本志愿服务", "kind": "volunteer", "function": "service",
			"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(time.Hour).Format(time.RFC3339), "capacity": capacity})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cb.ActivityAction(ctx, act.ID, "publish"); err != nil {
			t.Fatal(err)
		}
		answers := make([]client.Signup, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range people {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers[i], errs[i] = replicas[i%2].SignUp(ctx, act.ID, map[string]any{"person_id": people[i]})
			}()
		}
		wg.Wait()
		registered := 0
		var places []int
		for i, x := range answers {
			if errs[i] != nil {
				t.Fatalf("sign-up %d: %v", i, errs[i])
			}
			if x.Status == "registered" {
				registered++
			} else if x.Position != nil {
				places = append(places, *x.Position)
			}
		}
		sort.Ints(places)
		for i, p := range places {
			if p != i+1 {
				t.Fatalf("waitlist places answered %v, want 1…%d each once", places, n-capacity)
			}
		}
		if registered != capacity || len(places) != n-capacity {
			t.Fatalf("%d answered registered and %d waitlisted, want %d and %d", registered, len(places), capacity, n-capacity)
		}
		var rows, counted int
		if err := d.R.QueryRow(`SELECT COUNT(*), (SELECT registered_count FROM activities WHERE id = $1) FROM activity_signups
			WHERE activity_id = $1 AND status = 'registered'`, act.ID).Scan(&rows, &counted); err != nil {
			t.Fatal(err)
		}
		if rows != capacity || counted != capacity {
			t.Fatalf("%d registered rows, the activity counts %d; capacity %d", rows, counted, capacity)
		}
	})

	// A point offering legal aid, for the requests below.
	if _, err := ca.CreateServicePoint(ctx, map[string]any{"park_id": park.ID, "name": "双副本服务点", "kind": "center",
		"location": map[string]float64{"lat": 24.77, "lng": 118.59}, "service_codes": []string{"legal_aid"}}); err != nil {
		t.Fatal(err)
	}
	file := func(c *client.Client, key, desc string) (int, string) {
		var out struct {
			ID string `json:"id"`
		}
		resp, err := c.Do(ctx, "POST", "/api/v1/service-requests", map[string]any{"park_id": park.ID, "service_code": "legal_aid", "description": desc},
			&out, http.Header{"Idempotency-Key": {key}})
		if resp == nil {
			t.Fatalf("filing %q: %v", desc, err)
		}
		return resp.StatusCode, out.ID
	}
	rowsOf := func(desc string) int {
		var n int
		if err := d.R.QueryRow(`SELECT COUNT(*) FROM service_requests WHERE description = $1`, desc).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Run("an idempotency key replayed to the other replica does nothing again", func(t *testing.T) {
		st, first := file(ca, "twin-key-1", "副本幂等请求")
		if st != http.StatusCreated || first == "" {
			t.Fatalf("first filing on A: HTTP %d", st)
		}
		st, again := file(cb, "twin-key-1", "副本幂等请求")
		if st != http.StatusCreated || again != first {
			t.Fatalf("the same key on B: HTTP %d, request %q; want 201 and %q", st, again, first)
		}
		if n := rowsOf("副本幂等请求"); n != 1 {
			t.Fatalf("%d requests after a replay on the other replica, want 1", n)
		}
		// The same key sent to both at the same moment: one request is
		// made; each answer is that request or 409 (the first still runs).
		for round := range 5 {
			key, desc := fmt.Sprintf("twin-race-%d", round), fmt.Sprintf("副本同时请求%d", round)
			var wg sync.WaitGroup
			status, ids := make([]int, 2), make([]string, 2)
			for i, c := range replicas {
				wg.Add(1)
				go func() {
					defer wg.Done()
					status[i], ids[i] = file(c, key, desc)
				}()
			}
			wg.Wait()
			if n := rowsOf(desc); n != 1 {
				t.Fatalf("round %d: %d requests for one key sent to both replicas, want 1 (answers %v)", round, n, status)
			}
			made := ""
			for i := range status {
				switch {
				case status[i] == http.StatusConflict:
				case status[i] == http.StatusCreated && (made == "" || made == ids[i]):
					made = ids[i]
				default:
					t.Fatalf("round %d: answers %v %v: want 201 with one request, or 409", round, status, ids)
				}
			}
		}
	})

	t.Run("each due request is escalated once, each sweep runs once", func(t *testing.T) {
		const n = 40
		for i := range n {
			if st, _ := file(replicas[i%2], fmt.Sprintf("twin-due-%d", i), fmt.Sprintf("副本逾期请求%d", i)); st != http.StatusCreated {
				t.Fatalf("filing due request %d: HTTP %d", i, st)
			}
		}
		// Past their deadline now: the next sweep, on either replica,
		// finds them.
		if _, err := d.W.Exec(`UPDATE service_requests SET due_at = $1 WHERE description LIKE '副本逾期请求%'`,
			db.Micros(time.Now().Add(-time.Hour))); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for {
			var open int
			if err := d.R.QueryRow(`SELECT COUNT(*) FROM service_requests WHERE description LIKE '副本逾期请求%' AND overdue_at IS NULL`).Scan(&open); err != nil {
				t.Fatal(err)
			}
			if open == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d due requests still not escalated after 60 s", open, n)
			}
			time.Sleep(200 * time.Millisecond)
		}
		time.Sleep(3 * time.Second) // more sweeps, on both replicas, find nothing more to do
		var escalated, events, notes int
		if err := d.R.QueryRow(`SELECT COUNT(*),
				(SELECT COUNT(*) FROM service_request_events e JOIN service_requests r ON r.id = e.request_id
					WHERE r.description LIKE '副本逾期请求%' AND e.action = 'escalate'),
				(SELECT COUNT(*) FROM service_notifications o JOIN service_requests r ON r.id = o.request_id
					WHERE r.description LIKE '副本逾期请求%')
			FROM service_requests WHERE description LIKE '副本逾期请求%' AND overdue_at IS NOT NULL`).Scan(&escalated, &events, &notes); err != nil {
			t.Fatal(err)
		}
		if escalated != n || events != n || notes != n {
			t.Fatalf("%d requests escalated with %d escalation steps and %d notifications, want %d of each", escalated, events, notes, n)
		}
		// The sweep job itself: one per period whichever replica leads,
		// each worked once (river records the attempts and who made them).
		var jobs, done, twice int
		if err := d.R.QueryRow(`SELECT COUNT(*), COUNT(*) FILTER (WHERE state = 'completed'),
				COUNT(*) FILTER (WHERE attempt > 1 OR cardinality(attempted_by) > 1)
			FROM river_job WHERE kind = 'servicenet_sweep'`).Scan(&jobs, &done, &twice); err != nil {
			t.Fatal(err)
		}
		if done < 3 || twice != 0 {
			t.Fatalf("%d sweep jobs, %d completed, %d worked more than once; want at least 3 completed, none twice", jobs, done, twice)
		}
		t.Logf("%d sweep jobs, %d completed, each once", jobs, done)
	})
}
