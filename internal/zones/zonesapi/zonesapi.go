// Package zonesapi serves zones and the scope tree over HTTP.
package zonesapi

import (
	"context"
	_ "embed"
	"net/http"

	"tongxin/internal/access"
	"tongxin/internal/httpx"
	"tongxin/internal/kit"
	"tongxin/internal/zones"
)

//go:embed openapi.yaml
var fragment []byte

// Domain returns the zones domain for the server to mount.
func Domain(svc *zones.Service) kit.Domain {
	h := handler{svc}
	return kit.Domain{
		Name: "zones",
		Routes: []kit.Route{
			{Method: "GET", Path: "/api/v1/zones", Perm: zones.Read, Resource: "zone", Handle: h.list},
			{Method: "POST", Path: "/api/v1/zones", Perm: zones.Manage, Resource: "zone", Create: true, Handle: h.create},
			{Method: "GET", Path: "/api/v1/zones/{id}", Perm: zones.Read, Resource: "zone", Handle: h.get},
			// The tree lists parks (and, as they come, every other kind of node).
			{Method: "GET", Path: "/api/v1/scopes", Perm: zones.Read, Resource: "park", Handle: h.tree},
		},
		OpenAPI:  fragment,
		Locales:  zones.Locales(),
		Tables:   []string{"zones", "scope_nodes"},
		Fixtures: []kit.Fixture{zoneFixture},
	}
}

type handler struct{ svc *zones.Service }

func (h handler) list(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	list, err := h.svc.List(r.Context(), p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, list)
	return nil
}

type createRequest struct {
	Name string `json:"name"`
}

func (h handler) create(w http.ResponseWriter, r *http.Request) error {
	var in createRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	z, err := h.svc.Create(r.Context(), in.Name)
	if err != nil {
		return err
	}
	httpx.ETag(w, z.Version)
	w.Header().Set("Location", "/api/v1/zones/"+z.ID)
	httpx.JSON(w, http.StatusCreated, z)
	return nil
}

func (h handler) get(w http.ResponseWriter, r *http.Request) error {
	z, err := h.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.ETag(w, z.Version)
	httpx.JSON(w, http.StatusOK, z)
	return nil
}

func (h handler) tree(w http.ResponseWriter, r *http.Request) error {
	tree, err := h.svc.Tree(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"items": tree})
	return nil
}

var zoneFixture = kit.Fixture{
	Resource: "zone",
	NodeKind: access.KindZone,
	New: func(ctx context.Context, c kit.Caller, _ kit.Node) (map[string]string, error) {
		var z struct {
			ID string `json:"id"`
		}
		err := c.Call(ctx, "POST", "/api/v1/zones", map[string]string{"name": "矩阵测试开发区"}, &z)
		return map[string]string{"id": z.ID}, err
	},
	Body: func(route string, _ kit.Node) any {
		if route == "POST /api/v1/zones" {
			return map[string]string{"name": "新开发区"}
		}
		return nil
	},
}
