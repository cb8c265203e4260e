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
	CareItems        int64   `json:"care_items"`
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
type Service struct {
	DB *db.DB
	// TTL is how long an answer may be reused after its read began (the
	// answer cache, cache.go); 0 computes every answer.
	TTL time.Duration

	answers answers
}

const sums = `COALESCE(SUM(u.activities), 0), COALESCE(SUM(u.participants), 0), COALESCE(SUM(u.volunteer_minutes), 0),
	COALESCE(SUM(u.requests_resolved), 0), COALESCE(SUM(u.cases_closed), 0), COALESCE(SUM(u.cooperations), 0),
	COALESCE(SUM(u.care_items), 0), COALESCE(SUM(u.innovations), 0)`

const figures = `f.activities, f.participants, f.volunteer_minutes, f.requests_resolved, f.cases_closed, f.cooperations, f.care_items, f.innovations`

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

// term is sign × the figures of the subtree of node as it stands now: its
// roll-up rows (matrix_totals, anchor_id = node) and its own facts
// (matrix_facts, node_id = node), only of the parks named when parks is
// not nil.
type term struct {
	sign         int
	zoneID, node string
	parks        []string
}

// terms turns the caller's scope and the filter into sums of subtrees.
// A fact counts (as before the roll-up, see the oracle in the tests) when
// it lies in a zone the caller covers whole, or when its organising node
// or its park lies in one of the caller's narrower subtrees r₁ … rₖ, and
// it passes the zone, park and organisation filters. The subtrees are
// disjoint, so per zone that is Σ S(rᵢ) + P(K) − Σ S(rᵢ) ∩ P(K), where S(r)
// is r's subtree, K the parks within the rᵢ and P(K) the zone's facts of
// those parks; an organisation filter O intersects each term (S(r) ∩ S(O)
// is the deeper of the two when one holds the other, else nothing).
func (s *Service) terms(ctx context.Context, r filter) ([]term, error) {
	var zones []string
	rest := map[string][]string{} // zone → narrower subtrees
	if r.scope.All() {
		if r.ZoneID != "" {
			zones = []string{r.ZoneID}
		} else if err := db.Each(ctx, s.DB.R, `SELECT id FROM zones ORDER BY id`, nil, func(sc db.Scanner) error {
			var id string
			err := sc.Scan(&id)
			zones = append(zones, id)
			return err
		}); err != nil {
			return nil, err
		}
	} else {
		for _, p := range r.scope.Paths() {
			z := access.ZoneOfPath(p)
			if p == access.ZonePath(z) {
				zones = append(zones, z)
			} else {
				rest[z] = append(rest[z], p)
			}
		}
	}
	var pf []string // the park filter
	if r.ParkID != "" {
		pf = []string{r.ParkID}
	}
	keep := func(z string) bool {
		return (r.ZoneID == "" || z == r.ZoneID) && (r.orgPath == "" || access.ZoneOfPath(r.orgPath) == z)
	}
	var out []term
	for _, z := range zones {
		if !keep(z) {
			continue
		}
		top := z
		if r.orgPath != "" {
			top = r.OrgID
		}
		out = append(out, term{1, z, top, pf})
	}
	if len(rest) == 0 {
		return out, nil
	}
	// The parks within the narrower subtrees, by zone.
	var a db.Args
	var ors []string
	for z, ps := range rest {
		if !keep(z) {
			continue
		}
		for _, p := range ps {
			ors = append(ors, "path >= "+a.Add(p)+" AND path < "+a.Add(p[:len(p)-1]+"0"))
		}
	}
	if len(ors) == 0 {
		return out, nil
	}
	q := `SELECT zone_id, id FROM scope_nodes WHERE kind = ` + a.Add(access.KindPark) + ` AND (` + strings.Join(ors, " OR ") + `)`
	if r.ParkID != "" {
		q += ` AND id = ` + a.Add(r.ParkID)
	}
	parks := map[string][]string{}
	if err := db.Each(ctx, s.DB.R, q+` ORDER BY id`, a, func(sc db.Scanner) error {
		var z, id string
		err := sc.Scan(&z, &id)
		parks[z] = append(parks[z], id)
		return err
	}); err != nil {
		return nil, err
	}
	for z, ps := range rest {
		if !keep(z) {
			continue
		}
		var bases []string
		for _, p := range ps {
			switch {
			case r.orgPath == "" || strings.HasPrefix(p, r.orgPath):
				bases = append(bases, lastID(p))
			case strings.HasPrefix(r.orgPath, p):
				bases = append(bases, r.OrgID)
			}
		}
		for _, b := range bases {
			out = append(out, term{1, z, b, pf})
		}
		if k := parks[z]; len(k) > 0 {
			top := z
			if r.orgPath != "" {
				top = r.OrgID
			}
			out = append(out, term{1, z, top, k})
			for _, b := range bases {
				out = append(out, term{-1, z, b, k})
			}
		}
	}
	return out, nil
}

// lastID is the id of the node at path.
func lastID(path string) string {
	t := strings.Trim(path, "/")
	return t[strings.LastIndexByte(t, '/')+1:]
}

// union renders the terms' rows of the filter's period as one UNION ALL of
// primary-key ranges — whole years (unless coarsest is "m"), whole months,
// the days at the edges — each branch selecting keys(grain) and the signed
// figures; the caller groups and sums over it as u. It is "" when there is
// nothing to read.
func union(f filter, terms []term, coarsest string, keys func(grain string) string, a *db.Args) string {
	from, to := beginning, end
	if !f.From.IsZero() {
		from = midnight(f.From)
	}
	if !f.To.IsZero() {
		to = midnight(f.To)
	}
	var branches []string
	for _, sp := range spans(from, to, coarsest) {
		for _, t := range terms {
			figs := figures
			if t.sign < 0 {
				figs = negated
			}
			parks := ""
			if t.parks != nil {
				parks = ` AND f.park_id IN (` + a.In(t.parks) + `)`
			}
			period := ` AND f.grain = ` + a.Add(sp.grain) + ` AND f.period >= ` + a.Add(sp.lo) + ` AND f.period < ` + a.Add(sp.hi) + parks
			branches = append(branches,
				`SELECT `+keys(sp.grain)+`, `+figs+` FROM matrix_totals f WHERE f.zone_id = `+a.Add(t.zoneID)+` AND f.anchor_id = `+a.Add(t.node)+period,
				`SELECT `+keys(sp.grain)+`, `+figs+` FROM matrix_facts f WHERE f.node_id = `+a.Add(t.node)+` AND f.zone_id = `+a.Add(t.zoneID)+period)
		}
	}
	if len(branches) == 0 {
		return ""
	}
	return "(" + strings.Join(branches, " UNION ALL ") + ") u"
}

const negated = `-f.activities, -f.participants, -f.volunteer_minutes, -f.requests_resolved, -f.cases_closed, -f.cooperations, -f.care_items, -f.innovations`

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

// compute sums the figures of every cell within the caller's scope from
// the roll-up (matrix_totals) and the facts of the subtrees the scope and
// filter come to: a few hundred rows whatever the number of organising
// nodes. Months of the trend whose figures are all zero are left out, and
// so are parks outside the caller's scope whose figures the caller sees
// are all zero.
func (s *Service) compute(ctx context.Context, f Filter) (Report, error) {
	rep := Report{Levels: Levels, Functions: Functions, Parks: []ParkTotals{}}
	r, err := s.resolve(ctx, f)
	if err != nil {
		return rep, err
	}
	terms, err := s.terms(ctx, r)
	if err != nil {
		return rep, err
	}
	// Cells and parks in one read: grouped by park, level and function.
	cells := map[[2]string]totals{}
	byPark := map[string]totals{}
	var ca db.Args
	if from := union(r, terms, "y", func(string) string {
		return "f.park_id AS park_id, f.level AS level, f.function AS function"
	}, &ca); from != "" {
		err = db.Each(ctx, s.DB.R, `SELECT u.park_id, u.level, u.function, `+sums+` FROM `+from+` GROUP BY u.park_id, u.level, u.function`, ca,
			func(sc db.Scanner) error {
				var park, level, function string
				t, err := scanMinutes(sc, &park, &level, &function)
				k := [2]string{level, function}
				cells[k] = cells[k].plus(t)
				if park != "" {
					byPark[park] = byPark[park].plus(t)
				}
				return err
			})
		if err != nil {
			return rep, err
		}
	}
	for _, l := range Levels {
		for _, fn := range Functions {
			rep.Cells = append(rep.Cells, Cell{Level: l, Function: fn, Totals: cells[[2]string{l, fn}].hours()})
		}
	}
	if f.Trend {
		// Months: whole months from the month grain, the edges' days
		// folded into theirs.
		var ta db.Args
		rep.Trend = []Month{}
		from := union(r, terms, "m", func(grain string) string {
			month := "f.period"
			if grain == "d" {
				month = "f.period / 100"
			}
			return month + " AS month, f.level AS level, f.function AS function"
		}, &ta)
		if from != "" {
			err = db.Each(ctx, s.DB.R, `SELECT u.month, u.level, u.function, `+sums+` FROM `+from+`
				GROUP BY u.month, u.level, u.function ORDER BY u.month, u.level, u.function`, ta,
				func(sc db.Scanner) error {
					var m Month
					var month int64
					t, err := scanMinutes(sc, &month, &m.Level, &m.Function)
					if t != (totals{}) {
						m.Month, m.Totals = fmt.Sprintf("%04d-%02d", month/100, month%100), t.hours()
						rep.Trend = append(rep.Trend, m)
					}
					return err
				})
			if err != nil {
				return rep, err
			}
		}
	}
	// Every park the caller covers, figures or not, and those whose
	// figures they see (an organisation of a park covers part of it).
	var pa db.Args
	pw := r.scope.Where(&pa, access.ByZone("zone_id"), access.ByNode("id"))
	ids := make([]string, 0, len(byPark))
	for id, t := range byPark {
		if t != (totals{}) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
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
		p.Totals = byPark[p.ParkID].hours()
		rep.Parks = append(rep.Parks, p)
		return nil
	})
	return rep, err
}

// totals are Totals with the volunteer time still in minutes, so that sums
// of groups stay exact.
type totals struct {
	Totals
	minutes int64
}

func (t totals) plus(u totals) totals {
	return totals{Totals{Activities: t.Activities + u.Activities, Participants: t.Participants + u.Participants,
		RequestsResolved: t.RequestsResolved + u.RequestsResolved, CasesClosed: t.CasesClosed + u.CasesClosed,
		Cooperations: t.Cooperations + u.Cooperations, CareItems: t.CareItems + u.CareItems, Innovations: t.Innovations + u.Innovations},
		t.minutes + u.minutes}
}

func (t totals) hours() Totals {
	out := t.Totals
	out.VolunteerHours = float64(t.minutes) / 60
	return out
}

func scanMinutes(s db.Scanner, head ...any) (totals, error) {
	var t totals
	err := s.Scan(append(head, &t.Activities, &t.Participants, &t.minutes, &t.RequestsResolved, &t.CasesClosed, &t.Cooperations, &t.CareItems, &t.Innovations)...)
	return t, err
}
