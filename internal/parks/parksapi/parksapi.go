// Package parksapi serves parks over HTTP.
package parksapi

import (
	"context"
	_ "embed"
	"net/http"

	"tongxin/internal/access"
	"tongxin/internal/httpx"
	"tongxin/internal/kit"
	"tongxin/internal/parks"
)

//go:embed openapi.yaml
var fragment []byte

// Domain returns the parks domain for the server to mount.
func Domain(svc *parks.Service) kit.Domain {
	h := handler{svc}
	return kit.Domain{
		Name: "parks",
		Routes: []kit.Route{
			{Method: "GET", Path: "/api/v1/parks", Perm: parks.Read, Resource: "park", Handle: h.list},
			{Method: "POST", Path: "/api/v1/parks", Perm: parks.Manage, Resource: "park", Create: true, Handle: h.create},
			{Method: "GET", Path: "/api/v1/parks/{id}", Perm: parks.Read, Resource: "park", Handle: h.get},
			{Method: "PATCH", Path: "/api/v1/parks/{id}", Perm: parks.Update, Resource: "park", Handle: h.update},
			{Method: "DELETE", Path: "/api/v1/parks/{id}", Perm: parks.Manage, Resource: "park", Handle: h.delete},
		},
		OpenAPI:  fragment,
		Locales:  parks.Locales(),
		Tables:   []string{"parks"},
		Fixtures: []kit.Fixture{parkFixture},
	}
}

type handler struct{ svc *parks.Service }

func (h handler) list(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	list, err := h.svc.List(r.Context(), parks.Filter{ZoneID: r.URL.Query().Get("zone_id")}, p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, list)
	return nil
}

func (h handler) get(w http.ResponseWriter, r *http.Request) error {
	p, err := h.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.ETag(w, p.Version)
	httpx.JSON(w, http.StatusOK, p)
	return nil
}

type createRequest struct {
	ZoneID string `json:"zone_id"`
	Name   string `json:"name"`
	Code   string `json:"code"`
}

func (h handler) create(w http.ResponseWriter, r *http.Request) error {
	var in createRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	p, err := h.svc.Create(r.Context(), parks.Input(in))
	if err != nil {
		return err
	}
	httpx.ETag(w, p.Version)
	w.Header().Set("Location", "/api/v1/parks/"+p.ID)
	httpx.JSON(w, http.StatusCreated, p)
	return nil
}

type updateRequest struct {
	Name *string `json:"name"`
	Code *string `json:"code"`
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
	p, err := h.svc.Update(r.Context(), r.PathValue("id"), parks.Patch(in), match)
	if err != nil {
		return err
	}
	httpx.ETag(w, p.Version)
	httpx.JSON(w, http.StatusOK, p)
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

var parkFixture = kit.Fixture{
	Resource: "park",
	NodeKind: access.KindPark,
	Under:    []string{access.KindZone},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		var p struct {
			ID string `json:"id"`
		}
		code := kit.Unique("mx")
		err := c.Call(ctx, "POST", "/api/v1/parks", map[string]string{"zone_id": under.ZoneID, "name": "矩阵园 " + code, "code": code}, &p)
		return map[string]string{"id": p.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		code := kit.Unique("mx")
		switch route {
		case "POST /api/v1/parks":
			return map[string]string{"zone_id": under.ZoneID, "name": "新园 " + code, "code": code}
		case "PATCH /api/v1/parks/{id}":
			return map[string]string{"name": "改名园 " + code}
		}
		return nil
	},
}
