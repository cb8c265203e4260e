// Package matrixapi serves the 3.14π matrix (the dashboard) over HTTP.
package matrixapi

import (
	"context"
	_ "embed"
	"net/http"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/httpx"
	"tongxin/internal/kit"
	"tongxin/internal/matrix"
)

//go:embed openapi.yaml
var fragment []byte

// Domain returns the dashboard for the server to mount.
func Domain(svc *matrix.Service) kit.Domain {
	h := handler{svc}
	return kit.Domain{
		Name: "matrix",
		Routes: []kit.Route{
			{Method: "GET", Path: "/api/v1/dashboard/matrix", Perm: matrix.Read, Resource: "matrix", Handle: h.matrix},
		},
		OpenAPI:  fragment,
		Locales:  matrix.Locales(),
		Fixtures: []kit.Fixture{matrixFixture},
	}
}

type handler struct{ svc *matrix.Service }

func (h handler) matrix(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := matrix.Filter{ZoneID: q.Get("zone_id"), ParkID: q.Get("park_id"), OrgID: q.Get("org_id")}
	var err error
	if f.From, err = httpx.QueryDate(r, "from", false); err != nil {
		return err
	}
	if f.To, err = httpx.QueryDate(r, "to", true); err != nil {
		return err
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return apperr.Field("to", "before_from")
	}
	switch q.Get("trend") {
	case "", "false":
	case "true":
		f.Trend = true
	default:
		return apperr.BadField("trend", "invalid_format")
	}
	rep, err := h.svc.Matrix(r.Context(), f)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, rep)
	return nil
}

// matrixFixture: the matrix has no rows of its own; its "row" is a park,
// which the answer lists (parks[].park_id) to a caller covering it and
// never to one who does not.
var matrixFixture = kit.Fixture{
	Resource: "matrix",
	Under:    []string{access.KindPark},
	ListKey:  "park_id",
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		return map[string]string{"id": under.ID}, nil
	},
}
