package kit

import (
	"testing"

	"tongxin/internal/access"
)

func TestSparesByNodeAndName(t *testing.T) {
	var s Spares
	a, b := Node{ID: "a"}, Node{ID: "b"}
	if got := s.Get(a, "x"); got != "" {
		t.Fatalf("empty Spares: Get = %q, want \"\"", got)
	}
	s.Put(a, "x", "1")
	s.Put(a, "y", "2")
	s.Put(b, "x", "3")
	s.Put(a, "x", "4")
	for _, c := range []struct {
		n          Node
		name, want string
	}{{a, "x", "4"}, {a, "y", "2"}, {b, "x", "3"}, {b, "y", ""}} {
		if got := s.Get(c.n, c.name); got != c.want {
			t.Errorf("Get(%s, %s) = %q, want %q", c.n.ID, c.name, got, c.want)
		}
	}
}

func TestResourceRoutes(t *testing.T) {
	read, write, other := access.Perm("t.read"), access.Perm("t.write"), access.Perm("t.other")
	rs := Resource{Name: "thing", Reads: read, Writes: write}
	h := func(w http.ResponseWriter, r *http.Request) error { return nil }
	for _, c := range []struct {
		got  Route
		want Route
	}{
		{rs.Read("GET", "/x/{id}", h), Route{Method: "GET", Path: "/x/{id}", Perm: read, Resource: "thing"}},
		{rs.Write("DELETE", "/x/{id}", h), Route{Method: "DELETE", Path: "/x/{id}", Perm: write, Resource: "thing"}},
		{rs.Create("/x", h), Route{Method: "POST", Path: "/x", Perm: write, Resource: "thing", Create: true}},
		{rs.Needs(other, "POST", "/x/{id}/act", h), Route{Method: "POST", Path: "/x/{id}/act", Perm: other, Resource: "thing"}},
	} {
		if c.got.Handle == nil {
			t.Errorf("%s: no handler", c.got.Pattern())
		}
		c.got.Handle = nil
		if c.got != c.want {
			t.Errorf("got %+v, want %+v", c.got, c.want)
		}
	}
}
