package matrix

// The dashboard's figures as they were computed before the roll-up
// (matrix_totals): summed over every fact row of the caller's scope and
// the period. Kept here as the oracle the roll-up's answers are checked
// against (TestRollupAnswersAsTheFacts).

import (
	"context"
	"fmt"
	"strings"

	"tongxin/internal/access"
	"tongxin/internal/db"
)

// OracleMatrix is Matrix computed directly from matrix_facts.
func (s *Service) OracleMatrix(ctx context.Context, f Filter) (Report, error) {
	return s.oracleMatrix(ctx, f)
}

func oracleScan(s db.Scanner, head ...any) (Totals, error) {
	var t Totals
	var minutes int64
	err := s.Scan(append(head, &t.Activities, &t.Participants, &minutes, &t.RequestsResolved, &t.CasesClosed, &t.Cooperations, &t.CareItems, &t.Innovations)...)
	t.VolunteerHours = float64(minutes) / 60
	return t, err
}

// where renders the filter and the caller's scope over matrix_facts f.
func (r filter) oracleWhere(a *db.Args) string {
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
func oracleUnion(f filter, coarsest string, keys func(grain string) string, a *db.Args) string {
	from, to := beginning, end
	if !f.From.IsZero() {
		from = midnight(f.From)
	}
	if !f.To.IsZero() {
		to = midnight(f.To)
	}
	var branches []string
	for _, sp := range spans(from, to, coarsest) {
		branches = append(branches, `SELECT `+keys(sp.grain)+`, `+figures+` FROM matrix_facts f WHERE `+f.oracleWhere(a)+
			` AND f.grain = `+a.Add(sp.grain)+` AND f.period >= `+a.Add(sp.lo)+` AND f.period < `+a.Add(sp.hi))
	}
	if len(branches) == 0 { // an empty period: no rows, same columns
		branches = append(branches, `SELECT `+keys("d")+`, `+figures+` FROM matrix_facts f WHERE 1=0`)
	}
	return "(" + strings.Join(branches, " UNION ALL ") + ") u"
}

// Matrix returns the figures of every cell within the caller's scope.
func (s *Service) oracleMatrix(ctx context.Context, f Filter) (Report, error) {
	rep := Report{Levels: Levels, Functions: Functions, Parks: []ParkTotals{}}
	r, err := s.resolve(ctx, f)
	if err != nil {
		return rep, err
	}
	var ca db.Args
	from := oracleUnion(r, "y", func(string) string { return "f.level AS level, f.function AS function" }, &ca)
	cells := map[[2]string]Totals{}
	err = db.Each(ctx, s.DB.R, `SELECT u.level, u.function, `+sums+` FROM `+from+` GROUP BY u.level, u.function`, ca,
		func(sc db.Scanner) error {
			var level, function string
			t, err := oracleScan(sc, &level, &function)
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
		from := oracleUnion(r, "m", func(grain string) string {
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
				t, err := oracleScan(sc, &month, &m.Level, &m.Function)
				m.Month, m.Totals = fmt.Sprintf("%04d-%02d", month/100, month%100), t
				rep.Trend = append(rep.Trend, m)
				return err
			})
		if err != nil {
			return rep, err
		}
	}
	var pa0 db.Args
	from = oracleUnion(r, "y", func(string) string { return "f.park_id AS park_id" }, &pa0)
	byPark := map[string]Totals{}
	err = db.Each(ctx, s.DB.R, `SELECT u.park_id, `+sums+` FROM `+from+` WHERE u.park_id <> '' GROUP BY u.park_id`, pa0,
		func(sc db.Scanner) error {
			var park string
			t, err := oracleScan(sc, &park)
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
