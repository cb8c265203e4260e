package org

import (
	"net/http"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/httpx"
)

// Handler serves zones, parks and the scope tree.
type Handler struct{ Svc *Service }

// Routes registers the endpoints. create wraps handlers that create (for
// Idempotency-Key).
func (h *Handler) Routes(mux httpx.Router, create func(http.HandlerFunc) http.Handler) {
	mux.HandleFunc("GET /api/v1/zones", h.listZones)
	mux.HandleFunc("GET /api/v1/zones/{id}", h.getZone)
	mux.HandleFunc("GET /api/v1/scopes", h.scopes)
	mux.HandleFunc("GET /api/v1/parks", h.listParks)
	mux.Handle("POST /api/v1/parks", create(h.createPark))
	mux.HandleFunc("GET /api/v1/parks/{id}", h.getPark)
	mux.HandleFunc("PATCH /api/v1/parks/{id}", h.updatePark)
	mux.HandleFunc("DELETE /api/v1/parks/{id}", h.deletePark)
}

// fail writes err, logging refusals first.
func fail(w http.ResponseWriter, r *http.Request, entity string, err error) {
	if apperr.Is(err, apperr.Forbidden) {
		audit.Denied(r, entity, r.PathValue("id"))
	}
	httpx.Error(w, r, err)
}

func (h *Handler) listZones(w http.ResponseWriter, r *http.Request) {
	if access.Need(w, r) == nil {
		return
	}
	page, err := httpx.ParsePage(r)
	if err != nil {
		httpx.Error(w, r, err)
		return
	}
	list, err := h.Svc.ListZones(r.Context(), page)
	if err != nil {
		httpx.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, list)
}

func (h *Handler) getZone(w http.ResponseWriter, r *http.Request) {
	if access.Need(w, r) == nil {
		return
	}
	z, err := h.Svc.GetZone(r.Context(), r.PathValue("id"))
	if err != nil {
		httpx.Error(w, r, err)
		return
	}
	httpx.ETag(w, z.Version)
	httpx.JSON(w, http.StatusOK, z)
}

func (h *Handler) scopes(w http.ResponseWriter, r *http.Request) {
	if access.Need(w, r) == nil {
		return
	}
	tree, err := h.Svc.ScopeTree(r.Context())
	if err != nil {
		httpx.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"items": tree})
}

func (h *Handler) listParks(w http.ResponseWriter, r *http.Request) {
	if access.Need(w, r) == nil {
		return
	}
	page, err := httpx.ParsePage(r)
	if err != nil {
		httpx.Error(w, r, err)
		return
	}
	list, err := h.Svc.ListParks(r.Context(), ParkFilter{ZoneID: r.URL.Query().Get("zone_id")}, page)
	if err != nil {
		httpx.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, list)
}

func (h *Handler) getPark(w http.ResponseWriter, r *http.Request) {
	if access.Need(w, r) == nil {
		return
	}
	p, err := h.Svc.GetPark(r.Context(), r.PathValue("id"))
	if err != nil {
		fail(w, r, "park", err)
		return
	}
	httpx.ETag(w, p.Version)
	httpx.JSON(w, http.StatusOK, p)
}

type createParkRequest struct {
	ZoneID string `json:"zone_id"`
	Name   string `json:"name"`
	Code   string `json:"code"`
}

func (h *Handler) createPark(w http.ResponseWriter, r *http.Request) {
	if access.Need(w, r) == nil {
		return
	}
	var in createParkRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		httpx.Error(w, r, err)
		return
	}
	p, err := h.Svc.CreatePark(r.Context(), NewPark(in))
	if err != nil {
		fail(w, r, "park", err)
		return
	}
	httpx.ETag(w, p.Version)
	w.Header().Set("Location", "/api/v1/parks/"+p.ID)
	httpx.JSON(w, http.StatusCreated, p)
}

type updateParkRequest struct {
	Name *string `json:"name"`
	Code *string `json:"code"`
}

func (h *Handler) updatePark(w http.ResponseWriter, r *http.Request) {
	if access.Need(w, r) == nil {
		return
	}
	ifMatch, err := httpx.IfMatch(r)
	if err != nil {
		httpx.Error(w, r, err)
		return
	}
	var in updateParkRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		httpx.Error(w, r, err)
		return
	}
	p, err := h.Svc.UpdatePark(r.Context(), r.PathValue("id"), ParkPatch(in), ifMatch)
	if err != nil {
		fail(w, r, "park", err)
		return
	}
	httpx.ETag(w, p.Version)
	httpx.JSON(w, http.StatusOK, p)
}

func (h *Handler) deletePark(w http.ResponseWriter, r *http.Request) {
	if access.Need(w, r) == nil {
		return
	}
	ifMatch, err := httpx.IfMatch(r)
	if err != nil {
		httpx.Error(w, r, err)
		return
	}
	if err := h.Svc.DeletePark(r.Context(), r.PathValue("id"), ifMatch); err != nil {
		fail(w, r, "park", err)
		return
	}
	httpx.NoContent(w)
}
