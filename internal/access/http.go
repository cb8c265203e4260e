package access

import (
	"net/http"

	"tongxin/internal/apperr"
	"tongxin/internal/httpx"
)

// Need returns the signed-in caller, or writes 401 and returns nil.
func Need(w http.ResponseWriter, r *http.Request) *Principal {
	p := From(r.Context())
	if p == nil {
		httpx.Error(w, r, apperr.New(apperr.Unauthorized, ""))
	}
	return p
}
