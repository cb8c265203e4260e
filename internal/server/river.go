package server

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"tongxin/internal/servicenet"
)

// On PostgreSQL the service network's overdue job runs on river
// (riverqueue/river): every replica runs a river client, the elected
// leader alone enqueues the periodic sweep (unique per period besides),
// and whichever replica fetches it works it. That is at-least-once, as
// every queue is (a worker that dies mid-job is retried): what makes an
// escalation happen exactly once is the claim inside Sweep — each
// escalation is a conditional UPDATE in its own transaction. On SQLite
// the same Sweep runs on a ticker: river's SQLite driver would need its
// own connections beside the platform's single writer, and one file has
// one writer anyway, so the claim alone already gives exactly-once there.

// sweepArgs is the river job that sweeps overdue service requests.
type sweepArgs struct{}

func (sweepArgs) Kind() string { return "servicenet_sweep" }

type sweepWorker struct {
	river.WorkerDefaults[sweepArgs]
	svc *servicenet.Service
	log *slog.Logger
}

func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[sweepArgs]) error {
	n, err := w.svc.Sweep(ctx)
	if n > 0 {
		w.log.Info("job service request escalation", "escalated", n)
	}
	return err
}

// Sweep is another domain's periodic job run on the same river client
// (each claims its rows in its own transactions, as servicenet's does).
type Sweep struct {
	Name string
	Run  func(context.Context) error
}

// namedSweepArgs is the river job of a Sweep, by its name.
type namedSweepArgs struct {
	Name string `json:"name"`
}

func (namedSweepArgs) Kind() string { return "named_sweep" }

type namedSweepWorker struct {
	river.WorkerDefaults[namedSweepArgs]
	runs map[string]func(context.Context) error
}

func (w *namedSweepWorker) Work(ctx context.Context, j *river.Job[namedSweepArgs]) error {
	if run, ok := w.runs[j.Args.Name]; ok {
		return run(ctx)
	}
	return nil
}

// riverLock serialises river's migrations between replicas starting at
// once (a PostgreSQL advisory lock; the key is "river" in ASCII).
const riverLock = 0x7269766572

// RiverSweeps migrates river's tables on the PostgreSQL database dsn and
// starts a river client that sweeps svc's overdue requests every interval.
// stop drains the client and closes its pool.
func RiverSweeps(ctx context.Context, dsn string, svc *servicenet.Service, every time.Duration, log *slog.Logger, more ...Sweep) (stop func(context.Context) error, err error) {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("river pool: %w", err)
	}
	driver := riverpgxv5.New(pool)
	if err := migrateRiver(ctx, pool, driver); err != nil {
		pool.Close()
		return nil, err
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &sweepWorker{svc: svc, log: log})
	runs := map[string]func(context.Context) error{}
	for _, m := range more {
		runs[m.Name] = m.Run
	}
	river.AddWorker(workers, &namedSweepWorker{runs: runs})
	periodic := []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) {
			// Unique per period (river takes periods of 1 s or more): a
			// leader change cannot enqueue two sweeps for one period.
			return sweepArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: max(every, time.Second)}}
		}, &river.PeriodicJobOpts{ID: "servicenet_sweep", RunOnStart: true})}
	for _, m := range more {
		name := m.Name
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) {
				return namedSweepArgs{Name: name}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: max(every, time.Second)}}
			}, &river.PeriodicJobOpts{ID: name, RunOnStart: true}))
	}
	client, err := river.NewClient(driver, &river.Config{
		Logger:       log,
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 2}},
		Workers:      workers,
		PeriodicJobs: periodic,
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("river client: %w", err)
	}
	if err := client.Start(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("river start: %w", err)
	}
	return func(ctx context.Context) error {
		defer pool.Close()
		return client.Stop(ctx)
	}, nil
}

func migrateRiver(ctx context.Context, pool *pgxpool.Pool, driver *riverpgxv5.Driver) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("river migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(riverLock)); err != nil {
		return fmt.Errorf("river migrate lock: %w", err)
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, int64(riverLock))
	m, err := rivermigrate.New(driver, nil)
	if err != nil {
		return fmt.Errorf("river migrate: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrate: %w", err)
	}
	return nil
}
