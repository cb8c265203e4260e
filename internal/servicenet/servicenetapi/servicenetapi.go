// Package servicenetapi serves the service network over HTTP: service
// points, the catalogue, service requests and their workflow, photos,
// escalations, API keys, and Open311 GeoReport v2.
package servicenetapi

import (
	"context"
	_ "embed"
	"io"
	"net/http"
	"strconv"
	"strings"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/httpx"
	"tongxin/internal/kit"
	"tongxin/internal/page"
	"tongxin/internal/servicenet"
)

//go:embed openapi.yaml
var fragment []byte

// Domain returns the service network for the server to mount.
func Domain(svc *servicenet.Service) kit.Domain {
	h := handler{svc}
	return kit.Domain{
		Name: "servicenet",
		Routes: append([]kit.Route{
			{Method: "GET", Path: "/api/v1/service-points", Perm: servicenet.PointRead, Resource: "service_point", Handle: h.listPoints},
			{Method: "POST", Path: "/api/v1/service-points", Perm: servicenet.PointManage, Resource: "service_point", Create: true, Handle: h.createPoint},
			{Method: "GET", Path: "/api/v1/service-points/{id}", Perm: servicenet.PointRead, Resource: "service_point", Handle: h.getPoint},
			{Method: "PATCH", Path: "/api/v1/service-points/{id}", Perm: servicenet.PointManage, Resource: "service_point", Handle: h.updatePoint},
			{Method: "DELETE", Path: "/api/v1/service-points/{id}", Perm: servicenet.PointManage, Resource: "service_point", Handle: h.deletePoint},

			// The catalogue is read by every signed-in caller of the zone
			// (Open311 publishes it to anyone).
			{Method: "GET", Path: "/api/v1/services", Access: kit.Self, Handle: h.catalogue},
			{Method: "POST", Path: "/api/v1/services", Perm: servicenet.CatalogueManage, Resource: "service", Create: true, Handle: h.createService},
			{Method: "PATCH", Path: "/api/v1/services/{id}", Perm: servicenet.CatalogueManage, Resource: "service", Handle: h.updateService},
			{Method: "DELETE", Path: "/api/v1/services/{id}", Perm: servicenet.CatalogueManage, Resource: "service", Handle: h.deleteService},

			{Method: "GET", Path: "/api/v1/service-requests", Perm: servicenet.RequestRead, Resource: "service_request", Handle: h.listRequests},
			{Method: "POST", Path: "/api/v1/service-requests", Perm: servicenet.RequestFile, Resource: "service_request", Create: true, Handle: h.fileRequest},
			{Method: "GET", Path: "/api/v1/service-requests/export", Perm: servicenet.RequestRead, Resource: "service_request", Handle: h.export},
			// Per-point figures, not rows: scoped by the service like the list.
			{Method: "GET", Path: "/api/v1/service-requests/stats", Access: kit.Self, Handle: h.stats},
			{Method: "GET", Path: "/api/v1/service-requests/{id}", Perm: servicenet.RequestRead, Resource: "service_request", Handle: h.getRequest},
			// Actions are taken by the point's staff and, for close, reopen
			// and rate, by whoever filed the request: the service decides
			// per step (servicenet.Workflow), so the route needs only a
			// signed-in caller.
			{Method: "POST", Path: "/api/v1/service-requests/{id}/actions", Access: kit.Self, Handle: h.act},
			// Photos: the file is checked before the request is looked up;
			// who may attach and read is decided by the service.
			{Method: "POST", Path: "/api/v1/service-requests/{id}/photos", Access: kit.Self, Upload: true, Resource: "service_request", Handle: h.addPhoto},
			{Method: "GET", Path: "/api/v1/service-request-photos/{id}", Access: kit.Self, Handle: h.photo},
			{Method: "GET", Path: "/api/v1/my/service-requests", Access: kit.Self, Handle: h.myRequests},
			{Method: "GET", Path: "/api/v1/my/service-requests/{id}", Access: kit.Self, Handle: h.getMine},
			// Filing for oneself: a worker's account bound to a person needs
			// no grant (the phone pages).
			{Method: "POST", Path: "/api/v1/my/service-requests", Access: kit.Self, Create: true, Handle: h.fileMine},
			{Method: "GET", Path: "/api/v1/my/service-notifications", Access: kit.Self, Handle: h.notifications},

			{Method: "GET", Path: "/api/v1/api-keys", Perm: servicenet.KeyManage, Resource: "api_key", Handle: h.listKeys},
			{Method: "POST", Path: "/api/v1/api-keys", Perm: servicenet.KeyManage, Resource: "api_key", Create: true, Handle: h.createKey},
			{Method: "DELETE", Path: "/api/v1/api-keys/{id}", Perm: servicenet.KeyManage, Resource: "api_key", Handle: h.revokeKey},
		}, open311Routes(h)...),
		OpenAPI: fragment,
		Locales: servicenet.Locales(),
		Tables: []string{"service_points", "service_point_services", "service_catalogues", "services", "service_requests", "service_request_events",
			"service_request_photos", "service_notifications", "api_keys"},
		Fixtures: []kit.Fixture{pointFixture, serviceFixture, requestFixture, keyFixture},
	}
}

type handler struct{ svc *servicenet.Service }

// ok writes v with its version as ETag.
func ok(w http.ResponseWriter, status, version int, v any) {
	httpx.ETag(w, version)
	httpx.JSON(w, status, v)
}

func (h handler) listPoints(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	l, err := h.svc.ListPoints(r.Context(), servicenet.PointFilter{ParkID: q.Get("park_id"), ServiceCode: q.Get("service_code")}, p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, l)
	return nil
}

func (h handler) getPoint(w http.ResponseWriter, r *http.Request) error {
	pt, err := h.svc.GetPoint(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	ok(w, http.StatusOK, pt.Version, pt)
	return nil
}

type location struct {
	Lat *float64 `json:"lat"`
	Lng *float64 `json:"lng"`
}

func (l *location) in() *servicenet.Location {
	if l == nil {
		return nil
	}
	return &servicenet.Location{Lat: l.Lat, Lng: l.Lng}
}

type createPointRequest struct {
	ZoneID       string    `json:"zone_id"`
	ParkID       string    `json:"park_id"`
	Name         string    `json:"name"`
	Kind         string    `json:"kind"`
	Address      string    `json:"address"`
	Location     *location `json:"location"`
	Hours        string    `json:"hours"`
	ServiceCodes []string  `json:"service_codes"`
}

func (h handler) createPoint(w http.ResponseWriter, r *http.Request) error {
	var in createPointRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if in.Kind == "" {
		in.Kind = servicenet.KindPoint
	}
	pt, err := h.svc.CreatePoint(r.Context(), servicenet.PointInput{ZoneID: in.ZoneID, ParkID: in.ParkID, Name: in.Name, Kind: in.Kind,
		Address: in.Address, Hours: in.Hours, Location: in.Location.in(), ServiceCodes: in.ServiceCodes})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/service-points/"+pt.ID)
	ok(w, http.StatusCreated, pt.Version, pt)
	return nil
}

type updatePointRequest struct {
	Name         *string                  `json:"name"`
	Kind         *string                  `json:"kind"`
	Address      *string                  `json:"address"`
	Hours        *string                  `json:"hours"`
	Location     httpx.Optional[location] `json:"location"`
	ServiceCodes *[]string                `json:"service_codes"`
}

func (h handler) updatePoint(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	var in updatePointRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	pt, err := h.svc.UpdatePoint(r.Context(), r.PathValue("id"), servicenet.PointPatch{Name: in.Name, Kind: in.Kind, Address: in.Address, Hours: in.Hours,
		SetLocation: in.Location.Set, Location: in.Location.Value.in(), ServiceCodes: in.ServiceCodes}, match)
	if err != nil {
		return err
	}
	ok(w, http.StatusOK, pt.Version, pt)
	return nil
}

func (h handler) deletePoint(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeletePoint(r.Context(), r.PathValue("id"), match); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

func (h handler) catalogue(w http.ResponseWriter, r *http.Request) error {
	items, err := h.svc.Catalogue(r.Context(), r.URL.Query().Get("zone_id"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

type createServiceRequest struct {
	ZoneID   string `json:"zone_id"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	Category string `json:"category"`
	Function string `json:"function"`
	SLAHours int    `json:"sla_hours"`
}

func (h handler) createService(w http.ResponseWriter, r *http.Request) error {
	var in createServiceRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	e, err := h.svc.CreateService(r.Context(), servicenet.ServiceInput{ZoneID: in.ZoneID, Code: in.Code, Name: in.Name, Category: in.Category,
		Function: in.Function, SLAHours: in.SLAHours})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/services/"+e.Code)
	ok(w, http.StatusCreated, e.Version, e)
	return nil
}

type updateServiceRequest struct {
	Name     *string `json:"name"`
	Category *string `json:"category"`
	Function *string `json:"function"`
	SLAHours *int    `json:"sla_hours"`
}

func (h handler) updateService(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	var in updateServiceRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	e, err := h.svc.UpdateService(r.Context(), r.URL.Query().Get("zone_id"), r.PathValue("id"),
		servicenet.ServicePatch{Name: in.Name, Category: in.Category, Function: in.Function, SLAHours: in.SLAHours}, match)
	if err != nil {
		return err
	}
	ok(w, http.StatusOK, e.Version, e)
	return nil
}

func (h handler) deleteService(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteService(r.Context(), r.URL.Query().Get("zone_id"), r.PathValue("id"), match); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

func requestFilter(r *http.Request) (servicenet.RequestFilter, error) {
	q := r.URL.Query()
	f := servicenet.RequestFilter{Status: q.Get("status"), PointID: q.Get("point_id"), ParkID: q.Get("park_id"), ServiceCode: q.Get("service_code")}
	if f.Status != "" && !oneOf(f.Status, servicenet.States) {
		return f, apperr.BadField("status", "unknown_value")
	}
	if v := q.Get("overdue"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return f, apperr.BadField("overdue", "invalid_format")
		}
		f.Overdue = &b
	}
	return f, nil
}

func oneOf(s string, set []string) bool {
	for _, x := range set {
		if x == s {
			return true
		}
	}
	return false
}

func (h handler) listRequests(w http.ResponseWriter, r *http.Request) error {
	return h.list(w, r, false)
}

func (h handler) myRequests(w http.ResponseWriter, r *http.Request) error {
	return h.list(w, r, true)
}

func (h handler) list(w http.ResponseWriter, r *http.Request, mine bool) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	f, err := requestFilter(r)
	if err != nil {
		return err
	}
	f.Mine = mine
	l, err := h.svc.ListRequests(r.Context(), f, p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, l)
	return nil
}

func (h handler) export(w http.ResponseWriter, r *http.Request) error {
	f, err := requestFilter(r)
	if err != nil {
		return err
	}
	p, err := page.Parse("", "", r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	l := httpx.Lang(r)
	yes, no := l.T("servicenet.yes", nil), l.T("servicenet.no", nil)
	return httpx.Export(w, r, httpx.FileName(r, "服务诉求", "service-requests", true), servicenet.ExportColumns(),
		func(write func([]string) error) error {
			return h.svc.ExportRequests(r.Context(), f, p.Query, func(q servicenet.Request) error {
				return write(servicenet.ExportRecord(q, yes, no))
			})
		})
}

func (h handler) stats(w http.ResponseWriter, r *http.Request) error {
	items, err := h.svc.Stats(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

// getMine reads one of the caller's own requests (GetRequest shows the
// caller their own; this route needs no read permission).
func (h handler) getMine(w http.ResponseWriter, r *http.Request) error {
	return h.getRequest(w, r)
}

func (h handler) getRequest(w http.ResponseWriter, r *http.Request) error {
	get := h.svc.GetRequest
	switch r.URL.Query().Get("reveal") {
	case "", "false":
	case "true":
		get = h.svc.RevealContact
	default:
		return apperr.BadField("reveal", "invalid_format")
	}
	req, err := get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	ok(w, http.StatusOK, req.Version, req)
	return nil
}

type contact struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

type place struct {
	Address string   `json:"address"`
	Lat     *float64 `json:"lat"`
	Lng     *float64 `json:"lng"`
}

type fileRequest struct {
	ZoneID      string  `json:"zone_id"`
	ParkID      string  `json:"park_id"`
	PointID     string  `json:"point_id"`
	ServiceCode string  `json:"service_code"`
	Description string  `json:"description"`
	RequesterID string  `json:"requester_id"`
	Contact     contact `json:"contact"`
	Location    *place  `json:"location"`
}

func (h handler) fileRequest(w http.ResponseWriter, r *http.Request) error {
	return h.file(w, r, h.svc.FileRequest)
}

func (h handler) fileMine(w http.ResponseWriter, r *http.Request) error {
	return h.file(w, r, h.svc.FileMine)
}

func (h handler) file(w http.ResponseWriter, r *http.Request, file func(context.Context, servicenet.FileInput) (servicenet.Request, error)) error {
	var in fileRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	fi := servicenet.FileInput{ZoneID: in.ZoneID, ParkID: in.ParkID, PointID: in.PointID, ServiceCode: in.ServiceCode, Description: in.Description,
		RequesterID: in.RequesterID, Contact: servicenet.Contact{Name: in.Contact.Name, Phone: in.Contact.Phone}}
	if in.Location != nil {
		fi.Address = in.Location.Address
		if in.Location.Lat != nil || in.Location.Lng != nil {
			fi.Location = &servicenet.Location{Lat: in.Location.Lat, Lng: in.Location.Lng}
		}
	}
	req, err := file(r.Context(), fi)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/service-requests/"+req.ID)
	ok(w, http.StatusCreated, req.Version, req)
	return nil
}

type actionRequest struct {
	Action     string `json:"action"`
	AssigneeID string `json:"assignee_id"`
	Note       string `json:"note"`
	Rating     *int   `json:"rating"`
}

func (h handler) act(w http.ResponseWriter, r *http.Request) error {
	var in actionRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	req, err := h.svc.Act(r.Context(), r.PathValue("id"), servicenet.ActionInput{Action: in.Action, AssigneeID: in.AssigneeID, Note: in.Note, Rating: in.Rating})
	if err != nil {
		return err
	}
	ok(w, http.StatusOK, req.Version, req)
	return nil
}

func (h handler) addPhoto(w http.ResponseWriter, r *http.Request) error {
	f, err := httpx.Upload(r, h.svc.MaxPhoto)
	if err != nil {
		return err
	}
	defer f.Close()
	ph, err := h.svc.AddPhoto(r.Context(), r.PathValue("id"), f.Reader(), f.Size())
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/service-request-photos/"+ph.ID)
	httpx.JSON(w, http.StatusCreated, ph)
	return nil
}

func (h handler) photo(w http.ResponseWriter, r *http.Request) error {
	ph, f, err := h.svc.OpenPhoto(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	defer f.Close()
	w.Header().Set("Content-Type", ph.ContentType)
	w.Header().Set("Content-Length", strconv.FormatInt(ph.Size, 10))
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Header().Set("Content-Disposition", "inline")
	w.WriteHeader(http.StatusOK)
	io.Copy(w, f)
	return nil
}

func (h handler) listKeys(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	l, err := h.svc.ListKeys(r.Context(), p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, l)
	return nil
}

type createKeyRequest struct {
	ZoneID string `json:"zone_id"`
	Name   string `json:"name"`
}

func (h handler) createKey(w http.ResponseWriter, r *http.Request) error {
	var in createKeyRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	k, err := h.svc.CreateKey(r.Context(), in.ZoneID, in.Name)
	if err != nil {
		return err
	}
	// The key is shown this once: never store the answer.
	w.Header().Set("Cache-Control", "no-store")
	httpx.JSON(w, http.StatusCreated, k)
	return nil
}

func (h handler) revokeKey(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.RevokeKey(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

func (h handler) notifications(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	l, err := h.svc.Notifications(r.Context(), p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, l)
	return nil
}

// Fixtures. Points offer the default catalogue's legal_aid, so requests
// have a point to land at.
const fixtureService = "legal_aid"

var pointFixture = kit.Fixture{
	Resource: "service_point",
	NodeKind: access.KindPoint,
	Under:    []string{access.KindPark},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		return newPoint(ctx, c, under)
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/service-points":
			return map[string]any{"park_id": under.ID, "name": kit.Unique("新服务点 "), "kind": "point", "service_codes": []string{fixtureService}}
		case "PATCH /api/v1/service-points/{id}":
			return map[string]any{"name": kit.Unique("改名服务点 "), "hours": "9:00-17:00"}
		}
		return nil
	},
}

func newPoint(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
	var pt struct {
		ID string `json:"id"`
	}
	err := c.Call(ctx, "POST", "/api/v1/service-points", map[string]any{"park_id": under.ID, "name": kit.Unique("矩阵服务点 "), "kind": "point",
		"location": map[string]float64{"lat": 24.8, "lng": 118.6}, "service_codes": []string{fixtureService}}, &pt)
	return map[string]string{"id": pt.ID}, err
}

var serviceFixture = kit.Fixture{
	Resource: "service",
	Under:    []string{access.KindZone},
	ListKey:  "code",
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		var e struct {
			Code string `json:"code"`
		}
		err := c.Call(ctx, "POST", "/api/v1/services", map[string]any{"zone_id": under.ID, "code": strings.ToLower(kit.Unique("m")), "name": "矩阵服务",
			"category": "测试", "function": "service", "sla_hours": 24}, &e)
		return map[string]string{"id": e.Code}, err
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/services":
			return map[string]any{"zone_id": under.ID, "code": strings.ToLower(kit.Unique("n")), "name": "新服务", "category": "测试",
				"function": "governance", "sla_hours": 48}
		case "PATCH /api/v1/services/{id}":
			return map[string]any{"sla_hours": 36}
		}
		return nil
	},
}

var keyFixture = kit.Fixture{
	Resource: "api_key",
	Under:    []string{access.KindZone},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		var k struct {
			ID string `json:"id"`
		}
		err := c.Call(ctx, "POST", "/api/v1/api-keys", map[string]any{"zone_id": under.ID, "name": kit.Unique("市级平台 ")}, &k)
		return map[string]string{"id": k.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		if route == "POST /api/v1/api-keys" {
			return map[string]any{"zone_id": under.ID, "name": kit.Unique("12345 热线 ")}
		}
		return nil
	},
}

// TinyPNG is a 1×1 PNG: a valid photo for fixtures and tests.
var TinyPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
	"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

// requestFixture files requests at a point made for them in the park.
var requestFixture = kit.Fixture{
	Resource: "service_request",
	Under:    []string{access.KindPark},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		pt, err := newPoint(ctx, c, under)
		if err != nil {
			return nil, err
		}
		var req struct {
			ID string `json:"id"`
		}
		err = c.Call(ctx, "POST", "/api/v1/service-requests", map[string]any{"point_id": pt["id"], "service_code": fixtureService,
			"description": "工伤待遇咨询"}, &req)
		return map[string]string{"id": req.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		if route == "POST /api/v1/service-requests/{id}/photos" {
			return kit.File{ContentType: "application/octet-stream", Data: TinyPNG}
		}
		if route == "POST /api/v1/service-requests" {
			return map[string]any{"park_id": under.ID, "service_code": fixtureService, "description": kit.Unique("劳动合同咨询 "),
				"contact": map[string]string{"name": "张师傅", "phone": "13800138000"}, "location": map[string]any{"address": "五里园", "lat": 24.8, "lng": 118.6}}
		}
		return nil
	},
}
