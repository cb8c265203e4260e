package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Person is a person of a zone (phone and ID number masked unless
// revealed).
type Person struct {
	ID             string    `json:"id"`
	ZoneID         string    `json:"zone_id"`
	Name           string    `json:"name"`
	Gender         string    `json:"gender"`
	Phone          string    `json:"phone"`
	IDNumber       string    `json:"id_number"`
	EnterpriseID   *string   `json:"enterprise_id"`
	EnterpriseName string    `json:"enterprise_name"`
	Party          *Party    `json:"party"`
	OrgName        string    `json:"org_name"`
	Tags           []string  `json:"tags"`
	Sample         bool      `json:"sample"`
	Version        int       `json:"version"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Party is a member's standing.
type Party struct {
	Status        string  `json:"status"`
	OrgID         string  `json:"org_id"`
	JoinedOn      string  `json:"joined_on"`
	LastContactOn *string `json:"last_contact_on"`
}

// Transfer is one entry of a member's transfer history.
type Transfer struct {
	ID          string    `json:"id"`
	PersonID    string    `json:"person_id"`
	Kind        string    `json:"kind"`
	FromOrgID   *string   `json:"from_org_id"`
	FromOrgName string    `json:"from_org_name"`
	ToOrgID     *string   `json:"to_org_id"`
	ToOrgName   string    `json:"to_org_name"`
	OutsideOrg  string    `json:"outside_org"`
	OnDate      string    `json:"on_date"`
	Note        string    `json:"note"`
	ActorID     *string   `json:"actor_id"`
	CreatedAt   time.Time `json:"created_at"`
}

// ListPeople lists people with query parameters q.
func (c *Client) ListPeople(ctx context.Context, q url.Values) (List[Person], error) {
	var out List[Person]
	_, err := c.typed(ctx, "GET", "/api/v1/people"+query(q), nil, &out, nil)
	return out, err
}

// CreatePerson creates a person; body is sent as given.
func (c *Client) CreatePerson(ctx context.Context, body any) (Person, error) {
	var out Person
	_, err := c.typed(ctx, "POST", "/api/v1/people", body, &out, nil)
	return out, err
}

// GetPerson reads a person; reveal asks for phone and ID number in clear.
func (c *Client) GetPerson(ctx context.Context, id string, reveal bool) (Person, error) {
	var out Person
	path := "/api/v1/people/" + url.PathEscape(id)
	if reveal {
		path += "?reveal=true"
	}
	_, err := c.typed(ctx, "GET", path, nil, &out, nil)
	return out, err
}

// MyPerson reads the caller's own record.
func (c *Client) MyPerson(ctx context.Context) (Person, error) {
	var out Person
	_, err := c.typed(ctx, "GET", "/api/v1/people/me", nil, &out, nil)
	return out, err
}

// UpdatePerson patches a person; version, when not 0, is sent as If-Match.
func (c *Client) UpdatePerson(ctx context.Context, id string, patch any, version int) (Person, error) {
	var out Person
	_, err := c.typed(ctx, "PATCH", "/api/v1/people/"+url.PathEscape(id), patch, &out, ifMatch(version))
	return out, err
}

// DeletePerson deletes a person; version, when not 0, is sent as If-Match.
func (c *Client) DeletePerson(ctx context.Context, id string, version int) error {
	_, err := c.typed(ctx, "DELETE", "/api/v1/people/"+url.PathEscape(id), nil, nil, ifMatch(version))
	return err
}

// TransferPerson records a transfer of a member's party organisation.
func (c *Client) TransferPerson(ctx context.Context, id string, body any) (Transfer, error) {
	var out Transfer
	_, err := c.typed(ctx, "POST", "/api/v1/people/"+url.PathEscape(id)+"/transfers", body, &out, http.Header{})
	return out, err
}

// ListTransfers lists a person's transfer history, newest first.
func (c *Client) ListTransfers(ctx context.Context, id string, q url.Values) (List[Transfer], error) {
	var out List[Transfer]
	_, err := c.typed(ctx, "GET", "/api/v1/people/"+url.PathEscape(id)+"/transfers"+query(q), nil, &out, nil)
	return out, err
}
