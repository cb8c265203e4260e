package httpx

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"tongxin/internal/apperr"
)

// MaxBody is the largest request body accepted (413 above it).
const MaxBody = 1 << 20

// Decode reads the body as exactly one JSON object into dst. Unknown
// fields, wrong types, trailing data and malformed JSON are 400 naming the
// field where there is one; a body over MaxBody is 413.
func Decode(w http.ResponseWriter, r *http.Request, dst any) error {
	body := http.MaxBytesReader(w, r.Body, MaxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		if err != nil {
			if de := decodeError(err); apperr.Is(de, apperr.TooLarge) {
				return de
			}
		}
		return apperr.New(apperr.Invalid, "problem.trailing_data")
	}
	return nil
}

func decodeError(err error) error {
	var (
		maxErr  *http.MaxBytesError
		synErr  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &maxErr):
		return apperr.New(apperr.TooLarge, "problem.too_large.detail", "Limit", "1 MiB")
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.Invalid, "problem.empty_body")
	case errors.As(err, &synErr), errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Invalid, "problem.malformed_json")
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return apperr.New(apperr.Invalid, "problem.not_object")
		}
		return &apperr.Error{Code: apperr.Invalid, Fields: []apperr.FieldError{{
			Field: field, Code: "wrong_type", Params: map[string]any{"Type": jsonType(typeErr.Type.Kind().String())},
		}}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &apperr.Error{Code: apperr.Invalid, Fields: []apperr.FieldError{{Field: field, Code: "unknown_field"}}}
	}
	return apperr.E(apperr.Invalid, err)
}

func jsonType(kind string) string {
	switch {
	case kind == "string":
		return "string"
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "number"
	case kind == "bool":
		return "boolean"
	case kind == "slice", kind == "array":
		return "array"
	}
	return "object"
}
