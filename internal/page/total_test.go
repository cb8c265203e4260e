package page_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/enterprises"
	"tongxin/internal/nodes"
	"tongxin/internal/page"
	"tongxin/internal/parks"
	"tongxin/internal/people"
	"tongxin/internal/secret"
	"tongxin/internal/testenv"
	"tongxin/internal/zones"
)

// counting is a Querier that counts the statements it runs and the
// COUNTs among them, and keeps the statements of QueryContext with their
// arguments.
type counting struct {
	db.Querier
	queries, counts atomic.Int32

	mu    sync.Mutex
	stmts []string
	args  [][]any
}

func (c *counting) note(q string) {
	c.queries.Add(1)
	if strings.HasPrefix(q, "SELECT COUNT(*)") {
		c.counts.Add(1)
	}
}

func (c *counting) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	c.note(q)
	c.mu.Lock()
	c.stmts, c.args = append(c.stmts, q), append(c.args, args)
	c.mu.Unlock()
	return c.Querier.QueryContext(ctx, q, args...)
}

func (c *counting) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	c.note(q)
	return c.Querier.QueryRowContext(ctx, q, args...)
}

// A first page holding the whole filtered set is its own total (no COUNT);
// a first page with more behind it, and every later page, counts.
func TestTotalCountsOnlyWhenThePageCannot(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := testenv.OpenDB(t, dsn)
		zone := zoneWithParks(t, d, 5, 5)
		for _, c := range []struct {
			limit, cursorAfter   int // cursorAfter: pages to walk first
			wantTotal, wantItems int
			wantCounts           int32
		}{
			{limit: 5, wantTotal: 5, wantItems: 5, wantCounts: 0},
			{limit: 50, wantTotal: 5, wantItems: 5, wantCounts: 0},
			{limit: 4, wantTotal: 5, wantItems: 4, wantCounts: 1},
			{limit: 2, cursorAfter: 1, wantTotal: 5, wantItems: 2, wantCounts: 1},
			{limit: 2, cursorAfter: 2, wantTotal: 5, wantItems: 1, wantCounts: 1}, // the last page, not the first: counts
		} {
			var a db.Args
			lq := page.Query{From: "parks", Cols: "id, name", Where: "zone_id = " + a.Add(zone), Args: a}
			p, _ := page.Parse(fmt.Sprint(c.limit), "", "")
			for i := 0; i < c.cursorAfter; i++ {
				l, err := page.Rows(ctx, d.R, p, lq, scan, func(r row) (any, string) { return nil, r.id })
				if err != nil || l.NextCursor == nil {
					t.Fatal(err, l)
				}
				p, _ = page.Parse(fmt.Sprint(c.limit), *l.NextCursor, "")
			}
			q := &counting{Querier: d.R}
			l, err := page.Rows(ctx, q, p, lq, scan, func(r row) (any, string) { return nil, r.id })
			if err != nil {
				t.Fatal(err)
			}
			if l.Total != c.wantTotal || len(l.Items) != c.wantItems || q.counts.Load() != c.wantCounts {
				t.Fatalf("%+v: total %d, %d items, %d COUNTs", c, l.Total, len(l.Items), q.counts.Load())
			}
		}
		// An empty set: total 0, items [] and no COUNT.
		var a db.Args
		q := &counting{Querier: d.R}
		p, _ := page.Parse("", "", "")
		l, err := page.Rows(ctx, q, p, page.Query{From: "parks", Cols: "id, name", Where: "zone_id = " + a.Add("nowhere"), Args: a}, scan,
			func(r row) (any, string) { return nil, r.id })
		if err != nil || l.Total != 0 || l.Items == nil || len(l.Items) != 0 || q.counts.Load() != 0 {
			t.Fatalf("empty: %+v %v, %d COUNTs", l, err, q.counts.Load())
		}
	})
}

// total counts the filtered set the caller may see, on every page, as it
// stands when that page is answered: with filters, within the caller's
// scope (a park administrator counts their park's rows only), and after
// rows come and go between pages.
func TestTotalIsTheCallersFilteredSet(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := testenv.OpenDB(t, dsn)
		svc := &enterprises.Service{DB: d}
		var zone string
		var parkA, parkB parks.Park
		add := func(park parks.Park, n int, industry string) []string {
			var ids []string
			err := d.Tx(ctx, func(tx *db.Tx) error {
				for i := 0; i < n; i++ {
					e, err := enterprises.Add(ctx, tx, enterprises.Input{ParkID: park.ID, Name: fmt.Sprintf("企业 %s %d", industry, i),
						USCC: testenv.USCC(), Industry: industry})
					if err != nil {
						return err
					}
					ids = append(ids, e.ID)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return ids
		}
		err := d.Tx(ctx, func(tx *db.Tx) error {
			z, err := zones.Add(ctx, tx, "开发区")
			if err != nil {
				return err
			}
			zone = z.ID
			if parkA, err = parks.Add(ctx, tx, parks.Input{ZoneID: zone, Name: "甲园", Code: "a"}); err != nil {
				return err
			}
			parkB, err = parks.Add(ctx, tx, parks.Input{ZoneID: zone, Name: "乙园", Code: "b"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		add(parkA, 7, "软件")
		aChips := add(parkA, 4, "芯片")
		add(parkB, 5, "软件")
		add(parkB, 3, "芯片")
		pa, err := nodes.Get(ctx, d.R, parkA.ID)
		if err != nil {
			t.Fatal(err)
		}
		as := func(role, path string) context.Context {
			return access.With(ctx, &access.Principal{UserID: "u-" + role, ZoneID: zone, Grants: []access.Grant{{Role: role, Path: path, ZoneID: zone}}})
		}
		zoneAdmin, parkAdmin := as(access.ZoneAdmin, access.ZonePath(zone)), as(access.ParkAdmin, pa.Path)

		// walk lists every page at limit and checks each page's total.
		walk := func(ctx context.Context, f enterprises.Filter, limit string, want int) {
			t.Helper()
			p, _ := page.Parse(limit, "", "")
			seen := 0
			for pages := 0; ; pages++ {
				l, err := svc.List(ctx, f, p)
				if err != nil {
					t.Fatal(err)
				}
				seen += len(l.Items)
				if l.Total != want {
					t.Fatalf("%+v limit %s page %d: total %d, want %d", f, limit, pages, l.Total, want)
				}
				if l.NextCursor == nil {
					break
				}
				p, _ = page.Parse(limit, *l.NextCursor, "")
			}
			if seen != want {
				t.Fatalf("%+v limit %s: %d items, want %d", f, limit, seen, want)
			}
		}
		for _, limit := range []string{"1", "3", "4", "11", "19", "50"} {
			walk(zoneAdmin, enterprises.Filter{}, limit, 19)
			walk(zoneAdmin, enterprises.Filter{Industry: "芯片"}, limit, 7)
			walk(zoneAdmin, enterprises.Filter{ParkID: parkB.ID}, limit, 8)
			walk(parkAdmin, enterprises.Filter{}, limit, 11)
			walk(parkAdmin, enterprises.Filter{Industry: "芯片"}, limit, 4)
			walk(parkAdmin, enterprises.Filter{ParkID: parkB.ID}, limit, 0) // another park: nothing, not B's 8
		}

		// Rows come and go between pages: each page's total is the
		// filtered set when that page is read, within the caller's scope.
		p, _ := page.Parse("2", "", "")
		l, err := svc.List(parkAdmin, enterprises.Filter{Industry: "芯片"}, p)
		if err != nil || l.Total != 4 || l.NextCursor == nil {
			t.Fatal(l, err)
		}
		add(parkA, 2, "芯片") // +2 in scope and filter
		add(parkB, 5, "芯片") // out of scope: not counted
		add(parkA, 1, "软件") // out of the filter: not counted
		p, _ = page.Parse("2", *l.NextCursor, "")
		if l, err = svc.List(parkAdmin, enterprises.Filter{Industry: "芯片"}, p); err != nil || l.Total != 6 || len(l.Items) != 2 || l.NextCursor == nil {
			t.Fatalf("after inserts: %+v %v", l, err)
		}
		if _, err := d.W.ExecContext(ctx, "DELETE FROM enterprises WHERE id = $1", aChips[0]); err != nil {
			t.Fatal(err)
		}
		p, _ = page.Parse("2", *l.NextCursor, "")
		if l, err = svc.List(parkAdmin, enterprises.Filter{Industry: "芯片"}, p); err != nil || l.Total != 5 || len(l.Items) != 2 || l.NextCursor != nil {
			t.Fatalf("after a delete: %+v %v", l, err)
		}
		walk(parkAdmin, enterprises.Filter{Industry: "芯片"}, "50", 5)
		walk(zoneAdmin, enterprises.Filter{Industry: "芯片"}, "2", 13)
	})
}

// A Counter's total (the counts migration 0110 keeps with the people rows)
// equals the COUNT of the rows after inserts, deletes and a person moving
// zones, for one zone, several and all; a zone administrator's list of
// people answers from it on every page and stays exact.
func TestCounterEqualsTheCount(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := testenv.OpenDB(t, dsn)
		var za, zb string
		err := d.Tx(ctx, func(tx *db.Tx) error {
			a, err := zones.Add(ctx, tx, "甲区")
			if err != nil {
				return err
			}
			b, err := zones.Add(ctx, tx, "乙区")
			za, zb = a.ID, b.ID
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		insert := func(zone string, n int) {
			for i := 0; i < n; i++ {
				id := fmt.Sprintf("%08d-0000-7000-8000-%012x", len(ids), len(ids)*7919)
				if _, err := d.W.ExecContext(ctx, `INSERT INTO people (id, zone_id, name, search_key, created_at, updated_at) VALUES ($1, $2, $3, $3, 1, 1)`,
					id, zone, fmt.Sprintf("人 %d", len(ids))); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
		}
		check := func(step string) {
			t.Helper()
			for _, c := range []page.Counter{{Table: "people", Zones: []string{za}}, {Table: "people", Zones: []string{zb}},
				{Table: "people", Zones: []string{za, zb}}, {Table: "people", All: true}} {
				var a db.Args
				where := "1=1"
				if !c.All {
					where = "zone_id IN (" + a.In(c.Zones) + ")"
				}
				want, err := page.Count(ctx, d.R, page.Query{From: "people", Where: where, Args: a})
				if err != nil {
					t.Fatal(err)
				}
				c := c
				got, err := page.Count(ctx, d.R, page.Query{From: "people", Where: where, Args: a, Counter: &c})
				if err != nil || got != want {
					t.Fatalf("%s: %+v counts %d (%v), the rows %d", step, c, got, err, want)
				}
			}
		}
		check("empty")
		insert(za, 40)
		insert(zb, 7)
		check("inserts")
		for _, id := range ids[:5] {
			if _, err := d.W.ExecContext(ctx, `DELETE FROM people WHERE id = $1`, id); err != nil {
				t.Fatal(err)
			}
		}
		check("deletes")
		if _, err := d.W.ExecContext(ctx, `UPDATE people SET zone_id = $1 WHERE id IN ($2, $3)`, zb, ids[10], ids[11]); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.ExecContext(ctx, `UPDATE people SET name = 'x', zone_id = zone_id WHERE id = $1`, ids[12]); err != nil {
			t.Fatal(err)
		}
		check("moves")
		if err := d.Tx(ctx, func(tx *db.Tx) error { // undone: the counts with it
			if _, err := tx.ExecContext(ctx, `DELETE FROM people WHERE zone_id = $1`, zb); err != nil {
				return err
			}
			return fmt.Errorf("rolled back")
		}); err == nil {
			t.Fatal("want the rollback")
		}
		check("rollback")

		// A zone administrator's people, page by page, with rows coming
		// and going between pages: each total is the zone's count then.
		zoneAdmin := access.With(ctx, &access.Principal{UserID: "u", ZoneID: za,
			Grants: []access.Grant{{Role: access.ZoneAdmin, Path: access.ZonePath(za), ZoneID: za}}})
		keys, err := secret.Derive("page-test-secret-0123456789abcdefghijkl")
		if err != nil {
			t.Fatal(err)
		}
		svc := &people.Service{DB: d, Keys: keys}
		want := 33 // 40 - 5 - 2
		p, _ := page.Parse("10", "", "")
		for pages := 0; ; pages++ {
			l, err := svc.List(zoneAdmin, people.Filter{}, p)
			if err != nil {
				t.Fatal(err)
			}
			if l.Total != want {
				t.Fatalf("page %d: total %d, want %d", pages, l.Total, want)
			}
			if pl, err := svc.List(zoneAdmin, people.Filter{ZoneID: zb}, p); err != nil || pl.Total != 0 {
				t.Fatalf("another zone's people: %+v %v", pl.Total, err)
			}
			if l.NextCursor == nil {
				break
			}
			insert(za, 2)
			insert(zb, 1)
			want += 2
			p, _ = page.Parse("10", *l.NextCursor, "")
		}
	})
}
