package kit

import "tongxin/internal/access"

// Resource is what the Scoped routes of one resource share: the
// resource's name (the fixture the matrix test makes its rows with) and
// the permissions to read it and to change it. A route table names each
// route's method, path and handler and says only which permission it
// needs:
//
//	chain := kit.Resource{Name: "chain", Reads: artery.Read, Writes: artery.Manage}
//	chain.Read("GET", "/api/v1/chains/{id}", h.getChain),
//	chain.Create("/api/v1/chains", h.createChain),
type Resource struct {
	Name   string
	Reads  access.Perm
	Writes access.Perm
}

// Read is a route needing the resource's read permission.
func (rs Resource) Read(method, path string, h Handler) Route {
	return rs.Needs(rs.Reads, method, path, h)
}

// Write is a route needing the resource's write permission.
func (rs Resource) Write(method, path string, h Handler) Route {
	return rs.Needs(rs.Writes, method, path, h)
}

// Create is a POST that creates (it honours Idempotency-Key), needing the
// resource's write permission.
func (rs Resource) Create(path string, h Handler) Route {
	rt := rs.Needs(rs.Writes, "POST", path, h)
	rt.Create = true
	return rt
}

// Needs is a route of the resource needing perm, neither its read nor its
// write permission.
func (rs Resource) Needs(perm access.Perm, method, path string, h Handler) Route {
	return Route{Method: method, Path: path, Access: Scoped, Perm: perm, Resource: rs.Name, Handle: h}
}
