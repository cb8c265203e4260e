package mediationapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/mediation"
	"tongxin/internal/testenv"
)

var ctx = context.Background()

type party struct {
	ID       string  `json:"id"`
	Side     string  `json:"side"`
	Role     string  `json:"role"`
	Name     string  `json:"name"`
	PersonID *string `json:"person_id"`
}

type check struct {
	ID        string `json:"id"`
	Clear     bool   `json:"clear"`
	Conflicts []struct {
		Kind   string `json:"kind"`
		Detail string `json:"detail"`
	} `json:"conflicts"`
	Override *struct {
		ApprovedBy *string `json:"approved_by"`
	} `json:"override"`
}

type mcase struct {
	ID             string   `json:"id"`
	Status         string   `json:"status"`
	Outcome        string   `json:"outcome"`
	AllowedActions []string `json:"allowed_actions"`
	MediatorID     *string  `json:"mediator_id"`
	Access         string   `json:"access"`
	Side           string   `json:"side"`
	Parties        []party  `json:"parties"`
	Clock          struct {
		Day              int        `json:"day"`
		Eligible         bool       `json:"eligible_for_arbitration"`
		ArbitrationDueAt *time.Time `json:"arbitration_due_at"`
		Extended         bool       `json:"arbitration_extended"`
		DaysLeft         *int       `json:"arbitration_days_left"`
		Overdue          bool       `json:"arbitration_overdue"`
	} `json:"clock"`
	Timeline []struct {
		Action string `json:"action"`
		Status string `json:"status"`
	} `json:"timeline"`
	Notes []struct {
		Visibility string `json:"visibility"`
		Text       string `json:"text"`
	} `json:"notes"`
	ConflictChecks []check `json:"conflict_checks"`
	Agreement      *struct {
		AmountFen   int64 `json:"amount_fen"`
		PaidFen     int64 `json:"paid_fen"`
		FullySigned bool  `json:"fully_signed"`
	} `json:"agreement"`
}

func (c mcase) party(role string) party {
	for _, p := range c.Parties {
		if p.Role == role {
			return p
		}
	}
	panic("no " + role)
}

// world: 五里园 with 信泰 (the respondent) and 红晟 (another employer), 安东园
// beside it; a worker of 信泰 with an account, the employer's
// representative with one, a lawyer; legal-service staff, mediators and
// every other role.
type world struct {
	srv                              *testenv.Server
	admin                            *client.Client
	wuli, andong                     client.Park
	xintai, hongsheng, haina         string
	branch                           string // a branch covering 信泰
	worker, rep, lawyer, other       string // people
	workerC, repC, lawyerC, otherC   *client.Client
	staff, staff2, med, med2, medA   *client.Client
	medID, med2ID, medAID, staffID   string
	zoneAdmin, parkAdmin, auditor    *client.Client
	staffA, secretary, partner, memb *client.Client
	room, room2                      string
}

func newWorld(t *testing.T, dsn string) *world {
	srv := testenv.Start(t, dsn)
	w := &world{srv: srv, admin: srv.Admin(), wuli: srv.Park("五里园", "wuli"), andong: srv.Park("安东园", "andong")}
	w.xintai = srv.Enterprise(w.wuli.ID, "信泰集团")
	w.hongsheng = srv.Enterprise(w.wuli.ID, "红晟鞋业")
	w.haina = srv.Enterprise(w.andong.ID, "海纳机械")
	w.branch = srv.Org(w.wuli.ID, w.wuli.ID, "信泰集团党支部", "branch", w.xintai)
	w.worker = srv.Person(srv.ZoneID, "陈建明", w.xintai, "", "")
	w.rep = srv.Person(srv.ZoneID, "王海燕", w.xintai, "", "")
	w.lawyer = srv.Person(srv.ZoneID, "林志远", "", "", "")
	w.other = srv.Person(srv.ZoneID, "黄小平", w.hongsheng, "", "")
	bind := func(name, person string) *client.Client {
		if _, err := w.admin.CreateUser(ctx, map[string]any{"username": name, "password": testenv.UserPassword(name), "display_name": name, "person_id": person}); err != nil {
			t.Fatal(err)
		}
		return srv.SignIn(name)
	}
	w.workerC, w.repC, w.lawyerC, w.otherC = bind("worker", w.worker), bind("rep", w.rep), bind("lawyer", w.lawyer), bind("other-worker", w.other)
	w.staff = srv.User("legal-staff", access.ServiceStaff, w.wuli.ID)
	w.staff2 = srv.User("legal-staff2", access.ServiceStaff, w.wuli.ID)
	w.staffA = srv.User("legal-staff-andong", access.ServiceStaff, w.andong.ID)
	w.med = srv.User("mediator", access.Mediator, w.wuli.ID)
	w.med2 = srv.User("mediator2", access.Mediator, w.wuli.ID)
	w.medA = srv.User("mediator-andong", access.Mediator, w.andong.ID)
	w.medID, w.med2ID, w.medAID, w.staffID = srv.UserID("mediator"), srv.UserID("mediator2"), srv.UserID("mediator-andong"), srv.UserID("legal-staff")
	w.zoneAdmin = srv.User("zone-admin", access.ZoneAdmin, srv.ZoneID)
	w.parkAdmin = srv.User("park-admin", access.ParkAdmin, w.wuli.ID)
	w.auditor = srv.User("auditor", access.Auditor, srv.ZoneID)
	w.secretary = srv.User("secretary", access.OrgSecretary, w.branch)
	w.partner = srv.User("partner", access.Partner, w.xintai)
	w.memb = srv.User("member", access.Member, w.wuli.ID)
	w.room = w.newRoom(t, w.wuli.ID, "第一调解室")
	w.room2 = w.newRoom(t, w.wuli.ID, "第二调解室")
	return w
}

func (w *world) newRoom(t *testing.T, park, name string) string {
	t.Helper()
	var r struct {
		ID string `json:"id"`
	}
	if err := w.staff.Call(ctx, "POST", "/api/v1/mediation-rooms", map[string]any{"park_id": park, "name": name}, &r); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func (w *world) body(extra map[string]any) map[string]any {
	b := map[string]any{"type": "work_injury", "summary": "工伤待遇争议：停工留薪期工资和一次性伤残补助金", "claim_fen": 8_600_000,
		"applicant_id": w.worker, "respondent_id": w.xintai, "respondent_person_id": w.rep,
		"agents": []map[string]any{{"side": "applicant", "name": "林志远", "person_id": w.lawyer}}}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

func (w *world) open(t *testing.T, extra map[string]any) mcase {
	t.Helper()
	var c mcase
	if err := w.staff.Call(ctx, "POST", "/api/v1/mediation-cases", w.body(extra), &c); err != nil {
		t.Fatalf("open: %v", err)
	}
	return c
}

func act(c *client.Client, id, action, note string) (mcase, error) {
	var out mcase
	err := c.Call(ctx, "POST", "/api/v1/mediation-cases/"+id+"/actions", map[string]any{"action": action, "note": note}, &out)
	return out, err
}

func mustCase(t *testing.T) func(mcase, error) mcase {
	return func(c mcase, err error) mcase {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func get(c *client.Client, id string) (mcase, error) {
	var out mcase
	err := c.Call(ctx, "GET", "/api/v1/mediation-cases/"+id, nil, &out)
	return out, err
}

func (w *world) hearing(c *client.Client, id string, start time.Time, hours int, room string, parties ...string) error {
	return c.Call(ctx, "POST", "/api/v1/mediation-cases/"+id+"/hearings", map[string]any{"starts_at": start, "ends_at": start.Add(time.Duration(hours) * time.Hour),
		"room_id": room, "party_ids": parties}, nil)
}

func allParties(c mcase) []string {
	var ids []string
	for _, p := range c.Parties {
		ids = append(ids, p.ID)
	}
	return ids
}

// settle runs a case from intake to settled: accept, assign, hearing,
// start, agreement, signatures, settle.
func (w *world) settle(t *testing.T, c mcase, at time.Time) mcase {
	t.Helper()
	mustCase(t)(act(w.staff, c.ID, "accept", ""))
	var out mcase
	if err := w.staff.Call(ctx, "POST", "/api/v1/mediation-cases/"+c.ID+"/assignment", map[string]any{"mediator_id": w.medID, "role": "arbitrator"}, &out); err != nil {
		t.Fatal(err)
	}
	if err := w.hearing(w.med, c.ID, at, 2, w.room, allParties(c)...); err != nil {
		t.Fatal(err)
	}
	mustCase(t)(act(w.med, c.ID, "start", ""))
	if err := w.med.Call(ctx, "POST", "/api/v1/mediation-cases/"+c.ID+"/agreement", map[string]any{"terms": "一、被申请人支付申请人停工留薪期工资及一次性伤残补助金。\n二、双方就本次工伤再无其他争议。",
		"amount_fen": 6_800_000, "pay_by": "2099-12-31"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{"applicant", "respondent"} {
		if err := w.med.Call(ctx, "POST", "/api/v1/mediation-cases/"+c.ID+"/signatures", map[string]any{"party_id": c.party(role).ID}, &out); err != nil {
			t.Fatal(err)
		}
	}
	return mustCase(t)(act(w.med, c.ID, "settle", ""))
}

func TestCaseFlow(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		c := w.open(t, nil)
		if c.Status != mediation.Intake || len(c.Parties) != 3 || c.Access != "staff" {
			t.Fatalf("opened: %+v", c)
		}
		at := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
		c = w.settle(t, c, at)
		if c.Status != mediation.Settled || c.Outcome != "settled" || !c.Agreement.FullySigned {
			t.Fatalf("settled: %+v", c)
		}
		// The printable agreement: Chinese, with the amount in capitals.
		status, hdr, doc := testenv.Raw(t, w.workerC, "GET", "/api/v1/mediation-cases/"+c.ID+"/agreement/document", "", nil)
		if status != 200 || !strings.Contains(hdr.Get("Content-Type"), "text/html") {
			t.Fatalf("document: %d %s", status, hdr.Get("Content-Type"))
		}
		for _, want := range []string{"劳动争议调解协议书", "陈建明", "信泰集团", "林志远", "68000.00", "陆万捌仟元整", "2099年12月31日", "仲裁员", "size: A4", "已签"} {
			if !strings.Contains(doc, want) {
				t.Errorf("the agreement lacks %q", want)
			}
		}
		// Payments: not more than agreed, never negative.
		pay := func(fen int64) error {
			return w.med.Call(ctx, "POST", "/api/v1/mediation-cases/"+c.ID+"/payments", map[string]any{"amount_fen": fen, "paid_on": "2024-06-20"}, nil)
		}
		if err := pay(5_000_000); err != nil {
			t.Fatal(err)
		}
		testenv.WantStatus(t, pay(1_800_001), 422)
		testenv.WantStatus(t, pay(-1), 422)
		testenv.WantStatus(t, pay(0), 422)
		if err := pay(1_800_000); err != nil {
			t.Fatal(err)
		}
		testenv.WantStatus(t, pay(1), 422)
		// Closing counts cases_closed in the matrix, in the same transaction.
		before := w.srv.Count("matrix_facts", "cases_closed > 0 AND grain = 'd'")
		c = mustCase(t)(act(w.med, c.ID, "close", ""))
		if c.Status != mediation.Closed || w.srv.Count("matrix_facts", "cases_closed > 0 AND grain = 'd'") != before+1 {
			t.Fatalf("closed: %s, facts %d", c.Status, w.srv.Count("matrix_facts", "cases_closed > 0"))
		}
		var fig struct {
			Closed      int      `json:"closed"`
			Settled     int      `json:"settled"`
			SuccessRate *float64 `json:"success_rate"`
			Median      *float64 `json:"median_days_to_close"`
			ByType      []struct {
				Key   string `json:"key"`
				Count int    `json:"count"`
			} `json:"by_type"`
		}
		if err := w.zoneAdmin.Call(ctx, "GET", "/api/v1/mediation-figures", nil, &fig); err != nil {
			t.Fatal(err)
		}
		if fig.Closed != 1 || fig.Settled != 1 || fig.SuccessRate == nil || *fig.SuccessRate != 1 || fig.Median == nil || fig.ByType[0].Key != "work_injury" {
			t.Fatalf("figures: %+v", fig)
		}
		// Every change is on the timeline.
		var acts []string
		for _, e := range c.Timeline {
			acts = append(acts, e.Action)
		}
		for _, want := range []string{"open", "accept", "conflict_check", "assign", "schedule", "start", "agreement_drafted", "sign", "settle", "payment", "close"} {
			if !slices.Contains(acts, want) {
				t.Errorf("timeline %v lacks %s", acts, want)
			}
		}
		// The invitation.
		var cal struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		if err := w.med.Call(ctx, "GET", "/api/v1/mediation-hearings?from="+url.QueryEscape(at.Add(-time.Hour).Format(time.RFC3339))+"&to="+url.QueryEscape(at.Add(time.Hour).Format(time.RFC3339)), nil, &cal); err != nil || len(cal.Items) != 1 {
			t.Fatalf("calendar: %v %+v", err, cal)
		}
		status, hdr, ics := testenv.Raw(t, w.lawyerC, "GET", "/api/v1/mediation-hearings/"+cal.Items[0].ID+"/invitation", "", nil)
		if status != 200 || !strings.Contains(hdr.Get("Content-Type"), "text/calendar") || !strings.Contains(ics, "METHOD:REQUEST") ||
			!strings.Contains(ics, "DTSTART:"+at.UTC().Format("20060102T150405Z")) || !strings.Contains(ics, "第一调解室") {
			t.Fatalf("invitation %d:\n%s", status, ics)
		}
		if status, _, _ := testenv.Raw(t, w.otherC, "GET", "/api/v1/mediation-hearings/"+cal.Items[0].ID+"/invitation", "", nil); status != 404 {
			t.Fatalf("a stranger's invitation: %d", status)
		}
	})
}

// Every (state, action) pair: allowed ones move to the table's state,
// the rest are 409 and change nothing.
func TestTransitionTable(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		// A case in each state, reached through the API.
		reach := map[string]func(t *testing.T) mcase{}
		var slot int
		base := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
		next := func() time.Time { slot++; return base.Add(time.Duration(slot*3) * time.Hour) }
		reach[mediation.Intake] = func(t *testing.T) mcase { return w.open(t, nil) }
		reach[mediation.Accepted] = func(t *testing.T) mcase {
			c := w.open(t, nil)
			mustCase(t)(act(w.staff, c.ID, "accept", ""))
			return mustCase(t)(w.assign(c.ID, w.medID))
		}
		reach[mediation.Scheduled] = func(t *testing.T) mcase {
			c := reach[mediation.Accepted](t)
			if err := w.hearing(w.med, c.ID, next(), 1, w.room, allParties(c)...); err != nil {
				t.Fatal(err)
			}
			return mustCase(t)(get(w.med, c.ID))
		}
		reach[mediation.InMediation] = func(t *testing.T) mcase {
			c := reach[mediation.Scheduled](t)
			return mustCase(t)(act(w.med, c.ID, "start", ""))
		}
		reach[mediation.Settled] = func(t *testing.T) mcase { return w.settle(t, w.open(t, nil), next()) }
		reach[mediation.Failed] = func(t *testing.T) mcase {
			return mustCase(t)(act(w.med, reach[mediation.InMediation](t).ID, "fail", "双方分歧过大"))
		}
		reach[mediation.Referred] = func(t *testing.T) mcase {
			return mustCase(t)(act(w.med, reach[mediation.Failed](t).ID, "refer", ""))
		}
		reach[mediation.Closed] = func(t *testing.T) mcase {
			return mustCase(t)(act(w.med, reach[mediation.Failed](t).ID, "close", ""))
		}
		reach[mediation.Withdrawn] = func(t *testing.T) mcase {
			return mustCase(t)(act(w.workerC, w.open(t, nil).ID, "withdraw", "已与单位私下和解"))
		}
		for _, state := range mediation.States {
			for _, action := range mediation.Actions {
				t.Run(state+"/"+action, func(t *testing.T) {
					c := reach[state](t)
					if c.Status != state {
						t.Fatalf("reached %s, want %s", c.Status, state)
					}
					var err error
					var out mcase
					switch action {
					case "schedule":
						err = w.hearing(w.staff, c.ID, next(), 1, w.room, allParties(c)...)
						out, _ = get(w.staff, c.ID)
					case "settle":
						if state == mediation.InMediation {
							noErr(t, w.med.Call(ctx, "POST", "/api/v1/mediation-cases/"+c.ID+"/agreement", map[string]any{"terms": "支付工资", "amount_fen": 100}, nil))
							for _, role := range []string{"applicant", "respondent"} {
								noErr(t, w.med.Call(ctx, "POST", "/api/v1/mediation-cases/"+c.ID+"/signatures", map[string]any{"party_id": c.party(role).ID}, nil))
							}
						}
						out, err = act(w.staff, c.ID, action, "")
					default:
						out, err = act(w.staff, c.ID, action, "理由")
					}
					step, allowed := mediation.Workflow[state][action]
					// refer before failure needs the 15 days (the clock test
					// covers it): refused here.
					if action == "refer" && state != mediation.Failed {
						allowed = false
					}
					if !allowed {
						testenv.WantStatus(t, err, 409)
						if now := mustCase(t)(get(w.staff, c.ID)); now.Status != state {
							t.Fatalf("refused but moved to %s", now.Status)
						}
						return
					}
					if err != nil {
						t.Fatalf("%s from %s: %v", action, state, err)
					}
					if out.Status != step.Next {
						t.Fatalf("%s from %s → %s, want %s", action, state, out.Status, step.Next)
					}
				})
			}
		}
	})
}

func (w *world) assign(id, mediator string) (mcase, error) {
	var out mcase
	err := w.staff.Call(ctx, "POST", "/api/v1/mediation-cases/"+id+"/assignment", map[string]any{"mediator_id": mediator}, &out)
	return out, err
}

func TestConflictCheck(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		mk := func(name, person string) string {
			if _, err := w.admin.CreateUser(ctx, map[string]any{"username": name, "password": testenv.UserPassword(name), "display_name": name, "person_id": person}); err != nil {
				t.Fatal(err)
			}
			id := w.srv.UserID(name)
			if _, err := w.admin.Grant(ctx, id, access.Mediator, w.wuli.ID); err != nil {
				t.Fatal(err)
			}
			return id
		}
		colleague := mk("med-colleague", w.srv.Person(w.srv.ZoneID, "同事调解员", w.xintai, "", ""))
		member := mk("med-member", w.srv.Person(w.srv.ZoneID, "支部党员", "", w.branch, "full"))
		agentPerson := w.srv.Person(w.srv.ZoneID, "另一律师", "", "", "")
		lawyerMed := mk("med-lawyer", agentPerson)
		secretaryMed := w.srv.UserID("secretary")
		if _, err := w.admin.Grant(ctx, secretaryMed, access.Mediator, w.wuli.ID); err != nil {
			t.Fatal(err)
		}
		preview := func(mediator string) []string {
			var out struct {
				Clear     bool `json:"clear"`
				Conflicts []struct {
					Kind string `json:"kind"`
				} `json:"conflicts"`
			}
			if err := w.staff.Call(ctx, "POST", "/api/v1/mediation-cases/conflict-check", map[string]any{"respondent_id": w.xintai, "applicant_id": w.worker,
				"agent_person_ids": []string{w.lawyer, agentPerson}, "mediator_id": mediator}, &out); err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, c := range out.Conflicts {
				kinds = append(kinds, c.Kind)
			}
			if out.Clear != (len(kinds) == 0) {
				t.Fatal("clear disagrees with conflicts")
			}
			return kinds
		}
		for mediator, want := range map[string]string{colleague: "employed_by_respondent", member: "org_of_respondent", lawyerMed: "agent", secretaryMed: "grant_on_respondent", w.medID: ""} {
			kinds := preview(mediator)
			if (want == "" && len(kinds) > 0) || (want != "" && !slices.Contains(kinds, want)) {
				t.Errorf("mediator %s: conflicts %v, want %q", mediator, kinds, want)
			}
		}
		// A mediator of another park is not eligible.
		err := w.staff.Call(ctx, "POST", "/api/v1/mediation-cases/conflict-check", map[string]any{"respondent_id": w.xintai, "mediator_id": w.medAID}, nil)
		testenv.WantStatus(t, err, 422)

		// At intake: a conflicted mediator refuses the intake, nothing made.
		n := w.srv.Count("mediation_cases")
		err = w.staff.Call(ctx, "POST", "/api/v1/mediation-cases", w.body(map[string]any{"mediator_id": colleague}), nil)
		testenv.WantStatus(t, err, 409)
		if p := testenv.Problem(err); len(p.Errors) == 0 || p.Errors[0].Field != "mediator_id" {
			t.Fatalf("problem: %+v", p)
		}
		if w.srv.Count("mediation_cases") != n || w.srv.Count("mediation_conflict_checks") != 0 {
			t.Fatal("a refused intake left rows")
		}
		// A clear mediator at intake: the check is recorded.
		c := w.open(t, map[string]any{"mediator_id": w.medID})
		if len(c.ConflictChecks) != 1 || !c.ConflictChecks[0].Clear || c.MediatorID == nil {
			t.Fatalf("intake check: %+v", c.ConflictChecks)
		}
		// At assignment: refused, then recorded, overridden with a reason
		// and approved by a second person, then assigned.
		_, err = w.assign(c.ID, colleague)
		testenv.WantStatus(t, err, 409)
		var ch check
		if err := w.staff.Call(ctx, "POST", "/api/v1/mediation-cases/"+c.ID+"/conflict-checks", map[string]any{"mediator_id": colleague}, &ch); err != nil || ch.Clear {
			t.Fatalf("check: %v %+v", err, ch)
		}
		path := "/api/v1/mediation-cases/" + c.ID + "/conflict-checks/" + ch.ID
		testenv.WantStatus(t, w.staff.Call(ctx, "POST", path+"/override", map[string]any{"reason": " "}, nil), 422)
		testenv.WantStatus(t, w.staff.Call(ctx, "POST", path+"/approve", nil, nil), 409) // nothing asked yet
		noErr(t, w.staff.Call(ctx, "POST", path+"/override", map[string]any{"reason": "园区仅此一名熟悉工伤认定的调解员，双方书面同意"}, nil))
		_, err = w.assign(c.ID, colleague)
		testenv.WantStatus(t, err, 409)                                                  // not approved yet
		testenv.WantStatus(t, w.staff.Call(ctx, "POST", path+"/approve", nil, nil), 403) // the asker
		testenv.WantStatus(t, w.med.Call(ctx, "POST", path+"/approve", nil, nil), 403)   // the mediator sees the case, is not staff
		testenv.WantStatus(t, w.staffA.Call(ctx, "POST", path+"/approve", nil, nil), 404)
		noErr(t, w.staff2.Call(ctx, "POST", path+"/approve", nil, nil))
		c = mustCase(t)(w.assign(c.ID, colleague))
		if c.MediatorID == nil || *c.MediatorID != colleague {
			t.Fatal("not assigned after the approved override")
		}
		// Adding an agent who is the mediator's colleague's… the mediator
		// themselves as an agent would conflict: refused.
		other := w.open(t, map[string]any{"mediator_id": w.medID})
		medPerson := w.srv.Person(w.srv.ZoneID, "调解员本人", "", "", "")
		if _, err := w.srv.DB.W.Exec(`UPDATE users SET person_id = $1 WHERE id = $2`, medPerson, w.medID); err != nil {
			t.Fatal(err)
		}
		err = w.staff.Call(ctx, "POST", "/api/v1/mediation-cases/"+other.ID+"/parties", map[string]any{"side": "respondent", "name": "调解员本人", "person_id": medPerson}, nil)
		testenv.WantStatus(t, err, 409)
	})
}

// Two schedulers racing for one room, one mediator or one person get one
// hearing and one 409 naming the conflict, on both engines.
func TestDoubleBookingRace(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		a := w.open(t, map[string]any{"mediator_id": w.medID})
		b := w.open(t, map[string]any{"mediator_id": w.med2ID, "applicant_id": w.other, "respondent_id": w.hongsheng, "respondent_person_id": nil, "agents": nil})
		cc := w.open(t, map[string]any{"mediator_id": w.med2ID, "applicant_id": w.other, "respondent_id": w.hongsheng, "respondent_person_id": nil,
			"agents": []map[string]any{{"side": "applicant", "name": "林志远", "person_id": w.lawyer}}})
		for _, c := range []mcase{a, b, cc} {
			mustCase(t)(act(w.staff, c.ID, "accept", ""))
		}
		b, cc = mustCase(t)(get(w.staff, b.ID)), mustCase(t)(get(w.staff, cc.ID))
		start := time.Now().Add(24 * time.Hour).Truncate(time.Hour)
		race := func(calls ...func() error) []int {
			var wg sync.WaitGroup
			codes := make([]int, len(calls))
			for i, f := range calls {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := f(); err != nil {
						codes[i] = client.StatusOf(err)
					} else {
						codes[i] = 201
					}
				}()
			}
			wg.Wait()
			slices.Sort(codes)
			return codes
		}
		for round := 0; round < 3; round++ {
			at := start.Add(time.Duration(round*24) * time.Hour)
			// The room: a and b in one room at overlapping times.
			codes := race(func() error { return w.hearing(w.staff, a.ID, at, 2, w.room, allParties(a)...) },
				func() error { return w.hearing(w.staff, b.ID, at.Add(time.Hour), 2, w.room, allParties(b)...) })
			if fmt.Sprint(codes) != "[201 409]" {
				t.Fatalf("room race: %v", codes)
			}
		}
		// Eight schedulers for one slot of one case: one hearing.
		at0 := start.Add(5 * 24 * time.Hour)
		var eight []func() error
		for range 8 {
			eight = append(eight, func() error { return w.hearing(w.staff, a.ID, at0, 1, w.room2, allParties(a)...) })
		}
		if codes := race(eight...); fmt.Sprint(codes) != "[201 409 409 409 409 409 409 409]" {
			t.Fatalf("eight-way race: %v", codes)
		}
		// The person: the lawyer is an agent in a and cc, different rooms
		// and mediators.
		at := start.Add(10 * 24 * time.Hour)
		codes := race(func() error { return w.hearing(w.staff, a.ID, at, 2, w.room, allParties(a)...) },
			func() error { return w.hearing(w.staff, cc.ID, at.Add(30*time.Minute), 1, w.room2, allParties(cc)...) })
		if fmt.Sprint(codes) != "[201 409]" {
			t.Fatalf("person race: %v", codes)
		}
		// The mediator: b and cc share mediator2.
		at = start.Add(20 * 24 * time.Hour)
		codes = race(func() error { return w.hearing(w.staff, b.ID, at, 2, w.room, b.party("applicant").ID) },
			func() error { return w.hearing(w.staff, cc.ID, at, 2, w.room2, cc.party("respondent").ID) })
		if fmt.Sprint(codes) != "[201 409]" {
			t.Fatalf("mediator race: %v", codes)
		}
		err := w.hearing(w.staff, cc.ID, at.Add(time.Hour), 2, w.room2, cc.party("respondent").ID)
		testenv.WantStatus(t, err, 409)
		p := testenv.Problem(err)
		if len(p.Errors) == 0 || p.Errors[0].Field != "mediator_id" || !strings.Contains(p.Detail, "mediator2") {
			t.Fatalf("the conflict is not named: %+v", p)
		}
		// Back to back is fine; separate sessions with a subset are fine.
		noErr(t, w.hearing(w.staff, cc.ID, at.Add(2*time.Hour), 1, w.room2, cc.party("respondent").ID))
		if n := w.srv.Count("mediation_hearings"); n != 3+1+1+1+1 {
			t.Fatalf("hearings: %d", n)
		}
	})
}

// The statutory clock, with the database clock moved.
func TestStatutoryClock(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		t0 := time.Now()
		applied := t0.Add(-time.Hour)
		c := w.open(t, map[string]any{"applied_at": applied, "mediator_id": w.medID})
		mustCase(t)(act(w.staff, c.ID, "accept", ""))
		// Moving the clock ends sessions (their idle limit): sign in again.
		set := func(d time.Duration) {
			w.srv.DB.Now = func() time.Time { return t0.Add(d) }
			w.staff, w.med, w.workerC = w.srv.SignIn("legal-staff"), w.srv.SignIn("mediator"), w.srv.SignIn("worker")
		}
		defer func() { w.srv.DB.Now = time.Now }()
		set(14 * 24 * time.Hour)
		c = mustCase(t)(get(w.staff, c.ID))
		if c.Clock.Day != 14 || c.Clock.Eligible {
			t.Fatalf("day 14: %+v", c.Clock)
		}
		_, err := act(w.med, c.ID, "refer", "")
		testenv.WantStatus(t, err, 409)
		if f, _, err := w.srv.App.Mediation.Sweep(ctx); err != nil || f != 0 {
			t.Fatalf("sweep at day 14: %d %v", f, err)
		}
		set(15 * 24 * time.Hour)
		c = mustCase(t)(get(w.staff, c.ID))
		if c.Clock.Day != 15 || !c.Clock.Eligible {
			t.Fatalf("day 15: %+v", c.Clock)
		}
		for i := 0; i < 2; i++ { // once, however often it runs
			if f, _, err := w.srv.App.Mediation.Sweep(ctx); err != nil || f != 1-i {
				t.Fatalf("sweep %d at day 15: %d %v", i, f, err)
			}
		}
		c = mustCase(t)(act(w.med, c.ID, "refer", "调解期满未达成协议"))
		if c.Status != mediation.Referred || c.Clock.DaysLeft == nil || *c.Clock.DaysLeft != 45 || c.Clock.Eligible {
			t.Fatalf("referred: %+v", c.Clock)
		}
		set((15 + 44) * 24 * time.Hour)
		c = mustCase(t)(get(w.staff, c.ID))
		if *c.Clock.DaysLeft != 1 || c.Clock.Overdue {
			t.Fatalf("day 44 of arbitration: %+v", c.Clock)
		}
		set((15 + 46) * 24 * time.Hour)
		c = mustCase(t)(get(w.staff, c.ID))
		if !c.Clock.Overdue {
			t.Fatalf("day 46: %+v", c.Clock)
		}
		c = mustCase(t)(act(w.med, c.ID, "extend", ""))
		if !c.Clock.Extended || c.Clock.Overdue || *c.Clock.DaysLeft != 14 {
			t.Fatalf("extended: %+v", c.Clock)
		}
		_, err = act(w.med, c.ID, "extend", "")
		testenv.WantStatus(t, err, 409)
		// Reminders: a hearing of another case starting within a day.
		set(0)
		d := w.open(t, map[string]any{"mediator_id": w.medID})
		mustCase(t)(act(w.staff, d.ID, "accept", ""))
		noErr(t, w.hearing(w.staff, d.ID, t0.Add(30*time.Hour), 1, w.room, allParties(d)...))
		set(7 * time.Hour)
		if _, r, _ := w.srv.App.Mediation.Sweep(ctx); r != 1 {
			t.Fatalf("reminded %d", r)
		}
		var mine struct {
			Items []struct {
				CaseID string `json:"case_id"`
			} `json:"items"`
		}
		noErr(t, w.workerC.Call(ctx, "GET", "/api/v1/my/mediation-reminders", nil, &mine))
		if len(mine.Items) != 1 || mine.Items[0].CaseID != d.ID {
			t.Fatalf("worker's reminders: %+v", mine)
		}
		if _, r, _ := w.srv.App.Mediation.Sweep(ctx); r != 0 {
			t.Fatal("reminded twice")
		}
	})
}

// Who sees a case: its parties' accounts, its mediator, the park's
// legal-service staff; nobody else (404), whatever their role. Notes
// private to a side are not shown to the other side. Reads are audited.
func TestConfidentiality(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		c := w.open(t, map[string]any{"mediator_id": w.medID})
		noErr(t, w.workerC.Call(ctx, "POST", "/api/v1/mediation-cases/"+c.ID+"/notes", map[string]any{"visibility": "applicant", "text": "底线：不低于五万元"}, nil))
		noErr(t, w.repC.Call(ctx, "POST", "/api/v1/mediation-cases/"+c.ID+"/notes", map[string]any{"visibility": "respondent", "text": "最多可付六万"}, nil))
		noErr(t, w.med.Call(ctx, "POST", "/api/v1/mediation-cases/"+c.ID+"/notes", map[string]any{"text": "下周二开庭"}, nil))
		testenv.WantStatus(t, w.repC.Call(ctx, "POST", "/api/v1/mediation-cases/"+c.ID+"/notes", map[string]any{"visibility": "applicant", "text": "x"}, nil), 403)
		sees := map[string]struct {
			c      *client.Client
			access string
			notes  int
		}{
			"worker": {w.workerC, "party", 2}, "lawyer": {w.lawyerC, "party", 2}, "rep": {w.repC, "party", 2},
			"mediator": {w.med, "mediator", 3}, "staff": {w.staff, "staff", 3}, "staff2": {w.staff2, "staff", 3}, "platform admin": {w.admin, "staff", 3},
		}
		for who, s := range sees {
			got, err := get(s.c, c.ID)
			if err != nil || got.Access != s.access || len(got.Notes) != s.notes {
				t.Errorf("%s: %v access %s notes %d", who, err, got.Access, len(got.Notes))
			}
			for _, n := range got.Notes {
				if (who == "rep" && n.Visibility == "applicant") || ((who == "worker" || who == "lawyer") && n.Visibility == "respondent") {
					t.Errorf("%s reads the other side's private note", who)
				}
			}
		}
		blind := map[string]*client.Client{"other worker": w.otherC, "other mediator": w.med2, "mediator of another park": w.medA,
			"staff of another park": w.staffA, "zone admin": w.zoneAdmin, "park admin": w.parkAdmin, "auditor": w.auditor,
			"branch secretary": w.secretary, "respondent's partner": w.partner, "member": w.memb}
		for who, bc := range blind {
			if _, err := get(bc, c.ID); client.StatusOf(err) != 404 {
				t.Errorf("%s reads the case: %v", who, err)
			}
			_, err := act(bc, c.ID, "accept", "")
			if client.StatusOf(err) != 404 {
				t.Errorf("%s acts: %v", who, err)
			}
			var l struct {
				Items []mcase `json:"items"`
			}
			noErr(t, bc.Call(ctx, "GET", "/api/v1/mediation-cases", nil, &l))
			if len(l.Items) != 0 {
				t.Errorf("%s lists %d cases", who, len(l.Items))
			}
		}
		// Parties see it but do not run it.
		_, err := act(w.workerC, c.ID, "accept", "")
		testenv.WantStatus(t, err, 403)
		_, err = act(w.med, c.ID, "accept", "")
		testenv.WantStatus(t, err, 403)
		// The rep may not withdraw the worker's case.
		_, err = act(w.repC, c.ID, "withdraw", "不想谈了")
		testenv.WantStatus(t, err, 403)
		// Every read is an audit entry.
		if n := w.srv.Count("audit_log", "entity = 'mediation_case' AND action = 'read' AND entity_id = $1", c.ID); n < len(sees) {
			t.Fatalf("%d audited reads, want at least %d", n, len(sees))
		}
		// Figures: the zone admin sees counts, the member sees none.
		testenv.WantStatus(t, w.memb.Call(ctx, "GET", "/api/v1/mediation-figures", nil, nil), 403)
		var fig struct {
			Total int `json:"total"`
		}
		noErr(t, w.parkAdmin.Call(ctx, "GET", "/api/v1/mediation-figures", nil, &fig))
		if fig.Total != 1 {
			t.Fatalf("park admin's figures: %+v", fig)
		}
	})
}

// A worker files from the phone and follows the case.
func TestWorkerFilesOwnCase(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		var c mcase
		noErr(t, w.workerC.Call(ctx, "POST", "/api/v1/my/mediation-cases", map[string]any{"type": "unpaid_wages", "summary": "拖欠三个月工资", "claim_fen": 1_500_000}, &c))
		if c.Status != mediation.Intake || c.Access != "party" || c.Side != "applicant" || c.party("respondent").Name != "信泰集团" {
			t.Fatalf("filed: %+v", c)
		}
		var l struct {
			Items []mcase `json:"items"`
		}
		noErr(t, w.workerC.Call(ctx, "GET", "/api/v1/my/mediation-cases", nil, &l))
		if len(l.Items) != 1 {
			t.Fatalf("mine: %d", len(l.Items))
		}
		noErr(t, w.staff.Call(ctx, "GET", "/api/v1/mediation-cases?status=intake", nil, &l))
		if len(l.Items) != 1 || l.Items[0].ID != c.ID {
			t.Fatal("the staff do not see the filed case")
		}
		// An account bound to nobody cannot file for itself.
		testenv.WantStatus(t, w.staff.Call(ctx, "POST", "/api/v1/my/mediation-cases", map[string]any{"type": "other", "summary": "x"}, nil), 403)
		// Another zone's enterprise is unknown.
		z := w.srv.Zone("别的开发区")
		var zp client.Park
		noErr(t, w.admin.Call(ctx, "POST", "/api/v1/parks", map[string]any{"zone_id": z, "name": "别园", "code": "bie"}, &zp))
		foreign := w.srv.Enterprise(zp.ID, "外区企业")
		if err := w.workerC.Call(ctx, "POST", "/api/v1/my/mediation-cases", map[string]any{"type": "other", "summary": "x", "respondent_id": foreign}, nil); client.StatusOf(err) != 422 {
			t.Fatalf("%v\n%s", err, w.srv.Log.String())
		}
	})
}

// Bad input: a clear 4xx naming the field, and nothing changes.
func TestBadInput(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		c := w.open(t, map[string]any{"mediator_id": w.medID})
		mustCase(t)(act(w.staff, c.ID, "accept", ""))
		start := time.Now().Add(50 * time.Hour).Truncate(time.Hour)
		tables := []string{"mediation_cases", "mediation_parties", "mediation_events", "mediation_hearings", "mediation_bookings", "mediation_agreements", "mediation_payments"}
		counts := func() string {
			var s []string
			for _, tb := range tables {
				s = append(s, fmt.Sprint(w.srv.Count(tb)))
			}
			return strings.Join(s, ",")
		}
		cases := []struct {
			name, method, path string
			body               any
			status             int
			field              string
		}{
			{"no type", "POST", "/api/v1/mediation-cases", w.body(map[string]any{"type": ""}), 422, "type"},
			{"unknown type", "POST", "/api/v1/mediation-cases", w.body(map[string]any{"type": "divorce"}), 422, "type"},
			{"negative claim", "POST", "/api/v1/mediation-cases", w.body(map[string]any{"claim_fen": -100}), 422, "claim_fen"},
			{"absurd claim", "POST", "/api/v1/mediation-cases", w.body(map[string]any{"claim_fen": int64(1) << 50}), 422, "claim_fen"},
			{"claim as text", "POST", "/api/v1/mediation-cases", w.body(map[string]any{"claim_fen": "100"}), 400, "claim_fen"},
			{"NUL in summary", "POST", "/api/v1/mediation-cases", w.body(map[string]any{"summary": "a\x00b"}), 400, "summary"},
			{"party twice", "POST", "/api/v1/mediation-cases", w.body(map[string]any{"agents": []map[string]any{{"side": "applicant", "name": "林志远", "person_id": w.lawyer},
				{"side": "respondent", "name": "林律师", "person_id": w.lawyer}}}), 422, "agents.name"},
			{"applicant as respondent's rep", "POST", "/api/v1/mediation-cases", w.body(map[string]any{"respondent_person_id": w.worker}), 422, "respondent_person_id"},
			{"unknown respondent", "POST", "/api/v1/mediation-cases", w.body(map[string]any{"respondent_id": "nope"}), 422, "respondent_id"},
			{"respondent of another park", "POST", "/api/v1/mediation-cases", w.body(map[string]any{"respondent_id": w.haina}), 422, "respondent_id"},
			{"applied in the future", "POST", "/api/v1/mediation-cases", w.body(map[string]any{"applied_at": time.Now().Add(48 * time.Hour)}), 422, "applied_at"},
			{"agent added twice", "POST", "/api/v1/mediation-cases/" + c.ID + "/parties", map[string]any{"side": "applicant", "name": "林志远", "person_id": w.lawyer}, 422, "name"},
			{"unknown action", "POST", "/api/v1/mediation-cases/" + c.ID + "/actions", map[string]any{"action": "dance"}, 422, "action"},
			{"out of order", "POST", "/api/v1/mediation-cases/" + c.ID + "/actions", map[string]any{"action": "settle"}, 409, "action"},
			{"withdraw without reason", "POST", "/api/v1/mediation-cases/" + c.ID + "/actions", map[string]any{"action": "withdraw"}, 422, "note"},
			{"hearing ends before it starts", "POST", "/api/v1/mediation-cases/" + c.ID + "/hearings", map[string]any{"starts_at": start, "ends_at": start.Add(-time.Hour),
				"room_id": w.room, "party_ids": allParties(c)}, 422, "ends_at"},
			{"hearing in the past", "POST", "/api/v1/mediation-cases/" + c.ID + "/hearings", map[string]any{"starts_at": start.Add(-100 * time.Hour), "ends_at": start.Add(-99 * time.Hour),
				"room_id": w.room, "party_ids": allParties(c)}, 422, "starts_at"},
			{"hearing without parties", "POST", "/api/v1/mediation-cases/" + c.ID + "/hearings", map[string]any{"starts_at": start, "ends_at": start.Add(time.Hour),
				"room_id": w.room, "party_ids": []string{}}, 422, "party_ids"},
			{"hearing with a stranger", "POST", "/api/v1/mediation-cases/" + c.ID + "/hearings", map[string]any{"starts_at": start, "ends_at": start.Add(time.Hour),
				"room_id": w.room, "party_ids": []string{"nope"}}, 422, "party_ids"},
			{"hearing in an unknown room", "POST", "/api/v1/mediation-cases/" + c.ID + "/hearings", map[string]any{"starts_at": start, "ends_at": start.Add(time.Hour),
				"room_id": "nope", "party_ids": allParties(c)}, 422, "room_id"},
			{"agreement before mediation", "POST", "/api/v1/mediation-cases/" + c.ID + "/agreement", map[string]any{"terms": "支付", "amount_fen": 100}, 409, ""},
			{"negative agreement", "POST", "/api/v1/mediation-cases/" + c.ID + "/agreement", map[string]any{"terms": "支付", "amount_fen": -5}, 422, "amount_fen"},
			{"payment before settlement", "POST", "/api/v1/mediation-cases/" + c.ID + "/payments", map[string]any{"amount_fen": 100, "paid_on": "2024-01-01"}, 409, ""},
			{"room name taken", "POST", "/api/v1/mediation-rooms", map[string]any{"park_id": w.wuli.ID, "name": "第一调解室"}, 422, "name"},
			{"mediator of another park", "POST", "/api/v1/mediation-cases/" + c.ID + "/assignment", map[string]any{"mediator_id": w.medAID}, 422, "mediator_id"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := counts()
				err := w.staff.Call(ctx, tc.method, tc.path, tc.body, nil)
				testenv.WantStatus(t, err, tc.status)
				p := testenv.Problem(err)
				if tc.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != tc.field) {
					t.Fatalf("problem names %+v, want %s", p.Errors, tc.field)
				}
				if p.Detail == "" && p.Title == "" {
					t.Fatal("no text")
				}
				if after := counts(); after != before {
					t.Fatalf("changed: %s → %s", before, after)
				}
			})
		}
		// In English on request.
		w.staff.Lang = "en"
		err := w.staff.Call(ctx, "POST", "/api/v1/mediation-cases", w.body(map[string]any{"claim_fen": -1}), nil)
		if p := testenv.Problem(err); !strings.Contains(p.Errors[0].Message, "Amount claimed") {
			t.Fatalf("english: %+v", p)
		}
		w.staff.Lang = ""
		_ = http.MethodGet
	})
}
