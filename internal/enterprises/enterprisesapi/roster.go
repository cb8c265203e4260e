package enterprisesapi

import (
	"bytes"
	"io"
	"net/http"
	"time"

	"tongxin/internal/apperr"
	"tongxin/internal/enterprises"
	"tongxin/internal/httpx"
	"tongxin/internal/page"
	"tongxin/internal/tabular"
)

// The roster routes: the import template, the import (a whole file, all or
// nothing) and the export, all in one file layout.

// format reads ?format= (xlsx when absent).
func format(r *http.Request) (tabular.Format, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "", "xlsx":
		return tabular.XLSX, nil
	case "csv":
		return tabular.CSV, nil
	default:
		return "", apperr.BadField("format", "unknown_option", "Value", f)
	}
}

// fileName returns the zh-CN or en name of a download, dated when dated.
func fileName(r *http.Request, zh, en string, dated bool) string {
	name := zh
	if httpx.Lang(r).Lang() == "en" {
		name = en
	}
	if dated {
		name += "-" + time.Now().In(httpx.ChinaTime).Format("20060102")
	}
	return name
}

func (h handler) template(w http.ResponseWriter, r *http.Request) error {
	f, err := format(r)
	if err != nil {
		return err
	}
	cols, err := h.svc.TemplateColumns(r.Context(), r.URL.Query().Get("zone_id"))
	if err != nil {
		return err
	}
	// A template is small: written whole first, so an error is still an
	// error answer rather than half a file.
	var buf bytes.Buffer
	if err := tabular.WriteTemplate(&buf, f, cols, httpx.Lang(r).Lang()); err != nil {
		return err
	}
	httpx.Download(w, fileName(r, "企业导入模板", "enterprise-import-template", false), f)
	buf.WriteTo(w) // an error here is a client gone away
	return nil
}

type importResponse struct {
	Rows     int  `json:"rows"`
	Imported int  `json:"imported"`
	DryRun   bool `json:"dry_run"`
}

func (h handler) importRoster(w http.ResponseWriter, r *http.Request) error {
	var dryRun bool
	switch v := r.URL.Query().Get("dry_run"); v {
	case "", "false":
	case "true":
		dryRun = true
	default:
		return apperr.BadField("dry_run", "invalid_format")
	}
	src, err := httpx.Upload(r, enterprises.UploadLimit)
	if err != nil {
		return err
	}
	defer src.Close()
	res, err := h.svc.Import(r.Context(), src, r.URL.Query().Get("zone_id"), dryRun)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, importResponse{Rows: res.Rows, Imported: res.Imported, DryRun: dryRun})
	return nil
}

func (h handler) export(w http.ResponseWriter, r *http.Request) error {
	f, err := format(r)
	if err != nil {
		return err
	}
	filter, err := listFilter(r)
	if err != nil {
		return err
	}
	p, err := page.Parse("", "", r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	// Nothing is written before the first row is read, so a failing query
	// is still an error answer; once the file has started, a failure
	// aborts the connection and the download is seen to be cut short.
	out := &countingWriter{w: w}
	var wr *tabular.Writer
	start := func() error {
		if wr != nil {
			return nil
		}
		httpx.Download(w, fileName(r, "企业名录", "enterprises", true), f)
		wr, err = tabular.NewWriter(out, f, enterprises.ExportColumns(), httpx.Lang(r).Lang())
		return err
	}
	err = h.svc.Export(r.Context(), filter, p.Query, func(e enterprises.Enterprise) error {
		if err := start(); err != nil {
			return err
		}
		return wr.Write(enterprises.RosterRecord(e))
	})
	if err == nil {
		err = start()
	}
	if err == nil {
		err = wr.Close()
	}
	if err != nil && out.n > 0 {
		httpx.Log(r.Context()).Warn("export cut short", "err", err.Error())
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
