// Package authapi serves sign-in, the session and one's own password over
// HTTP, and resolves the caller of every request (Middleware).
package authapi

import (
	_ "embed"
	"net/http"
	"net/url"
	"strings"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/auth"
	"tongxin/internal/httpx"
	"tongxin/internal/kit"
)

//go:embed openapi.yaml
var fragment []byte

// Domain returns the sign-in domain for the server to mount.
func Domain(svc *auth.Service, cookieSecure bool) kit.Domain {
	h := handler{svc: svc, secure: cookieSecure}
	return kit.Domain{
		Name: "auth",
		Routes: []kit.Route{
			{Method: "POST", Path: "/api/v1/auth/login", Access: kit.Public, Handle: h.login},
			{Method: "GET", Path: "/api/v1/auth/session", Access: kit.Self, Handle: h.session},
			{Method: "POST", Path: "/api/v1/auth/logout", Access: kit.Self, Handle: h.logout},
			{Method: "POST", Path: "/api/v1/auth/password", Access: kit.Self, Handle: h.changePassword},
		},
		OpenAPI: fragment,
		Locales: auth.Locales(),
		Tables:  []string{"sessions", "login_failures", "login_locks"},
	}
}

type handler struct {
	svc    *auth.Service
	secure bool
}

// Grant is a grant as the API shows it.
type Grant struct {
	ID      string `json:"id"`
	Role    string `json:"role"`
	ScopeID string `json:"scope_id"`
}

type userBrief struct {
	ID          string  `json:"id"`
	Username    string  `json:"username"`
	DisplayName string  `json:"display_name"`
	Grants      []Grant `json:"grants"`
}

// Grants is the wire form of a user's grants.
func Grants(gs []access.Grant) []Grant {
	out := make([]Grant, len(gs))
	for i, g := range gs {
		out[i] = Grant{ID: g.ID, Role: g.Role, ScopeID: g.ScopeID}
	}
	return out
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      userBrief `json:"user"`
}

// crossSite reports whether a browser says the request comes from another
// site: an Origin naming another host, or Sec-Fetch-Site: cross-site. A
// login from another site would sign the victim's browser in as the
// attacker (login CSRF).
func crossSite(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return true
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return false
	}
	u, err := url.Parse(o)
	return err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host)
}

func (h handler) login(w http.ResponseWriter, r *http.Request) error {
	if crossSite(r) {
		return apperr.New(apperr.Forbidden, "problem.cross_site")
	}
	var in loginRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	var fs apperr.Fields
	if in.Username == "" {
		fs.Add("username", "required")
	}
	if in.Password == "" {
		fs.Add("password", "required")
	}
	if err := fs.Err(); err != nil {
		return err
	}
	res, err := h.svc.Login(r.Context(), in.Username, in.Password)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: auth.CookieName, Value: res.Session.Token, Path: "/", HttpOnly: true, Secure: h.secure,
		SameSite: http.SameSiteLaxMode, Expires: res.Session.ExpiresAt,
	})
	u := res.User
	httpx.JSON(w, http.StatusOK, loginResponse{Token: res.Session.Token, ExpiresAt: res.Session.ExpiresAt,
		User: userBrief{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Grants: Grants(u.Grants)}})
	return nil
}

type sessionResponse struct {
	User        userBrief         `json:"user"`
	PersonID    *string           `json:"person_id"`
	CSRFToken   string            `json:"csrf_token"`
	ExpiresAt   time.Time         `json:"expires_at"`
	AllZones    bool              `json:"all_zones"`
	Permissions []auth.Permission `json:"permissions"`
}

func (h handler) session(w http.ResponseWriter, r *http.Request) error {
	p := access.From(r.Context())
	exp, err := h.svc.ExpiresAt(r.Context(), p.SessionID)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, sessionResponse{
		User:     userBrief{ID: p.UserID, Username: p.Username, DisplayName: p.DisplayName, Grants: Grants(p.Grants)},
		PersonID: personID(p), CSRFToken: p.CSRFToken, ExpiresAt: exp, AllZones: p.IsPlatformAdmin(), Permissions: auth.Permissions(p),
	})
	return nil
}

func personID(p *access.Principal) *string {
	if p.PersonID == "" {
		return nil
	}
	return &p.PersonID
}

func (h handler) logout(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.Logout(r.Context()); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: auth.CookieName, Value: "", Path: "/", HttpOnly: true, Secure: h.secure, MaxAge: -1})
	httpx.NoContent(w)
	return nil
}

type changePasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (h handler) changePassword(w http.ResponseWriter, r *http.Request) error {
	var in changePasswordRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if err := h.svc.ChangePassword(r.Context(), in.CurrentPassword, in.NewPassword); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}
