package client

import (
	"context"
	"net/url"
	"time"
)

// Invitation is an invitation as staff see it.
type Invitation struct {
	ID         string     `json:"id"`
	ZoneID     string     `json:"zone_id"`
	PersonID   string     `json:"person_id"`
	PersonName string     `json:"person_name"`
	Status     string     `json:"status"`
	ExpiresAt  time.Time  `json:"expires_at"`
	AcceptedAt *time.Time `json:"accepted_at"`
	UserID     *string    `json:"user_id"`
	CreatedBy  *string    `json:"created_by"`
	Version    int        `json:"version"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// CreatedInvitation is a new invitation with its link, shown once.
type CreatedInvitation struct {
	Invitation
	URL   string `json:"url"`
	QRURL string `json:"qr_url"`
}

// InvitationView is what the holder of a link sees.
type InvitationView struct {
	PersonName  string    `json:"person_name"`
	PhoneMasked string    `json:"phone_masked"`
	ZoneName    string    `json:"zone_name"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// Invite creates an invitation for a person (hours 0: the default).
func (c *Client) Invite(ctx context.Context, personID string, hours int) (CreatedInvitation, error) {
	body := map[string]any{"person_id": personID}
	if hours != 0 {
		body["expires_in_hours"] = hours
	}
	var out CreatedInvitation
	_, err := c.typed(ctx, "POST", "/api/v1/invitations", body, &out, nil)
	return out, err
}

// ListInvitations lists invitations with query parameters q.
func (c *Client) ListInvitations(ctx context.Context, q url.Values) (List[Invitation], error) {
	var out List[Invitation]
	_, err := c.typed(ctx, "GET", "/api/v1/invitations"+query(q), nil, &out, nil)
	return out, err
}

// RevokeInvitation revokes an invitation.
func (c *Client) RevokeInvitation(ctx context.Context, id string) error {
	_, err := c.typed(ctx, "DELETE", "/api/v1/invitations/"+url.PathEscape(id), nil, nil, nil)
	return err
}

// ViewInvitation reads the public view of the invitation of token.
func (c *Client) ViewInvitation(ctx context.Context, token string) (InvitationView, error) {
	var out InvitationView
	_, err := c.typed(ctx, "GET", "/api/v1/invitations/by-token/"+url.PathEscape(token), nil, &out, nil)
	return out, err
}

// AcceptInvitation accepts the invitation of token and keeps the new
// session's token for later calls.
func (c *Client) AcceptInvitation(ctx context.Context, token, phone, password, smsCode string) (LoginResponse, error) {
	body := map[string]string{"phone": phone, "password": password}
	if smsCode != "" {
		body["sms_code"] = smsCode
	}
	var out LoginResponse
	_, err := c.typed(ctx, "POST", "/api/v1/invitations/by-token/"+url.PathEscape(token)+"/accept", body, &out, nil)
	if err == nil {
		c.Token = out.Token
	}
	return out, err
}

// InvitationCode asks for a code confirming phone for the invitation of
// token.
func (c *Client) InvitationCode(ctx context.Context, token, phone string) error {
	_, err := c.typed(ctx, "POST", "/api/v1/invitations/by-token/"+url.PathEscape(token)+"/sms-codes", map[string]string{"phone": phone}, nil, nil)
	return err
}

// PhoneLogin signs in with a phone number and a password or (password "")
// an SMS code, and keeps the token for later calls.
func (c *Client) PhoneLogin(ctx context.Context, phone, password, smsCode string) (LoginResponse, error) {
	body := map[string]string{"phone": phone}
	if password != "" {
		body["password"] = password
	}
	if smsCode != "" {
		body["sms_code"] = smsCode
	}
	var out LoginResponse
	c.Token = ""
	_, err := c.typed(ctx, "POST", "/api/v1/auth/phone-login", body, &out, nil)
	if err == nil {
		c.Token = out.Token
	}
	return out, err
}

// SMSCode asks for a one-time code (purpose login or reset).
func (c *Client) SMSCode(ctx context.Context, phone, purpose string) error {
	_, err := c.typed(ctx, "POST", "/api/v1/auth/sms-codes", map[string]string{"phone": phone, "purpose": purpose}, nil, nil)
	return err
}

// ResetPasswordByCode sets a new password with a code (purpose reset).
func (c *Client) ResetPasswordByCode(ctx context.Context, phone, smsCode, password string) error {
	_, err := c.typed(ctx, "POST", "/api/v1/auth/password-reset", map[string]string{"phone": phone, "sms_code": smsCode, "password": password}, nil, nil)
	return err
}
