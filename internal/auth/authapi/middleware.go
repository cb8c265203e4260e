package authapi

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/auth"
	"tongxin/internal/httpx"
)

// Middleware resolves the caller from "Authorization: Bearer <token>" or
// the session cookie and puts the principal in the request context.
//   - A bearer token that does not resolve is 401 at once.
//   - A cookie that does not resolve leaves the request anonymous.
//   - A cookie session on an unsafe method must send X-CSRF-Token equal to
//     the session's token (from GET /api/v1/auth/session), else 403.
func Middleware(s *auth.Service, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Health, metrics, the OpenAPI document and the console are public;
		// signing in must work whatever stale credentials the client holds.
		if !strings.HasPrefix(r.URL.Path, "/api/v1/") || (r.Method == http.MethodPost && signInPaths[r.URL.Path]) ||
			strings.HasPrefix(r.URL.Path, "/api/v1/invitations/by-token/") {
			next.ServeHTTP(w, r)
			return
		}
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, token, _ := strings.Cut(strings.TrimSpace(h), " ")
			if !strings.EqualFold(scheme, "Bearer") { // RFC 7235: the scheme is case-insensitive
				httpx.Error(w, r, apperr.New(apperr.Unauthorized, "problem.bad_authorization"))
				return
			}
			p, err := s.Authenticate(r.Context(), strings.TrimSpace(token))
			if err != nil {
				httpx.Error(w, r, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(access.With(r.Context(), p)))
			return
		}
		c, err := r.Cookie(auth.CookieName)
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		p, err := s.Authenticate(r.Context(), c.Value)
		if apperr.Is(err, apperr.Unauthorized) {
			next.ServeHTTP(w, r)
			return
		}
		if err != nil {
			httpx.Error(w, r, err)
			return
		}
		p.ViaCookie = true
		if !safeMethod(r.Method) {
			got := r.Header.Get("X-CSRF-Token")
			if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(p.CSRFToken)) != 1 {
				httpx.Log(r.Context()).Warn("access refused: CSRF token missing or wrong", "user", p.Username, "path", r.URL.Path)
				httpx.Error(w, r, apperr.New(apperr.Forbidden, "problem.csrf"))
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(access.With(r.Context(), p)))
	})
}

// signInPaths (and the invitation pages' routes, by-token) are the public routes that must work whatever stale
// credentials the client still sends.
var signInPaths = map[string]bool{"/api/v1/auth/login": true, "/api/v1/auth/phone-login": true,
	"/api/v1/auth/sms-codes": true, "/api/v1/auth/password-reset": true}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
