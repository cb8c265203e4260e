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
			{Method: "POST", Path: "/api/v1/auth/phone-login", Access: kit.Public, Handle: h.phoneLogin},
			{Method: "POST", Path: "/api/v1/auth/sms-codes", Access: kit.Public, Handle: h.smsCode},
			{Method: "POST", Path: "/api/v1/auth/password-reset", Access: kit.Public, Handle: h.resetPassword},
		},
		OpenAPI: fragment,
		Locales: auth.Locales(),
		Tables:  []string{"sessions", "login_failures", "login_locks", "sms_codes"},
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
	SignedIn(w, res, h.secure)
	return nil
}

// SignedIn sets the session cookie of a new session and answers the login
// response (LoginResponse in the OpenAPI document), for every route that
// signs someone in.
func SignedIn(w http.ResponseWriter, res auth.LoginResult, secure bool) {
	SetSessionCookie(w, res.Session, secure)
	u := res.User
	httpx.JSON(w, http.StatusOK, loginResponse{Token: res.Session.Token, ExpiresAt: res.Session.ExpiresAt,
		User: userBrief{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Grants: Grants(u.Grants)}})
}

// SetSessionCookie sets the HttpOnly session cookie of a new session.
func SetSessionCookie(w http.ResponseWriter, s auth.Session, secure bool) {
	http.SetCookie(w, &http.Cookie{
		Name: auth.CookieName, Value: s.Token, Path: "/", HttpOnly: true, Secure: secure,
		SameSite: http.SameSiteLaxMode, Expires: s.ExpiresAt,
	})
}

type phoneLoginRequest struct {
	Phone    string `json:"phone"`
	Password string `json:"password"`
	SMSCode  string `json:"sms_code"`
}

func (h handler) phoneLogin(w http.ResponseWriter, r *http.Request) error {
	if crossSite(r) {
		return apperr.New(apperr.Forbidden, "problem.cross_site")
	}
	var in phoneLoginRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	var fs apperr.Fields
	if code := auth.CheckPhone(&in.Phone); code != "" {
		fs.Add("phone", code)
	}
	switch {
	case in.Password == "" && in.SMSCode == "":
		fs.Add("password", "required")
	case in.Password != "" && in.SMSCode != "":
		fs.Add("sms_code", "password_or_code")
	}
	if err := fs.Err(); err != nil {
		return err
	}
	var res auth.LoginResult
	var err error
	if in.SMSCode != "" {
		res, err = h.svc.CodeLogin(r.Context(), in.Phone, in.SMSCode)
	} else {
		res, err = h.svc.PhoneLogin(r.Context(), in.Phone, in.Password)
	}
	if err != nil {
		return err
	}
	SignedIn(w, res, h.secure)
	return nil
}

type smsCodeRequest struct {
	Phone   string `json:"phone"`
	Purpose string `json:"purpose"`
}

type smsCodeResponse struct {
	ExpiresIn int `json:"expires_in"`
}

func (h handler) smsCode(w http.ResponseWriter, r *http.Request) error {
	if crossSite(r) {
		return apperr.New(apperr.Forbidden, "problem.cross_site")
	}
	var in smsCodeRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if err := h.svc.RequestCode(r.Context(), in.Phone, in.Purpose); err != nil {
		return err
	}
	httpx.JSON(w, http.StatusAccepted, smsCodeResponse{ExpiresIn: int(auth.CodeTTL.Seconds())})
	return nil
}

type resetRequest struct {
	Phone    string `json:"phone"`
	SMSCode  string `json:"sms_code"`
	Password string `json:"password"`
}

func (h handler) resetPassword(w http.ResponseWriter, r *http.Request) error {
	if crossSite(r) {
		return apperr.New(apperr.Forbidden, "problem.cross_site")
	}
	var in resetRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		return err
	}
	if err := h.svc.ResetPassword(r.Context(), in.Phone, in.SMSCode, in.Password); err != nil {
		return err
	}
	httpx.NoContent(w)
	return nil
}

type sessionResponse struct {
	User        userBrief         `json:"user"`
	PersonID    *string           `json:"person_id"`
	Self        *selfRole         `json:"self"`
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
		PersonID: personID(p), Self: self(p), CSRFToken: p.CSRFToken, ExpiresAt: exp, AllZones: p.IsPlatformAdmin(), Permissions: auth.Permissions(p),
	})
	return nil
}

// selfRole is the role an account bound to a person holds on that
// person's own records: member, on the people record — never a grant on a
// scope node, so it never widens access.Scope.
type selfRole struct {
	Role     string `json:"role"`
	PersonID string `json:"person_id"`
}

func self(p *access.Principal) *selfRole {
	if p.PersonID == "" {
		return nil
	}
	return &selfRole{Role: access.Member, PersonID: p.PersonID}
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
