// Package demo loads the zone of the source article (Jinjiang Economic
// Development Zone, Jinjiang Economic Daily 2022-11-15, page 8) so the
// platform can be tried with recognisable data. Facts the article gives are
// used as given; everything else is generated and marked as sample data.
package demo

import (
	"context"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/parks"
	"tongxin/internal/password"
	"tongxin/internal/users"
)

// ZoneName is the article's zone.
const ZoneName = "晋江经济开发区"

// Parks named in the article (五里园, 安东园, 食品园).
var Parks = []struct{ Name, Code string }{
	{"五里园", "wuli"},
	{"安东园", "andong"},
	{"食品园", "food"},
}

// Load fills zoneID with the demo records unless it already has parks. It
// creates the park administrator "andong" (安东园) with password, to show
// scoping. Returns whether anything was loaded.
func Load(ctx context.Context, d *db.DB, pool *password.Pool, zoneID, pw string) (bool, error) {
	loaded := false
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM parks WHERE zone_id = $1", zoneID).Scan(&n); err != nil || n > 0 {
			return err
		}
		var andong string
		for _, p := range Parks {
			park, err := parks.Add(ctx, tx, parks.Input{ZoneID: zoneID, Name: p.Name, Code: p.Code})
			if err != nil {
				return err
			}
			if p.Code == "andong" {
				andong = park.ID
			}
		}
		// Sample data: the article names no park administrator.
		if _, err := users.Add(ctx, tx, pool, zoneID, "andong", "安东园管理员（示例）", pw); err != nil {
			return err
		}
		if err := users.Grant(ctx, tx, "andong", access.ParkAdmin, andong); err != nil {
			return err
		}
		loaded = true
		return nil
	})
	return loaded, err
}
