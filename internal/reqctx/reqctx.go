// Package reqctx carries what a request knows about itself — the server's
// id for it, the id the client sent, the client's address — from the HTTP
// edge to the domain packages, which do not import the HTTP layer.
package reqctx

import "context"

// Meta describes the request a context belongs to.
type Meta struct {
	// ID is the server's own id for the request (never chosen by the client).
	ID string
	// ClientID is the X-Request-ID the client sent, when well-formed.
	ClientID string
	// ClientAddr is the client's address as the server sees it.
	ClientAddr string
}

type key struct{}

// With returns ctx carrying m.
func With(ctx context.Context, m Meta) context.Context { return context.WithValue(ctx, key{}, m) }

// From returns the request's metadata; the zero Meta outside a request
// (operator commands, jobs).
func From(ctx context.Context) Meta {
	m, _ := ctx.Value(key{}).(Meta)
	return m
}
