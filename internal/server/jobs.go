package server

import (
	"context"
	"time"

	"tongxin/internal/audit"
	"tongxin/internal/db"
)

// RunJobs prunes on an interval until ctx is done: audit entries past the
// retention, expired sessions and login failures, and idempotency keys
// older than 24 h. Every prune is an idempotent DELETE by age, so replicas
// running it at the same time do no harm and need no leader.
//
// It also runs the service network's overdue job every TONGXIN_SLA_SWEEP:
// on PostgreSQL through river (RiverSweeps), on SQLite on a ticker. Each
// escalation claims its request in its own transaction, so it happens once
// whatever the number of replicas (servicenet.Service.Sweep).
func (a *App) RunJobs(ctx context.Context, every time.Duration) {
	if a.Cfg.SLASweep > 0 {
		a.runSweeps(ctx)
	}
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

func (a *App) runSweeps(ctx context.Context) {
	if a.DB.Dialect == db.Postgres {
		stop, err := RiverSweeps(ctx, a.Cfg.DB, a.Services, a.Cfg.SLASweep, a.Log, Sweep{Name: "mediation_sweep", Run: a.mediationSweep})
		if err != nil {
			a.Log.Error("job service request escalation: river", "err", err)
			return
		}
		go func() {
			<-ctx.Done()
			sctx, cancel := context.WithTimeout(context.Background(), a.Cfg.ShutdownTimeout)
			defer cancel()
			if err := stop(sctx); err != nil {
				a.Log.Error("job service request escalation: river stop", "err", err)
			}
		}()
		return
	}
	go a.Mediation.RunSweeps(ctx, a.Cfg.SLASweep, func(flagged, reminded int, err error) { a.logMediationSweep(ctx, flagged, reminded, err) })
	go a.Services.RunSweeps(ctx, a.Cfg.SLASweep, func(n int, err error) {
		if err != nil && ctx.Err() == nil {
			a.Log.Error("job service request escalation", "err", err)
		} else if n > 0 {
			a.Log.Info("job service request escalation", "escalated", n)
		}
	})
}

// mediationSweep runs mediation's job once: the 15-day flags and the
// hearing reminders (mediation.Service.Sweep).
func (a *App) mediationSweep(ctx context.Context) error {
	flagged, reminded, err := a.Mediation.Sweep(ctx)
	a.logMediationSweep(ctx, flagged, reminded, nil)
	return err
}

func (a *App) logMediationSweep(ctx context.Context, flagged, reminded int, err error) {
	if err != nil && ctx.Err() == nil {
		a.Log.Error("job mediation sweep", "err", err)
	} else if flagged > 0 || reminded > 0 {
		a.Log.Info("job mediation sweep", "flagged", flagged, "reminded", reminded)
	}
}
