package client

import (
	"context"
	"encoding/json"
	"net/url"
	"time"
)

// CircleLocation is a point in WGS-84 degrees.
type CircleLocation struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// Resource is a facility of the living circle.
type Resource struct {
	ID        string         `json:"id"`
	ZoneID    string         `json:"zone_id"`
	ParkID    string         `json:"park_id"`
	Name      string         `json:"name"`
	Category  string         `json:"category"`
	Address   string         `json:"address"`
	Location  CircleLocation `json:"location"`
	Version   int            `json:"version"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// ResourceCategory is a category of the zone's catalogue.
type ResourceCategory struct {
	ID      string `json:"id"`
	ZoneID  string `json:"zone_id"`
	Code    string `json:"code"`
	Name    string `json:"name"`
	NameEn  string `json:"name_en"`
	Circle  *int   `json:"circle"`
	Builtin bool   `json:"builtin"`
	Version int    `json:"version"`
}

// RoadNetwork describes a stored road network.
type RoadNetwork struct {
	ID        string      `json:"id"`
	ZoneID    string      `json:"zone_id"`
	Features  int         `json:"features"`
	Nodes     int         `json:"nodes"`
	Segments  int         `json:"segments"`
	LengthM   float64     `json:"length_m"`
	BBox      *[4]float64 `json:"bbox"`
	Version   int         `json:"version"`
	UpdatedAt time.Time   `json:"updated_at"`
}

// Geometry is a GeoJSON geometry.
type Geometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// Reached is a resource and the walk to it.
type Reached struct {
	Resource
	DistanceM   float64   `json:"distance_m"`
	WalkMinutes float64   `json:"walk_minutes"`
	Method      string    `json:"method"`
	Path        *Geometry `json:"path"`
}

// CircleGroup is the reachable resources of one category.
type CircleGroup struct {
	Category  string    `json:"category"`
	Name      string    `json:"name"`
	NameEn    string    `json:"name_en"`
	Circle    *int      `json:"circle"`
	Resources []Reached `json:"resources"`
}

// CircleGap is a required category missing from its circle.
type CircleGap struct {
	Category string   `json:"category"`
	Name     string   `json:"name"`
	NameEn   string   `json:"name_en"`
	Circle   int      `json:"circle"`
	Nearest  *Reached `json:"nearest"`
}

// LivingCircle is what lies within a walk of a place.
type LivingCircle struct {
	ZoneID       string         `json:"zone_id"`
	Origin       CircleLocation `json:"origin"`
	Minutes      int            `json:"minutes"`
	MaxDistanceM float64        `json:"max_distance_m"`
	Method       string         `json:"method"`
	WalkSpeed    float64        `json:"walk_speed_m_per_min"`
	DetourFactor float64        `json:"detour_factor"`
	Reachable    []CircleGroup  `json:"reachable"`
	Missing      []CircleGap    `json:"missing"`
	Area         Geometry       `json:"area"`
}

// CircleCoverage is the living-circle coverage of parks.
type CircleCoverage struct {
	ZoneID       string  `json:"zone_id"`
	Minutes      int     `json:"minutes"`
	Method       string  `json:"method"`
	WalkSpeed    float64 `json:"walk_speed_m_per_min"`
	DetourFactor float64 `json:"detour_factor"`
	Parks        []struct {
		ParkID           string `json:"park_id"`
		Name             string `json:"name"`
		Enterprises      int    `json:"enterprises"`
		Workers          int    `json:"workers"`
		UncoveredWorkers int    `json:"uncovered_workers"`
	} `json:"parks"`
	Enterprises      int `json:"enterprises"`
	Workers          int `json:"workers"`
	UncoveredWorkers int `json:"uncovered_workers"`
	Categories       []struct {
		Category             string `json:"category"`
		Name                 string `json:"name"`
		NameEn               string `json:"name_en"`
		Circle               int    `json:"circle"`
		CoveredWorkers       int    `json:"covered_workers"`
		UncoveredWorkers     int    `json:"uncovered_workers"`
		UncoveredEnterprises int    `json:"uncovered_enterprises"`
		Suggestion           *Site  `json:"suggestion"`
	} `json:"categories"`
	Gaps []struct {
		EnterpriseID string         `json:"enterprise_id"`
		Name         string         `json:"name"`
		ParkID       string         `json:"park_id"`
		Location     CircleLocation `json:"location"`
		Workers      int            `json:"workers"`
		Missing      []string       `json:"missing"`
	} `json:"gaps"`
	GapsTotal   int    `json:"gaps_total"`
	Suggestions []Site `json:"suggestions"`
}

// Site is a suggested place for a new service point.
type Site struct {
	Location          CircleLocation `json:"location"`
	Kind              string         `json:"kind"`
	EnterpriseID      *string        `json:"enterprise_id"`
	CoversWorkers     int            `json:"covers_workers"`
	CoversEnterprises int            `json:"covers_enterprises"`
}

// ListResources lists resources with query parameters q.
func (c *Client) ListResources(ctx context.Context, q url.Values) (List[Resource], error) {
	var out List[Resource]
	_, err := c.typed(ctx, "GET", "/api/v1/resources"+query(q), nil, &out, nil)
	return out, err
}

// CreateResource creates a resource; body is sent as given.
func (c *Client) CreateResource(ctx context.Context, body any) (Resource, error) {
	var out Resource
	_, err := c.typed(ctx, "POST", "/api/v1/resources", body, &out, nil)
	return out, err
}

// GetResource reads a resource.
func (c *Client) GetResource(ctx context.Context, id string) (Resource, error) {
	var out Resource
	_, err := c.typed(ctx, "GET", "/api/v1/resources/"+url.PathEscape(id), nil, &out, nil)
	return out, err
}

// UpdateResource patches a resource; version, when not 0, is sent as If-Match.
func (c *Client) UpdateResource(ctx context.Context, id string, patch any, version int) (Resource, error) {
	var out Resource
	_, err := c.typed(ctx, "PATCH", "/api/v1/resources/"+url.PathEscape(id), patch, &out, ifMatch(version))
	return out, err
}

// DeleteResource deletes a resource; version, when not 0, is sent as If-Match.
func (c *Client) DeleteResource(ctx context.Context, id string, version int) error {
	_, err := c.typed(ctx, "DELETE", "/api/v1/resources/"+url.PathEscape(id), nil, nil, ifMatch(version))
	return err
}

// ResourceCategories lists the zone's catalogue.
func (c *Client) ResourceCategories(ctx context.Context, q url.Values) (List[ResourceCategory], error) {
	var out List[ResourceCategory]
	_, err := c.typed(ctx, "GET", "/api/v1/resource-categories"+query(q), nil, &out, nil)
	return out, err
}

// CreateResourceCategory adds a category; body is sent as given.
func (c *Client) CreateResourceCategory(ctx context.Context, body any) (ResourceCategory, error) {
	var out ResourceCategory
	_, err := c.typed(ctx, "POST", "/api/v1/resource-categories", body, &out, nil)
	return out, err
}

// UpdateResourceCategory patches a category; version, when not 0, is sent as If-Match.
func (c *Client) UpdateResourceCategory(ctx context.Context, id string, patch any, version int) (ResourceCategory, error) {
	var out ResourceCategory
	_, err := c.typed(ctx, "PATCH", "/api/v1/resource-categories/"+url.PathEscape(id), patch, &out, ifMatch(version))
	return out, err
}

// DeleteResourceCategory removes a category; version, when not 0, is sent as If-Match.
func (c *Client) DeleteResourceCategory(ctx context.Context, id string, version int) error {
	_, err := c.typed(ctx, "DELETE", "/api/v1/resource-categories/"+url.PathEscape(id), nil, nil, ifMatch(version))
	return err
}

// ImportRoads replaces the zone's road network with the GeoJSON body.
func (c *Client) ImportRoads(ctx context.Context, body any) (RoadNetwork, error) {
	var out RoadNetwork
	_, err := c.typed(ctx, "POST", "/api/v1/road-network", body, &out, nil)
	return out, err
}

// LivingCircle asks what lies within a walk of a place.
func (c *Client) LivingCircle(ctx context.Context, q url.Values) (LivingCircle, error) {
	var out LivingCircle
	_, err := c.typed(ctx, "GET", "/api/v1/living-circle"+query(q), nil, &out, nil)
	return out, err
}

// CircleCoverage reads the coverage of parks.
func (c *Client) CircleCoverage(ctx context.Context, q url.Values) (CircleCoverage, error) {
	var out CircleCoverage
	_, err := c.typed(ctx, "GET", "/api/v1/living-circle/coverage"+query(q), nil, &out, nil)
	return out, err
}
