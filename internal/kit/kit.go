// Package kit is what makes a domain one folder. A domain declares itself
// as a Domain — its routes with the access each needs, its OpenAPI
// fragment, its translations, its migrations, its tables and the fixtures
// the authorisation matrix test builds rows with — and the server mounts
// the list of domains. Nothing shared grows when a domain is added.
//
// A route's handler returns an error instead of writing one. The kit runs
// the prelude every route shares: path parameters checked for NUL bytes and
// invalid UTF-8 (400 naming the parameter), sign-in (401), the route's
// permission held somewhere (403, logged), Idempotency-Key on creating
// POSTs (after the permission check, so a replay never outlives the right
// to create), and the error answer.
package kit

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/httpx"
	"tongxin/internal/ident"
)

// Access is who may call a route at all.
type Access int

const (
	// Scoped routes need the route's permission somewhere; the domain
	// then restricts every row to where the caller holds it.
	Scoped Access = iota
	// Self routes need a signed-in caller and act on the caller alone.
	Self
	// Public routes need nobody (signing in).
	Public
)

// Handler serves one route. It returns the error to answer with, or nil
// after writing its answer.
type Handler func(w http.ResponseWriter, r *http.Request) error

// Route is one endpoint of a domain.
type Route struct {
	Method string // GET, POST, PATCH, DELETE
	Path   string // "/api/v1/parks/{id}"
	Access Access
	// Perm is the permission a Scoped route needs (somewhere: the domain
	// checks it against the row).
	Perm access.Perm
	// Create marks a POST that creates: it honours Idempotency-Key.
	Create bool
	// Upload marks a route whose body is a roster file (httpx.Upload)
	// rather than JSON; every other route answers such a body with 415.
	Upload bool
	// Resource names what the route reads or changes ("park"): the
	// authorisation matrix test makes rows of it with the domain's fixture
	// of that name.
	Resource string
	Handle   Handler
}

// Pattern is the ServeMux pattern ("GET /api/v1/parks/{id}").
func (rt Route) Pattern() string { return rt.Method + " " + rt.Path }

// Domain is one bounded context as the server sees it.
type Domain struct {
	Name   string
	Routes []Route
	// OpenAPI is the domain's fragment of the document: YAML with "paths"
	// and "components" (schemas, responses, parameters) to merge.
	OpenAPI []byte
	// Locales holds zh-CN.json and en.json: the domain's messages.
	Locales fs.FS
	// Tables are the tables the domain owns; the matrix test checks that a
	// refused request changes none of them.
	Tables []string
	// Fixtures tell the matrix test how to make rows of each resource.
	Fixtures []Fixture
}

// Idempotency is the store of Idempotency-Key answers (package idem).
type Idempotency interface {
	Serve(w http.ResponseWriter, r *http.Request, h http.HandlerFunc)
}

// Mux is what routes are registered on.
type Mux interface {
	Handle(pattern string, h http.Handler)
}

// Mount registers every route of domains on mux.
func Mount(mux Mux, idem Idempotency, domains ...Domain) {
	for _, d := range domains {
		for _, rt := range d.Routes {
			mux.Handle(rt.Pattern(), wrap(rt, idem))
		}
	}
}

var wildcard = regexp.MustCompile(`\{([a-z_]+)(?:\.\.\.)?\}`)

func wrap(rt Route, idem Idempotency) http.Handler {
	var params []string
	for _, m := range wildcard.FindAllStringSubmatch(rt.Path, -1) {
		params = append(params, m[1])
	}
	serve := func(w http.ResponseWriter, r *http.Request) {
		if err := rt.Handle(w, r); err != nil {
			Fail(w, r, err)
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, name := range params {
			if !httpx.CleanText(r.PathValue(name)) {
				httpx.Error(w, r, apperr.BadField(name, "invalid_text"))
				return
			}
		}
		if httpx.UploadBody(r) && !rt.Upload {
			httpx.Error(w, r, httpx.WantJSON())
			return
		}
		p := access.From(r.Context())
		switch rt.Access {
		case Self:
			if p == nil {
				httpx.Error(w, r, apperr.New(apperr.Unauthorized, ""))
				return
			}
		case Scoped:
			if p == nil {
				httpx.Error(w, r, apperr.New(apperr.Unauthorized, ""))
				return
			}
			if p.Scope(rt.Perm).Empty() {
				Fail(w, r, apperr.New(apperr.Forbidden, ""))
				return
			}
		}
		if rt.Create && p != nil && idem != nil {
			idem.Serve(w, r, serve)
			return
		}
		serve(w, r)
	})
}

// Fail writes err, logging a refusal (who, what, where) first. Refusals go
// to the structured log rather than the audit table: a caller hammering a
// forbidden endpoint must not be able to flood the table.
func Fail(w http.ResponseWriter, r *http.Request, err error) {
	if apperr.Is(err, apperr.Forbidden) && r.Context().Err() == nil {
		user := ""
		if p := access.From(r.Context()); p != nil {
			user = p.Username
		}
		httpx.Log(r.Context()).Warn("access refused", "user", user, "method", r.Method, "route", r.Pattern,
			"path", r.URL.Path, "err", err.Error())
	}
	httpx.Error(w, r, err)
}

// Node is a scope node as fixtures see it.
type Node struct {
	ID     string
	Kind   string
	ZoneID string
}

// Caller sends API requests as one user: the typed test client satisfies
// it. out, when not nil, receives the decoded JSON answer.
type Caller interface {
	Call(ctx context.Context, method, path string, body, out any) error
}

// Fixture tells the authorisation matrix test how to make rows of one
// resource, so that every route naming the resource is tested — for every
// role, on a row in the caller's scope and rows out of it — without a test
// written for the route.
type Fixture struct {
	Resource string
	// NodeKind is set when the resource's rows are scope nodes themselves
	// (a park is a node of kind park): a role fitting that kind is granted
	// on the row.
	NodeKind string
	// Under lists the kinds of node a row can be made under, most
	// specific first; empty for roots (zones).
	Under []string
	// New makes a fresh row under node as a caller who may (a platform
	// administrator) and returns the path values naming it ({"id": …}).
	New func(ctx context.Context, c Caller, under Node) (map[string]string, error)
	// Body returns a valid request body for a POST or PATCH route on a row
	// under node, or for creating one there (nil: the route takes none):
	// a value sent as JSON, or a File for an Upload route.
	Body func(route string, under Node) any
	// ListKey is the field of a list item holding the row's id ("id" when
	// empty).
	ListKey string
	// Query returns the query parameters a GET route needs beyond paging
	// to show the row named by values (the place a living-circle query is
	// asked about); nil or "": none.
	Query func(route string, values map[string]string) string
}

// File is a request body sent as it is (a roster file for an Upload
// route), with its content type.
type File struct {
	ContentType string
	Data        []byte
}

// Path fills a route's wildcards from values.
func Path(path string, values map[string]string) string {
	return wildcard.ReplaceAllStringFunc(path, func(m string) string {
		name := strings.Trim(m, "{}.")
		return values[name]
	})
}

var fixtureSeq atomic.Int64

// Unique returns prefix followed by a number no other call in this process
// returns: fixtures name their rows with it (names and codes that must be
// unique stay unique across the matrix test's many rows).
func Unique(prefix string) string { return fmt.Sprintf("%s%d", prefix, fixtureSeq.Add(1)) }

// USCC returns a valid unified social credit code no other call in this
// process returns, for fixtures that make enterprises. The sequence is
// spread over the organisation code (multiplying by a prime is a bijection
// modulo 10⁹), so two codes differ all along it, as real ones do.
func USCC() string {
	return ident.CompleteUSCC(fmt.Sprintf("91350582%09d", fixtureSeq.Add(1)*982451653%1_000_000_000))
}
