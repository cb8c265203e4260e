package people_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/page"
	"tongxin/internal/people"
	"tongxin/internal/testenv"
)

// An organisation's people (the organisation and those under it) are one
// range of people_org_path: the count reads it alone, and on SQLite so do
// the page's ids (the rows are read for the page alone), instead of one
// search of people_org per organisation of the subtree. A park's
// committee's are one key of people_org_committee, in id order: no sort
// of the subtree for a page.
func TestOrgPeopleAreOneRange(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		srv := testenv.Start(t, dsn)
		p := srv.Park("一园", "p1").ID
		committee := srv.Org(p, p, "一园党委", "committee")
		branch := srv.Org(committee, p, "一园支部", "branch")
		for org, index := range map[string]string{committee: "people_org_committee", branch: "people_org_path"} {
			_, _, where, a, _, err := people.OrgFilters(ctx, srv.DB, org)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case srv.DB.Dialect == db.SQLite:
				index = "COVERING INDEX " + index
			case org == committee:
				// From the index alone: it holds org_path (INCLUDE).
				index = "Index Only Scan using " + index
			}
			statements := []string{"SELECT COUNT(*) FROM people WHERE 1=1" + where}
			if srv.DB.Dialect == db.SQLite {
				// PostgreSQL may walk a table this small in id order instead.
				statements = append(statements, "SELECT id FROM people WHERE 1=1"+where+" ORDER BY id LIMIT 51")
			}
			for _, q := range statements {
				plan := testenv.Explain(t, srv.DB, q, a)
				if !strings.Contains(plan, index) || strings.Contains(plan, "people_org ") || strings.Contains(plan, "scope_nodes") {
					t.Fatalf("%s: want one range of %s:\n%s", q, index, plan)
				}
				if org == committee && strings.Contains(plan, "TEMP B-TREE") {
					t.Fatalf("%s: the committee's people sorted:\n%s", q, plan)
				}
			}
		}
	})
}

// The committee filter's expression is the index's (migration 0370) and
// takes as many bytes as a committee's path has.
func TestCommitteePrefixIsThePathsLength(t *testing.T) {
	want := "substr(org_path, 1, " + strconv.Itoa(people.CommitteePathLen) + ")"
	if people.CommitteePrefix != want {
		t.Fatalf("%s, want %s", people.CommitteePrefix, want)
	}
	sql, err := os.ReadFile("migrations/0370_people_committee_order.sql")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(sql), "ON people("+want+", id)"); n != 2 {
		t.Fatalf("the migration's indexes on %s, id: %d, want 2 (one per engine)", want, n)
	}
}

// A park's people, the park alone, are ranges of the two park indexes in
// id order (one per park column and party status): a page reads at most
// its limit of each, never the park's entries sorted, nor the zone's.
func TestParkPeopleAreRangesInIDOrder(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		srv := testenv.Start(t, dsn)
		p := srv.Park("一园", "p1").ID
		yes, no := true, false
		for _, isMember := range []*bool{nil, &yes, &no} {
			_, _, _, a, _, union, err := people.ParkFilters(ctx, srv.DB, p, isMember)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[*bool]int{nil: 6, &yes: 4, &no: 2}[isMember]; len(union) != want {
				t.Fatalf("is_member %v: %d ranges, want %d", isMember, len(union), want)
			}
			if srv.DB.Dialect != db.SQLite {
				continue // PostgreSQL may walk a table this small in id order instead.
			}
			for _, arm := range union {
				q := "SELECT id FROM people WHERE " + arm + " ORDER BY id LIMIT 51"
				plan := testenv.Explain(t, srv.DB, q, a)
				if !strings.Contains(plan, "COVERING INDEX people_enterprise_park") && !strings.Contains(plan, "COVERING INDEX people_org_park") ||
					strings.Contains(plan, "TEMP B-TREE") {
					t.Fatalf("%s: want a range of a park index in id order:\n%s", q, plan)
				}
			}
		}
	})
}

// A committee's people come in id order from people_org_committee, so a
// page reads their rows as it finds them; below a committee the org_path
// range is found whole and sorted, and the rows are read for the page
// alone (page.Query.Late). Either way the pages list everyone under the
// organisation once, in id order.
func TestOrgPageLateOnlyBelowACommittee(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		p := srv.Park("一园", "p1").ID
		e := srv.Enterprise(p, "一园机械")
		committee := srv.Org(p, p, "一园党委", "committee")
		branch := srv.Org(committee, p, "一园支部", "branch")
		var all, inBranch []string
		for i := range 5 {
			org := map[bool]string{true: committee, false: branch}[i < 2]
			id := srv.Person(srv.ZoneID, "党员"+strconv.Itoa(i), e, org, "full")
			all = append(all, id)
			if org == branch {
				inBranch = append(inBranch, id)
			}
		}
		slices.Sort(all)
		slices.Sort(inBranch)
		ctx := access.With(context.Background(), &access.Principal{UserID: "t", ZoneID: srv.ZoneID,
			Grants: []access.Grant{{Role: access.ZoneAdmin, Path: access.ZonePath(srv.ZoneID), ZoneID: srv.ZoneID}}})
		s := &people.Service{DB: srv.DB}
		for org, want := range map[string]bool{committee: false, branch: true} {
			if late, err := s.OrgListIsLate(ctx, org); err != nil || late != want {
				t.Errorf("org %s: late %v (%v), want %v", org, late, err, want)
			}
		}
		for org, want := range map[string][]string{committee: all, branch: inBranch} {
			var got []string
			after := ""
			for {
				pg, _ := page.Parse("2", after, "")
				l, err := s.List(ctx, people.Filter{OrgID: org}, pg)
				if err != nil {
					t.Fatal(err)
				}
				for _, x := range l.Items {
					got = append(got, x.ID)
				}
				if l.NextCursor == nil {
					break
				}
				after = *l.NextCursor
			}
			if !slices.Equal(got, want) {
				t.Errorf("org %s: pages %q, want %q", org, got, want)
			}
		}
	})
}
