package httpx_test

import (
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"tongxin/internal/httpx"
)

// An answer is written in one piece with its length: not chunked, its
// Content-Length the body's, the same bytes as encoding/json's Encoder
// (which the test build checks on every answer), and a HEAD gets the
// length without the body.
func TestJSONAnswerHasItsLength(t *testing.T) {
	type item struct {
		ID   string `json:"id"`
		Note string `json:"note"`
	}
	items := make([]item, 500) // past any buffer of the encoder or the server
	for i := range items {
		items[i] = item{ID: strconv.Itoa(i), Note: strings.Repeat("同心", 20) + " <&>"}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.JSON(w, http.StatusCreated, map[string]any{"items": items})
	}))
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusCreated || len(res.TransferEncoding) != 0 || res.ContentLength != int64(len(body)) || len(body) < 64<<10 {
		t.Fatalf("%d, transfer encoding %v, length %d, body %d bytes", res.StatusCode, res.TransferEncoding, res.ContentLength, len(body))
	}
	if !strings.HasPrefix(string(body), `{"items":[{"id":"0","note":"同心`) || !strings.HasSuffix(string(body), " <&>\"}]}\n") {
		t.Fatalf("body %.60q … %q", body, body[len(body)-20:])
	}
	head, err := http.Head(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	head.Body.Close()
	if head.ContentLength != int64(len(body)) {
		t.Fatalf("HEAD: length %d, want %d", head.ContentLength, len(body))
	}
}

// A value that cannot be encoded is a 500 with no document, not a 200
// with half of one.
func TestJSONUnencodableIsA500(t *testing.T) {
	rec := httptest.NewRecorder()
	httpx.JSON(rec, http.StatusOK, map[string]any{"items": []any{1, math.Inf(1)}})
	if rec.Code != http.StatusInternalServerError || rec.Body.Len() != 0 {
		t.Fatalf("%d %q", rec.Code, rec.Body)
	}
}
