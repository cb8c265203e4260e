package mediation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/valid"
)

// Note is a note on a case: for every one on it ("case"), or private to
// one side's session ("applicant", "respondent") — that side, the
// mediator and the staff read it, the other side does not.
type Note struct {
	ID         string    `json:"id"`
	Visibility string    `json:"visibility"`
	Text       string    `json:"text"`
	AuthorID   *string   `json:"author_id"`
	CreatedAt  time.Time `json:"created_at"`
}

func notesOf(ctx context.Context, q db.Querier, caseID string, v viewer) ([]Note, error) {
	out := []Note{}
	err := db.Each(ctx, q, `SELECT id, visibility, text, author_id, created_at FROM mediation_notes WHERE case_id = $1 ORDER BY created_at, id`, db.Args{caseID},
		func(sc db.Scanner) error {
			var n Note
			var author sql.NullString
			if err := sc.Scan(&n.ID, &n.Visibility, &n.Text, &author, db.T(&n.CreatedAt)); err != nil {
				return err
			}
			n.AuthorID = ptr(author)
			if n.Visibility == "case" || v.staff || v.mediator {
				out = append(out, n)
				return nil
			}
			for _, side := range v.sides {
				if side == n.Visibility {
					out = append(out, n)
					return nil
				}
			}
			return nil
		})
	return out, err
}

// AddNote adds a note. Staff and the mediator write notes of any
// visibility; a party writes on the case or private to their own side.
// Returns ENOTFOUND, EFORBIDDEN, EVALIDATION.
func (s *Service) AddNote(ctx context.Context, id, visibility, text string) (Note, error) {
	var fs apperr.Fields
	valid.Name(&fs, "text", &text, MaxNote)
	if visibility == "" {
		visibility = "case"
	}
	if visibility != "case" && visibility != "applicant" && visibility != "respondent" {
		fs.Add("visibility", "unknown_value")
	}
	n := Note{ID: uuid.Must(uuid.NewV7()).String(), Visibility: visibility, Text: text}
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		c, v, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if !v.staff && !v.mediator && visibility != "case" && !contains(v.sides, visibility) {
			return apperr.New(apperr.Forbidden, "")
		}
		n.CreatedAt = tx.Now
		if u := userOf(ctx); u != "" {
			n.AuthorID = &u
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_notes (id, case_id, zone_id, visibility, text, author_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			n.ID, id, c.ZoneID, visibility, text, db.NullString(userOf(ctx)), db.Micros(tx.Now)); err != nil {
			return err
		}
		// The timeline says a note was added and for whom, not what it says.
		if err := addEvent(ctx, tx, id, c.ZoneID, userOf(ctx), "note", c.Status, visibility); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Node: c.ParkID, Entity: "mediation_case", EntityID: id, Action: "note",
			Summary: map[string]any{"visibility": visibility}})
	})
	return n, err
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Signature is a party's signature of the agreement.
type Signature struct {
	PartyID  string    `json:"party_id"`
	Name     string    `json:"name"`
	SignedAt time.Time `json:"signed_at"`
}

// Payment is an amount paid against the agreement.
type Payment struct {
	ID        string    `json:"id"`
	AmountFen int64     `json:"amount_fen"`
	PaidOn    string    `json:"paid_on"`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
}

// Agreement is the settlement agreement (调解协议书) of a case.
type Agreement struct {
	Terms       string      `json:"terms"`
	AmountFen   int64       `json:"amount_fen"`
	PayBy       string      `json:"pay_by"`
	AgreedOn    string      `json:"agreed_on"`
	Version     int         `json:"version"`
	Signatures  []Signature `json:"signatures"`
	FullySigned bool        `json:"fully_signed"`
	PaidFen     int64       `json:"paid_fen"`
	Payments    []Payment   `json:"payments"`
	UpdatedAt   time.Time   `json:"updated_at"`
}

func agreementOf(ctx context.Context, q db.Querier, caseID string) (*Agreement, error) {
	var ag Agreement
	err := q.QueryRowContext(ctx, `SELECT terms, amount_fen, pay_by, agreed_on, version, updated_at FROM mediation_agreements WHERE case_id = $1`, caseID).
		Scan(&ag.Terms, &ag.AmountFen, &ag.PayBy, &ag.AgreedOn, &ag.Version, db.T(&ag.UpdatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ag.Signatures, ag.Payments = []Signature{}, []Payment{}
	err = db.Each(ctx, q, `SELECT s.party_id, p.name, s.signed_at FROM mediation_signatures s JOIN mediation_parties p ON p.id = s.party_id
		WHERE s.case_id = $1 ORDER BY s.signed_at, s.party_id`, db.Args{caseID}, func(sc db.Scanner) error {
		var sg Signature
		err := sc.Scan(&sg.PartyID, &sg.Name, db.T(&sg.SignedAt))
		ag.Signatures = append(ag.Signatures, sg)
		return err
	})
	if err != nil {
		return nil, err
	}
	err = db.Each(ctx, q, `SELECT id, amount_fen, paid_on, note, created_at FROM mediation_payments WHERE case_id = $1 ORDER BY paid_on, id`, db.Args{caseID},
		func(sc db.Scanner) error {
			var p Payment
			err := sc.Scan(&p.ID, &p.AmountFen, &p.PaidOn, &p.Note, db.T(&p.CreatedAt))
			ag.Payments = append(ag.Payments, p)
			ag.PaidFen += p.AmountFen
			return err
		})
	if err != nil {
		return nil, err
	}
	ag.FullySigned, err = fullySigned(ctx, q, caseID)
	return &ag, err
}

// fullySigned reports whether the agreement exists and both principal
// parties (the applicant and the respondent) have signed it.
func fullySigned(ctx context.Context, q db.Querier, caseID string) (bool, error) {
	var has, missing int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM mediation_agreements WHERE case_id = $1`, caseID).Scan(&has); err != nil {
		return false, err
	}
	if has == 0 {
		return false, nil
	}
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM mediation_parties p WHERE p.case_id = $1 AND p.role IN ('applicant', 'respondent')
		AND NOT EXISTS (SELECT 1 FROM mediation_signatures s WHERE s.case_id = p.case_id AND s.party_id = p.id)`, caseID).Scan(&missing)
	return missing == 0, err
}

// AgreementInput drafts or redrafts the agreement.
type AgreementInput struct {
	Terms     string
	AmountFen int64
	PayBy     string // YYYY-MM-DD, optional
	AgreedOn  string // YYYY-MM-DD, defaults to today (China time)
}

func checkDate(fs *apperr.Fields, field, s string) {
	if s == "" {
		return
	}
	if _, err := time.Parse("2006-01-02", s); err != nil {
		fs.Add(field, "invalid_date")
	}
}

// SaveAgreement drafts or redrafts the agreement of a case in mediation
// (its mediator or the staff). Changing it removes the signatures given
// to the previous text. Returns ENOTFOUND, EFORBIDDEN, EVALIDATION,
// ECONFLICT (not in mediation; payments already recorded).
func (s *Service) SaveAgreement(ctx context.Context, id string, in AgreementInput) (Case, error) {
	var fs apperr.Fields
	if in.Terms = strings.TrimSpace(in.Terms); in.Terms == "" {
		fs.Add("terms", "required")
	}
	valid.Text(&fs, "terms", in.Terms, MaxTerms)
	checkFen(&fs, "amount_fen", in.AmountFen, true)
	checkDate(&fs, "pay_by", in.PayBy)
	checkDate(&fs, "agreed_on", in.AgreedOn)
	if in.PayBy != "" && in.AgreedOn != "" && in.PayBy < in.AgreedOn {
		fs.Add("pay_by", "before_from")
	}
	var out Case
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		c, v, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if !v.staff && !v.mediator {
			return apperr.New(apperr.Forbidden, "")
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if c.Status != InMediation {
			return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.agreement_not_now", Params: map[string]any{"State": c.Status}}
		}
		if in.AgreedOn == "" {
			in.AgreedOn = tx.Now.In(China).Format("2006-01-02")
		}
		res, err := tx.ExecContext(ctx, `UPDATE mediation_agreements SET terms = $1, amount_fen = $2, pay_by = $3, agreed_on = $4, version = version + 1, updated_at = $5
			WHERE case_id = $6`, in.Terms, in.AmountFen, in.PayBy, in.AgreedOn, db.Micros(tx.Now), id)
		if err != nil {
			return err
		}
		action := "agreement_revised"
		if n, _ := res.RowsAffected(); n == 0 {
			action = "agreement_drafted"
			if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_agreements (case_id, zone_id, terms, amount_fen, pay_by, agreed_on, version, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)`, id, c.ZoneID, in.Terms, in.AmountFen, in.PayBy, in.AgreedOn, db.Micros(tx.Now)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM mediation_signatures WHERE case_id = $1`, id); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, id, c.ZoneID, userOf(ctx), action, c.Status, Yuan(in.AmountFen)); err != nil {
			return err
		}
		if err := bump(ctx, tx, id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Node: c.ParkID, Entity: "mediation_case", EntityID: id, Action: action,
			Summary: map[string]any{"amount_fen": in.AmountFen}}); err != nil {
			return err
		}
		out, err = s.afterWrite(ctx, tx, id)
		return err
	})
	return out, err
}

// Sign records that a party signed the agreement (the mediator or the
// staff record it, as the party signs the printed document; a party's own
// account may record their own signature). Returns ENOTFOUND, EFORBIDDEN,
// EVALIDATION (unknown party), ECONFLICT (no agreement, not in mediation,
// signed already).
func (s *Service) Sign(ctx context.Context, id, partyID string) (Case, error) {
	var out Case
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		c, v, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if partyID == "" {
			return apperr.Field("party_id", "required")
		}
		var name, side string
		var person sql.NullString
		err = tx.QueryRowContext(ctx, `SELECT name, side, person_id FROM mediation_parties WHERE id = $1 AND case_id = $2`, partyID, id).Scan(&name, &side, &person)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Field("party_id", "unknown_value")
		}
		if err != nil {
			return err
		}
		own := false
		if p := personOfCaller(ctx); p != "" && person.Valid && person.String == p {
			own = true
		}
		if !v.staff && !v.mediator && !own {
			return apperr.New(apperr.Forbidden, "")
		}
		if c.Status != InMediation {
			return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.agreement_not_now", Params: map[string]any{"State": c.Status}}
		}
		if ag, err := agreementOf(ctx, tx, id); err != nil {
			return err
		} else if ag == nil {
			return apperr.New(apperr.Conflict, "problem.no_agreement")
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM mediation_signatures WHERE case_id = $1 AND party_id = $2`, id, partyID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "problem.already_signed")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_signatures (case_id, party_id, zone_id, signed_at, recorded_by) VALUES ($1, $2, $3, $4, $5)`,
			id, partyID, c.ZoneID, db.Micros(tx.Now), db.NullString(userOf(ctx))); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, id, c.ZoneID, userOf(ctx), "sign", c.Status, name); err != nil {
			return err
		}
		if err := bump(ctx, tx, id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Node: c.ParkID, Entity: "mediation_case", EntityID: id, Action: "sign",
			Summary: map[string]any{"party_id": partyID}}); err != nil {
			return err
		}
		out, err = s.afterWrite(ctx, tx, id)
		return err
	})
	return out, err
}

// PaymentInput records a payment against the agreement.
type PaymentInput struct {
	AmountFen int64
	PaidOn    string
	Note      string
}

// RecordPayment records an amount paid against a settled case's
// agreement (its mediator or the staff). The payments never exceed the
// agreed amount. Returns ENOTFOUND, EFORBIDDEN, EVALIDATION (an amount
// not positive, absurd or beyond what remains), ECONFLICT (not settled).
func (s *Service) RecordPayment(ctx context.Context, id string, in PaymentInput) (Case, error) {
	var fs apperr.Fields
	checkFen(&fs, "amount_fen", in.AmountFen, false)
	if in.PaidOn == "" {
		fs.Add("paid_on", "required")
	}
	checkDate(&fs, "paid_on", in.PaidOn)
	valid.Text(&fs, "note", in.Note, 200)
	var out Case
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		c, v, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if !v.staff && !v.mediator {
			return apperr.New(apperr.Forbidden, "")
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if c.Outcome != "settled" {
			return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.payment_not_now", Params: map[string]any{"State": c.Status}}
		}
		if in.PaidOn > tx.Now.In(China).Format("2006-01-02") {
			return apperr.Field("paid_on", "in_future")
		}
		// The case row is the lock: two payments racing for the remainder
		// are serialised by the version bump below (the second re-reads).
		if err := bump(ctx, tx, id); err != nil {
			return err
		}
		var agreed, paid int64
		if err := tx.QueryRowContext(ctx, `SELECT a.amount_fen, COALESCE((SELECT SUM(amount_fen) FROM mediation_payments WHERE case_id = a.case_id), 0)
			FROM mediation_agreements a WHERE a.case_id = $1`, id).Scan(&agreed, &paid); err != nil {
			return err
		}
		if paid+in.AmountFen > agreed {
			return apperr.Field("amount_fen", "overpaid", "Remaining", Yuan(agreed-paid))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_payments (id, case_id, zone_id, amount_fen, paid_on, note, recorded_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, uuid.Must(uuid.NewV7()).String(), id, c.ZoneID, in.AmountFen, in.PaidOn, in.Note,
			db.NullString(userOf(ctx)), db.Micros(tx.Now)); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, id, c.ZoneID, userOf(ctx), "payment", c.Status, Yuan(in.AmountFen)); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Node: c.ParkID, Entity: "mediation_case", EntityID: id, Action: "payment",
			Summary: map[string]any{"amount_fen": in.AmountFen}}); err != nil {
			return err
		}
		out, err = s.afterWrite(ctx, tx, id)
		return err
	})
	return out, err
}

// Yuan formats fen as yuan with two decimals ("12,345.60" without the
// separators: "12345.60").
func Yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// Document is what the printable agreement shows.
type Document struct {
	Case      Case
	Agreement Agreement
	Applicant []Party
	Respond   []Party
	Amount    string // 12345.60
	AmountCN  string // 壹万贰仟叁佰肆拾伍元陆角整
	AgreedOn  string // 2024年6月18日
	PayBy     string
	TypeName  string
}

// AgreementDocument returns what the printable agreement of a case shows,
// for whoever may see the case; the read is audited. Returns ENOTFOUND,
// ECONFLICT (no agreement yet).
func (s *Service) AgreementDocument(ctx context.Context, id string) (Document, error) {
	var d Document
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		c, _, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		ag, err := agreementOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if ag == nil {
			return apperr.New(apperr.Conflict, "problem.no_agreement")
		}
		cs := []Case{c}
		if err := fillParties(ctx, tx, cs); err != nil {
			return err
		}
		d = Document{Case: cs[0], Agreement: *ag, Amount: Yuan(ag.AmountFen), AmountCN: Capital(ag.AmountFen), AgreedOn: chineseDate(ag.AgreedOn),
			PayBy: chineseDate(ag.PayBy), TypeName: typeNames[c.Type]}
		for _, p := range cs[0].Parties {
			if p.Side == "applicant" {
				d.Applicant = append(d.Applicant, p)
			} else {
				d.Respond = append(d.Respond, p)
			}
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Node: c.ParkID, Entity: "mediation_case", EntityID: id, Action: "read_agreement"})
	})
	return d, err
}

var typeNames = map[string]string{"work_injury": "工伤待遇争议", "unpaid_wages": "拖欠工资争议", "dismissal": "解除劳动合同争议",
	"social_insurance": "社会保险争议", "other": "劳动争议"}

func chineseDate(s string) string {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// Capital writes fen as the capital Chinese numerals a settlement uses
// (人民币大写): 1234560 → 壹万贰仟叁佰肆拾伍元陆角整.
func Capital(fen int64) string {
	if fen == 0 {
		return "零元整"
	}
	digits := []rune("零壹贰叁肆伍陆柒捌玖")
	units := []string{"", "拾", "佰", "仟"}
	big := []string{"", "万", "亿", "万亿", "亿亿"}
	yuan, jiao, fenPart := fen/100, (fen/10)%10, fen%10
	var b strings.Builder
	if yuan > 0 {
		ds := strconv.FormatInt(yuan, 10)
		n := len(ds)
		zeros := false
		for i := 0; i < n; i++ {
			pos := n - 1 - i
			d := ds[i] - '0'
			if d == 0 {
				zeros = true
			} else {
				if zeros {
					b.WriteRune(digits[0])
				}
				zeros = false
				b.WriteRune(digits[d])
				b.WriteString(units[pos%4])
			}
			if pos%4 == 0 && pos > 0 && strings.Trim(ds[max(0, i-3):i+1], "0") != "" {
				b.WriteString(big[pos/4])
			}
		}
		b.WriteString("元")
	}
	switch {
	case jiao == 0 && fenPart == 0:
		b.WriteString("整")
	case jiao == 0:
		if yuan > 0 {
			b.WriteRune(digits[0])
		}
		b.WriteRune(digits[fenPart])
		b.WriteString("分")
	default:
		b.WriteRune(digits[jiao])
		b.WriteString("角")
		if fenPart > 0 {
			b.WriteRune(digits[fenPart])
			b.WriteString("分")
		} else {
			b.WriteString("整")
		}
	}
	return b.String()
}
