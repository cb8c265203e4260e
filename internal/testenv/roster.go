package testenv

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"tongxin/internal/client"
)

// Helpers of the roster tests (import, export, templates) of every domain.

// Content types of roster files.
const (
	CSVType  = "text/csv"
	XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// CSV writes rows as a CSV file.
func CSV(rows ...[]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.WriteAll(rows)
	return b.Bytes()
}

// XLSX writes sheets (name, [][]string rows, name, rows …); a cell "=…"
// becomes a formula.
func XLSX(t testing.TB, sheets ...any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i := 0; i < len(sheets); i += 2 {
		name := sheets[i].(string)
		if i == 0 {
			f.SetSheetName("Sheet1", name)
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sheets[i+1].([][]string) {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				var err error
				if strings.HasPrefix(v, "=") {
					err = f.SetCellFormula(name, cell, v[1:])
				} else {
					err = f.SetCellStr(name, cell, v)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// RowError is an entry of a problem's errors[] with its place in the file.
type RowError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Row     int    `json:"row"`
	Column  string `json:"column"`
}

// RosterProblem is the answer of a refused import.
type RosterProblem struct {
	Status int        `json:"status"`
	Detail string     `json:"detail"`
	Errors []RowError `json:"errors"`
}

// Upload posts file to path (an import route with its query) and returns
// the status and the answer, a problem or a result.
func Upload(t testing.TB, c *client.Client, path, contentType string, file []byte) (int, RosterProblem, client.ImportResult) {
	t.Helper()
	resp, b, err := c.Send(context.Background(), "POST", path, contentType, file, nil)
	if err != nil && client.StatusOf(err) == -1 {
		t.Fatal(err)
	}
	var p RosterProblem
	var res client.ImportResult
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatal(err)
		}
	} else if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
	return resp.StatusCode, p, res
}

// Places lists errors as "row:column:code".
func Places(errs []RowError) []string {
	var out []string
	for _, e := range errs {
		out = append(out, strings.Join([]string{strconv.Itoa(e.Row), e.Column, e.Code}, ":"))
	}
	return out
}

// Download GETs path and returns the headers and the body; anything but
// a 2xx fails the test.
func Download(t testing.TB, c *client.Client, path string) (map[string][]string, []byte) {
	t.Helper()
	resp, b, err := c.Send(context.Background(), "GET", path, "", nil, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.Header, b
}

// ReadXLSX opens an xlsx file and returns it and the rows of its first sheet.
func ReadXLSX(t testing.TB, b []byte) (*excelize.File, [][]string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return f, rows
}

// ReadCSV reads a CSV file (after its BOM).
func ReadCSV(t testing.TB, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
