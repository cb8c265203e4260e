package auth

import (
	"net/http"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/httpx"
)

// Handler serves sign-in and user management.
type Handler struct {
	Svc          *Service
	CookieSecure bool
}

// Routes registers the endpoints.
func (h *Handler) Routes(mux httpx.Router, create func(http.HandlerFunc) http.Handler) {
	mux.HandleFunc("POST /api/v1/auth/login", h.login)
	mux.HandleFunc("GET /api/v1/auth/session", h.session)
	mux.HandleFunc("POST /api/v1/auth/logout", h.logout)
	mux.HandleFunc("POST /api/v1/auth/password", h.changePassword)
	mux.HandleFunc("GET /api/v1/users", h.listUsers)
	mux.Handle("POST /api/v1/users", create(h.createUser))
	mux.HandleFunc("GET /api/v1/users/{id}", h.getUser)
	mux.Handle("POST /api/v1/users/{id}/grants", create(h.addGrant))
	mux.HandleFunc("DELETE /api/v1/users/{id}/grants/{grant_id}", h.revokeGrant)
	mux.HandleFunc("POST /api/v1/users/{id}/password", h.resetPassword)
}

type userBrief struct {
	ID          string         `json:"id"`
	Username    string         `json:"username"`
	DisplayName string         `json:"display_name"`
	Grants      []access.Grant `json:"grants"`
}

func brief(u User) userBrief {
	return userBrief{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Grants: u.Grants}
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

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	var in loginRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		httpx.Error(w, r, err)
		return
	}
	var fs apperr.Fields
	if in.Username == "" {
		fs.Add("username", "required")
	}
	if in.Password == "" {
		fs.Add("password", "required")
	}
	if err := fs.Err(); err != nil {
		httpx.Error(w, r, err)
		return
	}
	res, err := h.Svc.Login(r.Context(), in.Username, in.Password)
	if err != nil {
		httpx.Error(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: res.Session.Token, Path: "/", HttpOnly: true, Secure: h.CookieSecure,
		SameSite: http.SameSiteLaxMode, Expires: res.Session.ExpiresAt,
	})
	httpx.JSON(w, http.StatusOK, loginResponse{Token: res.Session.Token, ExpiresAt: res.Session.ExpiresAt, User: brief(res.User)})
}

type sessionResponse struct {
	User      userBrief `json:"user"`
	CSRFToken string    `json:"csrf_token"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (h *Handler) session(w http.ResponseWriter, r *http.Request) {
	p := access.Need(w, r)
	if p == nil {
		return
	}
	exp, err := h.Svc.ExpiresAt(r.Context(), p.SessionID)
	if err != nil {
		httpx.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, sessionResponse{
		User:      userBrief{ID: p.UserID, Username: p.Username, DisplayName: p.DisplayName, Grants: p.Grants},
		CSRFToken: p.CSRFToken, ExpiresAt: exp,
	})
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	p := access.Need(w, r)
	if p == nil {
		return
	}
	if err := h.Svc.Logout(r.Context(), p); err != nil {
		httpx.Error(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", HttpOnly: true, Secure: h.CookieSecure, MaxAge: -1})
	httpx.NoContent(w)
}

type changePasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) {
	if access.Need(w, r) == nil {
		return
	}
	var in changePasswordRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		httpx.Error(w, r, err)
		return
	}
	if err := h.Svc.ChangePassword(r.Context(), in.CurrentPassword, in.NewPassword); err != nil {
		httpx.Error(w, r, err)
		return
	}
	httpx.NoContent(w)
}

// needUserManage returns the caller when they hold user.manage somewhere,
// else writes 401/403 (logging the refusal) and returns nil.
func needUserManage(w http.ResponseWriter, r *http.Request) *access.Principal {
	p := access.Need(w, r)
	if p == nil {
		return nil
	}
	if p.Scope(access.UserManage).Empty() {
		httpx.Error(w, r, audit.Denied(r, "user", r.PathValue("id")))
		return nil
	}
	return p
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) {
	if needUserManage(w, r) == nil {
		return
	}
	page, err := httpx.ParsePage(r)
	if err != nil {
		httpx.Error(w, r, err)
		return
	}
	list, err := h.Svc.ListUsers(r.Context(), page)
	if err != nil {
		httpx.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, list)
}

type createUserRequest struct {
	ZoneID      string `json:"zone_id"`
	Username    string `json:"username"`
	Password    string `json:"password"`
	DisplayName string `json:"display_name"`
	PersonID    string `json:"person_id"`
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) {
	if needUserManage(w, r) == nil {
		return
	}
	var in createUserRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		httpx.Error(w, r, err)
		return
	}
	u, err := h.Svc.CreateUser(r.Context(), NewUser(in))
	if apperr.Is(err, apperr.Forbidden) {
		err = audit.Denied(r, "user", "")
	}
	if err != nil {
		httpx.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusCreated, u)
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request) {
	if needUserManage(w, r) == nil {
		return
	}
	u, err := h.Svc.GetUser(r.Context(), r.PathValue("id"))
	if err != nil {
		httpx.Error(w, r, err)
		return
	}
	httpx.ETag(w, u.Version)
	httpx.JSON(w, http.StatusOK, u)
}

type grantRequest struct {
	Role    string `json:"role"`
	ScopeID string `json:"scope_id"`
}

func (h *Handler) addGrant(w http.ResponseWriter, r *http.Request) {
	if needUserManage(w, r) == nil {
		return
	}
	var in grantRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		httpx.Error(w, r, err)
		return
	}
	g, err := h.Svc.AddGrant(r.Context(), r.PathValue("id"), in.Role, in.ScopeID)
	if apperr.Is(err, apperr.Forbidden) {
		audit.Denied(r, "grant", in.ScopeID)
	}
	if err != nil {
		httpx.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusCreated, g)
}

func (h *Handler) revokeGrant(w http.ResponseWriter, r *http.Request) {
	if needUserManage(w, r) == nil {
		return
	}
	err := h.Svc.RevokeGrant(r.Context(), r.PathValue("id"), r.PathValue("grant_id"))
	if apperr.Is(err, apperr.Forbidden) {
		audit.Denied(r, "grant", r.PathValue("grant_id"))
	}
	if err != nil {
		httpx.Error(w, r, err)
		return
	}
	httpx.NoContent(w)
}

type resetPasswordRequest struct {
	Password string `json:"password"`
}

func (h *Handler) resetPassword(w http.ResponseWriter, r *http.Request) {
	if needUserManage(w, r) == nil {
		return
	}
	var in resetPasswordRequest
	if err := httpx.Decode(w, r, &in); err != nil {
		httpx.Error(w, r, err)
		return
	}
	if err := h.Svc.ResetPassword(r.Context(), r.PathValue("id"), in.Password); err != nil {
		httpx.Error(w, r, err)
		return
	}
	httpx.NoContent(w)
}
