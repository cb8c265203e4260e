package peopleapi

import (
	"net/http"

	"tongxin/internal/httpx"
	"tongxin/internal/page"
	"tongxin/internal/people"
)

// The roster routes: the import template, the import (a whole file, all or
// nothing) and the export (always masked), all in one file layout.

func (h handler) template(w http.ResponseWriter, r *http.Request) error {
	cols, err := h.svc.TemplateColumns(r.Context(), r.URL.Query().Get("zone_id"), httpx.Lang(r).Lang())
	if err != nil {
		return err
	}
	return httpx.Template(w, r, httpx.FileName(r, "人员导入模板", "people-import-template", false), cols)
}

func (h handler) importRoster(w http.ResponseWriter, r *http.Request) error {
	dryRun, err := httpx.DryRun(r)
	if err != nil {
		return err
	}
	src, err := httpx.Upload(r, people.UploadLimit)
	if err != nil {
		return err
	}
	defer src.Close()
	res, err := h.svc.Import(r.Context(), src, r.URL.Query().Get("zone_id"), dryRun)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, httpx.ImportResult{Rows: res.Rows, Imported: res.Imported, DryRun: dryRun})
	return nil
}

func (h handler) export(w http.ResponseWriter, r *http.Request) error {
	filter, err := listFilter(r)
	if err != nil {
		return err
	}
	p, err := page.Parse("", "", r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	lang := httpx.Lang(r).Lang()
	return httpx.Export(w, r, httpx.FileName(r, "人员名册", "people", true), people.ExportColumns(),
		func(write func([]string) error) error {
			return h.svc.Export(r.Context(), filter, p.Query, func(p people.Person) error {
				return write(people.RosterRecord(p, lang))
			})
		})
}
