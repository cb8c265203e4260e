package server_test

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/db"
	"tongxin/internal/kit"
	"tongxin/internal/testenv"
)

// TestAuthorizationMatrix walks every registered route, for every role, on
// a row in the caller's scope and on rows out of it, in two zones. The
// answer each must get follows from the route's declared permission and
// the roles carrying it:
//
//   - in scope, with the permission: success (and a list shows the row);
//   - in scope, without it: 403, and nothing changes;
//   - out of scope: 404 for a row (403 when the role lacks the permission
//     everywhere), a list never shows the row, a create is refused, and
//     nothing changes.
//
// Rows come from the fixtures each domain declares for its resources, so a
// new route is covered without a new test, and a route whose resource has
// no fixture fails here.
//
// The zones, parks and users are made once; each domain's routes are
// walked on a server of their own over a fresh copy of that database, so
// the rows one domain's walk leaves behind do not slow the next: every
// "nothing changed" check reads every table, and on one database for all
// routes they grew to tens of thousands of rows.
func TestAuthorizationMatrix(t *testing.T) {
	testenv.EachParallel(t, func(t *testing.T, dsn string) {
		m := newMatrix(t, testenv.Start(t, dsn))
		domains := m.srv.App.Domains
		zone := m.srv.Freeze()
		for _, d := range domains {
			t.Run(d.Name, func(t *testing.T) {
				var dm *matrix // made at the first route that needs a server
				for _, rt := range d.Routes {
					r := m // a public route is not walked: route returns at once
					if rt.Access != kit.Public {
						if dm == nil {
							dm = m.on(t, zone.Start(t))
						}
						r = dm
					}
					t.Run(rt.Pattern(), func(t *testing.T) { r.route(t, rt) })
				}
			})
		}
	})
}

type matrix struct {
	t        *testing.T
	srv      *testenv.Server
	admin    *client.Client
	fixtures map[string]kit.Fixture // by resource
	byKind   map[string]kit.Fixture // by the node kind their rows are
	tables   []string
	dump     []*sql.Stmt // the digest's queries over tables, prepared once per database (on)
	zoneA    kit.Node
	parkA1   kit.Node
	parkA2   kit.Node
	zoneB    kit.Node
	parkB1   kit.Node
	users    map[string]*client.Client // role → a user holding it (grants come and go)
	// bound is an account bound to a person of zone A, as an accepted
	// invitation makes it: member of its own record only, no grant.
	bound *client.Client
}

func newMatrix(t *testing.T, srv *testenv.Server) *matrix {
	m := &matrix{t: t, srv: srv, admin: srv.Admin(), fixtures: map[string]kit.Fixture{}, byKind: map[string]kit.Fixture{},
		users: map[string]*client.Client{}}
	for _, d := range srv.App.Domains {
		for _, f := range d.Fixtures {
			if _, dup := m.fixtures[f.Resource]; dup {
				t.Fatalf("two fixtures for resource %s", f.Resource)
			}
			m.fixtures[f.Resource] = f
			if f.NodeKind != "" {
				m.byKind[f.NodeKind] = f
			}
		}
	}
	m.tables = digested(srv.App.Domains)
	zb, err := m.admin.CreateZone(ctx, "矩阵第二开发区")
	if err != nil {
		t.Fatalf("a platform administrator creates a zone: %v", err)
	}
	m.zoneA = kit.Node{ID: srv.ZoneID, Kind: access.KindZone, ZoneID: srv.ZoneID}
	m.zoneB = kit.Node{ID: zb.ID, Kind: access.KindZone, ZoneID: zb.ID}
	m.parkA1, m.parkA2, m.parkB1 = m.park(m.zoneA, "a1"), m.park(m.zoneA, "a2"), m.park(m.zoneB, "b1")
	for _, role := range access.Roles {
		name := "matrix-" + strings.ReplaceAll(role, "_", "-")
		if _, err := m.admin.CreateUser(ctx, map[string]string{"username": name, "password": testenv.UserPassword(name), "display_name": role}); err != nil {
			t.Fatal(err)
		}
		m.users[role] = srv.SignIn(name)
	}
	person, err := m.admin.CreatePerson(ctx, map[string]any{"zone_id": srv.ZoneID, "name": "矩阵本人", "phone": "13800138000",
		"enterprise_id": srv.Enterprise(m.parkA1.ID, "矩阵本人企业")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.admin.CreateUser(ctx, map[string]string{"username": "matrix-self", "password": testenv.UserPassword("matrix-self"),
		"display_name": "矩阵本人", "person_id": person.ID}); err != nil {
		t.Fatal(err)
	}
	m.bound = srv.SignIn("matrix-self")
	return m
}

// on returns the matrix for test t on srv, a clone of the database the
// matrix was made on: the same zones, parks and users, its clients bound to
// srv, the digest's queries prepared on srv's database.
func (m *matrix) on(t *testing.T, srv *testenv.Server) *matrix {
	c := *m
	c.dump = nil
	c.t, c.srv, c.admin, c.bound = t, srv, srv.Bind(m.admin), srv.Bind(m.bound)
	c.users = map[string]*client.Client{}
	for role, u := range m.users {
		c.users[role] = srv.Bind(u)
	}
	queries := make([]string, len(m.tables))
	for i, tb := range m.tables {
		queries[i] = "SELECT * FROM " + tb + " ORDER BY 1"
	}
	if srv.DB.Dialect == db.Postgres {
		// One round trip rather than one per table (a query is cheap in
		// process on SQLite, not over a socket): every row as its text
		// (record_out: each column by its type's output, NULL told from
		// ''), tagged with its table.
		for i, tb := range m.tables {
			queries[i] = "SELECT '" + tb + "' AS tb, t::text AS r FROM " + tb + " t"
		}
		queries = []string{"SELECT tb, r FROM (" + strings.Join(queries, " UNION ALL ") + `) u ORDER BY tb, r COLLATE "C"`}
	}
	for _, q := range queries {
		st, err := srv.DB.R.Prepare(q)
		if err != nil {
			t.Fatalf("digest: %v\n%s", err, q)
		}
		t.Cleanup(func() { st.Close() })
		c.dump = append(c.dump, st)
	}
	return &c
}

// digested lists the tables of domains that the digest reads.
func digested(domains []kit.Domain) []string {
	var tables []string
	for _, d := range domains {
		for _, tb := range d.Tables {
			switch tb {
			case "sessions", "login_failures", "login_locks":
				// touched by signing in, not by the requests under test
			default:
				tables = append(tables, tb)
			}
		}
	}
	return tables
}

func (m *matrix) park(zone kit.Node, code string) kit.Node {
	p, err := m.admin.CreatePark(ctx, map[string]string{"zone_id": zone.ID, "name": "矩阵园 " + code, "code": "matrix-" + code})
	if err != nil {
		m.t.Fatal(err)
	}
	return kit.Node{ID: p.ID, Kind: access.KindPark, ZoneID: zone.ID}
}

// target is a row the matrix requests: its path values, the node it was
// made under, and the chain of nodes whose subtree holds it (most specific
// first).
type target struct {
	values map[string]string
	under  kit.Node
	chain  []kit.Node
}

// place makes a fresh row of f in a zone (under its park when the
// resource lives under parks). park is the park to use in that zone.
func (m *matrix) place(t *testing.T, f kit.Fixture, zone, park kit.Node) target {
	t.Helper()
	var tg target
	for _, k := range f.Under {
		if k == access.KindOrg || k == access.KindEnterprise {
			// Rows of another domain as surroundings, put straight into
			// the database: an enterprise of the park, or a branch of the
			// park covering one.
			ent := m.srv.Enterprise(park.ID, "矩阵企业")
			n := kit.Node{ID: ent, Kind: access.KindEnterprise, ZoneID: zone.ZoneID}
			if k == access.KindOrg {
				n = kit.Node{ID: m.srv.Org(park.ID, park.ID, "矩阵支部", "branch", ent), Kind: access.KindOrg, ZoneID: zone.ZoneID}
			}
			tg.under, tg.chain = n, []kit.Node{n, park, zone}
			break
		}
		if k == access.KindPark {
			tg.under, tg.chain = park, []kit.Node{park, zone}
			break
		}
		if k == access.KindZone {
			tg.under, tg.chain = zone, []kit.Node{zone}
			break
		}
	}
	if len(f.Under) > 0 && tg.under.ID == "" {
		t.Fatalf("fixture %s: rows live under %v; the matrix builds zones, parks, enterprises and orgs only — teach it the kind", f.Resource, f.Under)
	}
	values, err := f.New(ctx, m.admin, tg.under)
	if err != nil {
		t.Fatalf("fixture %s: making a row: %v", f.Resource, err)
	}
	tg.values = values
	if f.NodeKind != "" {
		zoneID := tg.under.ZoneID
		if f.NodeKind == access.KindZone {
			zoneID = values["id"]
		}
		tg.chain = append([]kit.Node{{ID: values["id"], Kind: f.NodeKind, ZoneID: zoneID}}, tg.chain...)
	}
	return tg
}

// grant gives role to its matrix user on n and returns the grant id.
func (m *matrix) grant(t *testing.T, role string, n kit.Node) string {
	t.Helper()
	uid := m.srv.UserID("matrix-" + strings.ReplaceAll(role, "_", "-"))
	g, err := m.admin.Grant(ctx, uid, role, n.ID)
	if err != nil {
		t.Fatalf("granting %s on %s %s: %v", role, n.Kind, n.ID, err)
	}
	return g.ID
}

func (m *matrix) revoke(t *testing.T, role, grantID string) {
	uid := m.srv.UserID("matrix-" + strings.ReplaceAll(role, "_", "-"))
	err := m.admin.Revoke(ctx, uid, grantID)
	if err != nil && client.StatusOf(err) != 404 { // the grant's node may have been deleted by the route
		t.Fatalf("revoking: %v", err)
	}
}

// home is where a role is granted when no node of the row's chain fits
// it, so that it holds its permissions somewhere (out of scope).
func (m *matrix) home(t *testing.T, role string) (kit.Node, bool) {
	t.Helper()
	for _, n := range []kit.Node{m.parkA1, m.zoneA} {
		if access.RoleFits(role, n.Kind) {
			return n, true
		}
	}
	for _, kind := range access.KindsOf(role) {
		if f, ok := m.byKind[kind]; ok {
			tg := m.place(t, f, m.zoneA, m.parkA1)
			return tg.chain[0], true
		}
	}
	return kit.Node{}, false // no node of a kind this role fits exists yet (its domain has not landed)
}

func (m *matrix) route(t *testing.T, rt kit.Route) {
	switch rt.Access {
	case kit.Public:
		return
	case kit.Self:
		_, err := m.srv.Client().Do(ctx, rt.Method, kit.Path(rt.Path, anyValues(rt.Path)), map[string]string{}, nil, nil)
		if client.StatusOf(err) != 401 {
			t.Fatalf("anonymous: %v, want 401", err)
		}
		return
	}
	if rt.Perm == "" {
		t.Fatal("a scoped route without a permission")
	}
	f, ok := m.fixtures[rt.Resource]
	if !ok {
		t.Fatalf("no fixture for resource %q: add one to the domain's kit.Domain.Fixtures", rt.Resource)
	}
	for _, role := range access.Roles {
		t.Run(role, func(t *testing.T) { m.check(t, rt, f, role) })
	}
	// A person-bound account holds the member role on its own record
	// only: no scoped route serves it, in its zone or out of it.
	t.Run("person-bound", func(t *testing.T) {
		in := m.place(t, f, m.zoneA, m.parkA1)
		m.expect(t, m.bound, rt, f, in, "person-bound account", func(status int) bool { return status == 403 }, false, false)
	})
}

func (m *matrix) check(t *testing.T, rt kit.Route, f kit.Fixture, role string) {
	c := m.users[role]
	hasPerm := access.Has(role, rt.Perm)
	create := rt.Method == "POST" && !strings.Contains(rt.Path, "{")
	list := rt.Method == "GET" && !strings.Contains(rt.Path, "{")

	// In scope: a fresh row, the role granted on the most specific node
	// above it that the role fits.
	in := m.place(t, f, m.zoneA, m.parkA1)
	var g kit.Node
	for _, n := range in.chain {
		if access.RoleFits(role, n.Kind) {
			g = n
			break
		}
	}
	if g.ID == "" {
		var ok bool
		if g, ok = m.home(t, role); !ok {
			g = kit.Node{}
		}
	}
	if g.ID != "" {
		grantID := m.grant(t, role, g)
		defer m.revoke(t, role, grantID)
	}
	covered := g.ID != "" && slices.ContainsFunc(in.chain, func(n kit.Node) bool { return n.ID == g.ID })
	heldSomewhere := hasPerm && g.ID != ""

	if covered || (create && len(f.Under) == 0 && heldSomewhere) {
		m.expect(t, c, rt, f, in, "in scope", func(status int) bool {
			if hasPerm {
				return status >= 200 && status < 300
			}
			return status == 403
		}, list && hasPerm, true)
	}
	if role == access.PlatformAdmin {
		return // covers every zone: nothing is out of its scope
	}
	// Out of scope: a row in the other zone, and a row beside the grant
	// when the grant is narrower than the zone.
	outs := []target{m.place(t, f, m.zoneB, m.parkB1)}
	if g.ID != "" && g.ID != m.zoneA.ID {
		park := m.parkA1
		if slices.ContainsFunc(in.chain, func(n kit.Node) bool { return n.ID == m.parkA1.ID }) {
			park = m.parkA2
		}
		sib := m.place(t, f, m.zoneA, park)
		if !slices.ContainsFunc(sib.chain, func(n kit.Node) bool { return n.ID == g.ID }) {
			outs = append(outs, sib)
		}
	}
	if create && len(f.Under) == 0 {
		return // a root (a zone) has no outside to be created in
	}
	for _, out := range outs {
		m.expect(t, c, rt, f, out, "out of scope", func(status int) bool {
			switch {
			case !heldSomewhere:
				return status == 403
			case list:
				return status == 200
			case create:
				return status >= 400 && status < 500
			}
			return status == 404
		}, list && heldSomewhere, false)
	}
}

// expect sends the route's request on tg as c and checks the status; a
// refused request must change nothing, and an allowed list must show the
// row (want) or not show it.
func (m *matrix) expect(t *testing.T, c *client.Client, rt kit.Route, f kit.Fixture, tg target, what string,
	ok func(int) bool, checkList, want bool) {
	t.Helper()
	path := kit.Path(rt.Path, tg.values)
	var body any
	if f.Body != nil && (rt.Method == "POST" || rt.Method == "PUT" || rt.Method == "PATCH") {
		body = f.Body(rt.Pattern(), tg.under)
	}
	query := listQuery(rt)
	if f.Query != nil && rt.Method == "GET" {
		if extra := f.Query(rt.Pattern(), tg.values); extra != "" {
			query += map[bool]string{true: "&", false: "?"}[query != ""] + extra
		}
	}
	before := m.digest(t)
	var out any
	resp, err := send(c, rt.Method, path+query, body, &out)
	status := client.StatusOf(err)
	if err == nil {
		status = resp.StatusCode
	}
	if status == -1 {
		t.Fatalf("%s: %v", what, err)
	}
	if !ok(status) {
		t.Fatalf("%s (%s %s): status %d (%v)", what, rt.Method, path, status, err)
	}
	if status >= 400 && m.digest(t) != before {
		t.Fatalf("%s: refused with %d but changed the data", what, status)
	}
	// A file answer (an export) names no ids: the domain's own tests
	// check what it holds.
	if checkList && status == 200 && isJSON(resp) {
		key := f.ListKey
		if key == "" {
			key = "id"
		}
		found := contains(out, key, tg.values["id"])
		for next := nextCursor(out); !found && next != ""; next = nextCursor(out) {
			out = nil
			if _, err := c.Do(ctx, "GET", path+query+"&cursor="+url.QueryEscape(next), nil, &out, nil); err != nil {
				t.Fatal(err)
			}
			found = contains(out, key, tg.values["id"])
		}
		if found != want {
			t.Fatalf("%s: list shows the row: %v, want %v", what, found, want)
		}
	}
}

// send sends body as JSON, or as it is when it is a kit.File (an upload),
// and decodes a JSON answer into out; a file answer is left undecoded.
func send(c *client.Client, method, path string, body any, out *any) (*http.Response, error) {
	var (
		ct  string
		raw []byte
	)
	switch b := body.(type) {
	case nil:
	case kit.File:
		ct, raw = b.ContentType, b.Data
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			return nil, err
		}
		ct = "application/json"
	}
	resp, answer, err := c.Send(ctx, method, path, ct, raw, nil)
	if err == nil && isJSON(resp) && len(answer) > 0 {
		if err := json.Unmarshal(answer, out); err != nil {
			return resp, fmt.Errorf("decoding %s %s: %w", method, path, err)
		}
	}
	return resp, err
}

func isJSON(resp *http.Response) bool {
	return resp != nil && strings.Contains(resp.Header.Get("Content-Type"), "json")
}

func listQuery(rt kit.Route) string {
	if rt.Method == "GET" && !strings.Contains(rt.Path, "{") {
		return "?limit=200"
	}
	return ""
}

func nextCursor(v any) string {
	if m, ok := v.(map[string]any); ok {
		if s, ok := m["next_cursor"].(string); ok {
			return s
		}
	}
	return ""
}

// contains reports whether any object anywhere in v has key == id (lists,
// and trees such as the scope tree).
func contains(v any, key, id string) bool {
	switch x := v.(type) {
	case map[string]any:
		if s, ok := x[key].(string); ok && s == id {
			return true
		}
		for _, e := range x {
			if contains(e, key, id) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if contains(e, key, id) {
				return true
			}
		}
	}
	return false
}

// digest hashes every row of every table the domains own.
func (m *matrix) digest(t *testing.T) string {
	t.Helper()
	h := sha256.New()
	for _, st := range m.dump {
		rows, err := st.Query()
		if err != nil {
			t.Fatalf("digest: %v", err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				fmt.Fprintf(h, "%v\x1f", v)
			}
			h.Write([]byte{'\n'})
		}
		if err := rows.Err(); err != nil && err != sql.ErrNoRows {
			t.Fatal(err)
		}
		rows.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

// anyValues names every wildcard of path with a placeholder id, for
// requests whose rows need not exist (anonymous callers, hostile bodies).
func anyValues(path string) map[string]string {
	v := map[string]string{}
	for _, m := range regexp.MustCompile(`\{([a-z_]+)\}`).FindAllStringSubmatch(path, -1) {
		v[m[1]] = "x"
	}
	v["grant_id"] = "y"
	return v
}

// The digest the matrix compares sees a row added, a column changed in
// place (NULL to 0, a float by its last bit) and a row removed, on both
// engines.
func TestMatrixDigestSeesEveryChange(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		m := (&matrix{admin: srv.Admin(), bound: srv.Admin(), tables: digested(srv.App.Domains)}).on(t, srv)
		park := srv.Park("摘要园", "digest")
		before := m.digest(t)
		if m.digest(t) != before {
			t.Fatal("two digests of one state differ")
		}
		id := srv.Enterprise(park.ID, "摘要企业")
		for _, step := range []struct{ what, sql string }{
			{"a row added", ""},
			{"NULL to 0", "UPDATE enterprises SET monthly_output_fen = 0 WHERE id = $1"},
			{"NULL to a float", "UPDATE enterprises SET lat = 0.1 WHERE id = $1"},
			{"a float by its last bit", "UPDATE enterprises SET lat = 0.10000000000000002 WHERE id = $1"},
			{"a row removed", "DELETE FROM enterprises WHERE id = $1"},
		} {
			if step.sql != "" {
				if _, err := srv.DB.W.Exec(step.sql, id); err != nil {
					t.Fatalf("%s: %v", step.what, err)
				}
			}
			after := m.digest(t)
			if after == before {
				t.Fatalf("%s: the digest did not change", step.what)
			}
			before = after
		}
	})
}
