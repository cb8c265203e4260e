package servicenet

import (
	"context"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/page"
)

// SweepBatch bounds the requests one sweep escalates; the next sweep
// takes the rest.
const SweepBatch = 500

// sweepDue reads the open requests past their deadline not yet escalated,
// in order of deadline: $1 now, $2 the batch. Its predicate is the partial
// index service_requests_due's (migration 0330), which holds only such
// requests, so a sweep reads its batch and nothing else: the requests
// closed in time, most of a zone's history, are not in it.
const sweepDue = `SELECT id, zone_id, park_id, point_id, due_at FROM service_requests
	WHERE overdue_at IS NULL AND status NOT IN ('resolved', 'closed', 'rejected') AND due_at < $1 ORDER BY due_at LIMIT $2`

// Sweep finds the open requests past their deadline that have not been
// escalated for that deadline, and escalates each: it flags the request
// overdue, adds an "escalate" step to its timeline and leaves an in-app
// notification for the staff of its park. It returns how many it
// escalated.
//
// Exactly once, with any number of replicas sweeping at the same time:
// each escalation is one transaction that first claims the request with
// a conditional UPDATE (overdue_at IS NULL for this deadline). On
// PostgreSQL a second replica's UPDATE waits for the first's row lock and
// then finds the condition false; on SQLite writers are serialised. Only
// the claimant writes the timeline entry and the notification, and the
// notification's unique key (request, kind, deadline) backs the claim.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.DB.Now().UTC()
	type due struct {
		id, zoneID, parkID, pointID string
		dueAt                       int64
	}
	var batch []due
	err := db.Each(ctx, s.DB.R, sweepDue,
		db.Args{db.Micros(now), SweepBatch}, func(sc db.Scanner) error {
			var d due
			err := sc.Scan(&d.id, &d.zoneID, &d.parkID, &d.pointID, &d.dueAt)
			batch = append(batch, d)
			return err
		})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range batch {
		err := s.DB.Tx(ctx, func(tx *db.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE service_requests SET overdue_at = $1 WHERE id = $2 AND overdue_at IS NULL AND due_at = $3
				AND due_at < $1 AND status NOT IN ('resolved', 'closed', 'rejected')`, db.Micros(tx.Now), d.id, d.dueAt)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k != 1 {
				return nil // another replica escalated it, or it moved on
			}
			if err := addEvent(ctx, tx, d.id, d.zoneID, "", "escalate", ""); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO service_notifications (id, zone_id, park_id, request_id, kind, due_at, created_at)
				VALUES ($1, $2, $3, $4, 'overdue', $5, $6)`, uuid.Must(uuid.NewV7()).String(), d.zoneID, d.parkID, d.id, d.dueAt, db.Micros(tx.Now)); err != nil {
				return err
			}
			n++
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// RunSweeps sweeps every interval until ctx is done, logging failures
// through logf.
func (s *Service) RunSweeps(ctx context.Context, every time.Duration, logf func(n int, err error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		logf(s.Sweep(ctx))
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Notification is an escalation left for a park's staff.
type Notification struct {
	ID          string    `json:"id"`
	ZoneID      string    `json:"zone_id"`
	ParkID      string    `json:"park_id"`
	RequestID   string    `json:"request_id"`
	Kind        string    `json:"kind"`
	ServiceCode string    `json:"service_code"`
	PointID     string    `json:"point_id"`
	Status      string    `json:"status"`
	DueAt       time.Time `json:"due_at"`
	CreatedAt   time.Time `json:"created_at"`
}

// Notifications lists the escalations of the parks the caller works
// requests in (service_request.work over the park: its park_admin,
// service_staff granted on the park, zone administrators), newest first.
func (s *Service) Notifications(ctx context.Context, p page.Page) (page.List[Notification], error) {
	var a db.Args
	where := access.From(ctx).Scope(RequestWork).Where(&a, access.ByZone("n.zone_id"), access.ByNode("n.park_id"))
	return page.Rows(ctx, s.DB.R, p, page.Query{From: "(SELECT x.*, r.service_code, r.point_id, r.status FROM service_notifications x JOIN service_requests r ON r.id = x.request_id) n",
		Cols:  "n.id, n.zone_id, n.park_id, n.request_id, n.kind, n.service_code, n.point_id, n.status, n.due_at, n.created_at",
		Where: where, Args: a, Desc: true},
		func(sc db.Scanner) (Notification, error) {
			var n Notification
			var due int64
			err := sc.Scan(&n.ID, &n.ZoneID, &n.ParkID, &n.RequestID, &n.Kind, &n.ServiceCode, &n.PointID, &n.Status, &due, db.T(&n.CreatedAt))
			n.DueAt = db.FromMicros(due)
			return n, err
		}, page.ByID(func(n Notification) string { return n.ID }))
}
