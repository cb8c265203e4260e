package page_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"tongxin/internal/db"
	"tongxin/internal/page"
	"tongxin/internal/parks"
	"tongxin/internal/testenv"
	"tongxin/internal/zones"
)

type row struct{ id, name string }

// zoneWithParks adds a zone of n parks, codes p0 … and names 园 0 … 园
// names-1 in turn (names repeat when names < n), and returns its id.
func zoneWithParks(t *testing.T, d *db.DB, n, names int) string {
	t.Helper()
	ctx := context.Background()
	var zone string
	err := d.Tx(ctx, func(tx *db.Tx) error {
		z, err := zones.Add(ctx, tx, "开发区")
		zone = z.ID
		for i := 0; err == nil && i < n; i++ {
			_, err = parks.Add(ctx, tx, parks.Input{ZoneID: zone, Name: fmt.Sprintf("园 %d", i%names), Code: fmt.Sprintf("p%d", i)})
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return zone
}

func scan(s page.Scanner) (row, error) {
	var r row
	err := s.Scan(&r.id, &r.name)
	return r, err
}

// Ordered by another key than the id (names repeat), in either direction,
// the rows read with the page or after its ids (Late), pages meet without
// gaps or repeats.
func TestRowsOrderedByAnotherKey(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := testenv.OpenDB(t, dsn)
		zone := zoneWithParks(t, d, 9, 3)
		// joined: the rows come from a join that only Cols need, and the
		// count and Late's ids from the table alone (CountFrom).
		type variant struct{ desc, late, joined bool }
		for _, c := range []variant{{false, false, false}, {true, false, false}, {false, true, false}, {true, true, false}, {false, true, true}, {true, true, true}} {
			desc := c.desc
			var all []row
			p, err := page.Parse("2", "", "")
			for pages := 0; err == nil; pages++ {
				var a db.Args
				q := page.Query{From: "parks", Cols: "id, name", Where: "zone_id = " + a.Add(zone), Args: a, OrderBy: "name", Desc: desc, Late: c.late}
				if c.joined {
					q.From = "(SELECT p.*, z.name AS zone_name FROM parks p JOIN zones z ON z.id = p.zone_id) parks"
					q.CountFrom, q.Cols = "parks", "id, name, zone_name"
				}
				scan := scan
				if c.joined {
					scan = func(s page.Scanner) (row, error) {
						var r row
						var zoneName string
						err := s.Scan(&r.id, &r.name, &zoneName)
						if err == nil && zoneName != "开发区" {
							t.Errorf("%+v: the row of %s joined %q", c, r.id, zoneName)
						}
						return r, err
					}
				}
				var l page.List[row]
				l, err = page.Rows(ctx, d.R, p, q, scan, func(r row) (any, string) { return r.name, r.id })
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, l.Items...)
				if l.Total != 9 {
					t.Fatalf("total %d", l.Total)
				}
				if l.NextCursor == nil || pages > 9 {
					break
				}
				p, err = page.Parse("2", *l.NextCursor, "")
			}
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for i, r := range all {
				if seen[r.id] {
					t.Fatalf("%+v: %s twice", c, r.id)
				}
				seen[r.id] = true
				if i > 0 {
					prev := all[i-1]
					inOrder := prev.name < r.name || (prev.name == r.name && prev.id < r.id)
					if desc {
						inOrder = prev.name > r.name || (prev.name == r.name && prev.id > r.id)
					}
					if !inOrder {
						t.Fatalf("%+v: %v before %v", c, prev, r)
					}
				}
			}
			if len(all) != 9 {
				t.Fatalf("%+v: paged %d of 9", c, len(all))
			}
		}
	})
}

// A predicate given as a union of ranges (Union) pages through each row
// once, in id order either way, though the ranges overlap.
func TestRowsUnionOfRanges(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := testenv.OpenDB(t, dsn)
		zone := zoneWithParks(t, d, 9, 3)
		for _, desc := range []bool{false, true} {
			var want []string
			rows, err := d.R.QueryContext(ctx, "SELECT id FROM parks WHERE zone_id = $1 AND name IN ('园 0', '园 1') ORDER BY id", zone)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				want = append(want, id)
			}
			rows.Close()
			if desc {
				slices.Reverse(want)
			}
			var got []string
			p, err := page.Parse("2", "", "")
			for pages := 0; err == nil; pages++ {
				var a db.Args
				z := a.Add(zone)
				q := page.Query{From: "parks", Cols: "id, name", Where: "zone_id = " + z + " AND name IN ('园 0', '园 1')", Args: a, Desc: desc,
					Union: []string{"zone_id = " + z + " AND name = '园 0'", "zone_id = " + z + " AND code = 'p3'", "zone_id = " + z + " AND name = '园 1'"}}
				var l page.List[row]
				l, err = page.Rows(ctx, d.R, p, q, scan, func(r row) (any, string) { return nil, r.id })
				if err != nil {
					t.Fatal(err)
				}
				if l.Total != len(want) {
					t.Fatalf("desc %v: total %d, want %d", desc, l.Total, len(want))
				}
				for _, r := range l.Items {
					got = append(got, r.id)
				}
				if l.NextCursor == nil || pages > 9 {
					break
				}
				p, err = page.Parse("2", *l.NextCursor, "")
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(want) != 6 || !slices.Equal(got, want) {
				t.Fatalf("desc %v: paged %v, want %v", desc, got, want)
			}
		}
	})
}

// A Late page sorts its ids and nothing else: the rows joined to them
// come in the ids' order. Parks have no index by name, so sorting the ids
// takes one sort; sorting the rows again, as "WHERE id IN (…) ORDER BY"
// did, took a second.
func TestLatePageSortsOnlyItsIds(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := testenv.OpenDB(t, dsn)
		zone := zoneWithParks(t, d, 5, 5)
		var a db.Args
		q := page.Query{From: "(SELECT p.*, z.name AS zone_name FROM parks p JOIN zones z ON z.id = p.zone_id) parks", CountFrom: "parks",
			Cols: "id, name, zone_name", Where: "zone_id = " + a.Add(zone), Args: a, OrderBy: "name", Desc: true, Late: true}
		p, err := page.Parse("2", "", "")
		if err != nil {
			t.Fatal(err)
		}
		rec := &counting{Querier: d.R}
		l, err := page.Rows(ctx, rec, p, q, func(s page.Scanner) (row, error) {
			var r row
			var zoneName string
			return r, s.Scan(&r.id, &r.name, &zoneName)
		}, func(r row) (any, string) { return r.name, r.id })
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Items) != 2 || l.Items[0].name != "园 4" || l.Items[1].name != "园 3" {
			t.Fatalf("page %+v", l.Items)
		}
		plan := testenv.Explain(t, d, rec.stmts[0], rec.args[0])
		sorts := strings.Count(plan, "TEMP B-TREE FOR ORDER BY")
		if d.Dialect == db.Postgres {
			sorts = strings.Count(plan, "Sort  (") + strings.Count(plan, "Sort (")
		}
		if sorts != 1 {
			t.Errorf("%d sorts, want 1:\n%s\n%s", sorts, rec.stmts[0], plan)
		}
	})
}

// A union page whose arms each read an index in id order sorts its ids
// once: the arms are appended, and their ids kept once, in order. Merging
// them with UNION made SQLite sort every arm again first.
func TestUnionPageSortsItsIdsOnce(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := testenv.OpenDB(t, dsn)
		zone := zoneWithParks(t, d, 9, 3)
		for _, q := range []string{`CREATE INDEX parks_name_id ON parks(zone_id, name, id)`, `CREATE INDEX parks_code_id ON parks(zone_id, code, id)`} {
			if _, err := d.W.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		var a db.Args
		z := a.Add(zone)
		q := page.Query{From: "parks", Cols: "id, name", Where: "zone_id = " + z + " AND name IN ('园 0', '园 1')", Args: a,
			Union: []string{"zone_id = " + z + " AND name = '园 0'", "zone_id = " + z + " AND code = 'p3'", "zone_id = " + z + " AND name = '园 1'"}}
		p, err := page.Parse("2", "", "")
		if err != nil {
			t.Fatal(err)
		}
		rec := &counting{Querier: d.R}
		l, err := page.Rows(ctx, rec, p, q, scan, func(r row) (any, string) { return nil, r.id })
		if err != nil || len(l.Items) != 2 {
			t.Fatalf("page %+v %v", l.Items, err)
		}
		if d.Dialect == db.Postgres {
			return // PostgreSQL plans a handful of rows as it likes; the SQLite plan is the one that sorted
		}
		plan := testenv.Explain(t, d, rec.stmts[0], rec.args[0])
		if sorts := strings.Count(plan, "TEMP B-TREE"); sorts != 1 {
			t.Errorf("%d sorts, want 1:\n%s\n%s", sorts, rec.stmts[0], plan)
		}
	})
}
