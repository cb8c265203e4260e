package partyaffairsapi_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"tongxin/internal/client"
	"tongxin/internal/partyaffairs"
	"tongxin/internal/tabular/tabulartest"
	"tongxin/internal/testenv"
)

var ctx = context.Background()

// world: two parks; 恒毅机械 in 安东园 with its branch, 信泰 in 五里园 with
// its committee; a secretary of each, and members.
type world struct {
	srv                      *testenv.Server
	admin                    *client.Client
	andong, wuli             client.Park
	hengyi, xintai, haina    string
	branch, committee        string
	secHengyi, secXintai     *client.Client
	parkWuli                 *client.Client
	memberA, memberB, worker string
}

func newWorld(t *testing.T, dsn string) world {
	srv := testenv.Start(t, dsn)
	w := world{srv: srv, admin: srv.Admin(), andong: srv.Park("安东园", "andong"), wuli: srv.Park("五里园", "wuli")}
	w.hengyi = srv.Enterprise(w.andong.ID, "恒毅机械")
	w.haina = srv.Enterprise(w.andong.ID, "海纳机械")
	w.xintai = srv.Enterprise(w.wuli.ID, "信泰集团")
	w.branch = srv.Org(w.andong.ID, w.andong.ID, "恒毅机械党支部", "branch", w.hengyi)
	w.committee = srv.Org(w.wuli.ID, w.wuli.ID, "信泰集团党委", "committee", w.xintai)
	w.secHengyi = srv.User("sec-hengyi", "org_secretary", w.branch)
	w.secXintai = srv.User("sec-xintai", "org_secretary", w.committee)
	w.parkWuli = srv.User("park-wuli", "park_admin", w.wuli.ID)
	w.memberA = srv.Person(srv.ZoneID, "陈建国", w.hengyi, w.branch, "full")
	w.memberB = srv.Person(srv.ZoneID, "林秀英", w.xintai, w.committee, "probationary")
	w.worker = srv.Person(srv.ZoneID, "王小明", w.hengyi, "", "")
	return w
}

// month returns the month n months from this one in China (YYYY-MM).
func month(n int) string {
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	return time.Date(now.Year(), now.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
}

func wantField(t *testing.T, err error, status int, field, code string) {
	t.Helper()
	testenv.WantStatus(t, err, status)
	p := testenv.Problem(err)
	for _, f := range p.Errors {
		if f.Field == field && f.Code == code {
			return
		}
	}
	t.Fatalf("want %s %s, got %+v", field, code, p)
}

func TestDuesBands(t *testing.T) {
	for _, c := range []struct {
		base   int64
		band   int
		amount int64
	}{
		{0, 1, 0}, {300000, 1, 1500}, {300001, 2, 3000}, {420000, 2, 4200}, {500000, 2, 5000}, {500100, 3, 7502},
		{1000000, 3, 15000}, {1000001, 4, 20000}, {1234567, 4, 24691}, {99, 1, 0}, {100, 1, 1},
	} {
		b, amount := partyaffairs.BandOf(c.base)
		if b.Band != c.band || amount != c.amount {
			t.Errorf("base %d: band %d amount %d, want %d %d", c.base, b.Band, amount, c.band, c.amount)
		}
	}
}

func TestDues(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		// The secretary records their member's dues: base and band kept.
		d, err := w.secHengyi.RecordDue(ctx, map[string]any{"person_id": w.memberA, "month": "2024-03", "base_fen": 650000, "paid_on": "2024-03-20"})
		if err != nil || d.Band != 3 || d.RatePermille != 15 || d.AmountFen != 9750 || d.BaseFen != 650000 || d.OrgID != w.branch ||
			d.PersonName != "陈建国" || d.OrgName != "恒毅机械党支部" {
			t.Fatalf("due %+v %v", d, err)
		}
		// Paying counts as contact (the out-of-contact warning reads it).
		p, err := w.admin.GetPerson(ctx, w.memberA, false)
		if err != nil || p.Party == nil || p.Party.LastContactOn == nil || *p.Party.LastContactOn != "2024-03-20" {
			t.Fatalf("person %+v %v", p.Party, err)
		}
		// A month already paid: 409, nothing changes.
		_, err = w.secHengyi.RecordDue(ctx, map[string]any{"person_id": w.memberA, "month": "2024-03", "base_fen": 100000})
		wantField(t, err, 409, "month", "already_paid")
		// Outside the membership: before joining (2020-07) or after this month.
		_, err = w.secHengyi.RecordDue(ctx, map[string]any{"person_id": w.memberA, "month": "2020-06", "base_fen": 100000})
		wantField(t, err, 422, "month", "outside_membership")
		_, err = w.secHengyi.RecordDue(ctx, map[string]any{"person_id": w.memberA, "month": month(1), "base_fen": 100000})
		wantField(t, err, 422, "month", "outside_membership")
		if _, err := w.secHengyi.RecordDue(ctx, map[string]any{"person_id": w.memberA, "month": "2020-07", "base_fen": 100000}); err != nil {
			t.Fatalf("the month of joining: %v", err)
		}
		// Bad input.
		for _, c := range []struct {
			body        map[string]any
			field, code string
		}{
			{map[string]any{"person_id": w.worker, "month": "2024-03", "base_fen": 1}, "person_id", "not_a_member"},
			{map[string]any{"person_id": w.memberA, "month": "2024-13", "base_fen": 1}, "month", "invalid_month"},
			{map[string]any{"person_id": w.memberA, "month": "2024-3", "base_fen": 1}, "month", "invalid_month"},
			{map[string]any{"person_id": w.memberA, "base_fen": 1}, "month", "required"},
			{map[string]any{"person_id": w.memberA, "month": "2024-04"}, "base_fen", "required"},
			{map[string]any{"person_id": w.memberA, "month": "2024-04", "base_fen": -1}, "base_fen", "out_of_range"},
			{map[string]any{"person_id": w.memberA, "month": "2024-04", "base_fen": 1, "paid_on": "2999-01-01"}, "paid_on", "in_future"},
			{map[string]any{"person_id": w.memberA, "month": "2024-04", "base_fen": 1, "paid_on": "2024-02-30"}, "paid_on", "invalid_date"},
			{map[string]any{"person_id": "nobody", "month": "2024-04", "base_fen": 1}, "person_id", "unknown_value"},
		} {
			_, err := w.admin.RecordDue(ctx, c.body)
			wantField(t, err, 422, c.field, c.code)
		}
		if n := w.srv.Count("party_dues"); n != 2 {
			t.Fatalf("%d dues after refused requests", n)
		}
		// Scope: another organisation's secretary neither records nor sees.
		_, err = w.secXintai.RecordDue(ctx, map[string]any{"person_id": w.memberA, "month": "2024-04", "base_fen": 1})
		wantField(t, err, 422, "person_id", "unknown_value")
		_, err = w.secXintai.GetDue(ctx, d.ID)
		testenv.WantStatus(t, err, 404)
		testenv.WantStatus(t, w.secXintai.DeleteDue(ctx, d.ID, 1), 404)
		l, err := w.secXintai.ListDues(ctx, nil)
		if err != nil || l.Total != 0 {
			t.Fatalf("other secretary sees %+v %v", l, err)
		}
		l, err = w.secHengyi.ListDues(ctx, url.Values{"month": {"2024-03"}})
		if err != nil || l.Total != 1 || l.Items[0].ID != d.ID {
			t.Fatalf("list %+v %v", l, err)
		}
		// Park staff of the other park see nothing of it; an auditor of the zone reads.
		l, _ = w.parkWuli.ListDues(ctx, nil)
		if l.Total != 0 {
			t.Fatalf("park staff see %d", l.Total)
		}
		// Taking a due back makes the month unpaid again.
		testenv.WantStatus(t, w.secHengyi.DeleteDue(ctx, d.ID, 7), 412)
		if err := w.secHengyi.DeleteDue(ctx, d.ID, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := w.secHengyi.RecordDue(ctx, map[string]any{"person_id": w.memberA, "month": "2024-03", "base_fen": 280000}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestArrearsAndMyParty(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		// memberA pays every month of the last year but two; memberB none.
		for i := -12; i <= -1; i++ {
			if i == -3 || i == -5 {
				continue
			}
			if _, err := w.admin.RecordDue(ctx, map[string]any{"person_id": w.memberA, "month": month(i), "base_fen": 350000}); err != nil {
				t.Fatal(err)
			}
		}
		a, err := w.admin.Arrears(ctx, nil)
		if err != nil || a.Total != 2 || a.From != month(-12) || a.To != month(-1) {
			t.Fatalf("arrears %+v %v", a, err)
		}
		if a.Items[0].PersonID != w.memberB || a.Items[0].Count != 12 || a.Items[1].PersonID != w.memberA ||
			!slices.Equal(a.Items[1].Months, []string{month(-5), month(-3)}) {
			t.Fatalf("arrears %+v", a.Items)
		}
		// Scope: the branch secretary sees their own member only; a
		// member of no organisation with grants sees nobody.
		a, err = w.secHengyi.Arrears(ctx, nil)
		if err != nil || a.Total != 1 || a.Items[0].PersonID != w.memberA {
			t.Fatalf("secretary's arrears %+v %v", a, err)
		}
		nobody := w.srv.User("nobody", "", "")
		a, err = nobody.Arrears(ctx, nil)
		if err != nil || a.Total != 0 {
			t.Fatalf("no grant sees %+v %v", a, err)
		}
		// A period: from after to is 400.
		_, err = w.admin.Arrears(ctx, url.Values{"from": {"2024-05"}, "to": {"2024-01"}})
		testenv.WantStatus(t, err, 400)
		_, err = w.admin.Arrears(ctx, url.Values{"to": {"2024/01"}})
		testenv.WantStatus(t, err, 400)
		// Joined mid-period: only the months since.
		late, err := w.admin.CreatePerson(ctx, map[string]any{"name": "黄新党员", "party": map[string]any{"status": "probationary", "org_id": w.branch,
			"joined_on": month(-2) + "-15"}})
		if err != nil {
			t.Fatal(err)
		}
		a, _ = w.admin.Arrears(ctx, url.Values{"org_id": {w.branch}})
		for _, it := range a.Items {
			if it.PersonID == late.ID && !slices.Equal(it.Months, []string{month(-2), month(-1)}) {
				t.Fatalf("late joiner owes %v", it.Months)
			}
		}
		// The member on the phone: their dues and what they owe.
		if _, err := w.admin.CreateUser(ctx, map[string]any{"username": "chen", "password": testenv.UserPassword("chen"), "display_name": "陈建国",
			"person_id": w.memberA}); err != nil {
			t.Fatal(err)
		}
		me, err := w.srv.SignIn("chen").MyParty(ctx)
		if err != nil || me.PersonID != w.memberA || me.Status == nil || *me.Status != "full" || len(me.Dues) != 10 ||
			!slices.Equal(me.Owed, []string{month(-5), month(-3)}) || me.Development != nil || len(me.Bands) != 4 || me.OrgName != "恒毅机械党支部" {
			t.Fatalf("me %+v %v", me, err)
		}
		// The list as a file: a row per member behind (the late joiner too), in the caller's scope.
		_, b := tabulartest.Download(t, w.secHengyi, "/api/v1/party-dues/arrears/export?format=csv")
		rows := tabulartest.ReadCSV(t, b)
		if len(rows) != 3 || rows[0][0] != "党员" || rows[1][0] != "陈建国" || rows[1][3] != "2" || rows[2][0] != "黄新党员" {
			t.Fatalf("arrears file %v", rows)
		}
		_, b = tabulartest.Download(t, w.admin, "/api/v1/party-dues/arrears/export?format=xlsx")
		if _, rows := tabulartest.ReadXLSX(t, b); len(rows) != 1+2+1 {
			t.Fatalf("arrears workbook %v", rows)
		}
		// An account of no person: 404.
		_, err = nobody.MyParty(ctx)
		testenv.WantStatus(t, err, 404)
	})
}

func election(org string, seats, voters int, votes ...int) map[string]any {
	cs := []map[string]any{}
	for i, v := range votes {
		cs = append(cs, map[string]any{"name": fmt.Sprintf("候选人%d", i+1), "votes": v})
	}
	return map[string]any{"org_id": org, "held_on": "2025-06-30", "seats": seats, "voters": voters, "candidates": cs}
}

func TestElections(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		// The branch's term is over: the zone sees the overdue election.
		if _, err := w.srv.DB.W.Exec(`UPDATE orgs SET term_ends_on = '2025-01-01' WHERE id = $1`, w.branch); err != nil {
			t.Fatal(err)
		}
		var warn struct {
			Total int `json:"total"`
		}
		if _, err := w.admin.Do(ctx, "GET", "/api/v1/reports/org-warnings?code=term_overdue", nil, &warn, nil); err != nil || warn.Total != 1 {
			t.Fatalf("warnings %+v %v", warn, err)
		}
		// Fewer candidates than seats; a tie for the last seat; votes over voters.
		_, err := w.secHengyi.RecordElection(ctx, election(w.branch, 3, 9, 9, 9))
		wantField(t, err, 422, "candidates", "fewer_than_seats")
		_, err = w.secHengyi.RecordElection(ctx, election(w.branch, 1, 9, 6, 6, 1))
		wantField(t, err, 422, "candidates", "tie_for_last_seat")
		_, err = w.secHengyi.RecordElection(ctx, election(w.branch, 1, 9, 10))
		wantField(t, err, 422, "candidates[0].votes", "out_of_range")
		_, err = w.secHengyi.RecordElection(ctx, election(w.branch, 0, 9, 1))
		wantField(t, err, 422, "seats", "out_of_range")
		body := election(w.branch, 1, 9, 1)
		body["held_on"] = "2999-01-01"
		_, err = w.secHengyi.RecordElection(ctx, body)
		wantField(t, err, 422, "held_on", "in_future")
		// Out of scope: the other secretary cannot record it.
		_, err = w.secXintai.RecordElection(ctx, election(w.branch, 1, 9, 8))
		wantField(t, err, 422, "org_id", "unknown_value")
		if n := w.srv.Count("party_elections"); n != 0 {
			t.Fatalf("%d elections after refusals", n)
		}
		// 3 seats, 5 candidates, 9 voters: the three with most votes over half.
		e, err := w.secHengyi.RecordElection(ctx, election(w.branch, 3, 9, 8, 3, 7, 9, 5))
		if err != nil {
			t.Fatal(err)
		}
		var elected []string
		for _, c := range e.Candidates {
			if c.Elected {
				elected = append(elected, c.Name)
			}
		}
		if !slices.Equal(elected, []string{"候选人1", "候选人3", "候选人4"}) || e.TermEndsOn != "2028-06-30" || e.OrgName != "恒毅机械党支部" {
			t.Fatalf("election %+v", e)
		}
		// Majority: 4 of 9 votes is not elected even with a seat free.
		e2, err := w.secXintai.RecordElection(ctx, election(w.committee, 2, 9, 9, 4))
		if err != nil || !e2.Candidates[0].Elected || e2.Candidates[1].Elected || e2.TermEndsOn != "2030-06-30" {
			t.Fatalf("committee election %+v %v", e2, err)
		}
		// A ballot that elected nobody is kept but starts no term.
		failed := election(w.committee, 1, 9, 4, 3)
		failed["held_on"] = "2025-07-01"
		if f, err := w.secXintai.RecordElection(ctx, failed); err != nil || f.Candidates[0].Elected || f.Candidates[1].Elected {
			t.Fatalf("failed ballot %+v %v", f, err)
		}
		if o, err := w.admin.GetOrg(ctx, w.committee); err != nil || o.TermEndsOn == nil || *o.TermEndsOn != "2030-06-30" {
			t.Fatalf("committee after a failed ballot %+v %v", o, err)
		}
		// The new term clears the warning.
		if _, err := w.admin.Do(ctx, "GET", "/api/v1/reports/org-warnings?code=term_overdue", nil, &warn, nil); err != nil || warn.Total != 0 {
			t.Fatalf("warnings after the election %+v %v", warn, err)
		}
		o, err := w.admin.GetOrg(ctx, w.branch)
		if err != nil || o.TermEndsOn == nil || *o.TermEndsOn != "2028-06-30" {
			t.Fatalf("org %+v %v", o, err)
		}
		// Scope of reading.
		l, err := w.secXintai.ListElections(ctx, nil)
		if err != nil || l.Total != 2 || l.Items[1].ID != e2.ID {
			t.Fatalf("list %+v %v", l, err)
		}
		_, err = w.secXintai.GetElection(ctx, e.ID)
		testenv.WantStatus(t, err, 404)
		got, err := w.admin.GetElection(ctx, e.ID)
		if err != nil || len(got.Candidates) != 5 || got.Candidates[3].Votes != 9 {
			t.Fatalf("get %+v %v", got, err)
		}
	})
}

func TestDevelopment(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		d, err := w.secHengyi.StartDevelopment(ctx, map[string]any{"person_id": w.worker, "org_id": w.branch, "applied_on": "2022-03-01"})
		if err != nil || d.Stage != "application" || len(d.Stages) != 1 || d.PersonName != "王小明" {
			t.Fatalf("start %+v %v", d, err)
		}
		// Twice, or a member already: 409.
		_, err = w.secHengyi.StartDevelopment(ctx, map[string]any{"person_id": w.worker, "org_id": w.branch, "applied_on": "2022-03-01"})
		testenv.WantStatus(t, err, 409)
		_, err = w.secHengyi.StartDevelopment(ctx, map[string]any{"person_id": w.memberA, "org_id": w.branch, "applied_on": "2022-03-01"})
		testenv.WantStatus(t, err, 409)
		// Another organisation's secretary: not theirs.
		_, err = w.secXintai.StartDevelopment(ctx, map[string]any{"person_id": w.srv.Person(w.srv.ZoneID, "赵", "", "", ""), "org_id": w.branch,
			"applied_on": "2022-03-01"})
		wantField(t, err, 422, "org_id", "unknown_value")
		_, err = w.secXintai.Advance(ctx, d.ID, map[string]any{"stage": "activist", "reached_on": "2022-06-01"}, d.Version)
		testenv.WantStatus(t, err, 404)
		// Order enforced: no skipping, no going back.
		_, err = w.secHengyi.Advance(ctx, d.ID, map[string]any{"stage": "candidate", "reached_on": "2023-06-01"}, d.Version)
		testenv.WantStatus(t, err, 409)
		_, err = w.secHengyi.Advance(ctx, d.ID, map[string]any{"stage": "activist", "reached_on": "2022-02-01"}, d.Version)
		wantField(t, err, 422, "reached_on", "before_previous")
		_, err = w.secHengyi.Advance(ctx, d.ID, map[string]any{"stage": "member", "reached_on": "2022-04-01"}, d.Version)
		wantField(t, err, 422, "stage", "unknown_value")
		_, err = w.secHengyi.Advance(ctx, d.ID, map[string]any{"stage": "activist", "reached_on": "2022-04-01"}, 9)
		testenv.WantStatus(t, err, 412)
		d, err = w.secHengyi.Advance(ctx, d.ID, map[string]any{"stage": "activist", "reached_on": "2022-04-01"}, d.Version)
		if err != nil || d.Stage != "activist" {
			t.Fatalf("activist %+v %v", d, err)
		}
		// A candidate after more than a year as an activist.
		_, err = w.secHengyi.Advance(ctx, d.ID, map[string]any{"stage": "candidate", "reached_on": "2023-03-31"}, d.Version)
		wantField(t, err, 422, "reached_on", "too_early")
		d, err = w.secHengyi.Advance(ctx, d.ID, map[string]any{"stage": "candidate", "reached_on": "2023-04-01"}, d.Version)
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.secHengyi.Advance(ctx, d.ID, map[string]any{"stage": "activist", "reached_on": "2023-05-01"}, d.Version)
		testenv.WantStatus(t, err, 409)
		// Probationary: the person becomes a probationary member of the branch.
		d, err = w.secHengyi.Advance(ctx, d.ID, map[string]any{"stage": "probationary", "reached_on": "2023-07-01"}, d.Version)
		if err != nil {
			t.Fatal(err)
		}
		p, err := w.admin.GetPerson(ctx, w.worker, false)
		if err != nil || p.Party == nil || p.Party.Status != "probationary" || p.Party.OrgID != w.branch || p.Party.JoinedOn != "2023-07-01" {
			t.Fatalf("person %+v %v", p.Party, err)
		}
		_, err = w.secHengyi.Advance(ctx, d.ID, map[string]any{"stage": "full", "reached_on": "2024-06-30"}, d.Version)
		wantField(t, err, 422, "reached_on", "too_early")
		d, err = w.secHengyi.Advance(ctx, d.ID, map[string]any{"stage": "full", "reached_on": "2024-07-01"}, d.Version)
		if err != nil || d.Stage != "full" || len(d.Stages) != 5 || d.Stages[4].ReachedOn != "2024-07-01" || d.Stages[0].Stage != "application" {
			t.Fatalf("full %+v %v", d, err)
		}
		p, _ = w.admin.GetPerson(ctx, w.worker, false)
		if p.Party.Status != "full" {
			t.Fatalf("person %+v", p.Party)
		}
		_, err = w.secHengyi.Advance(ctx, d.ID, map[string]any{"stage": "full", "reached_on": "2024-08-01"}, d.Version)
		testenv.WantStatus(t, err, 409)
		// Lists by scope and stage.
		l, err := w.secHengyi.ListDevelopment(ctx, url.Values{"stage": {"full"}})
		if err != nil || l.Total != 1 {
			t.Fatalf("list %+v %v", l, err)
		}
		l, _ = w.secXintai.ListDevelopment(ctx, nil)
		if l.Total != 0 {
			t.Fatalf("other secretary sees %d", l.Total)
		}
		_, err = w.secHengyi.ListDevelopment(ctx, url.Values{"stage": {"hero"}})
		testenv.WantStatus(t, err, 400)
		// The member sees their own development on the phone.
		if _, err := w.admin.CreateUser(ctx, map[string]any{"username": "wang", "password": testenv.UserPassword("wang"), "display_name": "王小明",
			"person_id": w.worker}); err != nil {
			t.Fatal(err)
		}
		me, err := w.srv.SignIn("wang").MyParty(ctx)
		if err != nil || me.Development == nil || me.Development.Stage != "full" || len(me.Development.Stages) != 5 {
			t.Fatalf("me %+v %v", me, err)
		}
	})
}

func TestBrands(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		// The secretary of the branch covering 恒毅机械 keeps its brand.
		b, err := w.secHengyi.CreateBrand(ctx, map[string]any{"enterprise_id": w.hengyi, "org_id": w.branch, "name": "精工党建", "slogan": "精益求精",
			"function": "development", "practices": []map[string]any{{"title": "党员先锋岗"}, {"title": "技术攻关小组", "description": "以老带新"}}})
		if err != nil || len(b.Practices) != 2 || b.EnterpriseName != "恒毅机械" || b.OrgName != "恒毅机械党支部" || b.LatestScore != nil {
			t.Fatalf("brand %+v %v", b, err)
		}
		// One enterprise, one brand.
		_, err = w.admin.CreateBrand(ctx, map[string]any{"enterprise_id": w.hengyi, "name": "第二品牌", "function": "political"})
		wantField(t, err, 409, "enterprise_id", "taken")
		// The branch does not cover 海纳机械; the other secretary reaches neither.
		_, err = w.secHengyi.CreateBrand(ctx, map[string]any{"enterprise_id": w.haina, "org_id": w.branch, "name": "海纳党建", "function": "political"})
		wantField(t, err, 422, "org_id", "not_covering")
		_, err = w.secXintai.CreateBrand(ctx, map[string]any{"enterprise_id": w.hengyi, "name": "越权党建", "function": "political"})
		wantField(t, err, 422, "enterprise_id", "unknown_value")
		_, err = w.admin.CreateBrand(ctx, map[string]any{"enterprise_id": w.xintai, "name": "极致党建", "function": "wisdom"})
		wantField(t, err, 422, "function", "unknown_value")
		// Evaluations: scores in range, once a year, by the zone or park.
		for _, s := range []int{-1, 101} {
			_, err = w.admin.EvaluateBrand(ctx, b.ID, map[string]any{"year": 2024, "score": s})
			wantField(t, err, 422, "score", "out_of_range")
		}
		_, err = w.admin.EvaluateBrand(ctx, b.ID, map[string]any{"year": 1999, "score": 90})
		wantField(t, err, 422, "year", "out_of_range")
		_, err = w.secHengyi.EvaluateBrand(ctx, b.ID, map[string]any{"year": 2024, "score": 99})
		testenv.WantStatus(t, err, 403)
		if n := w.srv.Count("brand_evaluations"); n != 0 {
			t.Fatalf("%d evaluations after refusals", n)
		}
		if _, err := w.admin.EvaluateBrand(ctx, b.ID, map[string]any{"year": 2023, "score": 82}); err != nil {
			t.Fatal(err)
		}
		b2, err := w.admin.EvaluateBrand(ctx, b.ID, map[string]any{"year": 2024, "score": 93, "note": "年度优秀"})
		if err != nil || len(b2.Evaluations) != 2 || b2.Evaluations[0].Year != 2024 || b2.Evaluations[0].Grade != "excellent" ||
			b2.Evaluations[1].Grade != "good" || b2.LatestScore == nil || *b2.LatestScore != 93 {
			t.Fatalf("evaluated %+v %v", b2, err)
		}
		_, err = w.admin.EvaluateBrand(ctx, b.ID, map[string]any{"year": 2024, "score": 50})
		wantField(t, err, 409, "year", "taken")
		// Search: Chinese (two characters), pinyin, initials; the enterprise's name too.
		for _, q := range []string{"精工", "jinggong", "jgdj", "恒毅", "先锋"} {
			l, err := w.admin.ListBrands(ctx, url.Values{"q": {q}})
			if err != nil || l.Total != 1 {
				t.Fatalf("q=%s: %+v %v", q, l, err)
			}
		}
		// The brand page per enterprise; scope.
		l, err := w.admin.ListBrands(ctx, url.Values{"enterprise_id": {w.hengyi}})
		if err != nil || l.Total != 1 || l.Items[0].ID != b.ID {
			t.Fatalf("by enterprise %+v %v", l, err)
		}
		_, err = w.secXintai.GetBrand(ctx, b.ID)
		testenv.WantStatus(t, err, 404)
		_, err = w.parkWuli.UpdateBrand(ctx, b.ID, map[string]any{"name": "x"}, b.Version)
		testenv.WantStatus(t, err, 404)
		up, err := w.secHengyi.UpdateBrand(ctx, b.ID, map[string]any{"practices": []map[string]any{{"title": "红色车间"}}}, b.Version)
		if err != nil || len(up.Practices) != 1 || up.Version != 2 {
			t.Fatalf("update %+v %v", up, err)
		}
		_, err = w.secHengyi.UpdateBrand(ctx, b.ID, map[string]any{"name": "y"}, 1)
		testenv.WantStatus(t, err, 412)
		if err := w.secHengyi.DeleteBrand(ctx, b.ID, up.Version); err != nil {
			t.Fatal(err)
		}
		if n := w.srv.Count("brand_evaluations"); n != 0 {
			t.Fatalf("%d evaluations left", n)
		}
	})
}

func TestInnovations(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		cell := func(level, function string) int64 {
			t.Helper()
			m, err := w.admin.Matrix(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			return m.Cell(level, function).Innovations
		}
		it, err := w.secHengyi.LogInnovation(ctx, map[string]any{"organizer_id": w.branch, "title": "党建+人才以老带新",
			"practice": "老师傅结对新员工", "function": "development", "results": "培养技术骨干12名", "introduced_on": "2022-03-01",
			"tags": []string{"人才", "以老带新", "人才"}})
		if err != nil || it.Level != "enterprise" || it.ParkID == nil || *it.ParkID != w.andong.ID || !slices.Equal(it.Tags, []string{"人才", "以老带新"}) ||
			it.OrganizerName != "恒毅机械党支部" {
			t.Fatalf("logged %+v %v", it, err)
		}
		zone, err := w.admin.LogInnovation(ctx, map[string]any{"organizer_id": w.srv.ZoneID, "title": "圆周率工作机制", "function": "political",
			"introduced_on": "2022-01-10", "tags": []string{"机制"}})
		if err != nil || zone.Level != "zone" {
			t.Fatalf("zone %+v %v", zone, err)
		}
		if cell("enterprise", "development") != 1 || cell("zone", "political") != 1 {
			t.Fatal("the matrix does not count the log")
		}
		// Out of scope; bad input.
		_, err = w.secXintai.LogInnovation(ctx, map[string]any{"organizer_id": w.branch, "title": "越权", "function": "political", "introduced_on": "2022-01-01"})
		wantField(t, err, 422, "organizer_id", "unknown_value")
		_, err = w.admin.LogInnovation(ctx, map[string]any{"organizer_id": w.branch, "title": "x", "function": "political", "introduced_on": "2999-01-01"})
		wantField(t, err, 422, "introduced_on", "in_future")
		tags := make([]string, 11)
		for i := range tags {
			tags[i] = fmt.Sprint("t", i)
		}
		_, err = w.admin.LogInnovation(ctx, map[string]any{"organizer_id": w.branch, "title": "x", "function": "political", "introduced_on": "2022-01-01", "tags": tags})
		wantField(t, err, 422, "tags", "too_many")
		_, err = w.admin.LogInnovation(ctx, map[string]any{"organizer_id": w.branch, "title": "x", "function": "", "introduced_on": "2022-01-01"})
		wantField(t, err, 422, "function", "required")
		// Search in Chinese (two characters), pinyin and initials; tags and results match too.
		for q, want := range map[string]int{"人才": 1, "以老": 1, "rencai": 1, "djrc": 1, "骨干": 1, "圆周率": 1, "yzl": 1, "机制": 1, "创新": 0} {
			l, err := w.admin.ListInnovations(ctx, url.Values{"q": {q}})
			if err != nil || l.Total != want {
				t.Fatalf("q=%s: %d %v", q, l.Total, err)
			}
		}
		// The matrix drills down here with level, function, period and park.
		l, err := w.admin.ListInnovations(ctx, url.Values{"level": {"enterprise"}, "function": {"development"}, "from": {"2022-01-01"},
			"to": {"2023-01-01"}, "park_id": {w.andong.ID}})
		if err != nil || l.Total != 1 || l.Items[0].ID != it.ID {
			t.Fatalf("drill-down %+v %v", l, err)
		}
		l, _ = w.secXintai.ListInnovations(ctx, nil)
		if l.Total != 0 {
			t.Fatalf("other secretary sees %d", l.Total)
		}
		_, err = w.admin.ListInnovations(ctx, url.Values{"function": {"magic"}})
		testenv.WantStatus(t, err, 400)
		// The report, within scope.
		rep, err := w.admin.ReportInnovations(ctx, nil)
		if err != nil || rep.Total != 2 || len(rep.ByFunction) != 4 || rep.ByFunction[0].Key != "political" || rep.ByFunction[0].Count != 1 ||
			len(rep.ByTag) != 3 || len(rep.ByYear) != 1 || rep.ByYear[0].Key != "2022" || rep.ByYear[0].Count != 2 {
			t.Fatalf("report %+v %v", rep, err)
		}
		// The log as a file: the list's rows, labels in the caller's language.
		_, b := tabulartest.Download(t, w.admin, "/api/v1/innovations/export?format=csv&q=rencai")
		rows := tabulartest.ReadCSV(t, b)
		if len(rows) != 2 || rows[1][0] != "党建+人才以老带新" || rows[1][2] != "企业" || rows[1][3] != "推动发展" || rows[1][5] != "人才、以老带新" {
			t.Fatalf("innovations file %v", rows)
		}
		en := *w.admin
		en.Lang = "en"
		_, b = tabulartest.Download(t, &en, "/api/v1/innovations/export?format=csv")
		if rows := tabulartest.ReadCSV(t, b); len(rows) != 3 || rows[0][0] != "Title" || rows[1][3] != "Promoting development" {
			t.Fatalf("innovations file in English %v", rows)
		}
		_, b = tabulartest.Download(t, w.secXintai, "/api/v1/innovations/export?format=csv")
		if rows := tabulartest.ReadCSV(t, b); len(rows) != 1 {
			t.Fatalf("other secretary's file %v", rows)
		}
		rep, _ = w.secXintai.ReportInnovations(ctx, nil)
		if rep.Total != 0 {
			t.Fatalf("other secretary's report %+v", rep)
		}
		// A change of function moves the count; deleting takes it back.
		up, err := w.secHengyi.UpdateInnovation(ctx, it.ID, map[string]any{"function": "service"}, it.Version)
		if err != nil || up.Version != 2 {
			t.Fatalf("update %+v %v", up, err)
		}
		if cell("enterprise", "development") != 0 || cell("enterprise", "service") != 1 {
			t.Fatal("the count did not move")
		}
		testenv.WantStatus(t, w.secXintai.DeleteInnovation(ctx, it.ID, up.Version), 404)
		if err := w.secHengyi.DeleteInnovation(ctx, it.ID, up.Version); err != nil {
			t.Fatal(err)
		}
		if cell("enterprise", "service") != 0 || cell("zone", "political") != 1 {
			t.Fatal("deleting did not take the count back")
		}
		// An organiser with innovations in the log cannot be deleted (the
		// entry and its count would lose their place).
		lone := w.srv.Enterprise(w.andong.ID, "晋江示例创新企业")
		if _, err := w.admin.LogInnovation(ctx, map[string]any{"organizer_id": lone, "title": "共享车间", "function": "development",
			"introduced_on": "2022-05-01"}); err != nil {
			t.Fatal(err)
		}
		testenv.WantStatus(t, w.admin.DeleteEnterprise(ctx, lone, 1), 409)
	})
}

// TestConcurrentDues: many requests paying the same month at once record
// it once.
func TestConcurrentDues(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[int]int{}
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := w.admin.RecordDue(ctx, map[string]any{"person_id": w.memberA, "month": "2024-05", "base_fen": 300000})
				mu.Lock()
				codes[client.StatusOf(err)]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if n := w.srv.Count("party_dues"); n != 1 || codes[409] != 7 {
			t.Fatalf("%d dues, answers %v", n, codes)
		}
	})
}

// TestConcurrentBrandsAndStages: racing requests for one enterprise's
// brand, one year's evaluation and one development's next stage each
// succeed once; the others get 409 (or 412 for the stale version).
func TestConcurrentBrandsAndStages(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		race := func(n int, fn func() error) map[int]int {
			var wg sync.WaitGroup
			var mu sync.Mutex
			codes := map[int]int{}
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s := client.StatusOf(fn())
					mu.Lock()
					codes[s]++
					mu.Unlock()
				}()
			}
			wg.Wait()
			return codes
		}
		codes := race(6, func() error {
			_, err := w.admin.CreateBrand(ctx, map[string]any{"enterprise_id": w.haina, "name": "精工党建", "function": "development"})
			return err
		})
		if codes[0] != 1 || codes[409] != 5 || w.srv.Count("brands") != 1 {
			t.Fatalf("brand race %v", codes)
		}
		l, _ := w.admin.ListBrands(ctx, nil)
		codes = race(6, func() error {
			_, err := w.admin.EvaluateBrand(ctx, l.Items[0].ID, map[string]any{"year": 2024, "score": 90})
			return err
		})
		if codes[0] != 1 || codes[409] != 5 || w.srv.Count("brand_evaluations") != 1 {
			t.Fatalf("evaluation race %v", codes)
		}
		d, err := w.admin.StartDevelopment(ctx, map[string]any{"person_id": w.worker, "org_id": w.branch, "applied_on": "2022-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		codes = race(6, func() error {
			_, err := w.admin.Advance(ctx, d.ID, map[string]any{"stage": "activist", "reached_on": "2022-02-01"}, d.Version)
			return err
		})
		if codes[0] != 1 || codes[412]+codes[409] != 5 || w.srv.Count("party_development_stages") != 2 {
			t.Fatalf("stage race %v", codes)
		}
	})
}
