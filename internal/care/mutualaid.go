package care

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/page"
	"tongxin/internal/valid"
)

// MaxAmountFen bounds one contribution or application: 10 million yuan.
const MaxAmountFen = 1_000_000_000

// Fund is a mutual-aid fund (互助基金) of an enterprise. BalanceFen is the
// money it holds: contributions in, disbursements out, never below zero.
type Fund struct {
	ID             string    `json:"id"`
	ZoneID         string    `json:"zone_id"`
	EnterpriseID   string    `json:"enterprise_id"`
	EnterpriseName string    `json:"enterprise_name"`
	OrgID          *string   `json:"org_id"`
	Name           string    `json:"name"`
	Description    string    `json:"description"`
	BalanceFen     int64     `json:"balance_fen"`
	ContributedFen int64     `json:"contributed_fen"`
	DisbursedFen   int64     `json:"disbursed_fen"`
	Sample         bool      `json:"sample"`
	Version        int       `json:"version"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

const fundCols = `id, zone_id, enterprise_id, COALESCE((SELECT name FROM enterprises e WHERE e.id = aid_funds.enterprise_id), ''), org_id, name, description,
	balance_fen,
	COALESCE((SELECT -SUM(amount_fen) FROM aid_postings p WHERE p.fund_id = aid_funds.id AND p.account = 'contributions'), 0),
	COALESCE((SELECT SUM(amount_fen) FROM aid_postings p WHERE p.fund_id = aid_funds.id AND p.account = 'aid'), 0),
	sample, version, created_at, updated_at`

func scanFund(s page.Scanner) (Fund, error) {
	var f Fund
	var org sql.NullString
	err := s.Scan(&f.ID, &f.ZoneID, &f.EnterpriseID, &f.EnterpriseName, &org, &f.Name, &f.Description, &f.BalanceFen, &f.ContributedFen,
		&f.DisbursedFen, &f.Sample, &f.Version, db.T(&f.CreatedAt), db.T(&f.UpdatedAt))
	f.OrgID = nullStr(org)
	return f, err
}

// FundInput is what opening a fund takes.
type FundInput struct {
	EnterpriseID, OrgID, Name, Description string
	Sample                                 bool
}

// ListFunds lists the funds in the caller's scope (aid.read), by name.
func (s *Service) ListFunds(ctx context.Context, enterpriseID string, p page.Page) (page.List[Fund], error) {
	var a db.Args
	where := scoped(ctx, AidRead, &a)
	if enterpriseID != "" {
		where += " AND enterprise_id = " + a.Add(enterpriseID)
	}
	return page.Rows(ctx, s.DB.R, p, page.Query{From: "aid_funds", Cols: fundCols, Where: where, Args: a}, scanFund,
		page.ByID(func(f Fund) string { return f.ID }))
}

// GetFund returns a fund in the caller's scope. Returns ENOTFOUND.
func (s *Service) GetFund(ctx context.Context, id string) (Fund, error) {
	return getScoped(ctx, s.DB.R, AidRead, AidRead, "aid_funds", fundCols, id, scanFund)
}

// CreateFund opens a fund of an enterprise, empty. Needs aid.manage over
// the enterprise. Returns EVALIDATION, ECONFLICT (name taken in the
// enterprise).
func (s *Service) CreateFund(ctx context.Context, in FundInput) (Fund, error) {
	var fs apperr.Fields
	valid.Name(&fs, "name", &in.Name, 100)
	valid.Text(&fs, "description", in.Description, 2000)
	if err := fs.Err(); err != nil {
		return Fund{}, err
	}
	var f Fund
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		o, err := ownerOf(ctx, tx, AidManage, in.EnterpriseID, in.OrgID)
		if err != nil {
			return err
		}
		id := uuid.Must(uuid.NewV7()).String()
		_, err = tx.ExecContext(ctx, `INSERT INTO aid_funds (id, zone_id, enterprise_id, org_id, name, description, sample, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`, id, o.ZoneID, o.EnterpriseID, o.OrgID, in.Name, in.Description, in.Sample, db.Micros(tx.Now))
		if db.IsUnique(err) {
			return apperr.New(apperr.Conflict, "problem.aid_fund_name_taken", "Name", in.Name)
		}
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: o.ZoneID, Node: o.EnterpriseID, Entity: "aid_fund", EntityID: id, Action: "create",
			Summary: map[string]any{"name": in.Name}}); err != nil {
			return err
		}
		f, err = scanFund(tx.QueryRowContext(ctx, `SELECT `+fundCols+` FROM aid_funds WHERE id = $1`, id))
		return err
	})
	return f, err
}

// FundPatch renames or redescribes a fund; its money moves only through
// the ledger.
type FundPatch struct{ Name, Description *string }

// UpdateFund applies patch. Needs aid.manage over the fund. Returns
// ENOTFOUND, EFORBIDDEN, EPRECONDITION, EVALIDATION, ECONFLICT.
func (s *Service) UpdateFund(ctx context.Context, id string, patch FundPatch, version func(int) error) (Fund, error) {
	var fs apperr.Fields
	if patch.Name != nil {
		valid.Name(&fs, "name", patch.Name, 100)
	}
	if patch.Description != nil {
		valid.Text(&fs, "description", *patch.Description, 2000)
	}
	var f Fund
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := getScoped(ctx, tx, AidManage, AidRead, "aid_funds", fundCols, id, scanFund)
		if err != nil {
			return err
		}
		if err := version(old.Version); err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		f = old
		changes := map[string]any{}
		if patch.Name != nil && *patch.Name != f.Name {
			changes["name"] = audit.Change{From: f.Name, To: *patch.Name}
			f.Name = *patch.Name
		}
		if patch.Description != nil && *patch.Description != f.Description {
			changes["description"] = audit.Change{From: f.Description, To: *patch.Description}
			f.Description = *patch.Description
		}
		if len(changes) == 0 {
			return nil
		}
		res, err := tx.ExecContext(ctx, `UPDATE aid_funds SET name = $1, description = $2, version = version + 1, updated_at = $3
			WHERE id = $4 AND version = $5`, f.Name, f.Description, db.Micros(tx.Now), id, old.Version)
		if db.IsUnique(err) {
			return apperr.New(apperr.Conflict, "problem.aid_fund_name_taken", "Name", f.Name)
		}
		if err != nil {
			return err
		}
		if err := updated(res); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: f.ZoneID, Node: f.EnterpriseID, Entity: "aid_fund", EntityID: id, Action: "update",
			Summary: changes}); err != nil {
			return err
		}
		f, err = scanFund(tx.QueryRowContext(ctx, `SELECT `+fundCols+` FROM aid_funds WHERE id = $1`, id))
		return err
	})
	return f, err
}

// Entry is one booking of a fund's ledger with the fund's cash after it.
type Entry struct {
	ID            string    `json:"id"`
	FundID        string    `json:"fund_id"`
	Kind          string    `json:"kind"` // contribution | disbursement
	PersonID      *string   `json:"person_id"`
	PersonName    string    `json:"person_name"`
	ApplicationID *string   `json:"application_id"`
	AmountFen     int64     `json:"amount_fen"`
	BookedOn      string    `json:"booked_on"`
	Memo          string    `json:"memo"`
	BalanceFen    int64     `json:"balance_fen"`
	CreatedAt     time.Time `json:"created_at"`
	seq           int64
}

const entryCols = `id, fund_id, kind, person_id, COALESCE((SELECT name FROM people WHERE people.id = aid_entries.person_id), ''), application_id,
	amount_fen, booked_on, memo, seq, created_at`

func scanEntry(s page.Scanner) (Entry, error) {
	var e Entry
	var person, app sql.NullString
	err := s.Scan(&e.ID, &e.FundID, &e.Kind, &person, &e.PersonName, &app, &e.AmountFen, &e.BookedOn, &e.Memo, &e.seq, db.T(&e.CreatedAt))
	e.PersonID, e.ApplicationID = nullStr(person), nullStr(app)
	return e, err
}

// book writes one balanced entry: the fund's cash moves by cash (positive
// in, negative out) in one conditional update that refuses to take it
// below zero (ECONFLICT insufficient funds: the transaction rolls back),
// and the other side goes to contributions or aid. Concurrent bookings of
// one fund queue on its row; the last one's balance check sees the ones
// before it.
func book(ctx context.Context, tx *db.Tx, f Fund, kind string, amount int64, personID, applicationID *string, bookedOn, memo string) (Entry, error) {
	cash := amount
	other := "contributions"
	if kind == "disbursement" {
		cash, other = -amount, "aid"
	}
	var seq, balance int64
	err := tx.QueryRowContext(ctx, `UPDATE aid_funds SET balance_fen = balance_fen + $1, entry_seq = entry_seq + 1, updated_at = $2
		WHERE id = $3 AND balance_fen + $1 >= 0 RETURNING entry_seq, balance_fen`, cash, db.Micros(tx.Now), f.ID).Scan(&seq, &balance)
	if errors.Is(err, sql.ErrNoRows) {
		var held int64
		if err := tx.QueryRowContext(ctx, `SELECT balance_fen FROM aid_funds WHERE id = $1`, f.ID).Scan(&held); err != nil {
			return Entry{}, err
		}
		return Entry{}, apperr.New(apperr.Conflict, "problem.aid_insufficient_funds", "Balance", yuan(held), "Amount", yuan(amount))
	}
	if err != nil {
		return Entry{}, err
	}
	e := Entry{ID: uuid.Must(uuid.NewV7()).String(), FundID: f.ID, Kind: kind, PersonID: personID, ApplicationID: applicationID, AmountFen: amount,
		BookedOn: bookedOn, Memo: memo, BalanceFen: balance, CreatedAt: tx.Now, seq: seq}
	by := "system"
	if p := access.From(ctx); p != nil && p.UserID != "" {
		by = p.UserID
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO aid_entries (id, zone_id, fund_id, kind, person_id, application_id, amount_fen, booked_on, memo, seq,
		created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, e.ID, f.ZoneID, f.ID, kind, personID, applicationID,
		amount, bookedOn, memo, seq, by, db.Micros(tx.Now)); err != nil {
		return e, err
	}
	for _, post := range []struct {
		account string
		amount  int64
	}{{"cash", cash}, {other, -cash}} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO aid_postings (entry_id, account, zone_id, fund_id, amount_fen) VALUES ($1, $2, $3, $4, $5)`,
			e.ID, post.account, f.ZoneID, f.ID, post.amount); err != nil {
			return e, err
		}
	}
	if personID != nil {
		e.PersonName = personName(ctx, tx, *personID)
	}
	return e, nil
}

// yuan formats fen as yuan with two decimals, for messages.
func yuan(fen int64) string { return yuanCell(fen) }

// ContributionInput is money paid into a fund: by a worker (PersonID, of
// the fund's enterprise) or by the enterprise or organisation (none).
type ContributionInput struct {
	PersonID  string
	AmountFen int64
	BookedOn  string // default today
	Memo      string
}

func checkAmount(fs *apperr.Fields, v int64) {
	if v <= 0 || v > MaxAmountFen {
		fs.Add("amount_fen", "out_of_range", "Min", 1, "Max", MaxAmountFen)
	}
}

// Contribute books a contribution. Needs aid.manage over the fund.
// Returns ENOTFOUND, EFORBIDDEN, EVALIDATION.
func (s *Service) Contribute(ctx context.Context, fundID string, in ContributionInput) (Entry, error) {
	var fs apperr.Fields
	checkAmount(&fs, in.AmountFen)
	checkDate(&fs, "booked_on", in.BookedOn)
	valid.Text(&fs, "memo", in.Memo, 500)
	var e Entry
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		f, err := getScoped(ctx, tx, AidManage, AidRead, "aid_funds", fundCols, fundID, scanFund)
		if err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if in.PersonID != "" {
			if err := workerOf(ctx, tx, "person_id", in.PersonID, f.EnterpriseID); err != nil {
				return err
			}
		}
		if in.BookedOn == "" {
			in.BookedOn = tx.Now.In(matrixLocal).Format(time.DateOnly)
		}
		if e, err = book(ctx, tx, f, "contribution", in.AmountFen, optional(in.PersonID), nil, in.BookedOn, in.Memo); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: f.ZoneID, Node: f.EnterpriseID, Entity: "aid_fund", EntityID: f.ID, Action: "contribute",
			Summary: map[string]any{"amount_fen": in.AmountFen, "person_id": in.PersonID, "entry_id": e.ID}})
	})
	return e, err
}

// Statement is a fund's ledger over a period, for the fund or for one
// person: the balance before, each entry with the fund's balance after
// it, the totals, and whether the books balance (every entry's postings
// sum to zero and the cash postings sum to the fund's balance).
type Statement struct {
	Fund           Fund    `json:"fund"`
	PersonID       *string `json:"person_id"`
	From           *string `json:"from"`
	To             *string `json:"to"`
	OpeningFen     int64   `json:"opening_fen"`
	ContributedFen int64   `json:"contributed_fen"`
	DisbursedFen   int64   `json:"disbursed_fen"`
	ClosingFen     int64   `json:"closing_fen"`
	Balanced       bool    `json:"balanced"`
	Entries        []Entry `json:"entries"`
}

// StatementFilter narrows a statement: booked from..to (dates, both
// included), one person's contributions and aid.
type StatementFilter struct{ From, To, PersonID string }

// FundStatement returns the statement of a fund in the caller's scope
// (aid.read). Returns ENOTFOUND, EVALIDATION.
func (s *Service) FundStatement(ctx context.Context, fundID string, sf StatementFilter) (Statement, error) {
	var fs apperr.Fields
	checkDate(&fs, "from", sf.From)
	checkDate(&fs, "to", sf.To)
	if sf.From != "" && sf.To != "" && sf.To < sf.From {
		fs.Add("to", "before_from")
	}
	f, err := s.GetFund(ctx, fundID)
	if err != nil {
		return Statement{}, err
	}
	if err := fs.Err(); err != nil {
		return Statement{}, err
	}
	st := Statement{Fund: f, PersonID: optional(sf.PersonID), From: optional(sf.From), To: optional(sf.To), Entries: []Entry{}}
	var all []Entry
	// A consistent read of the whole ledger: one query, entries in order.
	err = db.Each(ctx, s.DB.R, `SELECT `+entryCols+` FROM aid_entries WHERE fund_id = $1 ORDER BY seq`, db.Args{fundID}, func(sc db.Scanner) error {
		e, err := scanEntry(sc)
		all = append(all, e)
		return err
	})
	if err != nil {
		return st, err
	}
	var balance int64
	for _, e := range all {
		delta := e.AmountFen
		if e.Kind == "disbursement" {
			delta = -delta
		}
		if sf.From != "" && e.BookedOn < sf.From {
			balance += delta
			st.OpeningFen = balance
			continue
		}
		balance += delta
		e.BalanceFen = balance
		if sf.To != "" && e.BookedOn > sf.To {
			continue
		}
		if sf.PersonID != "" && deref(e.PersonID) != sf.PersonID {
			continue
		}
		if e.Kind == "disbursement" {
			st.DisbursedFen += e.AmountFen
		} else {
			st.ContributedFen += e.AmountFen
		}
		st.Entries = append(st.Entries, e)
	}
	st.ClosingFen = st.OpeningFen + st.ContributedFen - st.DisbursedFen
	if sf.PersonID != "" {
		st.OpeningFen, st.ClosingFen = 0, st.ContributedFen-st.DisbursedFen
	}
	var unbalanced, cash, held int64
	if err := s.DB.R.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM (SELECT entry_id FROM aid_postings WHERE fund_id = $1 GROUP BY entry_id HAVING SUM(amount_fen) <> 0) x),
			COALESCE((SELECT SUM(amount_fen) FROM aid_postings WHERE fund_id = $1 AND account = 'cash'), 0),
			(SELECT balance_fen FROM aid_funds WHERE id = $1)`, fundID).Scan(&unbalanced, &cash, &held); err != nil {
		return st, err
	}
	st.Balanced = unbalanced == 0 && cash == held && held >= 0
	return st, nil
}

// Application is a worker's application for aid and where it stands:
// submitted → reviewed (first approval) → approved (second, by someone
// else) → disbursed; rejected from submitted or reviewed.
type Application struct {
	ID           string     `json:"id"`
	ZoneID       string     `json:"zone_id"`
	FundID       string     `json:"fund_id"`
	FundName     string     `json:"fund_name"`
	EnterpriseID string     `json:"enterprise_id"`
	OrgID        *string    `json:"org_id"`
	PersonID     string     `json:"person_id"`
	PersonName   string     `json:"person_name"`
	AmountFen    int64      `json:"amount_fen"`
	Reason       string     `json:"reason"`
	IncidentOn   *string    `json:"incident_on"`
	Status       string     `json:"status"`
	FirstBy      *string    `json:"first_approved_by"`
	FirstAt      *time.Time `json:"first_approved_at"`
	SecondBy     *string    `json:"second_approved_by"`
	SecondAt     *time.Time `json:"second_approved_at"`
	Note         string     `json:"note"`
	DisbursedAt  *time.Time `json:"disbursed_at"`
	Sample       bool       `json:"sample"`
	Version      int        `json:"version"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	filedBy      string
}

// ApplicationStatuses in workflow order.
var ApplicationStatuses = []string{"submitted", "reviewed", "approved", "disbursed", "rejected"}

// ApplicationActions are what ActOnApplication takes.
var ApplicationActions = []string{"approve", "reject", "disburse"}

const appCols = `id, zone_id, fund_id, COALESCE((SELECT name FROM aid_funds f WHERE f.id = aid_applications.fund_id), ''), enterprise_id, org_id,
	person_id, COALESCE((SELECT name FROM people WHERE people.id = aid_applications.person_id), ''), amount_fen, reason, incident_on, status,
	first_by, first_at, second_by, second_at, decided_note, disbursed_at, filed_by, sample, version, created_at, updated_at`

func optTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := db.FromMicros(v.Int64)
	return &t
}

func scanApp(s page.Scanner) (Application, error) {
	var x Application
	var org, incident, first, second sql.NullString
	var firstAt, secondAt, disbursed sql.NullInt64
	err := s.Scan(&x.ID, &x.ZoneID, &x.FundID, &x.FundName, &x.EnterpriseID, &org, &x.PersonID, &x.PersonName, &x.AmountFen, &x.Reason, &incident,
		&x.Status, &first, &firstAt, &second, &secondAt, &x.Note, &disbursed, &x.filedBy, &x.Sample, &x.Version, db.T(&x.CreatedAt), db.T(&x.UpdatedAt))
	x.OrgID, x.IncidentOn, x.FirstBy, x.SecondBy = nullStr(org), nullStr(incident), nullStr(first), nullStr(second)
	x.FirstAt, x.SecondAt, x.DisbursedAt = optTime(firstAt), optTime(secondAt), optTime(disbursed)
	return x, err
}

// ApplicationFilter narrows ListApplications.
type ApplicationFilter struct{ FundID, Status, PersonID string }

// ListApplications lists applications in the caller's scope (aid.read),
// newest first. Returns EINVALID (status).
func (s *Service) ListApplications(ctx context.Context, f ApplicationFilter, p page.Page) (page.List[Application], error) {
	if f.Status != "" && !slices.Contains(ApplicationStatuses, f.Status) {
		return page.List[Application]{}, apperr.BadField("status", "unknown_option", "Value", f.Status)
	}
	var a db.Args
	where := scoped(ctx, AidRead, &a)
	where += a.Equals("fund_id", f.FundID, "status", f.Status, "person_id", f.PersonID)
	return page.Rows(ctx, s.DB.R, p, page.Query{From: "aid_applications", Cols: appCols, Where: where, Args: a, Desc: true}, scanApp,
		page.ByID(func(x Application) string { return x.ID }))
}

// GetApplication returns an application in the caller's scope. Returns
// ENOTFOUND.
func (s *Service) GetApplication(ctx context.Context, id string) (Application, error) {
	return getScoped(ctx, s.DB.R, AidRead, AidRead, "aid_applications", appCols, id, scanApp)
}

// ApplicationInput is an application for aid.
type ApplicationInput struct {
	FundID     string
	PersonID   string
	AmountFen  int64
	Reason     string
	IncidentOn string
	Sample     bool
}

func (in *ApplicationInput) check() error {
	var fs apperr.Fields
	if in.FundID == "" {
		fs.Add("fund_id", "required")
	}
	checkAmount(&fs, in.AmountFen)
	valid.Name(&fs, "reason", &in.Reason, 2000)
	checkDate(&fs, "incident_on", in.IncidentOn)
	return fs.Err()
}

// Apply files an application for a worker of the fund's enterprise, by
// staff holding aid.manage over the fund. Returns ENOTFOUND (fund),
// EFORBIDDEN, EVALIDATION.
func (s *Service) Apply(ctx context.Context, in ApplicationInput) (Application, error) {
	if err := in.check(); err != nil {
		return Application{}, err
	}
	var x Application
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		f, err := getScoped(ctx, tx, AidManage, AidRead, "aid_funds", fundCols, in.FundID, scanFund)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.Field("fund_id", "unknown_value")
		}
		if err != nil {
			return err
		}
		if err := workerOf(ctx, tx, "person_id", in.PersonID, f.EnterpriseID); err != nil {
			return err
		}
		x, err = apply(ctx, tx, f, in)
		return err
	})
	return x, err
}

// ApplyAsSelf files an application of the worker the caller's account is
// bound to, to a fund of their enterprise. Returns ENOTFOUND (not bound
// to a worker), EVALIDATION (fund_id of another enterprise).
func (s *Service) ApplyAsSelf(ctx context.Context, in ApplicationInput) (Application, error) {
	if err := in.check(); err != nil {
		return Application{}, err
	}
	var x Application
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		person, ent, _, err := self(ctx, tx)
		if err != nil {
			return err
		}
		f, err := scanFund(tx.QueryRowContext(ctx, `SELECT `+fundCols+` FROM aid_funds WHERE id = $1 AND enterprise_id = $2`, in.FundID, ent))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Field("fund_id", "unknown_value")
		}
		if err != nil {
			return err
		}
		in.PersonID = person
		x, err = apply(ctx, tx, f, in)
		return err
	})
	return x, err
}

func apply(ctx context.Context, tx *db.Tx, f Fund, in ApplicationInput) (Application, error) {
	id := uuid.Must(uuid.NewV7()).String()
	by := "system"
	if p := access.From(ctx); p != nil && p.UserID != "" {
		by = p.UserID
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO aid_applications (id, zone_id, fund_id, enterprise_id, org_id, person_id, filed_by, amount_fen, reason,
		incident_on, status, sample, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'submitted', $11, $12, $12)`,
		id, f.ZoneID, f.ID, f.EnterpriseID, f.OrgID, in.PersonID, by, in.AmountFen, in.Reason, optional(in.IncidentOn), in.Sample, db.Micros(tx.Now)); err != nil {
		return Application{}, err
	}
	if err := audit.Record(ctx, tx, audit.Event{ZoneID: f.ZoneID, Node: f.EnterpriseID, Entity: "aid_application", EntityID: id, Action: "create",
		Summary: map[string]any{"fund_id": f.ID, "person_id": in.PersonID, "amount_fen": in.AmountFen}}); err != nil {
		return Application{}, err
	}
	return scanApp(tx.QueryRowContext(ctx, `SELECT `+appCols+` FROM aid_applications WHERE id = $1`, id))
}

// MyApplications lists the applications of the worker the caller's
// account is bound to, newest first (none for an account bound to nobody).
func (s *Service) MyApplications(ctx context.Context) ([]Application, error) {
	out := []Application{}
	p := access.From(ctx)
	if p == nil || p.PersonID == "" {
		return out, nil
	}
	err := db.Each(ctx, s.DB.R, `SELECT `+appCols+` FROM aid_applications WHERE person_id = $1 ORDER BY id DESC`, db.Args{p.PersonID},
		func(sc db.Scanner) error {
			x, err := scanApp(sc)
			out = append(out, x)
			return err
		})
	return out, err
}

// MyFunds lists the funds of the enterprise the caller's account's worker
// works for (none for an account bound to nobody).
func (s *Service) MyFunds(ctx context.Context) ([]Fund, error) {
	out := []Fund{}
	_, ent, _, err := self(ctx, s.DB.R)
	if apperr.Is(err, apperr.NotFound) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	err = db.Each(ctx, s.DB.R, `SELECT `+fundCols+` FROM aid_funds WHERE enterprise_id = $1 ORDER BY name, id`, db.Args{ent}, func(sc db.Scanner) error {
		f, err := scanFund(sc)
		out = append(out, f)
		return err
	})
	return out, err
}

// ActOnApplication moves an application on. Needs aid.manage over it.
//
//   - approve: the first approval (submitted → reviewed) and the second
//     (reviewed → approved) must come from two different users, neither
//     the applicant (an account bound to them) nor the one who filed it.
//   - reject: from submitted or reviewed.
//   - disburse: approved → disbursed, the amount booked out of the fund in
//     the same transaction; a fund holding less refuses (ECONFLICT) and
//     nothing changes. The disbursement counts in the 3.14π matrix
//     (service guarantee, at the enterprise).
//
// Concurrent actions on one application run one after the other (its row
// lock), each on the state the one before left. Returns ENOTFOUND, EFORBIDDEN (the
// applicant or filer approving), EVALIDATION (unknown action), ECONFLICT
// (state, same approver twice, insufficient funds).
func (s *Service) ActOnApplication(ctx context.Context, id, action, note string) (Application, error) {
	if !slices.Contains(ApplicationActions, action) {
		return Application{}, apperr.Field("action", "unknown_value")
	}
	var fs apperr.Fields
	valid.Text(&fs, "note", note, 1000)
	if err := fs.Err(); err != nil {
		return Application{}, err
	}
	var x Application
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		// Take the application's row lock before reading it, so that
		// actions on it run one after the other and each sees the state
		// the one before left (two approvers at once: the second approves
		// the second step rather than failing on the first).
		if _, err := tx.ExecContext(ctx, `UPDATE aid_applications SET version = version WHERE id = $1`, id); err != nil {
			return err
		}
		old, err := getScoped(ctx, tx, AidManage, AidRead, "aid_applications", appCols, id, scanApp)
		if err != nil {
			return err
		}
		p := access.From(ctx)
		next := ""
		switch action {
		case "approve":
			if p.PersonID == old.PersonID || p.UserID == old.filedBy {
				return apperr.New(apperr.Forbidden, "problem.aid_own_application")
			}
			switch old.Status {
			case "submitted":
				next = "reviewed"
			case "reviewed":
				if deref(old.FirstBy) == p.UserID {
					return apperr.New(apperr.Conflict, "problem.aid_same_approver")
				}
				next = "approved"
			}
		case "reject":
			if old.Status == "submitted" || old.Status == "reviewed" {
				next = "rejected"
			}
		case "disburse":
			if old.Status == "approved" {
				next = "disbursed"
			}
		}
		if next == "" {
			return apperr.New(apperr.Conflict, "problem.aid_transition", "Status", old.Status, "Action", action)
		}
		now := db.Micros(tx.Now)
		q := `UPDATE aid_applications SET status = $1, version = version + 1, updated_at = $2`
		args := db.Args{next, now}
		switch {
		case next == "reviewed":
			q += `, first_by = ` + args.Add(p.UserID) + `, first_at = ` + args.Add(now)
		case next == "approved":
			q += `, second_by = ` + args.Add(p.UserID) + `, second_at = ` + args.Add(now)
		case next == "disbursed":
			q += `, disbursed_at = ` + args.Add(now)
		}
		if note != "" {
			q += `, decided_note = ` + args.Add(note)
		}
		q += ` WHERE id = ` + args.Add(id) + ` AND status = ` + args.Add(old.Status) + ` AND version = ` + args.Add(old.Version)
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if err := updated(res); err != nil {
			return err
		}
		summary := map[string]any{"status": audit.Change{From: old.Status, To: next}}
		if next == "disbursed" {
			f, err := scanFund(tx.QueryRowContext(ctx, `SELECT `+fundCols+` FROM aid_funds WHERE id = $1`, old.FundID))
			if err != nil {
				return err
			}
			e, err := book(ctx, tx, f, "disbursement", old.AmountFen, &old.PersonID, &old.ID, tx.Now.In(matrixLocal).Format(time.DateOnly), old.Reason)
			if err != nil {
				return err
			}
			summary["entry_id"], summary["amount_fen"] = e.ID, old.AmountFen
			if err := count(ctx, tx, old.EnterpriseID, "service", tx.Now, 1); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: old.EnterpriseID, Entity: "aid_application", EntityID: id, Action: action,
			Summary: summary}); err != nil {
			return err
		}
		x, err = scanApp(tx.QueryRowContext(ctx, `SELECT `+appCols+` FROM aid_applications WHERE id = $1`, id))
		return err
	})
	return x, err
}

// MyEntries is the personal statement of the worker the caller's account
// is bound to: their contributions and the aid paid to them, in every
// fund, in booking order, with their totals (none for an account bound to
// nobody). Each entry's balance_fen is its fund's balance after it.
func (s *Service) MyEntries(ctx context.Context) (PersonalStatement, error) {
	out := PersonalStatement{Entries: []Entry{}}
	p := access.From(ctx)
	if p == nil || p.PersonID == "" {
		return out, nil
	}
	err := db.Each(ctx, s.DB.R, `SELECT `+entryCols+`,
		(SELECT balance_fen FROM aid_funds f WHERE f.id = aid_entries.fund_id) - COALESCE((SELECT SUM(CASE WHEN l.kind = 'disbursement' THEN -l.amount_fen ELSE l.amount_fen END)
			FROM aid_entries l WHERE l.fund_id = aid_entries.fund_id AND l.seq > aid_entries.seq), 0)
		FROM aid_entries WHERE person_id = $1 ORDER BY booked_on, created_at, id`, db.Args{p.PersonID}, func(sc db.Scanner) error {
		var e Entry
		var person, app sql.NullString
		if err := sc.Scan(&e.ID, &e.FundID, &e.Kind, &person, &e.PersonName, &app, &e.AmountFen, &e.BookedOn, &e.Memo, &e.seq, db.T(&e.CreatedAt),
			&e.BalanceFen); err != nil {
			return err
		}
		e.PersonID, e.ApplicationID = nullStr(person), nullStr(app)
		if e.Kind == "disbursement" {
			out.ReceivedFen += e.AmountFen
		} else {
			out.ContributedFen += e.AmountFen
		}
		out.Entries = append(out.Entries, e)
		return nil
	})
	return out, err
}

// PersonalStatement is one worker's contributions and aid received.
type PersonalStatement struct {
	ContributedFen int64   `json:"contributed_fen"`
	ReceivedFen    int64   `json:"received_fen"`
	Entries        []Entry `json:"entries"`
}
