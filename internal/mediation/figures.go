package mediation

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/db"
	"tongxin/internal/page"
)

// Count is one group's number of cases.
type Count struct {
	Key   string `json:"key"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// FiguresReport is the mediation figures of the caller's scope: no case
// content, only counts.
type FiguresReport struct {
	Total    int     `json:"total"`
	ByType   []Count `json:"by_type"`
	ByPark   []Count `json:"by_park"`
	ByStatus []Count `json:"by_status"`
	// Closed counts the cases closed; Settled those of them settled by
	// agreement. SuccessRate is Settled / Closed (null when none closed).
	Closed      int      `json:"closed"`
	Settled     int      `json:"settled"`
	SuccessRate *float64 `json:"success_rate"`
	// MedianDaysToClose is the median of whole days from application to
	// closing over the closed cases (null when none).
	MedianDaysToClose *float64 `json:"median_days_to_close"`
}

// Report counts the cases where the caller holds mediation.figures (zone
// and park administrators, legal-service staff, auditors); park_id and
// type narrow. Returns EFORBIDDEN.
func (s *Service) Report(ctx context.Context, parkID, typ string) (FiguresReport, error) {
	sc := access.From(ctx).Scope(Figures)
	if sc.Empty() {
		return FiguresReport{}, apperr.New(apperr.Forbidden, "")
	}
	if typ != "" && !slices.Contains(Types, typ) {
		return FiguresReport{}, apperr.Field("type", "unknown_value")
	}
	var a db.Args
	where := sc.Where(&a, access.ByZone("c.zone_id"), access.ByNode("c.park_id"))
	if parkID != "" {
		where += " AND c.park_id = " + a.Add(parkID)
	}
	if typ != "" {
		where += " AND c.type = " + a.Add(typ)
	}
	r := FiguresReport{ByType: []Count{}, ByPark: []Count{}, ByStatus: []Count{}}
	group := func(col, name string, into *[]Count) error {
		return db.Each(ctx, s.DB.R, `SELECT `+col+`, `+name+`, COUNT(*) FROM mediation_cases c JOIN scope_nodes pn ON pn.id = c.park_id WHERE `+where+
			` GROUP BY `+col+`, `+name+` ORDER BY COUNT(*) DESC, `+col, a, func(sc db.Scanner) error {
			var c Count
			err := sc.Scan(&c.Key, &c.Name, &c.Count)
			*into = append(*into, c)
			return err
		})
	}
	if err := group("c.type", "c.type", &r.ByType); err != nil {
		return r, err
	}
	if err := group("c.park_id", "pn.name", &r.ByPark); err != nil {
		return r, err
	}
	if err := group("c.status", "c.status", &r.ByStatus); err != nil {
		return r, err
	}
	for i := range r.ByType {
		r.ByType[i].Name = typeNames[r.ByType[i].Key]
	}
	for _, c := range r.ByStatus {
		r.Total += c.Count
	}
	var days []float64
	err := db.Each(ctx, s.DB.R, `SELECT c.outcome, c.applied_at, c.closed_at FROM mediation_cases c WHERE `+where+` AND c.status = 'closed' ORDER BY c.closed_at`, a,
		func(sc db.Scanner) error {
			var outcome string
			var applied, closed int64
			if err := sc.Scan(&outcome, &applied, &closed); err != nil {
				return err
			}
			r.Closed++
			if outcome == "settled" {
				r.Settled++
			}
			days = append(days, float64((closed-applied)/int64(day/time.Microsecond)))
			return nil
		})
	if err != nil {
		return r, err
	}
	if r.Closed > 0 {
		rate := float64(r.Settled) / float64(r.Closed)
		r.SuccessRate = &rate
		slices.Sort(days)
		m := days[len(days)/2]
		if len(days)%2 == 0 {
			m = (days[len(days)/2-1] + days[len(days)/2]) / 2
		}
		r.MedianDaysToClose = &m
	}
	return r, nil
}

// SweepBatch bounds the cases and hearings one sweep handles.
const SweepBatch = 500

// sweepUnsettled reads the open cases applied for before $1 and not yet
// flagged, oldest first, $2 at most. Its predicate is the partial index
// mediation_cases_clock's (migration 0340), which holds only such cases,
// so a sweep does not walk the cases settled or withdrawn in time.
const sweepUnsettled = `SELECT id FROM mediation_cases
	WHERE flagged_at IS NULL AND status IN ('intake', 'accepted', 'scheduled', 'in_mediation') AND applied_at <= $1 ORDER BY applied_at LIMIT $2`

// RemindBefore is how long before a hearing its reminders are left.
const RemindBefore = 24 * time.Hour

// Sweep is the background job: it flags the cases whose 15 days have
// passed without settlement (a "flag" step on the timeline: the case may
// be referred to arbitration), and leaves reminders of the hearings
// starting within RemindBefore for the mediator and the participants'
// accounts. Each case and hearing is claimed by a conditional UPDATE in its
// own transaction, so replicas sweeping at once flag and remind once.
// Returns how many cases it flagged and hearings it reminded of.
func (s *Service) Sweep(ctx context.Context) (flagged, reminded int, err error) {
	now := s.DB.Now().UTC()
	var ids []string
	err = db.Each(ctx, s.DB.R, sweepUnsettled, db.Args{db.Micros(now.Add(-MediationDays * day)), SweepBatch}, func(sc db.Scanner) error {
		var id string
		err := sc.Scan(&id)
		ids = append(ids, id)
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	for _, id := range ids {
		err := s.DB.Tx(ctx, func(tx *db.Tx) error {
			var zoneID, status string
			if err := tx.QueryRowContext(ctx, `SELECT zone_id, status FROM mediation_cases WHERE id = $1`, id).Scan(&zoneID, &status); err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `UPDATE mediation_cases SET flagged_at = $1 WHERE id = $2 AND flagged_at IS NULL AND applied_at <= $3
				AND status IN ('intake', 'accepted', 'scheduled', 'in_mediation')`, db.Micros(tx.Now), id, db.Micros(tx.Now.Add(-MediationDays*day)))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil
			}
			flagged++
			return addEvent(ctx, tx, id, zoneID, "", "flag", status, "eligible_for_arbitration")
		})
		if err != nil {
			return flagged, reminded, err
		}
	}
	type due struct{ id, caseID, zoneID, mediatorID string }
	var hs []due
	err = db.Each(ctx, s.DB.R, `SELECT id, case_id, zone_id, mediator_id FROM mediation_hearings WHERE reminded_at IS NULL AND starts_at > $1 AND starts_at <= $2
		ORDER BY starts_at LIMIT $3`, db.Args{db.Micros(now), db.Micros(now.Add(RemindBefore)), SweepBatch}, func(sc db.Scanner) error {
		var d due
		err := sc.Scan(&d.id, &d.caseID, &d.zoneID, &d.mediatorID)
		hs = append(hs, d)
		return err
	})
	if err != nil {
		return flagged, reminded, err
	}
	for _, h := range hs {
		err := s.DB.Tx(ctx, func(tx *db.Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE mediation_hearings SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL`, db.Micros(tx.Now), h.id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil
			}
			users := []string{h.mediatorID}
			err = db.Each(ctx, tx, `SELECT DISTINCT u.id FROM mediation_hearing_parties hp JOIN mediation_parties p ON p.id = hp.party_id
				JOIN users u ON u.person_id = p.person_id WHERE hp.hearing_id = $1 ORDER BY u.id`, db.Args{h.id}, func(sc db.Scanner) error {
				var u string
				err := sc.Scan(&u)
				if !slices.Contains(users, u) {
					users = append(users, u)
				}
				return err
			})
			if err != nil {
				return err
			}
			for _, u := range users {
				if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_reminders (id, zone_id, hearing_id, user_id, created_at) VALUES ($1, $2, $3, $4, $5)
					ON CONFLICT (hearing_id, user_id) DO NOTHING`, uuid.Must(uuid.NewV7()).String(), h.zoneID, h.id, u, db.Micros(tx.Now)); err != nil {
					return err
				}
			}
			var status string
			if err := tx.QueryRowContext(ctx, `SELECT status FROM mediation_cases WHERE id = $1`, h.caseID).Scan(&status); err != nil {
				return err
			}
			reminded++
			return addEvent(ctx, tx, h.caseID, h.zoneID, "", "remind", status, "")
		})
		if err != nil {
			return flagged, reminded, err
		}
	}
	return flagged, reminded, nil
}

// RunSweeps sweeps every interval until ctx is done (SQLite; PostgreSQL
// runs Sweep as a river periodic job).
func (s *Service) RunSweeps(ctx context.Context, every time.Duration, logf func(flagged, reminded int, err error)) {
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

// Reminder is a hearing reminder left for the caller.
type Reminder struct {
	ID        string    `json:"id"`
	HearingID string    `json:"hearing_id"`
	CaseID    string    `json:"case_id"`
	StartsAt  time.Time `json:"starts_at"`
	RoomName  string    `json:"room_name"`
	CreatedAt time.Time `json:"created_at"`
}

// MyReminders lists the hearing reminders left for the caller, newest
// first.
func (s *Service) MyReminders(ctx context.Context, pg page.Page) (page.List[Reminder], error) {
	var a db.Args
	where := "x.user_id = " + a.Add(userOf(ctx))
	return page.Rows(ctx, s.DB.R, pg, page.Query{From: `(SELECT m.id, m.user_id, m.hearing_id, h.case_id, h.starts_at, r.name AS room_name, m.created_at
		FROM mediation_reminders m JOIN mediation_hearings h ON h.id = m.hearing_id JOIN mediation_rooms r ON r.id = h.room_id) x`,
		Cols: "x.id, x.hearing_id, x.case_id, x.starts_at, x.room_name, x.created_at", Where: where, Args: a, Desc: true},
		func(sc db.Scanner) (Reminder, error) {
			var r Reminder
			var st int64
			err := sc.Scan(&r.ID, &r.HearingID, &r.CaseID, &st, &r.RoomName, db.T(&r.CreatedAt))
			r.StartsAt = db.FromMicros(st)
			return r, err
		}, page.ByID(func(r Reminder) string { return r.ID }))
}
