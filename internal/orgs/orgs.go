// Package orgs holds the party organisations (党组织): the zone's working
// committee (党工委), committees (党委), general branches (党总支), branches
// (党支部) and joint branches (联合党支部), as a tree of scope nodes.
//
// An organisation is a scope node of kind org under its parent
// organisation, else under its park, else (the working committee) under
// the zone; a secretary granted on a branch sees that branch and what
// hangs under it. Its park is its parent's park, except under a zone-level
// parent (the working committee), whose children may lie in any park. Rows
// attach to the scope by their zone, their own node and their park, so a
// park's staff see every organisation of their park, also those hanging
// directly under the working committee.
package orgs

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/etag"
	"tongxin/internal/i18n"
	"tongxin/internal/nodes"
	"tongxin/internal/page"
	"tongxin/internal/search"
	"tongxin/internal/valid"
)

// Permissions of this domain.
var (
	// Read lets a caller see organisations, their tree and their warnings:
	// every role, within its grants.
	Read = access.NewPerm("org.read", access.Everyone()...)
	// Update lets a caller change what an organisation's own members
	// decide: its name, dates, secretary and committee. A secretary holds
	// it on their organisation's subtree.
	Update = access.NewPerm("org.update", access.ZoneAdmin, access.ParkAdmin, access.OrgSecretary)
	// Manage lets a caller change the structure: create and delete
	// organisations, move them (parent_id, park_id), change their kind and
	// the enterprises they cover. Those decisions belong to the higher
	// party organisation, which the zone and park staff act for; a
	// secretary may not reshape their own organisation.
	Manage = access.NewPerm("org.manage", access.ZoneAdmin, access.ParkAdmin)
)

// Kinds of organisation.
const (
	KindWorkingCommittee = "working_committee" // 党工委: the zone's, at zone level
	KindCommittee        = "committee"         // 党委
	KindGeneralBranch    = "general_branch"    // 党总支
	KindBranch           = "branch"            // 党支部
	KindJointBranch      = "joint_branch"      // 联合党支部: covers several small enterprises
)

// Kinds lists every kind.
var Kinds = []string{KindWorkingCommittee, KindCommittee, KindGeneralBranch, KindBranch, KindJointBranch}

// Party statuses a person's party_status holds.
const (
	StatusFull         = "full"
	StatusProbationary = "probationary"
)

// MaxEnterprises bounds enterprise_ids (the article's largest grouping,
// the Andong alliance, has 38 organisations).
const MaxEnterprises = 200

//go:embed locales/*.json
var locales embed.FS

// Locales holds this domain's messages.
func Locales() fs.FS { return i18n.Dir(locales) }

// chinaTime is the zone's clock: dates (terms, contacts) are China dates.
var chinaTime = time.FixedZone("CST", 8*3600)

// Service holds the organisation operations.
type Service struct {
	DB *db.DB
	// Now is the clock "today" is read from (as a China date) for
	// warnings and term_expired; nil means time.Now. Tests set it.
	Now func() time.Time
}

// today returns the current China date, YYYY-MM-DD.
func (s *Service) today() time.Time {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	t := now().In(chinaTime)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// MemberCount counts an organisation's own party members (people whose
// org_id is the organisation), by status.
type MemberCount struct {
	Full         int `json:"full"`
	Probationary int `json:"probationary"`
}

// Total is full and probationary members together.
func (m MemberCount) Total() int { return m.Full + m.Probationary }

// Org is a party organisation.
type Org struct {
	ID            string      `json:"id"`
	ZoneID        string      `json:"zone_id"`
	ParentID      *string     `json:"parent_id"`
	ParkID        *string     `json:"park_id"`
	Name          string      `json:"name"`
	Kind          string      `json:"kind"`
	EnterpriseIDs []string    `json:"enterprise_ids"`
	SecretaryID   *string     `json:"secretary_id"`
	SecretaryName *string     `json:"secretary_name"`
	FoundedOn     *string     `json:"founded_on"`
	TermEndsOn    *string     `json:"term_ends_on"`
	HasCommittee  bool        `json:"has_committee"`
	MemberCount   MemberCount `json:"member_count"`
	Sample        bool        `json:"sample"`
	Version       int         `json:"version"`
	CreatedAt     time.Time   `json:"created_at"`
	UpdatedAt     time.Time   `json:"updated_at"`
	// Warnings are filled by Get only (nil: left out of the answer).
	Warnings *[]Warning `json:"warnings,omitempty"`
}

const cols = `id, zone_id, parent_id, park_id, name, kind, secretary_id, founded_on, term_ends_on, has_committee, sample, version, created_at, updated_at`

// scanned is a row of cols as scan reads it: one allocation for the
// organisation and its nullable columns, which its pointers then share.
type scanned struct {
	o                                Org
	parent, park, sec, founded, ends sql.NullString
}

func scan(s page.Scanner) (Org, error) {
	x := new(scanned)
	o := &x.o
	err := s.Scan(&o.ID, &o.ZoneID, &x.parent, &x.park, &o.Name, &o.Kind, &x.sec, &x.founded, &x.ends, &o.HasCommittee, &o.Sample,
		&o.Version, db.T(&o.CreatedAt), db.T(&o.UpdatedAt))
	o.ParentID, o.ParkID, o.SecretaryID, o.FoundedOn, o.TermEndsOn = db.Ref(&x.parent), db.Ref(&x.park), db.Ref(&x.sec), db.Ref(&x.founded), db.Ref(&x.ends)
	o.EnterpriseIDs = []string{}
	return *o, err
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// attach: an organisation is its own scope node (under its parent, park
// or zone) and also lies in its park, so park staff see the children of
// the zone-level working committee that lie in their park.
func attach(prefix string) []access.Attach {
	return []access.Attach{access.ByZone(prefix + "zone_id"), access.ByNode(prefix + "id"), access.ByNode(prefix + "park_id")}
}

// enterpriseAttach is how enterprises hang in the scope (their own node,
// under their park).
var enterpriseAttach = []access.Attach{access.ByZone("zone_id"), access.ByNode("id")}

// enterpriseLinks are the enterprises an organisation covers.
var enterpriseLinks = db.Link{Table: "org_enterprises", Owner: "org_id", Member: "enterprise_id"}

// table reads organisations in the caller's scope.
var table = page.Table[Org]{From: "orgs", Cols: cols, Attach: page.Attached(attach("")...), Scan: scan}

// get returns the organisation with id when it lies in the caller's scope
// for perm. When it does not but the caller may read it, the answer is
// EFORBIDDEN; when the caller may not even read it, ENOTFOUND.
func get(ctx context.Context, q db.Querier, perm access.Perm, id string) (Org, error) {
	return table.One(ctx, q, perm, Read, id)
}

// decorate fills enterprise_ids, member_count and secretary_name of orgs
// in three queries, whatever their number.
func decorate(ctx context.Context, q db.Querier, orgs []Org) error {
	if len(orgs) == 0 {
		return nil
	}
	byID := make(map[string]*Org, len(orgs))
	ids := make([]string, 0, len(orgs))
	var secs []string
	for i := range orgs {
		byID[orgs[i].ID] = &orgs[i]
		ids = append(ids, orgs[i].ID)
		if orgs[i].SecretaryID != nil {
			secs = append(secs, *orgs[i].SecretaryID)
		}
	}
	of, err := enterpriseLinks.Of(ctx, q, ids)
	if err != nil {
		return err
	}
	for org, ents := range of {
		byID[org].EnterpriseIDs = append(byID[org].EnterpriseIDs, ents...)
	}
	var a db.Args
	rows, err := q.QueryContext(ctx, `SELECT org_id, party_status, COUNT(*) FROM people WHERE org_id IN (`+a.In(ids)+`)
		AND party_status IN ('full', 'probationary') GROUP BY org_id, party_status`, a...)
	if err != nil {
		return err
	}
	err = db.EachRow(rows, func(r db.Scanner) error {
		var org, status string
		var n int
		if err := r.Scan(&org, &status, &n); err != nil {
			return err
		}
		if status == StatusFull {
			byID[org].MemberCount.Full = n
		} else {
			byID[org].MemberCount.Probationary = n
		}
		return nil
	})
	if err != nil || len(secs) == 0 {
		return err
	}
	a = nil
	rows, err = q.QueryContext(ctx, `SELECT id, name FROM people WHERE id IN (`+a.In(secs)+`)`, a...)
	if err != nil {
		return err
	}
	names := map[string]string{}
	err = db.EachRow(rows, func(r db.Scanner) error {
		var id, name string
		err := r.Scan(&id, &name)
		names[id] = name
		return err
	})
	for i := range orgs {
		if sid := orgs[i].SecretaryID; sid != nil {
			if n, ok := names[*sid]; ok {
				orgs[i].SecretaryName = &n
			}
		}
	}
	return err
}

// Filter narrows List. TermExpired is "", "true" or "false".
type Filter struct {
	ParkID      string
	ParentID    string
	Kind        string
	TermExpired string
}

// CheckFilter validates the filter values a caller chose. Returns EINVALID
// (400) naming the query parameter.
func CheckFilter(f Filter) error {
	if f.Kind != "" && !slices.Contains(Kinds, f.Kind) {
		return apperr.BadField("kind", "unknown_value")
	}
	if f.TermExpired != "" && f.TermExpired != "true" && f.TermExpired != "false" {
		return apperr.BadField("term_expired", "invalid_format")
	}
	return nil
}

// List lists the organisations in the caller's org.read scope, oldest
// first; q matches the name (Chinese, pinyin or its initials). A term is
// expired when term_ends_on is before today; an organisation without a
// term end date is not expired. Returns EINVALID for a bad filter.
func (s *Service) List(ctx context.Context, f Filter, p page.Page) (page.List[Org], error) {
	if err := CheckFilter(f); err != nil {
		return page.List[Org]{}, err
	}
	var a db.Args
	where, err := s.where(ctx, f, p.Query, &a, "")
	if err != nil {
		return page.List[Org]{}, err
	}
	l, err := page.Rows(ctx, s.DB.R, p, page.Query{From: "orgs", Cols: cols, Where: where, Args: a}, scan, page.ByID(func(o Org) string { return o.ID }))
	if err != nil {
		return l, err
	}
	return l, decorate(ctx, s.DB.R, l.Items)
}

// where is the predicate of List (and the export) on orgs columns
// prefixed with prefix ("o."): the caller's org.read scope, f and q.
func (s *Service) where(ctx context.Context, f Filter, q string, a *db.Args, prefix string) (string, error) {
	where := access.From(ctx).Scope(Read).Where(a, attach(prefix)...)
	if f.ParkID != "" {
		where += " AND " + prefix + "park_id = " + a.Add(f.ParkID)
	}
	if f.ParentID != "" {
		where += " AND " + prefix + "parent_id = " + a.Add(f.ParentID)
	}
	if f.Kind != "" {
		where += " AND " + prefix + "kind = " + a.Add(f.Kind)
	}
	switch f.TermExpired {
	case "true":
		where += " AND " + prefix + "term_ends_on < " + a.Add(date(s.today()))
	case "false":
		where += " AND (" + prefix + "term_ends_on IS NULL OR " + prefix + "term_ends_on >= " + a.Add(date(s.today())) + ")"
	}
	if q != "" {
		m, err := search.Match(ctx, s.DB.R, "orgs", prefix+"id", prefix+"search_key", q, a)
		if err != nil {
			return "", err
		}
		where += " AND " + m
	}
	return where, nil
}

// Get returns an organisation in the caller's scope with its warnings.
// Returns ENOTFOUND otherwise.
func (s *Service) Get(ctx context.Context, id string) (Org, error) {
	return s.getOne(ctx, s.DB.R, id)
}

// getOne is Get in one statement: the row in the caller's scope
// (page.Table.One) with its decorations and the counts its warnings need
// as columns of the same row (decorate and orgWarnings ask four more).
// The secretary's name and the enterprise ids are kept on the row
// (migration 0440).
func (s *Service) getOne(ctx context.Context, q db.Querier, id string) (Org, error) {
	today := s.today()
	var d oneDecorations
	t := table
	t.Args = db.Args{date(today.AddDate(0, -OutOfContactMonths, 0))}
	t.Cols = cols + `, secretary_name, enterprise_ids, ` + memberCounts
	t.Scan = func(sc page.Scanner) (Org, error) {
		return scan(db.Also(sc, &d.secretary, &d.enterprises, &d.members))
	}
	o, err := t.One(ctx, q, Read, Read, id)
	if err != nil {
		return o, err
	}
	o.SecretaryName = db.Ref(&d.secretary)
	if d.enterprises != "" {
		// ids hold no comma; the triggers keep them in no order.
		o.EnterpriseIDs = strings.Split(d.enterprises, ",")
		slices.Sort(o.EnterpriseIDs)
	}
	var full, probationary, outOfContact int
	if err := numbers(d.members, &full, &probationary, &outOfContact); err != nil {
		return o, fmt.Errorf("org %s: member counts: %w", o.ID, err)
	}
	o.MemberCount = MemberCount{Full: full, Probationary: probationary}
	ws := s.warningsOf(o, outOfContact, today)
	o.Warnings = &ws
	return o, nil
}

// memberCounts is getOne's column of an organisation's full and
// probationary members and of those out of contact since $1, three
// numbers separated by spaces, counted in one search of the index
// people_org_party, read alone (TestOrgMemberCountsReadOneIndex): three
// scalar subqueries were three searches, a quarter of the statement.
const memberCounts = `(SELECT COUNT(CASE WHEN p.party_status = 'full' THEN 1 END) || ' ' ||
			COUNT(CASE WHEN p.party_status = 'probationary' THEN 1 END) || ' ' ||
			COUNT(CASE WHEN p.last_contact_on < $1 OR (p.last_contact_on IS NULL AND p.joined_on < $1) THEN 1 END)
		FROM people p WHERE p.org_id = orgs.id AND p.party_status IN ('full', 'probationary'))`

// numbers reads len(into) integers separated by spaces from s.
func numbers(s string, into ...*int) error {
	f := strings.Fields(s)
	if len(f) != len(into) {
		return fmt.Errorf("%q holds %d numbers, want %d", s, len(f), len(into))
	}
	for i, n := range into {
		v, err := strconv.Atoi(f[i])
		if err != nil {
			return err
		}
		*n = v
	}
	return nil
}

// oneDecorations are the extra columns of getOne.
type oneDecorations struct {
	secretary            sql.NullString
	enterprises, members string // enterprise_ids, memberCounts
}

// warningsOf applies warningQuery's organisation rules to one
// organisation read with its member counts (getOne), ordered by code as
// orgWarnings orders them: the same thresholds, and
// TestOrgGetWarningsMatchReport checks on both engines that both give the
// same warnings for every organisation.
func (s *Service) warningsOf(o Org, outOfContact int, today time.Time) []Warning {
	ws := []Warning{}
	add := func(code string, n int, on string) {
		ws = append(ws, Warning{Code: code, Params: s.params(code, n, on)})
	}
	members := o.MemberCount.Total()
	branch := o.Kind == KindBranch || o.Kind == KindJointBranch
	if branch && members > MaxBranchMembers {
		add(WarnBranchTooLarge, members, "")
	}
	if branch && !o.HasCommittee && members >= MinMembersForCommittee {
		add(WarnCommitteeRequired, members, "")
	}
	if outOfContact > 0 {
		add(WarnOutOfContact, outOfContact, "")
	}
	if ends := str(o.TermEndsOn); ends != "" {
		switch {
		case ends < date(today):
			add(WarnTermOverdue, 0, ends)
		case ends <= date(today.AddDate(0, 0, TermWarningDays)):
			add(WarnTermEnding, 0, ends)
		}
	}
	slices.SortFunc(ws, func(a, b Warning) int { return strings.Compare(a.Code, b.Code) })
	return ws
}

// date formats a day as YYYY-MM-DD.
func date(t time.Time) string { return t.Format(time.DateOnly) }

// parseDate reads a YYYY-MM-DD date of a plausible year.
func parseDate(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Year() < 1900 || t.Year() > 2200 {
		return t, false
	}
	return t, true
}

// Input is what creating an organisation takes. Empty strings are absent.
type Input struct {
	ZoneID        string
	ParentID      string
	ParkID        string
	Name          string
	Kind          string
	EnterpriseIDs []string
	SecretaryID   string
	FoundedOn     string
	TermEndsOn    string
	HasCommittee  bool
}

// checkName, checkKind, checkDates and checkEnterpriseList are the checks
// that need no database.
func checkName(fs *apperr.Fields, name *string) { valid.Name(fs, "name", name, 100) }

func checkKind(fs *apperr.Fields, kind string) {
	switch {
	case kind == "":
		fs.Add("kind", "required")
	case !slices.Contains(Kinds, kind):
		fs.Add("kind", "unknown_value")
	}
}

func checkDates(fs *apperr.Fields, founded, ends string) {
	f, fok := parseDate(founded)
	if founded != "" && !fok {
		fs.Add("founded_on", "invalid_date")
	}
	e, eok := parseDate(ends)
	if ends != "" && !eok {
		fs.Add("term_ends_on", "invalid_date")
	}
	if founded != "" && ends != "" && fok && eok && !e.After(f) {
		fs.Add("term_ends_on", "term_before_founded")
	}
}

func checkEnterpriseList(fs *apperr.Fields, ids []string) {
	if len(ids) > MaxEnterprises {
		fs.Add("enterprise_ids", "too_many", "Max", MaxEnterprises)
		return
	}
	seen := map[string]bool{}
	for i, id := range ids {
		if id == "" || seen[id] {
			fs.Add("enterprise_ids", "duplicate_item", "Index", i+1, "ID", id)
		}
		seen[id] = true
	}
}

// place is where an organisation hangs: its zone, parent organisation
// ("" for none), park ("" at zone level) and the scope node it is a child
// of.
type place struct {
	zoneID, parentID, parkID, node string
}

// parentRef is the parent organisation of a place: stored (path set), or
// a row earlier in the same import, not stored yet (path "", its own place
// checked already).
type parentRef struct {
	id, zoneID, parkID, path string
}

// locate resolves where an organisation of kind with parentID and parkID
// goes, for a caller whose perm scope must cover the place. defaultPark is
// the park when parkID is "" and no park-level parent decides it. self is
// the organisation being moved ("" on create): a parent inside its subtree
// is a cycle. Field errors go to fs; other errors are returned.
func locate(ctx context.Context, tx *db.Tx, perm access.Perm, fs *apperr.Fields, zoneID, kind, parentID, parkID, defaultPark, self string) (place, error) {
	if kind == KindWorkingCommittee || parentID == "" {
		return settle(ctx, tx, perm, fs, zoneID, kind, parentID, nil, parkID, defaultPark)
	}
	pl := place{zoneID: zoneID, parentID: parentID, parkID: parkID}
	if parentID == self {
		fs.Add("parent_id", "cycle")
		return pl, nil
	}
	parent, err := get(ctx, tx, Read, parentID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && parent.ZoneID != zoneID) {
		fs.Add("parent_id", "unknown_value")
		return pl, nil
	}
	if err != nil {
		return pl, err
	}
	parentNode, err := nodes.Get(ctx, tx, parentID)
	if err != nil {
		return pl, err
	}
	if self != "" {
		selfNode, err := nodes.Get(ctx, tx, self)
		if err != nil {
			return pl, err
		}
		if len(parentNode.Path) >= len(selfNode.Path) && parentNode.Path[:len(selfNode.Path)] == selfNode.Path {
			fs.Add("parent_id", "cycle")
			return pl, nil
		}
	}
	ref := &parentRef{id: parent.ID, zoneID: parent.ZoneID, parkID: str(parent.ParkID), path: parentNode.Path}
	return settle(ctx, tx, perm, fs, zoneID, kind, parentID, ref, parkID, defaultPark)
}

// settle applies the rules of a place once the parent (nil for none) is
// known: a working committee hangs under the zone, with neither parent
// nor park; anything else lies in its parent's park (parkID may only
// repeat it), or — with no parent or a zone-level one — in parkID (else
// defaultPark), a park of the zone the caller can see; and the place must
// lie in the caller's perm scope, under a node it covers (the parent's
// subtree) or in a park it covers. parentID is what the caller asked for
// (a working committee with one is refused even if it names nothing).
func settle(ctx context.Context, q db.Querier, perm access.Perm, fs *apperr.Fields, zoneID, kind, parentID string, parent *parentRef, parkID, defaultPark string) (place, error) {
	p := access.From(ctx)
	sc := p.Scope(perm)
	pl := place{zoneID: zoneID, parentID: parentID, parkID: parkID}
	if kind == KindWorkingCommittee {
		if parentID != "" {
			fs.Add("parent_id", "zone_level_only")
		}
		if parkID != "" {
			fs.Add("park_id", "zone_level_only")
		}
		if !sc.CoversZone(zoneID) {
			fs.Add("zone_id", "unknown_value")
		}
		pl.node = zoneID
		return pl, nil
	}
	if parent != nil {
		pl.parentID = parent.id
		if parent.parkID != "" {
			// A child lies in its parent's park.
			if parkID != "" && parkID != parent.parkID {
				fs.Add("park_id", "parent_park_mismatch")
				return pl, nil
			}
			pl.parkID = parent.parkID
		}
		pl.node = parent.id
	}
	if pl.parkID == "" {
		pl.parkID = defaultPark
	}
	if pl.parkID == "" {
		fs.Add("park_id", "required")
		return pl, nil
	}
	park, err := nodes.Get(ctx, q, pl.parkID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && (park.Kind != access.KindPark || park.ZoneID != zoneID || !p.Scope(Read).Covers(park.Path))) {
		fs.Add("park_id", "unknown_value")
		return pl, nil
	}
	if err != nil {
		return pl, err
	}
	if pl.node == "" {
		pl.node = park.ID
	}
	// A parent of the same import lies in the scope already (its own row
	// was checked), and so does what hangs under it.
	parentCovered := parent != nil && (parent.path == "" || sc.Covers(parent.path))
	if !sc.Covers(park.Path) && !parentCovered {
		if parent != nil {
			fs.Add("parent_id", "unknown_value")
		} else {
			fs.Add("park_id", "unknown_value")
		}
	}
	return pl, nil
}

// checkEnterprises checks that every id names an enterprise of zoneID in
// the caller's perm scope and in parkID, adding one field error per
// offending id (its 1-based index and the id in the params).
func checkEnterprises(ctx context.Context, q db.Querier, perm access.Perm, fs *apperr.Fields, zoneID, parkID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	var a db.Args
	where := access.From(ctx).Scope(perm).Where(&a, enterpriseAttach...)
	rows, err := q.QueryContext(ctx, `SELECT id, park_id FROM enterprises WHERE zone_id = `+a.Add(zoneID)+` AND id IN (`+a.In(ids)+`) AND `+where, a...)
	if err != nil {
		return err
	}
	parks := map[string]string{}
	err = db.EachRow(rows, func(r db.Scanner) error {
		var id, park string
		err := r.Scan(&id, &park)
		parks[id] = park
		return err
	})
	if err != nil {
		return err
	}
	for i, id := range ids {
		park, ok := parks[id]
		switch {
		case !ok:
			fs.Add("enterprise_ids", "unknown_enterprise", "Index", i+1, "ID", id)
		case park != parkID:
			fs.Add("enterprise_ids", "enterprise_other_park", "Index", i+1, "ID", id)
		}
	}
	return nil
}

// checkSecretary checks that person id is a party member of org.
func checkSecretary(ctx context.Context, q db.Querier, fs *apperr.Fields, org, id string) error {
	if id == "" {
		return nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE id = $1 AND org_id = $2 AND party_status IN ('full', 'probationary')`, id, org).Scan(&n)
	if err == nil && n == 0 {
		fs.Add("secretary_id", "not_member")
	}
	return err
}

// lockZone serialises the changes that reshape a zone's tree (moves, and
// creates under an organisation that might be moving): on PostgreSQL two
// concurrent moves could otherwise each pass the cycle check against the
// other's old paths. SQLite has one writer anyway. Statements after it
// read what the previous holder committed.
func lockZone(ctx context.Context, tx *db.Tx, zoneID string) error {
	_, err := tx.ExecContext(ctx, `UPDATE scope_nodes SET name = name WHERE id = $1`, zoneID)
	return err
}

// Create creates an organisation. Callers need org.manage where it will
// hang (zone_admin; park_admin for organisations of their park).
// zone_id may be omitted: it is taken from the parent or the park, or is
// the caller's single zone. A working committee has neither parent nor
// park; any other organisation lies in its parent's park, or — with no
// parent, or under the zone-level working committee — in park_id.
// secretary_id must name a party member of the organisation, so it can
// only be set once members have joined (it is refused on create).
// Returns EFORBIDDEN, EVALIDATION.
func (s *Service) Create(ctx context.Context, in Input) (Org, error) {
	sc := access.From(ctx).Scope(Manage)
	if sc.Empty() {
		return Org{}, apperr.New(apperr.Forbidden, "")
	}
	var fs apperr.Fields
	checkInput(&fs, &in)
	if err := fs.Err(); err != nil {
		return Org{}, err
	}
	var org Org
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		fs = nil
		zoneID := in.ZoneID
		if zoneID == "" {
			for _, id := range []string{in.ParentID, in.ParkID} {
				if n, err := nodes.Get(ctx, tx, id); id != "" && err == nil {
					zoneID = n.ZoneID
					break
				}
			}
		}
		if zoneID == "" {
			zoneID, _ = sc.SingleZone()
		}
		if zoneID == "" {
			return apperr.Field("zone_id", "required")
		}
		if in.ParentID != "" {
			if err := lockZone(ctx, tx, zoneID); err != nil {
				return err
			}
		}
		id := uuid.Must(uuid.NewV7()).String()
		pl, err := locate(ctx, tx, Manage, &fs, zoneID, in.Kind, in.ParentID, in.ParkID, "", "")
		if err != nil {
			return err
		}
		if err := checkCover(ctx, tx, Manage, &fs, in.Kind, pl, in.EnterpriseIDs); err != nil {
			return err
		}
		if err := checkSecretary(ctx, tx, &fs, id, in.SecretaryID); err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		org, err = add(ctx, tx, id, in, pl)
		return err
	})
	return org, err
}

// checkInput runs the checks of Create that need no database.
func checkInput(fs *apperr.Fields, in *Input) {
	checkName(fs, &in.Name)
	checkKind(fs, in.Kind)
	checkDates(fs, in.FoundedOn, in.TermEndsOn)
	checkEnterpriseList(fs, in.EnterpriseIDs)
}

// checkCover applies Create's rules on the enterprises of an organisation
// placed at pl: none at zone level, else each in the caller's perm scope
// and in the organisation's park.
func checkCover(ctx context.Context, q db.Querier, perm access.Perm, fs *apperr.Fields, kind string, pl place, ids []string) error {
	switch {
	case kind == KindWorkingCommittee && len(ids) > 0:
		fs.Add("enterprise_ids", "zone_level_only")
	case pl.parkID != "":
		return checkEnterprises(ctx, q, perm, fs, pl.zoneID, pl.parkID, ids)
	}
	return nil
}

// add stores a checked organisation with id at pl: its row, its scope
// node, the enterprises it covers and the audit entry.
func add(ctx context.Context, tx *db.Tx, id string, in Input, pl place) (Org, error) {
	org := Org{ID: id, ZoneID: pl.zoneID, ParentID: opt(pl.parentID), ParkID: opt(pl.parkID), Name: in.Name, Kind: in.Kind,
		EnterpriseIDs: slices.Sorted(slices.Values(in.EnterpriseIDs)), FoundedOn: opt(in.FoundedOn), TermEndsOn: opt(in.TermEndsOn),
		HasCommittee: in.HasCommittee, Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
	if org.EnterpriseIDs == nil {
		org.EnterpriseIDs = []string{}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO orgs (id, zone_id, parent_id, park_id, name, kind, founded_on, term_ends_on,
		has_committee, search_key, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11)`,
		org.ID, org.ZoneID, db.NullString(pl.parentID), db.NullString(pl.parkID), org.Name, org.Kind, db.NullString(in.FoundedOn),
		db.NullString(in.TermEndsOn), org.HasCommittee, search.Key(org.Name), db.Micros(tx.Now)); err != nil {
		return org, err
	}
	if _, err := nodes.Insert(ctx, tx, nodes.Node{ID: org.ID, ZoneID: org.ZoneID, Kind: access.KindOrg, ParentID: pl.node, Name: org.Name}, "parent_id"); err != nil {
		return org, err
	}
	if err := enterpriseLinks.Set(ctx, tx, org.ID, org.ZoneID, org.EnterpriseIDs, nil); err != nil {
		return org, err
	}
	return org, audit.Record(ctx, tx, audit.Event{ZoneID: org.ZoneID, Node: org.ID, Entity: "org", EntityID: org.ID, Action: "create",
		Summary: map[string]any{"name": org.Name, "kind": org.Kind, "parent_id": pl.parentID, "park_id": pl.parkID, "enterprise_ids": org.EnterpriseIDs}})
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// setEnterprises replaces the enterprises org covers.

// Patch is a partial update; nil fields stay as they are. An empty string
// clears parent_id (the organisation then hangs under its park),
// secretary_id, founded_on and term_ends_on.
type Patch struct {
	Name          *string
	Kind          *string
	ParentID      *string
	ParkID        *string
	EnterpriseIDs *[]string
	SecretaryID   *string
	FoundedOn     *string
	TermEndsOn    *string
	HasCommittee  *bool
}

// Update applies patch. Callers need org.update over the organisation
// (zone_admin, park_admin of its park, org_secretary of it or an
// organisation above it) for name, dates, secretary and committee, and
// org.manage (zone_admin, park_admin) when the patch changes its kind,
// parent, park or enterprises; the organisation must satisfy match.
//
// A move (parent_id, park_id) takes the whole subtree with it: grants on
// the organisations below and people attached to them follow, and when the
// park changes every organisation below gets the new park in the same
// transaction (refused with EVALIDATION while any of them covers an
// enterprise outside the new park). A new parent in the subtree itself is
// a cycle. Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION, EVALIDATION.
func (s *Service) Update(ctx context.Context, id string, patch Patch, match etag.Match) (Org, error) {
	var pre apperr.Fields
	if patch.Name != nil {
		checkName(&pre, patch.Name)
	}
	if patch.Kind != nil {
		checkKind(&pre, *patch.Kind)
	}
	if patch.EnterpriseIDs != nil {
		checkEnterpriseList(&pre, *patch.EnterpriseIDs)
	}
	for _, d := range []struct {
		field string
		v     *string
	}{{"founded_on", patch.FoundedOn}, {"term_ends_on", patch.TermEndsOn}} {
		if d.v != nil && *d.v != "" {
			if _, ok := parseDate(*d.v); !ok {
				pre.Add(d.field, "invalid_date")
			}
		}
	}
	var org Org
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := get(ctx, tx, Update, id)
		if err != nil {
			return err
		}
		moving := (patch.ParentID != nil && *patch.ParentID != str(old.ParentID)) || (patch.ParkID != nil && *patch.ParkID != str(old.ParkID))
		if moving {
			// Re-read after the lock: a concurrent move may have changed the tree.
			if err := lockZone(ctx, tx, old.ZoneID); err != nil {
				return err
			}
			if old, err = get(ctx, tx, Update, id); err != nil {
				return err
			}
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := pre.Err(); err != nil {
			return err
		}
		one := []Org{old}
		if err := decorate(ctx, tx, one); err != nil {
			return err
		}
		old = one[0]
		org = old
		org.Warnings = nil
		changes := map[string]any{}
		set := func(field string, dst **string, v *string) {
			if v == nil || *v == str(*dst) {
				return
			}
			changes[field] = audit.Change{From: *dst, To: opt(*v)}
			*dst = opt(*v)
		}
		if patch.Name != nil && *patch.Name != old.Name {
			changes["name"] = audit.Change{From: old.Name, To: *patch.Name}
			org.Name = *patch.Name
		}
		if patch.Kind != nil && *patch.Kind != old.Kind {
			changes["kind"] = audit.Change{From: old.Kind, To: *patch.Kind}
			org.Kind = *patch.Kind
		}
		set("founded_on", &org.FoundedOn, patch.FoundedOn)
		set("term_ends_on", &org.TermEndsOn, patch.TermEndsOn)
		set("secretary_id", &org.SecretaryID, patch.SecretaryID)
		if patch.HasCommittee != nil && *patch.HasCommittee != old.HasCommittee {
			changes["has_committee"] = audit.Change{From: old.HasCommittee, To: *patch.HasCommittee}
			org.HasCommittee = *patch.HasCommittee
		}
		newEnts := old.EnterpriseIDs
		if patch.EnterpriseIDs != nil {
			newEnts = slices.Sorted(slices.Values(*patch.EnterpriseIDs))
			if newEnts == nil {
				newEnts = []string{}
			}
			if !slices.Equal(newEnts, old.EnterpriseIDs) {
				changes["enterprise_ids"] = audit.Change{From: old.EnterpriseIDs, To: newEnts}
			}
		}
		structural := moving || org.Kind != old.Kind || changes["enterprise_ids"] != nil
		if structural {
			if _, err := get(ctx, tx, Manage, id); err != nil {
				return err // EFORBIDDEN: a secretary may not reshape the tree
			}
		}
		var fs apperr.Fields
		if (old.Kind == KindWorkingCommittee) != (org.Kind == KindWorkingCommittee) {
			fs.Add("kind", "working_committee_fixed")
		}
		checkDates(&fs, str(org.FoundedOn), str(org.TermEndsOn))
		if changes["secretary_id"] != nil {
			if err := checkSecretary(ctx, tx, &fs, id, str(org.SecretaryID)); err != nil {
				return err
			}
		}
		pl := place{zoneID: old.ZoneID, parentID: str(old.ParentID), parkID: str(old.ParkID)}
		if moving && org.Kind != KindWorkingCommittee {
			parentID, parkID, defaultPark := str(old.ParentID), "", str(old.ParkID)
			if patch.ParentID != nil {
				parentID = *patch.ParentID
			}
			if patch.ParkID != nil {
				parkID, defaultPark = *patch.ParkID, ""
			}
			if pl, err = locate(ctx, tx, Manage, &fs, old.ZoneID, org.Kind, parentID, parkID, defaultPark, id); err != nil {
				return err
			}
		} else if moving {
			fs.Add("parent_id", "zone_level_only")
		}
		if err := fs.Err(); err != nil {
			return err
		}
		org.ParentID, org.ParkID = opt(pl.parentID), opt(pl.parkID)
		if changes["enterprise_ids"] != nil || pl.parkID != str(old.ParkID) {
			if err := checkEnterprises(ctx, tx, Manage, &fs, old.ZoneID, pl.parkID, newEnts); err != nil {
				return err
			}
		}
		if pl.parkID != str(old.ParkID) {
			if err := checkSubtreeEnterprises(ctx, tx, &fs, id, pl.parkID, patch.ParentID != nil); err != nil {
				return err
			}
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if str(org.ParentID) != str(old.ParentID) {
			changes["parent_id"] = audit.Change{From: old.ParentID, To: org.ParentID}
		}
		if str(org.ParkID) != str(old.ParkID) {
			changes["park_id"] = audit.Change{From: old.ParkID, To: org.ParkID}
		}
		if len(changes) == 0 {
			return nil
		}
		org.EnterpriseIDs = newEnts
		org.Version, org.UpdatedAt = old.Version+1, tx.Now
		res, err := tx.ExecContext(ctx, `UPDATE orgs SET parent_id = $1, park_id = $2, name = $3, kind = $4, secretary_id = $5,
			founded_on = $6, term_ends_on = $7, has_committee = $8, search_key = $9, version = $10, updated_at = $11
			WHERE id = $12 AND version = $13`,
			db.NullString(pl.parentID), db.NullString(pl.parkID), org.Name, org.Kind, db.NullString(str(org.SecretaryID)),
			db.NullString(str(org.FoundedOn)), db.NullString(str(org.TermEndsOn)), org.HasCommittee, search.Key(org.Name),
			org.Version, db.Micros(tx.Now), id, old.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.PreconditionFailed, "problem.stale_version", "Version", old.Version)
		}
		if changes["parent_id"] != nil || changes["park_id"] != nil {
			n, err := nodes.Move(ctx, tx, id, pl.node, "parent_id")
			if err != nil {
				return err
			}
			if pl.parkID != str(old.ParkID) {
				moved, err := moveSubtreePark(ctx, tx, n.Path, pl.parkID)
				if err != nil {
					return err
				}
				changes["descendants_moved"] = moved
			}
		}
		if changes["enterprise_ids"] != nil {
			add, remove := db.Diff(old.EnterpriseIDs, newEnts)
			if err := enterpriseLinks.Set(ctx, tx, id, org.ZoneID, add, remove); err != nil {
				return err
			}
		}
		if org.Name != old.Name {
			if err := nodes.Rename(ctx, tx, id, org.Name); err != nil {
				return err
			}
		}
		if changes["secretary_id"] != nil {
			org.SecretaryName = nil
			one := []Org{org}
			if err := decorate(ctx, tx, one); err != nil {
				return err
			}
			org = one[0]
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: org.ZoneID, Node: org.ID, Entity: "org", EntityID: org.ID, Action: "update", Summary: changes})
	})
	return org, err
}

// checkSubtreeEnterprises refuses a move into park when an organisation
// below id (or id itself, unless its enterprises are being replaced: they
// were checked already) covers an enterprise of another park.
func checkSubtreeEnterprises(ctx context.Context, tx *db.Tx, fs *apperr.Fields, id, park string, byParent bool) error {
	n, err := nodes.Get(ctx, tx, id)
	if err != nil {
		return err
	}
	var count int
	err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM org_enterprises oe JOIN enterprises e ON e.id = oe.enterprise_id
		WHERE oe.org_id IN (SELECT id FROM scope_nodes WHERE path > $1 AND path < $2 AND kind = 'org') AND e.park_id <> $3`,
		n.Path, n.Path[:len(n.Path)-1]+"0", park).Scan(&count)
	if err == nil && count > 0 {
		field := "park_id"
		if byParent {
			field = "parent_id"
		}
		fs.Add(field, "enterprises_in_other_park", "Count", count)
	}
	return err
}

// moveSubtreePark gives every organisation below the node at path (not
// the node itself) the park park, bumping their versions. It returns how
// many changed.
func moveSubtreePark(ctx context.Context, tx *db.Tx, path, park string) (int64, error) {
	res, err := tx.ExecContext(ctx, `UPDATE orgs SET park_id = $1, version = version + 1, updated_at = $2
		WHERE id IN (SELECT id FROM scope_nodes WHERE path > $3 AND path < $4 AND kind = 'org')`,
		park, db.Micros(tx.Now), path, path[:len(path)-1]+"0")
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Delete deletes an organisation: the enterprises it covers are released,
// its scope node and the grants on it removed (each removal audited).
// Callers need org.manage (zone_admin, park_admin of its park); it must
// satisfy match. Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION, and
// ECONFLICT while it has child organisations, people attached to it, or is
// named by alliances, red workshops or membership transfers.
func (s *Service) Delete(ctx context.Context, id string, match etag.Match) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := get(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		var children, members, refs int
		err = tx.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM orgs WHERE parent_id = $1),
			(SELECT COUNT(*) FROM people WHERE org_id = $1),
			(SELECT COUNT(*) FROM alliances WHERE lead_org_id = $1) + (SELECT COUNT(*) FROM alliance_orgs WHERE org_id = $1) +
			(SELECT COUNT(*) FROM workshops WHERE org_id = $1) +
			(SELECT COUNT(*) FROM party_transfers WHERE from_org_id = $1 OR to_org_id = $1)`, id).Scan(&children, &members, &refs)
		switch {
		case err != nil:
			return err
		case children > 0:
			return apperr.New(apperr.Conflict, "problem.org_has_children", "Count", children)
		case members > 0:
			return apperr.New(apperr.Conflict, "problem.org_has_members", "Count", members)
		case refs > 0:
			return apperr.New(apperr.Conflict, "problem.org_in_use")
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: old.ID, Entity: "org", EntityID: id, Action: "delete",
			Summary: map[string]any{"name": old.Name, "kind": old.Kind, "parent_id": old.ParentID, "park_id": old.ParkID}}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM org_enterprises WHERE org_id = $1`, id); err != nil {
			return err
		}
		if err := nodes.Delete(ctx, tx, id); err != nil {
			if apperr.Is(err, apperr.Conflict) {
				return apperr.New(apperr.Conflict, "problem.org_in_use")
			}
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM orgs WHERE id = $1`, id)
		if db.IsForeignKey(err) {
			return apperr.New(apperr.Conflict, "problem.org_in_use")
		}
		return err
	})
}
