package enterprises

import (
	"context"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/db"
	"tongxin/internal/tabular"
)

// The enterprise roster (企业名录): one file layout for the template, the
// import and the export, so an export can be imported again (into
// another zone with parks of the same names, say).

// Column keys of the roster. Where a key differs from the field the API
// and validate name, fieldColumn maps one to the other.
const (
	colName          = "name"
	colUSCC          = "uscc"
	colPark          = "park"
	colIndustry      = "industry"
	colAddress       = "address"
	colLat           = "lat"
	colLng           = "lng"
	colEmployees     = "employees"
	colRDStaff       = "rd_staff"
	colMonthlyOutput = "monthly_output"
)

// rosterColumns are the roster's columns; parkNames, when given, become
// the drop-down of the park column (templates only: an import also takes
// a park's code or id).
func rosterColumns(parkNames []string) []tabular.Column {
	return []tabular.Column{
		{Key: colName, Header: "企业名称", HeaderEN: "Enterprise name", Required: true, Width: 30},
		{Key: colUSCC, Header: "统一社会信用代码", HeaderEN: "USCC", Required: true, Width: 24},
		{Key: colPark, Header: "所属园区", HeaderEN: "Park", Required: true, Options: parkNames, Width: 20},
		{Key: colIndustry, Header: "行业", HeaderEN: "Industry"},
		{Key: colAddress, Header: "地址", HeaderEN: "Address", Width: 36},
		{Key: colLat, Header: "纬度", HeaderEN: "Latitude"},
		{Key: colLng, Header: "经度", HeaderEN: "Longitude"},
		{Key: colEmployees, Header: "职工人数", HeaderEN: "Employees"},
		{Key: colRDStaff, Header: "研发人数", HeaderEN: "R&D staff"},
		{Key: colMonthlyOutput, Header: "月产值（元）", HeaderEN: "Monthly output (yuan)", Width: 18},
	}
}

// fieldColumn maps the fields validate names to roster columns.
var fieldColumn = map[string]string{
	"park_id":            colPark,
	"location.lat":       colLat,
	"location.lng":       colLng,
	"monthly_output_fen": colMonthlyOutput,
}

// TemplateColumns returns the roster's columns with the names of the
// parks the caller may import into (of zoneID when not "") as the park
// column's drop-down.
func (s *Service) TemplateColumns(ctx context.Context, zoneID string) ([]tabular.Column, error) {
	ps, err := tabular.Parks(ctx, s.DB.R, Manage, zoneID)
	if err != nil {
		return nil, err
	}
	return rosterColumns(tabular.ParkNames(ps)), nil
}

// ExportColumns are the columns of an export (the template's, without a
// drop-down).
func ExportColumns() []tabular.Column { return rosterColumns(nil) }

// ImportResult is the outcome of an import.
type ImportResult struct {
	Rows     int // data rows in the file
	Imported int // enterprises created (0 in a dry run)
}

// UploadLimit is the largest roster file an import takes.
const UploadLimit = 20 << 20

// Import creates the enterprises of a roster file, all or none. Each row
// is checked by the same rules as Create (validate), its park found by
// name, code or id among the parks in the caller's enterprise.manage scope
// (of zoneID when not "": a park of another zone, or out of scope, is
// unknown, and a name several parks share is ambiguous), its USCC checked
// against the rest of the file and the enterprises of the park's zone. Any
// error anywhere is a 422 listing every error with its row and column,
// and nothing is written. dryRun checks only.
//
// The rows are created inside one transaction by Add: each gets its scope
// node, its search key and its own "create" audit entry.
func (s *Service) Import(ctx context.Context, src *tabular.Spooled, zoneID string, dryRun bool) (ImportResult, error) {
	if access.From(ctx).Scope(Manage).Empty() {
		return ImportResult{}, apperr.New(apperr.Forbidden, "")
	}
	run := func(q db.Querier, tx *db.Tx) (ImportResult, error) {
		ps, err := tabular.Parks(ctx, q, Manage, zoneID)
		if err != nil {
			return ImportResult{}, err
		}
		spec := importSpec(q, tabular.ParkLookup(ps))
		spec.DryRun = dryRun
		spec.Commit = func(ctx context.Context, batch []tabular.Item[Input]) error { return commit(ctx, tx, batch) }
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

func importSpec(q db.Querier, parks *tabular.Lookup[tabular.Park]) tabular.Spec[Input] {
	return tabular.Spec[Input]{
		Columns: rosterColumns(nil),
		Parse: func(_ context.Context, r tabular.Row, errs *tabular.RowErrors) (Input, bool) {
			return parseRow(r, errs, parks)
		},
		Keys: func(in Input) []tabular.UniqueKey { return []tabular.UniqueKey{{Field: colUSCC, Value: in.USCC}} },
		Check: func(ctx context.Context, batch []tabular.Item[Input]) ([]tabular.Error, error) {
			return registered(ctx, q, batch)
		},
		BatchSize: 500,
	}
}

// parseRow turns a row into an Input, reporting what is wrong with it
// under the columns: the numbers, the park, and every rule of validate.
func parseRow(r tabular.Row, errs *tabular.RowErrors, parks *tabular.Lookup[tabular.Park]) (Input, bool) {
	in := Input{Name: r.Get(colName), USCC: r.Get(colUSCC), Industry: r.Get(colIndustry), Address: r.Get(colAddress)}
	if ref := r.Get(colPark); ref != "" {
		switch found := parks.Find(ref); len(found) {
		case 0:
			errs.Add(colPark, "unknown_value")
		case 1:
			in.ZoneID, in.ParkID = found[0].ZoneID, found[0].ID
		default:
			errs.Add(colPark, "ambiguous_park", "Value", ref)
		}
	}
	lat, latOK := decimal(r, errs, colLat)
	lng, lngOK := decimal(r, errs, colLng)
	switch {
	case latOK && lngOK:
		in.Location = &Location{Lat: ratFloat(lat), Lng: ratFloat(lng)}
	case latOK && !errs.Has(colLng):
		errs.Add(colLng, "required")
	case lngOK && !errs.Has(colLat):
		errs.Add(colLat, "required")
	}
	in.Employees = headcount(r, errs, colEmployees)
	in.RDStaff = headcount(r, errs, colRDStaff)
	if v, ok := decimal(r, errs, colMonthlyOutput); ok {
		fen := new(big.Rat).Mul(v, big.NewRat(100, 1))
		switch {
		case !fen.IsInt():
			errs.Add(colMonthlyOutput, "cents")
		case !fen.Num().IsInt64():
			errs.Add(colMonthlyOutput, "out_of_range", "Min", 0, "Max", int64(math.MaxInt64/100))
		default:
			n := fen.Num().Int64()
			in.MonthlyOutputFen = &n
		}
	}
	var fs apperr.Fields
	in.validate(&fs)
	for _, f := range fs {
		col := f.Field
		if c, ok := fieldColumn[col]; ok {
			col = c
		}
		if col == colPark && in.ParkID == "" {
			continue // reported above (or by the reader: required)
		}
		var params []any
		for k, v := range f.Params {
			params = append(params, k, v)
		}
		errs.Add(col, f.Code, params...)
	}
	return in, errs.Len() == 0
}

// number is what a numeric cell may hold: a decimal, perhaps with an
// exponent as Excel writes large numbers; thousands separators are
// dropped first. (big.Rat alone would also take fractions and hex.)
var number = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?$`)

// decimal reads a numeric cell exactly; ok is false when it is empty or
// not a number (reported).
func decimal(r tabular.Row, errs *tabular.RowErrors, col string) (*big.Rat, bool) {
	s := strings.NewReplacer(",", "", "，", "", " ", "").Replace(r.Get(col))
	if s == "" || errs.Has(col) {
		return nil, false
	}
	v, ok := new(big.Rat).SetString(s)
	if !number.MatchString(s) || !ok {
		errs.Add(col, "not_number")
		return nil, false
	}
	return v, true
}

func ratFloat(v *big.Rat) float64 {
	f, _ := v.Float64()
	return f
}

// headcount reads a whole number of people; an empty cell is 0. Numbers
// beyond any headcount become MaxHeadcount+1 (or -1) for validate to
// report as out of range.
func headcount(r tabular.Row, errs *tabular.RowErrors, col string) int {
	v, ok := decimal(r, errs, col)
	switch {
	case !ok:
		return 0
	case !v.IsInt():
		errs.Add(col, "not_integer")
		return 0
	case v.Num().Sign() < 0 && (!v.Num().IsInt64() || v.Num().Int64() < -1):
		return -1
	case !v.Num().IsInt64() || v.Num().Int64() > MaxHeadcount:
		return MaxHeadcount + 1
	}
	return int(v.Num().Int64())
}

// registered reports the rows of batch whose USCC an enterprise of the
// park's zone already holds: one query per zone in the batch. The lookup
// covers the whole zone, not only the caller's scope, because the USCC is
// unique in the zone (Create's 409 tells as much).
func registered(ctx context.Context, q db.Querier, batch []tabular.Item[Input]) ([]tabular.Error, error) {
	byZone := map[string][]string{}
	for _, it := range batch {
		byZone[it.Value.ZoneID] = append(byZone[it.Value.ZoneID], it.Value.USCC)
	}
	taken := map[[2]string]bool{}
	for zone, usccs := range byZone {
		var a db.Args
		rows, err := q.QueryContext(ctx, "SELECT uscc FROM enterprises WHERE zone_id = "+a.Add(zone)+" AND uscc IN ("+a.In(usccs)+")", a...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var u string
			if err := rows.Scan(&u); err != nil {
				rows.Close()
				return nil, err
			}
			taken[[2]string{zone, u}] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	var errs []tabular.Error
	for _, it := range batch {
		if taken[[2]string{it.Value.ZoneID, it.Value.USCC}] {
			errs = append(errs, usccRegistered(it))
		}
	}
	return errs, nil
}

func usccRegistered(it tabular.Item[Input]) tabular.Error {
	return tabular.Error{Row: it.Row, Field: colUSCC, Code: "registered", Params: map[string]any{"Value": it.Value.USCC}}
}

// commit creates a batch of checked rows with Add. A USCC taken since the
// check (the UNIQUE constraint) is reported on its row.
func commit(ctx context.Context, tx *db.Tx, batch []tabular.Item[Input]) error {
	for _, it := range batch {
		if _, err := Add(ctx, tx, it.Value); err != nil {
			if apperr.Is(err, apperr.Conflict) {
				return tabular.ErrRows(usccRegistered(it))
			}
			return err
		}
	}
	return nil
}

// ExportPage is how many enterprises Export reads per query.
const ExportPage = 1000

// Export calls fn for every enterprise in the caller's enterprise.read
// scope matching f and q, oldest first, reading ExportPage rows per query
// (never all at once).
func (s *Service) Export(ctx context.Context, f Filter, q string, fn func(Enterprise) error) error {
	after := ""
	for {
		var a db.Args
		where, err := f.where(ctx, s.DB.R, q, &a)
		if err != nil {
			return err
		}
		if after != "" {
			where += " AND id > " + a.Add(after)
		}
		rows, err := s.DB.R.QueryContext(ctx, "SELECT "+cols+" FROM "+from+" WHERE "+where+" ORDER BY id LIMIT "+a.Add(ExportPage), a...)
		if err != nil {
			return err
		}
		page := make([]Enterprise, 0, ExportPage)
		for rows.Next() {
			e, err := scan(rows)
			if err != nil {
				rows.Close()
				return err
			}
			page = append(page, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, e := range page {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(page) < ExportPage {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

// RosterRecord is an enterprise as a row of the roster, in the order of
// ExportColumns.
func RosterRecord(e Enterprise) []string {
	var lat, lng, output string
	if e.Location != nil {
		lat = strconv.FormatFloat(e.Location.Lat, 'f', -1, 64)
		lng = strconv.FormatFloat(e.Location.Lng, 'f', -1, 64)
	}
	if e.MonthlyOutputFen != nil {
		output = yuan(*e.MonthlyOutputFen)
	}
	return []string{e.Name, e.USCC, e.ParkName, e.Industry, e.Address, lat, lng,
		strconv.Itoa(e.Employees), strconv.Itoa(e.RDStaff), output}
}

// yuan writes fen as yuan with two decimals ("1234.50").
func yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return sign + strconv.FormatInt(fen/100, 10) + "." + strconv.FormatInt(fen%100/10, 10) + strconv.FormatInt(fen%10, 10)
}
