package client

import (
	"context"
	"net/url"
	"time"
)

// WorkshopOutput is a red workshop's output value in one month.
type WorkshopOutput struct {
	Month     string `json:"month"`
	OutputFen int64  `json:"output_fen"`
}

// Workshop is a red workshop.
type Workshop struct {
	ID             string           `json:"id"`
	ZoneID         string           `json:"zone_id"`
	EnterpriseID   string           `json:"enterprise_id"`
	EnterpriseName string           `json:"enterprise_name"`
	OrgID          *string          `json:"org_id"`
	Name           string           `json:"name"`
	MemberIDs      []string         `json:"member_ids"`
	MemberCount    int              `json:"member_count"`
	Outputs        []WorkshopOutput `json:"outputs"`
	Version        int              `json:"version"`
	CreatedAt      time.Time        `json:"created_at"`
	UpdatedAt      time.Time        `json:"updated_at"`
}

// ListWorkshops lists red workshops with query parameters q.
func (c *Client) ListWorkshops(ctx context.Context, q url.Values) (List[Workshop], error) {
	var out List[Workshop]
	_, err := c.typed(ctx, "GET", "/api/v1/workshops"+query(q), nil, &out, nil)
	return out, err
}

// CreateWorkshop creates a red workshop; body is sent as given.
func (c *Client) CreateWorkshop(ctx context.Context, body any) (Workshop, error) {
	var out Workshop
	_, err := c.typed(ctx, "POST", "/api/v1/workshops", body, &out, nil)
	return out, err
}

// GetWorkshop reads a red workshop.
func (c *Client) GetWorkshop(ctx context.Context, id string) (Workshop, error) {
	var out Workshop
	_, err := c.typed(ctx, "GET", "/api/v1/workshops/"+url.PathEscape(id), nil, &out, nil)
	return out, err
}

// UpdateWorkshop patches a red workshop; version, when not 0, is sent as If-Match.
func (c *Client) UpdateWorkshop(ctx context.Context, id string, patch any, version int) (Workshop, error) {
	var out Workshop
	_, err := c.typed(ctx, "PATCH", "/api/v1/workshops/"+url.PathEscape(id), patch, &out, ifMatch(version))
	return out, err
}

// DeleteWorkshop deletes a red workshop; version, when not 0, is sent as If-Match.
func (c *Client) DeleteWorkshop(ctx context.Context, id string, version int) error {
	_, err := c.typed(ctx, "DELETE", "/api/v1/workshops/"+url.PathEscape(id), nil, nil, ifMatch(version))
	return err
}

// SetWorkshopOutput records one month's output value; version, when not
// 0, is sent as If-Match.
func (c *Client) SetWorkshopOutput(ctx context.Context, id, month string, body any, version int) (Workshop, error) {
	var out Workshop
	_, err := c.typed(ctx, "PUT", "/api/v1/workshops/"+url.PathEscape(id)+"/outputs/"+url.PathEscape(month), body, &out, ifMatch(version))
	return out, err
}

// DeleteWorkshopOutput removes one month's output value; version, when not
// 0, is sent as If-Match.
func (c *Client) DeleteWorkshopOutput(ctx context.Context, id, month string, version int) error {
	_, err := c.typed(ctx, "DELETE", "/api/v1/workshops/"+url.PathEscape(id)+"/outputs/"+url.PathEscape(month), nil, nil, ifMatch(version))
	return err
}
