package people

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/db"
	"tongxin/internal/ident"
	"tongxin/internal/tabular"
)

// The people roster (人员名册): one file layout for the template, the
// import and the export, so an export can be filled in and imported again
// — except phone and ID number, which an export holds masked and an
// import refuses masked (code masked): a roster file never carries them in
// clear out of the platform.

// Column keys of the roster.
const (
	colName       = "name"
	colGender     = "gender"
	colPhone      = "phone"
	colIDNumber   = "id_number"
	colEnterprise = "enterprise"
	colStatus     = "party_status"
	colOrg        = "org"
	colJoined     = "joined_on"
	colTags       = "tags"
)

// fieldColumn maps the fields check and add name to roster columns.
var fieldColumn = map[string]string{
	"enterprise_id":   colEnterprise,
	"zone_id":         colEnterprise,
	"party":           colOrg,
	"party.org_id":    colOrg,
	"party.status":    colStatus,
	"party.joined_on": colJoined,
}

// label is a coded value as a roster file shows it, in zh-CN and en.
type label struct{ code, zh, en string }

func (l label) in(lang string) string {
	if strings.HasPrefix(strings.ToLower(lang), "en") {
		return l.en
	}
	return l.zh
}

var (
	genders  = []label{{"male", "男", "Male"}, {"female", "女", "Female"}}
	statuses = []label{{Full, "正式党员", "Full member"}, {Probationary, "预备党员", "Probationary member"}}
	// Other words a roster may use for the party status: 政治面貌 as
	// Chinese forms write it. Those of non-members leave the status blank.
	statusAliases = map[string]string{"中共党员": Full, "党员": Full, "中共预备党员": Probationary,
		"群众": "", "非党员": "", "共青团员": "", "团员": ""}
)

// code returns the code of a value written in either language (English
// in any case), and whether it is one.
func code(ls []label, v string) (string, bool) {
	for _, l := range ls {
		if v == l.zh || strings.EqualFold(v, l.en) || strings.EqualFold(v, l.code) {
			return l.code, true
		}
	}
	return "", false
}

func labelOf(ls []label, code, lang string) string {
	for _, l := range ls {
		if l.code == code {
			return l.in(lang)
		}
	}
	return code
}

func labels(ls []label, lang string) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.in(lang)
	}
	return out
}

// maxListOptions bounds a template's drop-down of enterprises or
// organisations: past it the column is free text (a drop-down of
// thousands helps nobody and bloats the file).
const maxListOptions = 1000

// rosterColumns are the roster's columns. The options, when given, are
// the template's drop-downs; an import takes the coded columns in either
// language and checks them itself, so its columns have none.
func rosterColumns(genderOpts, statusOpts, enterpriseOpts, orgOpts []string) []tabular.Column {
	return []tabular.Column{
		{Key: colName, Header: "姓名", HeaderEN: "Name", Required: true, Width: 14},
		{Key: colGender, Header: "性别", HeaderEN: "Gender", Options: genderOpts},
		{Key: colPhone, Header: "手机号", HeaderEN: "Mobile", Width: 16},
		{Key: colIDNumber, Header: "身份证号", HeaderEN: "ID number", Width: 22},
		{Key: colEnterprise, Header: "所属企业", HeaderEN: "Enterprise", Options: enterpriseOpts, Width: 30},
		{Key: colStatus, Header: "政治面貌", HeaderEN: "Party status", Options: statusOpts, Width: 16},
		{Key: colOrg, Header: "所属党组织", HeaderEN: "Party organisation", Options: orgOpts, Width: 30},
		{Key: colJoined, Header: "入党日期", HeaderEN: "Date joined", Width: 14},
		{Key: colTags, Header: "标签", HeaderEN: "Tags", Width: 24},
	}
}

// rosterEnterprise and rosterOrg are what an import may place people in.
type (
	rosterEnterprise struct{ id, zoneID, name, uscc string }
	rosterOrg        struct{ id, zoneID, name string }
)

// placeable returns the enterprises and organisations the caller may
// place people in (as placement allows: person.manage over them, or for
// an enterprise over an organisation covering it), of zoneID when not "",
// by name.
func placeable(ctx context.Context, q db.Querier, zoneID string) ([]rosterEnterprise, []rosterOrg, error) {
	sc := access.From(ctx).Scope(Manage)
	var a db.Args
	w1 := sc.Where(&a, access.ByZone("zone_id"), access.ByNode("id"))
	w2 := sc.Where(&a, access.ByNode("oe.org_id"))
	where := "(" + w1 + " OR id IN (SELECT oe.enterprise_id FROM org_enterprises oe WHERE " + w2 + "))"
	if zoneID != "" {
		where += " AND zone_id = " + a.Add(zoneID)
	}
	var ents []rosterEnterprise
	err := db.Each(ctx, q, "SELECT id, zone_id, name, uscc FROM enterprises WHERE "+where+" ORDER BY name, id", a, func(s db.Scanner) error {
		var e rosterEnterprise
		err := s.Scan(&e.id, &e.zoneID, &e.name, &e.uscc)
		ents = append(ents, e)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	a = nil
	where = sc.Where(&a, access.ByZone("zone_id"), access.ByNode("id"))
	if zoneID != "" {
		where += " AND zone_id = " + a.Add(zoneID)
	}
	var orgs []rosterOrg
	err = db.Each(ctx, q, "SELECT id, zone_id, name FROM orgs WHERE "+where+" ORDER BY name, id", a, func(s db.Scanner) error {
		var o rosterOrg
		err := s.Scan(&o.id, &o.zoneID, &o.name)
		orgs = append(orgs, o)
		return err
	})
	return ents, orgs, err
}

// names returns the distinct names, nil past maxListOptions.
func names[T any](rows []T, name func(T) string) []string {
	var out []string
	for _, r := range rows {
		if n := name(r); !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	if len(out) > maxListOptions {
		return nil
	}
	return out
}

// TemplateColumns returns the roster's columns with drop-downs in lang:
// gender, party status, and the names of the enterprises and
// organisations the caller may place people in (of zoneID when not "";
// none when there are more than a drop-down can usefully hold).
func (s *Service) TemplateColumns(ctx context.Context, zoneID, lang string) ([]tabular.Column, error) {
	ents, orgs, err := placeable(ctx, s.DB.R, zoneID)
	if err != nil {
		return nil, err
	}
	return rosterColumns(labels(genders, lang), labels(statuses, lang),
		names(ents, func(e rosterEnterprise) string { return e.name }),
		names(orgs, func(o rosterOrg) string { return o.name })), nil
}

// ExportColumns are the columns of an export (the template's, without
// drop-downs).
func ExportColumns() []tabular.Column { return rosterColumns(nil, nil, nil, nil) }

// UploadLimit is the largest roster file an import takes.
const UploadLimit = 20 << 20

// ImportResult is the outcome of an import.
type ImportResult struct {
	Rows     int // data rows in the file
	Imported int // people created (0 in a dry run)
}

// rosterRow is a parsed row: the Input as Create takes it, and its zone.
type rosterRow struct {
	in     Input
	zoneID string
}

// Import creates the people of a roster file, all or none. Each row is
// checked by the same rules as Create; its enterprise is found by USCC or
// exact name, its organisation by exact name, among those the caller may
// place people in (of zoneID when not ""): another zone's, one out of
// scope and an unknown one look the same, and a name several share is
// ambiguous. ID numbers must be unique in the file and free in the zone;
// phone and ID number masked by an export are refused. Any error anywhere
// is a 422 listing every error with its row and column, and nothing is
// written. dryRun checks only.
//
// The rows are created inside one transaction by add, as Create creates
// one: sealed phone and ID number with blind indexes, tags, search key,
// and one "create" audit entry each (naming, never holding, the numbers).
// Returns EFORBIDDEN without person.manage anywhere, EVALIDATION (zone_id
// unknown, or the file's errors).
func (s *Service) Import(ctx context.Context, src *tabular.Spooled, zoneID string, dryRun bool) (ImportResult, error) {
	sc := access.From(ctx).Scope(Manage)
	if sc.Empty() {
		return ImportResult{}, apperr.New(apperr.Forbidden, "")
	}
	run := func(q db.Querier, tx *db.Tx) (ImportResult, error) {
		if zoneID != "" {
			var n int
			if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM zones WHERE id = $1`, zoneID).Scan(&n); err != nil {
				return ImportResult{}, err
			}
			if n == 0 {
				return ImportResult{}, apperr.Field("zone_id", "unknown_value")
			}
		}
		ents, orgs, err := placeable(ctx, q, zoneID)
		if err != nil {
			return ImportResult{}, err
		}
		ix := newPlaceIndex(ents, orgs)
		ix.defaultZone = zoneID
		if ix.defaultZone == "" {
			ix.defaultZone, _ = sc.SingleZone()
		}
		if ix.defaultZone == "" {
			ix.defaultZone = access.From(ctx).ZoneID
		}
		ix.scope = sc
		now := time.Now()
		spec := tabular.Spec[rosterRow]{
			Columns: ExportColumns(),
			Parse: func(_ context.Context, r tabular.Row, errs *tabular.RowErrors) (rosterRow, bool) {
				return ix.parse(r, errs, now)
			},
			Keys: func(r rosterRow) []tabular.UniqueKey {
				return []tabular.UniqueKey{{Field: colIDNumber, Value: r.in.IDNumber}}
			},
			Check: func(ctx context.Context, batch []tabular.Item[rosterRow]) ([]tabular.Error, error) {
				return s.registered(ctx, q, batch)
			},
			Commit: func(ctx context.Context, batch []tabular.Item[rosterRow]) error {
				return s.commit(ctx, tx, batch)
			},
			BatchSize: 500,
			DryRun:    dryRun,
		}
		res, err := tabular.Import(ctx, src, spec)
		return ImportResult{Rows: res.Rows, Imported: res.Committed}, err
	}
	if dryRun {
		return run(s.DB.R, nil)
	}
	var res ImportResult
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		var err error
		res, err = run(tx, tx)
		return err
	})
	if err != nil {
		return ImportResult{Rows: res.Rows}, err
	}
	return res, nil
}

// placeIndex finds enterprises by id, USCC or name and organisations by
// id or name.
type placeIndex struct {
	entByID              map[string]rosterEnterprise
	entByUSCC, entByName map[string][]rosterEnterprise // a USCC is unique in a zone, not across zones
	orgByID              map[string]rosterOrg
	orgByName            map[string][]rosterOrg
	defaultZone          string // of a row naming neither
	scope                access.Scope
}

func newPlaceIndex(ents []rosterEnterprise, orgs []rosterOrg) *placeIndex {
	ix := &placeIndex{entByID: map[string]rosterEnterprise{}, entByUSCC: map[string][]rosterEnterprise{},
		entByName: map[string][]rosterEnterprise{}, orgByID: map[string]rosterOrg{}, orgByName: map[string][]rosterOrg{}}
	for _, e := range ents {
		ix.entByID[e.id] = e
		ix.entByUSCC[e.uscc] = append(ix.entByUSCC[e.uscc], e)
		ix.entByName[e.name] = append(ix.entByName[e.name], e)
	}
	for _, o := range orgs {
		ix.orgByID[o.id] = o
		ix.orgByName[o.name] = append(ix.orgByName[o.name], o)
	}
	return ix
}

// enterprise returns the enterprises ref may name: the one with that id,
// else those with that USCC (one per zone at most), else those of that
// name.
func (ix *placeIndex) enterprise(ref string) []rosterEnterprise {
	if e, ok := ix.entByID[ref]; ok {
		return []rosterEnterprise{e}
	}
	if u := ident.NormalizeUSCC(ref); ident.USCCError(u) == "" {
		if es := ix.entByUSCC[u]; len(es) > 0 {
			return es
		}
	}
	return ix.entByName[ref]
}

func (ix *placeIndex) org(ref string) []rosterOrg {
	if o, ok := ix.orgByID[ref]; ok {
		return []rosterOrg{o}
	}
	return ix.orgByName[ref]
}

// parse turns a row into an Input with its zone, reporting under the
// columns what is wrong: the coded values, the enterprise and the
// organisation, masked numbers, and every rule of check.
func (ix *placeIndex) parse(r tabular.Row, errs *tabular.RowErrors, now time.Time) (rosterRow, bool) {
	in := Input{Name: r.Get(colName), Phone: r.Get(colPhone), IDNumber: r.Get(colIDNumber)}
	var row rosterRow
	for _, col := range []string{colPhone, colIDNumber} {
		if strings.ContainsAny(r.Get(col), "*＊") {
			errs.Add(col, "masked")
		}
	}
	if v := r.Get(colGender); v != "" {
		if g, ok := code(genders, v); ok {
			in.Gender = g
		} else {
			errs.Add(colGender, tabular.CodeUnknownOption, "Value", v)
		}
	}
	entZone, orgZone := "", ""
	if ref := r.Get(colEnterprise); ref != "" {
		switch found := ix.enterprise(ref); len(found) {
		case 0:
			errs.Add(colEnterprise, "unknown_value")
		case 1:
			in.EnterpriseID, entZone = found[0].id, found[0].zoneID
		default:
			errs.Add(colEnterprise, "ambiguous_enterprise", "Value", ref)
		}
	}
	status, member := "", false
	if v := r.Get(colStatus); v != "" {
		if c, ok := code(statuses, v); ok {
			status, member = c, true
		} else if c, ok := statusAliases[v]; ok {
			status, member = c, c != ""
		} else {
			errs.Add(colStatus, tabular.CodeUnknownOption, "Value", v)
		}
	}
	orgRef, joined := r.Get(colOrg), tabular.Date(r.Get(colJoined))
	if member || orgRef != "" || joined != "" {
		in.Party = &PartyInput{Status: status, JoinedOn: joined}
		if orgRef != "" {
			switch found := ix.org(orgRef); len(found) {
			case 0:
				errs.Add(colOrg, "unknown_value")
			case 1:
				in.Party.OrgID, orgZone = found[0].id, found[0].zoneID
			default:
				errs.Add(colOrg, "ambiguous_org", "Value", orgRef)
			}
		} else {
			errs.Add(colOrg, tabular.CodeRequired)
		}
	}
	if v := r.Get(colTags); v != "" {
		in.Tags = strings.FieldsFunc(v, func(c rune) bool { return strings.ContainsRune("、,，;；", c) })
	}
	row.zoneID = entZone
	switch {
	case entZone != "" && orgZone != "" && entZone != orgZone:
		errs.Add(colOrg, "unknown_value") // an enterprise and an organisation of two zones
	case entZone == "" && orgZone != "":
		row.zoneID = orgZone
	case entZone == "" && r.Get(colEnterprise) == "" && orgRef == "":
		row.zoneID = ix.defaultZone
		if row.zoneID == "" || (!ix.scope.All() && !ix.scope.CoversZone(row.zoneID)) {
			errs.Add(colEnterprise, tabular.CodeRequired)
		}
	}
	var fs apperr.Fields
	check(&fs, &in, now)
	for _, f := range fs {
		col := f.Field
		if c, ok := fieldColumn[col]; ok {
			col = c
		}
		var params []any
		for k, v := range f.Params {
			params = append(params, k, v)
		}
		errs.Add(col, f.Code, params...)
	}
	row.in = in
	return row, errs.Len() == 0
}

// registered reports the rows of batch whose ID number a person of the
// row's zone already holds, by blind index: one query per zone in the
// batch. The lookup covers the whole zone, not only the caller's scope,
// because the ID number is unique in the zone (Create's 409 tells as
// much).
func (s *Service) registered(ctx context.Context, q db.Querier, batch []tabular.Item[rosterRow]) ([]tabular.Error, error) {
	byZone := map[string][]string{}
	for _, it := range batch {
		if it.Value.in.IDNumber != "" {
			byZone[it.Value.zoneID] = append(byZone[it.Value.zoneID], s.Keys.Index("id_number", it.Value.in.IDNumber))
		}
	}
	taken := map[[2]string]bool{}
	for zone, idx := range byZone {
		var a db.Args
		err := db.Each(ctx, q, "SELECT id_index FROM people WHERE zone_id = "+a.Add(zone)+" AND id_index IN ("+a.In(idx)+")", a,
			func(sc db.Scanner) error {
				var i string
				err := sc.Scan(&i)
				taken[[2]string{zone, i}] = true
				return err
			})
		if err != nil {
			return nil, err
		}
	}
	var errs []tabular.Error
	for _, it := range batch {
		if v := it.Value; v.in.IDNumber != "" && taken[[2]string{v.zoneID, s.Keys.Index("id_number", v.in.IDNumber)}] {
			errs = append(errs, idRegistered(it.Row))
		}
	}
	return errs, nil
}

func idRegistered(row int) tabular.Error {
	return tabular.Error{Row: row, Field: colIDNumber, Code: "id_registered"}
}

// commit creates a batch of checked rows with add. What the database
// refuses since the check (an ID number taken meanwhile, an organisation
// moved out of reach) is reported on its row.
func (s *Service) commit(ctx context.Context, tx *db.Tx, batch []tabular.Item[rosterRow]) error {
	for _, it := range batch {
		_, err := s.add(ctx, tx, it.Value.zoneID, it.Value.in)
		var e *apperr.Error
		switch {
		case err == nil:
			continue
		case apperr.Is(err, apperr.Conflict):
			return tabular.ErrRows(idRegistered(it.Row))
		case errors.As(err, &e) && e.Code == apperr.Validation && len(e.Fields) > 0:
			out := make([]tabular.Error, len(e.Fields))
			for i, f := range e.Fields {
				f.Row = it.Row
				if c, ok := fieldColumn[f.Field]; ok {
					f.Field = c
				}
				out[i] = f
			}
			return tabular.ErrRows(out...)
		}
		return err
	}
	return nil
}

// ExportPage is how many people Export reads per query.
const ExportPage = 1000

// Export calls fn for every person in the caller's person.read scope
// matching f (Reveal ignored: an export is always masked) and q, oldest
// first, phone and ID number masked, reading ExportPage rows per query
// (never all at once).
func (s *Service) Export(ctx context.Context, f Filter, q string, fn func(Person) error) error {
	after := ""
	for {
		var a db.Args
		m, err := s.where(ctx, f, q, &a)
		if err != nil {
			return err
		}
		where := m.where
		if after != "" {
			where += " AND id > " + a.Add(after)
		}
		page := make([]Person, 0, ExportPage)
		err = db.Each(ctx, s.DB.R, "SELECT "+cols+" FROM people WHERE "+where+" ORDER BY id LIMIT "+a.Add(ExportPage), a,
			func(sc db.Scanner) error {
				p, err := scan(sc)
				page = append(page, p)
				return err
			})
		if err != nil {
			return err
		}
		for i := range page {
			if err := s.open(&page[i], false); err != nil {
				return err
			}
			if err := fn(page[i]); err != nil {
				return err
			}
		}
		if len(page) < ExportPage {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

// RosterRecord is a person (masked) as a row of the roster in lang, in the
// order of ExportColumns.
func RosterRecord(p Person, lang string) []string {
	gender := ""
	if p.Gender != "" {
		gender = labelOf(genders, p.Gender, lang)
	}
	var status, joined string
	if p.Party != nil {
		status, joined = labelOf(statuses, p.Party.Status, lang), p.Party.JoinedOn
	}
	return []string{p.Name, gender, p.Phone, p.IDNumber, p.EnterpriseName, status, p.OrgName, joined, strings.Join(p.Tags, "、")}
}
