package careapi_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/matrix"
	"tongxin/internal/testenv"
)

var ctx = context.Background()

// world: two parks, an enterprise in each; the Andong enterprise's branch
// and its secretary; a park administrator of each park; workers.
type world struct {
	srv                *testenv.Server
	admin              *client.Client
	andong, wuli       string
	ent, wuliEnt       string
	branch             string
	parkAdmin, wuliAdm *client.Client
	secretary          *client.Client
	workers            []string // of ent
	outsider           string   // a worker of wuliEnt
}

func newWorld(t *testing.T, dsn string, n int) world {
	srv := testenv.Start(t, dsn)
	w := world{srv: srv, admin: srv.Admin(), andong: srv.Park("安东园", "andong").ID, wuli: srv.Park("五里园", "wuli").ID}
	w.ent, w.wuliEnt = srv.Enterprise(w.andong, "恒毅机械"), srv.Enterprise(w.wuli, "信泰")
	w.branch = srv.Org(srv.ZoneID, w.andong, "恒毅机械党支部", "branch", w.ent)
	w.parkAdmin = srv.User("andong-admin", access.ParkAdmin, w.andong)
	w.wuliAdm = srv.User("wuli-admin", access.ParkAdmin, w.wuli)
	w.secretary = srv.User("secretary", access.OrgSecretary, w.branch)
	for i := range n {
		w.workers = append(w.workers, srv.Person(srv.ZoneID, fmt.Sprintf("工人%03d", i), w.ent, "", ""))
	}
	w.outsider = srv.Person(srv.ZoneID, "信泰工人", w.wuliEnt, "", "")
	return w
}

// bound makes an account bound to person and signs it in.
func (w world) bound(t *testing.T, name, person string) *client.Client {
	t.Helper()
	if _, err := w.admin.CreateUser(ctx, map[string]string{"username": name, "password": testenv.UserPassword(name), "display_name": name,
		"person_id": person}); err != nil {
		t.Fatal(err)
	}
	return w.srv.SignIn(name)
}

// careItems is the matrix's care-items figure of a node and function today.
func (w world) careItems(t *testing.T, node, function string) int64 {
	t.Helper()
	var n int64
	if err := w.srv.DB.R.QueryRow(`SELECT COALESCE(SUM(care_items), 0) FROM matrix_facts WHERE node_id = $1 AND function = $2 AND grain = 'd'
		AND period = $3`, node, function, matrix.Day(time.Now())).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// fieldErr checks err is status with an error on field of code.
func fieldErr(t *testing.T, err error, status int, field, code string) {
	t.Helper()
	testenv.WantStatus(t, err, status)
	for _, e := range testenv.Problem(err).Errors {
		if e.Field == field && e.Code == code {
			return
		}
	}
	t.Fatalf("want %s %s, got %+v", field, code, testenv.Problem(err))
}

func TestMentoringPairsTeamsAndRDFigures(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn, 6)
		before := w.careItems(t, w.ent, "development")
		pair := map[string]any{"enterprise_id": w.ent, "mentor_id": w.workers[0], "mentee_id": w.workers[1], "goals": "三个月独立编程"}
		m, err := w.secretary.CreateMentorship(ctx, pair)
		if err != nil {
			t.Fatal(err)
		}
		if m.OrgID == nil || *m.OrgID != w.branch || m.Status != "active" || m.Function != "development" || m.MentorName != "工人000" {
			t.Fatalf("pair %+v", m)
		}
		if got := w.careItems(t, w.ent, "development"); got != before+1 {
			t.Fatalf("matrix care items %d → %d", before, got)
		}
		// Bad input: nothing changes.
		n := w.srv.Count("mentorships")
		_, err = w.parkAdmin.CreateMentorship(ctx, map[string]any{"enterprise_id": w.ent, "mentor_id": w.workers[2], "mentee_id": w.workers[2]})
		fieldErr(t, err, 422, "mentee_id", "same_person")
		_, err = w.parkAdmin.CreateMentorship(ctx, pair)
		testenv.WantStatus(t, err, 409)
		_, err = w.parkAdmin.CreateMentorship(ctx, map[string]any{"enterprise_id": w.ent, "mentor_id": w.workers[2], "mentee_id": w.outsider})
		fieldErr(t, err, 422, "mentee_id", "unknown_value")
		_, err = w.wuliAdm.CreateMentorship(ctx, map[string]any{"enterprise_id": w.ent, "mentor_id": w.workers[2], "mentee_id": w.workers[3]})
		fieldErr(t, err, 422, "enterprise_id", "unknown_value")
		_, err = w.secretary.ReviewMentorship(ctx, m.ID, map[string]any{"rating": 6})
		fieldErr(t, err, 422, "rating", "out_of_range")
		if w.srv.Count("mentorships") != n || w.srv.Count("mentorship_reviews") != 0 {
			t.Fatal("bad input changed the pairs")
		}
		if m, err = w.secretary.ReviewMentorship(ctx, m.ID, map[string]any{"rating": 5, "note": "进步快", "reviewed_on": "2026-10-01"}); err != nil || len(m.Reviews) != 1 {
			t.Fatalf("review: %+v %v", m, err)
		}
		if m, err = w.parkAdmin.UpdateMentorship(ctx, m.ID, map[string]any{"status": "completed"}, m.Version); err != nil || m.EndedOn == nil {
			t.Fatalf("complete: %+v %v", m, err)
		}
		// Scope: the other park sees nothing, the list hides it.
		_, err = w.wuliAdm.UpdateMentorship(ctx, m.ID, map[string]any{"goals": "x"}, 0)
		testenv.WantStatus(t, err, 404)
		if l, err := w.wuliAdm.ListMentorships(ctx, nil); err != nil || l.Total != 0 {
			t.Fatalf("other park lists %+v %v", l, err)
		}
		// Another enterprise's branch secretary neither sees nor changes it; a member of the enterprise reads it but may not change it.
		otherBranch := w.srv.Org(w.srv.ZoneID, w.wuli, "信泰党支部", "branch", w.wuliEnt)
		other := w.srv.User("other-secretary", access.OrgSecretary, otherBranch)
		_, err = other.ReviewMentorship(ctx, m.ID, map[string]any{"rating": 3})
		testenv.WantStatus(t, err, 404)
		member := w.srv.User("member-reader", access.Member, w.ent)
		if l, err := member.ListMentorships(ctx, nil); err != nil || l.Total != 1 {
			t.Fatalf("member lists %+v %v", l, err)
		}
		_, err = member.ReviewMentorship(ctx, m.ID, map[string]any{"rating": 3})
		testenv.WantStatus(t, err, 403)
		if l, err := w.secretary.ListMentorships(ctx, url.Values{"person_id": {w.workers[1]}}); err != nil || l.Total != 1 {
			t.Fatalf("secretary lists %+v %v", l, err)
		}

		team, err := w.secretary.CreateProjectTeam(ctx, map[string]any{"enterprise_id": w.ent, "kind": "tech", "name": "数控攻关小组", "goals": "国产化替代",
			"members":    []map[string]any{{"person_id": w.workers[0], "role": "leader"}, {"person_id": w.workers[4]}},
			"milestones": []map[string]any{{"title": "样机", "due_on": "2026-12-01"}}, "results": []map[string]any{{"title": "发明专利 1 项"}}})
		if err != nil || len(team.Members) != 2 || len(team.Milestones) != 1 || len(team.Results) != 1 {
			t.Fatalf("team %+v %v", team, err)
		}
		_, err = w.secretary.CreateProjectTeam(ctx, map[string]any{"enterprise_id": w.ent, "kind": "tech", "name": "数控攻关小组"})
		testenv.WantStatus(t, err, 409)
		_, err = w.secretary.CreateProjectTeam(ctx, map[string]any{"enterprise_id": w.ent, "kind": "task", "name": "x",
			"members": []map[string]any{{"person_id": w.outsider}}})
		fieldErr(t, err, 422, "kind", "unknown_value")
		_, err = w.secretary.CreateProjectTeam(ctx, map[string]any{"enterprise_id": w.ent, "kind": "project", "name": "外人小组",
			"members": []map[string]any{{"person_id": w.outsider}}})
		fieldErr(t, err, 422, "members.person_id", "unknown_value")
		done := "2026-11-20"
		team, err = w.secretary.UpdateProjectTeam(ctx, team.ID, map[string]any{"milestones": []map[string]any{{"title": "样机", "due_on": "2026-12-01",
			"done_on": done}}, "status": "completed"}, team.Version)
		if err != nil || team.Status != "completed" || team.Milestones[0].DoneOn == nil {
			t.Fatalf("team update %+v %v", team, err)
		}
		if got := w.careItems(t, w.ent, "development"); got != before+2 {
			t.Fatalf("matrix care items after the team: %d", got)
		}
		// The dashboard shows them in the enterprise level's cell, to the park and not to the other park.
		for c, want := range map[*client.Client]int64{w.parkAdmin: 2, w.wuliAdm: 0} {
			mx, err := c.Matrix(ctx, nil)
			if err != nil || mx.Cell("enterprise", "development").CareItems != want {
				t.Fatalf("dashboard care items %+v (want %d) %v", mx.Cell("enterprise", "development"), want, err)
			}
		}

		// R&D figures.
		p, err := w.parkAdmin.GetRDProfile(ctx, w.ent)
		if err != nil || p.RDStaff != 0 || p.Version != 0 || p.Mentorships != 0 || p.Teams != 1 {
			t.Fatalf("blank profile %+v %v", p, err)
		}
		_, err = w.parkAdmin.UpdateRDProfile(ctx, w.ent, map[string]any{"postdoc_approved_on": "2022-10-12"})
		fieldErr(t, err, 422, "postdoc_approved_on", "no_workstation")
		_, err = w.parkAdmin.UpdateRDProfile(ctx, w.ent, map[string]any{"rd_staff": -1})
		fieldErr(t, err, 422, "rd_staff", "out_of_range")
		if w.srv.Count("rd_profiles") != 0 {
			t.Fatal("bad figures were stored")
		}
		p, err = w.secretary.UpdateRDProfile(ctx, w.ent, map[string]any{"rd_staff": 312, "research_projects": 105, "postdoc_station": true,
			"postdoc_approved_on": "2022-10-12"})
		if err != nil || p.RDStaff != 312 || !p.PostdocStation || p.PostdocApprovedOn == nil || *p.PostdocApprovedOn != "2022-10-12" || p.Version != 1 {
			t.Fatalf("profile %+v %v", p, err)
		}
		_, err = w.wuliAdm.UpdateRDProfile(ctx, w.ent, map[string]any{"rd_staff": 1})
		testenv.WantStatus(t, err, 404)
		l, err := w.admin.ListRDProfiles(ctx, url.Values{"postdoc": {"true"}})
		if err != nil || l.Total != 1 || l.Items[0].EnterpriseID != w.ent {
			t.Fatalf("postdoc list %+v %v", l, err)
		}
	})
}

// aidWorld adds a fund of the Andong enterprise holding balance fen and
// two more administrators of the park (approvers).
func aidWorld(t *testing.T, w world, balance int64) (client.AidFund, *client.Client, *client.Client) {
	t.Helper()
	f, err := w.secretary.CreateAidFund(ctx, map[string]any{"enterprise_id": w.ent, "name": "职工互助基金"})
	if err != nil {
		t.Fatal(err)
	}
	if balance > 0 {
		if _, err := w.secretary.Contribute(ctx, f.ID, map[string]any{"amount_fen": balance, "memo": "企业注资", "booked_on": "2026-01-05"}); err != nil {
			t.Fatal(err)
		}
	}
	return f, w.srv.User("approver-a", access.ParkAdmin, w.andong), w.srv.User("approver-b", access.ParkAdmin, w.andong)
}

func TestMutualAidApprovalsLedgerAndStatements(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn, 3)
		f, a, b := aidWorld(t, w, 100000)
		worker := w.bound(t, "worker0", w.workers[0])
		if _, err := w.secretary.Contribute(ctx, f.ID, map[string]any{"amount_fen": 5000, "person_id": w.workers[1], "booked_on": "2026-02-01"}); err != nil {
			t.Fatal(err)
		}
		funds, err := worker.MyAidFunds(ctx)
		if err != nil || len(funds.Items) != 1 || funds.Items[0].BalanceFen != 105000 {
			t.Fatalf("my funds %+v %v", funds, err)
		}
		// The worker applies from the phone; a fund of another enterprise is refused.
		other, err := w.wuliAdm.CreateAidFund(ctx, map[string]any{"enterprise_id": w.wuliEnt, "name": "信泰互助基金"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = worker.ApplyForAidAsSelf(ctx, map[string]any{"fund_id": other.ID, "amount_fen": 1000, "reason": "x"})
		fieldErr(t, err, 422, "fund_id", "unknown_value")
		_, err = worker.ApplyForAidAsSelf(ctx, map[string]any{"fund_id": f.ID, "amount_fen": 0, "reason": "工伤"})
		fieldErr(t, err, 422, "amount_fen", "out_of_range")
		x, err := worker.ApplyForAidAsSelf(ctx, map[string]any{"fund_id": f.ID, "amount_fen": 80000, "reason": "工伤住院", "incident_on": "2026-03-02"})
		if err != nil || x.Status != "submitted" || x.PersonID != w.workers[0] {
			t.Fatalf("apply %+v %v", x, err)
		}
		// The workers' own account holds no aid.manage: the approval route refuses it.
		_, err = worker.ActOnAidApplication(ctx, x.ID, "approve")
		testenv.WantStatus(t, err, 403)
		// The applicant, also a park administrator, cannot approve their own application.
		if _, err := w.admin.Grant(ctx, w.srv.UserID("worker0"), access.ParkAdmin, w.andong); err != nil {
			t.Fatal(err)
		}
		_, err = w.srv.SignIn("worker0").ActOnAidApplication(ctx, x.ID, "approve")
		testenv.WantStatus(t, err, 403)
		// Disbursing before approval, and approving twice by the same person.
		_, err = a.ActOnAidApplication(ctx, x.ID, "disburse")
		testenv.WantStatus(t, err, 409)
		if x, err = a.ActOnAidApplication(ctx, x.ID, "approve"); err != nil || x.Status != "reviewed" {
			t.Fatalf("first approval %+v %v", x, err)
		}
		_, err = a.ActOnAidApplication(ctx, x.ID, "approve")
		testenv.WantStatus(t, err, 409)
		if got, _ := w.admin.GetAidApplication(ctx, x.ID); got.Status != "reviewed" || got.SecondBy != nil {
			t.Fatalf("same approver twice changed it: %+v", got)
		}
		before := w.careItems(t, w.ent, "service")
		if x, err = b.ActOnAidApplication(ctx, x.ID, "approve"); err != nil || x.Status != "approved" {
			t.Fatalf("second approval %+v %v", x, err)
		}
		if x, err = a.ActOnAidApplication(ctx, x.ID, "disburse"); err != nil || x.Status != "disbursed" || x.DisbursedAt == nil {
			t.Fatalf("disburse %+v %v", x, err)
		}
		if got := w.careItems(t, w.ent, "service"); got != before+1 {
			t.Fatalf("matrix: %d → %d", before, got)
		}
		_, err = a.ActOnAidApplication(ctx, x.ID, "disburse")
		testenv.WantStatus(t, err, 409)

		// More than the fund holds: refused, nothing changes.
		big, err := w.secretary.ApplyForAid(ctx, map[string]any{"fund_id": f.ID, "person_id": w.workers[2], "amount_fen": 30000, "reason": "重病"})
		if err != nil {
			t.Fatal(err)
		}
		a.ActOnAidApplication(ctx, big.ID, "approve")
		b.ActOnAidApplication(ctx, big.ID, "approve")
		entries := w.srv.Count("aid_entries")
		_, err = a.ActOnAidApplication(ctx, big.ID, "disburse")
		testenv.WantStatus(t, err, 409)
		if !strings.Contains(testenv.Problem(err).Detail, "250.00") {
			t.Fatalf("detail %q", testenv.Problem(err).Detail)
		}
		if got, _ := w.admin.GetAidApplication(ctx, big.ID); got.Status != "approved" || w.srv.Count("aid_entries") != entries {
			t.Fatal("a refused disbursement changed something")
		}
		// Reject and the workflow ends.
		small, _ := w.secretary.ApplyForAid(ctx, map[string]any{"fund_id": f.ID, "person_id": w.workers[2], "amount_fen": 100, "reason": "x"})
		if small, err = a.ActOnAidApplication(ctx, small.ID, "reject"); err != nil || small.Status != "rejected" {
			t.Fatalf("reject %+v %v", small, err)
		}

		st, err := w.parkAdmin.AidStatement(ctx, f.ID, nil)
		if err != nil || !st.Balanced || st.ContributedFen != 105000 || st.DisbursedFen != 80000 || st.ClosingFen != 25000 || len(st.Entries) != 3 ||
			st.Entries[2].BalanceFen != 25000 || st.Fund.BalanceFen != 25000 {
			t.Fatalf("statement %+v %v", st, err)
		}
		st, err = w.parkAdmin.AidStatement(ctx, f.ID, url.Values{"from": {"2026-02-01"}, "to": {"2026-02-28"}})
		if err != nil || st.OpeningFen != 100000 || len(st.Entries) != 1 || st.ClosingFen != 105000 {
			t.Fatalf("February %+v %v", st, err)
		}
		st, err = w.parkAdmin.AidStatement(ctx, f.ID, url.Values{"person_id": {w.workers[0]}})
		if err != nil || len(st.Entries) != 1 || st.DisbursedFen != 80000 || st.ContributedFen != 0 {
			t.Fatalf("per person %+v %v", st, err)
		}
		_, err = w.parkAdmin.AidStatement(ctx, f.ID, url.Values{"from": {"2026-03-01"}, "to": {"2026-02-01"}})
		fieldErr(t, err, 422, "to", "before_from")
		own, err := worker.MyAidStatement(ctx)
		if err != nil || own.ReceivedFen != 80000 || own.ContributedFen != 0 || len(own.Entries) != 1 || own.Entries[0].BalanceFen != 25000 {
			t.Fatalf("own statement %+v %v", own, err)
		}
		if own, err := w.bound(t, "worker1", w.workers[1]).MyAidStatement(ctx); err != nil || own.ContributedFen != 5000 || len(own.Entries) != 1 ||
			own.Entries[0].BalanceFen != 105000 {
			t.Fatalf("contributor's statement %+v %v", own, err)
		}
		mine, err := worker.MyAidApplications(ctx)
		if err != nil || len(mine.Items) != 1 || mine.Items[0].Status != "disbursed" {
			t.Fatalf("mine %+v %v", mine, err)
		}

		// The export holds the same rows.
		resp, body, err := w.parkAdmin.Send(ctx, "GET", "/api/v1/aid-funds/"+f.ID+"/statement/export?format=xlsx", "", nil, nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("export %v", err)
		}
		x2, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x2.GetRows("Sheet1")
		if len(rows) != 6 || rows[0][6] != "余额（元）" || rows[4][5] != "800.00" || rows[5][6] != "250.00" {
			t.Fatalf("export rows %q", rows)
		}

		// Scope: the other park, and an auditor of it, see nothing; a member of the enterprise holds no aid.read.
		_, err = w.wuliAdm.AidStatement(ctx, f.ID, nil)
		testenv.WantStatus(t, err, 404)
		_, err = w.wuliAdm.ActOnAidApplication(ctx, big.ID, "approve")
		testenv.WantStatus(t, err, 404)
		if l, err := w.wuliAdm.ListAidApplications(ctx, nil); err != nil || l.Total != 0 {
			t.Fatalf("other park lists %+v %v", l, err)
		}
		member := w.srv.User("member", access.Member, w.ent)
		_, err = member.ListAidFunds(ctx, nil)
		testenv.WantStatus(t, err, 403)
		auditor := w.srv.User("auditor", access.Auditor, w.andong)
		if l, err := auditor.ListAidApplications(ctx, nil); err != nil || l.Total != 3 {
			t.Fatalf("auditor lists %+v %v", l, err)
		}
		_, err = auditor.ActOnAidApplication(ctx, big.ID, "reject")
		testenv.WantStatus(t, err, 403)
	})
}

// Disbursements racing for one fund never take it below zero, and
// concurrent approvals of one application let exactly one through.
func TestMutualAidRaces(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		const n, each, room = 12, 10000, 5 // the fund holds 5 of 12 disbursements
		w := newWorld(t, dsn, n)
		f, a, b := aidWorld(t, w, each*room)
		var apps []string
		for i := range n {
			x, err := w.secretary.ApplyForAid(ctx, map[string]any{"fund_id": f.ID, "person_id": w.workers[i], "amount_fen": each, "reason": "工伤"})
			if err != nil {
				t.Fatal(err)
			}
			apps = append(apps, x.ID)
		}
		// On every application the same approver twice and another at once:
		// exactly two approvals pass, by two different people.
		var mu sync.Mutex
		wins := map[string]int{}
		var wg sync.WaitGroup
		for _, id := range apps {
			for _, c := range []*client.Client{a, a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := c.ActOnAidApplication(ctx, id, "approve")
					if err == nil {
						mu.Lock()
						wins[id]++
						mu.Unlock()
					} else if s := client.StatusOf(err); s != 409 {
						t.Errorf("racing approval: %v", err)
					}
				}()
			}
		}
		wg.Wait()
		for _, id := range apps {
			x, err := w.admin.GetAidApplication(ctx, id)
			if err != nil || wins[id] != 2 || x.Status != "approved" || x.FirstBy == nil || x.SecondBy == nil || *x.FirstBy == *x.SecondBy {
				t.Fatalf("application %s: %d approvals passed, now %+v (%v)", id, wins[id], x, err)
			}
		}
		// Everyone disburses at once, from both approvers' sessions.
		var ok, refused int
		for i, id := range apps {
			c := []*client.Client{a, b, w.secretary}[i%3]
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.ActOnAidApplication(ctx, id, "disburse")
				mu.Lock()
				defer mu.Unlock()
				switch client.StatusOf(err) {
				case 0:
					ok++
				case 409:
					refused++
				default:
					t.Errorf("racing disbursement: %v", err)
				}
			}()
		}
		wg.Wait()
		if ok != room || refused != n-room {
			t.Fatalf("%d disbursed, %d refused; want %d and %d", ok, refused, room, n-room)
		}
		st, err := w.admin.AidStatement(ctx, f.ID, nil)
		if err != nil || !st.Balanced || st.Fund.BalanceFen != 0 || st.DisbursedFen != each*room || len(st.Entries) != room+1 {
			t.Fatalf("after the race %+v %v", st, err)
		}
		for _, e := range st.Entries {
			if e.BalanceFen < 0 {
				t.Fatalf("the running balance went negative: %+v", st.Entries)
			}
		}
		if got := w.srv.Count("aid_applications", "status = 'disbursed'"); got != room {
			t.Fatalf("%d applications disbursed", got)
		}
	})
}

func classBody(w world, capacity int, more map[string]any) map[string]any {
	b := map[string]any{"enterprise_id": w.ent, "title": "职工子女暑托班", "place": "恒毅机械职工之家", "starts_on": "2026-07-06", "ends_on": "2026-08-14",
		"capacity": capacity, "min_age": 6, "max_age": 12, "sessions": []map[string]any{{"held_on": "2026-07-06", "topic": "开班"}, {"held_on": "2026-07-07", "topic": "书法"}}}
	for k, v := range more {
		b[k] = v
	}
	return b
}

func TestChildcareEnrolmentWaitlistAndAttendance(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn, 4)
		before := w.careItems(t, w.ent, "service")
		_, err := w.secretary.CreateChildcareClass(ctx, classBody(w, 2, map[string]any{"sessions": []map[string]any{{"held_on": "2026-09-01"}}}))
		fieldErr(t, err, 422, "sessions.held_on", "outside_class")
		_, err = w.secretary.CreateChildcareClass(ctx, classBody(w, 0, nil))
		fieldErr(t, err, 422, "capacity", "out_of_range")
		c, err := w.secretary.CreateChildcareClass(ctx, classBody(w, 2, nil))
		if err != nil || c.Status != "open" || len(c.Sessions) != 2 {
			t.Fatalf("class %+v %v", c, err)
		}
		if got := w.careItems(t, w.ent, "service"); got != before+1 {
			t.Fatalf("matrix %d → %d", before, got)
		}
		// Workers enrol from the phone; staff enrol for a worker.
		p0, p1 := w.bound(t, "parent0", w.workers[0]), w.bound(t, "parent1", w.workers[1])
		e1, err := p0.EnrolMyChild(ctx, c.ID, map[string]any{"child_name": "小明", "child_age": 8})
		if err != nil || e1.Status != "registered" {
			t.Fatalf("enrol %+v %v", e1, err)
		}
		_, err = p0.EnrolMyChild(ctx, c.ID, map[string]any{"child_name": "小明", "child_age": 8})
		testenv.WantStatus(t, err, 409)
		_, err = p0.EnrolMyChild(ctx, c.ID, map[string]any{"child_name": "小宝", "child_age": 3})
		fieldErr(t, err, 422, "child_age", "out_of_range")
		e2, _ := w.secretary.EnrolChild(ctx, c.ID, map[string]any{"person_id": w.workers[2], "child_name": "小红", "child_age": 9})
		e3, err := p1.EnrolMyChild(ctx, c.ID, map[string]any{"child_name": "小刚", "child_age": 10})
		if err != nil || e3.Status != "waitlisted" || e3.Position == nil || *e3.Position != 1 {
			t.Fatalf("waitlisted %+v %v", e3, err)
		}
		_, err = w.secretary.EnrolChild(ctx, c.ID, map[string]any{"person_id": w.outsider, "child_name": "外人", "child_age": 9})
		fieldErr(t, err, 422, "person_id", "unknown_value")
		// Another enterprise's worker cannot see or enrol in the class.
		out := w.bound(t, "outsider", w.outsider)
		_, err = out.EnrolMyChild(ctx, c.ID, map[string]any{"child_name": "小外", "child_age": 9})
		testenv.WantStatus(t, err, 404)
		if mine, err := out.MyChildcareClasses(ctx); err != nil || len(mine.Items) != 0 {
			t.Fatalf("outsider sees %+v %v", mine, err)
		}
		// A worker cannot withdraw another's child; withdrawing promotes the waitlist.
		err = p1.WithdrawMyChild(ctx, c.ID, e1.ID)
		testenv.WantStatus(t, err, 404)
		if err := p0.WithdrawMyChild(ctx, c.ID, e1.ID); err != nil {
			t.Fatal(err)
		}
		mine, err := p1.MyChildcareClasses(ctx)
		if err != nil || len(mine.Items) != 1 || len(mine.Items[0].Enrolments) != 1 || mine.Items[0].Enrolments[0].Status != "registered" {
			t.Fatalf("promoted? %+v %v", mine, err)
		}
		// Attendance: registered children only; a child who attended stays.
		_, err = w.secretary.MarkChildcareAttendance(ctx, c.ID, map[string]any{"session_id": c.Sessions[0].ID, "enrolment_ids": []string{e2.ID, "nobody"}})
		fieldErr(t, err, 422, "enrolment_ids", "unknown_value")
		c2, err := w.secretary.MarkChildcareAttendance(ctx, c.ID, map[string]any{"session_id": c.Sessions[0].ID, "enrolment_ids": []string{e2.ID, e3.ID}})
		if err != nil || c2.Sessions[0].Attended != 2 {
			t.Fatalf("attendance %+v %v", c2, err)
		}
		err = w.secretary.WithdrawChild(ctx, c.ID, e2.ID)
		testenv.WantStatus(t, err, 409)
		l, err := w.secretary.ListEnrolments(ctx, c.ID, nil)
		if err != nil || l.Total != 2 || len(l.Items[0].Attended) != 1 {
			t.Fatalf("roster %+v %v", l, err)
		}
		// Closed: no enrolment; the other park sees nothing.
		if c, err = w.secretary.ActOnChildcareClass(ctx, c.ID, "close"); err != nil || c.Status != "closed" {
			t.Fatal(err)
		}
		_, err = p0.EnrolMyChild(ctx, c.ID, map[string]any{"child_name": "小明", "child_age": 8})
		testenv.WantStatus(t, err, 409)
		_, err = w.wuliAdm.GetChildcareClass(ctx, c.ID)
		testenv.WantStatus(t, err, 404)
		_, err = w.wuliAdm.EnrolChild(ctx, c.ID, map[string]any{"person_id": w.workers[3], "child_name": "x", "child_age": 9})
		testenv.WantStatus(t, err, 404)
		if c, err = w.secretary.ActOnChildcareClass(ctx, c.ID, "cancel"); err != nil || c.Status != "cancelled" {
			t.Fatal(err)
		}
		if got := w.careItems(t, w.ent, "service"); got != before {
			t.Fatalf("a cancelled class still counts: %d", got)
		}
	})
}

// Enrolments racing for the last places: never more registered than
// capacity, the rest waitlisted in order.
func TestChildcareCapacityRace(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		const n, capacity = 16, 5
		w := newWorld(t, dsn, n)
		c, err := w.secretary.CreateChildcareClass(ctx, classBody(w, capacity, nil))
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := w.secretary.EnrolChild(ctx, c.ID, map[string]any{"person_id": w.workers[i], "child_name": "孩子", "child_age": 7}); err != nil {
					t.Errorf("enrol: %v", err)
				}
			}()
		}
		wg.Wait()
		c, err = w.secretary.GetChildcareClass(ctx, c.ID)
		if err != nil || c.Registered != capacity || c.Waitlisted != n-capacity {
			t.Fatalf("after the race %+v %v", c, err)
		}
		l, _ := w.secretary.ListEnrolments(ctx, c.ID, url.Values{"status": {"waitlisted"}})
		for i, x := range l.Items {
			if x.Position == nil || *x.Position != i+1 {
				t.Fatalf("waitlist order %+v", l.Items)
			}
		}
		// A larger capacity promotes the first waitlisted at once.
		if c, err = w.secretary.UpdateChildcareClass(ctx, c.ID, map[string]any{"capacity": capacity + 2}, c.Version); err != nil ||
			c.Registered != capacity+2 {
			t.Fatalf("grow %+v %v", c, err)
		}
	})
}
