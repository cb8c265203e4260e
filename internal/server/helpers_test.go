package server_test

import (
	"context"

	"tongxin/internal/auth"
	"tongxin/internal/db"
)

func addUser(ctx context.Context, tx *db.Tx, zoneID, username string) (string, error) {
	return auth.AddUser(ctx, tx, zoneID, username, username, "password-"+username)
}

func grant(ctx context.Context, tx *db.Tx, username, role, scopeID string) error {
	return auth.Grant(ctx, tx, username, role, scopeID)
}
