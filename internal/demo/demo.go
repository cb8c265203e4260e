// Package demo loads the zone of the source article (Jinjiang Economic
// Development Zone, Jinjiang Economic Daily 2022-11-15, page 8) so the
// platform can be tried with recognisable data, and generates synthetic
// zones at the reference scales for benchmarks (`tongxin gen`). Facts the
// article gives are used as given; everything else is generated and marked
// as sample data.
package demo

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/db"
	"tongxin/internal/invitations"
	"tongxin/internal/nodes"
	"tongxin/internal/parks"
	"tongxin/internal/partyaffairs"
	"tongxin/internal/password"
	"tongxin/internal/secret"
	"tongxin/internal/servicenet"
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

// namedEnterprise is an enterprise the article names. The article says
// which park only for 盼盼饮料 (食品园) and the Kemu Creek riverside ones
// (五里园); the other parks, the industries as the article describes them,
// and the headcounts are this loader's choice.
type namedEnterprise struct {
	Name, Park, Industry string
	Employees            int
}

var named = []namedEnterprise{
	{"信泰集团", "andong", "鞋服纺织", 2600},
	{"泉州恒毅机械有限公司", "andong", "机械制造", 180},
	{"晋江海纳机械有限公司", "wuli", "机械制造", 220},
	{"晋江市成达齿轮有限公司", "wuli", "机械制造", 160},
	{"福建盼盼饮料有限公司", "food", "食品饮料", 900},
	{"蜡笔小新食品有限公司", "food", "食品饮料", 700},
	{"好来屋食品有限公司", "food", "食品饮料", 260},
	{"渔家翁食品有限公司", "food", "食品饮料", 150},
	{"冠达星股份有限公司", "andong", "家居建材", 500},
	{"漫林意居家居有限公司", "andong", "家居建材", 140},
	{"泉森木业有限公司", "andong", "家居建材", 120},
	{"红晟鞋业有限公司", "andong", "鞋服纺织", 300},
	{"佶龙机械有限公司", "wuli", "机械制造", 130},
	{"361度（中国）有限公司", "wuli", "体育用品", 1800},
	{"华宇织造有限公司", "andong", "鞋服纺织", 400},
}

// Seed is the seed of the demo zone's generated rows.
const Seed = 20221115

// Load fills zoneID with the demo records unless it already has parks: the
// article's parks, enterprises, stations, the Andong alliance and the red
// workshops, with generated organisations and people (about 600), and the
// article's activities with their sign-ups, check-ins and hours, and the
// artery (chains, the institute, the cooperations, about 60 listings),
// and talent and care (信泰's R&D figures, pairs and teams; 恒毅机械's
// mutual-aid fund and childcare class). It
// creates the park administrator "andong" (安东园) and the secretary
// "chengda" (成达齿轮党支部) with password, to show scoping. Returns whether
// anything was loaded.
func Load(ctx context.Context, d *db.DB, pool *password.Pool, keys *secret.Keys, zoneID, pw string) (bool, error) {
	loaded := false
	err := d.Tx(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM parks WHERE zone_id = $1", zoneID).Scan(&n); err != nil || n > 0 {
			return err
		}
		var refs []ParkRef
		for _, p := range Parks {
			park, err := parks.Add(ctx, tx, parks.Input{ZoneID: zoneID, Name: p.Name, Code: p.Code})
			if err != nil {
				return err
			}
			refs = append(refs, ParkRef{ID: park.ID, Name: park.Name, Code: park.Code})
		}
		if _, err := fill(ctx, tx, keys, zoneID, refs, Scales["demo"], Seed, named); err != nil {
			return err
		}
		// Sample accounts: the article names no administrators.
		if _, err := users.Add(ctx, tx, pool, zoneID, "andong", "安东园管理员（示例）", pw); err != nil {
			return err
		}
		if err := users.Grant(ctx, tx, "andong", access.ParkAdmin, refs[1].ID); err != nil {
			return err
		}
		var branch string
		if err := tx.QueryRowContext(ctx, `SELECT id FROM orgs WHERE zone_id = $1 AND name = '成达齿轮党支部'`, zoneID).Scan(&branch); err != nil {
			return fmt.Errorf("demo: 成达齿轮党支部: %w", err)
		}
		if _, err := users.Add(ctx, tx, pool, zoneID, "chengda", "成达齿轮党支部书记（示例）", pw); err != nil {
			return err
		}
		if err := users.Grant(ctx, tx, "chengda", access.OrgSecretary, branch); err != nil {
			return err
		}
		// The service network of Wuli Park (the article's 邻里中心), and
		// a sample account of the centre's staff.
		center, err := servicenet.LoadDemo(ctx, tx, keys, zoneID, refs[0].ID)
		if err != nil {
			return fmt.Errorf("demo: service network: %w", err)
		}
		if _, err := users.Add(ctx, tx, pool, zoneID, "wuli-center", "五里园邻里中心工作人员（示例）", pw); err != nil {
			return err
		}
		if err := users.Grant(ctx, tx, "wuli-center", access.ServiceStaff, center); err != nil {
			return err
		}
		if err := phoneAccounts(ctx, tx, pool, keys, zoneID, branch, pw); err != nil {
			return err
		}
		if err := mediationAccounts(ctx, tx, pool, zoneID, refs, pw); err != nil {
			return err
		}
		loaded = true
		return nil
	})
	if err != nil || !loaded {
		return loaded, err
	}
	// The artery and the activities go through their services (in
	// transactions of their own, after the zone's: SQLite has one writer).
	if err := loadArtery(ctx, d, zoneID); err != nil {
		return loaded, err
	}
	if err := partyaffairs.LoadDemo(ctx, d, zoneID); err != nil {
		return loaded, err
	}
	if err := loadActivities(ctx, d, keys, zoneID); err != nil {
		return loaded, err
	}
	if err := loadCare(ctx, d, zoneID); err != nil {
		return loaded, err
	}
	return loaded, loadMediation(ctx, d, zoneID)
}

// The phone sign-in of the demo: two members of 成达齿轮党支部 get known
// numbers; the first has an account bound to them (as an accepted
// invitation makes it: no grant, member of their own record), the second
// an open invitation.
const (
	WorkerUsername = "worker"
	WorkerPhone    = "13905950001"
	InvitedPhone   = "13905950002"
	invitationDays = 30
)

// InvitationToken is the token of the demo's open invitation: derived
// from the installation's key, so it differs between installations and is
// printed when the demo is loaded.
func InvitationToken(keys *secret.Keys, zoneID string) string {
	return "inv_" + keys.Sign("demo invitation "+zoneID)
}

func phoneAccounts(ctx context.Context, tx *db.Tx, pool *password.Pool, keys *secret.Keys, zoneID, branch, pw string) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM people WHERE zone_id = $1 AND org_id = $2 ORDER BY id LIMIT 2`, zoneID, branch)
	if err != nil {
		return err
	}
	var ids, names []string
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return err
		}
		ids, names = append(ids, id), append(names, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(ids) < 2 {
		return fmt.Errorf("demo: 成达齿轮党支部 has %d members, want 2 for the phone accounts", len(ids))
	}
	for i, phone := range []string{WorkerPhone, InvitedPhone} {
		if _, err := tx.ExecContext(ctx, `UPDATE people SET phone_sealed = $1, phone_index = $2 WHERE id = $3`,
			keys.Seal(phone), keys.Index("phone", phone), ids[i]); err != nil {
			return err
		}
	}
	var fs apperr.Fields
	password.Validate(&fs, "password", pw, WorkerPhone)
	if err := fs.Err(); err != nil {
		return err
	}
	hash, err := pool.Hash(ctx, pw)
	if err != nil {
		return err
	}
	if _, err := users.Bind(ctx, tx, users.Input{ZoneID: zoneID, Username: WorkerUsername, DisplayName: names[0], PersonID: ids[0]}, hash); err != nil {
		return err
	}
	_, err = invitations.Add(ctx, tx, zoneID, ids[1], InvitationToken(keys, zoneID), invitationDays*24)
	return err
}

// Generate creates a new zone named name and fills it at scale sc from
// seed: generated parks (or the article's for the demo scale) and the
// organisation matrix, in one transaction. Returns the zone id and the
// rows written per table.
func Generate(ctx context.Context, d *db.DB, keys *secret.Keys, name string, sc Scale, seed uint64) (string, Counts, error) {
	var zoneID string
	var counts Counts
	err := d.Tx(ctx, func(tx *db.Tx) error {
		zoneID = uuid.Must(uuid.NewV7()).String()
		now := db.Micros(tx.Now)
		if _, err := tx.ExecContext(ctx, `INSERT INTO zones (id, name, version, created_at, updated_at) VALUES ($1, $2, 1, $3, $3)`, zoneID, name, now); err != nil {
			return err
		}
		if _, err := nodes.Insert(ctx, tx, nodes.Node{ID: zoneID, ZoneID: zoneID, Kind: access.KindZone, Name: name}, "zone_id"); err != nil {
			return err
		}
		var refs []ParkRef
		list := named
		if sc.Parks == 0 {
			for _, p := range Parks {
				refs = append(refs, ParkRef{Name: p.Name, Code: p.Code})
			}
		} else {
			list = nil
			for i := range sc.Parks {
				refs = append(refs, ParkRef{Name: fmt.Sprintf("第%d园区（示例）", i+1), Code: fmt.Sprintf("p%02d", i+1)})
			}
		}
		for i := range refs {
			park, err := parks.Add(ctx, tx, parks.Input{ZoneID: zoneID, Name: refs[i].Name, Code: refs[i].Code})
			if err != nil {
				return err
			}
			refs[i].ID = park.ID
		}
		var err error
		counts, err = fill(ctx, tx, keys, zoneID, refs, sc, seed, list)
		return err
	})
	return zoneID, counts, err
}
