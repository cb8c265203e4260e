package client

import (
	"context"
	"net/url"
	"time"
)

// ServicePoint is a service point of a park.
type ServicePoint struct {
	ID           string           `json:"id"`
	ZoneID       string           `json:"zone_id"`
	ParkID       string           `json:"park_id"`
	Name         string           `json:"name"`
	Kind         string           `json:"kind"`
	Address      string           `json:"address"`
	Location     *StationLocation `json:"location"`
	Hours        string           `json:"hours"`
	ServiceCodes []string         `json:"service_codes"`
	Version      int              `json:"version"`
	CreatedAt    time.Time        `json:"created_at"`
	UpdatedAt    time.Time        `json:"updated_at"`
}

// CatalogueEntry is one service of a zone's catalogue.
type CatalogueEntry struct {
	ZoneID    string    `json:"zone_id"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	Category  string    `json:"category"`
	Function  string    `json:"function"`
	SLAHours  int       `json:"sla_hours"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TimelineEntry is one step of a service request.
type TimelineEntry struct {
	At      time.Time `json:"at"`
	ActorID *string   `json:"actor_id"`
	Action  string    `json:"action"`
	Note    string    `json:"note"`
}

// ServiceRequest is a service request.
type ServiceRequest struct {
	ID          string  `json:"id"`
	ZoneID      string  `json:"zone_id"`
	ParkID      string  `json:"park_id"`
	ServiceCode string  `json:"service_code"`
	Description string  `json:"description"`
	RequesterID *string `json:"requester_id"`
	Contact     struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
	} `json:"contact"`
	Location struct {
		Address string   `json:"address"`
		Lat     *float64 `json:"lat"`
		Lng     *float64 `json:"lng"`
	} `json:"location"`
	PointID        string          `json:"point_id"`
	PointName      string          `json:"point_name"`
	Status         string          `json:"status"`
	AllowedActions []string        `json:"allowed_actions"`
	AssigneeID     *string         `json:"assignee_id"`
	DueAt          time.Time       `json:"due_at"`
	Overdue        bool            `json:"overdue"`
	Escalated      bool            `json:"escalated"`
	Rating         *int            `json:"rating"`
	Source         string          `json:"source"`
	Timeline       []TimelineEntry `json:"timeline"`
	PhotoIDs       []string        `json:"photo_ids"`
	Version        int             `json:"version"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

// ServiceNotification is an escalation for a park's staff.
type ServiceNotification struct {
	ID          string    `json:"id"`
	ZoneID      string    `json:"zone_id"`
	ParkID      string    `json:"park_id"`
	RequestID   string    `json:"request_id"`
	Kind        string    `json:"kind"`
	ServiceCode string    `json:"service_code"`
	PointID     string    `json:"point_id"`
	Status      string    `json:"status"`
	DueAt       time.Time `json:"due_at"`
	CreatedAt   time.Time `json:"created_at"`
}

// CreateServicePoint creates a service point; body is sent as given.
func (c *Client) CreateServicePoint(ctx context.Context, body any) (ServicePoint, error) {
	var out ServicePoint
	_, err := c.typed(ctx, "POST", "/api/v1/service-points", body, &out, nil)
	return out, err
}

// ListServicePoints lists service points with query parameters q.
func (c *Client) ListServicePoints(ctx context.Context, q url.Values) (List[ServicePoint], error) {
	var out List[ServicePoint]
	_, err := c.typed(ctx, "GET", "/api/v1/service-points"+query(q), nil, &out, nil)
	return out, err
}

// Catalogue reads a zone's service catalogue ("" for the caller's zone).
func (c *Client) Catalogue(ctx context.Context, zoneID string) ([]CatalogueEntry, error) {
	var out struct {
		Items []CatalogueEntry `json:"items"`
	}
	q := url.Values{}
	if zoneID != "" {
		q.Set("zone_id", zoneID)
	}
	_, err := c.typed(ctx, "GET", "/api/v1/services"+query(q), nil, &out, nil)
	return out.Items, err
}

// CreateService adds a catalogue entry.
func (c *Client) CreateService(ctx context.Context, body any) (CatalogueEntry, error) {
	var out CatalogueEntry
	_, err := c.typed(ctx, "POST", "/api/v1/services", body, &out, nil)
	return out, err
}

// UpdateService patches a catalogue entry.
func (c *Client) UpdateService(ctx context.Context, code string, patch any, version int) (CatalogueEntry, error) {
	var out CatalogueEntry
	_, err := c.typed(ctx, "PATCH", "/api/v1/services/"+url.PathEscape(code), patch, &out, ifMatch(version))
	return out, err
}

// FileServiceRequest files a request; body is sent as given.
func (c *Client) FileServiceRequest(ctx context.Context, body any) (ServiceRequest, error) {
	var out ServiceRequest
	_, err := c.typed(ctx, "POST", "/api/v1/service-requests", body, &out, nil)
	return out, err
}

// ListServiceRequests lists requests in scope with query parameters q.
func (c *Client) ListServiceRequests(ctx context.Context, q url.Values) (List[ServiceRequest], error) {
	var out List[ServiceRequest]
	_, err := c.typed(ctx, "GET", "/api/v1/service-requests"+query(q), nil, &out, nil)
	return out, err
}

// MyServiceRequests lists the requests the caller filed.
func (c *Client) MyServiceRequests(ctx context.Context, q url.Values) (List[ServiceRequest], error) {
	var out List[ServiceRequest]
	_, err := c.typed(ctx, "GET", "/api/v1/my/service-requests"+query(q), nil, &out, nil)
	return out, err
}

// GetServiceRequest reads a request.
func (c *Client) GetServiceRequest(ctx context.Context, id string) (ServiceRequest, error) {
	var out ServiceRequest
	_, err := c.typed(ctx, "GET", "/api/v1/service-requests/"+url.PathEscape(id), nil, &out, nil)
	return out, err
}

// ActOnServiceRequest takes a workflow step; body is sent as given.
func (c *Client) ActOnServiceRequest(ctx context.Context, id string, body any) (ServiceRequest, error) {
	var out ServiceRequest
	_, err := c.typed(ctx, "POST", "/api/v1/service-requests/"+url.PathEscape(id)+"/actions", body, &out, nil)
	return out, err
}

// MyServiceNotifications lists the escalations for the caller's parks.
func (c *Client) MyServiceNotifications(ctx context.Context) (List[ServiceNotification], error) {
	var out List[ServiceNotification]
	_, err := c.typed(ctx, "GET", "/api/v1/my/service-notifications", nil, &out, nil)
	return out, err
}
