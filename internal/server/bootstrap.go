package server

import (
	"context"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/password"
	"tongxin/internal/users"
	"tongxin/internal/zones"
)

// firstStartLock serialises first start across replicas on PostgreSQL.
const firstStartLock = 0x746f6e68

// Bootstrap prepares an empty database on first start: a zone named
// zoneName and the user admin with platform_admin and zone_admin on it. It
// returns the new zone's id ("" when the database was not empty) and the
// admin password when it generated one (to print once).
func Bootstrap(ctx context.Context, d *db.DB, pool *password.Pool, zoneName, adminPassword string) (zoneID, generated string, err error) {
	err = d.Tx(ctx, func(tx *db.Tx) error {
		if tx.Dialect == db.Postgres {
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", firstStartLock); err != nil {
				return err
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM zones").Scan(&n); err != nil || n > 0 {
			return err
		}
		z, err := zones.Add(ctx, tx, zoneName)
		if err != nil {
			return err
		}
		pw := adminPassword
		if pw == "" {
			pw = password.Random()
			generated = pw
		}
		if _, err := users.Add(ctx, tx, pool, z.ID, "admin", "管理员", pw); err != nil {
			return err
		}
		for _, role := range []string{access.PlatformAdmin, access.ZoneAdmin} {
			if err := users.Grant(ctx, tx, "admin", role, z.ID); err != nil {
				return err
			}
		}
		zoneID = z.ID
		return nil
	})
	return zoneID, generated, err
}
