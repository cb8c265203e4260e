// Package alliancesapi serves the party alliances over HTTP.
package alliancesapi

import (
	"context"
	_ "embed"
	"net/http"

	"tongxin/internal/access"
	"tongxin/internal/alliances"
	"tongxin/internal/httpx"
	"tongxin/internal/kit"
)

//go:embed openapi.yaml
var fragment []byte

// Domain returns the alliances domain for the server to mount.
func Domain(svc *alliances.Service) kit.Domain {
	h := handler{svc}
	return kit.Domain{
		Name: "alliances",
		Routes: []kit.Route{
			{Method: "GET", Path: "/api/v1/alliances", Perm: alliances.Read, Resource: "alliance", Handle: h.list},
			{Method: "POST", Path: "/api/v1/alliances", Perm: alliances.Manage, Resource: "alliance", Create: true, Handle: h.create},
			{Method: "GET", Path: "/api/v1/alliances/{id}", Perm: alliances.Read, Resource: "alliance", Handle: h.get},
			{Method: "PATCH", Path: "/api/v1/alliances/{id}", Perm: alliances.Manage, Resource: "alliance", Handle: h.update},
			{Method: "DELETE", Path: "/api/v1/alliances/{id}", Perm: alliances.Manage, Resource: "alliance", Handle: h.delete},
		},
		OpenAPI:  fragment,
		Locales:  alliances.Locales(),
		Tables:   []string{"alliances", "alliance_orgs"},
		Fixtures: []kit.Fixture{allianceFixture},
	}
}

type handler struct{ svc *alliances.Service }

func (h handler) list(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, err := h.svc.List(r.Context(), alliances.Filter{ParkID: q.Get("park_id"), OrgID: q.Get("org_id")}, p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, list)
	return nil
}

func (h handler) get(w http.ResponseWriter, r *http.Request) error {
	al, err := h.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.ETag(w, al.Version)
	httpx.JSON(w, http.StatusOK, al)
	return nil
}

type createRequest struct {
	ZoneID       string   `json:"zone_id"`
	ParkID       string   `json:"park_id"`
	Name         string   `json:"name"`
	LeadOrgID    string   `json:"lead_org_id"`
	MemberOrgIDs []string `json:"member_org_ids"`
}

func (h handler) create(w http.ResponseWriter, r *http.Request) error {
	var in createRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	al, err := h.svc.Create(r.Context(), alliances.Input(in))
	if err != nil {
		return err
	}
	httpx.ETag(w, al.Version)
	w.Header().Set("Location", "/api/v1/alliances/"+al.ID)
	httpx.JSON(w, http.StatusCreated, al)
	return nil
}

type updateRequest struct {
	Name         *string                `json:"name"`
	LeadOrgID    httpx.Optional[string] `json:"lead_org_id"`
	MemberOrgIDs *[]string              `json:"member_org_ids"`
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
	al, err := h.svc.Update(r.Context(), r.PathValue("id"), alliances.Patch{Name: in.Name, SetLead: in.LeadOrgID.Set,
		LeadOrgID: in.LeadOrgID.Value, MemberOrgIDs: in.MemberOrgIDs}, match)
	if err != nil {
		return err
	}
	httpx.ETag(w, al.Version)
	httpx.JSON(w, http.StatusOK, al)
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

// allianceFixture makes park alliances with no members yet: an alliance
// is whole without them, and organisations are another domain's rows.
var allianceFixture = kit.Fixture{
	Resource: "alliance",
	Under:    []string{access.KindPark},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		var al struct {
			ID string `json:"id"`
		}
		err := c.Call(ctx, "POST", "/api/v1/alliances", map[string]any{"park_id": under.ID, "name": kit.Unique("矩阵党建联盟 ")}, &al)
		return map[string]string{"id": al.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/alliances":
			return map[string]any{"park_id": under.ID, "name": kit.Unique("新党建联盟 ")}
		case "PATCH /api/v1/alliances/{id}":
			return map[string]any{"name": kit.Unique("改名党建联盟 ")}
		}
		return nil
	},
}
