package httpx

import (
	"bytes"
	stdjson "encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"testing"

	gojson "github.com/goccy/go-json"
)

// JSON writes v with status. The answer is encoded whole first and then
// written in one piece with its Content-Length: streamed, a page of 50
// left the encoder in pieces of a few kilobytes, each a chunk and a write
// to the socket. The request's turn on the read pool (Leased) is given
// back before encoding, which reads no database.
func JSON(w http.ResponseWriter, status int, v any) {
	write(w, status, "application/json; charset=utf-8", v)
}

// write is JSON with the answer's Content-Type (problems have their own).
func write(w http.ResponseWriter, status int, contentType string, v any) {
	releaseLease(w)
	buf := buffers.Get().(*bytes.Buffer)
	defer putBuffer(buf)
	buf.Reset()
	if err := encode(buf, v); err != nil {
		// Every answer is a type of ours, which encodes; should one not,
		// the client gets a 500 rather than half a document.
		slog.Error("httpx: encoding an answer", "err", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// buffers hold encoded answers between requests; one grown past
// maxPooled (a large export) is left to the collector.
var buffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 16<<10)) }}

const maxPooled = 1 << 20

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooled {
		buffers.Put(b)
	}
}

// encode writes v as JSON and a newline to b, as encoding/json's Encoder
// writes it with HTML escaping off (nil slices and maps as null, map keys
// sorted, MarshalJSON and MarshalText methods, U+2028 and U+2029 and
// invalid UTF-8 as encoding/json writes them). goccy/go-json does, from
// encoders it compiles once per type: BenchmarkEncodePage writes a page
// of 50 activities in 37–39 µs against 89–94 µs with json v2 and v1's
// options, the former encoder, and 121–126 µs with encoding/json
// (cmd/tongxin-load's list phases spent 12–24% of their CPU encoding
// with json v2). Under test encode also encodes v with encoding/json and
// panics (a 500, the test fails) when the two differ: every response the
// tests read, on both engines, checks that the bytes are the ones
// encoding/json writes.
func encode(b *bytes.Buffer, v any) error {
	start := b.Len()
	enc := gojson.NewEncoder(b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	if err != nil {
		b.Truncate(start)
	}
	if testing.Testing() {
		var want bytes.Buffer
		enc := stdjson.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		errWant := enc.Encode(v)
		if got := b.Bytes()[start:]; (err == nil) != (errWant == nil) || (err == nil && !bytes.Equal(got, want.Bytes())) {
			panic(fmt.Sprintf("httpx: goccy/go-json wrote %q (%v), encoding/json %q (%v)", got, err, want.Bytes(), errWant))
		}
	}
	return err
}

// releaseLease gives back the request's turn on the read pool, if it has
// one (Leased wraps the writer of every GET and HEAD).
func releaseLease(w http.ResponseWriter) {
	for {
		switch x := w.(type) {
		case leaseWriter:
			x.l.Release()
			return
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return
		}
	}
}
