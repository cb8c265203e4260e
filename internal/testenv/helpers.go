package testenv

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"tongxin/internal/client"
	"tongxin/internal/db"
	"tongxin/internal/users"
	"tongxin/internal/zones"
)

// UserPassword is the password the helpers give user name.
func UserPassword(name string) string { return "Pw-" + name + "-2024!" }

// User creates (as admin) a user of the server's first zone holding role
// on scopeID ("" for no grant) and returns a client signed in as them.
func (s *Server) User(name, role, scopeID string) *client.Client {
	s.t.Helper()
	ctx := context.Background()
	admin := s.Admin()
	u, err := admin.CreateUser(ctx, map[string]string{"username": name, "password": UserPassword(name), "display_name": name})
	if err != nil {
		s.t.Fatalf("create user %s: %v", name, err)
	}
	if role != "" {
		if _, err := admin.Grant(ctx, u.ID, role, scopeID); err != nil {
			s.t.Fatalf("grant %s %s on %s: %v", name, role, scopeID, err)
		}
	}
	return s.SignIn(name)
}

// SignIn returns a client signed in as name (password UserPassword(name)).
func (s *Server) SignIn(name string) *client.Client {
	s.t.Helper()
	c := s.Client()
	if _, err := c.Login(context.Background(), name, UserPassword(name)); err != nil {
		s.t.Fatalf("login %s: %v", name, err)
	}
	return c
}

// UserIn creates, through the operator functions, a user of zoneID with
// role on scopeID and signs them in.
func (s *Server) UserIn(name, zoneID, role, scopeID string) *client.Client {
	s.t.Helper()
	ctx := context.Background()
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		if _, err := users.Add(ctx, tx, Passwords(), zoneID, name, name, UserPassword(name)); err != nil {
			return err
		}
		if role == "" {
			return nil
		}
		return users.Grant(ctx, tx, name, role, scopeID)
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return s.SignIn(name)
}

// Zone creates a zone directly in the database and returns its id.
func (s *Server) Zone(name string) string {
	s.t.Helper()
	var id string
	ctx := context.Background()
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		z, err := zones.Add(ctx, tx, name)
		id = z.ID
		return err
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return id
}

// Park creates a park of the first zone as admin.
func (s *Server) Park(name, code string) client.Park {
	s.t.Helper()
	p, err := s.Admin().CreatePark(context.Background(), map[string]string{"name": name, "code": code})
	if err != nil {
		s.t.Fatalf("create park %s: %v", code, err)
	}
	return p
}

// UserID returns the id of username.
func (s *Server) UserID(username string) string {
	s.t.Helper()
	var id string
	if err := s.DB.R.QueryRow("SELECT id FROM users WHERE username = $1", username).Scan(&id); err != nil {
		s.t.Fatalf("user %s: %v", username, err)
	}
	return id
}

// Count returns the number of rows in table (where, when given, filters).
func (s *Server) Count(table string, where ...any) int {
	s.t.Helper()
	q := "SELECT COUNT(*) FROM " + table
	var args []any
	if len(where) > 0 {
		q += " WHERE " + where[0].(string)
		args = where[1:]
	}
	var n int
	if err := s.DB.R.QueryRow(q, args...).Scan(&n); err != nil {
		s.t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// Strings is the package's Strings on the server's database.
func (s *Server) Strings(query string, args ...any) []string {
	s.t.Helper()
	return Strings(s.t, s.DB.R, query, args...)
}

// Strings returns the one column of every row of query on q, a test's
// plain read of what the database holds.
func Strings(t testing.TB, q db.Querier, query string, args ...any) []string {
	t.Helper()
	var out []string
	err := db.Each(context.Background(), q, query, args, func(r db.Scanner) error {
		var v string
		err := r.Scan(&v)
		out = append(out, v)
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return out
}

// Raw sends a request with a literal body as c's caller (its token) and
// returns status, headers and body. The answer is checked against the
// OpenAPI document when c checks its answers.
func Raw(t testing.TB, c *client.Client, method, path, body string, hdr map[string]string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, c.Base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	if c.Check != nil {
		c.Check(req, resp, b.Bytes())
	}
	return resp.StatusCode, resp.Header, b.String()
}

// WantStatus fails the test unless err is an answer with status want (0:
// success).
func WantStatus(t testing.TB, err error, want int) {
	t.Helper()
	if got := client.StatusOf(err); got != want {
		t.Fatalf("status %d, want %d (err: %v)", got, want, err)
	}
}

// Problem returns the problem document of an error answer.
func Problem(err error) client.Problem {
	if e, ok := err.(*client.Error); ok {
		return e.Problem
	}
	return client.Problem{}
}
