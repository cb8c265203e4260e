package orgs

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/db"
	"tongxin/internal/tabular"
)

// The organisation roster (党组织名册): one file layout for the template,
// the import and the export, so an export can be imported again (into a
// zone with parks and enterprises of the same names and codes). A row
// names its parent organisation by name: a stored one, or one created by
// an earlier row of the same file, so a whole tree is imported top down.

// Column keys of the roster; fieldColumn maps the fields Create's rules
// name to them.
const (
	colName        = "name"
	colKind        = "kind"
	colParent      = "parent"
	colPark        = "park"
	colEnterprises = "enterprises"
	colFounded     = "founded_on"
	colTermEnds    = "term_ends_on"
	colCommittee   = "has_committee"
)

var fieldColumn = map[string]string{
	"parent_id":      colParent,
	"park_id":        colPark,
	"enterprise_ids": colEnterprises,
}

// KindLabels are the kinds as the roster writes them.
var KindLabels = map[string]string{
	KindWorkingCommittee: "党工委",
	KindCommittee:        "党委",
	KindGeneralBranch:    "党总支",
	KindBranch:           "党支部",
	KindJointBranch:      "联合党支部",
}

// kindOptions are the labels in the order of Kinds.
func kindOptions() []string {
	out := make([]string, len(Kinds))
	for i, k := range Kinds {
		out[i] = KindLabels[k]
	}
	return out
}

// Yes and No are the values of 已设支委会.
const (
	Yes = "是"
	No  = "否"
)

// rosterColumns are the roster's columns; parents and parks, when given,
// become the drop-downs of the parent and park columns (templates only:
// an import also takes an organisation's id, and a park's code or id).
func rosterColumns(parents, parks []string) []tabular.Column {
	return []tabular.Column{
		{Key: colName, Header: "组织名称", HeaderEN: "Organisation name", Required: true, Width: 30},
		{Key: colKind, Header: "组织类型", HeaderEN: "Type", Required: true, Options: kindOptions(), Width: 14},
		{Key: colParent, Header: "上级组织", HeaderEN: "Parent organisation", Options: parents, Width: 30},
		{Key: colPark, Header: "所属园区", HeaderEN: "Park", Options: parks, Width: 20},
		{Key: colEnterprises, Header: "覆盖企业", HeaderEN: "Enterprises covered", Width: 40},
		{Key: colFounded, Header: "成立日期", HeaderEN: "Founded on", Width: 14},
		{Key: colTermEnds, Header: "任期届满日期", HeaderEN: "Term ends on", Width: 16},
		{Key: colCommittee, Header: "已设支委会", HeaderEN: "Has committee", Options: []string{Yes, No}, Width: 14},
	}
}

// ExportColumns are the columns of an export (the template's, without the
// drop-downs of parents and parks).
func ExportColumns() []tabular.Column { return rosterColumns(nil, nil) }

// zoneOf returns zoneID, else the one zone the caller's perm grants lie in
// (a park administrator's too); 422 naming zone_id when they lie in
// several.
func zoneOf(ctx context.Context, perm access.Perm, zoneID string) (string, error) {
	p := access.From(ctx)
	if zoneID == "" && p != nil && !p.Scope(perm).All() {
		zones := map[string]bool{}
		for _, g := range p.Grants {
			if access.Has(g.Role, perm) && g.Path != "" {
				zones[access.ZoneOfPath(g.Path)] = true
			}
		}
		for z := range zones {
			if len(zones) == 1 {
				zoneID = z
			}
		}
	}
	if zoneID == "" {
		zoneID, _ = p.Scope(perm).SingleZone()
	}
	if zoneID == "" {
		return "", apperr.Field("zone_id", "required")
	}
	return zoneID, nil
}

// TemplateColumns returns the roster's columns with the names of the
// organisations the caller can see (parents) and of the parks they may
// create organisations in, of zoneID (default: the caller's one zone), as
// drop-downs.
func (s *Service) TemplateColumns(ctx context.Context, zoneID string) ([]tabular.Column, error) {
	if access.From(ctx).Scope(Manage).Empty() {
		return nil, apperr.New(apperr.Forbidden, "")
	}
	zoneID, err := zoneOf(ctx, Manage, zoneID)
	if err != nil {
		return nil, err
	}
	ps, err := tabular.Parks(ctx, s.DB.R, Manage, zoneID)
	if err != nil {
		return nil, err
	}
	stored, err := storedOrgs(ctx, s.DB.R, zoneID)
	if err != nil {
		return nil, err
	}
	var parents []string
	seen := map[string]bool{}
	for _, o := range stored {
		if o.kind != KindBranch && o.kind != KindJointBranch && !seen[o.name] {
			seen[o.name] = true
			parents = append(parents, o.name)
		}
	}
	return rosterColumns(parents, tabular.ParkNames(ps)), nil
}

// storedOrg is an organisation of the zone the caller can see.
type storedOrg struct {
	id, name, kind, node string // node: the scope node it hangs under
	ref                  parentRef
}

// storedOrgs returns the organisations of zoneID in the caller's org.read
// scope, in tree order.
func storedOrgs(ctx context.Context, q db.Querier, zoneID string) ([]storedOrg, error) {
	var a db.Args
	where := access.From(ctx).Scope(Read).Where(&a, attach("o.")...)
	rows, err := q.QueryContext(ctx, `SELECT o.id, o.name, o.kind, o.parent_id, o.park_id, n.path FROM orgs o
		JOIN scope_nodes n ON n.id = o.id WHERE o.zone_id = `+a.Add(zoneID)+` AND `+where+` ORDER BY n.path`, a...)
	if err != nil {
		return nil, err
	}
	var out []storedOrg
	err = db.EachRow(rows, func(r db.Scanner) error {
		var o storedOrg
		var parent, park sql.NullString
		if err := r.Scan(&o.id, &o.name, &o.kind, &parent, &park, &o.ref.path); err != nil {
			return err
		}
		o.ref.id, o.ref.zoneID, o.ref.parkID = o.id, zoneID, park.String
		switch {
		case parent.Valid:
			o.node = parent.String
		case park.Valid:
			o.node = park.String
		default:
			o.node = zoneID
		}
		out = append(out, o)
		return nil
	})
	return out, err
}

// UploadLimit is the largest roster file an import takes.
const UploadLimit = 20 << 20

// rosterRow is a parsed row: the organisation to create with its id and
// place, EnterpriseIDs holding the cells' references (USCCs, names or ids)
// until Commit resolves them.
type rosterRow struct {
	id string
	in Input
	pl place
}

// fileOrg is an organisation a row of the file creates, as a parent of
// later rows. broken: its own row is wrong (reported there), so the rows
// naming it are not checked against it (an error there would only
// repeat the parent's).
type fileOrg struct {
	row    int
	ref    parentRef
	broken bool
}

// importer holds what a roster import knows while reading the file. Parse
// is called twice per row (two passes); everything it records is keyed by
// the row, so the second pass gives the same answers.
type importer struct {
	q       db.Querier
	zoneID  string
	parks   *tabular.Lookup[tabular.Park]
	stored  *tabular.Lookup[storedOrg]
	taken   map[string]bool      // node + "\x00" + name of stored organisations
	ids     map[int]string       // row → id of the organisation it creates
	created map[string][]fileOrg // name → rows creating it
	first   map[string]int       // node + "\x00" + name → first row creating it
	err     error                // a query Parse made failed
}

// Import creates the organisations of a roster file in zoneID (default:
// the caller's one zone), all or none. Each row is checked by the same
// rules as Create: its parent (上级组织) is an organisation the caller can
// see or one an earlier row creates (a parent row must precede its
// children), its park found by name, code or id among the parks in the
// caller's org.manage scope, the enterprises it covers (USCC, name or id)
// must lie in the caller's scope and in its park. Two rows creating an
// organisation of one name under one parent, and a row repeating an
// organisation stored there already, are refused. Any error anywhere is a
// 422 listing every error with its row and column, and nothing is
// written. dryRun checks only.
//
// The rows are created in file order inside one transaction by add: each
// gets its scope node, its search key and its own "create" audit entry.
func (s *Service) Import(ctx context.Context, src *tabular.Spooled, zoneID string, dryRun bool) (tabular.Result, error) {
	if access.From(ctx).Scope(Manage).Empty() {
		return tabular.Result{}, apperr.New(apperr.Forbidden, "")
	}
	zoneID, err := zoneOf(ctx, Manage, zoneID)
	if err != nil {
		return tabular.Result{}, err
	}
	run := func(q db.Querier, tx *db.Tx) (tabular.Result, error) {
		im, err := newImporter(ctx, q, zoneID)
		if err != nil {
			return tabular.Result{}, err
		}
		spec := tabular.Spec[rosterRow]{
			Columns:   rosterColumns(nil, nil),
			Parse:     im.parse,
			Check:     im.check,
			BatchSize: 500,
			DryRun:    dryRun,
			Commit: func(ctx context.Context, batch []tabular.Item[rosterRow]) error {
				return im.commit(ctx, tx, batch)
			},
		}
		res, err := tabular.Import(ctx, src, spec)
		if im.err != nil {
			return res, im.err
		}
		return res, err
	}
	if dryRun {
		return run(s.DB.R, nil)
	}
	var res tabular.Result
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		// Parents are checked once and created later: no move may
		// reshape the tree in between.
		if err := lockZone(ctx, tx, zoneID); err != nil {
			return err
		}
		var err error
		res, err = run(tx, tx)
		return err
	})
	if err != nil {
		return tabular.Result{Rows: res.Rows}, err
	}
	return res, nil
}

func newImporter(ctx context.Context, q db.Querier, zoneID string) (*importer, error) {
	ps, err := tabular.Parks(ctx, q, Manage, zoneID)
	if err != nil {
		return nil, err
	}
	stored, err := storedOrgs(ctx, q, zoneID)
	if err != nil {
		return nil, err
	}
	im := &importer{q: q, zoneID: zoneID, parks: tabular.ParkLookup(ps), stored: tabular.NewLookup[storedOrg](),
		taken: map[string]bool{}, ids: map[int]string{}, created: map[string][]fileOrg{}, first: map[string]int{}}
	for _, o := range stored {
		im.stored.Add(o, o.id, "", o.name)
		im.taken[o.node+"\x00"+o.name] = true
	}
	return im, nil
}

// splitRefs splits a cell of enterprises: separated by 、 , ， ; ； or
// line breaks.
func splitRefs(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("、,，;；\n\r", r) })
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// report adds Create's field errors to the row under the columns.
func report(errs *tabular.RowErrors, fs apperr.Fields) {
	for _, f := range fs {
		col := f.Field
		if c, ok := fieldColumn[col]; ok {
			col = c
		}
		if col == "zone_id" {
			// A working committee outside the caller's scope: only the
			// zone's administrators create one.
			errs.Add(colKind, "working_committee_denied")
			continue
		}
		var params []any
		for k, v := range f.Params {
			params = append(params, k, v)
		}
		errs.Add(col, f.Code, params...)
	}
}

func (im *importer) parse(ctx context.Context, r tabular.Row, errs *tabular.RowErrors) (rosterRow, bool) {
	id := im.ids[r.Num]
	if id == "" {
		id = uuid.Must(uuid.NewV7()).String()
		im.ids[r.Num] = id
	}
	in := Input{ZoneID: im.zoneID, Name: r.Get(colName), FoundedOn: tabular.Date(r.Get(colFounded)),
		TermEndsOn: tabular.Date(r.Get(colTermEnds)), HasCommittee: r.Get(colCommittee) == Yes,
		EnterpriseIDs: splitRefs(r.Get(colEnterprises))}
	for k, label := range KindLabels {
		if r.Get(colKind) == label {
			in.Kind = k
		}
	}
	var fs apperr.Fields
	checkInput(&fs, &in)
	report(errs, fs)

	// The parent: a stored organisation or one an earlier row creates.
	var parent *parentRef
	broken := false
	if ref := r.Get(colParent); ref != "" {
		var found []fileOrg
		for _, o := range im.created[ref] {
			if o.row < r.Num {
				found = append(found, o)
			}
		}
		for _, o := range im.stored.Find(ref) {
			found = append(found, fileOrg{ref: o.ref})
		}
		switch {
		case slices.ContainsFunc(found, func(o fileOrg) bool { return o.broken }):
			broken = true // the parent's own row is wrong, reported there
		case len(found) == 0:
			errs.Add(colParent, "unknown_parent", "Value", ref)
		case len(found) > 1:
			errs.Add(colParent, "ambiguous_parent", "Value", ref)
		default:
			parent = &found[0].ref
		}
	}
	parkID := ""
	if ref := r.Get(colPark); ref != "" {
		switch found := im.parks.Find(ref); len(found) {
		case 0:
			errs.Add(colPark, "unknown_value")
		case 1:
			parkID = found[0].ID
		default:
			errs.Add(colPark, "ambiguous_park", "Value", ref)
		}
	}
	var pl place
	placed := false
	if in.Kind != "" && !broken && !errs.Has(colParent) && !errs.Has(colPark) {
		fs = nil
		var err error
		pl, err = settle(ctx, im.q, Manage, &fs, im.zoneID, in.Kind, r.Get(colParent), parent, parkID, "")
		if err != nil {
			// A failing query: Import stops at this row's error, and
			// Service.Import answers with err instead.
			im.err = err
			errs.Add(colKind, "unknown_value") // never shown
			return rosterRow{}, false
		}
		if in.Kind == KindWorkingCommittee && len(in.EnterpriseIDs) > 0 {
			fs.Add("enterprise_ids", "zone_level_only")
		}
		report(errs, fs)
		placed = len(fs) == 0
	}

	// One name once under one parent: in the file and in the database.
	if placed && !errs.Has(colName) {
		key := pl.node + "\x00" + in.Name
		first, seen := im.first[key]
		switch {
		case !seen:
			im.first[key] = r.Num
		case first != r.Num:
			errs.Add(colName, tabular.CodeDuplicate, "Value", in.Name, "First", first)
		}
		if im.taken[key] {
			errs.Add(colName, "org_exists", "Value", in.Name)
		}
	}
	if in.Name != "" && !im.recorded(in.Name, r.Num) {
		im.created[in.Name] = append(im.created[in.Name], fileOrg{row: r.Num, broken: !placed || errs.Len() > 0,
			ref: parentRef{id: id, zoneID: im.zoneID, parkID: pl.parkID}})
	}
	// Under a wrong parent row the row is left unchecked; the parent's
	// error fails the import.
	return rosterRow{id: id, in: in, pl: pl}, errs.Len() == 0 && !broken
}

// recorded reports whether row was recorded as creating name (the second
// pass).
func (im *importer) recorded(name string, row int) bool {
	for _, o := range im.created[name] {
		if o.row == row {
			return true
		}
	}
	return false
}

// covered is an enterprise a batch names.
type covered struct{ id, uscc, name, parkID string }

// resolve finds the enterprises the rows of batch name, in one query: of
// the zone, in the caller's org.manage scope (as Create), by id, USCC
// (any case) or name. It returns each row's enterprise ids and the
// errors: unknown (or out of scope), ambiguous, in another park.
func (im *importer) resolve(ctx context.Context, q db.Querier, batch []tabular.Item[rosterRow]) ([][]string, []tabular.Error, error) {
	var refs, upper []string
	for _, it := range batch {
		refs = append(refs, it.Value.in.EnterpriseIDs...)
	}
	out := make([][]string, len(batch))
	if len(refs) == 0 {
		return out, nil, nil
	}
	for _, r := range refs {
		upper = append(upper, strings.ToUpper(r))
	}
	var a db.Args
	where := access.From(ctx).Scope(Manage).Where(&a, enterpriseAttach...)
	rows, err := q.QueryContext(ctx, `SELECT id, uscc, name, park_id FROM enterprises WHERE zone_id = `+a.Add(im.zoneID)+
		` AND (id IN (`+a.In(refs)+`) OR uscc IN (`+a.In(upper)+`) OR name IN (`+a.In(refs)+`)) AND `+where, a...)
	if err != nil {
		return nil, nil, err
	}
	found := tabular.NewLookup[covered]()
	err = db.EachRow(rows, func(r db.Scanner) error {
		var e covered
		err := r.Scan(&e.id, &e.uscc, &e.name, &e.parkID)
		found.Add(e, e.id, e.uscc, e.name)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	var errs []tabular.Error
	for i, it := range batch {
		for j, ref := range it.Value.in.EnterpriseIDs {
			add := func(code string) {
				errs = append(errs, tabular.Error{Row: it.Row, Field: colEnterprises, Code: code,
					Params: map[string]any{"Index": j + 1, "ID": ref}})
			}
			switch es := found.Find(ref); {
			case len(es) == 0:
				add("unknown_enterprise")
			case len(es) > 1:
				add("ambiguous_enterprise_item")
			case es[0].parkID != it.Value.pl.parkID:
				add("enterprise_other_park")
			default:
				out[i] = append(out[i], es[0].id)
			}
		}
	}
	return out, errs, nil
}

func (im *importer) check(ctx context.Context, batch []tabular.Item[rosterRow]) ([]tabular.Error, error) {
	_, errs, err := im.resolve(ctx, im.q, batch)
	return errs, err
}

// commit creates a batch of checked rows in file order, parents first.
func (im *importer) commit(ctx context.Context, tx *db.Tx, batch []tabular.Item[rosterRow]) error {
	ids, errs, err := im.resolve(ctx, tx, batch)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return tabular.ErrRows(errs...)
	}
	for i, it := range batch {
		in := it.Value.in
		in.EnterpriseIDs = ids[i]
		if _, err := add(ctx, tx, it.Value.id, in, it.Value.pl); err != nil {
			return err
		}
	}
	return nil
}

// ExportPage is how many organisations Export reads per query.
const ExportPage = 1000

// Export calls fn with the roster record of every organisation in the
// caller's org.read scope matching f and q, in tree order (a parent before
// its children, so the file imports again), reading ExportPage rows per
// query (never all at once). Returns EINVALID for a bad filter.
func (s *Service) Export(ctx context.Context, f Filter, q string, fn func([]string) error) error {
	if err := CheckFilter(f); err != nil {
		return err
	}
	after := ""
	prefixed := "o." + strings.ReplaceAll(cols, ", ", ", o.")
	for {
		var a db.Args
		where, err := s.where(ctx, f, q, &a, "o.")
		if err != nil {
			return err
		}
		if after != "" {
			where += " AND n.path > " + a.Add(after)
		}
		rows, err := s.DB.R.QueryContext(ctx, "SELECT "+prefixed+", n.path FROM orgs o JOIN scope_nodes n ON n.id = o.id WHERE "+
			where+" ORDER BY n.path LIMIT "+a.Add(ExportPage), a...)
		if err != nil {
			return err
		}
		var page []Org
		err = db.EachRow(rows, func(r db.Scanner) error {
			o, err := scan(db.Also(r, &after))
			page = append(page, o)
			return err
		})
		if err != nil {
			return err
		}
		records, err := rosterRecords(ctx, s.DB.R, page)
		if err != nil {
			return err
		}
		for _, rec := range records {
			if err := fn(rec); err != nil {
				return err
			}
		}
		if len(page) < ExportPage {
			return nil
		}
	}
}

// rosterRecords turns a page of organisations into roster rows, in the
// order of ExportColumns, naming parents, parks and enterprises (by USCC)
// in three queries.
func rosterRecords(ctx context.Context, q db.Querier, page []Org) ([][]string, error) {
	if len(page) == 0 {
		return nil, nil
	}
	var orgIDs, parentIDs, parkIDs []string
	for _, o := range page {
		orgIDs = append(orgIDs, o.ID)
		if o.ParentID != nil {
			parentIDs = append(parentIDs, *o.ParentID)
		}
		if o.ParkID != nil {
			parkIDs = append(parkIDs, *o.ParkID)
		}
	}
	names := func(table string, ids []string) (map[string]string, error) {
		out := map[string]string{}
		if len(ids) == 0 {
			return out, nil
		}
		var a db.Args
		rows, err := q.QueryContext(ctx, "SELECT id, name FROM "+table+" WHERE id IN ("+a.In(ids)+")", a...)
		if err != nil {
			return nil, err
		}
		return out, db.EachRow(rows, func(r db.Scanner) error {
			var id, name string
			err := r.Scan(&id, &name)
			out[id] = name
			return err
		})
	}
	parents, err := names("orgs", parentIDs)
	if err != nil {
		return nil, err
	}
	parks, err := names("parks", parkIDs)
	if err != nil {
		return nil, err
	}
	var a db.Args
	rows, err := q.QueryContext(ctx, `SELECT oe.org_id, e.uscc FROM org_enterprises oe JOIN enterprises e ON e.id = oe.enterprise_id
		WHERE oe.org_id IN (`+a.In(orgIDs)+`) ORDER BY oe.org_id, e.uscc`, a...)
	if err != nil {
		return nil, err
	}
	usccs := map[string][]string{}
	err = db.EachRow(rows, func(r db.Scanner) error {
		var org, uscc string
		err := r.Scan(&org, &uscc)
		usccs[org] = append(usccs[org], uscc)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([][]string, len(page))
	for i, o := range page {
		committee := No
		if o.HasCommittee {
			committee = Yes
		}
		out[i] = []string{o.Name, KindLabels[o.Kind], parents[str(o.ParentID)], parks[str(o.ParkID)],
			strings.Join(usccs[o.ID], "、"), str(o.FoundedOn), str(o.TermEndsOn), committee}
	}
	return out, nil
}
