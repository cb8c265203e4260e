package access

import (
	"context"
	"slices"
	"strings"

	"tongxin/internal/db"
)

// Attach says how a table's rows hang in the scope tree. A row may hang
// under several nodes (a person under their enterprise and their party
// organisation); whoever covers any of them sees the row.
type Attach struct {
	node string // column holding the id of a scope node
	path string // column holding a node path (kept as it was, e.g. audit)
	zone string // the tenant column: the zone every row lies in
	kind string // with node: the kind every node of the column is of ("" any)
}

// ByNode attaches rows by a column holding a scope node's id (a park's own
// id, an enterprise's park_id …). Moving a subtree moves such rows with it.
func ByNode(col string) Attach { return Attach{node: col} }

// ByNodeOf is ByNode for a column whose every node is of one kind (a
// request's service point, a case's park): the semi-join lists the
// scope's nodes of that kind alone, a range of scope_nodes_kind_path
// (migration 0360), rather than every node of the subtree — for a
// park's staff, its 2 service points rather than its 203 nodes, each of
// which was then searched in the rows' index.
func ByNodeOf(col, kind string) Attach { return Attach{node: col, kind: kind} }

// ByPath attaches rows by a column holding a node path, for rows that
// record where something happened rather than where it lives now.
func ByPath(col string) Attach { return Attach{path: col} }

// ByZone names the table's tenant column, for tables whose rows each lie
// wholly in one zone (every node a row attaches to is in the row's zone).
// A grant on a whole zone then matches "col IN (zones)" — the tenant key's
// own index — instead of ranging over every node of the zone.
func ByZone(col string) Attach { return Attach{zone: col} }

// Where returns the predicate restricting rows to the scope, adding its
// arguments to a: one indexable condition per attachment, OR-ed — the
// tenant column for whole zones (ByZone), a range over scope_nodes.path (a
// semi-join) for node columns, a range over the column itself for path
// columns. It is "1=0" when the scope covers nothing and "1=1" for
// platform administrators.
func (s Scope) Where(a *db.Args, at ...Attach) string { return s.where(a, "", at) }

// WhereRow is Where for rows the query finds by other means — one row by
// its primary key, the few rows of an indexed equality: each node
// attachment is checked against that row's own node (a correlated EXISTS
// on scope_nodes' primary key) instead of a semi-join, which lists every
// node of the scope first — for a park, hundreds of nodes read for one
// row. A list keeps Where: there the semi-join can drive the query through
// an index. table is the name (or alias) the query gives the table;
// unqualified node columns are qualified with it, since inside the
// subquery "id" would name scope_nodes' own.
func (s Scope) WhereRow(a *db.Args, table string, at ...Attach) string {
	return s.where(a, table, at)
}

func (s Scope) where(a *db.Args, table string, at []Attach) string {
	row := table != ""
	if s.all {
		return "1=1"
	}
	if len(s.paths) == 0 || len(at) == 0 {
		return "1=0"
	}
	var ors []string
	rest := s
	if i := slices.IndexFunc(at, func(x Attach) bool { return x.zone != "" }); i >= 0 {
		var zones []string
		zones, rest = s.splitZones()
		if len(zones) > 0 {
			ors = append(ors, at[i].zone+" IN ("+a.In(zones)+")")
		}
	}
	for _, x := range at {
		if len(rest.paths) == 0 {
			break
		}
		switch {
		case x.node != "" && row:
			col := x.node
			if !strings.Contains(col, ".") {
				col = table + "." + col
			}
			ors = append(ors, "EXISTS (SELECT 1 FROM scope_nodes WHERE id = "+col+" AND ("+rest.ranges("path", a)+"))")
		case x.node != "":
			ors = append(ors, x.node+" IN (SELECT id FROM scope_nodes WHERE "+rest.kindRanges(x.kind, "path", a)+")")
		case x.path != "":
			ors = append(ors, "("+rest.ranges(x.path, a)+")")
		}
	}
	if len(ors) == 0 {
		return "1=0"
	}
	if len(ors) == 1 {
		return ors[0]
	}
	return "(" + strings.Join(ors, " OR ") + ")"
}

// splitZones separates the whole zones the scope covers (their ids) from
// the narrower subtrees.
func (s Scope) splitZones() (zones []string, rest Scope) {
	for _, p := range s.paths {
		if strings.Count(p, "/") == 2 {
			zones = append(zones, ZoneOfPath(p))
		} else {
			rest.paths = append(rest.paths, p)
		}
	}
	return zones, rest
}

// ranges is "col >= $i AND col < $j OR …": for each covered path p, the
// byte range of strings that start with p (p ends in '/', and '0' follows
// '/' in byte order).
func (s Scope) ranges(col string, a *db.Args) string { return s.kindRanges("", col, a) }

// kindRanges is ranges with "kind = $k AND " before each range when kind
// is set: each range one of scope_nodes_kind_path. The kind is an
// argument of its own in each: SQLite factors a term the ranges share
// out of the OR and reads the whole kind.
func (s Scope) kindRanges(kind, col string, a *db.Args) string {
	parts := make([]string, len(s.paths))
	for i, p := range s.paths {
		if kind != "" {
			parts[i] = "kind = " + a.Add(kind) + " AND "
		}
		parts[i] += col + " >= " + a.Add(p) + " AND " + col + " < " + a.Add(p[:len(p)-1]+"0")
	}
	return strings.Join(parts, " OR ")
}

// LoadGrants returns the grants of each user in one query, with each
// grant's node as it stands now.
func LoadGrants(ctx context.Context, q db.Querier, userIDs []string) (map[string][]Grant, error) {
	m := map[string][]Grant{}
	if len(userIDs) == 0 {
		return m, nil
	}
	var a db.Args
	rows, err := q.QueryContext(ctx, `SELECT g.user_id, g.id, g.role, g.scope_id, n.kind, n.path, n.zone_id
		FROM grants g JOIN scope_nodes n ON n.id = g.scope_id
		WHERE g.user_id IN (`+a.In(userIDs)+`) ORDER BY g.id`, a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var uid string
		var g Grant
		if err := rows.Scan(&uid, &g.ID, &g.Role, &g.ScopeID, &g.Kind, &g.Path, &g.ZoneID); err != nil {
			return nil, err
		}
		m[uid] = append(m[uid], g)
	}
	return m, rows.Err()
}
