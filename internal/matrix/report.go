package matrix

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/db"
)

// Read lets a caller see the matrix within their scope: everyone who works
// in the zone's structure (a member granted on an organisation sees that
// organisation's figures).
var Read = access.NewPerm("dashboard.read", access.Everyone()...)

// Totals are a cell's figures as the dashboard shows them.
type Totals struct {
	Activities       int64   `json:"activities"`
	Participants     int64   `json:"participants"`
	VolunteerHours   float64 `json:"volunteer_hours"`
	RequestsResolved int64   `json:"requests_resolved"`
	CasesClosed      int64   `json:"cases_closed"`
	Cooperations     int64   `json:"cooperations"`
	Innovations      int64   `json:"innovations"`
}

// Cell is one level × function.
type Cell struct {
	Level    string `json:"level"`
	Function string `json:"function"`
	Totals
}

// ParkTotals are one park's figures over all levels and functions.
type ParkTotals struct {
	ParkID   string `json:"park_id"`
	ParkName string `json:"park_name"`
	Totals
}

// Report is the matrix: every cell, in Levels × Functions order, even
// when zero, and the parks in the caller's scope with their totals.
type Report struct {
	Levels    []string     `json:"levels"`
	Functions []string     `json:"functions"`
	Cells     []Cell       `json:"cells"`
	Parks     []ParkTotals `json:"parks"`
	// Trend holds, when asked for, each cell's figures month by month
	// (months where a cell has none are left out).
	Trend []Month `json:"trend,omitempty"`
}

// Month is one cell's figures in one month of the period.
type Month struct {
	Month    string `json:"month"` // 2022-11
	Level    string `json:"level"`
	Function string `json:"function"`
	Totals
}

// Filter narrows the figures. Zero values do not filter.
type Filter struct {
	From, To time.Time // days from From up to (not including) To's day
	ZoneID   string
	ParkID   string
	OrgID    string // the organisation and those under it
	Trend    bool   // add the months
}

// Service reads the matrix.
type Service struct{ DB *db.DB }

const sums = `COALESCE(SUM(u.activities), 0), COALESCE(SUM(u.participants), 0), COALESCE(SUM(u.volunteer_minutes), 0),
	COALESCE(SUM(u.requests_resolved), 0), COALESCE(SUM(u.cases_closed), 0), COALESCE(SUM(u.cooperations), 0),
	COALESCE(SUM(u.innovations), 0)`

const figures = `f.activities, f.participants, f.volunteer_minutes, f.requests_resolved, f.cases_closed, f.cooperations, f.innovations`

func scanTotals(s db.Scanner, head ...any) (Totals, error) {
	var t Totals
	var minutes int64
	err := s.Scan(append(head, &t.Activities, &t.Participants, &minutes, &t.RequestsResolved, &t.CasesClosed, &t.Cooperations, &t.Innovations)...)
	t.VolunteerHours = float64(minutes) / 60
	return t, err
}

// filter is a Filter checked once against the caller's scope, ready to
// render into each branch of a query without reading anything again.
type filter struct {
	Filter
	scope   access.Scope
	orgPath string
}

// resolve checks f's zone, park and organisation against the caller's
// scope (one read per node named) and fixes the scope for the queries.
func (s *Service) resolve(ctx context.Context, f Filter) (filter, error) {
	r := filter{Filter: f, scope: access.From(ctx).Scope(Read)}
	if f.ZoneID != "" && !r.scope.Touches(f.ZoneID) {
		return r, apperr.Field("zone_id", "unknown_value")
	}
	if f.ParkID != "" {
		if _, err := s.node(ctx, r.scope, f.ParkID, access.KindPark, "park_id"); err != nil {
			return r, err
		}
	}
	if f.OrgID != "" {
		var err error
		if r.orgPath, err = s.node(ctx, r.scope, f.OrgID, access.KindOrg, "org_id"); err != nil {
			return r, err
		}
	}
	return r, nil
}

// where renders the filter and the caller's scope over matrix_facts f.
func (r filter) where(a *db.Args) string {
	// A record counts for whoever covers its organising node, and for the
	// park it lies in (a party organisation of a park hangs under the
	// zone's organisation tree, not under the park).
	w := r.scope.Where(a, access.ByZone("f.zone_id"), access.ByNode("f.node_id"), access.ByNode("f.park_id"))
	if zones := r.scope.Zones(); len(zones) > 0 && w != "1=0" {
		w += " AND f.zone_id IN (" + a.In(zones) + ")" // the key's first column
	}
	if r.ZoneID != "" {
		w += " AND f.zone_id = " + a.Add(r.ZoneID)
	}
	if r.ParkID != "" {
		w += " AND f.park_id = " + a.Add(r.ParkID)
	}
	if r.orgPath != "" {
		w += " AND f.node_id IN (SELECT id FROM scope_nodes WHERE path >= " + a.Add(r.orgPath) + " AND path < " + a.Add(r.orgPath[:len(r.orgPath)-1]+"0") + ")"
	}
	return w
}

// union renders the fact rows of the filter's period and scope as one
// UNION ALL of index ranges — whole years (unless coarsest is "m"), whole
// months, the days at the edges — each branch selecting keys(grain) and
// the figures; the caller groups and sums over it as u.
func union(f filter, coarsest string, keys func(grain string) string, a *db.Args) string {
	from, to := beginning, end
	if !f.From.IsZero() {
		from = midnight(f.From)
	}
	if !f.To.IsZero() {
		to = midnight(f.To)
	}
	var branches []string
	for _, sp := range spans(from, to, coarsest) {
		branches = append(branches, `SELECT `+keys(sp.grain)+`, `+figures+` FROM matrix_facts f WHERE `+f.where(a)+
			` AND f.grain = `+a.Add(sp.grain)+` AND f.period >= `+a.Add(sp.lo)+` AND f.period < `+a.Add(sp.hi))
	}
	if len(branches) == 0 { // an empty period: no rows, same columns
		branches = append(branches, `SELECT `+keys("d")+`, `+figures+` FROM matrix_facts f WHERE 1=0`)
	}
	return "(" + strings.Join(branches, " UNION ALL ") + ") u"
}

// node returns the path of the node a filter names. A node of another kind,
// unknown, or in a zone the caller has nothing in is unknown_value — the
// same answer, so a filter reveals nothing.
func (s *Service) node(ctx context.Context, scope access.Scope, id, kind, field string) (string, error) {
	var zoneID, k, path string
	err := s.DB.R.QueryRowContext(ctx, `SELECT zone_id, kind, path FROM scope_nodes WHERE id = $1`, id).Scan(&zoneID, &k, &path)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (k != kind || !scope.Touches(zoneID))) {
		return "", apperr.Field(field, "unknown_value")
	}
	return path, err
}

// Matrix returns the figures of every cell within the caller's scope.
func (s *Service) Matrix(ctx context.Context, f Filter) (Report, error) {
	rep := Report{Levels: Levels, Functions: Functions, Parks: []ParkTotals{}}
	r, err := s.resolve(ctx, f)
	if err != nil {
		return rep, err
	}
	var ca db.Args
	from := union(r, "y", func(string) string { return "f.level AS level, f.function AS function" }, &ca)
	cells := map[[2]string]Totals{}
	err = db.Each(ctx, s.DB.R, `SELECT u.level, u.function, `+sums+` FROM `+from+` GROUP BY u.level, u.function`, ca,
		func(sc db.Scanner) error {
			var level, function string
			t, err := scanTotals(sc, &level, &function)
			cells[[2]string{level, function}] = t
			return err
		})
	if err != nil {
		return rep, err
	}
	for _, l := range Levels {
		for _, fn := range Functions {
			rep.Cells = append(rep.Cells, Cell{Level: l, Function: fn, Totals: cells[[2]string{l, fn}]})
		}
	}
	if f.Trend {
		// Months: whole months from the month grain, the edges' days
		// folded into theirs.
		var ta db.Args
		from := union(r, "m", func(grain string) string {
			month := "f.period"
			if grain == "d" {
				month = "f.period / 100"
			}
			return month + " AS month, f.level AS level, f.function AS function"
		}, &ta)
		rep.Trend = []Month{}
		err = db.Each(ctx, s.DB.R, `SELECT u.month, u.level, u.function, `+sums+` FROM `+from+`
			GROUP BY u.month, u.level, u.function ORDER BY u.month, u.level, u.function`, ta,
			func(sc db.Scanner) error {
				var m Month
				var month int
				t, err := scanTotals(sc, &month, &m.Level, &m.Function)
				m.Month, m.Totals = fmt.Sprintf("%04d-%02d", month/100, month%100), t
				rep.Trend = append(rep.Trend, m)
				return err
			})
		if err != nil {
			return rep, err
		}
	}
	var pa0 db.Args
	from = union(r, "y", func(string) string { return "f.park_id AS park_id" }, &pa0)
	byPark := map[string]Totals{}
	err = db.Each(ctx, s.DB.R, `SELECT u.park_id, `+sums+` FROM `+from+` WHERE u.park_id <> '' GROUP BY u.park_id`, pa0,
		func(sc db.Scanner) error {
			var park string
			t, err := scanTotals(sc, &park)
			byPark[park] = t
			return err
		})
	if err != nil {
		return rep, err
	}
	// Every park the caller covers, figures or not, and those whose
	// figures they see (an organisation of a park covers part of it).
	var pa db.Args
	pw := r.scope.Where(&pa, access.ByZone("zone_id"), access.ByNode("id"))
	ids := make([]string, 0, len(byPark))
	for id := range byPark {
		ids = append(ids, id)
	}
	if len(ids) > 0 {
		pw = "(" + pw + " OR id IN (" + pa.In(ids) + "))"
	}
	if f.ZoneID != "" {
		pw += " AND zone_id = " + pa.Add(f.ZoneID)
	}
	if f.ParkID != "" {
		pw += " AND id = " + pa.Add(f.ParkID)
	}
	err = db.Each(ctx, s.DB.R, `SELECT id, name FROM parks WHERE `+pw+` ORDER BY name, id`, pa, func(sc db.Scanner) error {
		var p ParkTotals
		if err := sc.Scan(&p.ParkID, &p.ParkName); err != nil {
			return err
		}
		p.Totals = byPark[p.ParkID]
		rep.Parks = append(rep.Parks, p)
		return nil
	})
	return rep, err
}
