// Package page is how every list is cut into pages: a limit, an opaque
// cursor naming the last row of the previous page, an optional search text,
// and the {"items","next_cursor","total"} envelope; and how one row is read
// in the caller's scope (Table.One). It knows SQL, not HTTP.
package page

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/db"
)

// Limits of a page and of the search text.
const (
	DefaultLimit = 50
	MaxLimit     = 200
	MaxQuery     = 100
)

// Page is the paging part of a list query.
type Page struct {
	Limit int
	Query string // q: free-text search, trimmed
	after *cursor
}

// cursor is the position after which the next page starts: the order key
// of the last row (when the list is ordered by something else than the id)
// and its id.
type cursor struct {
	Key any    `json:"k,omitempty"`
	ID  string `json:"a"`
}

// Parse reads the raw limit, cursor and q values (each "" when absent).
// Returns EINVALID naming the offending parameter.
func Parse(limit, cur, q string) (Page, error) {
	p := Page{Limit: DefaultLimit, Query: strings.TrimSpace(q)}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxLimit {
			return p, apperr.BadField("limit", "out_of_range", "Min", 1, "Max", MaxLimit)
		}
		p.Limit = n
	}
	if cur != "" {
		c, ok := decodeCursor(cur)
		if !ok {
			return p, apperr.BadField("cursor", "invalid_format")
		}
		p.after = c
	}
	if utf8.RuneCountInString(p.Query) > MaxQuery {
		return p, apperr.BadField("q", "too_long", "Max", MaxQuery)
	}
	return p, nil
}

func decodeCursor(s string) (*cursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var c cursor
	if dec.Decode(&c) != nil || !cleanKey(c.ID) {
		return nil, false
	}
	switch k := c.Key.(type) {
	case nil:
	case string:
		if !cleanKey(k) {
			return nil, false
		}
	case json.Number:
		n, err := k.Int64()
		if err != nil {
			return nil, false
		}
		c.Key = n
	default:
		return nil, false
	}
	return &c, true
}

// cleanKey accepts what a cursor may carry back to the database: short,
// valid UTF-8, no NUL (which PostgreSQL refuses in text).
func cleanKey(s string) bool {
	return s != "" && len(s) <= 256 && utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// List is the envelope of every list response.
type List[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
	Total      int     `json:"total"`
}

// Scanner is a *sql.Row or *sql.Rows.
type Scanner = db.Scanner

// Query describes one list: the table (or join) and columns to read, the
// predicate (scope and filters, their arguments in Args), and the order.
type Query struct {
	From  string
	Cols  string
	Where string
	Args  db.Args
	// OrderBy is the column the list is sorted by before the id, "" for the
	// id alone. Desc sorts both descending (newest first for time-ordered
	// ids).
	OrderBy string
	Desc    bool
	// CountFrom, when set, is what the COUNT for total, and Late's page
	// of ids, read instead of From: the same rows without the joins only
	// Cols need (a join per row costs more than the count itself on a
	// large table, and Late reads every match's id before it sorts).
	CountFrom string
	// Counter, when set, answers total from the per-zone counts kept by
	// triggers (table row_counts) instead of a COUNT: only for a list
	// whose predicate is exactly its table's rows in whole zones, no
	// filter (see ZoneCounter).
	Counter *Counter
	// Total, when set, is the statement whose one value is total instead
	// of a COUNT of the predicate: counts a domain keeps with its rows by
	// triggers (service requests per zone, park and status), or the same
	// rows counted from an index more cheaply than the predicate finds
	// them one by one (a park's people on SQLite: the union of two index
	// ranges). It must count exactly the rows Where selects; the domain's
	// tests compare it with them.
	Total *Total
	// Late reads the page's ids first and its rows after: for a predicate
	// whose matches are many and sorted (not read in order from an index),
	// where the rows and their Cols (subqueries) would otherwise be read
	// for every match before the sort keeps Limit of them. The ids come
	// from bare() with the same Where and order, as page_ids(page_id,
	// page_key), and the rows are joined to them on the id of From's name
	// (its alias, or the table), so the page is the same.
	Late bool
	// Union, when set, is Where again as predicates over bare() whose
	// union is exactly the rows Where selects, each read by an index in
	// id order (an equality on every column before the id): the page's
	// ids are then at most Limit of each, merged, instead of every match
	// found and sorted (a park's members: their entries under each park
	// column and party status). Only for a list ordered by id alone.
	Union []string
}

// Counter names the table whose row_counts answer a list's total and the
// zones it shows (All: every zone).
type Counter struct {
	Table string
	Zones []string
	All   bool
}

// Total is a statement answering a list's total (Query.Total) and its
// arguments.
type Total struct {
	Query string
	Args  db.Args
}

// ZoneCounter returns the Counter of table for a list showing every row
// of table the scope covers, unfiltered, when the scope is made of whole
// zones only (a zone administrator, a platform administrator): then the
// list's predicate (Scope.Where with access.ByZone) is exactly "the rows
// of these zones", which the counts kept with the rows answer. Nil
// otherwise (a park's subtree, nothing at all): count the rows.
func ZoneCounter(table string, sc access.Scope) *Counter {
	if sc.All() {
		return &Counter{Table: table, All: true}
	}
	zones := sc.Zones()
	if len(zones) == 0 {
		return nil
	}
	for _, z := range zones {
		if !sc.CoversZone(z) {
			return nil
		}
	}
	return &Counter{Table: table, Zones: zones}
}

// Sum is the Total adding up the counts n of from — a table of counts
// kept with the rows, with a zone_id column — in the counter's zones,
// narrowed by the equality filters pairs (column, value …; a filter whose
// value is "" is left out, as db.Args.Equals does).
func (c *Counter) Sum(from string, pairs ...string) *Total {
	var a db.Args
	where := "1=1"
	if !c.All {
		where = "zone_id IN (" + a.In(c.Zones) + ")"
	}
	where += a.Equals(pairs...)
	return SumOf(from, where, a)
}

// SumOf is the Total adding up the counts n of the rows of from — a table
// of counts kept with the rows — that where (its arguments in a) selects.
func SumOf(from, where string, a db.Args) *Total {
	return &Total{Query: "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM " + from + " WHERE " + where, Args: a}
}

// Rows answers a list the common way: the page after p's cursor in the
// query's order, then total, the number of rows matching the predicate
// (scope and filters) now. A first page that holds the whole filtered set
// (no row beyond the limit) is its own total, and no COUNT runs; any other
// page counts the filtered rows (see docs/scaling.md, "Counting totals":
// each list's predicate is served by an index the count reads alone). key
// returns a row's order key (ignored when OrderBy is "") and id, for the
// next cursor.
func Rows[T any](ctx context.Context, q db.Querier, p Page, lq Query, scan func(Scanner) (T, error), key func(T) (any, string)) (List[T], error) {
	a := lq.Args
	where := lq.Where
	cmp, dir := ">", ""
	if lq.Desc {
		cmp, dir = "<", " DESC"
	}
	order := "id" + dir
	after := "" // the cursor's predicate when the order is the id alone
	if p.after != nil {
		if lq.OrderBy == "" {
			after = " AND id " + cmp + " " + a.Add(p.after.ID)
			where += after
		} else {
			k := a.Add(p.after.Key)
			where += " AND (" + lq.OrderBy + " " + cmp + " " + k + " OR (" + lq.OrderBy + " = " + k + " AND id " + cmp + " " + a.Add(p.after.ID) + "))"
		}
	}
	if lq.OrderBy != "" {
		order = lq.OrderBy + dir + ", " + order
	}
	limit := a.Add(p.Limit + 1)
	sel := "SELECT " + lq.Cols + " FROM " + lq.From + " WHERE " + where + " ORDER BY " + order + " LIMIT " + limit
	switch {
	case len(lq.Union) > 0 && lq.OrderBy == "":
		arms := make([]string, len(lq.Union))
		for i, arm := range lq.Union {
			arms[i] = "SELECT id FROM (SELECT id FROM " + lq.bare() + " WHERE " + arm + after +
				" ORDER BY " + order + " LIMIT " + limit + ") AS arm" + strconv.Itoa(i)
		}
		// The arms are appended and their ids kept once, in order, up to
		// the page's end: one sort of the arms' ids (Limit+1 each). A
		// UNION merges its arms in order, and SQLite, not knowing that
		// each arm's ids come in it, sorted every arm again in a
		// temporary B-tree first (a park's members: four sorts). The
		// page ends inside "id IN", not after it: outside, PostgreSQL
		// read every arm's rows and sorted them (twice the statement).
		sel = "SELECT " + lq.Cols + " FROM " + lq.From + " WHERE id IN (SELECT DISTINCT id FROM (" + strings.Join(arms, " UNION ALL ") +
			") AS arms ORDER BY " + order + " LIMIT " + limit + ") ORDER BY " + order
	case lq.Late:
		// The page's ids, in order, drive a join on the rows' primary
		// key: their order is the list's, which the engine keeps (SQLite
		// reads the ids as a co-routine and sorts nothing again; "WHERE id
		// IN" sorted the page's full rows a second time, a seventh of a
		// service-request page's statement).
		keys, outer := "id AS page_id", "page_ids.page_id"+dir
		if lq.OrderBy != "" {
			keys += ", " + lq.OrderBy + " AS page_key"
			outer = "page_ids.page_key" + dir + ", " + outer
		}
		sel = "SELECT " + lq.Cols + " FROM (SELECT " + keys + " FROM " + lq.bare() + " WHERE " + where + " ORDER BY " + order + " LIMIT " + limit +
			") page_ids JOIN " + lq.From + " ON " + lq.name() + ".id = page_ids.page_id ORDER BY " + outer
	}
	rows, err := q.QueryContext(ctx, sel, a...)
	if err != nil {
		return List[T]{}, err
	}
	defer rows.Close()
	items := make([]T, 0, p.Limit+1) // a page and the row that says another follows
	for rows.Next() {
		item, err := scan(rows)
		if err != nil {
			return List[T]{}, err
		}
		items = append(items, item)
	}
	if err := rows.Err(); err != nil {
		return List[T]{}, err
	}
	rows.Close()
	l := List[T]{Items: items, Total: len(items)}
	if countMode == countAlways || countMode == countRows || (countMode == countNeeded && (p.after != nil || len(items) > p.Limit)) {
		if l.Total, err = Count(ctx, q, lq); err != nil {
			return List[T]{}, err
		}
	}
	if len(items) > p.Limit {
		l.Items = items[:p.Limit]
		k, id := key(l.Items[p.Limit-1])
		c := cursor{ID: id}
		if lq.OrderBy != "" {
			c.Key = k
		}
		s := encodeCursor(c)
		l.NextCursor = &s
	}
	return l, nil
}

// countMode is countNeeded but in this package's benchmark, which sets it
// to measure the former behaviour (a COUNT on every page) and the page
// alone in the same run.
var countMode = countNeeded

const (
	countNeeded = iota
	countAlways
	countNever
	countRows // countAlways without Counter: every page counted the rows
)

// Count is the number of rows matching lq's predicate (its CountFrom when
// set, else its From), or its Counter's or Total's count: a list's total.
func Count(ctx context.Context, q db.Querier, lq Query) (int, error) {
	t := lq.Total
	if c := lq.Counter; c != nil {
		t = c.Sum("row_counts", "tbl", c.Table)
	}
	if t != nil && countMode != countRows {
		var n int64
		err := q.QueryRowContext(ctx, t.Query, t.Args...).Scan(&n)
		return int(n), err
	}
	var n int
	err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+lq.bare()+" WHERE "+lq.Where, lq.Args...).Scan(&n)
	return n, err
}

// name is what the query calls From: its alias, or the table itself.
func (lq Query) name() string { return alias(lq.From) }

// bare is what the count and Late's ids read: CountFrom when set, else
// From.
func (lq Query) bare() string {
	if lq.CountFrom != "" {
		return lq.CountFrom
	}
	return lq.From
}

// ByID is the key function of lists ordered by id alone.
func ByID[T any](id func(T) string) func(T) (any, string) {
	return func(t T) (any, string) { return nil, id(t) }
}

// Table says how to read one table's rows in the caller's scope: what to
// select from where, how its rows attach to the scope tree under a
// permission, and how to scan a row.
type Table[T any] struct {
	From string
	Cols string
	// Args are the arguments of placeholders in Cols ($1 … $len(Args)):
	// One numbers its own after them.
	Args   db.Args
	Attach func(access.Perm) []access.Attach
	Scan   func(Scanner) (T, error)
}

// name is what the query calls the table: From's alias, or From itself.
func (t Table[T]) name() string { return alias(t.From) }

// alias is the name a FROM item goes by: its alias, or the table itself.
func alias(from string) string {
	f := strings.Fields(from)
	return f[len(f)-1]
}

// Attached is a Table's Attach for a table whose rows attach the same way
// under every permission.
func Attached(at ...access.Attach) func(access.Perm) []access.Attach {
	return func(access.Perm) []access.Attach { return at }
}

// One reads the row id as the caller of ctx may act on it under perm, read
// being the permission to see such rows at all. A row the caller may not
// even read is ENOTFOUND, exactly like an absent one (never reveal that it
// exists); one they may read but not act on under perm is EFORBIDDEN (the
// row comes with it).
func (t Table[T]) One(ctx context.Context, q db.Querier, perm, read access.Perm, id string) (T, error) {
	p := access.From(ctx)
	for i, pm := range []access.Perm{perm, read} {
		if i == 1 && pm == perm {
			break // the same statement again would find nothing again
		}
		a := slices.Clone(t.Args)
		where := p.Scope(pm).WhereRow(&a, t.name(), t.Attach(pm)...)
		row, err := t.Scan(q.QueryRowContext(ctx, "SELECT "+t.Cols+" FROM "+t.From+" WHERE id = "+a.Add(id)+" AND "+where, a...))
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return row, err
		}
		if pm != perm {
			return row, apperr.New(apperr.Forbidden, "")
		}
		return row, nil
	}
	var zero T
	return zero, apperr.New(apperr.NotFound, "")
}
