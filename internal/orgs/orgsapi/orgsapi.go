// Package orgsapi serves party organisations over HTTP: the list, the
// tree, one organisation with its warnings, and the warnings report.
package orgsapi

import (
	"context"
	_ "embed"
	"net/http"

	"tongxin/internal/access"
	"tongxin/internal/httpx"
	"tongxin/internal/kit"
	"tongxin/internal/orgs"
)

//go:embed openapi.yaml
var fragment []byte

// Domain returns the organisations domain for the server to mount.
func Domain(svc *orgs.Service) kit.Domain {
	h := handler{svc}
	return kit.Domain{
		Name: "orgs",
		Routes: []kit.Route{
			{Method: "GET", Path: "/api/v1/orgs", Perm: orgs.Read, Resource: "org", Handle: h.list},
			{Method: "POST", Path: "/api/v1/orgs", Perm: orgs.Manage, Resource: "org", Create: true, Handle: h.create},
			{Method: "GET", Path: "/api/v1/orgs/template", Perm: orgs.Manage, Resource: "org", Handle: h.template},
			{Method: "POST", Path: "/api/v1/orgs/import", Perm: orgs.Manage, Resource: "org", Upload: true, Handle: h.importRoster},
			{Method: "GET", Path: "/api/v1/orgs/export", Perm: orgs.Read, Resource: "org", Handle: h.export},
			{Method: "GET", Path: "/api/v1/orgs/tree", Perm: orgs.Read, Resource: "org", Handle: h.tree},
			{Method: "GET", Path: "/api/v1/orgs/{id}", Perm: orgs.Read, Resource: "org", Handle: h.get},
			{Method: "PATCH", Path: "/api/v1/orgs/{id}", Perm: orgs.Update, Resource: "org", Handle: h.update},
			{Method: "DELETE", Path: "/api/v1/orgs/{id}", Perm: orgs.Manage, Resource: "org", Handle: h.delete},
			{Method: "GET", Path: "/api/v1/reports/org-warnings", Perm: orgs.Read, Resource: "org_warning", Handle: h.report},
		},
		OpenAPI:  fragment,
		Locales:  orgs.Locales(),
		Tables:   []string{"orgs", "org_enterprises"},
		Fixtures: []kit.Fixture{orgFixture, warningFixture},
	}
}

type handler struct{ svc *orgs.Service }

func (h handler) list(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	list, err := h.svc.List(r.Context(), listFilter(r), p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, list)
	return nil
}

// listFilter reads the filters of the list (and the export).
func listFilter(r *http.Request) orgs.Filter {
	q := r.URL.Query()
	return orgs.Filter{ParkID: q.Get("park_id"), ParentID: q.Get("parent_id"), Kind: q.Get("kind"), TermExpired: q.Get("term_expired")}
}

func (h handler) tree(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	t, err := h.svc.Tree(r.Context(), orgs.TreeFilter{ParkID: q.Get("park_id"), RootID: q.Get("root_id")})
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, t)
	return nil
}

func (h handler) report(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, err := h.svc.Report(r.Context(), orgs.ReportFilter{ParkID: q.Get("park_id"), Code: q.Get("code")}, p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, list)
	return nil
}

func (h handler) get(w http.ResponseWriter, r *http.Request) error {
	o, err := h.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.ETag(w, o.Version)
	httpx.JSON(w, http.StatusOK, o)
	return nil
}

type createRequest struct {
	ZoneID        string   `json:"zone_id"`
	ParentID      string   `json:"parent_id"`
	ParkID        string   `json:"park_id"`
	Name          string   `json:"name"`
	Kind          string   `json:"kind"`
	EnterpriseIDs []string `json:"enterprise_ids"`
	SecretaryID   string   `json:"secretary_id"`
	FoundedOn     string   `json:"founded_on"`
	TermEndsOn    string   `json:"term_ends_on"`
	HasCommittee  bool     `json:"has_committee"`
}

func (h handler) create(w http.ResponseWriter, r *http.Request) error {
	var in createRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	o, err := h.svc.Create(r.Context(), orgs.Input(in))
	if err != nil {
		return err
	}
	httpx.ETag(w, o.Version)
	w.Header().Set("Location", "/api/v1/orgs/"+o.ID)
	httpx.JSON(w, http.StatusCreated, o)
	return nil
}

type updateRequest struct {
	Name          *string   `json:"name"`
	Kind          *string   `json:"kind"`
	ParentID      *string   `json:"parent_id"`
	ParkID        *string   `json:"park_id"`
	EnterpriseIDs *[]string `json:"enterprise_ids"`
	SecretaryID   *string   `json:"secretary_id"`
	FoundedOn     *string   `json:"founded_on"`
	TermEndsOn    *string   `json:"term_ends_on"`
	HasCommittee  *bool     `json:"has_committee"`
}

func (h handler) update(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	var in updateRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	o, err := h.svc.Update(r.Context(), r.PathValue("id"), orgs.Patch(in), match)
	if err != nil {
		return err
	}
	httpx.ETag(w, o.Version)
	httpx.JSON(w, http.StatusOK, o)
	return nil
}

func (h handler) delete(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	if err := h.svc.Delete(r.Context(), r.PathValue("id"), match); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

// newOrg makes a branch under a park (or a working committee under a
// zone) with the extra fields of body.
func newOrg(ctx context.Context, c kit.Caller, under kit.Node, extra map[string]any) (map[string]string, error) {
	body := map[string]any{"name": kit.Unique("矩阵支部 "), "kind": orgs.KindBranch, "park_id": under.ID}
	if under.Kind == access.KindZone {
		body = map[string]any{"zone_id": under.ID, "name": kit.Unique("矩阵党工委 "), "kind": orgs.KindWorkingCommittee}
	}
	for k, v := range extra {
		body[k] = v
	}
	var o struct {
		ID string `json:"id"`
	}
	err := c.Call(ctx, "POST", "/api/v1/orgs", body, &o)
	return map[string]string{"id": o.ID}, err
}

// orgFixture makes branches under parks.
var orgFixture = kit.Fixture{
	Resource: "org",
	NodeKind: access.KindOrg,
	Under:    []string{access.KindPark},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		return newOrg(ctx, c, under, nil)
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/orgs":
			return map[string]any{"park_id": under.ID, "name": kit.Unique("新支部 "), "kind": orgs.KindBranch, "founded_on": "2021-07-01"}
		case "POST /api/v1/orgs/import":
			// The park by its id: the matrix knows its parks by id alone.
			return kit.File{ContentType: "text/csv", Data: []byte("组织名称,组织类型,所属园区\r\n" + kit.Unique("导入支部 ") + ",党支部," + under.ID + "\r\n")}
		case "PATCH /api/v1/orgs/{id}":
			return map[string]any{"name": kit.Unique("改名支部 "), "term_ends_on": "2030-07-01"}
		}
		return nil
	},
}

// warningFixture makes branches whose term is long over, so the warnings
// report lists them (term_overdue) under their org_id.
var warningFixture = kit.Fixture{
	Resource: "org_warning",
	NodeKind: access.KindOrg,
	Under:    []string{access.KindPark},
	ListKey:  "org_id",
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		return newOrg(ctx, c, under, map[string]any{"founded_on": "2000-01-01", "term_ends_on": "2003-01-01"})
	},
}
