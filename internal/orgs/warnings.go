package orgs

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/db"
	"tongxin/internal/page"
)

// Thresholds of the party-organisation rules (PRODUCT.md, "Domain rules",
// after the Regulations on the Work of Party Branches, 中国共产党支部工作条例).
const (
	// MinFullMembersForOrg: "3 or more full members form a branch" — an
	// enterprise with this many full members and no organisation should
	// form one (enterprise_needs_org).
	MinFullMembersForOrg = 3
	// MaxBranchMembers: "a branch normally has at most 50 members" —
	// more is branch_too_large (full and probationary members counted).
	MaxBranchMembers = 50
	// MinMembersForCommittee: "a branch with 7 or more members elects a
	// committee of 3–5" — without one it is committee_required.
	MinMembersForCommittee = 7
	// TermWarningDays: "the platform warns before a term ends" — a term
	// ending within this many days is term_ending; one already past is
	// term_overdue (an election is overdue).
	TermWarningDays = 90
	// OutOfContactMonths: "a member out of contact for 6 months (no
	// meetings, no dues) is flagged" — members_out_of_contact.
	OutOfContactMonths = 6
)

// Warning codes.
const (
	WarnEnterpriseNeedsOrg = "enterprise_needs_org"
	WarnBranchTooLarge     = "branch_too_large"
	WarnCommitteeRequired  = "committee_required"
	WarnTermEnding         = "term_ending"
	WarnTermOverdue        = "term_overdue"
	WarnOutOfContact       = "members_out_of_contact"
)

// WarningCodes lists every warning code.
var WarningCodes = []string{WarnBranchTooLarge, WarnCommitteeRequired, WarnEnterpriseNeedsOrg, WarnOutOfContact, WarnTermEnding, WarnTermOverdue}

// Warning is one rule an organisation breaks, computed from the data
// (never stored). Params depend on the code:
//
//	branch_too_large        members, max
//	committee_required      members, min
//	term_ending             term_ends_on, days_left (0: ends today)
//	term_overdue            term_ends_on, days_overdue
//	members_out_of_contact  count, months
//	enterprise_needs_org    full_members, min
type Warning struct {
	Code   string         `json:"code"`
	Params map[string]any `json:"params"`
}

// ReportItem is a warning with what it is about: an organisation, or (for
// enterprise_needs_org) an enterprise.
type ReportItem struct {
	// ID is the warning's stable key: its code and the id of what it is about.
	ID             string         `json:"id"`
	Code           string         `json:"code"`
	OrgID          *string        `json:"org_id"`
	OrgName        *string        `json:"org_name"`
	EnterpriseID   *string        `json:"enterprise_id"`
	EnterpriseName *string        `json:"enterprise_name"`
	ParkID         *string        `json:"park_id"`
	Params         map[string]any `json:"params"`
}

// ReportFilter narrows the report.
type ReportFilter struct {
	ParkID string
	Code   string
}

// warningQuery is the report's SQL statement: a UNION ALL of one
// aggregate query per rule over the caller's scope, each row a warning
// (key, code, org, enterprise, park, a count and a date). Its thresholds
// are the constants above; "today" is the service's clock. Get applies
// the organisation rules to one row in Go (warningsOf), from counts read
// with the row.
func (s *Service) warningQuery(sc access.Scope, f ReportFilter, a *db.Args) string {
	today := s.today()
	var parts []string
	orgScope := func() string {
		w := sc.Where(a, attach("o.")...)
		if f.ParkID != "" {
			w += " AND o.park_id = " + a.Add(f.ParkID)
		}
		return w
	}
	want := func(code string) bool { return f.Code == "" || f.Code == code }
	const orgCols = `o.id AS org_id, o.name AS org_name, CAST(NULL AS TEXT) AS enterprise_id, CAST(NULL AS TEXT) AS enterprise_name, o.park_id AS park_id`
	members := `JOIN people p ON p.org_id = o.id AND p.party_status IN ('full', 'probationary')`
	branch := `o.kind IN ('` + KindBranch + `', '` + KindJointBranch + `')`
	if want(WarnTermOverdue) {
		parts = append(parts, `SELECT '`+WarnTermOverdue+`:' || o.id AS id, '`+WarnTermOverdue+`' AS code, `+orgCols+`, 0 AS n, o.term_ends_on AS on_date
			FROM orgs o WHERE `+orgScope()+` AND o.term_ends_on < `+a.Add(date(today)))
	}
	if want(WarnTermEnding) {
		parts = append(parts, `SELECT '`+WarnTermEnding+`:' || o.id AS id, '`+WarnTermEnding+`' AS code, `+orgCols+`, 0 AS n, o.term_ends_on AS on_date
			FROM orgs o WHERE `+orgScope()+` AND o.term_ends_on >= `+a.Add(date(today))+
			` AND o.term_ends_on <= `+a.Add(date(today.AddDate(0, 0, TermWarningDays))))
	}
	if want(WarnBranchTooLarge) {
		parts = append(parts, `SELECT '`+WarnBranchTooLarge+`:' || o.id AS id, '`+WarnBranchTooLarge+`' AS code, `+orgCols+`, COUNT(*) AS n, CAST(NULL AS TEXT) AS on_date
			FROM orgs o `+members+` WHERE `+orgScope()+` AND `+branch+`
			GROUP BY o.id, o.name, o.park_id HAVING COUNT(*) > `+a.Add(MaxBranchMembers))
	}
	if want(WarnCommitteeRequired) {
		parts = append(parts, `SELECT '`+WarnCommitteeRequired+`:' || o.id AS id, '`+WarnCommitteeRequired+`' AS code, `+orgCols+`, COUNT(*) AS n, CAST(NULL AS TEXT) AS on_date
			FROM orgs o `+members+` WHERE `+orgScope()+` AND `+branch+` AND NOT o.has_committee
			GROUP BY o.id, o.name, o.park_id HAVING COUNT(*) >= `+a.Add(MinMembersForCommittee))
	}
	if want(WarnOutOfContact) {
		cut := a.Add(date(today.AddDate(0, -OutOfContactMonths, 0)))
		parts = append(parts, `SELECT '`+WarnOutOfContact+`:' || o.id AS id, '`+WarnOutOfContact+`' AS code, `+orgCols+`, COUNT(*) AS n, CAST(NULL AS TEXT) AS on_date
			FROM orgs o `+members+` WHERE `+orgScope()+`
			AND (p.last_contact_on < `+cut+` OR (p.last_contact_on IS NULL AND p.joined_on < `+cut+`))
			GROUP BY o.id, o.name, o.park_id`)
	}
	if want(WarnEnterpriseNeedsOrg) {
		w := sc.Where(a, access.ByZone("e.zone_id"), access.ByNode("e.id"))
		if f.ParkID != "" {
			w += " AND e.park_id = " + a.Add(f.ParkID)
		}
		parts = append(parts, `SELECT '`+WarnEnterpriseNeedsOrg+`:' || e.id AS id, '`+WarnEnterpriseNeedsOrg+`' AS code, CAST(NULL AS TEXT) AS org_id, CAST(NULL AS TEXT) AS org_name, e.id AS enterprise_id, e.name AS enterprise_name, e.park_id AS park_id, COUNT(*) AS n, CAST(NULL AS TEXT) AS on_date
			FROM enterprises e JOIN people p ON p.enterprise_id = e.id AND p.party_status = 'full'
			WHERE `+w+` AND NOT EXISTS (SELECT 1 FROM org_enterprises oe WHERE oe.enterprise_id = e.id)
			GROUP BY e.id, e.name, e.park_id HAVING COUNT(*) >= `+a.Add(MinFullMembersForOrg))
	}
	if len(parts) == 0 {
		parts = append(parts, `SELECT '' AS id, '' AS code, `+orgCols+`, 0 AS n, CAST(NULL AS TEXT) AS on_date FROM orgs o WHERE 1=0`)
	}
	return "(" + strings.Join(parts, "\nUNION ALL\n") + ") w"
}

const reportCols = `id, code, org_id, org_name, enterprise_id, enterprise_name, park_id, n, on_date`

func (s *Service) scanReport(sc page.Scanner) (ReportItem, error) {
	var it ReportItem
	var org, orgName, ent, entName, park, on sql.NullString
	var n int
	if err := sc.Scan(&it.ID, &it.Code, &org, &orgName, &ent, &entName, &park, &n, &on); err != nil {
		return it, err
	}
	it.OrgID, it.OrgName, it.EnterpriseID, it.EnterpriseName, it.ParkID = db.Ref(&org), db.Ref(&orgName), db.Ref(&ent), db.Ref(&entName), db.Ref(&park)
	it.Params = s.params(it.Code, n, on.String)
	return it, nil
}

// params are a warning's figures, from its row.
func (s *Service) params(code string, n int, on string) map[string]any {
	days := 0
	if d, ok := parseDate(on); ok {
		days = int(d.Sub(s.today()) / (24 * time.Hour))
	}
	switch code {
	case WarnTermEnding:
		return map[string]any{"term_ends_on": on, "days_left": days}
	case WarnTermOverdue:
		return map[string]any{"term_ends_on": on, "days_overdue": -days}
	case WarnBranchTooLarge:
		return map[string]any{"members": n, "max": MaxBranchMembers}
	case WarnCommitteeRequired:
		return map[string]any{"members": n, "min": MinMembersForCommittee}
	case WarnOutOfContact:
		return map[string]any{"count": n, "months": OutOfContactMonths}
	case WarnEnterpriseNeedsOrg:
		return map[string]any{"full_members": n, "min": MinFullMembersForOrg}
	}
	return map[string]any{}
}

// CheckReportFilter validates the report's filters. Returns EINVALID (400)
// naming the query parameter.
func CheckReportFilter(f ReportFilter) error {
	if f.Code != "" && !slices.Contains(WarningCodes, f.Code) {
		return apperr.BadField("code", "unknown_value")
	}
	return nil
}

// Report lists every warning in the caller's org.read scope: the
// organisations' and, for enterprises in scope, enterprise_needs_org. It
// is paged like every list, ordered by code and then by the id of the
// organisation or enterprise, and computed afresh on each request (one
// aggregate query per rule, not one per organisation). Returns EINVALID
// for a bad filter.
func (s *Service) Report(ctx context.Context, f ReportFilter, p page.Page) (page.List[ReportItem], error) {
	if err := CheckReportFilter(f); err != nil {
		return page.List[ReportItem]{}, err
	}
	var a db.Args
	from := s.warningQuery(access.From(ctx).Scope(Read), f, &a)
	return page.Rows(ctx, s.DB.R, p, page.Query{From: from, Cols: reportCols, Where: "1=1", Args: a}, s.scanReport,
		page.ByID(func(it ReportItem) string { return it.ID }))
}
