package server

import (
	"context"
	"time"

	"tongxin/internal/audit"
)

// RunJobs prunes on an interval until ctx is done: audit entries past the
// retention, expired sessions and login failures, and idempotency keys
// older than 24 h. Every prune is an idempotent DELETE by age, so replicas
// running it at the same time do no harm and need no leader.
func (a *App) RunJobs(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		a.PruneOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// PruneOnce runs every pruning job once.
func (a *App) PruneOnce(ctx context.Context) {
	// An hour's margin: the database refuses to delete entries younger than
	// the retention by its own clock, which may differ a little from ours.
	if n, err := audit.Prune(ctx, a.DB, a.DB.Now().Add(-a.Cfg.AuditRetention-time.Hour)); err != nil {
		a.Log.Error("job audit prune", "err", err)
	} else if n > 0 {
		a.Log.Info("job audit prune", "deleted", n)
	}
	if _, err := a.Auth.PruneSessions(ctx); err != nil {
		a.Log.Error("job session prune", "err", err)
	}
	if _, err := a.Idem.Prune(ctx); err != nil {
		a.Log.Error("job idempotency prune", "err", err)
	}
}
