package tabular

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"tongxin/internal/apperr"
	"tongxin/internal/i18n"
)

var testCols = []Column{
	{Key: "uscc", Header: "统一社会信用代码", HeaderEN: "USCC", Required: true, Width: 24},
	{Key: "name", Header: "企业名称", HeaderEN: "Name", Required: true},
	{Key: "kind", Header: "企业类型", HeaderEN: "Kind", Options: []string{"国有", "民营", "外资"}},
	{Key: "note", Header: "备注", HeaderEN: "Note"},
}

func spooled(b []byte) *Spooled { return NewSpooled(bytes.NewReader(b), int64(len(b))) }

// xlsxFile builds a workbook with excelize (shared strings, as Excel
// writes them). A cell starting with "=" becomes a formula.
func xlsxFile(t testing.TB, sheets map[string][][]string, order ...string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range order {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sheets[name] {
			for c, v := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				var err error
				if strings.HasPrefix(v, "=") {
					err = f.SetCellFormula(name, ref, v[1:])
				} else if v != "" {
					err = f.SetCellStr(name, ref, v)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func csvFile(rows [][]string) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.WriteAll(rows)
	return buf.Bytes()
}

// readAll reads every row of b: values by key, and the reader's cell errors.
func readAll(t testing.TB, s *Spooled, cols []Column, o Options) ([]map[string]string, []int, []Error) {
	t.Helper()
	r, err := NewReader(s, cols, o)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	defer r.Close()
	var rows []map[string]string
	var nums []int
	var errs []Error
	for {
		row, err := r.Next()
		if err == io.EOF {
			return rows, nums, errs
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		m := map[string]string{}
		for _, c := range cols {
			if v := row.Get(c.Key); v != "" {
				m[c.Key] = v
			}
		}
		rows, nums, errs = append(rows, m), append(nums, row.Num), append(errs, row.Errors...)
	}
}

// fields returns the field errors of a 422, failing on anything else.
func fields(t testing.TB, err error) []Error {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != apperr.Validation {
		t.Fatalf("want a 422, got %v", err)
	}
	return e.Fields
}

func codes(errs []Error) []string {
	var out []string
	for _, e := range errs {
		s := e.Code
		if e.Row > 0 {
			s = fmt.Sprintf("%d:%s", e.Row, s)
		}
		if e.Column != "" {
			s += ":" + e.Column
		}
		out = append(out, s)
	}
	return out
}

func wantCodes(t testing.TB, errs []Error, want ...string) {
	t.Helper()
	if got := codes(errs); !slices.Equal(got, want) {
		t.Fatalf("errors\n got %q\nwant %q", got, want)
	}
}

func fileCodeOf(t testing.TB, s *Spooled, o Options) []Error {
	t.Helper()
	_, err := NewReader(s, testCols, o)
	return fields(t, err)
}

func TestHeaderMatching(t *testing.T) {
	for _, format := range []Format{XLSX, CSV} {
		t.Run(string(format), func(t *testing.T) {
			rows := [][]string{
				{"企业名册（2024）"}, // a title line above the header
				{" uscc ", "企业名称＊", "其他列", "KIND", "Note"},
				{"91310000MA1FL0001X", "同心科技", "ignored", "民营", ""},
				{"", "", "only unknown"}, // no known column: skipped
				{"91310000MA1FL0002X", "  红旗厂 ", "", "", "备注 2"},
			}
			var b []byte
			if format == XLSX {
				b = xlsxFile(t, map[string][][]string{"S": rows}, "S")
			} else {
				b = csvFile(rows)
			}
			s := spooled(b)
			if s.Format() != format {
				t.Fatalf("format %s, want %s", s.Format(), format)
			}
			got, nums, errs := readAll(t, s, testCols, Options{})
			want := []map[string]string{
				{"uscc": "91310000MA1FL0001X", "name": "同心科技", "kind": "民营"},
				{"uscc": "91310000MA1FL0002X", "name": "红旗厂", "note": "备注 2"},
			}
			if fmt.Sprint(got) != fmt.Sprint(want) || !slices.Equal(nums, []int{3, 5}) || len(errs) > 0 {
				t.Fatalf("got %v rows %v errs %v", got, nums, errs)
			}
			r, _ := NewReader(s, testCols, Options{})
			defer r.Close()
			if r.Header("uscc") != "uscc" || r.Header("name") != "企业名称＊" {
				t.Fatalf("headers as in the file: %q %q", r.Header("uscc"), r.Header("name"))
			}
		})
	}
}

func TestHeaderErrors(t *testing.T) {
	// A required column missing, another named twice (by zh and en header).
	s := spooled(csvFile([][]string{{"企业名称", "Name", "备注"}, {"a", "b", "c"}}))
	wantCodes(t, fileCodeOf(t, s, Options{}), "duplicate_column:Name", "missing_column:统一社会信用代码")
	// English headers: the missing column is named in English.
	s = spooled(csvFile([][]string{{"Name", "Note"}, {"a", "b"}}))
	wantCodes(t, fileCodeOf(t, s, Options{}), "missing_column:USCC")
	// Nothing but unknown headers.
	s = spooled(csvFile([][]string{{"甲", "乙"}, {"a", "b"}}))
	wantCodes(t, fileCodeOf(t, s, Options{}), "missing_column:统一社会信用代码", "missing_column:企业名称")
	// Empty file, and only empty rows.
	wantCodes(t, fileCodeOf(t, spooled(nil), Options{}), "no_header")
	wantCodes(t, fileCodeOf(t, spooled([]byte("\xEF\xBB\xBF,,\r\n,,\r\n")), Options{}), "no_header")
	wantCodes(t, fileCodeOf(t, spooled(xlsxFile(t, map[string][][]string{"S": {}}, "S")), Options{}), "no_header")
}

func TestSheets(t *testing.T) {
	b := xlsxFile(t, map[string][][]string{
		"首页": {{"说明文字"}},
		"企业": {{"统一社会信用代码", "企业名称"}, {"X1", "企业一"}},
	}, "首页", "企业")
	errs := fileCodeOf(t, spooled(b), Options{Sheet: "名单"})
	wantCodes(t, errs, "sheet_missing")
	if errs[0].Params["Existing"] != "首页、企业" || errs[0].Params["Sheet"] != "名单" {
		t.Fatalf("params %v", errs[0].Params)
	}
	got, _, _ := readAll(t, spooled(b), testCols, Options{Sheet: "企业"})
	if len(got) != 1 || got[0]["name"] != "企业一" {
		t.Fatalf("named sheet: %v", got)
	}
	// The first sheet has no header.
	wantCodes(t, fileCodeOf(t, spooled(b), Options{}), "missing_column:统一社会信用代码", "missing_column:企业名称")
	// A CSV has no named sheets.
	wantCodes(t, fileCodeOf(t, spooled(csvFile([][]string{{"uscc", "name"}})), Options{Sheet: "企业"}), "sheet_missing")
}

func TestCSVEncodings(t *testing.T) {
	text := csvFile([][]string{{"统一社会信用代码", "企业名称", "备注"}, {"X1", "同心（上海）科技有限公司", "€ “引号” 𠀀"}})
	gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes(text)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(gb, text) {
		t.Fatal("the GB18030 file should differ from the UTF-8 one")
	}
	want := "[map[name:同心（上海）科技有限公司 note:€ “引号” 𠀀 uscc:X1]]"
	for name, b := range map[string][]byte{
		"utf8":     text,
		"utf8 BOM": append([]byte("\xEF\xBB\xBF"), text...),
		"gb18030":  gb,
	} {
		got, _, _ := readAll(t, spooled(b), testCols, Options{})
		if fmt.Sprint(got) != want {
			t.Errorf("%s: got %v", name, got)
		}
	}
	// Neither UTF-8 nor GB18030 (0xFF never starts a GB18030 character).
	bad := append(append([]byte{}, text...), 0xFF, 0xFE, 'a', '\n')
	wantCodes(t, fileCodeOf(t, spooled(bad), Options{}), "encoding")
	// Unbalanced quotes.
	_, err = Import(context.Background(), spooled([]byte("uscc,name\nX001,a\nX002,\"abc\nX003,d\n")), firmSpec(nil))
	errs := fields(t, err)
	wantCodes(t, errs, "csv_syntax")
	if errs[0].Params["Line"] != 3 {
		t.Fatalf("params %v", errs[0].Params)
	}
}

func TestCSVRowNumbersCountBlankLines(t *testing.T) {
	b := []byte("uscc,name\r\nX1,\"two\nlines\"\r\n\r\n\r\nX2,b\r\n,\r\nX3,c\r\n")
	got, nums, _ := readAll(t, spooled(b), testCols, Options{})
	// Excel shows: 1 header, 2 X1 (one cell, two lines), 3 and 4 blank, 5 X2, 6 empty, 7 X3.
	if !slices.Equal(nums, []int{2, 5, 7}) || got[0]["name"] != "two\nlines" {
		t.Fatalf("rows %v %v", nums, got)
	}
}

func TestCellChecks(t *testing.T) {
	rows := [][]string{
		{"统一社会信用代码", "企业名称", "企业类型", "备注"},
		{"X1", "=1+1", "民营", "=SUM(A1:A3)"},         // 2: formulas
		{"X2", "好", "集体", strings.Repeat("长", 501)}, // 3: unknown option, too long
		{"X3", "a\u200Fb", "", "\u202Eevil"},        // 4: direction marks and overrides
		{"", "", "外资", ""},                          // 5: required empty
		{"X6", "'-2", "", "'=1+1"},                  // 6: an export's apostrophe comes off
	}
	b := xlsxFile(t, map[string][][]string{"S": rows}, "S")
	got, _, errs := readAll(t, spooled(b), testCols, Options{})
	wantCodes(t, errs,
		"2:formula:企业名称", "2:formula:备注",
		"3:unknown_option:企业类型", "3:too_long:备注",
		"4:control_chars:企业名称", "4:control_chars:备注",
		"5:required:统一社会信用代码", "5:required:企业名称",
	)
	if got[0]["name"] != "" || got[0]["uscc"] != "X1" {
		t.Fatalf("a formula cell must have no value: %v", got[0])
	}
	if got[4]["name"] != "-2" || got[4]["note"] != "=1+1" {
		t.Fatalf("apostrophe: %v", got[4])
	}
	if errs[3].Params["Max"] != DefaultMaxCellLen {
		t.Fatalf("too_long params %v", errs[3].Params)
	}
}

// A formula is never evaluated, even with a cached result, and whatever
// type the cell claims.
func TestFormulaWithCachedValue(t *testing.T) {
	sheet := `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		`<row r="1"><c r="A1" t="inlineStr"><is><t>uscc</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c></row>` +
		`<row r="2"><c r="A2" t="str"><f>HYPERLINK("http://evil","x")</f><v>x</v></c><c r="B2"><f t="shared" si="0"/><v>2</v></c></row>` +
		`<row r="3"><c r="A3" t="inlineStr"><is><t>Y_x0000_</t></is></c><c r="B3" t="inlineStr"><is><r><t>富</t></r><r><t>文本</t></r><rPh><t>ふ</t></rPh></is></c></row>` +
		`</sheetData></worksheet>`
	b := handmadeXLSX(t, sheet)
	got, _, errs := readAll(t, spooled(b), testCols, Options{})
	wantCodes(t, errs, "2:formula:uscc", "2:formula:name", "3:control_chars:uscc")
	if got[0]["uscc"] != "" || got[0]["name"] != "" || got[1]["name"] != "富文本" {
		t.Fatalf("values %v", got)
	}
}

// handmadeXLSX wraps one worksheet's XML in the least a workbook needs.
func handmadeXLSX(t testing.TB, sheet string) []byte {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for name, body := range map[string]string{
		"[Content_Types].xml": `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"_rels/.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml": sheet,
	} {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGarbage(t *testing.T) {
	random := make([]byte, 10<<20)
	rand.Read(random)
	random[0] = 'x' // not by chance a zip
	good := xlsxFile(t, map[string][][]string{"S": {{"uscc", "name"}, {"X1", "a"}}}, "S")
	var docx bytes.Buffer
	z := zip.NewWriter(&docx)
	w, _ := z.Create("word/document.xml")
	io.WriteString(w, "<document/>")
	z.Close()
	randomZip := append([]byte("PK\x03\x04"), random[:1<<20]...)
	hugeCell := handmadeXLSX(t, `<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>`+strings.Repeat("A", 6<<20)+`</t></is></c></row></sheetData></worksheet>`)
	unclosed := handmadeXLSX(t, `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>uscc</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>X`)
	for name, c := range map[string]struct {
		b    []byte
		code string
	}{
		"10 MB random":    {random, "unsupported_format"},
		"html as xlsx":    {[]byte("\xEF\xBB\xBF  <!DOCTYPE html><html><body><table><tr><td>统一社会信用代码</td></tr></table></body></html>"), "unsupported_format"},
		"utf-16 text":     {[]byte("\xFF\xFEu\x00s\x00c\x00c\x00"), "unsupported_format"},
		"truncated xlsx":  {good[:len(good)/2], "corrupt_xlsx"},
		"random zip":      {randomZip, "corrupt_xlsx"},
		"docx":            {docx.Bytes(), "unsupported_format"},
		"legacy xls":      {append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), random[:4096]...), "legacy_xls"},
		"huge cell":       {hugeCell, "too_complex"},
		"sheet unclosed":  {unclosed, "corrupt_xlsx"},
		"bad shared refs": {handmadeXLSX(t, `<worksheet><sheetData><row><c t="s"><v>7</v></c></row></sheetData></worksheet>`), "corrupt_xlsx"},
	} {
		t.Run(name, func(t *testing.T) {
			res, err := Import(context.Background(), spooled(c.b), Spec[string]{
				Columns: testCols,
				Parse:   func(context.Context, Row, *RowErrors) (string, bool) { return "", true },
				Commit: func(context.Context, []Item[string]) error {
					t.Fatal("Commit called")
					return nil
				},
			})
			wantCodes(t, fields(t, err), c.code)
			if res.ErrorCount != 1 {
				t.Fatalf("count %d", res.ErrorCount)
			}
		})
	}
}

func TestTooManyRows(t *testing.T) {
	rows := [][]string{{"uscc", "name"}}
	for i := range 5 {
		rows = append(rows, []string{fmt.Sprint("X", i), "n"})
	}
	for _, b := range [][]byte{csvFile(rows), xlsxFile(t, map[string][][]string{"S": rows}, "S")} {
		_, err := Import(context.Background(), spooled(b), Spec[string]{
			Columns: testCols, Options: Options{MaxRows: 3},
			Parse:  func(_ context.Context, r Row, _ *RowErrors) (string, bool) { return r.Get("uscc"), true },
			Commit: func(context.Context, []Item[string]) error { t.Fatal("Commit called"); return nil },
		})
		wantCodes(t, fields(t, err), "too_many_rows")
	}
}

type firm struct{ USCC, Name string }

func firmSpec(commit func(context.Context, []Item[firm]) error) Spec[firm] {
	return Spec[firm]{
		Columns: testCols,
		Parse: func(_ context.Context, r Row, errs *RowErrors) (firm, bool) {
			f := firm{USCC: r.Get("uscc"), Name: r.Get("name")}
			if f.USCC != "" && len(f.USCC) != 4 {
				errs.Add("uscc", "invalid_format")
			}
			return f, errs.Len() == 0
		},
		Keys:      func(f firm) []UniqueKey { return []UniqueKey{{"uscc", f.USCC}, {"name", f.Name}} },
		Commit:    commit,
		BatchSize: 2,
	}
}

func TestImportReportsEverythingAndCommitsNothing(t *testing.T) {
	b := csvFile([][]string{
		{"统一社会信用代码", "企业名称"},
		{"A001", "甲"},
		{"A002", "乙"},
		{"A0031", "丙"}, // 4: invalid
		{"A001", "丁"},  // 5: repeats row 2
		{"A005", ""},   // 6: required
		{"A006", "乙"},  // 7: name repeats row 3
	})
	called := 0
	res, err := Import(context.Background(), spooled(b), firmSpec(func(context.Context, []Item[firm]) error {
		called++
		return nil
	}))
	errs := fields(t, err)
	wantCodes(t, errs, "4:invalid_format:统一社会信用代码", "5:duplicate:统一社会信用代码", "6:required:企业名称", "7:duplicate:企业名称")
	if called != 0 || res.Committed != 0 || res.Rows != 6 || res.ErrorCount != 4 {
		t.Fatalf("called %d, result %+v", called, res)
	}
	if errs[1].Params["First"] != 2 || errs[1].Params["Value"] != "A001" || errs[3].Params["First"] != 3 {
		t.Fatalf("duplicate params %v %v", errs[1].Params, errs[3].Params)
	}
	var e *apperr.Error
	errors.As(err, &e)
	if e.MessageID != "problem.import_failed" || e.Params["Count"] != 4 {
		t.Fatalf("summary %+v", e)
	}
}

func TestImportKeepsFirstErrorsCountsAll(t *testing.T) {
	rows := [][]string{{"uscc", "name"}}
	for range 30 {
		rows = append(rows, []string{"bad", "n"})
	}
	spec := firmSpec(nil)
	spec.Keys = nil
	spec.Options.MaxErrors = 10
	res, err := Import(context.Background(), spooled(csvFile(rows)), spec)
	if len(fields(t, err)) != 10 || res.ErrorCount != 30 || len(res.Errors) != 10 || res.Errors[9].Row != 11 {
		t.Fatalf("kept %d of %d", len(res.Errors), res.ErrorCount)
	}
}

func TestImportCommitsInBatches(t *testing.T) {
	rows := [][]string{{"uscc", "name"}}
	for i := range 5 {
		rows = append(rows, []string{fmt.Sprintf("A%03d", i), fmt.Sprint("企业", i)})
	}
	var got []string
	res, err := Import(context.Background(), spooled(csvFile(rows)), firmSpec(func(_ context.Context, batch []Item[firm]) error {
		var s []string
		for _, it := range batch {
			s = append(s, fmt.Sprint(it.Row, it.Value.USCC))
		}
		got = append(got, strings.Join(s, ","))
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"2A000,3A001", "4A002,5A003", "6A004"}; !slices.Equal(got, want) || res.Committed != 5 {
		t.Fatalf("batches %q, result %+v", got, res)
	}
	// Dry run: validated, nothing committed.
	spec := firmSpec(func(context.Context, []Item[firm]) error { t.Fatal("Commit in a dry run"); return nil })
	spec.DryRun = true
	res, err = Import(context.Background(), spooled(csvFile(rows)), spec)
	if err != nil || res.Rows != 5 || res.Committed != 0 {
		t.Fatalf("dry run %+v %v", res, err)
	}
}

// Check sees the valid rows of pass 1 in batches (a repeat and an invalid
// row are not looked up), its errors are reported with their columns, and
// nothing is committed.
func TestImportChecksBatches(t *testing.T) {
	b := csvFile([][]string{
		{"统一社会信用代码", "企业名称"},
		{"A001", "甲"},
		{"A002", "乙"},
		{"A0031", "丙"}, // 4: invalid
		{"A001", "丁"},  // 5: repeats row 2
		{"A005", "戊"},
		{"A006", "己"},
	})
	var batches []string
	spec := firmSpec(func(context.Context, []Item[firm]) error { t.Fatal("Commit called"); return nil })
	spec.Check = func(_ context.Context, batch []Item[firm]) ([]Error, error) {
		var s []string
		var errs []Error
		for _, it := range batch {
			s = append(s, fmt.Sprint(it.Row, it.Value.USCC))
			if it.Value.USCC == "A005" {
				errs = append(errs, Error{Row: it.Row, Field: "uscc", Code: "taken"})
			}
		}
		batches = append(batches, strings.Join(s, ","))
		return errs, nil
	}
	_, err := Import(context.Background(), spooled(b), spec)
	wantCodes(t, fields(t, err), "4:invalid_format:统一社会信用代码", "5:duplicate:统一社会信用代码", "6:taken:统一社会信用代码")
	if want := []string{"2A001,3A002", "6A005,7A006"}; !slices.Equal(batches, want) {
		t.Fatalf("batches %q, want %q", batches, want)
	}
	// A failing lookup stops the import with its error.
	boom := errors.New("connection reset")
	spec.Check = func(context.Context, []Item[firm]) ([]Error, error) { return nil, boom }
	if _, err := Import(context.Background(), spooled(b), spec); !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
}

func TestImportCommitErrors(t *testing.T) {
	rows := [][]string{{"USCC", "Name"}}
	for i := range 5 {
		rows = append(rows, []string{fmt.Sprintf("A%03d", i), fmt.Sprint("n", i)})
	}
	// A row the database refuses, reported with its row and column.
	calls := 0
	_, err := Import(context.Background(), spooled(csvFile(rows)), firmSpec(func(_ context.Context, batch []Item[firm]) error {
		calls++
		if calls == 2 {
			return ErrRows(Error{Row: batch[1].Row, Field: "uscc", Code: "taken"})
		}
		return nil
	}))
	wantCodes(t, fields(t, err), "5:taken:USCC")
	// Any other error propagates as it is, and stops the import.
	boom := errors.New("connection reset")
	calls = 0
	res, err := Import(context.Background(), spooled(csvFile(rows)), firmSpec(func(context.Context, []Item[firm]) error {
		calls++
		if calls == 2 {
			return boom
		}
		return nil
	}))
	if !errors.Is(err, boom) || calls != 2 || res.Committed != 2 {
		t.Fatalf("err %v calls %d committed %d", err, calls, res.Committed)
	}
	// No data rows at all.
	_, err = Import(context.Background(), spooled(csvFile(rows[:1])), firmSpec(nil))
	wantCodes(t, fields(t, err), "no_rows")
}

func TestExportGuardsFormulas(t *testing.T) {
	cols := []Column{{Key: "a", Header: "值"}, {Key: "b", Header: "说明"}}
	values := []string{"=1+1", "@SUM(A1)", "-2", "+3", "\tx", "普通", "a=b", ""}
	want := []string{"'=1+1", "'@SUM(A1)", "'-2", "'+3", "'\tx", "普通", "a=b", ""}
	for _, format := range []Format{CSV, XLSX} {
		t.Run(string(format), func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(&buf, format, cols, "zh-CN")
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range values {
				if err := w.Write([]string{v, "x"}); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			var got []string
			if format == CSV {
				if !bytes.HasPrefix(buf.Bytes(), bom) {
					t.Fatal("no BOM")
				}
				recs, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(recs[0], []string{"值", "说明"}) {
					t.Fatalf("header %q", recs[0])
				}
				for _, r := range recs[1:] {
					got = append(got, r[0])
				}
			} else {
				if xml := sheetXML(t, buf.Bytes()); strings.Contains(xml, "<f>") || strings.Contains(xml, "<f ") {
					t.Fatal("the sheet holds a formula")
				}
				f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
				if err != nil {
					t.Fatal(err)
				}
				rows, err := f.GetRows("Sheet1")
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rows[1:] {
					got = append(got, r[0])
				}
				// GetRows drops a trailing empty row's cells, not the row.
				for len(got) < len(want) {
					got = append(got, "")
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("got %q\nwant %q", got, want)
			}
			// Our reader takes the apostrophes off again.
			rd, _, _ := readAll(t, spooled(buf.Bytes()), []Column{{Key: "a", Header: "值"}, {Key: "b", Header: "说明"}}, Options{})
			for i, v := range values[:5] {
				if rd[i]["a"] != v {
					t.Fatalf("read back %q, want %q", rd[i]["a"], v)
				}
			}
		})
	}
}

// sheetXML returns the first worksheet's XML of an xlsx file.
func sheetXML(t testing.TB, b []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := z.Open("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	x, _ := io.ReadAll(rc)
	return string(x)
}

func TestRoundTrip(t *testing.T) {
	rows := [][]string{
		{"91310000MA1FL0001X", "同心（上海）科技有限公司", "民营", "多行\n备注"},
		{"91310000MA1FL0002X", "红旗·制造厂 “甲”", "外资", "逗号,引号\"&<xml>"},
		{"91310000MA1FL0003X", "𠀀 生僻字", "", ""},
	}
	for _, format := range []Format{XLSX, CSV} {
		for _, lang := range []string{"zh-CN", "en"} {
			t.Run(string(format)+" "+lang, func(t *testing.T) {
				var buf bytes.Buffer
				w, err := NewWriter(&buf, format, testCols, lang)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rows {
					w.Write(r)
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				s := spooled(buf.Bytes())
				if s.Format() != format {
					t.Fatalf("format %s", s.Format())
				}
				got, nums, errs := readAll(t, s, testCols, Options{})
				if len(errs) > 0 || !slices.Equal(nums, []int{2, 3, 4}) {
					t.Fatalf("errs %v rows %v", errs, nums)
				}
				for i, r := range rows {
					for j, c := range testCols {
						if got[i][c.Key] != r[j] {
							t.Fatalf("row %d %s: %q, want %q", i, c.Key, got[i][c.Key], r[j])
						}
					}
				}
				rd, _ := NewReader(s, testCols, Options{})
				defer rd.Close()
				if want := map[string]string{"zh-CN": "企业名称", "en": "Name"}[lang]; rd.Header("name") != want {
					t.Fatalf("header %q", rd.Header("name"))
				}
			})
		}
	}
}

func TestTemplate(t *testing.T) {
	many := make([]string, 60)
	for i := range many {
		many[i] = fmt.Sprintf("第%02d产业园区", i+1)
	}
	cols := append(slices.Clone(testCols), Column{Key: "park", Header: "所属园区", HeaderEN: "Park", Required: true, Options: many})
	var buf bytes.Buffer
	if err := WriteTemplate(&buf, XLSX, cols, "zh-CN"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"数据", "说明", "lists"}) {
		t.Fatalf("sheets %q", got)
	}
	if v, _ := f.GetSheetVisible("lists"); v {
		t.Fatal("the lists sheet is visible")
	}
	header, _ := f.GetRows("数据")
	if !slices.Equal(header[0], []string{"统一社会信用代码", "企业名称", "企业类型", "备注", "所属园区"}) {
		t.Fatalf("header %q", header)
	}
	dvs, err := f.GetDataValidations("数据")
	if err != nil {
		t.Fatal(err)
	}
	if len(dvs) != 2 {
		t.Fatalf("%d validations", len(dvs))
	}
	if dvs[0].Sqref != "C2:C200001" || dvs[0].Type != "list" || dvs[0].Formula1 != `"国有,民营,外资"` {
		t.Fatalf("inline list %+v %q", dvs[0], dvs[0].Formula1)
	}
	if dvs[1].Sqref != "E2:E200001" || dvs[1].Formula1 != "lists!$A$1:$A$60" {
		t.Fatalf("range list %+v %q", dvs[1], dvs[1].Formula1)
	}
	if v, _ := f.GetCellValue("lists", "A60"); v != "第60产业园区" {
		t.Fatalf("lists A60 %q", v)
	}
	panes, _ := f.GetPanes("数据")
	if !panes.Freeze || panes.YSplit != 1 {
		t.Fatalf("panes %+v", panes)
	}
	if w, _ := f.GetColWidth("数据", "A"); w != 24 {
		t.Fatalf("width %v", w)
	}
	style, _ := f.GetCellStyle("数据", "A1")
	st, _ := f.GetStyle(style)
	if !st.Font.Bold || st.Font.Color != "C00000" {
		t.Fatalf("required header style %+v", st.Font)
	}
	notes, _ := f.GetRows("说明")
	if len(notes) != 3+len(cols) || notes[3][0] != "统一社会信用代码" || notes[3][2] != "是" || notes[5][3] != "国有、民营、外资" || notes[6][2] != "否" {
		t.Fatalf("notes %q", notes)
	}
	// The template reads back as a file with a header and no rows.
	_, err = Import(context.Background(), spooled(buf.Bytes()), Spec[int]{Columns: cols,
		Parse: func(context.Context, Row, *RowErrors) (int, bool) { return 0, true }})
	wantCodes(t, fields(t, err), "no_rows")

	// English, and CSV.
	buf.Reset()
	if err := WriteTemplate(&buf, XLSX, cols, "en"); err != nil {
		t.Fatal(err)
	}
	f2, _ := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if got := f2.GetSheetList(); !slices.Equal(got, []string{"Data", "Notes", "lists"}) {
		t.Fatalf("sheets %q", got)
	}
	buf.Reset()
	if err := WriteTemplate(&buf, CSV, cols, "zh-CN"); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "\xEF\xBB\xBF统一社会信用代码,企业名称,企业类型,备注,所属园区\r\n" {
		t.Fatalf("csv template %q", got)
	}
}

func TestSpool(t *testing.T) {
	s, err := Spool(strings.NewReader("uscc,name\nX1,a\n"), 16)
	if err != nil {
		t.Fatal(err)
	}
	got, _, _ := readAll(t, s, testCols, Options{})
	if len(got) != 1 || got[0]["uscc"] != "X1" {
		t.Fatalf("got %v", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = Spool(strings.NewReader("uscc,name\nX1,a\n12"), 16)
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != apperr.TooLarge || e.Fields[0].Field != "file" || e.Params["Limit"] != "16 B" {
		t.Fatalf("over the limit: %v", err)
	}
	x, err := Spool(bytes.NewReader(xlsxFile(t, map[string][][]string{"S": {{"a"}}}, "S")), 1<<20)
	if err != nil || x.Format() != XLSX {
		t.Fatalf("xlsx: %v %v", err, x)
	}
	x.Close()
}

// Every code the package reports, and every id it names, has its text in
// both catalogues.
func TestCatalogue(t *testing.T) {
	ids := []string{"problem.import_failed", "problem.column", "problem.at_row", "problem.too_large.detail",
		"tabular.sheet.data", "tabular.sheet.notes", "tabular.notes.intro", "tabular.notes.column",
		"tabular.notes.accepted", "tabular.notes.required", "tabular.notes.options", "tabular.notes.yes",
		"tabular.notes.no", "tabular.option_error.title", "tabular.option_error.message", "field.file"}
	for _, c := range Codes {
		ids = append(ids, "field_error."+c)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		l := i18n.For(lang)
		for _, id := range ids {
			if !l.Has(id) {
				t.Errorf("%s lacks %s", lang, id)
			}
		}
	}
}
