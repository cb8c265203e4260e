// Package invitationsapi serves invitations over HTTP: staff invite the
// people of their scope, and the holder of a link accepts it on the phone
// pages (/m/invite/<token>).
package invitationsapi

import (
	"context"
	_ "embed"
	"net/http"
	"sync"

	qrcode "github.com/skip2/go-qrcode"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/auth"
	"tongxin/internal/auth/authapi"
	"tongxin/internal/httpx"
	"tongxin/internal/invitations"
	"tongxin/internal/kit"
	"tongxin/internal/people/peopleapi"
)

//go:embed openapi.yaml
var fragment []byte

// Domain returns the invitations domain for the server to mount.
// publicURL is the address people reach the platform at ("" takes it from
// each request's Host); secure marks the session cookie Secure.
func Domain(svc *invitations.Service, publicURL string, secure bool) kit.Domain {
	h := handler{svc: svc, publicURL: publicURL, secure: secure}
	return kit.Domain{
		Name: "invitations",
		Routes: []kit.Route{
			{Method: "GET", Path: "/api/v1/invitations", Perm: invitations.Manage, Resource: "invitation", Handle: h.list},
			// Not an idempotent create: a replay would have to keep the
			// token, which is shown once and stored only hashed.
			{Method: "POST", Path: "/api/v1/invitations", Perm: invitations.Manage, Resource: "invitation", Handle: h.create},
			{Method: "DELETE", Path: "/api/v1/invitations/{id}", Perm: invitations.Manage, Resource: "invitation", Handle: h.revoke},
			{Method: "GET", Path: "/api/v1/invitations/by-token/{token}", Access: kit.Public, Handle: h.view},
			{Method: "GET", Path: "/api/v1/invitations/by-token/{token}/qr", Access: kit.Public, Handle: h.qr},
			{Method: "POST", Path: "/api/v1/invitations/by-token/{token}/sms-codes", Access: kit.Public, Handle: h.sendCode},
			{Method: "POST", Path: "/api/v1/invitations/by-token/{token}/accept", Access: kit.Public, Handle: h.accept},
		},
		OpenAPI:  fragment,
		Locales:  invitations.Locales(),
		Tables:   []string{"invitations"},
		Fixtures: []kit.Fixture{invitationFixture},
	}
}

type handler struct {
	svc       *invitations.Service
	publicURL string
	secure    bool
}

// base is the address invitation links start with.
func (h handler) base(r *http.Request) string {
	if h.publicURL != "" {
		return h.publicURL
	}
	scheme := "http"
	if r.TLS != nil || h.secure {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (h handler) link(r *http.Request, token string) string { return h.base(r) + "/m/invite/" + token }

func (h handler) list(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.ParsePage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, err := h.svc.List(r.Context(), invitations.Filter{PersonID: q.Get("person_id"), Status: q.Get("status")}, p)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, list)
	return nil
}

type createRequest struct {
	PersonID       string `json:"person_id"`
	ExpiresInHours *int   `json:"expires_in_hours"`
}

type createResponse struct {
	invitations.Invitation
	URL   string `json:"url"`
	QRURL string `json:"qr_url"`
}

func (h handler) create(w http.ResponseWriter, r *http.Request) error {
	var in createRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	hours := 0
	if in.ExpiresInHours != nil {
		if hours = *in.ExpiresInHours; hours == 0 {
			return apperr.Field("expires_in_hours", "out_of_range", "Min", 1, "Max", invitations.MaxHours)
		}
	}
	c, err := h.svc.Create(r.Context(), in.PersonID, hours)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/invitations?person_id="+c.PersonID)
	httpx.JSON(w, http.StatusCreated, createResponse{Invitation: c.Invitation, URL: h.link(r, c.Token),
		QRURL: "/api/v1/invitations/by-token/" + c.Token + "/qr"})
	return nil
}

func (h handler) revoke(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.Revoke(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

func (h handler) view(w http.ResponseWriter, r *http.Request) error {
	v, err := h.svc.View(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, v)
	return nil
}

// qr serves the link of a pending invitation as a PNG QR code.
func (h handler) qr(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	if _, err := h.svc.View(r.Context(), token); err != nil {
		return err
	}
	png, err := qrcode.Encode(h.link(r, token), qrcode.Medium, 320)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(png)
	return err
}

type codeRequest struct {
	Phone string `json:"phone"`
}

type codeResponse struct {
	ExpiresIn int `json:"expires_in"`
}

func (h handler) sendCode(w http.ResponseWriter, r *http.Request) error {
	var in codeRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if err := h.svc.SendCode(r.Context(), r.PathValue("token"), in.Phone); err != nil {
		return err
	}
	httpx.JSON(w, http.StatusAccepted, codeResponse{ExpiresIn: int(auth.CodeTTL.Seconds())})
	return nil
}

type acceptRequest struct {
	Phone    string `json:"phone"`
	Password string `json:"password"`
	SMSCode  string `json:"sms_code"`
}

func (h handler) accept(w http.ResponseWriter, r *http.Request) error {
	var in acceptRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	res, err := h.svc.Accept(r.Context(), r.PathValue("token"), invitations.Accept{Phone: in.Phone, Password: in.Password, SMSCode: in.SMSCode})
	if err != nil {
		return err
	}
	authapi.SignedIn(w, res, h.secure)
	return nil
}

// The matrix test makes invitations of people it makes through the API;
// a create body names the person made for the same node.
var (
	fixtureMu      sync.Mutex
	fixturePersons = map[string]string{} // node id → a person made under it
)

var invitationFixture = kit.Fixture{
	Resource: "invitation",
	Under:    []string{access.KindOrg, access.KindEnterprise, access.KindZone},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		var p struct {
			ID string `json:"id"`
		}
		if err := c.Call(ctx, "POST", "/api/v1/people", peopleapi.CreateBody(under), &p); err != nil {
			return nil, err
		}
		fixtureMu.Lock()
		fixturePersons[under.ID] = p.ID
		fixtureMu.Unlock()
		var inv struct {
			ID string `json:"id"`
		}
		err := c.Call(ctx, "POST", "/api/v1/invitations", map[string]any{"person_id": p.ID, "expires_in_hours": 24}, &inv)
		return map[string]string{"id": inv.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		fixtureMu.Lock()
		defer fixtureMu.Unlock()
		return map[string]any{"person_id": fixturePersons[under.ID], "expires_in_hours": 48}
	},
}
