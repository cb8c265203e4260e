// Package httpx is the HTTP plumbing every handler shares: problem+json
// errors, strict JSON decoding, pagination, ETags, request ids and logging.
package httpx

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"tongxin/internal/apperr"
	"tongxin/internal/i18n"
)

// statusOf is the one table from error codes to HTTP status codes.
var statusOf = map[apperr.Code]int{
	apperr.Invalid:            http.StatusBadRequest,
	apperr.Unauthorized:       http.StatusUnauthorized,
	apperr.Forbidden:          http.StatusForbidden,
	apperr.NotFound:           http.StatusNotFound,
	apperr.Conflict:           http.StatusConflict,
	apperr.MethodNotAllowed:   http.StatusMethodNotAllowed,
	apperr.PreconditionFailed: http.StatusPreconditionFailed,
	apperr.TooLarge:           http.StatusRequestEntityTooLarge,
	apperr.UnsupportedMedia:   http.StatusUnsupportedMediaType,
	apperr.Validation:         http.StatusUnprocessableEntity,
	apperr.RateLimited:        http.StatusTooManyRequests,
	apperr.Unavailable:        http.StatusServiceUnavailable,
	apperr.Internal:           http.StatusInternalServerError,
}

// StatusOf returns the HTTP status for err.
func StatusOf(err error) int {
	if s, ok := statusOf[apperr.CodeOf(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail"`
	Errors []ProblemField `json:"errors"`
}

// ProblemField is one entry of errors[]. Row and Column locate an error in
// an imported file (omitted elsewhere).
type ProblemField struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Row     int    `json:"row,omitempty"`
	Column  string `json:"column,omitempty"`
}

// Lang returns the localizer for the request's Accept-Language.
func Lang(r *http.Request) *i18n.Localizer { return i18n.For(r.Header.Get("Accept-Language")) }

// NewProblem renders err in the request's language. Internal errors get a
// generic text; their cause goes to the log only.
func NewProblem(r *http.Request, err error) Problem {
	l := Lang(r)
	var e *apperr.Error
	if !errors.As(err, &e) {
		e = &apperr.Error{Code: apperr.Internal, Err: err}
	}
	code := e.Code
	if _, ok := statusOf[code]; !ok {
		code = apperr.Internal
	}
	p := Problem{
		Type:   "urn:tongxin:problem:" + string(code),
		Title:  l.T("problem."+string(code)+".title", nil),
		Status: statusOf[code],
		Errors: []ProblemField{},
	}
	detailID := e.MessageID
	if detailID == "" || code == apperr.Internal {
		detailID = "problem." + string(code) + ".detail"
	}
	data := map[string]any{}
	for k, v := range e.Params {
		data[k] = v
	}
	if e.RetryAfter > 0 {
		data["Seconds"] = retrySeconds(e)
	}
	p.Detail = l.T(detailID, data)
	for _, f := range e.Fields {
		p.Errors = append(p.Errors, fieldProblem(l, f))
	}
	if len(p.Errors) > 0 && e.MessageID == "" {
		p.Detail = p.Errors[0].Message
		if len(p.Errors) > 1 {
			p.Detail = l.T("problem.fields", map[string]any{"First": p.Errors[0].Message, "More": len(p.Errors) - 1})
		}
	}
	return p
}

// fieldProblem renders one field error. In an imported file the label is
// the column's header as the file shows it, quoted («「统一社会信用代码」»),
// and the message starts with the row («第 12 行：»).
func fieldProblem(l *i18n.Localizer, f apperr.FieldError) ProblemField {
	label := l.Label(f.Field)
	if f.Column != "" {
		label = l.T("problem.column", map[string]any{"Column": f.Column})
	}
	fd := map[string]any{"Label": label}
	for k, v := range f.Params {
		fd[k] = v
	}
	msg := l.T("field_error."+f.Code, fd)
	if f.Row > 0 {
		msg = l.T("problem.at_row", map[string]any{"Row": f.Row, "Message": msg})
	}
	return ProblemField{Field: f.Field, Code: f.Code, Message: msg, Row: f.Row, Column: f.Column}
}

func retrySeconds(e *apperr.Error) int {
	s := int(e.RetryAfter.Seconds())
	if float64(s) < e.RetryAfter.Seconds() {
		s++
	}
	return max(s, 1)
}

// StatusClientGone is what the log and the metrics record for a request
// whose client went away before the answer (nginx's 499): nobody reads the
// answer, and nothing failed on the server's side.
const StatusClientGone = 499

// Error writes err as problem+json and logs it: 5xx at error level with the
// cause, everything else at debug. When the client has given up (its
// context is done) nothing is written and nothing is logged as an error.
func Error(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		Log(r.Context()).Info("client gone", "err", err.Error())
		w.WriteHeader(StatusClientGone)
		return
	}
	p := NewProblem(r, err)
	var e *apperr.Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(e)))
	}
	switch {
	case e != nil && e.Code == apperr.Unavailable && e.RetryAfter > 0:
		// Load deliberately shed (too many password checks at once): a
		// warning, not a failure.
		Log(r.Context()).Warn("request shed", "err", err.Error(), "status", p.Status)
	case p.Status >= 500:
		Log(r.Context()).Error("request failed", "err", err.Error(), "status", p.Status)
	default:
		Log(r.Context()).Debug("request refused", "err", err.Error(), "status", p.Status)
	}
	w.Header().Set("Content-Language", Lang(r).Lang())
	write(w, p.Status, "application/problem+json; charset=utf-8", p)
}

// NoContent writes 204.
func NoContent(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) }

type ctxKey int

const keyObserved ctxKey = 0

// Log returns the request's logger (carrying its request id).
func Log(ctx context.Context) *slog.Logger {
	if o, ok := ctx.Value(keyObserved).(*observed); ok {
		return o.logger()
	}
	return slog.Default()
}
