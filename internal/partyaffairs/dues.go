package partyaffairs

import (
	"context"
	"database/sql"
	"errors"

	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/etag"
	"tongxin/internal/page"
	"tongxin/internal/valid"
)

// Band is one band of party dues (PRODUCT.md, Domain rules): members whose
// monthly after-tax pay is at most UpToFen (0: no upper bound) pay
// RatePermille ‰ of it.
type Band struct {
	Band         int   `json:"band"`
	UpToFen      int64 `json:"up_to_fen"`
	RatePermille int   `json:"rate_permille"`
}

// Bands: 0.5% up to 3,000 yuan, 1% up to 5,000, 1.5% up to 10,000, 2%
// above.
var Bands = []Band{{1, 300000, 5}, {2, 500000, 10}, {3, 1000000, 15}, {4, 0, 20}}

// MaxBaseFen bounds the monthly pay one can enter (1,000,000 yuan).
const MaxBaseFen = 100_000_000

// BandOf returns the band base falls in and the amount due, rounded to
// the nearest fen (halves up).
func BandOf(baseFen int64) (Band, int64) {
	b := Bands[len(Bands)-1]
	for _, x := range Bands {
		if x.UpToFen == 0 || baseFen <= x.UpToFen {
			b = x
			break
		}
	}
	return b, (baseFen*int64(b.RatePermille) + 500) / 1000
}

// Due is one member's dues of one month, paid.
type Due struct {
	ID           string    `json:"id"`
	ZoneID       string    `json:"zone_id"`
	OrgID        string    `json:"org_id"`
	OrgName      string    `json:"org_name"`
	PersonID     string    `json:"person_id"`
	PersonName   string    `json:"person_name"`
	Month        string    `json:"month"`
	BaseFen      int64     `json:"base_fen"`
	Band         int       `json:"band"`
	RatePermille int       `json:"rate_permille"`
	AmountFen    int64     `json:"amount_fen"`
	PaidOn       string    `json:"paid_on"`
	Note         string    `json:"note"`
	Version      int       `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

const dueCols = `id, zone_id, org_id, person_id, month, base_fen, band, rate_permille, amount_fen, paid_on, note, version, created_at, updated_at,
	COALESCE((SELECT o.name FROM orgs o WHERE o.id = party_dues.org_id), ''),
	COALESCE((SELECT p.name FROM people p WHERE p.id = party_dues.person_id), '')`

func scanDue(s page.Scanner) (Due, error) {
	var d Due
	err := s.Scan(&d.ID, &d.ZoneID, &d.OrgID, &d.PersonID, &d.Month, &d.BaseFen, &d.Band, &d.RatePermille, &d.AmountFen, &d.PaidOn, &d.Note,
		&d.Version, db.T(&d.CreatedAt), db.T(&d.UpdatedAt), &d.OrgName, &d.PersonName)
	return d, err
}

var dueTable = page.Table[Due]{From: "party_dues", Cols: dueCols, Attach: page.Attached(access.ByNode("org_id")), Scan: scanDue}

// DueFilter narrows the dues list. Zero values do not filter.
type DueFilter struct {
	OrgID    string
	PersonID string
	Month    string
}

// parseMonth parses YYYY-MM.
func parseMonth(s string) (time.Time, bool) {
	t, err := time.Parse("2006-01", s)
	return t, err == nil && len(s) == 7
}

// CheckDueFilter validates the filters. Returns EINVALID naming the query
// parameter.
func CheckDueFilter(f DueFilter) error {
	if f.Month != "" {
		if _, ok := parseMonth(f.Month); !ok {
			return apperr.BadField("month", "invalid_month")
		}
	}
	return nil
}

// ListDues lists dues paid in the caller's party.read scope, newest
// first. Returns EINVALID for a bad filter.
func (s *Service) ListDues(ctx context.Context, f DueFilter, p page.Page) (page.List[Due], error) {
	if err := CheckDueFilter(f); err != nil {
		return page.List[Due]{}, err
	}
	var a db.Args
	where := access.From(ctx).Scope(Read).Where(&a, access.ByNode("org_id"))
	if f.OrgID != "" {
		where += " AND org_id = " + a.Add(f.OrgID)
	}
	if f.PersonID != "" {
		where += " AND person_id = " + a.Add(f.PersonID)
	}
	if f.Month != "" {
		where += " AND month = " + a.Add(f.Month)
	}
	return page.Rows(ctx, s.DB.R, p, page.Query{From: "party_dues", Cols: dueCols, Where: where, Args: a, Desc: true}, scanDue,
		page.ByID(func(d Due) string { return d.ID }))
}

// GetDue returns one due in the caller's scope. Returns ENOTFOUND.
func (s *Service) GetDue(ctx context.Context, id string) (Due, error) {
	return dueTable.One(ctx, s.DB.R, Read, Read, id)
}

// DueInput is what recording a month's dues takes. PaidOn "" is today.
type DueInput struct {
	PersonID string
	Month    string
	BaseFen  *int64
	PaidOn   string
	Note     string
}

// member is a party member as dues and development see them.
type member struct {
	ID, ZoneID, Name, OrgID, Status, JoinedOn string
}

// memberOf reads a person with their party standing (Status "" for a
// non-member).
func memberOf(ctx context.Context, q db.Querier, id string) (member, error) {
	m := member{ID: id}
	var org, status, joined sql.NullString
	err := q.QueryRowContext(ctx, `SELECT zone_id, name, org_id, party_status, joined_on FROM people WHERE id = $1`, id).
		Scan(&m.ZoneID, &m.Name, &org, &status, &joined)
	m.OrgID, m.Status, m.JoinedOn = org.String, status.String, joined.String
	return m, err
}

// RecordDue records that a member paid a month's dues: the base (monthly
// after-tax pay) and the band it falls in are kept with the amount. The
// member's organisation must be in the caller's party.manage scope. The
// member's last contact moves to the payment date (a member who pays is
// not out of contact). Returns EVALIDATION (person_id unknown_value or
// not_a_member; month invalid_month, outside_membership; base_fen
// out_of_range; paid_on), ECONFLICT when the month is already paid.
func (s *Service) RecordDue(ctx context.Context, in DueInput) (Due, error) {
	var fs apperr.Fields
	month, monthOK := parseMonth(in.Month)
	if in.Month == "" {
		fs.Add("month", "required")
	} else if !monthOK {
		fs.Add("month", "invalid_month")
	}
	switch {
	case in.BaseFen == nil:
		fs.Add("base_fen", "required")
	case *in.BaseFen < 0 || *in.BaseFen > MaxBaseFen:
		fs.Add("base_fen", "out_of_range", "Min", 0, "Max", MaxBaseFen)
	}
	valid.Text(&fs, "note", in.Note, 500)
	if in.PersonID == "" {
		fs.Add("person_id", "required")
	}
	var d Due
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		paidOn := s.today(tx.Now)
		if in.PaidOn != "" {
			paidOn, _ = s.pastDate(&fs, "paid_on", in.PaidOn, tx.Now)
		}
		var m member
		if in.PersonID != "" {
			var err error
			m, err = memberOf(ctx, tx, in.PersonID)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				fs.Add("person_id", "unknown_value")
			case err != nil:
				return err
			case m.OrgID == "" || m.Status == "":
				if _, err := covered(ctx, tx, Manage, "person_id", m.ZoneID); err != nil {
					fs.Add("person_id", "unknown_value")
				} else {
					fs.Add("person_id", "not_a_member")
				}
			default:
				if _, err := covered(ctx, tx, Manage, "person_id", m.OrgID, access.KindOrg); err != nil {
					fs.Add("person_id", "unknown_value")
				} else if monthOK {
					joined, _ := parseMonth(m.JoinedOn[:min(7, len(m.JoinedOn))])
					now := s.today(tx.Now)
					current := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
					if month.Before(joined) || month.After(current) {
						fs.Add("month", "outside_membership", "From", m.JoinedOn[:min(7, len(m.JoinedOn))], "To", current.Format("2006-01"))
					}
				}
			}
		}
		if err := fs.Err(); err != nil {
			return err
		}
		band, amount := BandOf(*in.BaseFen)
		d = Due{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: m.ZoneID, OrgID: m.OrgID, PersonID: m.ID, PersonName: m.Name, Month: in.Month,
			BaseFen: *in.BaseFen, Band: band.Band, RatePermille: band.RatePermille, AmountFen: amount, PaidOn: paidOn.Format(time.DateOnly),
			Note: in.Note, Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
		_, err := tx.ExecContext(ctx, `INSERT INTO party_dues (id, zone_id, org_id, person_id, month, base_fen, band, rate_permille, amount_fen,
				paid_on, note, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12)`,
			d.ID, d.ZoneID, d.OrgID, d.PersonID, d.Month, d.BaseFen, d.Band, d.RatePermille, d.AmountFen, d.PaidOn, d.Note, db.Micros(tx.Now))
		if db.IsUnique(err) {
			return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.dues_already_paid", Params: map[string]any{"Month": d.Month},
				Fields: []apperr.FieldError{{Field: "month", Code: "already_paid"}}}
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE people SET last_contact_on = $1 WHERE id = $2 AND (last_contact_on IS NULL OR last_contact_on < $1)`,
			d.PaidOn, d.PersonID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT name FROM orgs WHERE id = $1`, d.OrgID).Scan(&d.OrgName); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: d.ZoneID, Node: d.OrgID, Entity: "party_due", EntityID: d.ID, Action: "create",
			Summary: map[string]any{"person_id": d.PersonID, "month": d.Month, "base_fen": d.BaseFen, "band": d.Band, "amount_fen": d.AmountFen}})
	})
	return d, err
}

// DeleteDue takes back a due recorded in error (the month is unpaid
// again). Needs party.manage over its organisation; match must hold.
// Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION.
func (s *Service) DeleteDue(ctx context.Context, id string, match etag.Match) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		d, err := dueTable.One(ctx, tx, Manage, Read, id)
		if err != nil {
			return err
		}
		if err := match.Check(d.Version); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: d.ZoneID, Node: d.OrgID, Entity: "party_due", EntityID: id, Action: "delete",
			Summary: map[string]any{"person_id": d.PersonID, "month": d.Month, "amount_fen": d.AmountFen}}); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM party_dues WHERE id = $1`, id)
		return err
	})
}

// Arrear is a member behind with their dues: the unpaid months of the
// period since they joined.
type Arrear struct {
	PersonID   string   `json:"person_id"`
	PersonName string   `json:"person_name"`
	OrgID      string   `json:"org_id"`
	OrgName    string   `json:"org_name"`
	JoinedOn   string   `json:"joined_on"`
	Months     []string `json:"months"`
	Count      int      `json:"count"`
}

// ArrearsFilter narrows the arrears list: months From to To (YYYY-MM),
// To by default the month before this one, From by default 11 months
// before To; one organisation.
type ArrearsFilter struct {
	OrgID    string
	From, To string
}

// MaxArrearsMonths bounds the period of the arrears list.
const MaxArrearsMonths = 60

// Arrears lists the members of the organisations in the caller's
// party.read scope (none for an empty scope) who have not paid every
// month of the period since they joined, most months owed first. Returns
// EINVALID for bad months (from, to) or a period longer than
// MaxArrearsMonths.
func (s *Service) Arrears(ctx context.Context, f ArrearsFilter) ([]Arrear, ArrearsFilter, error) {
	now := s.today(s.DB.Now())
	to := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, time.UTC)
	if f.To != "" {
		t, ok := parseMonth(f.To)
		if !ok {
			return nil, f, apperr.BadField("to", "invalid_month")
		}
		to = t
	}
	from := to.AddDate(0, -11, 0)
	if f.From != "" {
		t, ok := parseMonth(f.From)
		if !ok {
			return nil, f, apperr.BadField("from", "invalid_month")
		}
		from = t
	}
	if from.After(to) || from.AddDate(0, MaxArrearsMonths, 0).Before(to) {
		return nil, f, apperr.BadField("from", "out_of_range", "Min", to.AddDate(0, -MaxArrearsMonths, 0).Format("2006-01"), "Max", to.Format("2006-01"))
	}
	f.From, f.To = from.Format("2006-01"), to.Format("2006-01")
	var a db.Args
	where := access.From(ctx).Scope(Read).Where(&a, access.ByNode("p.org_id")) + " AND p.party_status IS NOT NULL"
	if f.OrgID != "" {
		where += " AND p.org_id = " + a.Add(f.OrgID)
	}
	paid := map[string]map[string]bool{}
	pa := append(db.Args{}, a...)
	err := db.Each(ctx, s.DB.R, `SELECT d.person_id, d.month FROM party_dues d JOIN people p ON p.id = d.person_id
		WHERE `+where+` AND d.month >= `+pa.Add(f.From)+` AND d.month <= `+pa.Add(f.To), pa, func(sc db.Scanner) error {
		var id, m string
		if err := sc.Scan(&id, &m); err != nil {
			return err
		}
		if paid[id] == nil {
			paid[id] = map[string]bool{}
		}
		paid[id][m] = true
		return nil
	})
	if err != nil {
		return nil, f, err
	}
	out := []Arrear{}
	err = db.Each(ctx, s.DB.R, `SELECT p.id, p.name, p.org_id, o.name, COALESCE(p.joined_on, '') FROM people p JOIN orgs o ON o.id = p.org_id
		WHERE `+where, a, func(sc db.Scanner) error {
		var ar Arrear
		if err := sc.Scan(&ar.PersonID, &ar.PersonName, &ar.OrgID, &ar.OrgName, &ar.JoinedOn); err != nil {
			return err
		}
		start := from
		if j, ok := parseMonth(ar.JoinedOn[:min(7, len(ar.JoinedOn))]); ok && j.After(start) {
			start = j
		}
		ar.Months = []string{}
		for m := start; !m.After(to); m = m.AddDate(0, 1, 0) {
			if k := m.Format("2006-01"); !paid[ar.PersonID][k] {
				ar.Months = append(ar.Months, k)
			}
		}
		if ar.Count = len(ar.Months); ar.Count > 0 {
			out = append(out, ar)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return strings.Compare(out[i].PersonName+out[i].PersonID, out[j].PersonName+out[j].PersonID) < 0
	})
	return out, f, err
}
