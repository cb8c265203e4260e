package matrixapi_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/config"
	"tongxin/internal/db"
	"tongxin/internal/matrix"
	"tongxin/internal/testenv"
)

var ctx = context.Background()

// add records figures organised by node at t, as a domain would in its
// own transaction.
func add(t *testing.T, srv *testenv.Server, node, function string, at time.Time, f matrix.Figures) {
	t.Helper()
	err := srv.DB.Tx(ctx, func(tx *db.Tx) error {
		p, err := matrix.PlaceOf(ctx, tx, node)
		if err != nil {
			return err
		}
		return matrix.Add(ctx, tx, matrix.Fact{Place: p, Function: function, At: at, Figures: f})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func day(s string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, s, matrix.Local)
	if err != nil {
		panic(err)
	}
	return t.Add(10 * time.Hour)
}

func hours(h float64) int64 { return int64(h * 60) }

type world struct {
	srv                        *testenv.Server
	wuli, andong               string
	committee, parkOrg, branch string
}

// build lays out zone A (two parks, the working committee, 五里园's park
// committee and a branch of one of its enterprises) and the hand-counted
// figures every test below checks against, and zone B with figures that
// must never show in zone A.
func build(t *testing.T, dsn string) world { return buildWith(t, dsn, nil) }

// buildWith is build on a server whose configuration edit changes.
func buildWith(t *testing.T, dsn string, edit func(*config.Config)) world {
	srv := testenv.StartWith(t, dsn, nil, edit)
	w := world{srv: srv, wuli: srv.Park("五里园", "WL").ID, andong: srv.Park("安东园", "AD").ID}
	ent := srv.Enterprise(w.wuli, "盼盼食品")
	w.committee = srv.Org(srv.ZoneID, "", "开发区党工委", "working_committee")
	w.parkOrg = srv.Org(w.committee, w.wuli, "五里园党委", "committee")
	w.branch = srv.Org(w.parkOrg, w.wuli, "盼盼食品党支部", "branch", ent)

	// The river day: a zone-level political activity, 14 members, 2 h each.
	add(t, srv, srv.ZoneID, "political", day("2022-11-15"), matrix.Figures{Activities: 1, Participants: 14, VolunteerMinutes: 14 * hours(2)})
	// A free clinic by 五里园 itself: service, 5 volunteers, 1 h each.
	add(t, srv, w.wuli, "service", day("2022-11-20"), matrix.Figures{Activities: 1, Participants: 5, VolunteerMinutes: 5 * hours(1)})
	// Two party lessons by the branch, 30 people, 1.5 h, on 1 December in
	// China though still 30 November in UTC.
	add(t, srv, w.branch, "political", time.Date(2022, 11, 30, 16, 30, 0, 0, time.UTC),
		matrix.Figures{Activities: 2, Participants: 30, VolunteerMinutes: 30 * hours(1.5)})
	// 安东园's epidemic campaign: governance, 207 volunteers, 4 h; and
	// three service requests resolved there.
	add(t, srv, w.andong, "governance", day("2023-01-05"), matrix.Figures{Activities: 1, Participants: 207, VolunteerMinutes: 207 * hours(4), RequestsResolved: 3})
	// A cancelled activity takes its count back.
	add(t, srv, w.andong, "governance", day("2023-01-06"), matrix.Figures{Activities: 1})
	add(t, srv, w.andong, "governance", day("2023-01-06"), matrix.Figures{Activities: -1})

	zoneB := srv.Zone("另一开发区")
	parkB := srv.Admin()
	var pb client.Park
	if err := parkB.Call(ctx, "POST", "/api/v1/parks", map[string]string{"zone_id": zoneB, "name": "乙园", "code": "B"}, &pb); err != nil {
		t.Fatal(err)
	}
	add(t, srv, pb.ID, "political", day("2022-11-15"), matrix.Figures{Activities: 5, Participants: 50})
	add(t, srv, zoneB, "political", day("2022-11-15"), matrix.Figures{Activities: 7})
	return w
}

func TestMatrixCountsWithinTheCallersScope(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := build(t, dsn)
		srv := w.srv
		zoneAdmin := srv.User("matrix-zone", access.ZoneAdmin, srv.ZoneID)
		m, err := zoneAdmin.Matrix(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Cells) != 12 || len(m.Levels) != 3 || len(m.Functions) != 4 {
			t.Fatalf("shape: %d cells, levels %v, functions %v", len(m.Cells), m.Levels, m.Functions)
		}
		want := map[[2]string]client.MatrixTotals{
			{"zone", "political"}:       {Activities: 1, Participants: 14, VolunteerHours: 28},
			{"park", "service"}:         {Activities: 1, Participants: 5, VolunteerHours: 5},
			{"enterprise", "political"}: {Activities: 2, Participants: 30, VolunteerHours: 45},
			{"park", "governance"}:      {Activities: 1, Participants: 207, VolunteerHours: 828, RequestsResolved: 3},
		}
		for i, c := range m.Cells {
			if c.Level != matrix.Levels[i/4] || c.Function != matrix.Functions[i%4] {
				t.Fatalf("cell %d is %s/%s: cells go levels × functions in order", i, c.Level, c.Function)
			}
			if c.MatrixTotals != want[[2]string{c.Level, c.Function}] {
				t.Errorf("zone admin: %s/%s = %+v, want %+v", c.Level, c.Function, c.MatrixTotals, want[[2]string{c.Level, c.Function}])
			}
		}
		if len(m.Parks) != 2 || m.Parks[0].ParkName != "五里园" || m.Parks[0].Activities != 3 || m.Parks[0].Participants != 35 ||
			m.Parks[1].ParkName != "安东园" || m.Parks[1].RequestsResolved != 3 {
			t.Errorf("parks: %+v", m.Parks)
		}

		// 五里园's administrator: the park's own activity and its
		// enterprise branch's, nothing of the zone's or 安东园's.
		parkAdmin := srv.User("matrix-wuli", access.ParkAdmin, w.wuli)
		m, err = parkAdmin.Matrix(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Cell("park", "service"); got.Activities != 1 || got.Participants != 5 {
			t.Errorf("park admin park/service = %+v", got)
		}
		if got := m.Cell("enterprise", "political"); got.Activities != 2 {
			t.Errorf("park admin enterprise/political = %+v", got)
		}
		if got := m.Cell("zone", "political"); got != (client.MatrixTotals{}) {
			t.Errorf("park admin sees the zone's figures: %+v", got)
		}
		if got := m.Cell("park", "governance"); got != (client.MatrixTotals{}) {
			t.Errorf("park admin sees 安东园's figures: %+v", got)
		}
		if len(m.Parks) != 1 || m.Parks[0].ParkID != w.wuli {
			t.Errorf("park admin's parks: %+v", m.Parks)
		}

		// The park committee's secretary: the branch under it only.
		secretary := srv.User("matrix-secretary", access.OrgSecretary, w.parkOrg)
		m, err = secretary.Matrix(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range m.Cells {
			wantActs := int64(0)
			if c.Level == "enterprise" && c.Function == "political" {
				wantActs = 2
			}
			if c.Activities != wantActs || (wantActs == 0 && c.MatrixTotals != client.MatrixTotals{}) {
				t.Errorf("secretary %s/%s = %+v", c.Level, c.Function, c.MatrixTotals)
			}
		}

		// A person-bound account with no grant has no dashboard.
		_, err = srv.User("matrix-nobody", "", "").Matrix(ctx, nil)
		testenv.WantStatus(t, err, 403)
	})
}

func TestMatrixFilters(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := build(t, dsn)
		admin := w.srv.User("matrix-filters", access.ZoneAdmin, w.srv.ZoneID)
		total := func(q url.Values) (acts int64) {
			t.Helper()
			m, err := admin.Matrix(ctx, q)
			if err != nil {
				t.Fatalf("%v: %v", q, err)
			}
			for _, c := range m.Cells {
				acts += c.Activities
			}
			return acts
		}
		for _, c := range []struct {
			q    url.Values
			want int64
		}{
			{url.Values{"park_id": {w.wuli}}, 3},
			{url.Values{"park_id": {w.andong}}, 1},
			{url.Values{"org_id": {w.parkOrg}}, 2},
			{url.Values{"org_id": {w.committee}}, 2},
			{url.Values{"from": {"2022-12-01"}}, 3},                       // the branch's lessons (China's 1 December) and 安东园
			{url.Values{"to": {"2022-11-30"}}, 2},                         // the river day and the clinic
			{url.Values{"from": {"2022-11-15"}, "to": {"2022-11-15"}}, 1}, // both days included
			{url.Values{"from": {"2023-02-01"}}, 0},
			{url.Values{"zone_id": {w.srv.ZoneID}}, 5},
		} {
			if got := total(c.q); got != c.want {
				t.Errorf("%v: %d activities, want %d", c.q, got, c.want)
			}
		}
		m, err := admin.Matrix(ctx, url.Values{"trend": {"true"}})
		if err != nil {
			t.Fatal(err)
		}
		var months []string
		for _, mo := range m.Trend {
			months = append(months, mo.Month+"/"+mo.Level+"/"+mo.Function)
		}
		want := []string{"2022-11/park/service", "2022-11/zone/political", "2022-12/enterprise/political", "2023-01/park/governance"}
		if len(months) != len(want) {
			t.Fatalf("trend %v, want %v", months, want)
		}
		for i := range want {
			if months[i] != want[i] {
				t.Fatalf("trend %v, want %v", months, want)
			}
		}
		if m.Trend[3].Participants != 207 || m.Trend[3].Activities != 1 {
			t.Errorf("trend 2023-01: %+v", m.Trend[3])
		}
		if m, err = admin.Matrix(ctx, nil); err != nil || m.Trend != nil {
			t.Errorf("trend without asking: %+v %v", m.Trend, err)
		}
	})
}

func TestMatrixRefusesBadFilters(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := build(t, dsn)
		srv := w.srv
		admin := srv.User("matrix-bad", access.ZoneAdmin, srv.ZoneID)
		var otherPark string
		if err := srv.DB.R.QueryRow(`SELECT id FROM parks WHERE zone_id <> $1`, srv.ZoneID).Scan(&otherPark); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			q      url.Values
			status int
			field  string
		}{
			{url.Values{"from": {"2022-13-01"}}, 400, "from"},
			{url.Values{"to": {"昨天"}}, 400, "to"},
			{url.Values{"from": {"2022-12-02"}, "to": {"2022-12-01"}}, 422, "to"},
			{url.Values{"park_id": {"no-such-park"}}, 422, "park_id"},
			{url.Values{"park_id": {otherPark}}, 422, "park_id"}, // another zone's
			{url.Values{"park_id": {w.parkOrg}}, 422, "park_id"}, // not a park
			{url.Values{"org_id": {w.wuli}}, 422, "org_id"},      // not an organisation
			{url.Values{"zone_id": {"no-such-zone"}}, 422, "zone_id"},
			{url.Values{"trend": {"yes"}}, 400, "trend"},
		} {
			_, err := admin.Matrix(ctx, c.q)
			p := testenv.Problem(err)
			if client.StatusOf(err) != c.status || len(p.Errors) != 1 || p.Errors[0].Field != c.field || p.Errors[0].Message == "" {
				t.Errorf("%v: %v %+v, want %d on %s", c.q, err, p.Errors, c.status, c.field)
			}
		}
	})
}
