// Package apperr defines the one error type the domain returns. Each error
// carries a machine code; the HTTP layer maps codes to status codes in one
// table (httpx.statusOf) and translates message ids through the catalogue.
package apperr

import (
	"errors"
	"fmt"
	"time"
)

// Code is a machine-readable error class.
type Code string

const (
	Invalid            Code = "invalid"             // malformed request (400)
	Unauthorized       Code = "unauthorized"        // not signed in (401)
	Forbidden          Code = "forbidden"           // signed in but not allowed (403)
	NotFound           Code = "not_found"           // absent or outside scope (404)
	Conflict           Code = "conflict"            // duplicate, full, invalid transition (409)
	PreconditionFailed Code = "precondition_failed" // stale If-Match (412)
	MethodNotAllowed   Code = "method_not_allowed"  // known path, wrong method (405)
	TooLarge           Code = "too_large"           // body too large (413)
	UnsupportedMedia   Code = "unsupported_media"   // body is not application/json (415)
	Validation         Code = "validation"          // fails validation (422)
	RateLimited        Code = "rate_limited"        // throttled (429)
	Unavailable        Code = "unavailable"         // dependency down (503)
	Internal           Code = "internal"            // anything else (500)
)

// Codes lists every code, for tests that check each has its status and
// its texts.
var Codes = []Code{Invalid, Unauthorized, Forbidden, NotFound, MethodNotAllowed, Conflict, PreconditionFailed,
	TooLarge, UnsupportedMedia, Validation, RateLimited, Unavailable, Internal}

// FieldError names one offending field. Code doubles as the translation key
// suffix ("field_error.<code>"); Params fill the message template. Errors
// in an imported file also carry the spreadsheet Row (1-based; 0 for the
// file as a whole) and the Column as its header reads in the file.
type FieldError struct {
	Field  string
	Code   string
	Params map[string]any
	Row    int
	Column string
}

// Error is the domain error. MessageID is a catalogue key for the detail
// text; when empty the code's generic text is used.
type Error struct {
	Code       Code
	MessageID  string
	Params     map[string]any
	Fields     []FieldError
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	s := string(e.Code)
	if e.MessageID != "" {
		s += ": " + e.MessageID
	}
	for _, f := range e.Fields {
		s += fmt.Sprintf(" [%s %s]", f.Field, f.Code)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an error of the given code with a catalogue message id.
func New(code Code, messageID string, params ...any) *Error {
	return &Error{Code: code, MessageID: messageID, Params: pairs(params)}
}

// E returns an error of code with a wrapped cause and the generic message.
func E(code Code, err error) *Error { return &Error{Code: code, Err: err} }

// Field returns a validation (422) error for one field.
func Field(field, code string, params ...any) *Error {
	return &Error{Code: Validation, Fields: []FieldError{{Field: field, Code: code, Params: pairs(params)}}}
}

// BadField returns a malformed-request (400) error naming one field,
// query parameter or header.
func BadField(field, code string, params ...any) *Error {
	return &Error{Code: Invalid, Fields: []FieldError{{Field: field, Code: code, Params: pairs(params)}}}
}

// CodeOf returns the code of err, Internal for foreign errors and "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return CodeOf(err) == code }

func pairs(kv []any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}

// Fields collects field errors during validation.
type Fields []FieldError

// Add records a field error.
func (fs *Fields) Add(field, code string, params ...any) {
	*fs = append(*fs, FieldError{Field: field, Code: code, Params: pairs(params)})
}

// Err returns a 422 error holding the collected fields, or nil when empty.
func (fs Fields) Err() error {
	if len(fs) == 0 {
		return nil
	}
	return &Error{Code: Validation, Fields: fs}
}
