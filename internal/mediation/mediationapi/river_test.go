package mediationapi_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"tongxin/internal/mediation"
	"tongxin/internal/server"
	"tongxin/internal/testenv"
)

// On PostgreSQL mediation's job runs on river beside servicenet's sweep:
// two replicas flag a case past its 15 days once, and remind of a hearing
// once.
func TestRiverMediationSweepOnceWithTwoReplicas(t *testing.T) {
	for _, e := range testenv.Engines(t) {
		if !strings.HasPrefix(e.DSN, "postgres") {
			continue
		}
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e.DSN)
			t0 := time.Now()
			c := w.open(t, map[string]any{"applied_at": t0.Add(-16 * 24 * time.Hour), "mediator_id": w.medID})
			mustCase(t)(act(w.staff, c.ID, "accept", ""))
			noErr(t, w.hearing(w.staff, c.ID, t0.Add(3*time.Hour), 1, w.room, allParties(c)...))
			log := slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
			for i := range 2 {
				d := testenv.OpenDB(t, e.DSN)
				svc := &mediation.Service{DB: d}
				stop, err := server.RiverSweeps(ctx, e.DSN, w.srv.App.Services, time.Second, log,
					server.Sweep{Name: "mediation_sweep", Run: func(ctx context.Context) error { _, _, err := svc.Sweep(ctx); return err }})
				if err != nil {
					t.Fatalf("replica %d: %v", i, err)
				}
				t.Cleanup(func() { stop(context.Background()) })
			}
			deadline := time.Now().Add(30 * time.Second)
			for (w.srv.Count("mediation_events", "action = 'flag'") < 1 || w.srv.Count("mediation_reminders") < 1) && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			time.Sleep(2500 * time.Millisecond) // more sweeps run meanwhile, finding nothing left
			if flags, reminds := w.srv.Count("mediation_events", "action = 'flag'"), w.srv.Count("mediation_events", "action = 'remind'"); flags != 1 || reminds != 1 {
				t.Fatalf("flag entries %d, remind entries %d; want 1 each", flags, reminds)
			}
			// The mediator, the worker, the representative and the lawyer.
			if n := w.srv.Count("mediation_reminders"); n != 4 {
				t.Fatalf("%d reminders, want 4", n)
			}
			if sweeps := w.srv.Count("river_job", "kind = 'named_sweep' AND state = 'completed'"); sweeps < 2 {
				t.Fatalf("%d mediation sweeps ran through river", sweeps)
			}
		})
	}
}
