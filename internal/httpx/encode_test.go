package httpx_test

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
	gojson "github.com/goccy/go-json"

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

// An answer's bytes are encoding/json's (with HTML escaping off) for
// what an answer may hold: text a user typed (markup, line and paragraph
// separators, control characters, invalid UTF-8 from an old import),
// floats small and large, times with zones, nil and empty lists, maps
// with keys out of order, raw JSON and MarshalJSON and MarshalText
// methods, embedded structs, ",string" and omitempty.
func TestJSONWritesEncodingJSONsBytes(t *testing.T) {
	type inner struct {
		A string `json:"a,omitempty"`
		B *int   `json:"b,omitempty"`
	}
	type Embedded struct{ E string }
	type answer struct {
		Embedded
		S    string          `json:"s"`
		M    map[string]any  `json:"m"`
		Nil  []int           `json:"nil"`
		None []int           `json:"none"`
		Raw  json.RawMessage `json:"raw"`
		T    time.Time       `json:"t"`
		TP   *time.Time      `json:"tp,omitempty"`
		I    inner           `json:"i"`
		IP   *inner          `json:"ip"`
		F    float64         `json:"f"`
		F32  float32         `json:"f32"`
		N    int             `json:"n,string"`
		IPs  []netip.Addr    `json:"ips"`
		B    []byte          `json:"b"`
	}
	at := time.Date(2026, 12, 1, 9, 30, 0, 600, time.FixedZone("CST", 8*3600))
	for _, s := range []string{"<a href=\"x\">&</a>", "\u2028\u2029", "坏\xff\xfe字节", "\x01\x1f\t\n\r", "中文\"\\/", ""} {
		for _, f := range []float64{0, 1.5, 1e21, 1e-7, 123456789.125, -0.0000001} {
			v := answer{Embedded: Embedded{"e"}, S: s, M: map[string]any{"z": 1, "a": []string{s}, "m": nil, "f": f},
				None: []int{}, Raw: json.RawMessage(` {"k": [1, 2]} `), T: at, I: inner{A: s}, F: f, F32: float32(f), N: 42,
				IPs: []netip.Addr{netip.MustParseAddr("127.0.0.1")}, B: []byte(s)}
			rec := httptest.NewRecorder()
			httpx.JSON(rec, http.StatusOK, v)
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(v); err != nil {
				t.Fatal(err)
			}
			if rec.Code != http.StatusOK || rec.Body.String() != want.String() {
				t.Fatalf("%q, %v: %d\n%s\nwant\n%s", s, f, rec.Code, rec.Body, want.Bytes())
			}
		}
	}
}

// BenchmarkEncodePage encodes a page of 50 activity-shaped answers (26
// fields, four times, Chinese text) as encode does, with goccy/go-json,
// and for comparison in the same run with json v2 and v1's options (the
// former encoder) and encoding/json. httpx.JSON itself is not measured:
// under test it encodes every answer twice (the check against
// encoding/json).
func BenchmarkEncodePage(b *testing.B) {
	type location struct {
		Name string   `json:"name"`
		Lat  *float64 `json:"lat"`
		Lng  *float64 `json:"lng"`
	}
	type activity struct {
		ID, ZoneID                                string
		CampaignID                                *string
		Title, Description, Kind, Function, Level string
		ParkID                                    *string
		OrganizerID, OrganizerKind, OrganizerName string
		StartsAt, EndsAt                          time.Time
		Location                                  location
		GeofenceM                                 *int
		Capacity                                  int
		CreditHours                               float64
		CheckinMode                               string
		SignupClosesAt, CancelClosesAt            time.Time
		Status                                    string
		Registered, Waitlisted, Version           int
		CreatedAt, UpdatedAt                      time.Time
	}
	park, geofence, lat := "01a2310e-dd70-7c98-8f8e-e56a0231c146", 200, 41.8
	items := make([]activity, 50)
	for i := range items {
		at := time.Date(2026, 11, 30, 9, i, 0, 0, time.UTC)
		items[i] = activity{ID: "01a2310e-dd70-7c98-8f8e-e56a0231c1" + strconv.Itoa(10+i), ZoneID: park, Title: "主题党日：走进鸿盛机械",
			Description: "组织党员参观学习，开展志愿服务。", Kind: "theme_day", Function: "organize", Level: "park", ParkID: &park,
			OrganizerID: park, OrganizerKind: "org", OrganizerName: "五里园党委", StartsAt: at, EndsAt: at.Add(time.Hour),
			Location: location{Name: "五里园党群服务中心", Lat: &lat, Lng: &lat}, GeofenceM: &geofence, Capacity: 50, CreditHours: 1.5,
			CheckinMode: "qr", SignupClosesAt: at, CancelClosesAt: at, Status: "published", Registered: 12, Version: 3, CreatedAt: at, UpdatedAt: at}
	}
	page := map[string]any{"items": items, "total": 1234, "next_cursor": "eyJpZCI6IjAxYTIzMTBlIn0"}
	var buf bytes.Buffer
	for _, c := range []struct {
		name   string
		encode func() error
	}{
		{"goccy", func() error { e := gojson.NewEncoder(&buf); e.SetEscapeHTML(false); return e.Encode(page) }},
		{"jsonv2", func() error {
			return jsonv2.MarshalWrite(&buf, page, jsonv2.JoinOptions(jsonv1.DefaultOptionsV1(), jsontext.EscapeForHTML(false)))
		}},
		{"encoding-json", func() error { e := json.NewEncoder(&buf); e.SetEscapeHTML(false); return e.Encode(page) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := c.encode(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
