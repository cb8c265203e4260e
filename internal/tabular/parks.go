package tabular

import (
	"context"

	"tongxin/internal/access"
	"tongxin/internal/db"
)

// Park is a park a roster row may name (所属园区).
type Park struct{ ID, ZoneID, Name, Code string }

// Parks returns the parks in the caller's perm scope, of zoneID when it is
// not "", by name: what a roster's park column may name, and its
// drop-down.
func Parks(ctx context.Context, q db.Querier, perm access.Perm, zoneID string) ([]Park, error) {
	var a db.Args
	where := access.From(ctx).Scope(perm).Where(&a, access.ByZone("zone_id"), access.ByNode("id"))
	if zoneID != "" {
		where += " AND zone_id = " + a.Add(zoneID)
	}
	rows, err := q.QueryContext(ctx, "SELECT id, zone_id, name, code FROM parks WHERE "+where+" ORDER BY name, id", a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Park
	for rows.Next() {
		var p Park
		if err := rows.Scan(&p.ID, &p.ZoneID, &p.Name, &p.Code); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ParkLookup indexes parks by id, code and name.
func ParkLookup(ps []Park) *Lookup[Park] {
	l := NewLookup[Park]()
	for _, p := range ps {
		l.Add(p, p.ID, p.Code, p.Name)
	}
	return l
}

// ParkNames returns the distinct names of ps, in order: a drop-down.
func ParkNames(ps []Park) []string {
	var names []string
	seen := map[string]bool{}
	for _, p := range ps {
		if !seen[p.Name] {
			seen[p.Name] = true
			names = append(names, p.Name)
		}
	}
	return names
}
