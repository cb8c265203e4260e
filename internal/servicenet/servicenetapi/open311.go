package servicenetapi

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tongxin/internal/apperr"
	"tongxin/internal/httpx"
	"tongxin/internal/kit"
	"tongxin/internal/servicenet"
)

// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) under
// /open311/v2/. Every path ends in .json or .xml, which chooses the
// format; errors are the standard's list of {code, description}; ids are
// strings; jurisdiction_id names a zone (optional while there is one).
// Reads are public, as the standard has them; posting needs an api_key
// issued under /api/v1/api-keys. The workflow's seven states are mapped
// onto open/closed (servicenet.Open311Status) and published in full in the
// extension field detailed_status.

// Spec is the specification discovery names.
const Spec = "http://wiki.open311.org/GeoReport_v2"

// maxForm bounds a posted form.
const maxForm = 64 << 10

func open311Routes(h handler) []kit.Route {
	return []kit.Route{
		{Method: "GET", Path: "/open311/v2/{file}", Access: kit.Public, Handle: h.o311Root},
		{Method: "POST", Path: "/open311/v2/{file}", Access: kit.Public, Handle: h.o311Post},
		{Method: "GET", Path: "/open311/v2/services/{file}", Access: kit.Public, Handle: h.o311Definition},
		{Method: "GET", Path: "/open311/v2/requests/{file}", Access: kit.Public, Handle: h.o311Request},
		{Method: "GET", Path: "/open311/v2/tokens/{file}", Access: kit.Public, Handle: h.o311Token},
	}
}

// o311Error is one entry of the standard's error list.
type o311Error struct {
	XMLName     xml.Name `json:"-" xml:"error"`
	Code        int      `json:"code" xml:"code"`
	Description string   `json:"description" xml:"description"`
}

type o311Errors struct {
	XMLName xml.Name    `xml:"errors"`
	Errors  []o311Error `xml:"error"`
}

// format splits "requests.json" into "requests" and "json"; ok is false
// for any other suffix.
func format(file string) (name, fmt string, ok bool) {
	for _, f := range []string{"json", "xml"} {
		if n, found := strings.CutSuffix(file, "."+f); found && n != "" {
			return n, f, true
		}
	}
	return "", "", false
}

// write answers v as JSON, or as XML under its XML names.
func write(w http.ResponseWriter, f string, status int, v any) {
	if f == "xml" {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(status)
		io.WriteString(w, xml.Header)
		xml.NewEncoder(w).Encode(v)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// fail answers err in the standard's error format, in the caller's
// language: 404 not found, 403 a refused key, 400 anything the caller
// sent wrong, 500 the rest (logged).
func fail(w http.ResponseWriter, r *http.Request, f string, err error) error {
	status := http.StatusInternalServerError
	switch apperr.CodeOf(err) {
	case apperr.NotFound:
		status = http.StatusNotFound
	case apperr.Forbidden:
		status = http.StatusForbidden
	case apperr.Invalid, apperr.Validation, apperr.UnsupportedMedia, apperr.TooLarge:
		status = http.StatusBadRequest
	}
	if status == http.StatusInternalServerError {
		httpx.Log(r.Context()).Error("open311", "err", err.Error())
	}
	p := httpx.NewProblem(r, err)
	var list []o311Error
	for _, fe := range p.Errors {
		list = append(list, o311Error{Code: status, Description: fe.Field + ": " + fe.Message})
	}
	if len(list) == 0 {
		list = []o311Error{{Code: status, Description: p.Detail}}
	}
	if f == "xml" {
		write(w, f, status, o311Errors{Errors: list})
	} else {
		write(w, "json", status, list)
	}
	return nil
}

// badFile is the answer to a path without .json or .xml.
func badFile(w http.ResponseWriter, r *http.Request) error {
	return fail(w, r, "xml", apperr.New(apperr.NotFound, "problem.no_route"))
}

func (h handler) o311Root(w http.ResponseWriter, r *http.Request) error {
	name, f, ok := format(r.PathValue("file"))
	if !ok {
		return badFile(w, r)
	}
	switch name {
	case "discovery":
		return h.o311Discovery(w, r, f)
	case "services":
		return h.o311Services(w, r, f)
	case "requests":
		return h.o311Requests(w, r, f)
	}
	return badFile(w, r)
}

type o311Endpoint struct {
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

type o311Discovery struct {
	XMLName    xml.Name       `json:"-" xml:"discovery"`
	Changeset  string         `json:"changeset" xml:"changeset"`
	Contact    string         `json:"contact" xml:"contact"`
	KeyService string         `json:"key_service" xml:"key_service"`
	Endpoints  []o311Endpoint `json:"endpoints" xml:"endpoints>endpoint"`
}

// changeset is when this interface last changed (the standard's
// changeset: clients compare it to know whether to re-read discovery).
const changeset = "2026-11-29T00:00:00Z"

func (h handler) o311Discovery(w http.ResponseWriter, r *http.Request, f string) error {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	l := httpx.Lang(r)
	write(w, f, http.StatusOK, o311Discovery{Changeset: changeset, Contact: l.T("open311.contact", nil), KeyService: l.T("open311.key_service", nil),
		Endpoints: []o311Endpoint{{Specification: Spec, URL: scheme + "://" + r.Host + "/open311/v2", Changeset: changeset, Type: "production",
			Formats: []string{"text/xml", "application/json"}}}})
	return nil
}

type o311Service struct {
	XMLName     xml.Name `json:"-" xml:"service"`
	ServiceCode string   `json:"service_code" xml:"service_code"`
	ServiceName string   `json:"service_name" xml:"service_name"`
	Description string   `json:"description" xml:"description"`
	Metadata    bool     `json:"metadata" xml:"metadata"`
	Type        string   `json:"type" xml:"type"`
	Keywords    string   `json:"keywords" xml:"keywords"`
	Group       string   `json:"group" xml:"group"`
}

type o311Services struct {
	XMLName  xml.Name      `xml:"services"`
	Services []o311Service `xml:"service"`
}

func (h handler) o311Services(w http.ResponseWriter, r *http.Request, f string) error {
	zone, err := h.svc.Jurisdiction(r.Context(), r.URL.Query().Get("jurisdiction_id"))
	if err != nil {
		return fail(w, r, f, err)
	}
	cat, err := h.svc.PublicCatalogue(r.Context(), zone)
	if err != nil {
		return fail(w, r, f, err)
	}
	list := []o311Service{}
	for _, e := range cat {
		list = append(list, o311Service{ServiceCode: e.Code, ServiceName: e.Name, Description: e.Name, Type: "realtime", Keywords: e.Category,
			Group: e.Category})
	}
	if f == "xml" {
		write(w, f, http.StatusOK, o311Services{Services: list})
	} else {
		write(w, f, http.StatusOK, list)
	}
	return nil
}

// o311Definition is a service definition. The catalogue's services take
// no extra attributes (metadata is false), so the list is empty.
type o311Definition struct {
	XMLName     xml.Name   `json:"-" xml:"service_definition"`
	ServiceCode string     `json:"service_code" xml:"service_code"`
	Attributes  []struct{} `json:"attributes" xml:"attributes"`
}

func (h handler) o311Definition(w http.ResponseWriter, r *http.Request) error {
	code, f, ok := format(r.PathValue("file"))
	if !ok {
		return badFile(w, r)
	}
	zone, err := h.svc.Jurisdiction(r.Context(), r.URL.Query().Get("jurisdiction_id"))
	if err != nil {
		return fail(w, r, f, err)
	}
	cat, err := h.svc.PublicCatalogue(r.Context(), zone)
	if err != nil {
		return fail(w, r, f, err)
	}
	for _, e := range cat {
		if e.Code == code {
			write(w, f, http.StatusOK, o311Definition{ServiceCode: code, Attributes: []struct{}{}})
			return nil
		}
	}
	return fail(w, r, f, apperr.New(apperr.NotFound, ""))
}

// o311Request is a request as the standard shows it, plus the extension
// detailed_status (the internal workflow state).
type o311Request struct {
	XMLName           xml.Name `json:"-" xml:"request"`
	ServiceRequestID  string   `json:"service_request_id" xml:"service_request_id"`
	Status            string   `json:"status" xml:"status"`
	DetailedStatus    string   `json:"detailed_status" xml:"detailed_status"`
	StatusNotes       string   `json:"status_notes" xml:"status_notes"`
	ServiceName       string   `json:"service_name" xml:"service_name"`
	ServiceCode       string   `json:"service_code" xml:"service_code"`
	Description       string   `json:"description" xml:"description"`
	AgencyResponsible string   `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     string   `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string   `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string   `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  string   `json:"expected_datetime" xml:"expected_datetime"`
	Address           string   `json:"address" xml:"address"`
	AddressID         string   `json:"address_id" xml:"address_id"`
	Zipcode           string   `json:"zipcode" xml:"zipcode"`
	Lat               *float64 `json:"lat" xml:"lat,omitempty"`
	Long              *float64 `json:"long" xml:"long,omitempty"`
	MediaURL          string   `json:"media_url" xml:"media_url"`
}

type o311Requests struct {
	XMLName  xml.Name      `xml:"service_requests"`
	Requests []o311Request `xml:"request"`
}

// w3c is the standard's datetime format (W3C, with the offset).
func w3c(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (h handler) o311Out(r *http.Request, zone string, rs []servicenet.Request) ([]o311Request, error) {
	cat, err := h.svc.PublicCatalogue(r.Context(), zone)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, e := range cat {
		names[e.Code] = e.Name
	}
	out := []o311Request{}
	for _, q := range rs {
		o := o311Request{ServiceRequestID: q.ID, Status: servicenet.Open311Status(q.Status), DetailedStatus: q.Status, StatusNotes: q.LastNote(),
			ServiceName: names[q.ServiceCode], ServiceCode: q.ServiceCode, Description: q.Description, AgencyResponsible: q.PointID,
			RequestedDatetime: w3c(q.CreatedAt), UpdatedDatetime: w3c(q.UpdatedAt), Address: q.Location.Address, Lat: q.Location.Lat, Long: q.Location.Lng}
		if servicenet.Open(q.Status) {
			o.ExpectedDatetime = w3c(q.DueAt)
		}
		out = append(out, o)
	}
	return out, nil
}

func (h handler) writeRequests(w http.ResponseWriter, f string, status int, list []o311Request) {
	if f == "xml" {
		write(w, f, status, o311Requests{Requests: list})
	} else {
		write(w, f, status, list)
	}
}

// csv splits a comma-separated filter, dropping empty items.
func csv(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func (h handler) o311Requests(w http.ResponseWriter, r *http.Request, f string) error {
	q := r.URL.Query()
	zone, err := h.svc.Jurisdiction(r.Context(), q.Get("jurisdiction_id"))
	if err != nil {
		return fail(w, r, f, err)
	}
	filter := servicenet.Open311Filter{IDs: csv(q.Get("service_request_id")), Codes: csv(q.Get("service_code"))}
	for _, d := range []struct {
		name string
		dst  *time.Time
	}{{"start_date", &filter.Start}, {"end_date", &filter.End}} {
		if v := q.Get(d.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return fail(w, r, f, apperr.BadField(d.name, "invalid_date"))
			}
			*d.dst = t
		}
	}
	if !filter.Start.IsZero() && !filter.End.IsZero() && filter.End.Before(filter.Start) {
		return fail(w, r, f, apperr.BadField("end_date", "invalid_date"))
	}
	if st := csv(q.Get("status")); len(st) > 0 {
		open, closed := false, false
		for _, s := range st {
			switch s {
			case "open":
				open = true
			case "closed":
				closed = true
			default:
				return fail(w, r, f, apperr.BadField("status", "unknown_value"))
			}
		}
		if open != closed {
			filter.Open = &open
		}
	}
	rs, err := h.svc.PublicRequests(r.Context(), zone, filter)
	if err != nil {
		return fail(w, r, f, err)
	}
	out, err := h.o311Out(r, zone, rs)
	if err != nil {
		return fail(w, r, f, err)
	}
	h.writeRequests(w, f, http.StatusOK, out)
	return nil
}

// o311One reads the request a path names ({id}.json, {token}.xml): its
// format and the request, or false after answering the error.
func (h handler) o311One(w http.ResponseWriter, r *http.Request) (string, string, servicenet.Request, bool) {
	id, f, ok := format(r.PathValue("file"))
	if !ok {
		badFile(w, r)
		return "", "", servicenet.Request{}, false
	}
	zone, err := h.svc.Jurisdiction(r.Context(), r.URL.Query().Get("jurisdiction_id"))
	var q servicenet.Request
	if err == nil {
		q, err = h.svc.PublicRequest(r.Context(), zone, id)
	}
	if err != nil {
		fail(w, r, f, err)
		return "", "", q, false
	}
	return f, zone, q, true
}

func (h handler) o311Request(w http.ResponseWriter, r *http.Request) error {
	f, zone, q, ok := h.o311One(w, r)
	if !ok {
		return nil
	}
	out, err := h.o311Out(r, zone, []servicenet.Request{q})
	if err != nil {
		return fail(w, r, f, err)
	}
	h.writeRequests(w, f, http.StatusOK, out)
	return nil
}

// o311Created is the answer to a post. Requests are filed at once, so
// the token is the request's id and tokens/{token} answers it at once.
type o311Created struct {
	XMLName          xml.Name `json:"-" xml:"request"`
	ServiceRequestID string   `json:"service_request_id" xml:"service_request_id"`
	Token            string   `json:"token" xml:"token"`
	ServiceNotice    string   `json:"service_notice" xml:"service_notice"`
	AccountID        *string  `json:"account_id" xml:"account_id,omitempty"`
}

type o311CreatedList struct {
	XMLName  xml.Name      `xml:"service_requests"`
	Requests []o311Created `xml:"request"`
}

func (h handler) writeCreated(w http.ResponseWriter, f string, status int, c o311Created) {
	if f == "xml" {
		write(w, f, status, o311CreatedList{Requests: []o311Created{c}})
	} else {
		write(w, f, status, []o311Created{c})
	}
}

// o311Post files a request from a form-encoded body: service_code, lat and
// long (or address_string), description, first_name, last_name, phone,
// jurisdiction_id and api_key. email, device_id, account_id, address_id,
// media_url and attribute[] are accepted and not kept.
func (h handler) o311Post(w http.ResponseWriter, r *http.Request) error {
	name, f, ok := format(r.PathValue("file"))
	if !ok || name != "requests" {
		return badFile(w, r)
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return fail(w, r, f, apperr.BadField("Content-Type", "invalid_format"))
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return fail(w, r, f, apperr.BadField("body", "invalid_format"))
	}
	form := r.PostForm
	for k, vs := range form {
		if !httpx.CleanText(k) {
			return fail(w, r, f, apperr.BadField("body", "invalid_text"))
		}
		for _, v := range vs {
			if !httpx.CleanText(v) {
				return fail(w, r, f, apperr.BadField(k, "invalid_text"))
			}
		}
	}
	in := servicenet.FileInput{ServiceCode: form.Get("service_code"), Description: form.Get("description"), Address: form.Get("address_string"),
		Contact: servicenet.Contact{Name: strings.TrimSpace(form.Get("first_name") + " " + form.Get("last_name")), Phone: form.Get("phone")}}
	lat, lng := form.Get("lat"), form.Get("long")
	if lat != "" || lng != "" {
		var loc servicenet.Location
		for _, c := range []struct {
			name, v string
			dst     **float64
		}{{"lat", lat, &loc.Lat}, {"long", lng, &loc.Lng}} {
			if c.v == "" {
				return fail(w, r, f, apperr.BadField(c.name, "required"))
			}
			x, err := strconv.ParseFloat(c.v, 64)
			if err != nil {
				return fail(w, r, f, apperr.BadField(c.name, "invalid_format"))
			}
			*c.dst = &x
		}
		in.Location = &loc
	}
	q, err := h.svc.FileOpen311(r.Context(), form.Get("api_key"), form.Get("jurisdiction_id"), in)
	if err != nil {
		return fail(w, r, f, err)
	}
	w.Header().Set("Location", "/open311/v2/requests/"+q.ID+"."+f)
	h.writeCreated(w, f, http.StatusCreated, o311Created{ServiceRequestID: q.ID, Token: q.ID})
	return nil
}

// o311Token answers a token: the request it became (at once, here).
func (h handler) o311Token(w http.ResponseWriter, r *http.Request) error {
	f, _, q, ok := h.o311One(w, r)
	if ok {
		h.writeCreated(w, f, http.StatusOK, o311Created{ServiceRequestID: q.ID, Token: q.ID})
	}
	return nil
}
