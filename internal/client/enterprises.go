package client

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"time"
)

// Location is a point in WGS 84 degrees.
type Location struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// Enterprise is an enterprise of a park.
type Enterprise struct {
	ID               string    `json:"id"`
	ZoneID           string    `json:"zone_id"`
	ParkID           string    `json:"park_id"`
	ParkName         string    `json:"park_name"`
	Name             string    `json:"name"`
	USCC             string    `json:"uscc"`
	Industry         string    `json:"industry"`
	Address          string    `json:"address"`
	Location         *Location `json:"location"`
	Employees        int       `json:"employees"`
	RDStaff          int       `json:"rd_staff"`
	MonthlyOutputFen *int64    `json:"monthly_output_fen"`
	Sample           bool      `json:"sample"`
	HasPartyOrg      bool      `json:"has_party_org"`
	Version          int       `json:"version"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// CoverageMembers counts party members by status.
type CoverageMembers struct {
	Full         int `json:"full"`
	Probationary int `json:"probationary"`
}

// CoverageFigures are the coverage figures of a park or of all.
type CoverageFigures struct {
	Enterprises  int             `json:"enterprises"`
	WithOrg      int             `json:"with_org"`
	NeedingOrg   int             `json:"needing_org"`
	Members      CoverageMembers `json:"members"`
	Orgs         int             `json:"orgs"`
	TermsExpired int             `json:"terms_expired"`
}

// ParkCoverage is one park's coverage figures.
type ParkCoverage struct {
	ParkID       string          `json:"park_id"`
	ParkName     string          `json:"park_name"`
	Enterprises  int             `json:"enterprises"`
	WithOrg      int             `json:"with_org"`
	NeedingOrg   int             `json:"needing_org"`
	Members      CoverageMembers `json:"members"`
	Orgs         int             `json:"orgs"`
	TermsExpired int             `json:"terms_expired"`
}

// CoverageReport is the answer of GET /api/v1/reports/coverage.
type CoverageReport struct {
	Parks []ParkCoverage  `json:"parks"`
	Total CoverageFigures `json:"total"`
}

// ListEnterprises lists enterprises with query parameters q.
func (c *Client) ListEnterprises(ctx context.Context, q url.Values) (List[Enterprise], error) {
	var out List[Enterprise]
	_, err := c.typed(ctx, "GET", "/api/v1/enterprises"+query(q), nil, &out, nil)
	return out, err
}

// CreateEnterprise creates an enterprise; body is sent as given.
func (c *Client) CreateEnterprise(ctx context.Context, body any) (Enterprise, error) {
	var out Enterprise
	_, err := c.typed(ctx, "POST", "/api/v1/enterprises", body, &out, nil)
	return out, err
}

// GetEnterprise reads an enterprise.
func (c *Client) GetEnterprise(ctx context.Context, id string) (Enterprise, error) {
	var out Enterprise
	_, err := c.typed(ctx, "GET", "/api/v1/enterprises/"+url.PathEscape(id), nil, &out, nil)
	return out, err
}

// UpdateEnterprise patches an enterprise; version, when not 0, is sent as
// If-Match.
func (c *Client) UpdateEnterprise(ctx context.Context, id string, patch any, version int) (Enterprise, error) {
	var out Enterprise
	_, err := c.typed(ctx, "PATCH", "/api/v1/enterprises/"+url.PathEscape(id), patch, &out, ifMatch(version))
	return out, err
}

// DeleteEnterprise deletes an enterprise; version, when not 0, is sent as
// If-Match.
func (c *Client) DeleteEnterprise(ctx context.Context, id string, version int) error {
	_, err := c.typed(ctx, "DELETE", "/api/v1/enterprises/"+url.PathEscape(id), nil, nil, ifMatch(version))
	return err
}

// Coverage reads the coverage report with query parameters q (park_id).
func (c *Client) Coverage(ctx context.Context, q url.Values) (CoverageReport, error) {
	var out CoverageReport
	_, err := c.typed(ctx, "GET", "/api/v1/reports/coverage"+query(q), nil, &out, nil)
	return out, err
}

// ImportResult is the answer of a roster import.
type ImportResult struct {
	Rows     int  `json:"rows"`
	Imported int  `json:"imported"`
	DryRun   bool `json:"dry_run"`
}

// ImportEnterprises sends a roster file (contentType: text/csv, the xlsx
// type, multipart/form-data …) to POST /api/v1/enterprises/import with
// the query q (dry_run, zone_id).
func (c *Client) ImportEnterprises(ctx context.Context, contentType string, file []byte, q url.Values) (ImportResult, error) {
	var out ImportResult
	_, b, err := c.Send(ctx, "POST", "/api/v1/enterprises/import"+query(q), contentType, file, nil)
	if err != nil {
		return out, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return out, dec.Decode(&out)
}
