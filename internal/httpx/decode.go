package httpx

import (
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"tongxin/internal/apperr"
)

// MaxBody is the largest request body accepted (413 above it).
const MaxBody = 1 << 20

// decodeOptions make decoding strict: names match exactly (no case
// folding), an unknown name is an error, and — jsontext's defaults — a
// duplicate name or invalid UTF-8 is an error too. Every string is checked
// for NUL, which PostgreSQL cannot store in text.
var decodeOptions = json.JoinOptions(
	json.RejectUnknownMembers(true),
	json.MatchCaseInsensitiveNames(false),
	json.WithUnmarshalers(json.UnmarshalFromFunc(func(dec *jsontext.Decoder, s *string) error {
		if dec.PeekKind() != '"' {
			return json.SkipFunc // null, and the wrong-type error, as usual
		}
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		v := tok.String()
		if strings.IndexByte(v, 0) >= 0 {
			return errNUL
		}
		*s = v
		return nil
	})),
)

var errNUL = errors.New("NUL character")

// Decode reads the body as exactly one JSON object into dst. Unknown,
// duplicate or mis-cased names, wrong types, NUL characters, invalid UTF-8,
// trailing data and malformed JSON are 400 naming the field where there is
// one; a body over MaxBody is 413.
func Decode(w http.ResponseWriter, r *http.Request, dst any) error {
	if UploadBody(r) {
		return WantJSON()
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return apperr.New(apperr.TooLarge, "problem.too_large.detail", "Limit", "1 MiB")
	}
	if err != nil {
		return apperr.E(apperr.Invalid, err)
	}
	return DecodeBytes(b, dst)
}

// DecodeBytes is Decode of a body already read.
func DecodeBytes(b []byte, dst any) error {
	v := jsontext.Value(b)
	switch strings.TrimSpace(string(b)) {
	case "":
		return apperr.New(apperr.Invalid, "problem.empty_body")
	case "null": // decodes into a struct without complaint, yet is no object
		return apperr.New(apperr.Invalid, "problem.not_object")
	}
	if err := json.Unmarshal(v, dst, decodeOptions); err != nil {
		return decodeError(err)
	}
	return nil
}

// field turns a JSON pointer ("/name", "/location/lat", "/tags/0") into
// the field name errors use ("name", "location.lat", "tags.0").
func field(p jsontext.Pointer) string {
	var parts []string
	for tok := range p.Tokens() {
		parts = append(parts, tok)
	}
	return strings.Join(parts, ".")
}

func decodeError(err error) error {
	var (
		syn *jsontext.SyntacticError
		sem *json.SemanticError
	)
	switch {
	case errors.As(err, &syn):
		f := field(syn.JSONPointer)
		switch {
		case errors.Is(syn.Err, jsontext.ErrDuplicateName):
			if f == "" {
				return apperr.New(apperr.Invalid, "problem.malformed_json")
			}
			return apperr.BadField(f, "duplicate_field")
		case strings.Contains(syn.Err.Error(), "invalid UTF-8"):
			if f == "" {
				f = "body"
			}
			return apperr.BadField(f, "invalid_text")
		case errors.Is(syn.Err, io.ErrUnexpectedEOF) || errors.Is(err, io.ErrUnexpectedEOF):
			return apperr.New(apperr.Invalid, "problem.malformed_json")
		case strings.Contains(syn.Err.Error(), "after top-level value"):
			return apperr.New(apperr.Invalid, "problem.trailing_data")
		}
		return apperr.New(apperr.Invalid, "problem.malformed_json")
	case errors.As(err, &sem):
		f := field(sem.JSONPointer)
		switch {
		case errors.Is(sem.Err, json.ErrUnknownName):
			return apperr.BadField(f, "unknown_field")
		case errors.Is(sem.Err, errNUL):
			return apperr.BadField(f, "invalid_text")
		case f == "":
			return apperr.New(apperr.Invalid, "problem.not_object")
		}
		return apperr.BadField(f, "wrong_type", "Type", jsonType(sem.GoType))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return apperr.New(apperr.Invalid, "problem.malformed_json")
	}
	return apperr.E(apperr.Invalid, err)
}

// jsonType names the JSON type the field wants, for the message.
func jsonType(t reflect.Type) string {
	if t == nil {
		return "object"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	}
	return "object"
}
