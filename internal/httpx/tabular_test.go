package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"tongxin/internal/apperr"
	"tongxin/internal/tabular"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func readSpooled(t *testing.T, s *tabular.Spooled) string {
	t.Helper()
	defer s.Close()
	r, err := tabular.NewReader(s, []tabular.Column{{Key: "name", Header: "名称", Required: true}}, tabular.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []string
	for {
		row, err := r.Next()
		if err == io.EOF {
			return strings.Join(out, ",")
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, row.Get("name"))
	}
}

func multipartBody(t *testing.T, parts ...[2]string) (*bytes.Buffer, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p[0] == "file" {
			w, err = mw.CreateFormFile("file", "名册.csv")
		} else {
			w, err = mw.CreateFormField(p[0])
		}
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p[1])
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func TestUpload(t *testing.T) {
	csvText := "名称\r\n同心\r\n红旗\r\n"
	// Raw bodies of each accepted type.
	for _, ct := range []string{"text/csv; charset=utf-8", "application/octet-stream", xlsxType, "application/vnd.ms-excel"} {
		r := httptest.NewRequest("POST", "/api/v1/x/import", strings.NewReader(csvText))
		r.Header.Set("Content-Type", ct)
		s, err := Upload(r, 1<<20)
		if err != nil {
			t.Fatalf("%s: %v", ct, err)
		}
		if s.Format() != tabular.CSV { // told by the bytes, not the label
			t.Fatalf("%s: format %s", ct, s.Format())
		}
		if got := readSpooled(t, s); got != "同心,红旗" {
			t.Fatalf("%s: %q", ct, got)
		}
	}
	// multipart/form-data: other fields before the file are skipped.
	body, ct := multipartBody(t, [2]string{"note", "x"}, [2]string{"file", csvText})
	r := httptest.NewRequest("POST", "/", body)
	r.Header.Set("Content-Type", ct)
	s, err := Upload(r, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if got := readSpooled(t, s); got != "同心,红旗" {
		t.Fatalf("multipart: %q", got)
	}
}

func TestUploadRefusals(t *testing.T) {
	big := strings.Repeat("名称\r\n", 100)
	cases := []struct {
		name  string
		req   func() *http.Request
		code  apperr.Code
		field string
		fcode string
	}{
		{"raw over the limit", func() *http.Request {
			r := httptest.NewRequest("POST", "/", strings.NewReader(big))
			r.Header.Set("Content-Type", "text/csv")
			return r
		}, apperr.TooLarge, "file", "too_large"},
		{"raw over the limit, length unknown", func() *http.Request {
			r := httptest.NewRequest("POST", "/", io.MultiReader(strings.NewReader(big)))
			r.ContentLength = -1
			r.Header.Set("Content-Type", "text/csv")
			return r
		}, apperr.TooLarge, "file", "too_large"},
		{"multipart file over the limit", func() *http.Request {
			body, ct := multipartBody(t, [2]string{"file", big})
			r := httptest.NewRequest("POST", "/", io.MultiReader(body))
			r.ContentLength = -1
			r.Header.Set("Content-Type", ct)
			return r
		}, apperr.TooLarge, "file", "too_large"},
		{"multipart other field over the limit", func() *http.Request {
			body, ct := multipartBody(t, [2]string{"junk", strings.Repeat("x", 200<<10)}, [2]string{"file", "名称\r\n"})
			r := httptest.NewRequest("POST", "/", io.MultiReader(body))
			r.ContentLength = -1
			r.Header.Set("Content-Type", ct)
			return r
		}, apperr.TooLarge, "file", "too_large"},
		{"multipart without file", func() *http.Request {
			body, ct := multipartBody(t, [2]string{"note", "x"})
			r := httptest.NewRequest("POST", "/", body)
			r.Header.Set("Content-Type", ct)
			return r
		}, apperr.Invalid, "file", "required"},
		{"multipart broken off", func() *http.Request {
			body, ct := multipartBody(t, [2]string{"file", big})
			r := httptest.NewRequest("POST", "/", bytes.NewReader(body.Bytes()[:body.Len()/2]))
			r.Header.Set("Content-Type", ct)
			return r
		}, apperr.Invalid, "file", "invalid_format"},
		{"json", func() *http.Request {
			r := httptest.NewRequest("POST", "/", strings.NewReader(`{}`))
			r.Header.Set("Content-Type", "application/json")
			return r
		}, apperr.UnsupportedMedia, "Content-Type", "want_upload"},
		{"text/plain", func() *http.Request {
			r := httptest.NewRequest("POST", "/", strings.NewReader("名称"))
			r.Header.Set("Content-Type", "text/plain")
			return r
		}, apperr.UnsupportedMedia, "Content-Type", "want_upload"},
		{"no content type", func() *http.Request {
			return httptest.NewRequest("POST", "/", strings.NewReader("名称"))
		}, apperr.UnsupportedMedia, "Content-Type", "want_upload"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			limit := int64(len(big) - 1)
			if strings.HasPrefix(c.name, "multipart broken") {
				limit = 1 << 20
			}
			s, err := Upload(c.req(), limit)
			var e *apperr.Error
			if !errors.As(err, &e) || e.Code != c.code || len(e.Fields) != 1 || e.Fields[0].Field != c.field || e.Fields[0].Code != c.fcode {
				t.Fatalf("got %v (%v)", err, s)
			}
			status := map[apperr.Code]int{apperr.TooLarge: 413, apperr.Invalid: 400, apperr.UnsupportedMedia: 415}[c.code]
			if StatusOf(err) != status {
				t.Fatalf("status %d", StatusOf(err))
			}
		})
	}
}

func TestDownload(t *testing.T) {
	for _, c := range []struct {
		name   string
		format tabular.Format
		want   string
		ctype  string
	}{
		{"企业名册 2024", tabular.XLSX, "企业名册 2024.xlsx", xlsxType},
		{"人员名单.csv", tabular.CSV, "人员名单.csv", "text/csv; charset=utf-8"},
		{`../a"b\c;%.csv`, tabular.CSV, `c;%.csv`, "text/csv; charset=utf-8"},
		{"", tabular.CSV, "export.csv", "text/csv; charset=utf-8"},
	} {
		w := httptest.NewRecorder()
		Download(w, c.name, c.format)
		if got := w.Header().Get("Content-Type"); got != c.ctype {
			t.Fatalf("%q: content type %q", c.name, got)
		}
		cd := w.Header().Get("Content-Disposition")
		disp, params, err := mime.ParseMediaType(cd)
		if err != nil || disp != "attachment" {
			t.Fatalf("%q: %q %v", c.name, cd, err)
		}
		// Go's mime package prefers filename* (RFC 2231/5987), as browsers do.
		if params["filename"] != c.want {
			t.Fatalf("%q: filename %q from %q", c.name, params["filename"], cd)
		}
		fallback := cd[strings.Index(cd, `filename="`)+10:]
		fallback = fallback[:strings.IndexByte(fallback, '"')]
		for _, r := range fallback {
			if r > 0x7e || r == '\\' {
				t.Fatalf("%q: fallback %q", c.name, fallback)
			}
		}
	}
	w := httptest.NewRecorder()
	Download(w, "企业名册", tabular.XLSX)
	if got, want := w.Header().Get("Content-Disposition"),
		`attachment; filename="____.xlsx"; filename*=UTF-8''%E4%BC%81%E4%B8%9A%E5%90%8D%E5%86%8C.xlsx`; got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// Errors of an imported file show their row and column, in both languages;
// other errors have neither.
func TestProblemRowAndColumn(t *testing.T) {
	err := &apperr.Error{Code: apperr.Validation, MessageID: "problem.import_failed", Params: map[string]any{"Count": 3},
		Fields: []apperr.FieldError{
			{Row: 12, Column: "统一社会信用代码", Field: "uscc", Code: "required"},
			{Row: 0, Column: "企业名称", Field: "name", Code: "missing_column"},
			{Row: 7, Column: "USCC", Field: "uscc", Code: "duplicate", Params: map[string]any{"Value": "X1", "First": 3}},
			{Field: "name", Code: "required"},
		}}
	for lang, want := range map[string][]string{
		"zh-CN": {"第 12 行：「统一社会信用代码」不能为空。", "缺少必填列「企业名称」。", "第 7 行：「USCC」的值“X1”与第 3 行重复。", "名称不能为空。",
			"文件中有 3 处错误，未导入任何数据。请改正后重新上传。"},
		"en": {"Row 12: “统一社会信用代码” is required.", "Required column “企业名称” is missing.", "Row 7: “USCC” \"X1\" repeats row 3.", "Name is required.",
			"Errors found in the file: 3. Nothing was imported. Correct them and upload the file again."},
	} {
		r := httptest.NewRequest("POST", "/", nil)
		r.Header.Set("Accept-Language", lang)
		w := httptest.NewRecorder()
		Error(w, r, err)
		if w.Code != 422 {
			t.Fatalf("status %d", w.Code)
		}
		var p struct {
			Detail string           `json:"detail"`
			Errors []map[string]any `json:"errors"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		for i, e := range p.Errors {
			if e["message"] != want[i] {
				t.Errorf("%s %d: %q, want %q", lang, i, e["message"], want[i])
			}
		}
		if p.Detail != want[4] {
			t.Errorf("%s detail %q", lang, p.Detail)
		}
		if p.Errors[0]["row"] != float64(12) || p.Errors[0]["column"] != "统一社会信用代码" {
			t.Errorf("row/column %v", p.Errors[0])
		}
		if _, ok := p.Errors[1]["row"]; ok {
			t.Errorf("a file-level error has a row: %v", p.Errors[1])
		}
		if _, ok := p.Errors[3]["column"]; ok {
			t.Errorf("a plain field error has a column: %v", p.Errors[3])
		}
	}
}
