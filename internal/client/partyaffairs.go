package client

import (
	"context"
	"net/url"
	"time"
)

// Due is a member's dues of one month.
type Due struct {
	ID           string    `json:"id"`
	ZoneID       string    `json:"zone_id"`
	OrgID        string    `json:"org_id"`
	OrgName      string    `json:"org_name"`
	PersonID     string    `json:"person_id"`
	PersonName   string    `json:"person_name"`
	Month        string    `json:"month"`
	BaseFen      int64     `json:"base_fen"`
	Band         int       `json:"band"`
	RatePermille int       `json:"rate_permille"`
	AmountFen    int64     `json:"amount_fen"`
	PaidOn       string    `json:"paid_on"`
	Note         string    `json:"note"`
	Version      int       `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Arrears is the list of members behind with their dues.
type Arrears struct {
	Items []struct {
		PersonID   string   `json:"person_id"`
		PersonName string   `json:"person_name"`
		OrgID      string   `json:"org_id"`
		OrgName    string   `json:"org_name"`
		JoinedOn   string   `json:"joined_on"`
		Months     []string `json:"months"`
		Count      int      `json:"count"`
	} `json:"items"`
	NextCursor *string `json:"next_cursor"`
	Total      int     `json:"total"`
	From       string  `json:"from"`
	To         string  `json:"to"`
}

// Election is the record of a term election.
type Election struct {
	ID         string `json:"id"`
	ZoneID     string `json:"zone_id"`
	OrgID      string `json:"org_id"`
	OrgName    string `json:"org_name"`
	HeldOn     string `json:"held_on"`
	Seats      int    `json:"seats"`
	Voters     int    `json:"voters"`
	TermEndsOn string `json:"term_ends_on"`
	Note       string `json:"note"`
	Candidates []struct {
		Name     string  `json:"name"`
		PersonID *string `json:"person_id"`
		Votes    int     `json:"votes"`
		Elected  bool    `json:"elected"`
	} `json:"candidates"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Development is a person's development into the party.
type Development struct {
	ID         string `json:"id"`
	ZoneID     string `json:"zone_id"`
	OrgID      string `json:"org_id"`
	OrgName    string `json:"org_name"`
	PersonID   string `json:"person_id"`
	PersonName string `json:"person_name"`
	Stage      string `json:"stage"`
	Stages     []struct {
		Stage     string `json:"stage"`
		ReachedOn string `json:"reached_on"`
		Note      string `json:"note"`
	} `json:"stages"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// MyParty is a member's own party affairs.
type MyParty struct {
	PersonID    string       `json:"person_id"`
	Name        string       `json:"name"`
	Status      *string      `json:"status"`
	OrgID       *string      `json:"org_id"`
	OrgName     string       `json:"org_name"`
	JoinedOn    *string      `json:"joined_on"`
	Dues        []Due        `json:"dues"`
	Owed        []string     `json:"owed"`
	Development *Development `json:"development"`
	Bands       []struct {
		Band         int   `json:"band"`
		UpToFen      int64 `json:"up_to_fen"`
		RatePermille int   `json:"rate_permille"`
	} `json:"bands"`
}

// Brand is an enterprise's party-building brand.
type Brand struct {
	ID             string  `json:"id"`
	ZoneID         string  `json:"zone_id"`
	EnterpriseID   string  `json:"enterprise_id"`
	EnterpriseName string  `json:"enterprise_name"`
	OrgID          *string `json:"org_id"`
	OrgName        string  `json:"org_name"`
	Name           string  `json:"name"`
	Slogan         string  `json:"slogan"`
	Description    string  `json:"description"`
	Function       string  `json:"function"`
	Practices      []struct {
		Title       string `json:"title"`
		Description string `json:"description"`
	} `json:"practices"`
	Evaluations []struct {
		ID        string    `json:"id"`
		Year      int       `json:"year"`
		Score     int       `json:"score"`
		Grade     string    `json:"grade"`
		Note      string    `json:"note"`
		CreatedAt time.Time `json:"created_at"`
	} `json:"evaluations"`
	LatestScore *int      `json:"latest_score"`
	Sample      bool      `json:"sample"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Innovation is an entry of the innovation log.
type Innovation struct {
	ID            string    `json:"id"`
	ZoneID        string    `json:"zone_id"`
	OrganizerID   string    `json:"organizer_id"`
	OrganizerName string    `json:"organizer_name"`
	Level         string    `json:"level"`
	ParkID        *string   `json:"park_id"`
	Title         string    `json:"title"`
	Practice      string    `json:"practice"`
	Function      string    `json:"function"`
	Results       string    `json:"results"`
	IntroducedOn  string    `json:"introduced_on"`
	Tags          []string  `json:"tags"`
	Sample        bool      `json:"sample"`
	Version       int       `json:"version"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// InnovationCount is one group of the innovation report.
type InnovationCount struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// InnovationReport is the innovation log summed.
type InnovationReport struct {
	Total      int               `json:"total"`
	ByFunction []InnovationCount `json:"by_function"`
	ByLevel    []InnovationCount `json:"by_level"`
	ByYear     []InnovationCount `json:"by_year"`
	ByTag      []InnovationCount `json:"by_tag"`
}

// RecordDue records a month's dues.
func (c *Client) RecordDue(ctx context.Context, body any) (Due, error) {
	var out Due
	_, err := c.typed(ctx, "POST", "/api/v1/party-dues", body, &out, nil)
	return out, err
}

// ListDues lists dues.
func (c *Client) ListDues(ctx context.Context, q url.Values) (List[Due], error) {
	var out List[Due]
	_, err := c.typed(ctx, "GET", "/api/v1/party-dues"+query(q), nil, &out, nil)
	return out, err
}

// GetDue reads one due.
func (c *Client) GetDue(ctx context.Context, id string) (Due, error) {
	var out Due
	_, err := c.typed(ctx, "GET", "/api/v1/party-dues/"+id, nil, &out, nil)
	return out, err
}

// DeleteDue takes a due back.
func (c *Client) DeleteDue(ctx context.Context, id string, version int) error {
	_, err := c.typed(ctx, "DELETE", "/api/v1/party-dues/"+id, nil, nil, ifMatch(version))
	return err
}

// Arrears lists members behind with their dues.
func (c *Client) Arrears(ctx context.Context, q url.Values) (Arrears, error) {
	var out Arrears
	_, err := c.typed(ctx, "GET", "/api/v1/party-dues/arrears"+query(q), nil, &out, nil)
	return out, err
}

// RecordElection records a term election.
func (c *Client) RecordElection(ctx context.Context, body any) (Election, error) {
	var out Election
	_, err := c.typed(ctx, "POST", "/api/v1/party-elections", body, &out, nil)
	return out, err
}

// ListElections lists elections.
func (c *Client) ListElections(ctx context.Context, q url.Values) (List[Election], error) {
	var out List[Election]
	_, err := c.typed(ctx, "GET", "/api/v1/party-elections"+query(q), nil, &out, nil)
	return out, err
}

// GetElection reads one election.
func (c *Client) GetElection(ctx context.Context, id string) (Election, error) {
	var out Election
	_, err := c.typed(ctx, "GET", "/api/v1/party-elections/"+id, nil, &out, nil)
	return out, err
}

// StartDevelopment records an application.
func (c *Client) StartDevelopment(ctx context.Context, body any) (Development, error) {
	var out Development
	_, err := c.typed(ctx, "POST", "/api/v1/party-development", body, &out, nil)
	return out, err
}

// ListDevelopment lists development records.
func (c *Client) ListDevelopment(ctx context.Context, q url.Values) (List[Development], error) {
	var out List[Development]
	_, err := c.typed(ctx, "GET", "/api/v1/party-development"+query(q), nil, &out, nil)
	return out, err
}

// GetDevelopment reads one development record.
func (c *Client) GetDevelopment(ctx context.Context, id string) (Development, error) {
	var out Development
	_, err := c.typed(ctx, "GET", "/api/v1/party-development/"+id, nil, &out, nil)
	return out, err
}

// Advance moves a development to its next stage.
func (c *Client) Advance(ctx context.Context, id string, body any, version int) (Development, error) {
	var out Development
	_, err := c.typed(ctx, "POST", "/api/v1/party-development/"+id+"/stages", body, &out, ifMatch(version))
	return out, err
}

// MyParty reads the signed-in member's own party affairs.
func (c *Client) MyParty(ctx context.Context) (MyParty, error) {
	var out MyParty
	_, err := c.typed(ctx, "GET", "/api/v1/me/party", nil, &out, nil)
	return out, err
}

// CreateBrand creates a brand.
func (c *Client) CreateBrand(ctx context.Context, body any) (Brand, error) {
	var out Brand
	_, err := c.typed(ctx, "POST", "/api/v1/brands", body, &out, nil)
	return out, err
}

// ListBrands lists brands.
func (c *Client) ListBrands(ctx context.Context, q url.Values) (List[Brand], error) {
	var out List[Brand]
	_, err := c.typed(ctx, "GET", "/api/v1/brands"+query(q), nil, &out, nil)
	return out, err
}

// GetBrand reads one brand.
func (c *Client) GetBrand(ctx context.Context, id string) (Brand, error) {
	var out Brand
	_, err := c.typed(ctx, "GET", "/api/v1/brands/"+id, nil, &out, nil)
	return out, err
}

// UpdateBrand patches a brand.
func (c *Client) UpdateBrand(ctx context.Context, id string, patch any, version int) (Brand, error) {
	var out Brand
	_, err := c.typed(ctx, "PATCH", "/api/v1/brands/"+id, patch, &out, ifMatch(version))
	return out, err
}

// DeleteBrand deletes a brand.
func (c *Client) DeleteBrand(ctx context.Context, id string, version int) error {
	_, err := c.typed(ctx, "DELETE", "/api/v1/brands/"+id, nil, nil, ifMatch(version))
	return err
}

// EvaluateBrand records a brand's yearly evaluation.
func (c *Client) EvaluateBrand(ctx context.Context, id string, body any) (Brand, error) {
	var out Brand
	_, err := c.typed(ctx, "POST", "/api/v1/brands/"+id+"/evaluations", body, &out, nil)
	return out, err
}

// LogInnovation logs an innovation.
func (c *Client) LogInnovation(ctx context.Context, body any) (Innovation, error) {
	var out Innovation
	_, err := c.typed(ctx, "POST", "/api/v1/innovations", body, &out, nil)
	return out, err
}

// ListInnovations lists the innovation log.
func (c *Client) ListInnovations(ctx context.Context, q url.Values) (List[Innovation], error) {
	var out List[Innovation]
	_, err := c.typed(ctx, "GET", "/api/v1/innovations"+query(q), nil, &out, nil)
	return out, err
}

// GetInnovation reads one entry.
func (c *Client) GetInnovation(ctx context.Context, id string) (Innovation, error) {
	var out Innovation
	_, err := c.typed(ctx, "GET", "/api/v1/innovations/"+id, nil, &out, nil)
	return out, err
}

// UpdateInnovation patches an entry.
func (c *Client) UpdateInnovation(ctx context.Context, id string, patch any, version int) (Innovation, error) {
	var out Innovation
	_, err := c.typed(ctx, "PATCH", "/api/v1/innovations/"+id, patch, &out, ifMatch(version))
	return out, err
}

// DeleteInnovation deletes an entry.
func (c *Client) DeleteInnovation(ctx context.Context, id string, version int) error {
	_, err := c.typed(ctx, "DELETE", "/api/v1/innovations/"+id, nil, nil, ifMatch(version))
	return err
}

// ReportInnovations sums the innovation log.
func (c *Client) ReportInnovations(ctx context.Context, q url.Values) (InnovationReport, error) {
	var out InnovationReport
	_, err := c.typed(ctx, "GET", "/api/v1/innovations/report"+query(q), nil, &out, nil)
	return out, err
}
