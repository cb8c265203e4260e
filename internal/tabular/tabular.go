// Package tabular is the import and export kit of the roster domains
// (enterprises, party organisations, people): templates, streaming readers
// of uploaded .xlsx and .csv files, a two-pass import driver and streaming
// writers. It imports no HTTP; internal/httpx/tabular.go turns requests
// into Spooled files and Formats into downloads.
//
// Everything streams: a file is read row by row from a temporary file,
// twice (all errors first, then all or nothing), and written row by row.
// What grows with a file is only the set of unique keys and the error list
// (bounded in what it keeps, counting all).
//
// Every problem is an Error (apperr.FieldError) carrying the spreadsheet
// row (1-based; 0 for the file as a whole), the column as its header reads
// in the file, the column key and a code whose text is
// "field_error.<code>" in the catalogue; the HTTP layer prefixes the row
// ("第 12 行：") and names the column («「统一社会信用代码」»).
package tabular

import (
	"fmt"
	"strings"
	"unicode"

	"tongxin/internal/apperr"
)

// Column is one column of a roster file.
type Column struct {
	Key      string // the field it fills ("uscc"); accepted as a header too
	Header   string // zh-CN header, used in templates and exports
	HeaderEN string // en header (Header when empty)
	// Required columns must be present in an uploaded file, and every data
	// row must hold a value in them (code required).
	Required bool
	// Options are the allowed values: a drop-down in the template, and a
	// value outside them is an error (code unknown_option).
	Options []string
	Width   float64 // template and export column width in characters; 0: from the header
}

// title returns the header in lang ("en…" picks HeaderEN; anything else zh-CN).
func (c Column) title(lang string) string {
	if isEnglish(lang) && c.HeaderEN != "" {
		return c.HeaderEN
	}
	return c.Header
}

func isEnglish(lang string) bool { return strings.HasPrefix(strings.ToLower(lang), "en") }

// Format is the kind of a roster file.
type Format string

const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// ContentType is the media type of files of format f.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Options bound what a reader accepts. Zero values take the defaults.
type Options struct {
	Sheet      string // worksheet to read (xlsx); "" reads the first
	MaxRows    int    // data rows (default 200,000): more is a file-level error
	MaxCellLen int    // characters in one cell (default 500): more is a cell error
	MaxErrors  int    // errors kept in full (default 1,000); all are counted
	// MaxSharedText bounds the text of an xlsx file's shared-string table,
	// the one part of the file held in memory (default 64 MiB).
	MaxSharedText int64
}

// Defaults.
const (
	DefaultMaxRows       = 200_000
	DefaultMaxCellLen    = 500
	DefaultMaxErrors     = 1_000
	DefaultMaxSharedText = 64 << 20
)

func (o Options) withDefaults() Options {
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	if o.MaxCellLen <= 0 {
		o.MaxCellLen = DefaultMaxCellLen
	}
	if o.MaxErrors <= 0 {
		o.MaxErrors = DefaultMaxErrors
	}
	if o.MaxSharedText <= 0 {
		o.MaxSharedText = DefaultMaxSharedText
	}
	return o
}

// Error is one problem in a file: Row 0 for the file as a whole, Column
// the header as it reads in the file, Field the column key. Domains add
// their own (duplicate against the database, unknown park …) with
// RowErrors.Add or by returning ErrRows from Commit.
type Error = apperr.FieldError

// Codes the package reports. Each has "field_error.<code>" in the shared
// catalogue (zh-CN and en); the tests check it.
const (
	// File-level (Row 0).
	CodeUnsupportedFormat = "unsupported_format" // neither xlsx nor CSV (HTML, random bytes, a zip of something else)
	CodeLegacyXLS         = "legacy_xls"         // Excel 97-2003 .xls
	CodeCorruptXLSX       = "corrupt_xlsx"       // truncated or damaged xlsx
	CodeEncoding          = "encoding"           // CSV neither UTF-8 nor GB18030
	CodeCSVSyntax         = "csv_syntax"         // unbalanced quotes; Params Line
	CodeSheetMissing      = "sheet_missing"      // Params Sheet, Existing
	CodeNoHeader          = "no_header"          // nothing but empty rows
	CodeNoRows            = "no_rows"            // a header and no data
	CodeMissingColumn     = "missing_column"     // a required column is absent
	CodeDuplicateColumn   = "duplicate_column"   // two headers name one column
	CodeTooManyRows       = "too_many_rows"      // Params Max
	CodeTooComplex        = "too_complex"        // xlsx parts beyond what is read into memory
	// Cells.
	CodeFormula       = "formula"        // a formula: never evaluated
	CodeTooLong       = "too_long"       // Params Max
	CodeControlChars  = "control_chars"  // NUL, control or direction characters
	CodeInvisible     = "invisible"      // nothing visible
	CodeRequired      = "required"       // empty in a required column
	CodeUnknownOption = "unknown_option" // not one of Column.Options; Params Value
	CodeDuplicate     = "duplicate"      // unique key seen before; Params Value, First (row)
)

// Codes lists every code above, for the catalogue test.
var Codes = []string{CodeUnsupportedFormat, CodeLegacyXLS, CodeCorruptXLSX, CodeEncoding, CodeCSVSyntax,
	CodeSheetMissing, CodeNoHeader, CodeNoRows, CodeMissingColumn, CodeDuplicateColumn, CodeTooManyRows,
	CodeTooComplex, CodeFormula, CodeTooLong, CodeControlChars, CodeInvisible, CodeRequired, CodeUnknownOption,
	CodeDuplicate, "too_large"}

// FileField is the Field of file-level errors that name no column.
const FileField = "file"

// fileError returns the 422 for problems that stop a file being read.
func fileError(errs ...Error) *apperr.Error {
	return &apperr.Error{Code: apperr.Validation, Fields: errs}
}

func fileErr(code string, params ...any) *apperr.Error {
	return fileError(Error{Field: FileField, Code: code, Params: pairs(params)})
}

func pairs(kv []any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}

// Errors collects problems in reading order, keeping the first Max in
// full and counting all.
type Errors struct {
	Max   int
	list  []Error
	count int
}

// Add records e.
func (es *Errors) Add(e ...Error) {
	for _, x := range e {
		es.count++
		if es.Max <= 0 || len(es.list) < es.Max {
			es.list = append(es.list, x)
		}
	}
}

// List returns the errors kept.
func (es *Errors) List() []Error { return es.list }

// Count returns how many errors were added.
func (es *Errors) Count() int { return es.count }

// Err returns nil when no error was added, else a 422 whose detail says
// how many there are and that nothing was imported, and whose fields are
// the errors kept.
func (es *Errors) Err() error {
	if es.count == 0 {
		return nil
	}
	return &apperr.Error{Code: apperr.Validation, MessageID: "problem.import_failed",
		Params: map[string]any{"Count": es.count, "Shown": len(es.list)}, Fields: es.list}
}

// ErrRows returns a 422 made of row errors: what Commit returns for rows
// the database refuses (a USCC already registered), so they are reported
// like the others. Column may be left empty: Import fills it in from the
// file's header.
func ErrRows(errs ...Error) error { return fileError(errs...) }

// RowErrors collects the errors of one row. The first error of a field
// wins: a cell the reader already refused (a formula) is not reported a
// second time as required by Parse.
type RowErrors struct {
	row  int
	hdr  *header
	errs []Error
}

// Row returns the spreadsheet row number the errors belong to.
func (e *RowErrors) Row() int { return e.row }

// Add records an error of the row in field (a column key, or a name of the
// domain's own) with code and params ("Max", 18, …).
func (e *RowErrors) Add(field, code string, params ...any) {
	if e.Has(field) {
		return
	}
	e.errs = append(e.errs, Error{Row: e.row, Column: e.hdr.shown(field), Field: field, Code: code, Params: pairs(params)})
}

// Has reports whether field already has an error in this row.
func (e *RowErrors) Has(field string) bool {
	for _, x := range e.errs {
		if x.Field == field {
			return true
		}
	}
	return false
}

// Len returns the number of errors of the row.
func (e *RowErrors) Len() int { return len(e.errs) }

// Row is one data row of a file.
type Row struct {
	Num    int      // 1-based spreadsheet row (what Excel shows at the left)
	values []string // by column, in Column order; "" when absent
	hdr    *header
	// Errors are the problems the reader found in this row's cells
	// (formula, too_long, control_chars, invisible, required,
	// unknown_option); the cell's value is "" then.
	Errors []Error
}

// Get returns the value of the column with key: trimmed, "" when empty
// or absent.
func (r Row) Get(key string) string {
	if i, ok := r.hdr.index[key]; ok {
		return r.values[i]
	}
	return ""
}

// header is how a file's columns map to the spec's.
type header struct {
	cols    []Column
	index   map[string]int // key → column
	fileCol []int          // file column index → column (-1: ignored)
	names   []string       // column → header as it reads in the file ("" when absent)
	english bool           // the file's headers are mostly the English ones
}

// shown returns the header the user sees for field: as in the file, else
// the template's header, else "".
func (h *header) shown(field string) string {
	if h == nil {
		return ""
	}
	i, ok := h.index[field]
	if !ok {
		return ""
	}
	if h.names[i] != "" {
		return h.names[i]
	}
	if h.english {
		return h.cols[i].title("en")
	}
	return h.cols[i].Header
}

// normHeader folds a header for matching: surrounding white space
// (full-width too) trimmed, a trailing required mark dropped, ASCII folded.
func normHeader(s string) string {
	s = strings.TrimFunc(s, unicode.IsSpace)
	s = strings.TrimRight(s, "*＊")
	s = strings.TrimFunc(s, unicode.IsSpace)
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// matchHeader maps a header row onto cols. Unknown columns are ignored; a
// duplicated header and a missing required column are errors naming the
// column.
func matchHeader(cols []Column, cells []string) (*header, []Error) {
	h := &header{cols: cols, index: map[string]int{}, fileCol: make([]int, len(cells)), names: make([]string, len(cols))}
	names := map[string]int{}
	for i, c := range cols {
		h.index[c.Key] = i
		for _, n := range []string{c.Key, c.Header, c.HeaderEN} {
			if n = normHeader(n); n != "" {
				names[n] = i
			}
		}
	}
	var errs []Error
	en, zh := 0, 0
	for j, cell := range cells {
		h.fileCol[j] = -1
		n := normHeader(cell)
		i, ok := names[n]
		if n == "" || !ok {
			continue
		}
		shown := strings.TrimSpace(cell)
		if h.names[i] != "" {
			errs = append(errs, Error{Column: shown, Field: cols[i].Key, Code: CodeDuplicateColumn})
			continue
		}
		h.fileCol[j], h.names[i] = i, shown
		switch n {
		case normHeader(cols[i].Header):
			zh++
		case normHeader(cols[i].HeaderEN):
			en++
		}
	}
	h.english = en > zh
	for i, c := range cols {
		if c.Required && h.names[i] == "" {
			errs = append(errs, Error{Column: h.shown(c.Key), Field: c.Key, Code: CodeMissingColumn})
		}
	}
	return h, errs
}
