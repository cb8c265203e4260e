package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/client"
	"tongxin/internal/db"
	"tongxin/internal/search"
	"tongxin/internal/testenv"
)

// BenchmarkSignup signs b.N different people up, in parallel, for one
// published activity whose capacity is half of them (so half register and
// half join the waitlist), from 64 clients at once: every sign-up of one activity takes the
// activity's row lock, so this is the throughput of the busiest activity.
func BenchmarkSignup(b *testing.B) {
	ctx := context.Background()
	for _, e := range testenv.Engines(b) {
		srv := testenv.Start(b, e.DSN)
		c := login(b, srv.URL)
		park := srv.Park("安东园", "andong").ID
		ent := srv.Enterprise(park, "压测企业")
		b.Run(e.Name, func(b *testing.B) {
			people := make([]string, b.N)
			err := srv.DB.Tx(ctx, func(tx *db.Tx) error {
				for i := range people {
					people[i] = uuid.Must(uuid.NewV7()).String()
					name := fmt.Sprintf("压测志愿者%d", i)
					if _, err := tx.ExecContext(ctx, `INSERT INTO people (id, zone_id, name, enterprise_id, search_key, created_at, updated_at)
						VALUES ($1, $2, $3, $4, $5, $6, $6)`, people[i], srv.ZoneID, name, ent, search.Key(name), db.Micros(tx.Now)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Hour)
			var a client.Activity
			if err := c.Call(ctx, "POST", "/api/v1/activities", map[string]any{"organizer_id": park, "title": "压测活动", "kind": "volunteer",
				"function": "service", "starts_at": start.Format(time.RFC3339), "ends_at": start.Add(time.Hour).Format(time.RFC3339),
				"capacity": max(b.N/2, 1)}, &a); err != nil {
				b.Fatal(err)
			}
			if err := c.Call(ctx, "POST", "/api/v1/activities/"+a.ID+"/publish", nil, nil); err != nil {
				b.Fatal(err)
			}
			var next atomic.Int64
			clients(b)
			cpuPerOp(b, func() {
				benchRequests(b, http.StatusCreated, func() *http.Request {
					p := people[next.Add(1)-1]
					r, _ := http.NewRequest("POST", srv.URL+"/api/v1/activities/"+a.ID+"/signups", strings.NewReader(`{"person_id":"`+p+`"}`))
					r.Header.Set("Authorization", "Bearer "+c.Token)
					r.Header.Set("Content-Type", "application/json")
					return r
				})
			})
			var registered int
			if err := srv.DB.R.QueryRow(`SELECT COUNT(*) FROM activity_signups WHERE activity_id = $1 AND status = 'registered'`, a.ID).Scan(&registered); err != nil {
				b.Fatal(err)
			}
			if registered != max(b.N/2, 1) && b.N > 1 {
				b.Fatalf("%d registered, capacity %d", registered, b.N/2)
			}
		})
	}
}
