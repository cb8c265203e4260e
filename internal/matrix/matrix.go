// Package matrix keeps the 3.14π matrix: 3 levels (zone, park, enterprise)
// × 4 functions (political, development, governance, service), each cell a
// set of figures (activities, participants, volunteer hours, requests
// resolved, cases closed, cooperations, innovations).
//
// The figures are kept up to date as records change rather than counted
// per request: a domain calls Add in the same transaction as the change
// that moves a figure (an activity published or cancelled, a participant
// credited, a request resolved or reopened …), with a negative delta to
// take a count back. Rows are keyed by the organising scope node and the
// day (matrix_facts), and rolled up to every ancestor of that node
// (matrix_totals), so the dashboard sums, for each subtree of the caller's
// scope, its root's roll-up rows and own facts: a few hundred rows
// whatever the number of nodes.
package matrix

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/db"
)

// Levels and Functions, in the order the dashboard shows them (API.md).
var (
	Levels    = []string{"zone", "park", "enterprise"}
	Functions = []string{"political", "development", "governance", "service"}
)

// ValidLevel and ValidFunction report whether s is one of the values.
func ValidLevel(s string) bool    { return slices.Contains(Levels, s) }
func ValidFunction(s string) bool { return slices.Contains(Functions, s) }

// Local is the zones' civil time: a record counts on its day in China
// (UTC+8, no daylight saving), whatever the server's time zone.
var Local = time.FixedZone("CST", 8*3600)

// Day is the key of t's day in Local time (20221115).
func Day(t time.Time) int {
	y, m, d := t.In(Local).Date()
	return y*10000 + int(m)*100 + d
}

// Place is where a record counts: its organising node, that node's level
// and the park it lies in ("" for the zone level).
type Place struct {
	ZoneID string
	NodeID string
	ParkID string
	Level  string
}

// Figures are the deltas one change makes to a cell.
type Figures struct {
	Activities       int64
	Participants     int64
	VolunteerMinutes int64 // hours × 60, so that halves and quarters add exactly
	RequestsResolved int64
	CasesClosed      int64
	Cooperations     int64
	CareItems        int64 // talent and care items: mentoring pairs, project teams, aid disbursed, childcare classes
	Innovations      int64 // entries of the innovation log (创新举措)
}

// Fact is one change to the matrix: figures added at a place, for a
// function, on a day.
type Fact struct {
	Place
	Function string
	At       time.Time // counted on its day (Local)
	Figures
}

// Add adds f's figures to its cell, in the caller's transaction, at each
// grain (day, month, year), and to the roll-up (matrix_totals) of every
// strict ancestor of its node. Deltas may be negative (a cancellation
// takes its count back). Both are upserts that add, so concurrent
// transactions never lose an increment.
func Add(ctx context.Context, tx *db.Tx, f Fact) error {
	if f.ZoneID == "" || f.NodeID == "" || !ValidLevel(f.Level) || !ValidFunction(f.Function) || f.At.IsZero() {
		return fmt.Errorf("matrix: incomplete fact %+v", f)
	}
	if f.Figures == (Figures{}) {
		return nil
	}
	// The node's ancestors as they stand now. On PostgreSQL the row is
	// read FOR SHARE: a move of the subtree (which updates it) waits for
	// this transaction, or this one reads the path the move left, so a
	// move never transfers a subtree's totals while an addition to them is
	// still on its way to the old ancestors. SQLite has one writer.
	lock := ""
	if tx.Dialect == db.Postgres {
		lock = " FOR SHARE"
	}
	var path string
	err := tx.QueryRowContext(ctx, `SELECT path FROM scope_nodes WHERE id = $1`+lock, f.NodeID).Scan(&path)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// A node deleted since: its records count for the zone only.
		path = access.ZonePath(f.ZoneID) + f.NodeID + "/"
	case err != nil:
		return err
	case access.ZoneOfPath(path) != f.ZoneID:
		return fmt.Errorf("matrix: node %q is not in zone %q", f.NodeID, f.ZoneID)
	}
	anchors := ancestors(path, f.NodeID)
	day := Day(f.At)
	grains := []struct {
		grain  string
		period int
	}{{"d", day}, {"m", day / 100}, {"y", day / 10000}}
	var fa, ta db.Args
	var fv, tv []string
	fig := []any{f.Activities, f.Participants, f.VolunteerMinutes, f.RequestsResolved, f.CasesClosed, f.Cooperations, f.CareItems, f.Innovations}
	row := func(a *db.Args, vs ...any) string {
		ph := make([]string, len(vs))
		for i, v := range vs {
			ph[i] = a.Add(v)
		}
		return "(" + strings.Join(ph, ", ") + ")"
	}
	for _, g := range grains {
		fv = append(fv, row(&fa, append([]any{f.ZoneID, g.grain, g.period, f.NodeID, f.ParkID, f.Level, f.Function}, fig...)...))
	}
	// A fact row keeps the park it was first written with (the park is
	// not part of its key): the roll-up adds to the park the row holds,
	// so that it always sums exactly the fact rows.
	parks := map[string]string{}
	err = db.Each(ctx, tx, `INSERT INTO matrix_facts (zone_id, grain, period, node_id, park_id, level, function, `+figureCols+`)
		VALUES `+strings.Join(fv, ", ")+`
		ON CONFLICT (zone_id, grain, period, node_id, level, function) DO UPDATE SET `+addExcluded("matrix_facts")+`
		RETURNING grain, park_id`, fa, func(s db.Scanner) error {
		var grain, park string
		err := s.Scan(&grain, &park)
		parks[grain] = park
		return err
	})
	if err != nil {
		return err
	}
	if len(anchors) == 0 { // the zone's own records: no ancestor
		return nil
	}
	for _, g := range grains {
		park, ok := parks[g.grain]
		if !ok {
			return fmt.Errorf("matrix: no fact row returned for grain %s", g.grain)
		}
		for _, anchor := range anchors {
			tv = append(tv, row(&ta, append([]any{f.ZoneID, anchor, g.grain, g.period, park, f.Level, f.Function}, fig...)...))
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO matrix_totals (zone_id, anchor_id, grain, period, park_id, level, function, `+figureCols+`)
		VALUES `+strings.Join(tv, ", ")+`
		ON CONFLICT (zone_id, anchor_id, grain, period, park_id, level, function) DO UPDATE SET `+addExcluded("matrix_totals"), ta...)
	return err
}

// figureCols are the figure columns of matrix_facts and matrix_totals.
const figureCols = `activities, participants, volunteer_minutes, requests_resolved, cases_closed, cooperations, care_items, innovations`

// addExcluded is the SET list of an upsert that adds the new row's
// figures to the existing row of table.
func addExcluded(table string) string {
	cols := strings.Split(figureCols, ", ")
	for i, c := range cols {
		cols[i] = c + " = " + table + "." + c + " + excluded." + c
	}
	return strings.Join(cols, ", ")
}

// ancestors returns the ids of the nodes above id on path ("/zone/park/id/"),
// the zone first.
func ancestors(path, id string) []string {
	ids := strings.Split(strings.Trim(path, "/"), "/")
	if n := len(ids); n > 0 && ids[n-1] == id {
		ids = ids[:n-1]
	}
	return ids
}

// Moved keeps the roll-up right when the subtree rooted at nodeID moves
// from oldPath to newPath (its own path before and after), in the
// transaction that moves it: the subtree's figures — its root's roll-up
// rows and the root's own facts — are taken off the ancestors it leaves
// and added to those it joins (the zone, common to both, keeps them).
func Moved(ctx context.Context, tx *db.Tx, zoneID, nodeID, oldPath, newPath string) error {
	left, joined := ancestors(oldPath, nodeID), ancestors(newPath, nodeID)
	for _, a := range left {
		if !slices.Contains(joined, a) {
			if err := transfer(ctx, tx, zoneID, nodeID, a, -1); err != nil {
				return err
			}
		}
	}
	for _, a := range joined {
		if !slices.Contains(left, a) {
			if err := transfer(ctx, tx, zoneID, nodeID, a, 1); err != nil {
				return err
			}
		}
	}
	return nil
}

// Removed keeps the roll-up right when the leaf node nodeID is deleted
// (in the transaction that deletes it, path being its path): its facts no
// longer count for the ancestors' subtrees (the dashboard reads a subtree
// by the nodes in it now), but still for the zone, which counts every
// record of the zone.
func Removed(ctx context.Context, tx *db.Tx, zoneID, nodeID, path string) error {
	for _, a := range ancestors(path, nodeID) {
		if a == zoneID {
			continue
		}
		if err := transfer(ctx, tx, zoneID, nodeID, a, -1); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM matrix_totals WHERE zone_id = $1 AND anchor_id = $2`, zoneID, nodeID)
	return err
}

// transfer adds sign × the figures of the subtree of root (its roll-up
// rows and its own facts) to anchor's roll-up rows.
func transfer(ctx context.Context, tx *db.Tx, zoneID, root, anchor string, sign int) error {
	var sets []string
	for _, c := range strings.Split(figureCols, ", ") {
		sets = append(sets, fmt.Sprintf("%d * SUM(s.%s)", sign, c))
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO matrix_totals (zone_id, anchor_id, grain, period, park_id, level, function, `+figureCols+`)
		SELECT $1, $2, s.grain, s.period, s.park_id, s.level, s.function, `+strings.Join(sets, ", ")+`
		FROM (SELECT grain, period, park_id, level, function, `+figureCols+` FROM matrix_totals WHERE zone_id = $1 AND anchor_id = $3
			UNION ALL
			SELECT grain, period, park_id, level, function, `+figureCols+` FROM matrix_facts WHERE zone_id = $1 AND node_id = $3) s
		WHERE 1 = 1
		GROUP BY s.grain, s.period, s.park_id, s.level, s.function
		ON CONFLICT (zone_id, anchor_id, grain, period, park_id, level, function) DO UPDATE SET `+addExcluded("matrix_totals"),
		zoneID, anchor, root)
	return err
}

// Rebuild recomputes the roll-up of zoneID from its facts, in tx: for
// bulk loads that write matrix_facts directly (tongxin gen). It is the
// back-fill of migration 0130 for one zone.
func Rebuild(ctx context.Context, tx *db.Tx, zoneID string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM matrix_totals WHERE zone_id = $1`, zoneID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `WITH RECURSIVE anc(node_id, anchor_id) AS (
			SELECT id, parent_id FROM scope_nodes WHERE zone_id = $1 AND parent_id IS NOT NULL
			UNION ALL
			SELECT anc.node_id, p.parent_id FROM anc JOIN scope_nodes p ON p.id = anc.anchor_id WHERE p.parent_id IS NOT NULL
		), src(anchor_id, grain, period, park_id, level, function, `+figureCols+`) AS (
			SELECT anc.anchor_id, f.grain, f.period, f.park_id, f.level, f.function, `+prefixed("f.")+`
			FROM matrix_facts f JOIN anc ON anc.node_id = f.node_id WHERE f.zone_id = $1
			UNION ALL
			SELECT f.zone_id, f.grain, f.period, f.park_id, f.level, f.function, `+prefixed("f.")+`
			FROM matrix_facts f WHERE f.zone_id = $1 AND f.node_id <> f.zone_id
				AND NOT EXISTS (SELECT 1 FROM scope_nodes n WHERE n.id = f.node_id)
		)
		INSERT INTO matrix_totals (zone_id, anchor_id, grain, period, park_id, level, function, `+figureCols+`)
		SELECT $1, anchor_id, grain, period, park_id, level, function, `+summed("")+`
		FROM src GROUP BY anchor_id, grain, period, park_id, level, function`, zoneID)
	return err
}

func prefixed(p string) string {
	cols := strings.Split(figureCols, ", ")
	for i, c := range cols {
		cols[i] = p + c
	}
	return strings.Join(cols, ", ")
}

func summed(p string) string {
	cols := strings.Split(figureCols, ", ")
	for i, c := range cols {
		cols[i] = "SUM(" + p + c + ")"
	}
	return strings.Join(cols, ", ")
}

// PlaceOf returns where records organised by node count. The level
// follows from the node and its ancestors:
//   - the zone itself → zone;
//   - a park, or anything under a park that is not an enterprise's
//     (a station, a service point), or a party organisation of a park
//     covering no enterprise (a park committee) → park;
//   - an enterprise, anything under one, or a party organisation that
//     covers enterprises (a branch, a joint branch) → enterprise;
//   - a party organisation directly under the zone (the working committee)
//     and covering no enterprise → zone.
//
// Returns an error when the node is unknown.
func PlaceOf(ctx context.Context, q db.Querier, nodeID string) (Place, error) {
	var zoneID, path string
	if err := q.QueryRowContext(ctx, `SELECT zone_id, path FROM scope_nodes WHERE id = $1`, nodeID).Scan(&zoneID, &path); err != nil {
		return Place{}, fmt.Errorf("matrix: node %q: %w", nodeID, err)
	}
	ids := strings.Split(strings.Trim(path, "/"), "/")
	var a db.Args
	kinds := map[string]string{}
	err := db.Each(ctx, q, `SELECT id, kind FROM scope_nodes WHERE id IN (`+a.In(ids)+`)`, a, func(s db.Scanner) error {
		var id, kind string
		if err := s.Scan(&id, &kind); err != nil {
			return err
		}
		kinds[id] = kind
		return nil
	})
	if err != nil {
		return Place{}, err
	}
	p := Place{ZoneID: zoneID, NodeID: nodeID, Level: "zone"}
	for _, id := range ids {
		switch kinds[id] {
		case access.KindPark:
			p.ParkID = id
			if p.Level == "zone" {
				p.Level = "park"
			}
		case access.KindEnterprise:
			p.Level = "enterprise"
		}
	}
	if kinds[nodeID] == access.KindOrg && p.Level != "enterprise" {
		// Party organisations hang under their parent organisation; the
		// park they lie in is theirs to say.
		var park sql.NullString
		var n int
		if err := q.QueryRowContext(ctx, `SELECT park_id, (SELECT COUNT(*) FROM org_enterprises WHERE org_id = orgs.id)
			FROM orgs WHERE id = $1`, nodeID).Scan(&park, &n); err != nil {
			return Place{}, err
		}
		if park.Valid && p.ParkID == "" {
			p.ParkID, p.Level = park.String, "park"
		}
		if n > 0 {
			p.Level = "enterprise"
		}
	}
	return p, nil
}
