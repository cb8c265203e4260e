package httpx

import (
	"net/http"
	"strconv"
	"time"

	"tongxin/internal/apperr"
	"tongxin/internal/etag"
	"tongxin/internal/page"
)

// ParsePage reads limit (1–200, default 50), cursor and q.
func ParsePage(r *http.Request) (page.Page, error) {
	q := r.URL.Query()
	return page.Parse(q.Get("limit"), q.Get("cursor"), q.Get("q"))
}

// QueryDate parses an optional YYYY-MM-DD or RFC 3339 query parameter. A
// date means its start (00:00 China time) or, with endOfDay, the start of the
// next day.
func QueryDate(r *http.Request, name string, endOfDay bool) (time.Time, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, ChinaTime)
	if err != nil {
		return time.Time{}, apperr.BadField(name, "invalid_date")
	}
	if endOfDay {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

// ChinaTime is UTC+8, the zone every date without a time refers to.
var ChinaTime = time.FixedZone("CST", 8*3600)

// ETag sets the ETag of a versioned resource.
func ETag(w http.ResponseWriter, version int) {
	w.Header().Set("ETag", `"`+strconv.Itoa(version)+`"`)
}

// IfMatch parses the If-Match header (strong comparison: a weak tag never
// matches). A malformed header is 400.
func IfMatch(r *http.Request) (etag.Match, error) {
	return etag.Parse(r.Header.Get("If-Match"))
}
