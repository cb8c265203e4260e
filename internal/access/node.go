package access

import (
	"context"
	"database/sql"
	"errors"

	"tongxin/internal/apperr"
	"tongxin/internal/db"
)

// Node is a row of scope_nodes: anything a grant can name.
type Node struct {
	ID       string `json:"id"`
	ZoneID   string `json:"-"`
	Kind     string `json:"kind"`
	ParentID string `json:"-"`
	Path     string `json:"-"`
	Name     string `json:"name"`
}

// PathOf builds a child's path from its parent's.
func PathOf(parentPath, id string) string {
	if parentPath == "" {
		return "/" + id + "/"
	}
	return parentPath + id + "/"
}

// InsertNode registers a node; callers do it in the transaction that
// creates the entity.
func InsertNode(ctx context.Context, tx *db.Tx, n Node) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO scope_nodes (id, zone_id, kind, parent_id, path, name)
		VALUES ($1, $2, $3, $4, $5, $6)`, n.ID, n.ZoneID, n.Kind, db.NullString(n.ParentID), n.Path, n.Name)
	return err
}

// RenameNode keeps the node's display name in step with its entity.
func RenameNode(ctx context.Context, tx *db.Tx, id, name string) error {
	_, err := tx.ExecContext(ctx, `UPDATE scope_nodes SET name = $1 WHERE id = $2`, name, id)
	return err
}

// DeleteNode removes a node and every grant on it.
func DeleteNode(ctx context.Context, tx *db.Tx, id string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM grants WHERE scope_id = $1`, id); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM scope_nodes WHERE id = $1`, id)
	return err
}

// GetNode returns the node with id. Returns ENOTFOUND when there is none.
func GetNode(ctx context.Context, q db.Querier, id string) (Node, error) {
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
