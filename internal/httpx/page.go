package httpx

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tongxin/internal/apperr"
)

// Page is the paging part of a list query.
type Page struct {
	Limit  int
	After  string // the last id of the previous page ("" for the first page)
	Query  string // q: free-text search
	cursor string
}

// List is the envelope of every list response.
type List[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
	Total      int     `json:"total"`
}

// ParsePage reads limit (1–200, default 50), cursor and q.
func ParsePage(r *http.Request) (Page, error) {
	q := r.URL.Query()
	p := Page{Limit: 50, Query: strings.TrimSpace(q.Get("q"))}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 200 {
			return p, &apperr.Error{Code: apperr.Invalid, Fields: []apperr.FieldError{{Field: "limit", Code: "out_of_range", Params: map[string]any{"Min": 1, "Max": 200}}}}
		}
		p.Limit = n
	}
	if c := q.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		var v struct {
			After string `json:"a"`
		}
		if err != nil || json.Unmarshal(b, &v) != nil || v.After == "" {
			return p, &apperr.Error{Code: apperr.Invalid, Fields: []apperr.FieldError{{Field: "cursor", Code: "invalid_format"}}}
		}
		p.After = v.After
	}
	if len([]rune(p.Query)) > 100 {
		return p, &apperr.Error{Code: apperr.Invalid, Fields: []apperr.FieldError{{Field: "q", Code: "too_long", Params: map[string]any{"Max": 100}}}}
	}
	return p, nil
}

// NewList builds the envelope from up to Limit+1 fetched items: the extra
// one only tells that another page exists. lastKey gives the cursor key of
// an item.
func NewList[T any](p Page, items []T, total int, lastKey func(T) string) List[T] {
	l := List[T]{Items: items, Total: total}
	if l.Items == nil {
		l.Items = []T{}
	}
	if len(items) > p.Limit {
		l.Items = items[:p.Limit]
		b, _ := json.Marshal(struct {
			After string `json:"a"`
		}{lastKey(l.Items[p.Limit-1])})
		c := base64.RawURLEncoding.EncodeToString(b)
		l.NextCursor = &c
	}
	return l
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
		return time.Time{}, &apperr.Error{Code: apperr.Invalid, Fields: []apperr.FieldError{{Field: name, Code: "invalid_date"}}}
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

// IfMatch returns the version in If-Match, or 0 when the header is absent.
// A malformed header is 400.
func IfMatch(r *http.Request) (int, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return 0, nil
	}
	h = strings.TrimPrefix(h, "W/")
	n, err := strconv.Atoi(strings.Trim(h, `"`))
	if err != nil || n < 1 {
		return 0, &apperr.Error{Code: apperr.Invalid, Fields: []apperr.FieldError{{Field: "If-Match", Code: "invalid_format"}}}
	}
	return n, nil
}
