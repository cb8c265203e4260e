package httpx

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"strings"
	"time"

	"tongxin/internal/apperr"
	"tongxin/internal/tabular"
)

// Roster files travel as request and response bodies of their own type,
// not JSON. Edge answers 415 to any /api/v1/ body that is not JSON, so a
// route taking an upload needs Edge to let its content types through (see
// the report of the tabular branch); Decode's 1 MiB limit does not apply,
// Upload enforces its own.

// uploadTypes are the raw body types Upload accepts; what the file really
// is, is told by its first bytes. (Windows with Excel installed labels a
// .csv file application/vnd.ms-excel.)
var uploadTypes = map[string]bool{
	"text/csv":                 true,
	"application/octet-stream": true,
	"application/vnd.ms-excel": true,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": true,
}

// multipartSlack is what the headers and the other fields of a
// multipart/form-data body may add to the file's size.
const multipartSlack = 64 << 10

// Upload spools the uploaded roster file of r to a temporary file: either
// the raw body (Content-Type text/csv, the xlsx type,
// application/octet-stream or application/vnd.ms-excel) or the part named
// "file" of a multipart/form-data body, streamed (never held in memory).
// The caller closes the result.
//
// Returns 413 (apperr.TooLarge, field "file") for a file over limit bytes,
// 415 (field Content-Type) for any other content type, 400 naming "file"
// for a multipart body without that part or one that is malformed.
func Upload(r *http.Request, limit int64) (*tabular.Spooled, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (!uploadTypes[mt] && mt != "multipart/form-data") {
		return nil, &apperr.Error{Code: apperr.UnsupportedMedia, MessageID: "problem.want_upload",
			Fields: []apperr.FieldError{{Field: "Content-Type", Code: "want_upload"}}}
	}
	if mt != "multipart/form-data" {
		if r.ContentLength > limit {
			return nil, tabular.TooLarge(limit)
		}
		return tabular.Spool(r.Body, limit)
	}
	if r.ContentLength > limit+multipartSlack {
		return nil, tabular.TooLarge(limit)
	}
	if params["boundary"] == "" {
		return nil, apperr.BadField("file", "invalid_format")
	}
	body := &capped{r: r.Body, left: limit + multipartSlack}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		part, err := mr.NextPart()
		switch {
		case errors.Is(err, errCapped):
			return nil, tabular.TooLarge(limit)
		case err == io.EOF:
			return nil, apperr.BadField("file", "required")
		case err != nil:
			return nil, apperr.BadField("file", "invalid_format")
		}
		if part.FormName() != "file" {
			if _, err := io.Copy(io.Discard, part); errors.Is(err, errCapped) {
				return nil, tabular.TooLarge(limit)
			}
			continue
		}
		s, err := tabular.Spool(part, limit)
		switch {
		case err == nil, apperr.Is(err, apperr.TooLarge):
			return s, err
		case errors.Is(err, errCapped):
			return nil, tabular.TooLarge(limit)
		}
		// The body broke off or the part is malformed.
		return nil, &apperr.Error{Code: apperr.Invalid, Err: err,
			Fields: []apperr.FieldError{{Field: "file", Code: "invalid_format"}}}
	}
}

var errCapped = errors.New("httpx: body over the upload limit")

// capped fails once more than left bytes have been read.
type capped struct {
	r    io.Reader
	left int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errCapped
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// Download sets the headers of a roster file answer: its content type and
// an attachment disposition whose filename is UTF-8 (RFC 6266 and 5987:
// a percent-encoded filename* parameter, with an ASCII filename fallback
// for old clients). The
// extension of format is added when filename lacks it. Write the file
// after it (tabular.NewWriter or tabular.WriteTemplate on w).
func Download(w http.ResponseWriter, filename string, format tabular.Format) {
	name := path.Base(strings.ReplaceAll(filename, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if name == "" || name == "." || name == "/" {
		name = "export"
	}
	if ext := "." + string(format); !strings.HasSuffix(strings.ToLower(name), ext) {
		name += ext
	}
	h := w.Header()
	h.Set("Content-Type", format.ContentType())
	h.Set("Content-Disposition", `attachment; filename="`+asciiName(name)+`"; filename*=UTF-8''`+rfc5987(name))
}

// asciiName is the fallback filename: what is not printable ASCII, and
// the characters a quoted string would have to escape, become "_".
func asciiName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, s)
}

// rfc5987 percent-encodes s as an RFC 5987 value-chars.
func rfc5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// The roster routes of every domain (GET …/template, POST …/import,
// GET …/export) read their parameters and write their answers alike;
// the helpers below are that common part.

// RosterFormat reads ?format= (xlsx when absent). Returns 400 naming
// "format" for anything but xlsx and csv.
func RosterFormat(r *http.Request) (tabular.Format, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "", "xlsx":
		return tabular.XLSX, nil
	case "csv":
		return tabular.CSV, nil
	default:
		return "", apperr.BadField("format", "unknown_option", "Value", f)
	}
}

// FileName returns the zh-CN or en name of a download (by the caller's
// language), followed by today's date in China when dated.
func FileName(r *http.Request, zh, en string, dated bool) string {
	name := zh
	if Lang(r).Lang() == "en" {
		name = en
	}
	if dated {
		name += "-" + time.Now().In(ChinaTime).Format("20060102")
	}
	return name
}

// Template answers with an empty roster of cols in the format ?format=
// asks for, headers in the caller's language, named name. A template is
// small: it is written whole first, so an error is still an error answer
// rather than half a file.
func Template(w http.ResponseWriter, r *http.Request, name string, cols []tabular.Column) error {
	f, err := RosterFormat(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tabular.WriteTemplate(&buf, f, cols, Lang(r).Lang()); err != nil {
		return err
	}
	Download(w, name, f)
	buf.WriteTo(w) // an error here is a client gone away
	return nil
}

// DryRun reads ?dry_run= (true|false, false when absent); 400 naming
// "dry_run" otherwise.
func DryRun(r *http.Request) (bool, error) {
	switch v := r.URL.Query().Get("dry_run"); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, apperr.BadField("dry_run", "invalid_format")
}

// ImportResult is the answer of an import that passed: the data rows of
// the file and how many were imported (none in a dry run).
type ImportResult struct {
	Rows     int  `json:"rows"`
	Imported int  `json:"imported"`
	DryRun   bool `json:"dry_run"`
}

// Export streams a roster file of cols in the format ?format= asks for,
// named name, headers in the caller's language. each calls write once
// per row, in order, reading its rows page by page.
//
// Nothing is written before the first row is read, so a failing query is
// still an error answer; once the file has started, a failure aborts the
// connection (http.ErrAbortHandler) and the download is seen to be cut
// short rather than ending in a truncated file that looks whole.
func Export(w http.ResponseWriter, r *http.Request, name string, cols []tabular.Column,
	each func(write func(record []string) error) error) error {
	f, err := RosterFormat(r)
	if err != nil {
		return err
	}
	out := &countingWriter{w: w}
	var wr *tabular.Writer
	start := func() error {
		if wr != nil {
			return nil
		}
		Download(w, name, f)
		wr, err = tabular.NewWriter(out, f, cols, Lang(r).Lang())
		return err
	}
	err = each(func(record []string) error {
		if err := start(); err != nil {
			return err
		}
		return wr.Write(record)
	})
	if err == nil {
		err = start()
	}
	if err == nil {
		err = wr.Close()
	}
	if err != nil && out.n > 0 {
		Log(r.Context()).Warn("export cut short", "err", err.Error())
		panic(http.ErrAbortHandler)
	}
	return err
}

// countingWriter counts what has gone out.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
