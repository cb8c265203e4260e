package enterprisesapi

import (
	"net/http"

	"tongxin/internal/enterprises"
	"tongxin/internal/httpx"
	"tongxin/internal/page"
)

// The roster routes: the import template, the import (a whole file, all or
// nothing) and the export, all in one file layout.

func (h handler) template(w http.ResponseWriter, r *http.Request) error {
	cols, err := h.svc.TemplateColumns(r.Context(), r.URL.Query().Get("zone_id"))
	if err != nil {
		return err
	}
	return httpx.Template(w, r, httpx.FileName(r, "企业导入模板", "enterprise-import-template", false), cols)
}

func (h handler) importRoster(w http.ResponseWriter, r *http.Request) error {
	dryRun, err := httpx.DryRun(r)
	if err != nil {
		return err
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
	return httpx.Export(w, r, httpx.FileName(r, "企业名录", "enterprises", true), enterprises.ExportColumns(),
		func(write func([]string) error) error {
			return h.svc.Export(r.Context(), filter, p.Query, func(e enterprises.Enterprise) error {
				return write(enterprises.RosterRecord(e))
			})
		})
}

// coverageExport is the coverage report's table as a file, scoped and
// computed as the report itself.
func (h handler) coverageExport(w http.ResponseWriter, r *http.Request) error {
	rep, err := h.svc.Coverage(r.Context(), r.URL.Query().Get("park_id"))
	if err != nil {
		return err
	}
	return httpx.Export(w, r, httpx.FileName(r, "党组织覆盖情况", "party-coverage", true), enterprises.CoverageColumns(),
		func(write func([]string) error) error {
			for _, rec := range enterprises.CoverageRecords(rep, httpx.Lang(r).Lang()) {
				if err := write(rec); err != nil {
					return err
				}
			}
			return nil
		})
}
