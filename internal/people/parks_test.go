package people_test

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/db"
	"tongxin/internal/people"
	"tongxin/internal/testenv"
)

// The park columns (migration 0160) select exactly the people the park's
// subtree of scope nodes selects — their enterprise's or their
// organisation's node under the park — and the counts kept per park
// (migration 0220) count them, after every kind of write that changes
// where a person lies or whether they are a member: inserts through the API and straight into
// the table, edits, transfers, party development's direct update, an
// enterprise moved to another park, an organisation moved between parks
// and under the zone's working committee (its branch under it following),
// a membership ended, deletes. So does the organisation's path on the row
// (migration 0310) for every organisation's filter: the organisation and
// those under it.
func TestParkColumnsSelectTheParkSubtree(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		z := srv.ZoneID
		p1, p2, p3 := srv.Park("一园", "p1").ID, srv.Park("二园", "p2").ID, srv.Park("三园", "p3").ID
		e1, e2, e3 := srv.Enterprise(p1, "一园企业"), srv.Enterprise(p2, "二园企业"), srv.Enterprise(p1, "一园二企")
		wc := srv.Org(z, "", "工委", "working_committee")
		o1 := srv.Org(p1, p1, "一园党委", "committee")
		o1b := srv.Org(o1, p1, "一园支部", "branch")
		o2 := srv.Org(p2, p2, "二园支部", "branch", e2)
		oz := srv.Org(wc, p3, "工委直属支部", "joint_branch", e1, e2) // in park p3, its node under the zone
		other := srv.Zone("另一开发区")
		otherAdmin := srv.UserIn("oz-admin", other, access.ZoneAdmin, other)
		op, err := otherAdmin.CreatePark(ctx, map[string]string{"name": "外区园", "code": "op"})
		if err != nil {
			t.Fatal(err)
		}
		oe := srv.Enterprise(op.ID, "外区企业")

		// Straight into the table (tongxin gen, imports' own inserts).
		direct := map[string]string{
			"e1":      srv.Person(z, "一园工人", e1, "", ""),
			"e1o2":    srv.Person(z, "一园工作二园党员", e1, o2, "full"),
			"e2o1b":   srv.Person(z, "二园工作一园党员", e2, o1b, "probationary"),
			"oz":      srv.Person(z, "直属党员", "", oz, "full"),
			"e3oz":    srv.Person(z, "一园二企直属党员", e3, oz, "full"),
			"nowhere": srv.Person(z, "无所属", "", "", ""),
			"other":   srv.Person(other, "外区工人", oe, "", ""),
		}
		viaAPI := map[string]client.Person{}
		for key, body := range map[string]map[string]any{
			"api-e2":   {"name": "二园工人", "enterprise_id": e2},
			"api-e1o1": {"name": "一园党员", "enterprise_id": e1, "party": map[string]string{"org_id": o1, "status": "full", "joined_on": "2015-07-01"}},
			"api-o2":   {"name": "二园党员", "party": map[string]string{"org_id": o2, "status": "full", "joined_on": "2016-07-01"}},
		} {
			p, err := admin.CreatePerson(ctx, body)
			if err != nil {
				t.Fatalf("create %s: %v", key, err)
			}
			viaAPI[key] = p
		}

		// check compares the two predicates for every park (and a
		// non-park, an unknown id) and membership filter; sizes lists
		// what the filter on p1 selects, as a guard that the comparison is
		// not between two empty sets.
		check := func(step string, sizes ...int) {
			t.Helper()
			for _, park := range []string{p1, p2, p3, op.ID, e1, "no-such-park"} {
				yes, no := true, false
				for i, isMember := range []*bool{nil, &yes, &no} {
					member := map[*bool]string{nil: "", &yes: " (members)", &no: " (others)"}[isMember]
					was, wa, is, ia, count, union, err := people.ParkFilters(ctx, srv.DB, park, isMember)
					if err != nil {
						t.Fatal(err)
					}
					want, got := ids(t, srv.DB, was, wa), ids(t, srv.DB, is, ia)
					if !slices.Equal(got, want) {
						t.Fatalf("%s: park %s%s selects %v, the subtree %v", step, park, member, got, want)
					}
					if (union == nil) != (count == nil) {
						t.Fatalf("%s: park %s%s has a count %v and %d ranges", step, park, member, count, len(union))
					}
					if union != nil {
						if got := ids(t, srv.DB, " AND id IN (SELECT id FROM people WHERE "+strings.Join(union, " UNION SELECT id FROM people WHERE ")+")", ia); !slices.Equal(got, want) {
							t.Fatalf("%s: park %s%s's ranges select %v, the subtree %v", step, park, member, got, want)
						}
					}
					if park != "no-such-park" {
						// The list pages through the same people (its pages
						// merge the ranges, each person once), two by two.
						q := url.Values{"park_id": {park}, "limit": {"2"}}
						if isMember != nil {
							q.Set("is_member", strconv.FormatBool(*isMember))
						}
						var listed []string
						for {
							l, err := admin.ListPeople(ctx, q)
							if err != nil {
								t.Fatal(err)
							}
							if l.Total != len(want) {
								t.Fatalf("%s: park %s%s lists a total of %d, want %d", step, park, member, l.Total, len(want))
							}
							for _, p := range l.Items {
								listed = append(listed, p.ID)
							}
							if l.NextCursor == nil {
								break
							}
							q.Set("cursor", *l.NextCursor)
						}
						if !slices.Equal(listed, want) {
							t.Fatalf("%s: park %s%s lists %v, the subtree %v", step, park, member, listed, want)
						}
					}
					if count == nil && park != e1 && park != "no-such-park" {
						t.Fatalf("%s: park %s%s has no count statement", step, park, member)
					}
					if count != nil {
						var n int
						if err := srv.DB.R.QueryRow(count.Query, count.Args...).Scan(&n); err != nil || n != len(want) {
							t.Fatalf("%s: park %s%s counted %d (%v), want %d", step, park, member, n, err, len(want))
						}
					}
					if park == p1 && len(want) != sizes[i] {
						t.Fatalf("%s: park 一园%s holds %d people, want %d", step, member, len(want), sizes[i])
					}
				}
			}
		}
		// checkOrgs compares the two organisation filters for every
		// organisation (and a park, an unknown id); sizes lists what they
		// select for 工委 and 一园党委.
		checkOrgs := func(step string, sizes ...int) {
			t.Helper()
			for _, org := range []string{wc, o1, o1b, o2, oz, p1, "no-such-org"} {
				was, wa, is, ia, count, err := people.OrgFilters(ctx, srv.DB, org)
				if err != nil {
					t.Fatal(err)
				}
				want, got := ids(t, srv.DB, was, wa), ids(t, srv.DB, is, ia)
				if !slices.Equal(got, want) {
					t.Fatalf("%s: organisation %s selects %v, the subtree %v", step, org, got, want)
				}
				// An organisation at depth 3 (一园党委, 二园支部 under its park,
				// 工委直属支部 under the working committee) has its people
				// counted; the list's total is that count.
				if committee := slices.Contains([]string{o1, o2, oz}, org); committee != (count != nil) {
					t.Fatalf("%s: organisation %s has the count %v", step, org, count)
				}
				if count != nil {
					var n int
					if err := srv.DB.R.QueryRow(count.Query, count.Args...).Scan(&n); err != nil || n != len(want) {
						t.Fatalf("%s: organisation %s counted %d (%v), want %d", step, org, n, err, len(want))
					}
				}
				if org != "no-such-org" && org != p1 {
					l, err := admin.ListPeople(ctx, url.Values{"org_id": {org}, "limit": {"1"}})
					if err != nil {
						t.Fatal(err)
					}
					if l.Total != len(want) {
						t.Fatalf("%s: organisation %s lists a total of %d, want %d", step, org, l.Total, len(want))
					}
				}
				if i := slices.Index([]string{wc, o1}, org); i >= 0 && len(want) != sizes[i] {
					t.Fatalf("%s: organisation %s holds %d people, want %d", step, org, len(want), sizes[i])
				}
			}
		}
		check = func(check func(string, ...int)) func(string, ...int) {
			return func(step string, sizes ...int) {
				t.Helper()
				check(step, sizes[:3]...)
				checkOrgs(step, sizes[3:]...)
			}
		}(check)

		// 一园: e1, e1o2, e2o1b, e3oz, api-e1o1 (members: e1o2, e2o1b, e3oz, api-e1o1).
		// 工委: oz, e3oz; 一园党委: e2o1b (its branch), api-e1o1.
		check("inserts", 5, 4, 1, 2, 2)

		// A transfer between organisations of two parks, an edit moving a
		// worker to another park's enterprise.
		if _, err := admin.TransferPerson(ctx, viaAPI["api-o2"].ID, map[string]any{"to_org_id": o1b, "on_date": "2024-01-01"}); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.UpdatePerson(ctx, viaAPI["api-e2"].ID, map[string]any{"enterprise_id": e3}, 0); err != nil {
			t.Fatal(err)
		}
		check("transfer and edit", 7, 5, 2, 2, 3)

		// Party development writes org_id, the status and the date itself.
		if _, err := srv.DB.W.ExecContext(ctx, `UPDATE people SET org_id = $1, party_status = 'probationary', joined_on = '2025-07-01' WHERE id = $2`, o1, direct["nowhere"]); err != nil {
			t.Fatal(err)
		}
		check("direct update", 8, 6, 2, 2, 4)

		// The enterprise e1 moves to park 2: its workers leave 一园 unless
		// their organisation keeps them there.
		ent, err := admin.GetEnterprise(ctx, e1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.UpdateEnterprise(ctx, e1, map[string]any{"park_id": p2}, ent.Version); err != nil {
			t.Fatal(err)
		}
		check("enterprise moved", 6, 5, 1, 2, 4)

		// The committee o1 (and the branch under it) moves to park 3, then
		// under the working committee: its members leave 一园.
		org, err := admin.GetOrg(ctx, o1)
		if err != nil {
			t.Fatal(err)
		}
		if org, err = admin.UpdateOrg(ctx, o1, map[string]any{"park_id": p3}, org.Version); err != nil {
			t.Fatal(err)
		}
		check("organisation moved to another park", 2, 1, 1, 2, 4)
		if _, err := admin.UpdateOrg(ctx, o1, map[string]any{"parent_id": wc}, org.Version); err != nil {
			t.Fatal(err)
		}
		check("organisation moved under the zone", 2, 1, 1, 6, 4)
		var parks [2]*string
		if err := srv.DB.R.QueryRow(`SELECT enterprise_park_id, org_park_id FROM people WHERE id = $1`, direct["e2o1b"]).Scan(&parks[0], &parks[1]); err != nil {
			t.Fatal(err)
		}
		if parks[0] == nil || *parks[0] != p2 || parks[1] != nil {
			t.Fatalf("a member of the branch under the moved committee lies in %v, %v; want %s and no park", parks[0], parks[1], p2)
		}

		// A statement setting the enterprise alone moves a member of park 2
		// into park 1.
		if _, err := srv.DB.W.ExecContext(ctx, `UPDATE people SET enterprise_id = $1 WHERE id = $2`, e3, direct["e2o1b"]); err != nil {
			t.Fatal(err)
		}
		check("enterprise set alone", 3, 2, 1, 6, 4)

		// A membership ended: the person stays in park 2, no longer a
		// member (park 1 unchanged).
		if _, err := admin.UpdatePerson(ctx, direct["e1o2"], map[string]any{"party": nil}, 0); err != nil {
			t.Fatal(err)
		}
		check("membership ended", 3, 2, 1, 6, 4)

		// Deletes.
		if err := admin.DeletePerson(ctx, viaAPI["api-e2"].ID, 0); err != nil {
			t.Fatal(err)
		}
		if err := admin.DeletePerson(ctx, direct["e3oz"], 0); err != nil {
			t.Fatal(err)
		}
		check("deletes", 1, 1, 0, 5, 4)
	})
}

// ids lists the people the predicate (" AND …") selects, in id order.
func ids(t *testing.T, d *db.DB, where string, a db.Args) []string {
	t.Helper()
	rows, err := d.R.Query("SELECT id FROM people WHERE 1=1"+where+" ORDER BY id", a...)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
