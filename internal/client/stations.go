package client

import (
	"context"
	"net/url"
	"time"
)

// StationLocation is a station's point in WGS-84 degrees.
type StationLocation struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// Station is a guidance service station of a park.
type Station struct {
	ID            string           `json:"id"`
	ZoneID        string           `json:"zone_id"`
	ParkID        string           `json:"park_id"`
	Name          string           `json:"name"`
	Address       string           `json:"address"`
	Location      *StationLocation `json:"location"`
	EnterpriseIDs []string         `json:"enterprise_ids"`
	Version       int              `json:"version"`
	CreatedAt     time.Time        `json:"created_at"`
	UpdatedAt     time.Time        `json:"updated_at"`
}

// ListStations lists stations with query parameters q.
func (c *Client) ListStations(ctx context.Context, q url.Values) (List[Station], error) {
	var out List[Station]
	_, err := c.typed(ctx, "GET", "/api/v1/stations"+query(q), nil, &out, nil)
	return out, err
}

// CreateStation creates a station; body is sent as given.
func (c *Client) CreateStation(ctx context.Context, body any) (Station, error) {
	var out Station
	_, err := c.typed(ctx, "POST", "/api/v1/stations", body, &out, nil)
	return out, err
}

// GetStation reads a station.
func (c *Client) GetStation(ctx context.Context, id string) (Station, error) {
	var out Station
	_, err := c.typed(ctx, "GET", "/api/v1/stations/"+url.PathEscape(id), nil, &out, nil)
	return out, err
}

// UpdateStation patches a station; version, when not 0, is sent as If-Match.
func (c *Client) UpdateStation(ctx context.Context, id string, patch any, version int) (Station, error) {
	var out Station
	_, err := c.typed(ctx, "PATCH", "/api/v1/stations/"+url.PathEscape(id), patch, &out, ifMatch(version))
	return out, err
}

// DeleteStation deletes a station; version, when not 0, is sent as If-Match.
func (c *Client) DeleteStation(ctx context.Context, id string, version int) error {
	_, err := c.typed(ctx, "DELETE", "/api/v1/stations/"+url.PathEscape(id), nil, nil, ifMatch(version))
	return err
}
