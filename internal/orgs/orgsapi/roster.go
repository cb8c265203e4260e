package orgsapi

import (
	"net/http"

	"tongxin/internal/httpx"
	"tongxin/internal/orgs"
	"tongxin/internal/page"
)

// The roster routes: the import template, the import (a whole file, all or
// nothing, parents before children) and the export, in one file layout.

func (h handler) template(w http.ResponseWriter, r *http.Request) error {
	cols, err := h.svc.TemplateColumns(r.Context(), r.URL.Query().Get("zone_id"))
	if err != nil {
		return err
	}
	return httpx.Template(w, r, httpx.FileName(r, "党组织导入模板", "org-import-template", false), cols)
}

func (h handler) importRoster(w http.ResponseWriter, r *http.Request) error {
	dryRun, err := httpx.DryRun(r)
	if err != nil {
		return err
	}
	src, err := httpx.Upload(r, orgs.UploadLimit)
	if err != nil {
		return err
	}
	defer src.Close()
	res, err := h.svc.Import(r.Context(), src, r.URL.Query().Get("zone_id"), dryRun)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, httpx.ImportResult{Rows: res.Rows, Imported: res.Committed, DryRun: dryRun})
	return nil
}

func (h handler) export(w http.ResponseWriter, r *http.Request) error {
	p, err := page.Parse("", "", r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	filter := listFilter(r)
	if err := orgs.CheckFilter(filter); err != nil {
		return err
	}
	return httpx.Export(w, r, httpx.FileName(r, "党组织名册", "party-organisations", true), orgs.ExportColumns(),
		func(write func([]string) error) error { return h.svc.Export(r.Context(), filter, p.Query, write) })
}
