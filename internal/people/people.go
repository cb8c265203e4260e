package people

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/etag"
	"tongxin/internal/i18n"
	"tongxin/internal/ident"
	"tongxin/internal/nodes"
	"tongxin/internal/page"
	"tongxin/internal/search"
	"tongxin/internal/secret"
	"tongxin/internal/valid"
)

// Permissions of this domain.
var (
	// Read lets a caller see people (phone and ID number masked): the
	// zone's and parks' staff, service staff of a park, a branch secretary
	// (their members), a partner (their enterprise's workers) and
	// auditors. Not member: a member sees their own record only (Me).
	Read = access.NewPerm("person.read", access.ZoneAdmin, access.ParkAdmin, access.OrgSecretary,
		access.ServiceStaff, access.Partner, access.Auditor)
	// Manage lets a caller create, change, delete and transfer people.
	Manage = access.NewPerm("person.manage", access.ZoneAdmin, access.ParkAdmin, access.OrgSecretary)
	// Reveal lets a caller read phone and ID number in clear, each time
	// audited: the zone's working committee, which keeps the roster, and a
	// member's own branch secretary, who contacts members and writes their
	// transfer letters. Park staff enter and correct the numbers and find
	// people by them, but read them masked: a park holds thousands of
	// workers, and bulk reading is what leaks.
	Reveal = access.NewPerm("person.reveal", access.ZoneAdmin, access.OrgSecretary)
)

//go:embed locales/*.json
var locales embed.FS

// Locales holds this domain's messages.
func Locales() fs.FS { return i18n.Dir(locales) }

// Service holds the people operations. Keys seal phone and ID number at
// rest and make their blind indexes.
type Service struct {
	DB   *db.DB
	Keys *secret.Keys
}

// Party statuses.
const (
	Full         = "full"
	Probationary = "probationary"
)

// Person is someone of the zone as the API shows them: phone and ID number
// masked unless revealed.
type Person struct {
	ID             string    `json:"id"`
	ZoneID         string    `json:"zone_id"`
	Name           string    `json:"name"`
	Gender         string    `json:"gender"`
	Phone          string    `json:"phone"`
	IDNumber       string    `json:"id_number"`
	EnterpriseID   *string   `json:"enterprise_id"`
	EnterpriseName string    `json:"enterprise_name"`
	Party          *Party    `json:"party"`
	OrgName        string    `json:"org_name"`
	Tags           []string  `json:"tags"`
	Sample         bool      `json:"sample"`
	Version        int       `json:"version"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`

	phoneSealed, idSealed string
}

// Party is a member's standing: status, organisation, join date and the
// last meeting attended or dues paid.
type Party struct {
	Status        string  `json:"status"`
	OrgID         string  `json:"org_id"`
	JoinedOn      string  `json:"joined_on"`
	LastContactOn *string `json:"last_contact_on"`
}

// node is the scope node an audit entry about p lies under: the org, else
// the enterprise, else the zone.
func (p Person) node() string {
	if p.Party != nil {
		return p.Party.OrgID
	}
	if p.EnterpriseID != nil {
		return *p.EnterpriseID
	}
	return ""
}

const cols = `id, zone_id, name, gender, phone_sealed, id_sealed, enterprise_id, org_id, party_status, joined_on,
	last_contact_on, sample, version, created_at, updated_at, enterprise_name, org_name, tags`

// tagSep joins a person's tags, sorted, in the tags column of their row
// (migration 0230 keeps it from person_tags; a control character: no tag
// holds one, valid.Name refuses them).
const tagSep = "\x1f"

// scanned is a row of cols as scan reads it: one allocation for the person
// and every temporary whose address Scan takes (each would escape to the
// heap on its own, seven a row), which the person's pointers then share.
type scanned struct {
	p                                 Person
	party                             Party
	ent, org, status, joined, contact sql.NullString
	tags                              string
}

func scan(s page.Scanner) (Person, error) {
	x := new(scanned)
	p := &x.p
	err := s.Scan(&p.ID, &p.ZoneID, &p.Name, &p.Gender, &p.phoneSealed, &p.idSealed, &x.ent, &x.org, &x.status, &x.joined,
		&x.contact, &p.Sample, &p.Version, db.T(&p.CreatedAt), db.T(&p.UpdatedAt), &p.EnterpriseName, &p.OrgName, &x.tags)
	p.EnterpriseID = db.Ref(&x.ent)
	if x.org.Valid && x.status.Valid {
		x.party = Party{Status: x.status.String, OrgID: x.org.String, JoinedOn: x.joined.String, LastContactOn: db.Ref(&x.contact)}
		p.Party = &x.party
	}
	p.Tags = []string{}
	if x.tags != "" {
		p.Tags = strings.Split(x.tags, tagSep)
	}
	return *p, err
}

// attach: a person hangs under their enterprise and their party
// organisation; whoever covers either sees them.
var attach = []access.Attach{access.ByZone("zone_id"), access.ByNode("enterprise_id"), access.ByNode("org_id")}

// open fills Phone and IDNumber from the sealed values, masked unless
// clear. A value that does not open (a key no longer configured) is an
// error: silently showing nothing would hide lost data.
func (s *Service) open(p *Person, clear bool) error {
	phone, err := s.show(p.phoneSealed, ident.MobileMask, clear)
	if err != nil {
		return fmt.Errorf("person %s phone: %w", p.ID, err)
	}
	id, err := s.show(p.idSealed, ident.IDNumberMask, clear)
	if err != nil {
		return fmt.Errorf("person %s id number: %w", p.ID, err)
	}
	p.Phone, p.IDNumber = phone, id
	return nil
}

// show opens a sealed value in clear, or shown through m (remembered:
// secret.Keys.OpenMasked).
func (s *Service) show(sealed string, m secret.Mask, clear bool) (string, error) {
	if clear {
		return s.Keys.Open(sealed)
	}
	return s.Keys.OpenMasked(sealed, m)
}

// revealed names the personal fields a reveal of p shows (those that hold
// a value), for the audit entry: names, never values.
func revealed(p Person) []string {
	var f []string
	if p.phoneSealed != "" {
		f = append(f, "phone")
	}
	if p.idSealed != "" {
		f = append(f, "id_number")
	}
	return f
}

// Filter narrows List. Phone and IDNumber are exact lookups through the
// blind index; the handler has normalised and checked them.
type Filter struct {
	ZoneID       string
	EnterpriseID string
	OrgID        string // the organisation and those under it
	ParkID       string // people whose enterprise or organisation lies in the park
	IsMember     *bool
	Tag          string
	Phone        string
	IDNumber     string
	Reveal       bool
}

// LookupError checks an exact-lookup value as List takes it: the field's
// error code, or "" when the normalised value is well-formed.
func LookupError(field string, value *string) string {
	switch field {
	case "phone":
		*value = ident.NormalizeMobile(*value)
		if !ident.ValidMobile(*value) {
			return "invalid_mobile"
		}
	case "id_number":
		*value = ident.NormalizeIDNumber(*value)
		return ident.IDNumberError(*value)
	}
	return ""
}

// filterNode reads where the node a filter names lies (remembered with
// the caller, nodes.PlaceOf). A node that does not exist, or is not of
// kind, matches nothing: " AND 1=0" goes into where and ok is false.
func filterNode(ctx context.Context, r *db.Reader, where *string, id, kind string) (n access.Place, ok bool, err error) {
	n, err = nodes.PlaceOf(ctx, r, id)
	if apperr.Is(err, apperr.NotFound) || (err == nil && n.Kind != kind) {
		*where += " AND 1=0"
		return n, false, nil
	}
	return n, err == nil, err
}

// underOrg adds "the person's organisation is the organisation id or lies
// under it" to where and returns the organisation's path ("" when id names
// none). The path of each person's organisation is a column of the row
// (org_path, migration 0310 keeps it equal to org_id's node's path), so the
// subtree's people are one range of its index rather than one search per
// organisation of the subtree.
//
// An organisation whose path is committeePathLen long (a park's
// committee, whose subtree holds most of the park's members) is an
// equality on the first committeePathLen bytes of org_path instead,
// which people_org_committee (migration 0370) holds in id order: a page
// reads its ids from the index rather than sorting the subtree's. Such an
// organisation also has its people counted (migration 0390): count is the
// statement summing them, with its own arguments (nil for any other
// organisation).
func underOrg(ctx context.Context, r *db.Reader, where *string, a *db.Args, id string) (path string, count *page.Total, err error) {
	n, ok, err := filterNode(ctx, r, where, id, access.KindOrg)
	if !ok {
		return "", nil, err
	}
	if len(n.Path) == committeePathLen {
		*where += " AND " + committeePrefix + " = " + a.Add(n.Path)
		var c db.Args
		return n.Path, page.SumOf("people_committee_counts", "zone_id = "+c.Add(n.ZoneID)+" AND committee = "+c.Add(n.Path), c), nil
	}
	*where += " AND org_path >= " + a.Add(n.Path) + " AND org_path < " + a.Add(n.Path[:len(n.Path)-1]+"0")
	return n.Path, nil, nil
}

// committeePathLen is the length of the path of an organisation at depth
// 3 — "/zone/park/committee/", each id 36 characters — and
// committeePrefix the expression of people_org_committee (migration
// 0370), that many bytes of org_path.
const (
	committeePathLen = 1 + 3*(36+1)
	committeePrefix  = "substr(org_path, 1, 112)"
)

// inPark adds "the person's enterprise or organisation lies under the park
// id" and the is_member filter to where and returns the park's path, a
// statement counting what it adds from the counts kept per park (migration
// 0220), with its own arguments, and the same people as a union of index
// ranges each in id order (page.Query.Union); an id that is not a park
// matches nothing (path ""). The park of each attachment is a column of
// the row (enterprise_park_id, org_park_id: migration 0160 keeps them
// equal to the park whose subtree holds the node), so the filter reads
// index entries of the park instead of testing the zone's people against
// the park's nodes. The engines read them well in different shapes
// (measured on the zone database, docs/scaling.md): SQLite, without
// statistics, plans an OR of the two columns as a walk of the whole zone
// in id order, but given the union of two index ranges as a list of ids it
// reads the list in id order for the page. PostgreSQL would join each id
// of such a list back to its row. A page reads the ranges (one per park
// column and party status, an equality on each column of the index before
// the id) up to its limit each instead.
func inPark(ctx context.Context, r *db.Reader, dialect db.Dialect, where *string, a *db.Args, id string, isMember *bool) (path string, count *page.Total, union []string, err error) {
	n, ok, err := filterNode(ctx, r, where, id, access.KindPark)
	if !ok {
		return "", nil, nil, err
	}
	z, p := a.Add(n.ZoneID), a.Add(n.ID)
	member := memberIs(isMember)
	var c db.Args
	counted := "zone_id = " + c.Add(n.ZoneID) + " AND park_id = " + c.Add(n.ID)
	var statuses []string
	if isMember == nil || !*isMember {
		statuses = append(statuses, "party_status IS NULL")
	}
	if isMember == nil || *isMember {
		// Literals, not arguments: every statement sharing a takes them.
		statuses = append(statuses, "party_status = '"+Full+"'", "party_status = '"+Probationary+"'")
	}
	for _, col := range []string{"enterprise_park_id", "org_park_id"} {
		for _, st := range statuses {
			union = append(union, "zone_id = "+z+" AND "+col+" = "+p+" AND "+st)
		}
	}
	switch {
	case isMember == nil:
	case *isMember:
		counted += " AND member = 1"
	default:
		counted += " AND member = 0"
	}
	count = page.SumOf("people_park_counts", counted, c)
	if dialect == db.Postgres {
		*where += " AND zone_id = " + z + " AND (enterprise_park_id = " + p + " OR org_park_id = " + p + ")" + member
		return n.Path, count, union, nil
	}
	ranges := "SELECT id FROM people WHERE zone_id = " + z + " AND enterprise_park_id = " + p + member +
		" UNION ALL SELECT id FROM people WHERE zone_id = " + z + " AND org_park_id = " + p + member
	*where += " AND zone_id = " + z + " AND id IN (" + ranges + ")"
	return n.Path, count, union, nil
}

// memberIs is the predicate of an is_member filter (" AND …", or "" for
// none).
func memberIs(isMember *bool) string {
	switch {
	case isMember == nil:
		return ""
	case *isMember:
		return " AND party_status IS NOT NULL"
	}
	return " AND party_status IS NULL"
}

// match is the people a list shows: its predicate, a statement counting
// them when one is cheaper than a COUNT of the predicate (nil otherwise),
// and the predicate as a union of index ranges in id order when it is one
// (page.Query.Union; nil otherwise).
type match struct {
	where string
	total *page.Total
	union []string
	late  bool // page.Query.Late: the matches are not read in id order
}

// where returns the people in the caller's person.read scope that match f
// (but Reveal) and q.
func (s *Service) where(ctx context.Context, f Filter, q string, a *db.Args) (match, error) {
	sc := access.From(ctx).Scope(Read)
	var where string // the filters, each " AND …"; the scope goes first at the end
	eq := func(col, v string) {
		if v != "" {
			where += " AND " + col + " = " + a.Add(v)
		}
	}
	eq("zone_id", f.ZoneID)
	eq("enterprise_id", f.EnterpriseID)
	if f.Phone != "" {
		eq("phone_index", s.Keys.Index("phone", f.Phone))
	}
	if f.IDNumber != "" {
		eq("id_index", s.Keys.Index("id_number", f.IDNumber))
	}
	// An enterprise, an organisation or a park the caller covers whole:
	// everyone whose enterprise_id (or org_id) lies under it is in the
	// caller's scope (the scope's ranges hold the node's range), so the
	// filter is the scope, and the page and the count read the filter's
	// index alone — for a park's administrator and an enterprise of 170
	// people, no check of each person's nodes: 84 → 22 µs for the page's
	// ids, 157 µs → an index range for the count.
	inScope := false
	late := false
	var m match // total and union, returned with the scope dropped only
	if f.EnterpriseID != "" {
		n, ok, err := filterNode(ctx, s.DB.R, &where, f.EnterpriseID, access.KindEnterprise)
		if err != nil {
			return match{}, err
		}
		inScope = ok && sc.Covers(n.Path)
	}
	if f.OrgID != "" {
		path, count, err := underOrg(ctx, s.DB.R, &where, a, f.OrgID)
		if err != nil {
			return match{}, err
		}
		// A committee's people are read from people_org_committee in id
		// order; any other organisation's are a range of org_path, found
		// whole and sorted, their rows read for the page alone.
		late = path != "" && count == nil
		inScope = inScope || (path != "" && sc.Covers(path))
		// The organisation alone: its people are the ones its counts
		// count, once the scope is dropped.
		if f == (Filter{OrgID: f.OrgID, Reveal: f.Reveal}) && q == "" {
			m.total = count
		}
	}
	if f.ParkID != "" {
		// The park's index ranges take the membership filter.
		path, count, union, err := inPark(ctx, s.DB.R, s.DB.Dialect, &where, a, f.ParkID, f.IsMember)
		if err != nil {
			return match{}, err
		}
		inScope = inScope || (path != "" && sc.Covers(path))
		// The park alone: the predicate is the park's index entries, which
		// count counts and union reads in order, once the scope is dropped
		// (returned below only then).
		if rest := (Filter{ParkID: f.ParkID, IsMember: f.IsMember, Reveal: f.Reveal}); f == rest && q == "" && path != "" {
			m.total, m.union = count, union
		}
	} else {
		where += memberIs(f.IsMember)
	}
	if f.Tag != "" {
		where += " AND EXISTS (SELECT 1 FROM person_tags t WHERE t.person_id = people.id AND t.tag = " + a.Add(f.Tag) + ")"
	}
	if q != "" {
		byName, err := search.Match(ctx, s.DB.R, "people", "id", "search_key", q, a)
		if err != nil {
			return m, err
		}
		where += " AND " + byName
	}
	switch {
	case inScope:
		m.where, m.late = "1=1"+where, late
		return m, nil
	case f.EnterpriseID != "" || f.Phone != "" || f.IDNumber != "":
		// An indexed equality finds the few rows; each is checked against
		// the scope by its own nodes rather than a list of the scope's.
		return match{where: sc.WhereRow(a, "people", attach...) + where, late: late}, nil
	}
	return match{where: sc.Where(a, attach...) + where, late: late}, nil
}

// List lists the people in the caller's person.read scope, oldest first;
// q matches the name in Chinese, in pinyin and by initials. With Reveal,
// every person of the page must lie in the caller's person.reveal scope
// (else EFORBIDDEN and nothing shown), and each one shown is audited.
func (s *Service) List(ctx context.Context, f Filter, p page.Page) (page.List[Person], error) {
	var a db.Args
	m, err := s.where(ctx, f, p.Query, &a)
	if err != nil {
		return page.List[Person]{}, err
	}
	// An organisation's people below a committee are read from the
	// org_path index and sorted by id: their rows are read for the page
	// alone (Late). A committee's come in id order from their index, each
	// row read as its entry is: joining the page's ids back to their rows
	// searched the primary key 51 times more (PostgreSQL 214 against 58
	// buffers; the statement alone 314–375 against 204–281 µs, SQLite
	// 149–165 against 125–139). A park's, when the park is the whole
	// filter, are the merge of its index ranges in id order (Union).
	lq := page.Query{From: "people", Cols: cols, Where: m.where, Args: a, Counter: counter(ctx, f, p.Query),
		Late: m.late, Union: m.union, Total: m.total}
	list, err := page.Rows(ctx, s.DB.R, p, lq, scan,
		page.ByID(func(p Person) string { return p.ID }))
	if err != nil {
		return list, err
	}
	if f.Reveal {
		if err := s.reveal(ctx, list.Items); err != nil {
			return page.List[Person]{}, err
		}
	}
	for i := range list.Items {
		if err := s.open(&list.Items[i], f.Reveal); err != nil {
			return list, err
		}
	}
	return list, nil
}

// counter is the Counter answering List's total when the list is every
// person of whole zones (migration 0110 keeps their counts): no filter but
// a zone the caller covers whole, no q. Nil otherwise: the rows are
// counted.
func counter(ctx context.Context, f Filter, q string) *page.Counter {
	sc := access.From(ctx).Scope(Read)
	rest := f
	rest.ZoneID, rest.Reveal = "", false
	if q != "" || rest != (Filter{}) {
		return nil
	}
	if f.ZoneID == "" {
		return page.ZoneCounter("people", sc)
	}
	if sc.CoversZone(f.ZoneID) {
		return &page.Counter{Table: "people", Zones: []string{f.ZoneID}}
	}
	return nil
}

// reveal checks that the caller may reveal every one of ps and records an
// audit entry for each whose data it shows. Returns EFORBIDDEN, having
// recorded nothing, when one of them lies outside the caller's
// person.reveal scope.
func (s *Service) reveal(ctx context.Context, ps []Person) error {
	if len(ps) == 0 {
		return nil
	}
	sc := access.From(ctx).Scope(Reveal)
	if sc.Empty() {
		return apperr.New(apperr.Forbidden, "")
	}
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	var a db.Args
	where := sc.Where(&a, attach...)
	var n int
	if err := s.DB.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM people WHERE id IN ("+a.In(ids)+") AND "+where, a...).Scan(&n); err != nil {
		return err
	}
	if n != len(ps) {
		return apperr.New(apperr.Forbidden, "")
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		for _, p := range ps {
			fields := revealed(p)
			if len(fields) == 0 {
				continue
			}
			if err := audit.Record(ctx, tx, audit.Event{ZoneID: p.ZoneID, Node: p.node(), Entity: "person", EntityID: p.ID,
				Action: "reveal", Summary: map[string]any{"name": p.Name, "fields": fields}}); err != nil {
				return err
			}
		}
		return nil
	})
}

// table reads people in the caller's scope.
var table = page.Table[Person]{From: "people", Cols: cols, Attach: page.Attached(attach...), Scan: scan}

// get returns the person with id when they lie in the caller's scope for
// perm (phone and ID number still sealed). When they do not but the caller
// may read them, EFORBIDDEN; when the caller may not even read them,
// ENOTFOUND.
func get(ctx context.Context, q db.Querier, perm access.Perm, id string) (Person, error) {
	return table.One(ctx, q, perm, Read, id)
}

// Get returns a person in the caller's scope, masked; with reveal, in
// clear when the caller holds person.reveal over them (audited), else
// EFORBIDDEN. Returns ENOTFOUND outside the caller's scope.
func (s *Service) Get(ctx context.Context, id string, reveal bool) (Person, error) {
	p, err := get(ctx, s.DB.R, Read, id)
	if err != nil {
		return p, err
	}
	if reveal {
		if err := s.reveal(ctx, []Person{p}); err != nil {
			return Person{}, err
		}
	}
	return p, s.open(&p, reveal)
}

// Me returns the person the signed-in user is (users.person_id), masked,
// whatever the user's grants: everyone may see their own record. Returns
// ENOTFOUND when the user is no person of the platform.
func (s *Service) Me(ctx context.Context) (Person, error) {
	pr := access.From(ctx)
	if pr == nil || pr.UserID == "" {
		return Person{}, apperr.New(apperr.NotFound, "")
	}
	p, err := scan(s.DB.R.QueryRowContext(ctx, "SELECT "+cols+` FROM people
		WHERE id = (SELECT person_id FROM users WHERE id = $1) AND zone_id = (SELECT zone_id FROM users WHERE id = $1)`, pr.UserID))
	if errors.Is(err, sql.ErrNoRows) {
		return Person{}, apperr.New(apperr.NotFound, "")
	}
	if err != nil {
		return p, err
	}
	return p, s.open(&p, false)
}

// PartyInput is a member's standing as a caller sets it.
type PartyInput struct {
	Status   string
	OrgID    string
	JoinedOn string
}

// Input is what creating a person takes. Phone and IDNumber are as typed;
// they are normalised here.
type Input struct {
	ZoneID       string
	Name         string
	Gender       string
	Phone        string
	IDNumber     string
	EnterpriseID string
	Party        *PartyInput
	Tags         []string
}

// Limits on tags.
const (
	MaxTags   = 10
	MaxTagLen = 20
)

// china is the zone dates are kept in.
var china = time.FixedZone("CST", 8*3600)

// today is the current date in China.
func today(now time.Time) time.Time {
	y, m, d := now.In(china).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, china)
}

// Date parses a YYYY-MM-DD date of the past or today: invalid_date,
// in_future.
func Date(fs *apperr.Fields, field, s string, now time.Time) (time.Time, bool) {
	d, err := time.ParseInLocation(time.DateOnly, s, china)
	switch {
	case s == "":
		fs.Add(field, "required")
	case err != nil:
		fs.Add(field, "invalid_date")
	case d.After(today(now)):
		fs.Add(field, "in_future")
	default:
		return d, true
	}
	return d, false
}

// checkParty validates a member's standing: status one of full and
// probationary, an organisation, a join date not in the future, and a
// probation of at most two years (one year, extended by at most one).
func checkParty(fs *apperr.Fields, prefix string, p *PartyInput, now time.Time) {
	p.OrgID = strings.TrimSpace(p.OrgID)
	if p.OrgID == "" {
		fs.Add(prefix+"org_id", "required")
	}
	checkStanding(fs, prefix, p, now)
}

// checkStanding checks a member's status and join date.
func checkStanding(fs *apperr.Fields, prefix string, p *PartyInput, now time.Time) {
	p.Status, p.JoinedOn = strings.TrimSpace(p.Status), strings.TrimSpace(p.JoinedOn)
	switch p.Status {
	case Full, Probationary:
	case "":
		fs.Add(prefix+"status", "required")
	default:
		fs.Add(prefix+"status", "invalid_choice")
	}
	joined, ok := Date(fs, prefix+"joined_on", p.JoinedOn, now)
	if ok && p.Status == Probationary && joined.Before(today(now).AddDate(-2, 0, 0)) {
		fs.Add(prefix+"joined_on", "probation_too_long", "Years", 2)
	}
}

// checkPhone normalises and checks a mobile number ("" is none).
func checkPhone(fs *apperr.Fields, phone *string) {
	*phone = ident.NormalizeMobile(*phone)
	if *phone != "" && !ident.ValidMobile(*phone) {
		fs.Add("phone", "invalid_mobile")
	}
}

// checkIDNumber normalises and checks an identity number ("" is none).
func checkIDNumber(fs *apperr.Fields, id *string) {
	*id = ident.NormalizeIDNumber(*id)
	if *id == "" {
		return
	}
	if code := ident.IDNumberError(*id); code != "" {
		fs.Add("id_number", code)
	}
}

// checkGender derives the gender from a valid ID number when none is
// given, and refuses one that disagrees with it.
func checkGender(fs *apperr.Fields, gender *string, id string) {
	*gender = strings.TrimSpace(*gender)
	switch *gender {
	case "", "male", "female":
	default:
		fs.Add("gender", "invalid_choice")
		return
	}
	if id == "" || ident.IDNumberError(id) != "" {
		return
	}
	if *gender == "" {
		*gender = ident.IDGender(id)
	} else if *gender != ident.IDGender(id) {
		fs.Add("gender", "gender_mismatch")
	}
}

func checkTags(fs *apperr.Fields, tags []string) []string {
	if len(tags) > MaxTags {
		fs.Add("tags", "too_many", "Max", MaxTags)
		return nil
	}
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		var tf apperr.Fields
		valid.Name(&tf, "tags", &t, MaxTagLen)
		if len(tf) > 0 {
			*fs = append(*fs, tf...)
			continue
		}
		if slices.Contains(out, t) {
			fs.Add("tags", "duplicate_tag", "Tag", t)
			continue
		}
		out = append(out, t)
	}
	return out
}

// placement checks, inside tx, that the enterprise and the organisation
// named lie in zone and in the caller's person.manage scope (an
// enterprise also counts when an organisation in scope covers it, so a
// joint branch's secretary names their members' employers). Returns
// EVALIDATION naming the field; another zone's and an unknown id look the
// same.
func placement(ctx context.Context, q db.Querier, zoneID, enterpriseID, orgID, orgField string) error {
	sc := access.From(ctx).Scope(Manage)
	var fs apperr.Fields
	if enterpriseID != "" {
		var a db.Args
		w1 := sc.Where(&a, access.ByZone("zone_id"), access.ByNode("id"))
		w2 := sc.Where(&a, access.ByNode("oe.org_id"))
		var n int
		err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM enterprises WHERE id = "+a.Add(enterpriseID)+" AND zone_id = "+a.Add(zoneID)+
			" AND ("+w1+" OR id IN (SELECT oe.enterprise_id FROM org_enterprises oe WHERE "+w2+"))", a...).Scan(&n)
		if err != nil {
			return err
		}
		if n == 0 {
			fs.Add("enterprise_id", "unknown_value")
		}
	}
	if orgID != "" {
		var a db.Args
		w := sc.Where(&a, access.ByZone("zone_id"), access.ByNode("id"))
		var n int
		err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM orgs WHERE id = "+a.Add(orgID)+" AND zone_id = "+a.Add(zoneID)+" AND "+w, a...).Scan(&n)
		if err != nil {
			return err
		}
		if n == 0 {
			fs.Add(orgField, "unknown_value")
		}
	}
	return fs.Err()
}

// zoneOf returns the zone of an enterprise or organisation ("" when none).
func zoneOf(ctx context.Context, q db.Querier, table, id string) (string, error) {
	var z string
	err := q.QueryRowContext(ctx, "SELECT zone_id FROM "+table+" WHERE id = $1", id).Scan(&z)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return z, err
}

// reachable returns EVALIDATION (field, out_of_reach) unless the person
// with id lies in the caller's person.manage scope: nobody may place a
// person where they themselves can no longer reach them (a transfer is the
// way to hand a member on).
func reachable(ctx context.Context, tx *db.Tx, id, field string) error {
	var a db.Args
	where := access.From(ctx).Scope(Manage).Where(&a, attach...)
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM people WHERE id = "+a.Add(id)+" AND "+where, a...).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return apperr.Field(field, "out_of_reach")
	}
	return nil
}

func idNumberTaken() error {
	return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.person_id_number_taken",
		Fields: []apperr.FieldError{{Field: "id_number", Code: "taken"}}}
}

// index returns the blind index of a normalised value, NULL for none.
func (s *Service) index(purpose, v string) sql.NullString {
	if v == "" {
		return sql.NullString{}
	}
	return sql.NullString{String: s.Keys.Index(purpose, v), Valid: true}
}

// check validates and normalises in as Create and Import alike take it:
// every field error at once, named as the create route names its fields.
func check(fs *apperr.Fields, in *Input, now time.Time) {
	valid.Name(fs, "name", &in.Name, 50)
	checkPhone(fs, &in.Phone)
	checkIDNumber(fs, &in.IDNumber)
	checkGender(fs, &in.Gender, in.IDNumber)
	in.EnterpriseID = strings.TrimSpace(in.EnterpriseID)
	if in.Party != nil {
		checkParty(fs, "party.", in.Party, now)
	}
	in.Tags = checkTags(fs, in.Tags)
}

// Create creates a person. Callers need person.manage where the person
// will hang: over the enterprise or the organisation named (zone_admin,
// park_admin of their park, org_secretary of the organisation); zone_id
// may be omitted when the caller's scope is one zone or follows from the
// enterprise or organisation. Returns EVALIDATION, ECONFLICT (ID number
// already in the zone), EFORBIDDEN.
func (s *Service) Create(ctx context.Context, in Input) (Person, error) {
	sc := access.From(ctx).Scope(Manage)
	if sc.Empty() {
		return Person{}, apperr.New(apperr.Forbidden, "")
	}
	var fs apperr.Fields
	check(&fs, &in, time.Now())
	if err := fs.Err(); err != nil {
		return Person{}, err
	}
	var p Person
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		zoneID := in.ZoneID
		if zoneID == "" {
			zoneID, _ = sc.SingleZone()
		}
		var err error
		if zoneID == "" && in.EnterpriseID != "" {
			zoneID, err = zoneOf(ctx, tx, "enterprises", in.EnterpriseID)
		}
		if zoneID == "" && in.Party != nil && err == nil {
			zoneID, err = zoneOf(ctx, tx, "orgs", in.Party.OrgID)
		}
		if err != nil {
			return err
		}
		if zoneID == "" {
			zoneID = access.From(ctx).ZoneID // the caller's home zone
		}
		if zoneID == "" {
			return apperr.Field("zone_id", "required")
		}
		if !sc.All() && !sc.CoversZone(zoneID) && in.EnterpriseID == "" && in.Party == nil {
			return apperr.Field("enterprise_id", "required")
		}
		var zone int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM zones WHERE id = $1`, zoneID).Scan(&zone); err != nil {
			return err
		}
		if zone == 0 {
			return apperr.Field("zone_id", "unknown_value")
		}
		p, err = s.add(ctx, tx, zoneID, in)
		return err
	})
	if err != nil {
		return Person{}, err
	}
	return p, s.open(&p, false)
}

// add stores a checked Input in zoneID inside tx: the enterprise and the
// organisation must lie in the zone and the caller's person.manage scope
// (EVALIDATION naming enterprise_id or party.org_id), the ID number must
// be free in the zone (ECONFLICT), and the caller must reach the person
// afterwards (EVALIDATION naming party). Phone and ID number are sealed
// with their blind indexes; the audit entry names them, never their
// values. Returns the person still sealed.
func (s *Service) add(ctx context.Context, tx *db.Tx, zoneID string, in Input) (Person, error) {
	orgID := ""
	if in.Party != nil {
		orgID = in.Party.OrgID
	}
	if err := placement(ctx, tx, zoneID, in.EnterpriseID, orgID, "party.org_id"); err != nil {
		return Person{}, err
	}
	id := uuid.Must(uuid.NewV7()).String()
	var status, joined sql.NullString
	if in.Party != nil {
		status, joined = db.NullString(in.Party.Status), db.NullString(in.Party.JoinedOn)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO people (id, zone_id, name, gender, phone_sealed, phone_index, id_sealed, id_index,
		enterprise_id, org_id, party_status, joined_on, search_key, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14)`,
		id, zoneID, in.Name, in.Gender, s.Keys.Seal(in.Phone), s.index("phone", in.Phone), s.Keys.Seal(in.IDNumber),
		s.index("id_number", in.IDNumber), db.NullString(in.EnterpriseID), db.NullString(orgID), status, joined,
		search.Key(in.Name), db.Micros(tx.Now))
	if db.IsUnique(err) {
		return Person{}, idNumberTaken()
	}
	if err != nil {
		return Person{}, err
	}
	if err := setTags(ctx, tx, id, zoneID, in.Tags); err != nil {
		return Person{}, err
	}
	if err := reachable(ctx, tx, id, "party"); err != nil {
		return Person{}, err
	}
	p, err := get(ctx, tx, Manage, id)
	if err != nil {
		return Person{}, err
	}
	summary := map[string]any{"name": p.Name, "gender": p.Gender, "enterprise_id": in.EnterpriseID, "tags": in.Tags,
		"phone": in.Phone != "", "id_number": in.IDNumber != ""}
	if in.Party != nil {
		summary["party"] = map[string]any{"status": in.Party.Status, "org_id": in.Party.OrgID, "joined_on": in.Party.JoinedOn}
	}
	err = audit.Record(ctx, tx, audit.Event{ZoneID: zoneID, Node: p.node(), Entity: "person", EntityID: id, Action: "create", Summary: summary})
	return p, err
}

func setTags(ctx context.Context, tx *db.Tx, id, zoneID string, tags []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM person_tags WHERE person_id = $1`, id); err != nil {
		return err
	}
	for _, t := range tags {
		if _, err := tx.ExecContext(ctx, `INSERT INTO person_tags (person_id, zone_id, tag) VALUES ($1, $2, $3)`, id, zoneID, t); err != nil {
			return err
		}
	}
	return nil
}

// Patch is a partial update; nil fields stay as they are. An empty
// string clears Phone, IDNumber, Gender and EnterpriseID. SetParty with a
// nil Party ends the membership (a transfer out of the zone is a
// transfer); with a Party it admits a non-member or changes a member's
// status and join date — a member's organisation changes only by transfer.
type Patch struct {
	Name         *string
	Gender       *string
	Phone        *string
	IDNumber     *string
	EnterpriseID *string
	SetParty     bool
	Party        *PartyInput
	Tags         *[]string
}

// Update applies patch. Callers need person.manage over the person (and
// over the enterprise and organisation they move to, and must still reach
// them afterwards); the person must satisfy match. Returns ENOTFOUND,
// EFORBIDDEN, EPRECONDITION, EVALIDATION, ECONFLICT.
func (s *Service) Update(ctx context.Context, id string, patch Patch, match etag.Match) (Person, error) {
	now := time.Now()
	var fs apperr.Fields
	if patch.Name != nil {
		valid.Name(&fs, "name", patch.Name, 50)
	}
	if patch.Phone != nil {
		checkPhone(&fs, patch.Phone)
	}
	if patch.IDNumber != nil {
		checkIDNumber(&fs, patch.IDNumber)
	}
	if patch.EnterpriseID != nil {
		*patch.EnterpriseID = strings.TrimSpace(*patch.EnterpriseID)
	}
	if patch.Party != nil {
		checkParty(&fs, "party.", patch.Party, now)
	}
	var tags []string
	if patch.Tags != nil {
		tags = checkTags(&fs, *patch.Tags)
	}
	var p Person
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := get(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := s.open(&old, true); err != nil {
			return err
		}
		// The gender is checked against the ID number the person will have.
		idNumber, gender := old.IDNumber, old.Gender
		if patch.IDNumber != nil {
			idNumber = *patch.IDNumber
		}
		if patch.Gender != nil {
			gender = *patch.Gender
		} else if patch.IDNumber != nil && idNumber != "" {
			gender = ""
		}
		if patch.Gender != nil || patch.IDNumber != nil {
			checkGender(&fs, &gender, idNumber)
		}
		if patch.SetParty && patch.Party != nil && old.Party != nil && patch.Party.OrgID != "" && patch.Party.OrgID != old.Party.OrgID {
			fs.Add("party.org_id", "use_transfer")
		}
		if err := fs.Err(); err != nil {
			return err
		}
		next := old
		changes := map[string]any{}
		if patch.Name != nil && *patch.Name != old.Name {
			changes["name"] = audit.Change{From: old.Name, To: *patch.Name}
			next.Name = *patch.Name
		}
		if gender != old.Gender {
			changes["gender"] = audit.Change{From: old.Gender, To: gender}
			next.Gender = gender
		}
		// Personal data changes are recorded by name only, never by value.
		if patch.Phone != nil && *patch.Phone != old.Phone {
			changes["phone"] = "changed"
			next.Phone = *patch.Phone
		}
		if patch.IDNumber != nil && *patch.IDNumber != old.IDNumber {
			changes["id_number"] = "changed"
			next.IDNumber = *patch.IDNumber
		}
		oldEnt := ""
		if old.EnterpriseID != nil {
			oldEnt = *old.EnterpriseID
		}
		newEnt := oldEnt
		if patch.EnterpriseID != nil && *patch.EnterpriseID != oldEnt {
			newEnt = *patch.EnterpriseID
			changes["enterprise_id"] = audit.Change{From: oldEnt, To: newEnt}
		}
		var oldParty, newParty *PartyInput
		if old.Party != nil {
			oldParty = &PartyInput{Status: old.Party.Status, OrgID: old.Party.OrgID, JoinedOn: old.Party.JoinedOn}
		}
		newParty = oldParty
		if patch.SetParty {
			newParty = patch.Party
			if newParty != nil && (oldParty == nil || *newParty != *oldParty) {
				changes["party"] = audit.Change{From: oldParty, To: newParty}
			} else if newParty == nil && oldParty != nil {
				changes["party"] = audit.Change{From: oldParty, To: nil}
			}
		}
		tagsChanged := patch.Tags != nil && !slices.Equal(sorted(tags), old.Tags)
		if tagsChanged {
			changes["tags"] = audit.Change{From: old.Tags, To: sorted(tags)}
		}
		if len(changes) == 0 {
			p = old
			return nil
		}
		check := ""
		if newEnt != oldEnt {
			check = newEnt
		}
		checkOrg := ""
		if newParty != nil && (oldParty == nil || newParty.OrgID != oldParty.OrgID) {
			checkOrg = newParty.OrgID
		}
		if err := placement(ctx, tx, old.ZoneID, check, checkOrg, "party.org_id"); err != nil {
			return err
		}
		var orgID, status, joined sql.NullString
		if newParty != nil {
			orgID, status, joined = db.NullString(newParty.OrgID), db.NullString(newParty.Status), db.NullString(newParty.JoinedOn)
		}
		phoneSealed, idSealed := old.phoneSealed, old.idSealed
		if _, ok := changes["phone"]; ok {
			phoneSealed = s.Keys.Seal(next.Phone)
		}
		if _, ok := changes["id_number"]; ok {
			idSealed = s.Keys.Seal(next.IDNumber)
		}
		res, err := tx.ExecContext(ctx, `UPDATE people SET name = $1, gender = $2, phone_sealed = $3, phone_index = $4, id_sealed = $5,
			id_index = $6, enterprise_id = $7, org_id = $8, party_status = $9, joined_on = $10, search_key = $11, version = $12,
			updated_at = $13 WHERE id = $14 AND version = $15`,
			next.Name, next.Gender, phoneSealed, s.index("phone", next.Phone), idSealed, s.index("id_number", next.IDNumber),
			db.NullString(newEnt), orgID, status, joined, search.Key(next.Name), old.Version+1, db.Micros(tx.Now), id, old.Version)
		if db.IsUnique(err) {
			return idNumberTaken()
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.PreconditionFailed, "problem.stale_version", "Version", old.Version)
		}
		if tagsChanged {
			if err := setTags(ctx, tx, id, old.ZoneID, tags); err != nil {
				return err
			}
		}
		field := "enterprise_id"
		if _, ok := changes["party"]; ok {
			field = "party"
		}
		if err := reachable(ctx, tx, id, field); err != nil {
			return err
		}
		p, err = get(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		node := p.node()
		if node == "" {
			node = old.node()
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: p.ZoneID, Node: node, Entity: "person", EntityID: id, Action: "update", Summary: changes})
	})
	if err != nil {
		return Person{}, err
	}
	return p, s.open(&p, false)
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	if out == nil {
		out = []string{}
	}
	return out
}

// Delete deletes a person with their tags and transfer history (the audit
// log keeps what happened). Callers need person.manage over the person;
// the person must satisfy match. Returns ENOTFOUND, EFORBIDDEN,
// EPRECONDITION, ECONFLICT while a user account is this person.
func (s *Service) Delete(ctx context.Context, id string, match etag.Match) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := get(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		var accounts int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE person_id = $1`, id).Scan(&accounts); err != nil {
			return err
		}
		if accounts > 0 {
			return apperr.New(apperr.Conflict, "problem.person_has_account")
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: old.node(), Entity: "person", EntityID: id, Action: "delete",
			Summary: map[string]any{"name": old.Name}}); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM person_tags WHERE person_id = $1`, `DELETE FROM party_transfers WHERE person_id = $1`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM people WHERE id = $1`, id)
		if db.IsForeignKey(err) {
			return apperr.New(apperr.Conflict, "problem.person_in_use")
		}
		return err
	})
}

// actorOf is the signed-in user's id ("" for none).
func actorOf(ctx context.Context) string {
	if p := access.From(ctx); p != nil {
		return p.UserID
	}
	return ""
}
