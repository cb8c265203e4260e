package httpx

import (
	"bytes"
	stdjson "encoding/json"
	"fmt"
	"io"
	"testing"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// encodeOptions make json v2 (the library decoding requests already)
// write responses byte for byte as encoding/json did with HTML escaping
// off: v1's semantics (nil slices and maps as null, map keys sorted,
// omitempty, MarshalJSON methods, U+2028 and U+2029 escaped). It writes a
// page of 50 activities in about two thirds of the time, with 2
// allocations instead of 301 (cmd/tongxin-load's list phases spent 10–26%
// of their CPU in encoding/json; docs/scaling.md).
var encodeOptions = json.JoinOptions(jsonv1.DefaultOptionsV1(), jsontext.EscapeForHTML(false))

var newline = []byte{'\n'}

// encode writes v as JSON and a newline, as encoding/json's Encoder did.
// Under test it also encodes v with encoding/json and panics (a 500, the
// test fails) when the two differ: every response the tests read checks
// that the options keep the output it had.
func encode(w io.Writer, v any) error {
	if testing.Testing() {
		return encodeChecked(w, v)
	}
	if err := json.MarshalWrite(w, v, encodeOptions); err != nil {
		return err
	}
	_, err := w.Write(newline)
	return err
}

func encodeChecked(w io.Writer, v any) error {
	var got, want bytes.Buffer
	errGot := json.MarshalWrite(&got, v, encodeOptions)
	got.Write(newline)
	enc := stdjson.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	errWant := enc.Encode(v)
	if (errGot == nil) != (errWant == nil) || (errGot == nil && !bytes.Equal(got.Bytes(), want.Bytes())) {
		panic(fmt.Sprintf("httpx: json v2 wrote %q (%v), encoding/json %q (%v)", got.Bytes(), errGot, want.Bytes(), errWant))
	}
	if errGot != nil {
		return errGot
	}
	_, err := w.Write(got.Bytes())
	return err
}
