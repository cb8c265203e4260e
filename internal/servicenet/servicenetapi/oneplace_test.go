package servicenetapi_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/testenv"
)

// A caller whose scope is one park or one point lists a status from the
// request's own columns (park_id and zone, or point_id) in index order
// rather than from the points under the node: the pages, paged two by
// two, hold exactly the requests of the points under the caller's node
// in that status, newest first, with the total, on both engines; and a
// caller covering nodes of two parks (the park and a point of the other)
// still sees both. A park's staff filtering by a park gets their park's,
// or nothing of another.
func TestOnePlaceListsItsPointsRequests(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		for i, pt := range []client.ServicePoint{w.center, w.area, w.andongPt, w.center, w.area, w.andongPt, w.center} {
			r := w.file(t, w.admin, map[string]any{"point_id": pt.ID})
			if i%3 == 1 {
				if _, err := w.admin.ActOnServiceRequest(ctx, r.ID, map[string]any{"action": "accept"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		wuliStaff := w.srv.User("wuli-staff", access.ServiceStaff, w.wuli.ID)
		both := w.srv.User("both-parks", access.ServiceStaff, w.wuli.ID)
		if _, err := w.admin.Grant(ctx, w.srv.UserID("both-parks"), access.ServiceStaff, w.andongPt.ID); err != nil {
			t.Fatal(err)
		}
		for name, c := range map[string]struct {
			client *client.Client
			points []string
		}{
			"wuli-admin":   {w.wuliAdmin, []string{w.center.ID, w.area.ID}},
			"wuli-staff":   {wuliStaff, []string{w.center.ID, w.area.ID}},
			"center-staff": {w.centerStaff, []string{w.center.ID}},
			"area-staff":   {w.areaStaff, []string{w.area.ID}},
			"andong-staff": {w.andongStaff, []string{w.andongPt.ID}},
			"both-parks":   {both, []string{w.center.ID, w.area.ID, w.andongPt.ID}},
		} {
			for _, status := range []string{"submitted", "accepted", "closed"} {
				var want []string
				for _, line := range w.srv.Strings(`SELECT id || ' ' || point_id FROM service_requests WHERE status = $1 ORDER BY created_at DESC, id DESC`, status) {
					if id, point, _ := strings.Cut(line, " "); slices.Contains(c.points, point) {
						want = append(want, id)
					}
				}
				q := url.Values{"status": {status}, "limit": {"2"}}
				var got []string
				for pages := 0; ; pages++ {
					l, err := c.client.ListServiceRequests(ctx, q)
					if err != nil {
						t.Fatalf("%s %s: %v", name, status, err)
					}
					if l.Total != len(want) {
						t.Fatalf("%s %s: total %d, want %d", name, status, l.Total, len(want))
					}
					for _, r := range l.Items {
						got = append(got, r.ID)
					}
					if l.NextCursor == nil || pages > 5 {
						break
					}
					q.Set("cursor", *l.NextCursor)
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s %s: listed %v, want %v", name, status, got, want)
				}
				// Filtered by a park as well: their own, or another.
				for park, n := range map[string]int{w.wuli.ID: len(want), w.andong.ID: 0} {
					if name != "wuli-staff" {
						break
					}
					l, err := c.client.ListServiceRequests(ctx, url.Values{"status": {status}, "park_id": {park}, "limit": {"1"}})
					if err != nil || l.Total != n || len(l.Items) != min(n, 1) {
						t.Errorf("%s %s in park %s: %d of %d (%v), want %d", name, status, park, len(l.Items), l.Total, err, n)
					}
					// A later page (a cursor: the total is counted) of another park.
					if first, _ := c.client.ListServiceRequests(ctx, url.Values{"status": {status}, "limit": {"1"}}); n == 0 && first.NextCursor != nil {
						l, err := c.client.ListServiceRequests(ctx, url.Values{"status": {status}, "park_id": {park}, "cursor": {*first.NextCursor}})
						if err != nil || l.Total != 0 || len(l.Items) != 0 {
							t.Errorf("%s %s, a later page in park %s: %d of %d (%v), want none", name, status, park, len(l.Items), l.Total, err)
						}
					}
				}
			}
		}
	})
}
