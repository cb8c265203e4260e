// Package stationsapi serves the guidance service stations over HTTP.
package stationsapi

import (
	"context"
	_ "embed"
	"net/http"

	"tongxin/internal/access"
	"tongxin/internal/httpx"
	"tongxin/internal/kit"
	"tongxin/internal/stations"
)

//go:embed openapi.yaml
var fragment []byte

// Domain returns the stations domain for the server to mount.
func Domain(svc *stations.Service) kit.Domain {
	h := handler{svc}
	return kit.Domain{
		Name: "stations",
		Routes: []kit.Route{
			{Method: "GET", Path: "/api/v1/stations", Perm: stations.Read, Resource: "station", Handle: h.list},
			{Method: "POST", Path: "/api/v1/stations", Perm: stations.Manage, Resource: "station", Create: true, Handle: h.create},
			{Method: "GET", Path: "/api/v1/stations/{id}", Perm: stations.Read, Resource: "station", Handle: h.get},
			{Method: "PATCH", Path: "/api/v1/stations/{id}", Perm: stations.Manage, Resource: "station", Handle: h.update},
			{Method: "DELETE", Path: "/api/v1/stations/{id}", Perm: stations.Manage, Resource: "station", Handle: h.delete},
		},
		OpenAPI:  fragment,
		Locales:  stations.Locales(),
		Tables:   []string{"stations", "station_enterprises"},
		Fixtures: []kit.Fixture{stationFixture},
	}
}

type handler struct{ svc *stations.Service }

func (h handler) list(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, err := h.svc.List(r.Context(), stations.Filter{ParkID: q.Get("park_id"), EnterpriseID: q.Get("enterprise_id")}, p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, list)
	return nil
}

func (h handler) get(w http.ResponseWriter, r *http.Request) error {
	st, err := h.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.ETag(w, st.Version)
	httpx.JSON(w, http.StatusOK, st)
	return nil
}

type location struct {
	Lat *float64 `json:"lat"`
	Lng *float64 `json:"lng"`
}

func (l *location) point() *stations.Point {
	if l == nil {
		return nil
	}
	return &stations.Point{Lat: l.Lat, Lng: l.Lng}
}

type createRequest struct {
	ZoneID        string    `json:"zone_id"`
	ParkID        string    `json:"park_id"`
	Name          string    `json:"name"`
	Address       string    `json:"address"`
	Location      *location `json:"location"`
	EnterpriseIDs []string  `json:"enterprise_ids"`
}

func (h handler) create(w http.ResponseWriter, r *http.Request) error {
	var in createRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	st, err := h.svc.Create(r.Context(), stations.Input{ZoneID: in.ZoneID, ParkID: in.ParkID, Name: in.Name, Address: in.Address,
		Location: in.Location.point(), EnterpriseIDs: in.EnterpriseIDs})
	if err != nil {
		return err
	}
	httpx.ETag(w, st.Version)
	w.Header().Set("Location", "/api/v1/stations/"+st.ID)
	httpx.JSON(w, http.StatusCreated, st)
	return nil
}

type updateRequest struct {
	Name          *string                  `json:"name"`
	Address       *string                  `json:"address"`
	Location      httpx.Optional[location] `json:"location"`
	EnterpriseIDs *[]string                `json:"enterprise_ids"`
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
	st, err := h.svc.Update(r.Context(), r.PathValue("id"), stations.Patch{Name: in.Name, Address: in.Address,
		SetLocation: in.Location.Set, Location: in.Location.Value.point(), EnterpriseIDs: in.EnterpriseIDs}, match)
	if err != nil {
		return err
	}
	httpx.ETag(w, st.Version)
	httpx.JSON(w, http.StatusOK, st)
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

// stationFixture makes stations covering no enterprise: a station is
// whole without them, and enterprises are another domain's rows.
var stationFixture = kit.Fixture{
	Resource: "station",
	NodeKind: access.KindStation,
	Under:    []string{access.KindPark},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		var st struct {
			ID string `json:"id"`
		}
		err := c.Call(ctx, "POST", "/api/v1/stations", map[string]any{"park_id": under.ID, "name": kit.Unique("矩阵服务站 "), "enterprise_ids": []string{}}, &st)
		return map[string]string{"id": st.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/stations":
			return map[string]any{"park_id": under.ID, "name": kit.Unique("新服务站 "), "address": "晋江经济开发区"}
		case "PATCH /api/v1/stations/{id}":
			return map[string]any{"name": kit.Unique("改名服务站 "), "address": "安东园"}
		}
		return nil
	},
}
