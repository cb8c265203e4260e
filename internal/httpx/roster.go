package httpx

import (
	"bytes"
	"io"
	"net/http"
	"time"

	"tongxin/internal/apperr"
	"tongxin/internal/tabular"
)

// The request and answer helpers every roster route shares (template,
// import, export): the query parameters they read and the two ways a file
// goes out.

// RosterFormat reads ?format= (xlsx when absent); anything else is a 400
// naming format.
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

// DryRun reads ?dry_run= ("true", "false" or absent); anything else is a
// 400 naming dry_run.
func DryRun(r *http.Request) (bool, error) {
	switch v := r.URL.Query().Get("dry_run"); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, apperr.BadField("dry_run", "invalid_format")
	}
}

// FileName returns the zh-CN or en name of a download (by the caller's
// language), followed by today's China date when dated.
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

// Template answers with an import template of cols. A template is small:
// it is written whole first, so a failure is still an error answer rather
// than half a file.
func Template(w http.ResponseWriter, r *http.Request, filename string, f tabular.Format, cols []tabular.Column) error {
	var buf bytes.Buffer
	if err := tabular.WriteTemplate(&buf, f, cols, Lang(r).Lang()); err != nil {
		return err
	}
	Download(w, filename, f)
	buf.WriteTo(w) // an error here is a client gone away
	return nil
}

// Export streams a roster file of cols: fill calls write once per row.
// Nothing is sent before the first row is written, so a failing first
// query is still an error answer; once the file has started, a failure
// aborts the connection and the download is seen to be cut short.
func Export(w http.ResponseWriter, r *http.Request, filename string, f tabular.Format, cols []tabular.Column,
	fill func(write func([]string) error) error) error {
	out := &countingWriter{w: w}
	var wr *tabular.Writer
	start := func() error {
		if wr != nil {
			return nil
		}
		Download(w, filename, f)
		var err error
		wr, err = tabular.NewWriter(out, f, cols, Lang(r).Lang())
		return err
	}
	err := fill(func(values []string) error {
		if err := start(); err != nil {
			return err
		}
		return wr.Write(values)
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
