package client

import (
	"context"
	"net/url"
	"time"
)

// Alliance is a party-building alliance.
type Alliance struct {
	ID           string    `json:"id"`
	ZoneID       string    `json:"zone_id"`
	ParkID       *string   `json:"park_id"`
	Name         string    `json:"name"`
	LeadOrgID    *string   `json:"lead_org_id"`
	MemberOrgIDs []string  `json:"member_org_ids"`
	MemberCount  int       `json:"member_count"`
	Version      int       `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// ListAlliances lists alliances with query parameters q.
func (c *Client) ListAlliances(ctx context.Context, q url.Values) (List[Alliance], error) {
	var out List[Alliance]
	_, err := c.typed(ctx, "GET", "/api/v1/alliances"+query(q), nil, &out, nil)
	return out, err
}

// CreateAlliance creates an alliance; body is sent as given.
func (c *Client) CreateAlliance(ctx context.Context, body any) (Alliance, error) {
	var out Alliance
	_, err := c.typed(ctx, "POST", "/api/v1/alliances", body, &out, nil)
	return out, err
}

// GetAlliance reads an alliance.
func (c *Client) GetAlliance(ctx context.Context, id string) (Alliance, error) {
	var out Alliance
	_, err := c.typed(ctx, "GET", "/api/v1/alliances/"+url.PathEscape(id), nil, &out, nil)
	return out, err
}

// UpdateAlliance patches an alliance; version, when not 0, is sent as If-Match.
func (c *Client) UpdateAlliance(ctx context.Context, id string, patch any, version int) (Alliance, error) {
	var out Alliance
	_, err := c.typed(ctx, "PATCH", "/api/v1/alliances/"+url.PathEscape(id), patch, &out, ifMatch(version))
	return out, err
}

// DeleteAlliance deletes an alliance; version, when not 0, is sent as If-Match.
func (c *Client) DeleteAlliance(ctx context.Context, id string, version int) error {
	_, err := c.typed(ctx, "DELETE", "/api/v1/alliances/"+url.PathEscape(id), nil, nil, ifMatch(version))
	return err
}
