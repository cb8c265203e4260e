package db

import (
	"context"
	"slices"
)

// Link is a join table that ties one owner row to many others (a
// station's enterprises, an alliance's organisations, a workshop's
// members). Each of its rows carries the zone, the tenant key.
type Link struct {
	Table  string // e.g. station_enterprises
	Owner  string // the owner's column, e.g. station_id
	Member string // the member's column, e.g. enterprise_id
}

// Set removes the members remove of owner and adds the members add, in tx.
func (l Link) Set(ctx context.Context, tx *Tx, owner, zoneID string, add, remove []string) error {
	for _, id := range remove {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+l.Table+` WHERE `+l.Owner+` = $1 AND `+l.Member+` = $2`, owner, id); err != nil {
			return err
		}
	}
	for _, id := range add {
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+l.Table+` (`+l.Owner+`, `+l.Member+`, zone_id) VALUES ($1, $2, $3)`,
			owner, id, zoneID); err != nil {
			return err
		}
	}
	return nil
}

// Of returns the members of each owner in one query, each list sorted (an
// owner without members has none in the map).
func (l Link) Of(ctx context.Context, q Querier, owners []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(owners) == 0 {
		return out, nil
	}
	var a Args
	rows, err := q.QueryContext(ctx, `SELECT `+l.Owner+`, `+l.Member+` FROM `+l.Table+` WHERE `+l.Owner+` IN (`+a.In(owners)+`)
		ORDER BY `+l.Owner+`, `+l.Member, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var owner, member string
		if err := rows.Scan(&owner, &member); err != nil {
			return nil, err
		}
		out[owner] = append(out[owner], member)
	}
	return out, rows.Err()
}

// Diff returns the ids of next not in old, and those of old not in next:
// what Link.Set adds and removes to go from old to next.
func Diff(old, next []string) (add, remove []string) {
	for _, id := range next {
		if !slices.Contains(old, id) {
			add = append(add, id)
		}
	}
	for _, id := range old {
		if !slices.Contains(next, id) {
			remove = append(remove, id)
		}
	}
	return add, remove
}

// Sorted returns a sorted copy of ids, never nil (an empty list is [] on
// the wire, not null): the order links are read back in.
func Sorted(ids []string) []string {
	out := append([]string{}, ids...)
	slices.Sort(out)
	return out
}
