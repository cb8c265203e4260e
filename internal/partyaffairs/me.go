package partyaffairs

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/db"
)

// MyParty is what a member sees of their own party affairs on the phone:
// their standing, the dues they paid (the last 24 months), the months of
// the last twelve they still owe, and their development when they are
// being (or were) developed.
type MyParty struct {
	PersonID    string       `json:"person_id"`
	Name        string       `json:"name"`
	Status      *string      `json:"status"`
	OrgID       *string      `json:"org_id"`
	OrgName     string       `json:"org_name"`
	JoinedOn    *string      `json:"joined_on"`
	Dues        []Due        `json:"dues"`
	Owed        []string     `json:"owed"`
	Development *Development `json:"development"`
	Bands       []Band       `json:"bands"`
}

// Me returns the signed-in person's own party affairs, whatever their
// grants (everyone may see their own record). Returns ENOTFOUND when the
// account is bound to no person.
func (s *Service) Me(ctx context.Context) (MyParty, error) {
	pr := access.From(ctx)
	if pr == nil || pr.PersonID == "" {
		return MyParty{}, apperr.New(apperr.NotFound, "")
	}
	m, err := memberOf(ctx, s.DB.R, pr.PersonID)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && m.ZoneID != pr.ZoneID) {
		return MyParty{}, apperr.New(apperr.NotFound, "")
	}
	if err != nil {
		return MyParty{}, err
	}
	me := MyParty{PersonID: m.ID, Name: m.Name, Dues: []Due{}, Owed: []string{}, Bands: Bands}
	if m.Status != "" {
		me.Status, me.OrgID, me.JoinedOn = &m.Status, &m.OrgID, &m.JoinedOn
		if err := s.DB.R.QueryRowContext(ctx, `SELECT name FROM orgs WHERE id = $1`, m.OrgID).Scan(&me.OrgName); err != nil {
			return me, err
		}
	}
	paid := map[string]bool{}
	err = db.Each(ctx, s.DB.R, `SELECT `+dueCols+` FROM party_dues WHERE person_id = $1 AND zone_id = $2 ORDER BY month DESC LIMIT 24`,
		db.Args{m.ID, m.ZoneID}, func(sc db.Scanner) error {
			d, err := scanDue(sc)
			me.Dues = append(me.Dues, d)
			paid[d.Month] = true
			return err
		})
	if err != nil {
		return me, err
	}
	if m.Status != "" {
		now := s.today(s.DB.Now())
		to := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, time.UTC)
		from := to.AddDate(0, -11, 0)
		if j, ok := parseMonth(m.JoinedOn[:min(7, len(m.JoinedOn))]); ok && j.After(from) {
			from = j
		}
		for mo := from; !mo.After(to); mo = mo.AddDate(0, 1, 0) {
			if k := mo.Format("2006-01"); !paid[k] {
				me.Owed = append(me.Owed, k)
			}
		}
	}
	var devID string
	err = s.DB.R.QueryRowContext(ctx, `SELECT id FROM party_development WHERE person_id = $1 AND zone_id = $2`, m.ID, m.ZoneID).Scan(&devID)
	if err == nil {
		d, err := scanDev(s.DB.R.QueryRowContext(ctx, `SELECT `+devCols+` FROM party_development WHERE id = $1`, devID))
		if err != nil {
			return me, err
		}
		ds := []Development{d}
		if err := fillStages(ctx, s.DB.R, ds); err != nil {
			return me, err
		}
		me.Development = &ds[0]
	} else if !errors.Is(err, sql.ErrNoRows) {
		return me, err
	}
	return me, nil
}
