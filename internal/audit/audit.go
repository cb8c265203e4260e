// Package audit keeps the append-only record of who did what, when and from
// where: every write, every refused-or-failed sign-in and every reveal of
// personal data. Entries are written in the same transaction as the change
// they describe, so an acknowledged change always has its entry and a
// rolled-back one never does. The database refuses to change an entry and
// to delete one younger than the retention.
package audit

import (
	"context"
	"embed"
	"encoding/json"
	"io/fs"
	"strings"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/i18n"
	"tongxin/internal/page"
	"tongxin/internal/reqctx"
)

// Entry is one audited event.
type Entry struct {
	ID              string         `json:"id"`
	ZoneID          *string        `json:"zone_id"`
	ScopeID         *string        `json:"scope_id"`
	At              time.Time      `json:"at"`
	ActorID         *string        `json:"actor_id"`
	ActorName       string         `json:"actor_name"`
	ClientAddr      string         `json:"client_addr"`
	RequestID       string         `json:"request_id"`
	ClientRequestID string         `json:"client_request_id"`
	Entity          string         `json:"entity"`
	EntityID        string         `json:"entity_id"`
	Action          string         `json:"action"`
	Summary         map[string]any `json:"summary"`
}

// Event is what a store passes to Record; actor, time, address and request
// ids come from the context and the transaction.
type Event struct {
	ZoneID string
	// Node is the scope node the event happened under (a park, an
	// enterprise …); "" means the zone itself, and no zone means the
	// platform (only platform administrators see such entries). Record it
	// before deleting the node, so the entry keeps the node's path.
	Node     string
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
		actorName = p.Username
		if p.UserID != "" {
			actorID = &p.UserID
		}
	}
	if ev.Summary == nil {
		ev.Summary = map[string]any{}
	}
	summary, err := json.Marshal(ev.Summary)
	if err != nil {
		return err
	}
	zonePath := ""
	if ev.ZoneID != "" {
		zonePath = access.ZonePath(ev.ZoneID)
	}
	m := reqctx.From(ctx)
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log
		(id, zone_id, scope_path, at, actor_id, actor_name, client_addr, request_id, client_request_id, entity, entity_id, action, summary)
		VALUES ($1, $2, COALESCE((SELECT path FROM scope_nodes WHERE id = $3), $4), $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		uuid.Must(uuid.NewV7()).String(), db.NullString(ev.ZoneID), ev.Node, zonePath, db.Micros(tx.Now),
		actorID, actorName, m.ClientAddr, m.ID, m.ClientID, ev.Entity, ev.EntityID, ev.Action, string(summary))
	return err
}

// Filter selects entries for List.
type Filter struct {
	ActorID  string
	EntityID string
	From, To time.Time
}

// Read lets a caller read the audit log of the subtrees where they hold it.
var Read = access.NewPerm("audit.read", access.ZoneAdmin, access.Auditor)

const entryCols = `id, zone_id, scope_path, at, actor_id, actor_name, client_addr, request_id, client_request_id,
	entity, entity_id, action, summary`

// List returns the entries the caller may read (audit.read) matching f,
// newest first. An entry lies where it happened: an auditor of a park sees
// that park's entries; entries of no zone (platform events, sign-ins of
// unknown users) only platform administrators see.
func List(ctx context.Context, q db.Querier, f Filter, p page.Page) (page.List[Entry], error) {
	var a db.Args
	where := access.From(ctx).Scope(Read).Where(&a, access.ByPath("scope_path"))
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
	return page.Rows(ctx, q, p, page.Query{From: "audit_log", Cols: entryCols, Where: where, Args: a, Desc: true},
		scanEntry, page.ByID(func(e Entry) string { return e.ID }))
}

func scanEntry(s page.Scanner) (Entry, error) {
	var e Entry
	var summary, path string
	err := s.Scan(&e.ID, &e.ZoneID, &path, db.T(&e.At), &e.ActorID, &e.ActorName, &e.ClientAddr,
		&e.RequestID, &e.ClientRequestID, &e.Entity, &e.EntityID, &e.Action, &summary)
	if err != nil {
		return e, err
	}
	if parts := strings.Split(strings.Trim(path, "/"), "/"); path != "" {
		e.ScopeID = &parts[len(parts)-1]
	}
	if err := json.Unmarshal([]byte(summary), &e.Summary); err != nil {
		e.Summary = map[string]any{"raw": summary}
	}
	return e, nil
}

// SetRetention records the retention the pruning job applies; the
// database refuses to delete younger entries (and anything under a day).
func SetRetention(ctx context.Context, d *db.DB, keep time.Duration) error {
	return d.Tx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE audit_retention SET retention_us = $1 WHERE id = 1`, keep.Microseconds())
		return err
	})
}

// pruneBefore deletes the entries older than $1: a range of the index
// audit_at (migration 0350), not a scan of the whole log, which holds
// years of entries.
const pruneBefore = "DELETE FROM audit_log WHERE at < $1"

// Prune deletes entries older than before and returns how many. It is the
// only deletion the audit log allows, and the database checks it against
// the retention.
func Prune(ctx context.Context, d *db.DB, before time.Time) (int64, error) {
	var n int64
	err := d.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, pruneBefore, db.Micros(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

//go:embed locales/*.json
var locales embed.FS

// Locales holds this domain's messages.
func Locales() fs.FS { return i18n.Dir(locales) }
