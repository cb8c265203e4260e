package httpx

import (
	"context"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"tongxin/internal/apperr"
)

// ConsolePolicy is the Content-Security-Policy of the web console: scripts
// and styles only from the console's own files (no inline script), no
// framing, no plugins. Inline style attributes stay allowed: Element Plus
// sets positions and sizes through them.
const ConsolePolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
	"font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// Edge guards every request before anything else reads it:
//   - headers: no-store on the API (answers carry tokens and personal data),
//     nosniff everywhere, and on the console a CSP that forbids inline
//     script and framing, and a strict Referrer-Policy;
//   - a query parameter, or a header the server reads, holding a NUL byte
//     or invalid UTF-8 is 400 naming it (path parameters are checked by the
//     route, which knows their names);
//   - a request to the JSON API that carries a body in anything but
//     application/json is 415 — a browser can send text/plain across sites
//     without asking, JSON it cannot. A roster file (csv, xlsx, multipart)
//     passes, marked: only a route that takes uploads reads it (the kit
//     answers 415 on every other route, and Decode refuses it too). A
//     cross-site form could send one, but not the X-CSRF-Token a cookie
//     session must send with it.
func Edge(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		api := strings.HasPrefix(r.URL.Path, "/api/")
		if api {
			h.Set("Cache-Control", "no-store")
		} else {
			h.Set("Content-Security-Policy", ConsolePolicy)
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "same-origin")
		}
		if err := CheckQuery(r.URL.RawQuery); err != nil {
			Error(w, r, err)
			return
		}
		if err := checkHeaders(r); err != nil {
			Error(w, r, err)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/api/v1/") && hasBody(r) {
			if err := checkJSON(r); err != nil {
				if !isUploadType(r) {
					Error(w, r, err)
					return
				}
				r = r.WithContext(context.WithValue(r.Context(), uploadKey{}, true))
			}
		}
		next.ServeHTTP(w, r)
	})
}

// CleanText reports whether s is valid UTF-8 without NUL bytes: what both
// engines can store and compare.
func CleanText(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

// CheckQuery returns 400 naming the first query parameter that is
// malformed or holds a NUL byte or invalid UTF-8.
func CheckQuery(raw string) error {
	if raw == "" {
		return nil
	}
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return apperr.BadField("query", "invalid_format")
	}
	for k, vs := range vals {
		if !CleanText(k) {
			return apperr.BadField("query", "invalid_text")
		}
		for _, v := range vs {
			if !CleanText(v) {
				return apperr.BadField(k, "invalid_text")
			}
		}
	}
	return nil
}

// checkHeaders checks the headers whose values reach the database or a
// comparison. Idempotency-Key must be visible ASCII (it is stored and
// compared byte for byte).
func checkHeaders(r *http.Request) error {
	for _, name := range []string{"Authorization", "Cookie", "If-Match", "X-CSRF-Token", "Origin"} {
		for _, v := range r.Header.Values(name) {
			if !CleanText(v) {
				return apperr.BadField(name, "invalid_text")
			}
		}
	}
	if k := r.Header.Get("Idempotency-Key"); k != "" {
		if len(k) > 255 {
			return apperr.BadField("Idempotency-Key", "too_long", "Max", 255)
		}
		for i := 0; i < len(k); i++ {
			if k[i] < 0x21 || k[i] > 0x7e {
				return apperr.BadField("Idempotency-Key", "invalid_text")
			}
		}
	}
	return nil
}

type uploadKey struct{}

// UploadBody reports whether r carries a file upload (Edge let it
// through) rather than JSON.
func UploadBody(r *http.Request) bool { v, _ := r.Context().Value(uploadKey{}).(bool); return v }

func isUploadType(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && (uploadTypes[mt] || mt == "multipart/form-data")
}

// WantJSON is the 415 of a body that is not JSON.
func WantJSON() error {
	return &apperr.Error{Code: apperr.UnsupportedMedia, MessageID: "problem.want_json",
		Fields: []apperr.FieldError{{Field: "Content-Type", Code: "want_json"}}}
}

func hasBody(r *http.Request) bool {
	return r.ContentLength > 0 || (r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody)
}

// checkJSON accepts application/json (or a +json type) in UTF-8.
func checkJSON(r *http.Request) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err == nil && (mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))) {
		if cs, ok := params["charset"]; !ok || strings.EqualFold(cs, "utf-8") {
			return nil
		}
	}
	return WantJSON()
}
