package client

import (
	"context"
	"net/url"
	"strconv"
	"time"
)

// Point is a location in WGS 84 degrees.
type Point struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// Segment is a segment of a chain.
type Segment struct {
	ID            string   `json:"id"`
	Stage         string   `json:"stage"`
	Name          string   `json:"name"`
	EnterpriseIDs []string `json:"enterprise_ids"`
}

// Chain is an industry chain.
type Chain struct {
	ID          string    `json:"id"`
	ZoneID      string    `json:"zone_id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Segments    []Segment `json:"segments"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ChainMap is a chain as the map draws it.
type ChainMap struct {
	Chain       Chain `json:"chain"`
	Enterprises []struct {
		ID         string   `json:"id"`
		Name       string   `json:"name"`
		SegmentIDs []string `json:"segment_ids"`
	} `json:"enterprises"`
	Links []struct {
		Source        string `json:"source"`
		Target        string `json:"target"`
		CooperationID string `json:"cooperation_id"`
		Type          string `json:"type"`
	} `json:"links"`
	Gaps []struct {
		Kind      string  `json:"kind"`
		SegmentID *string `json:"segment_id"`
		Stage     string  `json:"stage"`
		Count     int     `json:"count"`
	} `json:"gaps"`
}

// Institute is a research institute.
type Institute struct {
	ID          string    `json:"id"`
	ZoneID      string    `json:"zone_id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Address     string    `json:"address"`
	Location    *Point    `json:"location"`
	Sample      bool      `json:"sample"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Listing is a need or an offer.
type Listing struct {
	ID           string    `json:"id"`
	ZoneID       string    `json:"zone_id"`
	Kind         string    `json:"kind"`
	Category     string    `json:"category"`
	ChainID      *string   `json:"chain_id"`
	SegmentID    *string   `json:"segment_id"`
	Title        string    `json:"title"`
	Text         string    `json:"text"`
	EnterpriseID *string   `json:"enterprise_id"`
	InstituteID  *string   `json:"institute_id"`
	ParkID       *string   `json:"park_id"`
	OwnerName    string    `json:"owner_name"`
	ValidFrom    *string   `json:"valid_from"`
	ValidUntil   *string   `json:"valid_until"`
	Status       string    `json:"status"`
	Sample       bool      `json:"sample"`
	Version      int       `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Reason is one part of a proposal's score.
type Reason struct {
	Code  string   `json:"code"`
	Score float64  `json:"score"`
	Terms []string `json:"terms"`
	KM    *float64 `json:"km"`
	Names []string `json:"names"`
}

// Proposal is a ranked candidate for a listing.
type Proposal struct {
	Listing     Listing           `json:"listing"`
	Score       float64           `json:"score"`
	Reasons     []Reason          `json:"reasons"`
	Explanation map[string]string `json:"explanation"`
	MatchID     *string           `json:"match_id"`
}

// Match pairs a need with an offer.
type Match struct {
	ID                string            `json:"id"`
	ZoneID            string            `json:"zone_id"`
	NeedID            string            `json:"need_id"`
	OfferID           string            `json:"offer_id"`
	NeedTitle         string            `json:"need_title"`
	OfferTitle        string            `json:"offer_title"`
	NeedOwnerName     string            `json:"need_owner_name"`
	OfferOwnerName    string            `json:"offer_owner_name"`
	NeedEnterpriseID  *string           `json:"need_enterprise_id"`
	OfferEnterpriseID *string           `json:"offer_enterprise_id"`
	Score             float64           `json:"score"`
	Reasons           []Reason          `json:"reasons"`
	Explanation       map[string]string `json:"explanation"`
	Status            string            `json:"status"`
	NeedAccepted      bool              `json:"need_accepted"`
	OfferAccepted     bool              `json:"offer_accepted"`
	Note              string            `json:"note"`
	CooperationID     *string           `json:"cooperation_id"`
	Version           int               `json:"version"`
	CreatedAt         time.Time         `json:"created_at"`
	UpdatedAt         time.Time         `json:"updated_at"`
}

// Milestone is a step of a cooperation.
type Milestone struct {
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	DueOn  *string `json:"due_on"`
	DoneOn *string `json:"done_on"`
}

// Outcome is a result of a cooperation.
type Outcome struct {
	ID         string  `json:"id"`
	Title      string  `json:"title"`
	RecordedOn *string `json:"recorded_on"`
}

// Cooperation is a cooperation project.
type Cooperation struct {
	ID            string      `json:"id"`
	ZoneID        string      `json:"zone_id"`
	Type          string      `json:"type"`
	Title         string      `json:"title"`
	Description   string      `json:"description"`
	ChainID       *string     `json:"chain_id"`
	Status        string      `json:"status"`
	OrganizerID   string      `json:"organizer_id"`
	Level         string      `json:"level"`
	Function      string      `json:"function"`
	MatchID       *string     `json:"match_id"`
	StartedOn     *string     `json:"started_on"`
	EndedOn       *string     `json:"ended_on"`
	EnterpriseIDs []string    `json:"enterprise_ids"`
	InstituteIDs  []string    `json:"institute_ids"`
	Milestones    []Milestone `json:"milestones"`
	Outcomes      []Outcome   `json:"outcomes"`
	Timeline      []struct {
		On    string `json:"on"`
		Kind  string `json:"kind"`
		Title string `json:"title"`
	} `json:"timeline"`
	Sample    bool      `json:"sample"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ListChains lists chains.
func (c *Client) ListChains(ctx context.Context, q url.Values) (List[Chain], error) {
	return list[Chain](c, ctx, "/api/v1/chains", q)
}

// CreateChain creates a chain; body is sent as given.
func (c *Client) CreateChain(ctx context.Context, body any) (Chain, error) {
	return send[Chain](c, ctx, "POST", "/api/v1/chains", body, 0)
}

// GetChain reads a chain.
func (c *Client) GetChain(ctx context.Context, id string) (Chain, error) {
	return get[Chain](c, ctx, "/api/v1/chains/"+url.PathEscape(id))
}

// UpdateChain patches a chain; version, when not 0, is sent as If-Match.
func (c *Client) UpdateChain(ctx context.Context, id string, patch any, version int) (Chain, error) {
	return send[Chain](c, ctx, "PATCH", "/api/v1/chains/"+url.PathEscape(id), patch, version)
}

// DeleteChain deletes a chain.
func (c *Client) DeleteChain(ctx context.Context, id string, version int) error {
	return del(c, ctx, "/api/v1/chains/"+url.PathEscape(id), version)
}

// GetChainMap reads a chain's map.
func (c *Client) GetChainMap(ctx context.Context, id string) (ChainMap, error) {
	return get[ChainMap](c, ctx, "/api/v1/chains/"+url.PathEscape(id)+"/map")
}

// ListInstitutes lists institutes.
func (c *Client) ListInstitutes(ctx context.Context, q url.Values) (List[Institute], error) {
	return list[Institute](c, ctx, "/api/v1/institutes", q)
}

// CreateInstitute creates an institute; body is sent as given.
func (c *Client) CreateInstitute(ctx context.Context, body any) (Institute, error) {
	return send[Institute](c, ctx, "POST", "/api/v1/institutes", body, 0)
}

// UpdateInstitute patches an institute.
func (c *Client) UpdateInstitute(ctx context.Context, id string, patch any, version int) (Institute, error) {
	return send[Institute](c, ctx, "PATCH", "/api/v1/institutes/"+url.PathEscape(id), patch, version)
}

// DeleteInstitute deletes an institute.
func (c *Client) DeleteInstitute(ctx context.Context, id string, version int) error {
	return del(c, ctx, "/api/v1/institutes/"+url.PathEscape(id), version)
}

// ListListings lists listings.
func (c *Client) ListListings(ctx context.Context, q url.Values) (List[Listing], error) {
	return list[Listing](c, ctx, "/api/v1/listings", q)
}

// CreateListing posts a listing; body is sent as given.
func (c *Client) CreateListing(ctx context.Context, body any) (Listing, error) {
	return send[Listing](c, ctx, "POST", "/api/v1/listings", body, 0)
}

// GetListing reads a listing.
func (c *Client) GetListing(ctx context.Context, id string) (Listing, error) {
	return get[Listing](c, ctx, "/api/v1/listings/"+url.PathEscape(id))
}

// UpdateListing patches a listing.
func (c *Client) UpdateListing(ctx context.Context, id string, patch any, version int) (Listing, error) {
	return send[Listing](c, ctx, "PATCH", "/api/v1/listings/"+url.PathEscape(id), patch, version)
}

// DeleteListing deletes a listing.
func (c *Client) DeleteListing(ctx context.Context, id string, version int) error {
	return del(c, ctx, "/api/v1/listings/"+url.PathEscape(id), version)
}

// Proposals ranks partners for a listing.
func (c *Client) Proposals(ctx context.Context, id string, limit int) (List[Proposal], error) {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	return list[Proposal](c, ctx, "/api/v1/listings/"+url.PathEscape(id)+"/proposals", q)
}

// ListMatches lists matches.
func (c *Client) ListMatches(ctx context.Context, q url.Values) (List[Match], error) {
	return list[Match](c, ctx, "/api/v1/matches", q)
}

// CreateMatch matches a need with an offer.
func (c *Client) CreateMatch(ctx context.Context, body any) (Match, error) {
	return send[Match](c, ctx, "POST", "/api/v1/matches", body, 0)
}

// GetMatch reads a match.
func (c *Client) GetMatch(ctx context.Context, id string) (Match, error) {
	return get[Match](c, ctx, "/api/v1/matches/"+url.PathEscape(id))
}

// ActOnMatch moves a match.
func (c *Client) ActOnMatch(ctx context.Context, id, action string) (Match, error) {
	return send[Match](c, ctx, "POST", "/api/v1/matches/"+url.PathEscape(id)+"/actions", map[string]string{"action": action}, 0)
}

// ListCooperations lists cooperations.
func (c *Client) ListCooperations(ctx context.Context, q url.Values) (List[Cooperation], error) {
	return list[Cooperation](c, ctx, "/api/v1/cooperations", q)
}

// CreateCooperation creates a cooperation.
func (c *Client) CreateCooperation(ctx context.Context, body any) (Cooperation, error) {
	return send[Cooperation](c, ctx, "POST", "/api/v1/cooperations", body, 0)
}

// GetCooperation reads a cooperation.
func (c *Client) GetCooperation(ctx context.Context, id string) (Cooperation, error) {
	return get[Cooperation](c, ctx, "/api/v1/cooperations/"+url.PathEscape(id))
}

// UpdateCooperation patches a cooperation.
func (c *Client) UpdateCooperation(ctx context.Context, id string, patch any, version int) (Cooperation, error) {
	return send[Cooperation](c, ctx, "PATCH", "/api/v1/cooperations/"+url.PathEscape(id), patch, version)
}

// ActOnCooperation moves a cooperation.
func (c *Client) ActOnCooperation(ctx context.Context, id, action string) (Cooperation, error) {
	return send[Cooperation](c, ctx, "POST", "/api/v1/cooperations/"+url.PathEscape(id)+"/actions", map[string]string{"action": action}, 0)
}

// ChainOption is a chain with its segments, as a listing's picker shows it.
type ChainOption struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Segments []struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Stage string `json:"stage"`
	} `json:"segments"`
}

// ChainOptions lists the chains the caller may place a listing on.
func (c *Client) ChainOptions(ctx context.Context) ([]ChainOption, error) {
	var out struct {
		Items []ChainOption `json:"items"`
	}
	_, err := c.typed(ctx, "GET", "/api/v1/chain-options", nil, &out, nil)
	return out.Items, err
}
