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
	return send[Due](c, ctx, "POST", "/api/v1/party-dues", body, 0)
}

// ListDues lists dues.
func (c *Client) ListDues(ctx context.Context, q url.Values) (List[Due], error) {
	return list[Due](c, ctx, "/api/v1/party-dues", q)
}

// GetDue reads one due.
func (c *Client) GetDue(ctx context.Context, id string) (Due, error) {
	return get[Due](c, ctx, "/api/v1/party-dues/"+id)
}

// DeleteDue takes a due back.
func (c *Client) DeleteDue(ctx context.Context, id string, version int) error {
	return del(c, ctx, "/api/v1/party-dues/"+id, version)
}

// Arrears lists members behind with their dues.
func (c *Client) Arrears(ctx context.Context, q url.Values) (Arrears, error) {
	return get[Arrears](c, ctx, "/api/v1/party-dues/arrears"+query(q))
}

// RecordElection records a term election.
func (c *Client) RecordElection(ctx context.Context, body any) (Election, error) {
	return send[Election](c, ctx, "POST", "/api/v1/party-elections", body, 0)
}

// ListElections lists elections.
func (c *Client) ListElections(ctx context.Context, q url.Values) (List[Election], error) {
	return list[Election](c, ctx, "/api/v1/party-elections", q)
}

// GetElection reads one election.
func (c *Client) GetElection(ctx context.Context, id string) (Election, error) {
	return get[Election](c, ctx, "/api/v1/party-elections/"+id)
}

// StartDevelopment records an application.
func (c *Client) StartDevelopment(ctx context.Context, body any) (Development, error) {
	return send[Development](c, ctx, "POST", "/api/v1/party-development", body, 0)
}

// ListDevelopment lists development records.
func (c *Client) ListDevelopment(ctx context.Context, q url.Values) (List[Development], error) {
	return list[Development](c, ctx, "/api/v1/party-development", q)
}

// GetDevelopment reads one development record.
func (c *Client) GetDevelopment(ctx context.Context, id string) (Development, error) {
	return get[Development](c, ctx, "/api/v1/party-development/"+id)
}

// Advance moves a development to its next stage.
func (c *Client) Advance(ctx context.Context, id string, body any, version int) (Development, error) {
	return send[Development](c, ctx, "POST", "/api/v1/party-development/"+id+"/stages", body, version)
}

// MyParty reads the signed-in member's own party affairs.
func (c *Client) MyParty(ctx context.Context) (MyParty, error) {
	return get[MyParty](c, ctx, "/api/v1/me/party")
}

// CreateBrand creates a brand.
func (c *Client) CreateBrand(ctx context.Context, body any) (Brand, error) {
	return send[Brand](c, ctx, "POST", "/api/v1/brands", body, 0)
}

// ListBrands lists brands.
func (c *Client) ListBrands(ctx context.Context, q url.Values) (List[Brand], error) {
	return list[Brand](c, ctx, "/api/v1/brands", q)
}

// GetBrand reads one brand.
func (c *Client) GetBrand(ctx context.Context, id string) (Brand, error) {
	return get[Brand](c, ctx, "/api/v1/brands/"+id)
}

// UpdateBrand patches a brand.
func (c *Client) UpdateBrand(ctx context.Context, id string, patch any, version int) (Brand, error) {
	return send[Brand](c, ctx, "PATCH", "/api/v1/brands/"+id, patch, version)
}

// DeleteBrand deletes a brand.
func (c *Client) DeleteBrand(ctx context.Context, id string, version int) error {
	return del(c, ctx, "/api/v1/brands/"+id, version)
}

// EvaluateBrand records a brand's yearly evaluation.
func (c *Client) EvaluateBrand(ctx context.Context, id string, body any) (Brand, error) {
	return send[Brand](c, ctx, "POST", "/api/v1/brands/"+id+"/evaluations", body, 0)
}

// LogInnovation logs an innovation.
func (c *Client) LogInnovation(ctx context.Context, body any) (Innovation, error) {
	return send[Innovation](c, ctx, "POST", "/api/v1/innovations", body, 0)
}

// ListInnovations lists the innovation log.
func (c *Client) ListInnovations(ctx context.Context, q url.Values) (List[Innovation], error) {
	return list[Innovation](c, ctx, "/api/v1/innovations", q)
}

// GetInnovation reads one entry.
func (c *Client) GetInnovation(ctx context.Context, id string) (Innovation, error) {
	return get[Innovation](c, ctx, "/api/v1/innovations/"+id)
}

// UpdateInnovation patches an entry.
func (c *Client) UpdateInnovation(ctx context.Context, id string, patch any, version int) (Innovation, error) {
	return send[Innovation](c, ctx, "PATCH", "/api/v1/innovations/"+id, patch, version)
}

// DeleteInnovation deletes an entry.
func (c *Client) DeleteInnovation(ctx context.Context, id string, version int) error {
	return del(c, ctx, "/api/v1/innovations/"+id, version)
}

// ReportInnovations sums the innovation log.
func (c *Client) ReportInnovations(ctx context.Context, q url.Values) (InnovationReport, error) {
	return get[InnovationReport](c, ctx, "/api/v1/innovations/report"+query(q))
}
