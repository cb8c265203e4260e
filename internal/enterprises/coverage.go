package enterprises

import (
	"context"
	"strings"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/db"
)

// Coverage lets a caller read the party-organisation coverage figures the
// zone reports upward: the zone's administrators, a park's administrators
// (their park) and auditors.
var Coverage = access.NewPerm("report.coverage", access.ZoneAdmin, access.ParkAdmin, access.Auditor)

// FullMembersForOrg is how many full party members an enterprise needs to
// form its own organisation (3 or more form a branch).
const FullMembersForOrg = 3

// Members counts party members by status.
type Members struct {
	Full         int `json:"full"`
	Probationary int `json:"probationary"`
}

// Figures are the coverage figures of a set of enterprises.
type Figures struct {
	// Enterprises is how many there are; WithOrg how many a party
	// organisation covers; NeedingOrg how many have FullMembersForOrg or
	// more full members working there and no organisation (they should
	// form one).
	Enterprises int `json:"enterprises"`
	WithOrg     int `json:"with_org"`
	NeedingOrg  int `json:"needing_org"`
	// Members are the party members working at the enterprises.
	Members Members `json:"members"`
	// Orgs are the party organisations of the park; TermsExpired those
	// whose term ended before today (an election is overdue).
	Orgs         int `json:"orgs"`
	TermsExpired int `json:"terms_expired"`
}

func (f *Figures) add(g Figures) {
	f.Enterprises += g.Enterprises
	f.WithOrg += g.WithOrg
	f.NeedingOrg += g.NeedingOrg
	f.Members.Full += g.Members.Full
	f.Members.Probationary += g.Members.Probationary
	f.Orgs += g.Orgs
	f.TermsExpired += g.TermsExpired
}

// ParkCoverage is one park's figures.
type ParkCoverage struct {
	ParkID   string `json:"park_id"`
	ParkName string `json:"park_name"`
	Figures
}

// CoverageReport is the coverage of every park in the caller's scope and
// their sum. Zone-level organisations (no park) are in no park's figures.
type CoverageReport struct {
	Parks []ParkCoverage `json:"parks"`
	Total Figures        `json:"total"`
}

// chinaTime is the zone "today" is reckoned in (terms end on dates).
var chinaTime = time.FixedZone("CST", 8*3600)

// Coverage returns the coverage of the parks in the caller's report.coverage
// scope (one park when parkID is not ""), in four aggregate queries: the
// parks, their enterprises, their members, their organisations. Returns
// ENOTFOUND when parkID is not a park in the caller's scope.
func (s *Service) Coverage(ctx context.Context, parkID string) (CoverageReport, error) {
	rep := CoverageReport{Parks: []ParkCoverage{}}
	var a db.Args
	where := access.From(ctx).Scope(Coverage).Where(&a, access.ByZone("zone_id"), access.ByNode("id"))
	if parkID != "" {
		where += " AND id = " + a.Add(parkID)
	}
	rows, err := s.DB.R.QueryContext(ctx, "SELECT id, name FROM parks WHERE "+where+" ORDER BY id", a...)
	if err != nil {
		return rep, err
	}
	index := map[string]*Figures{}
	var ids []string
	for rows.Next() {
		var p ParkCoverage
		if err := rows.Scan(&p.ParkID, &p.ParkName); err != nil {
			rows.Close()
			return rep, err
		}
		rep.Parks = append(rep.Parks, p)
		ids = append(ids, p.ParkID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, err
	}
	if len(ids) == 0 {
		if parkID != "" {
			return rep, apperr.New(apperr.NotFound, "")
		}
		return rep, nil
	}
	for i := range rep.Parks {
		index[rep.Parks[i].ParkID] = &rep.Parks[i].Figures
	}
	today := s.DB.Now().In(chinaTime).Format(time.DateOnly)

	queries := []struct {
		sql  string
		args func(*db.Args)
		scan func(park *Figures, scan func(...any) error) error
	}{
		{
			// Per enterprise: is it covered, how many full members work there.
			sql: `SELECT park_id, COUNT(*),
				COALESCE(SUM(CASE WHEN has_org = 1 THEN 1 ELSE 0 END), 0),
				COALESCE(SUM(CASE WHEN has_org = 0 AND full_members >= $1 THEN 1 ELSE 0 END), 0)
				FROM (SELECT park_id,
					CASE WHEN EXISTS (SELECT 1 FROM org_enterprises oe WHERE oe.enterprise_id = e.id) THEN 1 ELSE 0 END AS has_org,
					(SELECT COUNT(*) FROM people p WHERE p.enterprise_id = e.id AND p.party_status = 'full') AS full_members
					FROM enterprises e WHERE park_id IN (%s)) per_enterprise
				GROUP BY park_id`,
			args: func(a *db.Args) { a.Add(FullMembersForOrg) },
			scan: func(f *Figures, scan func(...any) error) error {
				return scan(&f.Enterprises, &f.WithOrg, &f.NeedingOrg)
			},
		},
		{
			sql: `SELECT e.park_id,
				COALESCE(SUM(CASE WHEN p.party_status = 'full' THEN 1 ELSE 0 END), 0),
				COALESCE(SUM(CASE WHEN p.party_status = 'probationary' THEN 1 ELSE 0 END), 0)
				FROM people p JOIN enterprises e ON e.id = p.enterprise_id
				WHERE e.park_id IN (%s) AND p.party_status IN ('full', 'probationary')
				GROUP BY e.park_id`,
			scan: func(f *Figures, scan func(...any) error) error {
				return scan(&f.Members.Full, &f.Members.Probationary)
			},
		},
		{
			sql: `SELECT park_id, COUNT(*),
				COALESCE(SUM(CASE WHEN term_ends_on IS NOT NULL AND term_ends_on <> '' AND term_ends_on < $1 THEN 1 ELSE 0 END), 0)
				FROM orgs WHERE park_id IN (%s)
				GROUP BY park_id`,
			args: func(a *db.Args) { a.Add(today) },
			scan: func(f *Figures, scan func(...any) error) error {
				return scan(&f.Orgs, &f.TermsExpired)
			},
		},
	}
	for _, q := range queries {
		var a db.Args
		if q.args != nil {
			q.args(&a)
		}
		in := a.In(ids)
		rows, err := s.DB.R.QueryContext(ctx, strings.Replace(q.sql, "%s", in, 1), a...)
		if err != nil {
			return rep, err
		}
		for rows.Next() {
			var park string
			var f Figures
			if err := q.scan(&f, func(dst ...any) error { return rows.Scan(append([]any{&park}, dst...)...) }); err != nil {
				rows.Close()
				return rep, err
			}
			if target := index[park]; target != nil {
				target.add(f)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return rep, err
		}
	}
	for _, p := range rep.Parks {
		rep.Total.add(p.Figures)
	}
	return rep, nil
}
