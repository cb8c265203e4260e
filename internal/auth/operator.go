package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
)

// Operator functions serve the command line (tongxin user …), first start
// and the demo loader: whoever runs them holds the database itself, so they
// check no grants. They are audited with the actor "system".

// AddUser creates a user inside tx.
func AddUser(ctx context.Context, tx *db.Tx, zoneID, username, displayName, password string) (string, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	var fs apperr.Fields
	if !usernamePattern.MatchString(username) {
		fs.Add("username", "username_format")
	}
	validatePassword(&fs, "password", password)
	if strings.TrimSpace(displayName) == "" {
		fs.Add("display_name", "required")
	}
	if err := fs.Err(); err != nil {
		return "", err
	}
	id, err := insertUser(ctx, tx, zoneID, username, displayName, HashPassword(password), "")
	if apperr.Is(err, apperr.Conflict) {
		return "", fmt.Errorf("username %q is taken", username)
	}
	return id, err
}

// UserID returns the id of username.
func UserID(ctx context.Context, q db.Querier, username string) (id, zoneID string, err error) {
	err = q.QueryRowContext(ctx, `SELECT id, zone_id FROM users WHERE username = $1`, strings.ToLower(username)).Scan(&id, &zoneID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("no user %q", username)
	}
	return id, zoneID, err
}

// SetPassword sets a user's password and ends their sessions.
func SetPassword(ctx context.Context, tx *db.Tx, username, password string) error {
	var fs apperr.Fields
	validatePassword(&fs, "password", password)
	if err := fs.Err(); err != nil {
		return err
	}
	id, zoneID, err := UserID(ctx, tx, username)
	if err != nil {
		return err
	}
	if err := setPassword(ctx, tx, id, HashPassword(password), ""); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Event{ZoneID: zoneID, Entity: "user", EntityID: id, Action: "reset_password",
		Summary: map[string]any{"username": username}})
}

// Grant gives username role on scopeID.
func Grant(ctx context.Context, tx *db.Tx, username, role, scopeID string) error {
	id, _, err := UserID(ctx, tx, username)
	if err != nil {
		return err
	}
	if !access.ValidRole(role) {
		return fmt.Errorf("unknown role %q (one of %s)", role, strings.Join(access.Roles, ", "))
	}
	n, err := access.GetNode(ctx, tx, scopeID)
	if err != nil {
		return fmt.Errorf("unknown scope %q", scopeID)
	}
	if !access.RoleFits(role, n.Kind) {
		return fmt.Errorf("role %s cannot be granted on a %s", role, n.Kind)
	}
	_, err = insertGrant(ctx, tx, id, username, role, n, "")
	if apperr.Is(err, apperr.Conflict) {
		return fmt.Errorf("%s already has %s on %s", username, role, scopeID)
	}
	return err
}
