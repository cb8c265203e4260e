package tabular

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Formula injection (OWASP "CSV injection"): a value starting with = + - @
// tab or carriage return is written with a leading apostrophe, in CSV and
// in xlsx alike. In xlsx every value is a string cell already (never a
// formula), but a user who saves the export as CSV would lose that; the
// apostrophe survives. The apostrophe is visible in Excel; that is the
// price. The reader takes it off again (unguard), so exporting and
// re-importing a roster gives back "-2", not "'-2".

func needsGuard(v string) bool {
	return v != "" && strings.IndexByte("=+-@\t\r", v[0]) >= 0
}

// guardValue prefixes a value a spreadsheet would take for a formula.
func guardValue(v string) string {
	if needsGuard(v) {
		return "'" + v
	}
	return v
}

// unguard undoes guardValue: a leading apostrophe before a formula start.
// (Excel keeps an apostrophe a person types out of the cell's value, so
// one in the value comes from an export.)
func unguard(v string) string {
	if len(v) > 1 && v[0] == '\'' && needsGuard(v[1:]) {
		return v[1:]
	}
	return v
}

// Writer writes a roster file row by row: a header row in the language
// asked for, then the rows. Memory stays bounded: CSV streams through
// encoding/csv, xlsx through excelize's StreamWriter (which spills to a
// temporary file past 16 MiB and zips while writing out at Close).
type Writer struct {
	format Format
	cols   []Column
	out    io.Writer
	bw     *bufio.Writer
	cw     *csv.Writer
	xf     *excelize.File
	sw     *excelize.StreamWriter
	row    int
	cells  []any
}

// NewWriter starts a file of format on w. lang picks the headers ("en…"
// the English ones; anything else zh-CN).
func NewWriter(w io.Writer, format Format, cols []Column, lang string) (*Writer, error) {
	wr := &Writer{format: format, cols: cols, out: w}
	headers := make([]string, len(cols))
	for i, c := range cols {
		headers[i] = c.title(lang)
	}
	switch format {
	case CSV:
		wr.bw = bufio.NewWriterSize(w, 64<<10)
		wr.bw.Write(bom) // Excel reads UTF-8 only after a BOM
		wr.cw = csv.NewWriter(wr.bw)
		wr.cw.UseCRLF = true
		if err := wr.cw.Write(headers); err != nil {
			return nil, err
		}
	case XLSX:
		wr.xf = excelize.NewFile()
		sw, err := wr.xf.NewStreamWriter("Sheet1")
		if err != nil {
			return nil, err
		}
		wr.sw = sw
		for i, c := range cols {
			if err := sw.SetColWidth(i+1, i+1, width(c, headers[i])); err != nil {
				return nil, err
			}
		}
		if err := sw.SetPanes(frozenHeader); err != nil {
			return nil, err
		}
		bold, err := wr.xf.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
		if err != nil {
			return nil, err
		}
		wr.cells = make([]any, len(cols))
		for i, h := range headers {
			wr.cells[i] = excelize.Cell{StyleID: bold, Value: h}
		}
		if err := sw.SetRow("A1", wr.cells); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("tabular: unknown format %q", format)
	}
	wr.row = 1
	return wr, nil
}

var frozenHeader = &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}

// width is a column's width in characters: Width, else wide enough for
// the header (a CJK character counts two).
func width(c Column, header string) float64 {
	if c.Width > 0 {
		return c.Width
	}
	w := 0
	for _, r := range header {
		w++
		if utf8.RuneLen(r) > 1 {
			w++
		}
	}
	return float64(max(w+4, 12))
}

// Write adds one row: values in the order of the columns (missing ones
// empty, extra ones dropped).
func (w *Writer) Write(values []string) error {
	w.row++
	switch w.format {
	case CSV:
		rec := make([]string, len(w.cols))
		for i := range rec {
			if i < len(values) {
				rec[i] = guardValue(values[i])
			}
		}
		return w.cw.Write(rec)
	default:
		for i := range w.cells {
			w.cells[i] = nil
			if i < len(values) && values[i] != "" {
				w.cells[i] = guardValue(values[i]) // a string: an inline string cell
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, w.row)
		if err != nil {
			return err
		}
		return w.sw.SetRow(cell, w.cells)
	}
}

// Close finishes the file and writes what remains to the writer.
func (w *Writer) Close() error {
	switch w.format {
	case CSV:
		w.cw.Flush()
		if err := w.cw.Error(); err != nil {
			return err
		}
		return w.bw.Flush()
	default:
		defer w.xf.Close()
		if err := w.sw.Flush(); err != nil {
			return err
		}
		return w.xf.Write(w.out)
	}
}
