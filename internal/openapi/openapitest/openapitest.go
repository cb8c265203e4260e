// Package openapitest checks HTTP exchanges against the OpenAPI document.
// It is a normal (non-test) package so that the tests of any package can
// plug Checker into client.Client.Check.
package openapitest

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Doc loads the served document (base.yaml with every domain's fragment,
// as JSON) and validates it; either failing fails the test. kin-openapi
// turns on OpenAPI 3.1 / JSON Schema 2020-12 validation by itself from the
// document's "openapi: 3.1.0".
func Doc(t testing.TB, b []byte) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(b)
	if err != nil {
		t.Fatalf("openapi: loading: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi: document is %q, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("openapi: invalid document: %v", err)
	}
	return doc
}

// Checker returns a client.Client.Check function that validates each
// response (status, declared headers, body) against the document. A path,
// method or status the document does not list is a test error — except 405
// (a listed path with a method it does not have, which the document's
// conventions describe once). The request body has already been sent, so
// only the response is validated.
func Checker(t testing.TB, b []byte) func(req *http.Request, resp *http.Response, body []byte) {
	t.Helper()
	return Load(t, b).Checker(t)
}

// Router is a document loaded and validated once, for the checkers of many
// tests (loading costs far more than checking: a test that starts a server
// per subtest loads it once).
type Router struct{ r routers.Router }

// Load loads the document as Doc does and routes requests by it.
func Load(t testing.TB, b []byte) *Router {
	t.Helper()
	doc := Doc(t, b)
	// Without servers the router matches any host, so httptest URLs work.
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("openapi: router: %v", err)
	}
	return &Router{router}
}

// Checker is the package's Checker on r's document, reporting to t.
func (r *Router) Checker(t testing.TB) func(req *http.Request, resp *http.Response, body []byte) {
	return func(req *http.Request, resp *http.Response, body []byte) {
		t.Helper()
		check(t, r.r, req, resp, body)
	}
}

func check(t testing.TB, router routers.Router, req *http.Request, resp *http.Response, body []byte) {
	t.Helper()
	if resp.StatusCode == http.StatusMethodNotAllowed {
		return
	}
	route, params, err := router.FindRoute(req)
	if err != nil && (!strings.HasPrefix(req.URL.Path, "/api/") || resp.StatusCode == http.StatusNotFound) {
		return // the console, or an unknown path under /api/ (the conventions describe its 404 once)
	}
	if err != nil {
		t.Errorf("openapi: %s %s → %d: not documented: %v", req.Method, req.URL.Path, resp.StatusCode, err)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: params,
			Route:      route,
			Options:    &openapi3filter.Options{ExcludeRequestBody: true},
		},
		Status: resp.StatusCode,
		Header: resp.Header,
		Options: &openapi3filter.Options{
			ExcludeRequestBody:    true,
			IncludeResponseStatus: true,
			MultiError:            true,
		},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("openapi: %s %s → %d: response does not match the document: %v\nbody: %s",
			req.Method, req.URL.Path, resp.StatusCode, err, truncate(body))
	}
}

func truncate(b []byte) []byte {
	const max = 2000
	if len(b) > max {
		return append(bytes.Clone(b[:max]), "…"...)
	}
	return b
}
