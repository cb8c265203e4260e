package servicenetapi_test

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/testenv"
)

// o311 calls an Open311 path and returns the status, content type and body.
func o311(t *testing.T, srv *testenv.Server, method, path string, form url.Values) (int, string, []byte) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

// jsonList decodes a JSON answer that must be an array at the top level.
func jsonList(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	if err := json.Unmarshal(b, &out); err != nil || out == nil {
		t.Fatalf("not a JSON array: %s (%v)", b, err)
	}
	return out
}

type xmlRequest struct {
	ServiceRequestID string `xml:"service_request_id"`
	Token            string `xml:"token"`
	Status           string `xml:"status"`
	DetailedStatus   string `xml:"detailed_status"`
	ServiceCode      string `xml:"service_code"`
	Lat              string `xml:"lat"`
}

type xmlRequests struct {
	XMLName  xml.Name     `xml:"service_requests"`
	Requests []xmlRequest `xml:"request"`
}

type xmlErrors struct {
	XMLName xml.Name `xml:"errors"`
	Errors  []struct {
		Code        int    `xml:"code"`
		Description string `xml:"description"`
	} `xml:"error"`
}

// wantError checks the standard's error answer in either format.
func wantError(t *testing.T, status, want int, ct string, b []byte) {
	t.Helper()
	if status != want {
		t.Fatalf("status %d, want %d: %s", status, want, b)
	}
	if strings.HasPrefix(ct, "text/xml") {
		var e xmlErrors
		if err := xml.Unmarshal(b, &e); err != nil || len(e.Errors) == 0 || e.Errors[0].Code != want || e.Errors[0].Description == "" {
			t.Fatalf("XML errors %s (%v)", b, err)
		}
		return
	}
	list := jsonList(t, b)
	if len(list) == 0 || list[0]["code"] != float64(want) || list[0]["description"] == "" {
		t.Fatalf("JSON errors %s", b)
	}
}

func TestOpen311(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		park := srv.Park("五里园", "wuli")
		pt, err := admin.CreateServicePoint(ctx, map[string]any{"park_id": park.ID, "name": "五里园邻里中心", "kind": "center",
			"location": map[string]float64{"lat": 24.76, "lng": 118.56}, "service_codes": []string{"legal_aid", "property"}})
		if err != nil {
			t.Fatal(err)
		}
		staff := srv.User("staff", access.ServiceStaff, pt.ID)
		var key struct{ ID, Key string }
		if err := admin.Call(ctx, "POST", "/api/v1/api-keys", map[string]any{"name": "12345 热线"}, &key); err != nil || !strings.HasPrefix(key.Key, "o311_") {
			t.Fatalf("key %+v %v", key, err)
		}
		var keys struct{ Items []map[string]any }
		if err := admin.Call(ctx, "GET", "/api/v1/api-keys", nil, &keys); err != nil || len(keys.Items) != 1 || keys.Items[0]["key"] != nil {
			t.Fatalf("listed keys %+v %v", keys, err)
		}
		if srv.Count("api_keys", "key_hash = $1", key.Key) != 0 {
			t.Fatal("the key is stored in clear")
		}

		// Discovery and services, both formats.
		st, ct, b := o311(t, srv, "GET", "/open311/v2/discovery.json", nil)
		var disc struct {
			Endpoints []struct {
				Specification string   `json:"specification"`
				Formats       []string `json:"formats"`
			} `json:"endpoints"`
		}
		if st != 200 || !strings.HasPrefix(ct, "application/json") || json.Unmarshal(b, &disc) != nil || len(disc.Endpoints) != 1 ||
			disc.Endpoints[0].Specification != "http://wiki.open311.org/GeoReport_v2" || len(disc.Endpoints[0].Formats) != 2 {
			t.Fatalf("discovery.json %d %s", st, b)
		}
		st, ct, b = o311(t, srv, "GET", "/open311/v2/discovery.xml", nil)
		var xdisc struct {
			XMLName  xml.Name `xml:"discovery"`
			Formats  []string `xml:"endpoints>endpoint>formats>format"`
			Contacts string   `xml:"contact"`
		}
		if st != 200 || !strings.HasPrefix(ct, "text/xml") || xml.Unmarshal(b, &xdisc) != nil || len(xdisc.Formats) != 2 {
			t.Fatalf("discovery.xml %d %s", st, b)
		}
		st, _, b = o311(t, srv, "GET", "/open311/v2/services.json", nil)
		services := jsonList(t, b)
		if st != 200 || len(services) != 10 || services[0]["metadata"] != false || services[0]["type"] != "realtime" {
			t.Fatalf("services.json %d %s", st, b)
		}
		st, _, b = o311(t, srv, "GET", "/open311/v2/services.xml", nil)
		var xs struct {
			XMLName  xml.Name `xml:"services"`
			Services []struct {
				Code     string `xml:"service_code"`
				Metadata string `xml:"metadata"`
			} `xml:"service"`
		}
		if st != 200 || xml.Unmarshal(b, &xs) != nil || len(xs.Services) != 10 || xs.Services[0].Metadata != "false" {
			t.Fatalf("services.xml %d %s", st, b)
		}
		st, _, b = o311(t, srv, "GET", "/open311/v2/services/legal_aid.json", nil)
		if st != 200 || !strings.Contains(string(b), `"attributes":[]`) {
			t.Fatalf("definition %d %s", st, b)
		}
		st, ct, b = o311(t, srv, "GET", "/open311/v2/services/nope.xml", nil)
		wantError(t, st, 404, ct, b)

		// Zero requests: an empty array, an empty list element.
		st, _, b = o311(t, srv, "GET", "/open311/v2/requests.json", nil)
		if st != 200 || len(jsonList(t, b)) != 0 {
			t.Fatalf("no requests: %d %s", st, b)
		}
		st, _, b = o311(t, srv, "GET", "/open311/v2/requests.xml", nil)
		var none xmlRequests
		if st != 200 || xml.Unmarshal(b, &none) != nil || len(none.Requests) != 0 {
			t.Fatalf("no requests (XML): %d %s", st, b)
		}

		// Posting: a key is required, a revoked one refused, bad fields 400.
		form := url.Values{"service_code": {"legal_aid"}, "lat": {"24.761"}, "long": {"118.561"}, "description": {"工伤待遇纠纷，申请调解"},
			"first_name": {"德"}, "last_name": {"李"}, "phone": {"13900139000"}}
		st, ct, b = o311(t, srv, "POST", "/open311/v2/requests.json", form)
		wantError(t, st, 400, ct, b)
		requests := srv.Count("service_requests")
		for _, bad := range []struct {
			set, value string
			status     int
		}{
			{"service_code", "no_such", 400}, {"lat", "north", 400}, {"lat", "91", 400}, {"description", "", 400}, {"api_key", "o311_forged", 403},
			{"jurisdiction_id", "another", 403}, {"phone", "12", 400},
		} {
			f := url.Values{"api_key": {key.Key}}
			for k, v := range form {
				f[k] = v
			}
			f.Set(bad.set, bad.value)
			st, ct, b = o311(t, srv, "POST", "/open311/v2/requests.xml", f)
			wantError(t, st, bad.status, ct, b)
		}
		form.Set("api_key", key.Key)
		st, _, b = o311(t, srv, "POST", "/open311/v2/requests.json", form)
		created := jsonList(t, b)
		id, isString := created[0]["service_request_id"].(string)
		if st != 201 || len(created) != 1 || !isString || created[0]["token"] != id {
			t.Fatalf("posted %d %s", st, b)
		}
		st, _, b = o311(t, srv, "POST", "/open311/v2/requests.xml", form)
		var xcreated xmlRequests
		if st != 201 || xml.Unmarshal(b, &xcreated) != nil || len(xcreated.Requests) != 1 || xcreated.Requests[0].ServiceRequestID == "" {
			t.Fatalf("posted XML %d %s", st, b)
		}
		if srv.Count("service_requests", "source = 'open311'") != requests+2 {
			t.Fatal("posts not filed")
		}

		// One: by id, through the filter and the token, both formats.
		st, _, b = o311(t, srv, "GET", "/open311/v2/requests/"+id+".json", nil)
		one := jsonList(t, b)
		if st != 200 || len(one) != 1 || one[0]["service_request_id"] != id || one[0]["status"] != "open" || one[0]["detailed_status"] != "submitted" ||
			one[0]["lat"] != 24.761 {
			t.Fatalf("by id %d %s", st, b)
		}
		st, _, b = o311(t, srv, "GET", "/open311/v2/requests/"+id+".xml", nil)
		var xone xmlRequests
		if st != 200 || xml.Unmarshal(b, &xone) != nil || len(xone.Requests) != 1 || xone.Requests[0].ServiceRequestID != id ||
			xone.Requests[0].Lat != "24.761" {
			t.Fatalf("by id (XML) %d %s", st, b)
		}
		st, _, b = o311(t, srv, "GET", "/open311/v2/requests.json?service_request_id="+id, nil)
		if st != 200 || len(jsonList(t, b)) != 1 {
			t.Fatalf("filter by id %d %s", st, b)
		}
		st, _, b = o311(t, srv, "GET", "/open311/v2/tokens/"+id+".xml", nil)
		var tok xmlRequests
		if st != 200 || xml.Unmarshal(b, &tok) != nil || len(tok.Requests) != 1 || tok.Requests[0].Token != id || tok.Requests[0].ServiceRequestID != id {
			t.Fatalf("token %d %s", st, b)
		}
		st, ct, b = o311(t, srv, "GET", "/open311/v2/requests/nope.json", nil)
		wantError(t, st, 404, ct, b)

		// Many, and the status mapping with the workflow in full.
		// status_notes is the latest step's note, in a list as by id.
		for _, step := range [][2]string{{"accept", "已受理，转人民调解员"}, {"start", "调解中"}, {"resolve", "已调解，双方达成协议"}} {
			if _, err := staff.ActOnServiceRequest(ctx, id, map[string]any{"action": step[0], "note": step[1]}); err != nil {
				t.Fatal(err)
			}
		}
		st, _, b = o311(t, srv, "GET", "/open311/v2/requests.json", nil)
		all := jsonList(t, b)
		if st != 200 || len(all) != 2 {
			t.Fatalf("many %d %s", st, b)
		}
		for _, r := range all {
			want := ""
			if r["service_request_id"] == id {
				want = "已调解，双方达成协议"
			}
			if r["status_notes"] != want {
				t.Fatalf("list: status_notes of %v: %q, want %q", r["service_request_id"], r["status_notes"], want)
			}
		}
		st, _, b = o311(t, srv, "GET", "/open311/v2/requests/"+id+".json", nil)
		if one := jsonList(t, b); st != 200 || len(one) != 1 || one[0]["status_notes"] != "已调解，双方达成协议" {
			t.Fatalf("by id: status_notes %d %s", st, b)
		}
		st, _, b = o311(t, srv, "GET", "/open311/v2/requests.xml?status=closed", nil)
		var closed xmlRequests
		if st != 200 || xml.Unmarshal(b, &closed) != nil || len(closed.Requests) != 1 || closed.Requests[0].Status != "closed" ||
			closed.Requests[0].DetailedStatus != "resolved" {
			t.Fatalf("closed %d %s", st, b)
		}
		st, _, b = o311(t, srv, "GET", "/open311/v2/requests.json?status=open&service_code=legal_aid,property", nil)
		if open := jsonList(t, b); st != 200 || len(open) != 1 || open[0]["service_request_id"] == id {
			t.Fatalf("open %d %s", st, b)
		}
		st, ct, b = o311(t, srv, "GET", "/open311/v2/requests.json?start_date=yesterday", nil)
		wantError(t, st, 400, ct, b)
		st, ct, b = o311(t, srv, "GET", "/open311/v2/requests.json?status=pending", nil)
		wantError(t, st, 400, ct, b)
		st, _, b = o311(t, srv, "GET", "/open311/v2/requests.json?end_date=2000-01-01T00:00:00Z", nil)
		if st != 200 || len(jsonList(t, b)) != 0 {
			t.Fatalf("old window %d %s", st, b)
		}
		st, _, _ = o311(t, srv, "GET", "/open311/v2/requests.csv", nil)
		if st != 404 {
			t.Fatalf("csv: %d", st)
		}

		// A revoked key is refused; jurisdiction_id names a zone.
		if err := admin.Call(ctx, "DELETE", "/api/v1/api-keys/"+key.ID, nil, nil); err != nil {
			t.Fatal(err)
		}
		st, ct, b = o311(t, srv, "POST", "/open311/v2/requests.json", form)
		wantError(t, st, 403, ct, b)
		other := srv.Zone("另一开发区")
		st, ct, b = o311(t, srv, "GET", "/open311/v2/services.json", nil)
		wantError(t, st, 400, ct, b)
		st, _, b = o311(t, srv, "GET", "/open311/v2/requests.json?jurisdiction_id="+srv.ZoneID, nil)
		if st != 200 || len(jsonList(t, b)) != 2 {
			t.Fatalf("with jurisdiction %d %s", st, b)
		}
		st, _, b = o311(t, srv, "GET", "/open311/v2/requests/"+id+".json?jurisdiction_id="+other, nil)
		wantError(t, st, 404, "application/json", b)
		st, ct, b = o311(t, srv, "GET", "/open311/v2/services.xml?jurisdiction_id=nowhere", nil)
		wantError(t, st, 404, ct, b)
	})
}
