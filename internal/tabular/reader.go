package tabular

import (
	"io"
	"slices"
	"strings"
	"unicode"

	"tongxin/internal/apperr"
	"tongxin/internal/valid"
)

type source interface {
	next() (int, []cell, error)
	Close() error
}

// Reader reads the data rows of a file one at a time.
type Reader struct {
	src  source
	hdr  *header
	opt  Options
	rows int
	err  error // sticky: a file-level error ends the reading
}

// headerSearch is how many non-empty rows may stand above the header (a
// title line such as "企业名册").
const headerSearch = 5

// NewReader opens s and reads its header row: the first non-empty row
// that names any column, among the first few. A file that cannot be read
// (not xlsx nor CSV, corrupt, undecodable, the sheet missing) or whose
// header lacks a required column or names one twice is a 422 holding
// every such error (Row 0); other errors are I/O failures.
func NewReader(s *Spooled, cols []Column, o Options) (*Reader, error) {
	o = o.withDefaults()
	var (
		src source
		err error
	)
	if s.Format() == XLSX {
		src, err = openXLSX(s, o.Sheet, o)
	} else {
		if o.Sheet != "" {
			// A named sheet only exists in a workbook; "CSV" names the
			// one sheet a CSV file has.
			return nil, fileErr(CodeSheetMissing, "Sheet", o.Sheet, "Existing", "CSV")
		}
		src, err = openCSV(s)
	}
	if err != nil {
		return nil, err
	}
	r := &Reader{src: src, opt: o}
	var first []string
	for i := 0; i < headerSearch; i++ {
		_, cells, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			src.Close()
			return nil, err
		}
		texts := cellTexts(cells)
		if first == nil {
			first = texts
		}
		h, errs := matchHeader(cols, texts)
		if !slices.ContainsFunc(h.fileCol, func(i int) bool { return i >= 0 }) {
			continue
		}
		if len(errs) > 0 {
			src.Close()
			return nil, fileError(errs...)
		}
		r.hdr = h
		return r, nil
	}
	src.Close()
	if first == nil {
		return nil, fileErr(CodeNoHeader)
	}
	// Nothing names a column: report the required ones as missing
	// against the first row.
	_, errs := matchHeader(cols, first)
	if len(errs) == 0 {
		errs = []Error{{Field: FileField, Code: CodeNoHeader}}
	}
	return nil, fileError(errs...)
}

func cellTexts(cells []cell) []string {
	n := 0
	if len(cells) > 0 {
		n = cells[len(cells)-1].col + 1
	}
	out := make([]string, n)
	for _, c := range cells {
		if !c.formula {
			out[c.col] = c.value
		}
	}
	return out
}

// Close releases the file.
func (r *Reader) Close() error { return r.src.Close() }

// Header returns the header as it reads in the file for the column with
// key (the template's header when the file lacks the column).
func (r *Reader) Header(key string) string { return r.hdr.shown(key) }

// Next returns the next data row; io.EOF after the last. Rows holding no
// value in any known column are skipped. More than Options.MaxRows data
// rows, and a file that breaks off or goes wrong half way, are a 422 (Row
// 0) after which the reader is done.
func (r *Reader) Next() (Row, error) {
	if r.err != nil {
		return Row{}, r.err
	}
	for {
		num, cells, err := r.src.next()
		if err != nil {
			r.err = err
			return Row{}, err
		}
		row := Row{Num: num, values: make([]string, len(r.hdr.cols)), hdr: r.hdr}
		known := false
		for _, c := range cells {
			if c.col >= len(r.hdr.fileCol) {
				continue
			}
			i := r.hdr.fileCol[c.col]
			if i < 0 {
				continue
			}
			known = true
			if c.formula {
				row.Errors = append(row.Errors, r.cellErr(num, i, CodeFormula))
				continue
			}
			v, code, params := r.clean(c.value, i)
			if code != "" {
				row.Errors = append(row.Errors, r.cellErr(num, i, code, params...))
				continue
			}
			row.values[i] = v
		}
		if !known || (len(row.Errors) == 0 && !slices.ContainsFunc(row.values, func(s string) bool { return s != "" })) {
			continue
		}
		r.rows++
		if r.rows > r.opt.MaxRows {
			r.err = fileErr(CodeTooManyRows, "Max", r.opt.MaxRows)
			return Row{}, r.err
		}
		for i, c := range r.hdr.cols {
			if c.Required && row.values[i] == "" && !hasField(row.Errors, c.Key) {
				row.Errors = append(row.Errors, r.cellErr(num, i, CodeRequired))
			}
		}
		return row, nil
	}
}

func hasField(errs []Error, field string) bool {
	return slices.ContainsFunc(errs, func(e Error) bool { return e.Field == field })
}

func (r *Reader) cellErr(row, col int, code string, params ...any) Error {
	key := r.hdr.cols[col].Key
	return Error{Row: row, Column: r.hdr.shown(key), Field: key, Code: code, Params: pairs(params)}
}

// clean trims a value, undoes the export's formula guard and checks it
// like any text a person types (valid.Text), then against the column's
// options.
func (r *Reader) clean(v string, col int) (string, string, []any) {
	v = strings.ReplaceAll(v, "\r\n", "\n")
	v = strings.TrimFunc(v, unicode.IsSpace)
	v = unguard(v)
	var fs apperr.Fields
	valid.Text(&fs, "", v, r.opt.MaxCellLen)
	if len(fs) > 0 {
		var params []any
		for k, p := range fs[0].Params {
			params = append(params, k, p)
		}
		return "", fs[0].Code, params
	}
	if opts := r.hdr.cols[col].Options; v != "" && len(opts) > 0 && !slices.Contains(opts, v) {
		return "", CodeUnknownOption, []any{"Value", v}
	}
	return v, "", nil
}
