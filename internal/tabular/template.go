package tabular

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"tongxin/internal/i18n"
)

// listsSheet is the hidden sheet holding option lists too long for an
// inline drop-down.
const listsSheet = "lists"

// inlineListMax is Excel's limit on an inline list ("a,b,c"), separators
// included.
const inlineListMax = 255

// WriteTemplate writes an empty file to fill in. A CSV template is the
// header row (after a BOM). An xlsx template has the header row (bold,
// required columns in red, frozen), column widths, every column formatted
// as text (so Excel keeps an 18-digit ID number and leading zeros as
// typed), a drop-down on each column with Options for data rows 2 to
// DefaultMaxRows+1, and a second sheet ("说明"/"Notes") listing each
// column, the headers accepted for it, whether it is required and its
// allowed values.
func WriteTemplate(w io.Writer, format Format, cols []Column, lang string) error {
	if format == CSV {
		if _, err := w.Write(bom); err != nil {
			return err
		}
		cw := csv.NewWriter(w)
		cw.UseCRLF = true
		headers := make([]string, len(cols))
		for i, c := range cols {
			headers[i] = c.title(lang)
		}
		cw.Write(headers)
		cw.Flush()
		return cw.Error()
	}
	if format != XLSX {
		return fmt.Errorf("tabular: unknown format %q", format)
	}
	l := i18n.For(lang)
	f := excelize.NewFile()
	defer f.Close()
	data := l.T("tabular.sheet.data", nil)
	if err := f.SetSheetName("Sheet1", data); err != nil {
		return err
	}
	styles, err := templateStyles(f)
	if err != nil {
		return err
	}
	last := len(cols)
	if last > 0 {
		lastCol, _ := excelize.ColumnNumberToName(last)
		if err := f.SetColStyle(data, "A:"+lastCol, styles.text); err != nil {
			return err
		}
	}
	var lists []Column
	for i, c := range cols {
		name, _ := excelize.ColumnNumberToName(i + 1)
		h := c.title(lang)
		style := styles.header
		if c.Required {
			style = styles.required
		}
		if err := f.SetCellStr(data, name+"1", h); err != nil {
			return err
		}
		if err := f.SetCellStyle(data, name+"1", name+"1", style); err != nil {
			return err
		}
		if err := f.SetColWidth(data, name, name, width(c, h)); err != nil {
			return err
		}
		if len(c.Options) == 0 {
			continue
		}
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("%s2:%s%d", name, name, DefaultMaxRows+1)
		if inlineList(c.Options) {
			if err := dv.SetDropList(c.Options); err != nil {
				return err
			}
		} else {
			lists = append(lists, c)
			listCol, _ := excelize.ColumnNumberToName(len(lists))
			dv.SetSqrefDropList(fmt.Sprintf("%s!$%s$1:$%s$%d", listsSheet, listCol, listCol, len(c.Options)))
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, l.T("tabular.option_error.title", nil),
			l.T("tabular.option_error.message", nil))
		if err := f.AddDataValidation(data, dv); err != nil {
			return err
		}
	}
	if err := f.SetPanes(data, frozenHeader); err != nil {
		return err
	}
	if err := writeNotes(f, l, cols, styles); err != nil {
		return err
	}
	if len(lists) > 0 {
		if _, err := f.NewSheet(listsSheet); err != nil {
			return err
		}
		for j, c := range lists {
			col, _ := excelize.ColumnNumberToName(j + 1)
			for i, o := range c.Options {
				if err := f.SetCellStr(listsSheet, fmt.Sprintf("%s%d", col, i+1), o); err != nil {
					return err
				}
			}
		}
		if err := f.SetSheetVisible(listsSheet, false, true); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

// inlineList reports whether options fit an inline list: short enough,
// and no option holds the separator or could read as a formula.
func inlineList(opts []string) bool {
	n := len(opts) - 1
	for _, o := range opts {
		if strings.ContainsAny(o, `,"`) || needsGuard(o) {
			return false
		}
		n += len(utf16.Encode([]rune(o)))
	}
	return n <= inlineListMax
}

type tplStyles struct{ header, required, text, wrap int }

func templateStyles(f *excelize.File) (tplStyles, error) {
	var s tplStyles
	var err error
	text := "@"
	if s.text, err = f.NewStyle(&excelize.Style{CustomNumFmt: &text}); err != nil {
		return s, err
	}
	if s.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, CustomNumFmt: &text}); err != nil {
		return s, err
	}
	if s.required, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "C00000"}, CustomNumFmt: &text}); err != nil {
		return s, err
	}
	if s.wrap, err = f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}); err != nil {
		return s, err
	}
	return s, nil
}

func writeNotes(f *excelize.File, l *i18n.Localizer, cols []Column, st tplStyles) error {
	notes := l.T("tabular.sheet.notes", nil)
	if _, err := f.NewSheet(notes); err != nil {
		return err
	}
	rows := [][]string{
		{l.T("tabular.notes.intro", nil)},
		{},
		{l.T("tabular.notes.column", nil), l.T("tabular.notes.accepted", nil), l.T("tabular.notes.required", nil), l.T("tabular.notes.options", nil)},
	}
	yes, no := l.T("tabular.notes.yes", nil), l.T("tabular.notes.no", nil)
	for _, c := range cols {
		req := no
		if c.Required {
			req = yes
		}
		var accepted []string
		for _, n := range []string{c.Header, c.HeaderEN, c.Key} {
			if n != "" && n != c.title(l.Lang()) && !contains(accepted, n) {
				accepted = append(accepted, n)
			}
		}
		rows = append(rows, []string{c.title(l.Lang()), strings.Join(accepted, " / "), req, strings.Join(c.Options, "、")})
	}
	for i, r := range rows {
		for j, v := range r {
			name, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellStr(notes, name, v); err != nil {
				return err
			}
		}
	}
	if err := f.SetCellStyle(notes, "A3", "D3", st.header); err != nil {
		return err
	}
	for col, w := range map[string]float64{"A": 24, "B": 30, "C": 10, "D": 60} {
		if err := f.SetColWidth(notes, col, col, w); err != nil {
			return err
		}
	}
	last, _ := excelize.CoordinatesToCellName(4, len(rows))
	return f.SetCellStyle(notes, "D4", last, st.wrap)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
