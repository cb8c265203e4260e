// Package workshopsapi serves the red workshops over HTTP.
package workshopsapi

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"sync"

	"tongxin/internal/access"
	"tongxin/internal/httpx"
	"tongxin/internal/kit"
	"tongxin/internal/workshops"
)

//go:embed openapi.yaml
var fragment []byte

// Domain returns the workshops domain for the server to mount.
func Domain(svc *workshops.Service) kit.Domain {
	h := handler{svc}
	return kit.Domain{
		Name: "workshops",
		Routes: []kit.Route{
			{Method: "GET", Path: "/api/v1/workshops", Perm: workshops.Read, Resource: "workshop", Handle: h.list},
			{Method: "POST", Path: "/api/v1/workshops", Perm: workshops.Manage, Resource: "workshop", Create: true, Handle: h.create},
			{Method: "GET", Path: "/api/v1/workshops/{id}", Perm: workshops.Read, Resource: "workshop", Handle: h.get},
			{Method: "PATCH", Path: "/api/v1/workshops/{id}", Perm: workshops.Manage, Resource: "workshop", Handle: h.update},
			{Method: "DELETE", Path: "/api/v1/workshops/{id}", Perm: workshops.Manage, Resource: "workshop", Handle: h.delete},
			{Method: "PUT", Path: "/api/v1/workshops/{id}/outputs/{month}", Perm: workshops.Manage, Resource: "workshop", Handle: h.setOutput},
			{Method: "DELETE", Path: "/api/v1/workshops/{id}/outputs/{month}", Perm: workshops.Manage, Resource: "workshop", Handle: h.deleteOutput},
		},
		OpenAPI:  fragment,
		Locales:  workshops.Locales(),
		Tables:   []string{"workshops", "workshop_members", "workshop_outputs"},
		Fixtures: []kit.Fixture{workshopFixture},
	}
}

type handler struct{ svc *workshops.Service }

func (h handler) list(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, err := h.svc.List(r.Context(), workshops.Filter{EnterpriseID: q.Get("enterprise_id"), OrgID: q.Get("org_id"), ParkID: q.Get("park_id")}, p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, list)
	return nil
}

func (h handler) get(w http.ResponseWriter, r *http.Request) error {
	ws, err := h.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.ETag(w, ws.Version)
	httpx.JSON(w, http.StatusOK, ws)
	return nil
}

type createRequest struct {
	EnterpriseID string   `json:"enterprise_id"`
	OrgID        string   `json:"org_id"`
	Name         string   `json:"name"`
	MemberIDs    []string `json:"member_ids"`
}

func (h handler) create(w http.ResponseWriter, r *http.Request) error {
	var in createRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	ws, err := h.svc.Create(r.Context(), workshops.Input(in))
	if err != nil {
		return err
	}
	httpx.ETag(w, ws.Version)
	w.Header().Set("Location", "/api/v1/workshops/"+ws.ID)
	httpx.JSON(w, http.StatusCreated, ws)
	return nil
}

type updateRequest struct {
	Name      *string                `json:"name"`
	OrgID     httpx.Optional[string] `json:"org_id"`
	MemberIDs *[]string              `json:"member_ids"`
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
	ws, err := h.svc.Update(r.Context(), r.PathValue("id"), workshops.Patch{Name: in.Name, SetOrg: in.OrgID.Set, OrgID: in.OrgID.Value,
		MemberIDs: in.MemberIDs}, match)
	if err != nil {
		return err
	}
	httpx.ETag(w, ws.Version)
	httpx.JSON(w, http.StatusOK, ws)
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

type outputRequest struct {
	OutputFen *int64 `json:"output_fen"`
}

func (h handler) setOutput(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	var in outputRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	ws, err := h.svc.SetOutput(r.Context(), r.PathValue("id"), r.PathValue("month"), in.OutputFen, match)
	if err != nil {
		return err
	}
	httpx.ETag(w, ws.Version)
	httpx.JSON(w, http.StatusOK, ws)
	return nil
}

func (h handler) deleteOutput(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	ws, err := h.svc.DeleteOutput(r.Context(), r.PathValue("id"), r.PathValue("month"), match)
	if err != nil {
		return err
	}
	httpx.ETag(w, ws.Version)
	httpx.NoContent(w)
	return nil
}

var (
	// enterpriseOf remembers the enterprise the fixture last made in each
	// park, for the create body of a workshop there.
	enterpriseOf sync.Map
)

// fixtureMonth is the month every fixture workshop has an output for.
const fixtureMonth = "2024-01"

// workshopFixture makes, under a park, an enterprise (through the
// enterprises API) and a red workshop of it with one month's output.
var workshopFixture = kit.Fixture{
	Resource: "workshop",
	Under:    []string{access.KindPark},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		var e, ws struct {
			ID string `json:"id"`
		}
		if err := c.Call(ctx, "POST", "/api/v1/enterprises", map[string]any{"park_id": under.ID, "name": kit.Unique("矩阵车间企业 "), "uscc": kit.USCC()}, &e); err != nil {
			return nil, fmt.Errorf("an enterprise for the workshop: %w", err)
		}
		enterpriseOf.Store(under.ID, e.ID)
		if err := c.Call(ctx, "POST", "/api/v1/workshops", map[string]any{"enterprise_id": e.ID, "name": kit.Unique("矩阵红色车间 ")}, &ws); err != nil {
			return nil, err
		}
		if err := c.Call(ctx, "PUT", "/api/v1/workshops/"+ws.ID+"/outputs/"+fixtureMonth, map[string]any{"output_fen": 500_000_000}, nil); err != nil {
			return nil, err
		}
		return map[string]string{"id": ws.ID, "month": fixtureMonth}, nil
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/workshops":
			e, _ := enterpriseOf.Load(under.ID)
			id, _ := e.(string)
			return map[string]any{"enterprise_id": id, "name": kit.Unique("新红色车间 ")}
		case "PATCH /api/v1/workshops/{id}":
			return map[string]any{"name": kit.Unique("改名红色车间 ")}
		case "PUT /api/v1/workshops/{id}/outputs/{month}":
			return map[string]any{"output_fen": 2_000_000_000}
		}
		return nil
	},
}
