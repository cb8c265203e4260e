// Package circleapi serves the living circle over HTTP: resources, the
// catalogue of their categories, the road network, what lies within a walk
// of a place, the coverage of parks and the parks' outlines for the map.
package circleapi

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/circle"
	"tongxin/internal/httpx"
	"tongxin/internal/kit"
)

//go:embed openapi.yaml
var fragment []byte

// Domain returns the living-circle domain for the server to mount.
func Domain(svc *circle.Service) kit.Domain {
	h := handler{svc}
	return kit.Domain{
		Name: "circle",
		Routes: []kit.Route{
			{Method: "GET", Path: "/api/v1/resources", Perm: circle.Read, Resource: "resource", Handle: h.list},
			{Method: "POST", Path: "/api/v1/resources", Perm: circle.Manage, Resource: "resource", Create: true, Handle: h.create},
			{Method: "GET", Path: "/api/v1/resources/{id}", Perm: circle.Read, Resource: "resource", Handle: h.get},
			{Method: "PATCH", Path: "/api/v1/resources/{id}", Perm: circle.Manage, Resource: "resource", Handle: h.update},
			{Method: "DELETE", Path: "/api/v1/resources/{id}", Perm: circle.Manage, Resource: "resource", Handle: h.delete},
			// The catalogue is the zone's reference data: every signed-in
			// caller with a grant in the zone reads it (the service checks
			// the zone), so the route needs no permission of its own.
			{Method: "GET", Path: "/api/v1/resource-categories", Access: kit.Self, Handle: h.categories},
			{Method: "POST", Path: "/api/v1/resource-categories", Perm: circle.Configure, Resource: "resource_category", Create: true, Handle: h.createCategory},
			{Method: "PATCH", Path: "/api/v1/resource-categories/{id}", Perm: circle.Configure, Resource: "resource_category", Handle: h.updateCategory},
			{Method: "DELETE", Path: "/api/v1/resource-categories/{id}", Perm: circle.Configure, Resource: "resource_category", Handle: h.deleteCategory},
			{Method: "GET", Path: "/api/v1/road-network", Perm: circle.Read, Resource: "road_network", Handle: h.roads},
			// Replacing the network is idempotent by nature (the same file
			// gives the same network), and its body may be far larger than
			// the Idempotency-Key store keeps: no Create.
			{Method: "POST", Path: "/api/v1/road-network", Perm: circle.Configure, Resource: "road_network", Handle: h.importRoads},
			{Method: "GET", Path: "/api/v1/living-circle", Perm: circle.Read, Resource: "resource", Handle: h.livingCircle},
			{Method: "GET", Path: "/api/v1/living-circle/coverage", Perm: circle.Read, Resource: "circle_coverage", Handle: h.coverage},
			{Method: "GET", Path: "/api/v1/park-outlines", Perm: circle.Read, Resource: "circle_coverage", Handle: h.outlines},
		},
		OpenAPI:  fragment,
		Locales:  circle.Locales(),
		Tables:   []string{"resources", "resource_categories", "resource_catalogues", "road_networks"},
		Fixtures: []kit.Fixture{resourceFixture, categoryFixture, roadFixture, coverageFixture},
	}
}

type handler struct{ svc *circle.Service }

func (h handler) list(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, err := h.svc.Resources(r.Context(), circle.Filter{ParkID: q.Get("park_id"), Category: q.Get("category")}, p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, list)
	return nil
}

func (h handler) get(w http.ResponseWriter, r *http.Request) error {
	res, err := h.svc.Resource(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.ETag(w, res.Version)
	httpx.JSON(w, http.StatusOK, res)
	return nil
}

type location struct {
	Lat *float64 `json:"lat"`
	Lng *float64 `json:"lng"`
}

func (l *location) point() *circle.Point {
	if l == nil {
		return nil
	}
	return &circle.Point{Lat: l.Lat, Lng: l.Lng}
}

type createRequest struct {
	ZoneID   string    `json:"zone_id"`
	ParkID   string    `json:"park_id"`
	Name     string    `json:"name"`
	Category string    `json:"category"`
	Address  string    `json:"address"`
	Location *location `json:"location"`
}

func (h handler) create(w http.ResponseWriter, r *http.Request) error {
	var in createRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	res, err := h.svc.CreateResource(r.Context(), circle.ResourceInput{ZoneID: in.ZoneID, ParkID: in.ParkID, Name: in.Name, Category: in.Category,
		Address: in.Address, Location: in.Location.point()})
	if err != nil {
		return err
	}
	httpx.ETag(w, res.Version)
	w.Header().Set("Location", "/api/v1/resources/"+res.ID)
	httpx.JSON(w, http.StatusCreated, res)
	return nil
}

type updateRequest struct {
	Name     *string   `json:"name"`
	Category *string   `json:"category"`
	Address  *string   `json:"address"`
	Location *location `json:"location"`
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
	res, err := h.svc.UpdateResource(r.Context(), r.PathValue("id"), circle.ResourcePatch{Name: in.Name, Category: in.Category, Address: in.Address,
		Location: in.Location.point()}, match)
	if err != nil {
		return err
	}
	httpx.ETag(w, res.Version)
	httpx.JSON(w, http.StatusOK, res)
	return nil
}

func (h handler) delete(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteResource(r.Context(), r.PathValue("id"), match); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

// categoryList is the catalogue as the list envelope (one page: a
// catalogue is a few dozen rows).
type categoryList struct {
	Items      []circle.Category `json:"items"`
	NextCursor *string           `json:"next_cursor"`
	Total      int               `json:"total"`
}

func (h handler) categories(w http.ResponseWriter, r *http.Request) error {
	cats, err := h.svc.Categories(r.Context(), r.URL.Query().Get("zone_id"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, categoryList{Items: cats, Total: len(cats)})
	return nil
}

type categoryRequest struct {
	ZoneID string `json:"zone_id"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEn string `json:"name_en"`
	Circle *int   `json:"circle"`
}

func (h handler) createCategory(w http.ResponseWriter, r *http.Request) error {
	var in categoryRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.CreateCategory(r.Context(), circle.CategoryInput{ZoneID: in.ZoneID, Code: in.Code, Name: in.Name, NameEn: in.NameEn, Circle: in.Circle})
	if err != nil {
		return err
	}
	httpx.ETag(w, c.Version)
	httpx.JSON(w, http.StatusCreated, c)
	return nil
}

type categoryPatch struct {
	Name   *string             `json:"name"`
	NameEn *string             `json:"name_en"`
	Circle httpx.Optional[int] `json:"circle"`
}

func (h handler) updateCategory(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	var in categoryPatch
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := h.svc.UpdateCategory(r.Context(), r.PathValue("id"), circle.CategoryPatch{Name: in.Name, NameEn: in.NameEn,
		SetCircle: in.Circle.Set, Circle: in.Circle.Value}, match)
	if err != nil {
		return err
	}
	httpx.ETag(w, c.Version)
	httpx.JSON(w, http.StatusOK, c)
	return nil
}

func (h handler) deleteCategory(w http.ResponseWriter, r *http.Request) error {
	match, err := httpx.IfMatch(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteCategory(r.Context(), r.PathValue("id"), match); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

// GeoJSON as a road network import takes it: members of RFC 7946 are
// decoded strictly (a wrong JSON type is 400 naming it); coordinates stay
// raw for the domain to check (422 naming the position); properties other
// than name are ignored, as are the GeoJSON members bbox and id.
type roadRequest struct {
	Type     string         `json:"type"`
	ZoneID   string         `json:"zone_id"`
	Name     string         `json:"name"`
	BBox     jsontext.Value `json:"bbox"`
	CRS      jsontext.Value `json:"crs"`
	Features *[]struct {
		Type       string         `json:"type"`
		ID         jsontext.Value `json:"id"`
		BBox       jsontext.Value `json:"bbox"`
		Properties jsontext.Value `json:"properties"`
		Geometry   *struct {
			Type        string         `json:"type"`
			Coordinates jsontext.Value `json:"coordinates"`
			BBox        jsontext.Value `json:"bbox"`
		} `json:"geometry"`
	} `json:"features"`
}

func (h handler) importRoads(w http.ResponseWriter, r *http.Request) error {
	if httpx.UploadBody(r) {
		return httpx.WantJSON()
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, circle.MaxRoadBody))
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return apperr.New(apperr.TooLarge, "problem.too_large.detail", "Limit", "16 MiB")
	}
	if err != nil {
		return apperr.E(apperr.Invalid, err)
	}
	var in roadRequest
	if err := httpx.DecodeBytes(body, &in); err != nil {
		return err
	}
	imp := circle.RoadImport{ZoneID: in.ZoneID, Type: in.Type, HasFeatures: in.Features != nil}
	if in.Features != nil {
		for _, f := range *in.Features {
			rf := circle.RoadFeature{Type: f.Type, HasGeometry: f.Geometry != nil}
			var props map[string]any
			if json.Unmarshal(f.Properties, &props) == nil {
				rf.Name, _ = props["name"].(string)
			}
			if f.Geometry != nil {
				rf.GeometryType, rf.Coordinates = f.Geometry.Type, json.RawMessage(f.Geometry.Coordinates)
			}
			imp.Features = append(imp.Features, rf)
		}
	}
	net, err := h.svc.ImportRoads(r.Context(), imp)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, net)
	return nil
}

func (h handler) roads(w http.ResponseWriter, r *http.Request) error {
	fc, net, err := h.svc.Roads(r.Context(), r.URL.Query().Get("zone_id"))
	if err != nil {
		return err
	}
	fc.ExtraMembers = map[string]any{"network": net}
	httpx.JSON(w, http.StatusOK, fc)
	return nil
}

// number reads an optional number parameter: 422 not_number when it is
// not a finite number.
func number(r *http.Request, name string) (*float64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, apperr.Field(name, "not_number")
	}
	return &f, nil
}

// minutes reads the optional minutes parameter: 422 not_integer.
func minutes(r *http.Request) (*int, error) {
	s := r.URL.Query().Get("minutes")
	if s == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil, apperr.Field("minutes", "not_integer")
	}
	return &n, nil
}

func (h handler) livingCircle(w http.ResponseWriter, r *http.Request) error {
	lat, err := number(r, "lat")
	if err != nil {
		return err
	}
	lng, err := number(r, "lng")
	if err != nil {
		return err
	}
	m, err := minutes(r)
	if err != nil {
		return err
	}
	c, err := h.svc.LivingCircle(r.Context(), circle.Query{ZoneID: r.URL.Query().Get("zone_id"), Place: &circle.Point{Lat: lat, Lng: lng}, Minutes: m})
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, c)
	return nil
}

func (h handler) coverage(w http.ResponseWriter, r *http.Request) error {
	m, err := minutes(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	c, err := h.svc.Coverage(r.Context(), circle.CoverageQuery{ZoneID: q.Get("zone_id"), ParkID: q.Get("park_id"), Minutes: m})
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, c)
	return nil
}

func (h handler) outlines(w http.ResponseWriter, r *http.Request) error {
	fc, err := h.svc.Outlines(r.Context(), r.URL.Query().Get("zone_id"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, fc)
	return nil
}

// The fixtures place every row at the same spot, so a living-circle
// question about it lies inside every zone the matrix builds.
const fixtureLat, fixtureLng = 24.80, 118.57

var resourceFixture = kit.Fixture{
	Resource: "resource",
	Under:    []string{access.KindPark},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		var res struct {
			ID string `json:"id"`
		}
		err := c.Call(ctx, "POST", "/api/v1/resources", map[string]any{"park_id": under.ID, "name": kit.Unique("矩阵资源 "), "category": "kindergarten",
			"location": map[string]float64{"lat": fixtureLat, "lng": fixtureLng}}, &res)
		return map[string]string{"id": res.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/resources":
			return map[string]any{"park_id": under.ID, "name": kit.Unique("新资源 "), "category": "hospital", "address": "晋江经济开发区",
				"location": map[string]float64{"lat": fixtureLat, "lng": fixtureLng}}
		case "PATCH /api/v1/resources/{id}":
			return map[string]any{"name": kit.Unique("改名资源 "), "address": "五里园"}
		}
		return nil
	},
	Query: func(route string, values map[string]string) string {
		if route == "GET /api/v1/living-circle" {
			return "lat=" + strconv.FormatFloat(fixtureLat, 'f', -1, 64) + "&lng=" + strconv.FormatFloat(fixtureLng, 'f', -1, 64) + "&minutes=5"
		}
		return ""
	},
}

var categoryFixture = kit.Fixture{
	Resource: "resource_category",
	Under:    []string{access.KindZone},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		var cat struct {
			ID string `json:"id"`
		}
		err := c.Call(ctx, "POST", "/api/v1/resource-categories", map[string]any{"zone_id": under.ZoneID, "code": kit.Unique("matrix_"),
			"name": kit.Unique("矩阵类别 "), "circle": 10}, &cat)
		return map[string]string{"id": cat.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/resource-categories":
			return map[string]any{"zone_id": under.ZoneID, "code": kit.Unique("new_"), "name": kit.Unique("新类别 "), "name_en": "New category"}
		case "PATCH /api/v1/resource-categories/{id}":
			return map[string]any{"name": kit.Unique("改名类别 "), "name_en": "Renamed"}
		}
		return nil
	},
}

// roadLine is a short street at the fixtures' spot.
func roadLine(zoneID string) map[string]any {
	return map[string]any{"type": "FeatureCollection", "zone_id": zoneID, "features": []any{map[string]any{
		"type": "Feature", "properties": map[string]any{"name": "矩阵路"},
		"geometry": map[string]any{"type": "LineString", "coordinates": [][]float64{{fixtureLng, fixtureLat}, {fixtureLng + 0.002, fixtureLat}}},
	}}}
}

var roadFixture = kit.Fixture{
	Resource: "road_network",
	Under:    []string{access.KindZone},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		var net struct {
			ID string `json:"id"`
		}
		err := c.Call(ctx, "POST", "/api/v1/road-network", roadLine(under.ZoneID), &net)
		return map[string]string{"id": net.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		if route == "POST /api/v1/road-network" {
			return roadLine(under.ZoneID)
		}
		return nil
	},
}

// coverageFixture makes a located enterprise in the park: the coverage
// and the outlines then name the park (ListKey park_id).
var coverageFixture = kit.Fixture{
	Resource: "circle_coverage",
	Under:    []string{access.KindPark},
	ListKey:  "park_id",
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		err := c.Call(ctx, "POST", "/api/v1/enterprises", map[string]any{"park_id": under.ID, "name": kit.Unique("矩阵覆盖企业 "), "uscc": kit.USCC(),
			"employees": 30, "location": map[string]float64{"lat": fixtureLat, "lng": fixtureLng}}, nil)
		return map[string]string{"id": under.ID}, err
	},
}
