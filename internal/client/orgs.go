package client

import (
	"context"
	"net/url"
	"time"
)

// OrgMemberCount is an organisation's own members by status.
type OrgMemberCount struct {
	Full         int `json:"full"`
	Probationary int `json:"probationary"`
}

// OrgWarning is one rule an organisation breaks.
type OrgWarning struct {
	Code   string         `json:"code"`
	Params map[string]any `json:"params"`
}

// Org is a party organisation.
type Org struct {
	ID            string         `json:"id"`
	ZoneID        string         `json:"zone_id"`
	ParentID      *string        `json:"parent_id"`
	ParkID        *string        `json:"park_id"`
	Name          string         `json:"name"`
	Kind          string         `json:"kind"`
	EnterpriseIDs []string       `json:"enterprise_ids"`
	SecretaryID   *string        `json:"secretary_id"`
	SecretaryName *string        `json:"secretary_name"`
	FoundedOn     *string        `json:"founded_on"`
	TermEndsOn    *string        `json:"term_ends_on"`
	HasCommittee  bool           `json:"has_committee"`
	MemberCount   OrgMemberCount `json:"member_count"`
	Sample        bool           `json:"sample"`
	Warnings      []OrgWarning   `json:"warnings"`
	Version       int            `json:"version"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
}

// OrgTreeNode is one node of the organisation tree.
type OrgTreeNode struct {
	ID           string         `json:"id"`
	ParentID     *string        `json:"parent_id"`
	ParkID       *string        `json:"park_id"`
	Name         string         `json:"name"`
	Kind         string         `json:"kind"`
	TermEndsOn   *string        `json:"term_ends_on"`
	HasCommittee bool           `json:"has_committee"`
	Members      OrgMemberCount `json:"members"`
	Enterprises  int            `json:"enterprises"`
	Children     int            `json:"children"`
}

// OrgTree is the flat organisation tree.
type OrgTree struct {
	Items     []OrgTreeNode `json:"items"`
	Truncated bool          `json:"truncated"`
}

// OrgWarningItem is one line of the warnings report.
type OrgWarningItem struct {
	ID             string         `json:"id"`
	Code           string         `json:"code"`
	OrgID          *string        `json:"org_id"`
	OrgName        *string        `json:"org_name"`
	EnterpriseID   *string        `json:"enterprise_id"`
	EnterpriseName *string        `json:"enterprise_name"`
	ParkID         *string        `json:"park_id"`
	Params         map[string]any `json:"params"`
}

// ListOrgs lists party organisations with query parameters q.
func (c *Client) ListOrgs(ctx context.Context, q url.Values) (List[Org], error) {
	var out List[Org]
	_, err := c.typed(ctx, "GET", "/api/v1/orgs"+query(q), nil, &out, nil)
	return out, err
}

// OrgTree reads the organisation tree with query parameters q.
func (c *Client) OrgTree(ctx context.Context, q url.Values) (OrgTree, error) {
	var out OrgTree
	_, err := c.typed(ctx, "GET", "/api/v1/orgs/tree"+query(q), nil, &out, nil)
	return out, err
}

// CreateOrg creates a party organisation; body is sent as given.
func (c *Client) CreateOrg(ctx context.Context, body any) (Org, error) {
	var out Org
	_, err := c.typed(ctx, "POST", "/api/v1/orgs", body, &out, nil)
	return out, err
}

// GetOrg reads a party organisation with its warnings.
func (c *Client) GetOrg(ctx context.Context, id string) (Org, error) {
	var out Org
	_, err := c.typed(ctx, "GET", "/api/v1/orgs/"+url.PathEscape(id), nil, &out, nil)
	return out, err
}

// UpdateOrg patches a party organisation; version, when not 0, is sent as
// If-Match.
func (c *Client) UpdateOrg(ctx context.Context, id string, patch any, version int) (Org, error) {
	var out Org
	_, err := c.typed(ctx, "PATCH", "/api/v1/orgs/"+url.PathEscape(id), patch, &out, ifMatch(version))
	return out, err
}

// DeleteOrg deletes a party organisation; version, when not 0, is sent as
// If-Match.
func (c *Client) DeleteOrg(ctx context.Context, id string, version int) error {
	_, err := c.typed(ctx, "DELETE", "/api/v1/orgs/"+url.PathEscape(id), nil, nil, ifMatch(version))
	return err
}

// OrgWarnings reads the warnings report with query parameters q.
func (c *Client) OrgWarnings(ctx context.Context, q url.Values) (List[OrgWarningItem], error) {
	var out List[OrgWarningItem]
	_, err := c.typed(ctx, "GET", "/api/v1/reports/org-warnings"+query(q), nil, &out, nil)
	return out, err
}
