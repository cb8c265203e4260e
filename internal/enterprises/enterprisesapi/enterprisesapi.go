// Package enterprisesapi serves enterprises and the coverage report over
// HTTP.
package enterprisesapi

import (
	"context"
	_ "embed"
	"net/http"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/enterprises"
	"tongxin/internal/httpx"
	"tongxin/internal/kit"
)

//go:embed openapi.yaml
var fragment []byte

// Domain returns the enterprises domain for the server to mount.
func Domain(svc *enterprises.Service) kit.Domain {
	h := handler{svc}
	return kit.Domain{
		Name: "enterprises",
		Routes: []kit.Route{
			{Method: "GET", Path: "/api/v1/enterprises", Perm: enterprises.Read, Resource: "enterprise", Handle: h.list},
			{Method: "POST", Path: "/api/v1/enterprises", Perm: enterprises.Manage, Resource: "enterprise", Create: true, Handle: h.create},
			{Method: "GET", Path: "/api/v1/enterprises/template", Perm: enterprises.Manage, Resource: "enterprise", Handle: h.template},
			{Method: "POST", Path: "/api/v1/enterprises/import", Perm: enterprises.Manage, Resource: "enterprise", Upload: true, Handle: h.importRoster},
			{Method: "GET", Path: "/api/v1/enterprises/export", Perm: enterprises.Read, Resource: "enterprise", Handle: h.export},
			{Method: "GET", Path: "/api/v1/enterprises/{id}", Perm: enterprises.Read, Resource: "enterprise", Handle: h.get},
			{Method: "PATCH", Path: "/api/v1/enterprises/{id}", Perm: enterprises.Manage, Resource: "enterprise", Handle: h.update},
			{Method: "DELETE", Path: "/api/v1/enterprises/{id}", Perm: enterprises.Manage, Resource: "enterprise", Handle: h.delete},
			{Method: "GET", Path: "/api/v1/reports/coverage", Perm: enterprises.Coverage, Resource: "coverage", Handle: h.coverage},
			{Method: "GET", Path: "/api/v1/reports/coverage/export", Perm: enterprises.Coverage, Resource: "coverage", Handle: h.coverageExport},
		},
		OpenAPI:  fragment,
		Locales:  enterprises.Locales(),
		Tables:   []string{"enterprises"},
		Fixtures: []kit.Fixture{enterpriseFixture, coverageFixture},
	}
}

type handler struct{ svc *enterprises.Service }

func (h handler) list(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	f, err := listFilter(r)
	if err != nil {
		return err
	}
	list, err := h.svc.List(r.Context(), f, p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, list)
	return nil
}

// listFilter reads the filters of the list (and the export).
func listFilter(r *http.Request) (enterprises.Filter, error) {
	q := r.URL.Query()
	f := enterprises.Filter{ParkID: q.Get("park_id"), Industry: q.Get("industry"), USCC: q.Get("uscc")}
	switch v := q.Get("has_party_org"); v {
	case "":
	case "true", "false":
		b := v == "true"
		f.HasPartyOrg = &b
	default:
		return f, apperr.BadField("has_party_org", "invalid_format")
	}
	return f, nil
}

func (h handler) get(w http.ResponseWriter, r *http.Request) error {
	e, err := h.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.ETag(w, e.Version)
	httpx.JSON(w, http.StatusOK, e)
	return nil
}

// locationRequest is a location as a request sends it: both coordinates,
// or the whole object null.
type locationRequest struct {
	Lat *float64 `json:"lat"`
	Lng *float64 `json:"lng"`
}

// location turns l into the domain's location, naming a missing
// coordinate (both or neither).
func location(l *locationRequest, fs *apperr.Fields) *enterprises.Location {
	if l == nil {
		return nil
	}
	if l.Lat == nil {
		fs.Add("location.lat", "required")
	}
	if l.Lng == nil {
		fs.Add("location.lng", "required")
	}
	if l.Lat == nil || l.Lng == nil {
		return nil
	}
	return &enterprises.Location{Lat: *l.Lat, Lng: *l.Lng}
}

type createRequest struct {
	ZoneID           string           `json:"zone_id"`
	ParkID           string           `json:"park_id"`
	Name             string           `json:"name"`
	USCC             string           `json:"uscc"`
	Industry         string           `json:"industry"`
	Address          string           `json:"address"`
	Location         *locationRequest `json:"location"`
	Employees        int              `json:"employees"`
	RDStaff          int              `json:"rd_staff"`
	MonthlyOutputFen *int64           `json:"monthly_output_fen"`
}

func (h handler) create(w http.ResponseWriter, r *http.Request) error {
	var in createRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	var fs apperr.Fields
	loc := location(in.Location, &fs)
	if err := fs.Err(); err != nil {
		return err
	}
	e, err := h.svc.Create(r.Context(), enterprises.Input{ZoneID: in.ZoneID, ParkID: in.ParkID, Name: in.Name, USCC: in.USCC,
		Industry: in.Industry, Address: in.Address, Location: loc, Employees: in.Employees, RDStaff: in.RDStaff,
		MonthlyOutputFen: in.MonthlyOutputFen})
	if err != nil {
		return err
	}
	httpx.ETag(w, e.Version)
	w.Header().Set("Location", "/api/v1/enterprises/"+e.ID)
	httpx.JSON(w, http.StatusCreated, e)
	return nil
}

type updateRequest struct {
	ParkID           *string                         `json:"park_id"`
	Name             *string                         `json:"name"`
	USCC             *string                         `json:"uscc"`
	Industry         *string                         `json:"industry"`
	Address          *string                         `json:"address"`
	Location         httpx.Optional[locationRequest] `json:"location"`
	Employees        *int                            `json:"employees"`
	RDStaff          *int                            `json:"rd_staff"`
	MonthlyOutputFen httpx.Optional[int64]           `json:"monthly_output_fen"`
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
	var fs apperr.Fields
	patch := enterprises.Patch{ParkID: in.ParkID, Name: in.Name, USCC: in.USCC, Industry: in.Industry, Address: in.Address,
		Employees: in.Employees, RDStaff: in.RDStaff,
		Location:         enterprises.Nullable[enterprises.Location]{Set: in.Location.Set, Value: location(in.Location.Value, &fs)},
		MonthlyOutputFen: enterprises.Nullable[int64]{Set: in.MonthlyOutputFen.Set, Value: in.MonthlyOutputFen.Value}}
	if err := fs.Err(); err != nil {
		return err
	}
	e, err := h.svc.Update(r.Context(), r.PathValue("id"), patch, match)
	if err != nil {
		return err
	}
	httpx.ETag(w, e.Version)
	httpx.JSON(w, http.StatusOK, e)
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

func (h handler) coverage(w http.ResponseWriter, r *http.Request) error {
	rep, err := h.svc.Coverage(r.Context(), r.URL.Query().Get("park_id"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, rep)
	return nil
}

var enterpriseFixture = kit.Fixture{
	Resource: "enterprise",
	NodeKind: access.KindEnterprise,
	Under:    []string{access.KindPark},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		var e struct {
			ID string `json:"id"`
		}
		err := c.Call(ctx, "POST", "/api/v1/enterprises", map[string]any{"park_id": under.ID, "name": "矩阵企业",
			"uscc": kit.USCC()}, &e)
		return map[string]string{"id": e.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/enterprises":
			return map[string]any{"zone_id": under.ZoneID, "park_id": under.ID, "name": "新企业", "uscc": kit.USCC(),
				"industry": "装备制造", "address": "五里园区 1 号", "location": map[string]float64{"lat": 24.78, "lng": 118.55},
				"employees": 120, "rd_staff": 12, "monthly_output_fen": 500000000}
		case "POST /api/v1/enterprises/import":
			// The park by its id: the matrix knows its parks by id alone.
			return kit.File{ContentType: "text/csv", Data: []byte("企业名称,统一社会信用代码,所属园区\r\n导入企业," + kit.USCC() + "," + under.ID + "\r\n")}
		case "PATCH /api/v1/enterprises/{id}":
			return map[string]any{"name": "改名企业", "industry": "食品", "employees": 80}
		}
		return nil
	},
}

// coverageFixture: the report has no rows of its own; its "row" is a park
// (with an enterprise in it), named in the report by park_id. The matrix
// then checks that a caller in scope finds the park in the report and a
// caller out of scope does not (another zone's park, a sibling park).
var coverageFixture = kit.Fixture{
	Resource: "coverage",
	Under:    []string{access.KindPark},
	ListKey:  "park_id",
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		vals, err := enterpriseFixture.New(ctx, c, under)
		if err != nil {
			return vals, err
		}
		return map[string]string{"id": under.ID}, nil
	},
}
