package servicenetapi_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/db"
	"tongxin/internal/testenv"
)

// keptCounts returns request_counts summed per zone, park and status, and
// the same figures counted from service_requests, as "zone park status n"
// lines (zero sums left out).
func keptCounts(t *testing.T, d *db.DB) (kept, counted []string) {
	t.Helper()
	const line = `zone_id || ' ' || park_id || ' ' || status || ' ' || CAST(%s AS TEXT)`
	kept = testenv.Strings(t, d.R, `SELECT `+fmt.Sprintf(line, "SUM(n)")+` FROM request_counts
		GROUP BY zone_id, park_id, status HAVING SUM(n) <> 0 ORDER BY zone_id, park_id, status`)
	counted = testenv.Strings(t, d.R, `SELECT `+fmt.Sprintf(line, "COUNT(*)")+` FROM service_requests
		GROUP BY zone_id, park_id, status ORDER BY zone_id, park_id, status`)
	return kept, counted
}

// keptPointCounts is keptCounts for request_point_counts: "zone park
// point status n" lines.
func keptPointCounts(t *testing.T, d *db.DB) (kept, counted []string) {
	t.Helper()
	const line = `zone_id || ' ' || park_id || ' ' || point_id || ' ' || status || ' ' || CAST(%s AS TEXT)`
	kept = testenv.Strings(t, d.R, `SELECT `+fmt.Sprintf(line, "SUM(n)")+` FROM request_point_counts
		GROUP BY zone_id, park_id, point_id, status HAVING SUM(n) <> 0 ORDER BY zone_id, park_id, point_id, status`)
	counted = testenv.Strings(t, d.R, `SELECT `+fmt.Sprintf(line, "COUNT(*)")+` FROM service_requests
		GROUP BY zone_id, park_id, point_id, status ORDER BY zone_id, park_id, point_id, status`)
	return kept, counted
}

// A list's total from the counts kept per park and status (a zone or
// platform administrator filtering by status and park) or per point and
// status (any other scope, any of the three filters) equals the number
// of requests the list's own predicate selects — read here by paging
// through every item, which equal, in order, a plain query of the
// caller's points — for every caller and filter, after filings, steps
// in both directions, a request moved to another park and one deleted;
// and both tables of kept counts equal COUNT(*) of the requests on both
// engines.
func TestRequestTotalsMatchTheirRows(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		srv := w.srv
		zoneAdmin := srv.User("zone-admin", access.ZoneAdmin, srv.ZoneID)
		steps := [][]string{nil, {"accept"}, {"reject"}, {"accept", "start", "resolve", "close"}, {"accept", "start", "resolve", "reopen"}, {"accept", "start"}}
		points := []string{w.center.ID, w.area.ID, w.andongPt.ID}
		var filed []client.ServiceRequest
		for i := 0; i < 18; i++ {
			r := w.file(t, w.admin, map[string]any{"point_id": points[i%3]})
			for _, a := range steps[i%len(steps)] {
				if _, err := w.admin.ActOnServiceRequest(ctx, r.ID, map[string]any{"action": a, "note": "x"}); err != nil {
					t.Fatalf("%s: %v", a, err)
				}
			}
			filed = append(filed, r)
		}
		// A request moved to Andong, and one deleted, by hand.
		if _, err := srv.DB.W.Exec(`UPDATE service_requests SET park_id = $1, point_id = $2 WHERE id = $3`, w.andong.ID, w.andongPt.ID, filed[0].ID); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`DELETE FROM service_request_events WHERE request_id = $1`, `DELETE FROM service_requests WHERE id = $1`} {
			if _, err := srv.DB.W.Exec(q, filed[1].ID); err != nil {
				t.Fatal(err)
			}
		}
		kept, counted := keptCounts(t, srv.DB)
		if !slices.Equal(kept, counted) || len(kept) < 6 {
			t.Fatalf("kept counts\n%v\ncounted\n%v", kept, counted)
		}
		kept, counted = keptPointCounts(t, srv.DB)
		if !slices.Equal(kept, counted) || len(kept) < 6 {
			t.Fatalf("kept counts per point\n%v\ncounted\n%v", kept, counted)
		}

		all := func(c *client.Client, q url.Values) (ids []string) {
			t.Helper()
			q.Set("limit", "7")
			for pages := 0; ; pages++ {
				l, err := c.ListServiceRequests(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range l.Items {
					ids = append(ids, r.ID)
				}
				if l.NextCursor == nil || pages > 10 {
					return ids
				}
				q.Set("cursor", *l.NextCursor)
			}
		}
		// Each caller's points: what their scope admits, for the oracle.
		allPoints := []string{w.center.ID, w.area.ID, w.andongPt.ID}
		callers := map[string]struct {
			c      *client.Client
			points []string
		}{"platform admin": {w.admin, allPoints}, "zone admin": {zoneAdmin, allPoints}, "wuli admin": {w.wuliAdmin, allPoints[:2]},
			"centre staff": {w.centerStaff, allPoints[:1]}, "andong staff": {w.andongStaff, allPoints[2:]}}
		nonEmpty := 0
		for name, cp := range callers {
			c := cp.c
			for _, status := range []string{"", "submitted", "accepted", "in_progress", "closed", "rejected"} {
				for _, park := range []string{"", w.wuli.ID, w.andong.ID} {
					for _, point := range []string{"", w.center.ID} {
						q := url.Values{}
						if status != "" {
							q.Set("status", status)
						}
						if park != "" {
							q.Set("park_id", park)
						}
						if point != "" {
							q.Set("point_id", point)
						}
						got := all(c, q)
						// The oracle: the same filters and the caller's points,
						// newest first, read plainly.
						sql := `SELECT id FROM service_requests WHERE point_id IN ('` + strings.Join(cp.points, "', '") + `')`
						for col, v := range map[string]string{"status": status, "park_id": park, "point_id": point} {
							if v != "" {
								sql += " AND " + col + " = '" + v + "'"
							}
						}
						want := srv.Strings(sql + " ORDER BY created_at DESC, id DESC")
						if !slices.Equal(got, want) {
							t.Fatalf("%s, status %q, park %q, point %q: rows\n%v\nwant\n%v", name, status, park, point, got, want)
						}
						q.Set("limit", "1")
						l, err := c.ListServiceRequests(ctx, q)
						if err != nil {
							t.Fatal(err)
						}
						if l.Total != len(want) {
							t.Fatalf("%s, status %q, park %q, point %q: total %d, %d rows", name, status, park, point, l.Total, len(want))
						}
						if len(want) > 1 {
							nonEmpty++
						}
					}
				}
			}
		}
		if nonEmpty < 30 {
			t.Fatalf("only %d lists of more than one row: the comparison proves little", nonEmpty)
		}
		// Scope still holds: Andong's staff count Andong's requests only,
		// whatever park they name.
		l, err := w.andongStaff.ListServiceRequests(ctx, url.Values{"park_id": {w.wuli.ID}, "limit": {"1"}})
		if err != nil || l.Total != 0 || len(l.Items) != 0 {
			t.Fatalf("andong staff, wuli filter: %+v %v", l, err)
		}
		// The staff's total is the kept sum, not a count of the rows: a
		// point's kept figure, made wrong by hand, shows in it.
		total := func() int {
			t.Helper()
			l, err := w.centerStaff.ListServiceRequests(ctx, url.Values{"limit": {"1"}})
			if err != nil {
				t.Fatal(err)
			}
			return l.Total
		}
		before := total()
		if _, err := srv.DB.W.Exec(`UPDATE request_point_counts SET n = n + 100 WHERE point_id = $1 AND status || shard = (SELECT MIN(status || shard) FROM request_point_counts WHERE point_id = $1)`, w.center.ID); err != nil {
			t.Fatal(err)
		}
		if after := total(); after != before+100 {
			t.Fatalf("the centre staff's total %d after the kept counts gained 100, %d before", after, before)
		}
	})
}
