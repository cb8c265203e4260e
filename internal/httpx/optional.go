package httpx

import (
	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Optional is a PATCH field where null means something: absent leaves the
// value as it is (Set false), null clears it (Set true, Value nil), a value
// replaces it. Decoding keeps Decode's strictness (the decoder's options
// travel with it: unknown names, NUL, wrong types are still 400).
type Optional[T any] struct {
	Set   bool
	Value *T
}

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (o *Optional[T]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	o.Set = true
	if dec.PeekKind() == 'n' {
		o.Value = nil
		_, err := dec.ReadToken()
		return err
	}
	var v T
	if err := json.UnmarshalDecode(dec, &v); err != nil {
		return err
	}
	o.Value = &v
	return nil
}
