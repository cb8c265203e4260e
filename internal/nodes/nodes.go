// Package nodes keeps the scope tree: one row of scope_nodes per thing a
// grant can name (zone, park, enterprise, party organisation, station,
// service point). A node's path is "/<zone>/<…>/<id>/", so a grant on node G
// covers node N when N's path starts with G's. Domains create, rename, move
// and delete their nodes here, in the transaction that changes the entity.
package nodes

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/matrix"
)

// Node is a row of scope_nodes.
type Node struct {
	ID       string
	ZoneID   string
	Kind     string
	ParentID string
	Path     string
	Name     string
}

// PathOf builds a child's path from its parent's ("" for a zone).
func PathOf(parentPath, id string) string {
	if parentPath == "" {
		return "/" + id + "/"
	}
	return parentPath + id + "/"
}

// Insert registers n under its parent (none for a zone) and returns it with
// its path. Returns EVALIDATION (field parent_field) when the parent is
// unknown or in another zone.
func Insert(ctx context.Context, tx *db.Tx, n Node, parentField string) (Node, error) {
	parentPath := ""
	if n.Kind != access.KindZone {
		parent, err := Get(ctx, tx, n.ParentID)
		if apperr.Is(err, apperr.NotFound) || (err == nil && parent.ZoneID != n.ZoneID) {
			return n, apperr.Field(parentField, "unknown_value")
		}
		if err != nil {
			return n, err
		}
		parentPath = parent.Path
	}
	n.Path = PathOf(parentPath, n.ID)
	_, err := tx.ExecContext(ctx, `INSERT INTO scope_nodes (id, zone_id, kind, parent_id, path, name)
		VALUES ($1, $2, $3, $4, $5, $6)`, n.ID, n.ZoneID, n.Kind, db.NullString(n.ParentID), n.Path, n.Name)
	return n, err
}

// Rename keeps the node's display name in step with its entity.
func Rename(ctx context.Context, tx *db.Tx, id, name string) error {
	_, err := tx.ExecContext(ctx, `UPDATE scope_nodes SET name = $1 WHERE id = $2`, name, id)
	return err
}

// Get returns the node with id. Returns ENOTFOUND when there is none.
func Get(ctx context.Context, q db.Querier, id string) (Node, error) {
	var n Node
	var parent sql.NullString
	err := q.QueryRowContext(ctx, `SELECT id, zone_id, kind, parent_id, path, name FROM scope_nodes WHERE id = $1`, id).
		Scan(&n.ID, &n.ZoneID, &n.Kind, &parent, &n.Path, &n.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return n, apperr.New(apperr.NotFound, "")
	}
	n.ParentID = parent.String
	return n, err
}

// PlaceOf returns where node id lies, for a request that reads: from the
// caller's remembered places when it has them (access.Principal.Places),
// else read with r and remembered there. Only committed places are
// remembered, hence a Reader and never a transaction. Returns ENOTFOUND
// when there is no such node (not remembered: it may be made next).
func PlaceOf(ctx context.Context, r *db.Reader, id string) (access.Place, error) {
	var memo *access.Places
	if p := access.From(ctx); p != nil {
		memo = p.Places
	}
	if memo != nil {
		if pl, ok := memo.Get(id); ok {
			return pl, nil
		}
	}
	n, err := Get(ctx, r, id)
	if err != nil {
		return access.Place{}, err
	}
	pl := access.Place{ID: n.ID, ZoneID: n.ZoneID, Kind: n.Kind, Path: n.Path}
	if memo != nil {
		memo.Keep(pl)
	}
	return pl, nil
}

// Delete removes a leaf node and every grant on it, auditing each grant
// removed (the users who held them lose those rights now). Returns
// ECONFLICT while the node has children.
func Delete(ctx context.Context, tx *db.Tx, id string) error {
	n, err := Get(ctx, tx, id)
	if err != nil {
		return err
	}
	var children int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM scope_nodes WHERE parent_id = $1`, id).Scan(&children); err != nil {
		return err
	}
	if children > 0 {
		return apperr.New(apperr.Conflict, "problem.node_has_children")
	}
	rows, err := tx.QueryContext(ctx, `SELECT g.id, g.user_id, u.username, g.role FROM grants g JOIN users u ON u.id = g.user_id
		WHERE g.scope_id = $1 ORDER BY g.id`, id)
	if err != nil {
		return err
	}
	type removed struct{ id, userID, username, role string }
	var gs []removed
	for rows.Next() {
		var g removed
		if err := rows.Scan(&g.id, &g.userID, &g.username, &g.role); err != nil {
			rows.Close()
			return err
		}
		gs = append(gs, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, g := range gs {
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: n.ZoneID, Node: id, Entity: "grant", EntityID: g.id, Action: "delete",
			Summary: map[string]any{"user_id": g.userID, "username": g.username, "role": g.role, "scope_id": id,
				"scope_name": n.Name, "reason": n.Kind + "_deleted"}}); err != nil {
			return err
		}
	}
	if len(gs) > 0 {
		tx.TakesRightsAway()
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM grants WHERE scope_id = $1`, id); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM scope_nodes WHERE id = $1`, id)
	if db.IsForeignKey(err) {
		// Rows of another domain still hang under the node (an
		// activity's or an innovation's organiser): ECONFLICT, which
		// the caller names in its own words.
		return apperr.New(apperr.Conflict, "problem.node_in_use")
	}
	if err != nil {
		return err
	}
	// The matrix's figures organised by the node no longer count for its
	// ancestors' subtrees (they still do for the zone).
	return matrix.Removed(ctx, tx, n.ZoneID, id, n.Path)
}

// Move puts the subtree of node id under newParent, in tx: every node below
// gets its new path in one statement, and with it every grant on them and
// every row attached to them (rows attach by node id, grants read their
// node's path). Returns EVALIDATION (field parent_field) when newParent is
// unknown, in another zone, or inside the subtree itself (a cycle).
func Move(ctx context.Context, tx *db.Tx, id, newParent, parentField string) (Node, error) {
	n, err := Get(ctx, tx, id)
	if err != nil {
		return n, err
	}
	if n.Kind == access.KindZone {
		return n, apperr.Field(parentField, "unknown_value")
	}
	p, err := Get(ctx, tx, newParent)
	if apperr.Is(err, apperr.NotFound) || (err == nil && p.ZoneID != n.ZoneID) {
		return n, apperr.Field(parentField, "unknown_value")
	}
	if err != nil {
		return n, err
	}
	if strings.HasPrefix(p.Path, n.Path) {
		return n, apperr.Field(parentField, "cycle")
	}
	if p.ID == n.ParentID {
		return n, nil
	}
	newPath := PathOf(p.Path, n.ID)
	tx.TakesRightsAway() // grants in the subtree no longer reach the old ancestors' scope
	if _, err := tx.ExecContext(ctx, `UPDATE scope_nodes SET path = $1 || SUBSTR(path, $2)
		WHERE path >= $3 AND path < $4`, newPath, len(n.Path)+1, n.Path, n.Path[:len(n.Path)-1]+"0"); err != nil {
		return n, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE scope_nodes SET parent_id = $1 WHERE id = $2`, p.ID, n.ID); err != nil {
		return n, err
	}
	// The matrix's roll-up follows the subtree to its new ancestors.
	if err := matrix.Moved(ctx, tx, n.ZoneID, n.ID, n.Path, newPath); err != nil {
		return n, err
	}
	n.ParentID, n.Path = p.ID, newPath
	return n, nil
}
