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
// day, so the dashboard reads them within the caller's scope
// (access.ByNode("node_id")) and sums a few rows per cell.
package matrix

import (
	"context"
	"database/sql"
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
// grain (day, month, year). Deltas may be negative (a cancellation takes
// its count back).
func Add(ctx context.Context, tx *db.Tx, f Fact) error {
	if f.ZoneID == "" || f.NodeID == "" || !ValidLevel(f.Level) || !ValidFunction(f.Function) || f.At.IsZero() {
		return fmt.Errorf("matrix: incomplete fact %+v", f)
	}
	if f.Figures == (Figures{}) {
		return nil
	}
	day := Day(f.At)
	for _, g := range []struct {
		grain  string
		period int
	}{{"d", day}, {"m", day / 100}, {"y", day / 10000}} {
		_, err := tx.ExecContext(ctx, `INSERT INTO matrix_facts (zone_id, grain, period, node_id, park_id, level, function,
				activities, participants, volunteer_minutes, requests_resolved, cases_closed, cooperations, innovations)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
			ON CONFLICT (zone_id, grain, period, node_id, level, function) DO UPDATE SET
				activities = matrix_facts.activities + excluded.activities,
				participants = matrix_facts.participants + excluded.participants,
				volunteer_minutes = matrix_facts.volunteer_minutes + excluded.volunteer_minutes,
				requests_resolved = matrix_facts.requests_resolved + excluded.requests_resolved,
				cases_closed = matrix_facts.cases_closed + excluded.cases_closed,
				cooperations = matrix_facts.cooperations + excluded.cooperations,
				innovations = matrix_facts.innovations + excluded.innovations`,
			f.ZoneID, g.grain, g.period, f.NodeID, f.ParkID, f.Level, f.Function,
			f.Activities, f.Participants, f.VolunteerMinutes, f.RequestsResolved, f.CasesClosed, f.Cooperations, f.Innovations)
		if err != nil {
			return err
		}
	}
	return nil
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
