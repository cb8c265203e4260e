// Package audit keeps the append-only record of who did what, when and from
// where: every write and every reveal of personal data. Entries are written
// in the same transaction as the change they describe, so an acknowledged
// change always has its entry and a rolled-back one never does.
package audit

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/httpx"
)

// Entry is one audited event.
type Entry struct {
	ID         string         `json:"id"`
	ZoneID     *string        `json:"zone_id"`
	ParkID     *string        `json:"park_id"`
	At         time.Time      `json:"at"`
	ActorID    *string        `json:"actor_id"`
	ActorName  string         `json:"actor_name"`
	ClientAddr string         `json:"client_addr"`
	RequestID  string         `json:"request_id"`
	Entity     string         `json:"entity"`
	EntityID   string         `json:"entity_id"`
	Action     string         `json:"action"`
	Summary    map[string]any `json:"summary"`
}

// Event is what a store passes to Record; actor, time, address and request
// id come from the context and the transaction.
type Event struct {
	ZoneID   string
	ParkID   string
	Entity   string // e.g. "park", "user", "grant", "session"
	EntityID string
	Action   string // e.g. "create", "update", "delete", "reveal"
	Summary  map[string]any
}

// Change is the summary value of one changed field.
type Change struct {
	From any `json:"from"`
	To   any `json:"to"`
}

// Record appends an entry for ev inside tx.
func Record(ctx context.Context, tx *db.Tx, ev Event) error {
	actorName := "system"
	var actorID *string
	if p := access.From(ctx); p != nil {
		actorID, actorName = &p.UserID, p.Username
	}
	if ev.Summary == nil {
		ev.Summary = map[string]any{}
	}
	summary, err := json.Marshal(ev.Summary)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log
		(id, zone_id, park_id, at, actor_id, actor_name, client_addr, request_id, entity, entity_id, action, summary)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		uuid.Must(uuid.NewV7()).String(), db.NullString(ev.ZoneID), db.NullString(ev.ParkID), db.Micros(tx.Now),
		actorID, actorName, httpx.ClientAddr(ctx), httpx.RequestID(ctx), ev.Entity, ev.EntityID, ev.Action, string(summary))
	return err
}

// Filter selects entries for List.
type Filter struct {
	ActorID  string
	EntityID string
	From, To time.Time
}

// List returns entries in scope matching f, newest first. Callers need
// access.AuditRead; the scope restricts entries to the caller's zones and
// parks (entries of no zone, such as platform events, only platform
// administrators see).
func List(ctx context.Context, d *db.DB, sc access.Scope, f Filter, p httpx.Page) (httpx.List[Entry], error) {
	var a db.Args
	where := sc.Where(access.Cols{Zone: "zone_id", Park: "park_id"}, &a)
	if f.ActorID != "" {
		where += " AND actor_id = " + a.Add(f.ActorID)
	}
	if f.EntityID != "" {
		where += " AND entity_id = " + a.Add(f.EntityID)
	}
	if !f.From.IsZero() {
		where += " AND at >= " + a.Add(db.Micros(f.From))
	}
	if !f.To.IsZero() {
		where += " AND at < " + a.Add(db.Micros(f.To))
	}
	if p.Query != "" {
		like := a.Add(db.Like(p.Query))
		where += " AND (LOWER(actor_name) LIKE " + like + ` ESCAPE '\' OR LOWER(summary) LIKE ` + like + ` ESCAPE '\' OR entity = ` + a.Add(p.Query) + ")"
	}
	var total int
	if err := d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE "+where, a...).Scan(&total); err != nil {
		return httpx.List[Entry]{}, err
	}
	if p.After != "" {
		where += " AND id < " + a.Add(p.After)
	}
	rows, err := d.R.QueryContext(ctx, `SELECT id, zone_id, park_id, at, actor_id, actor_name, client_addr, request_id,
		entity, entity_id, action, summary FROM audit_log WHERE `+where+" ORDER BY id DESC LIMIT "+a.Add(p.Limit+1), a...)
	if err != nil {
		return httpx.List[Entry]{}, err
	}
	defer rows.Close()
	var items []Entry
	for rows.Next() {
		var e Entry
		var summary string
		if err := rows.Scan(&e.ID, &e.ZoneID, &e.ParkID, db.T(&e.At), &e.ActorID, &e.ActorName, &e.ClientAddr,
			&e.RequestID, &e.Entity, &e.EntityID, &e.Action, &summary); err != nil {
			return httpx.List[Entry]{}, err
		}
		if err := json.Unmarshal([]byte(summary), &e.Summary); err != nil {
			e.Summary = map[string]any{"raw": summary}
		}
		items = append(items, e)
	}
	if err := rows.Err(); err != nil {
		return httpx.List[Entry]{}, err
	}
	return httpx.NewList(p, items, total, func(e Entry) string { return e.ID }), nil
}

// Prune deletes entries older than before and returns how many. It is the
// only deletion the audit log allows.
func Prune(ctx context.Context, d *db.DB, before time.Time) (int64, error) {
	var n int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM audit_log WHERE at < $1", db.Micros(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
