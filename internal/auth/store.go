package auth

import (
	"context"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
)

// insertUser writes a user and its audit entry inside tx; the API and the
// operator functions both create users through it. Returns ECONFLICT when
// the username is taken, EVALIDATION for an unknown zone.
func insertUser(ctx context.Context, tx *db.Tx, zoneID, username, displayName, hash, personID string) (string, error) {
	id := uuid.Must(uuid.NewV7()).String()
	_, err := tx.ExecContext(ctx, `INSERT INTO users (id, zone_id, username, display_name, password_hash, person_id, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)`, id, zoneID, username, displayName, hash, db.NullString(personID), db.Micros(tx.Now))
	if db.IsUnique(err) {
		return "", &apperr.Error{Code: apperr.Conflict, Fields: []apperr.FieldError{{Field: "username", Code: "taken"}}}
	}
	if db.IsForeignKey(err) {
		return "", apperr.Field("zone_id", "unknown_value")
	}
	if err != nil {
		return "", err
	}
	return id, audit.Record(ctx, tx, audit.Event{ZoneID: zoneID, Entity: "user", EntityID: id, Action: "create",
		Summary: map[string]any{"username": username, "display_name": displayName}})
}

// insertGrant writes a grant of role on node n and its audit entry inside
// tx. grantedBy is "" for operator grants. Returns ECONFLICT when the user
// already holds it.
func insertGrant(ctx context.Context, tx *db.Tx, userID, username, role string, n access.Node, grantedBy string) (access.Grant, error) {
	g := access.Grant{ID: uuid.Must(uuid.NewV7()).String(), Role: role, ScopeID: n.ID, ScopeKind: n.Kind, ScopePath: n.Path, ZoneID: n.ZoneID}
	_, err := tx.ExecContext(ctx, `INSERT INTO grants (id, zone_id, user_id, role, scope_id, scope_kind, scope_path, granted_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, g.ID, g.ZoneID, userID, role, n.ID, n.Kind, n.Path, db.NullString(grantedBy), db.Micros(tx.Now))
	if db.IsUnique(err) {
		return g, apperr.New(apperr.Conflict, "problem.grant_exists")
	}
	if err != nil {
		return g, err
	}
	return g, audit.Record(ctx, tx, audit.Event{ZoneID: n.ZoneID, ParkID: parkOf(n), Entity: "grant", EntityID: g.ID, Action: "create",
		Summary: map[string]any{"user_id": userID, "username": username, "role": role, "scope_id": n.ID, "scope_name": n.Name}})
}
