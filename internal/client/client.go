// Package client is a typed Go client of the Tongxin API. The integration
// tests drive the server through it; scripts may too. It keeps its own wire
// types (types.go) rather than the server's structs, so a renamed JSON tag
// on the server breaks a test instead of passing unnoticed.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// Client talks to one server as one caller.
type Client struct {
	Base  string
	HTTP  *http.Client
	Token string
	Lang  string // Accept-Language; "" sends none
	// Check, when set, sees every exchange (tests validate responses
	// against the OpenAPI document here).
	Check func(req *http.Request, resp *http.Response, body []byte)
}

// New returns a client of base.
func New(base string) *Client { return &Client{Base: base, HTTP: http.DefaultClient} }

// Error is a non-2xx answer.
type Error struct {
	Status  int
	Header  http.Header
	Problem Problem
}

func (e *Error) Error() string {
	return fmt.Sprintf("HTTP %d: %s: %s", e.Status, e.Problem.Title, e.Problem.Detail)
}

// StatusOf returns the HTTP status of an error from this client (0 for
// nil, -1 for transport errors).
func StatusOf(err error) int {
	if err == nil {
		return 0
	}
	if e, ok := err.(*Error); ok {
		return e.Status
	}
	return -1
}

// Do sends a request with a JSON body (in, unless nil) and decodes a 2xx
// JSON answer into out (unless nil; fields out lacks are ignored). Extra
// headers go in hdr.
func (c *Client) Do(ctx context.Context, method, path string, in, out any, hdr http.Header) (*http.Response, error) {
	return c.do(ctx, method, path, in, out, hdr, false)
}

// typed is Do for the client's own wire types: a field of the answer the
// type does not know (a renamed or added tag) fails the call.
func (c *Client) typed(ctx context.Context, method, path string, in, out any, hdr http.Header) (*http.Response, error) {
	return c.do(ctx, method, path, in, out, hdr, true)
}

func (c *Client) do(ctx context.Context, method, path string, in, out any, hdr http.Header, strict bool) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, body)
	if err != nil {
		return nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp, err
	}
	if c.Check != nil {
		c.Check(req, resp, b)
	}
	if resp.StatusCode >= 300 {
		e := &Error{Status: resp.StatusCode, Header: resp.Header}
		json.Unmarshal(b, &e.Problem)
		return resp, e
	}
	if out != nil && len(b) > 0 {
		dec := json.NewDecoder(bytes.NewReader(b))
		if strict {
			dec.DisallowUnknownFields()
		}
		if err := dec.Decode(out); err != nil {
			return resp, fmt.Errorf("decoding %s %s: %w", method, path, err)
		}
	}
	return resp, nil
}

// Call sends a request and decodes a 2xx answer into out (the shape the
// authorisation matrix fixtures use).
func (c *Client) Call(ctx context.Context, method, path string, body, out any) error {
	_, err := c.Do(ctx, method, path, body, out, nil)
	return err
}

// Login signs in and keeps the token for later calls.
func (c *Client) Login(ctx context.Context, username, password string) (LoginResponse, error) {
	var out LoginResponse
	c.Token = ""
	_, err := c.typed(ctx, "POST", "/api/v1/auth/login", map[string]string{"username": username, "password": password}, &out, nil)
	if err == nil {
		c.Token = out.Token
	}
	return out, err
}

// As returns a copy of c signed in as username.
func (c *Client) As(ctx context.Context, username, password string) (*Client, error) {
	cc := *c
	cc.Token = ""
	_, err := cc.Login(ctx, username, password)
	return &cc, err
}

// Logout ends the session.
func (c *Client) Logout(ctx context.Context) error {
	_, err := c.typed(ctx, "POST", "/api/v1/auth/logout", nil, nil, nil)
	return err
}

// Session reads the caller's session.
func (c *Client) Session(ctx context.Context) (Session, error) {
	var out Session
	_, err := c.typed(ctx, "GET", "/api/v1/auth/session", nil, &out, nil)
	return out, err
}

func query(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

func ifMatch(version int) http.Header {
	h := http.Header{}
	if version != 0 {
		h.Set("If-Match", `"`+strconv.Itoa(version)+`"`)
	}
	return h
}

// get reads path into a T (typed: an unknown field fails).
func get[T any](c *Client, ctx context.Context, path string) (T, error) {
	var out T
	_, err := c.typed(ctx, "GET", path, nil, &out, nil)
	return out, err
}

// list reads one page of the collection at path, filtered and paged by q.
func list[T any](c *Client, ctx context.Context, path string, q url.Values) (List[T], error) {
	return get[List[T]](c, ctx, path+query(q))
}

// send sends body with method and reads the answer into a T; version,
// when not 0, is sent as If-Match.
func send[T any](c *Client, ctx context.Context, method, path string, body any, version int) (T, error) {
	var out T
	_, err := c.typed(ctx, method, path, body, &out, ifMatch(version))
	return out, err
}

// del deletes path; version, when not 0, is sent as If-Match.
func del(c *Client, ctx context.Context, path string, version int) error {
	_, err := c.typed(ctx, "DELETE", path, nil, nil, ifMatch(version))
	return err
}

// ListZones lists zones.
func (c *Client) ListZones(ctx context.Context, q url.Values) (List[Zone], error) {
	var out List[Zone]
	_, err := c.typed(ctx, "GET", "/api/v1/zones"+query(q), nil, &out, nil)
	return out, err
}

// CreateZone creates a zone (platform administrators).
func (c *Client) CreateZone(ctx context.Context, name string) (Zone, error) {
	var out Zone
	_, err := c.typed(ctx, "POST", "/api/v1/zones", map[string]string{"name": name}, &out, nil)
	return out, err
}

// ListParks lists parks with query parameters q.
func (c *Client) ListParks(ctx context.Context, q url.Values) (List[Park], error) {
	var out List[Park]
	_, err := c.typed(ctx, "GET", "/api/v1/parks"+query(q), nil, &out, nil)
	return out, err
}

// CreatePark creates a park; body is sent as given.
func (c *Client) CreatePark(ctx context.Context, body any) (Park, error) {
	var out Park
	_, err := c.typed(ctx, "POST", "/api/v1/parks", body, &out, nil)
	return out, err
}

// GetPark reads a park.
func (c *Client) GetPark(ctx context.Context, id string) (Park, error) {
	var out Park
	_, err := c.typed(ctx, "GET", "/api/v1/parks/"+url.PathEscape(id), nil, &out, nil)
	return out, err
}

// UpdatePark patches a park; version, when not 0, is sent as If-Match.
func (c *Client) UpdatePark(ctx context.Context, id string, patch any, version int) (Park, error) {
	var out Park
	_, err := c.typed(ctx, "PATCH", "/api/v1/parks/"+url.PathEscape(id), patch, &out, ifMatch(version))
	return out, err
}

// DeletePark deletes a park; version, when not 0, is sent as If-Match.
func (c *Client) DeletePark(ctx context.Context, id string, version int) error {
	_, err := c.typed(ctx, "DELETE", "/api/v1/parks/"+url.PathEscape(id), nil, nil, ifMatch(version))
	return err
}

// CreateUser creates a user.
func (c *Client) CreateUser(ctx context.Context, body any) (User, error) {
	var out User
	_, err := c.typed(ctx, "POST", "/api/v1/users", body, &out, nil)
	return out, err
}

// GetUser reads a user.
func (c *Client) GetUser(ctx context.Context, id string) (User, error) {
	var out User
	_, err := c.typed(ctx, "GET", "/api/v1/users/"+url.PathEscape(id), nil, &out, nil)
	return out, err
}

// Grant gives a user role on scopeID.
func (c *Client) Grant(ctx context.Context, userID, role, scopeID string) (Grant, error) {
	var out Grant
	_, err := c.typed(ctx, "POST", "/api/v1/users/"+url.PathEscape(userID)+"/grants", map[string]string{"role": role, "scope_id": scopeID}, &out, nil)
	return out, err
}

// Revoke removes a grant.
func (c *Client) Revoke(ctx context.Context, userID, grantID string) error {
	_, err := c.typed(ctx, "DELETE", "/api/v1/users/"+url.PathEscape(userID)+"/grants/"+url.PathEscape(grantID), nil, nil, nil)
	return err
}

// ResetPassword sets another user's password.
func (c *Client) ResetPassword(ctx context.Context, userID, password string) error {
	_, err := c.typed(ctx, "POST", "/api/v1/users/"+url.PathEscape(userID)+"/password", map[string]string{"password": password}, nil, nil)
	return err
}

// ListUsers lists users.
func (c *Client) ListUsers(ctx context.Context, q url.Values) (List[User], error) {
	var out List[User]
	_, err := c.typed(ctx, "GET", "/api/v1/users"+query(q), nil, &out, nil)
	return out, err
}

// Audit lists audit entries.
func (c *Client) Audit(ctx context.Context, q url.Values) (List[AuditEntry], error) {
	var out List[AuditEntry]
	_, err := c.typed(ctx, "GET", "/api/v1/audit"+query(q), nil, &out, nil)
	return out, err
}
