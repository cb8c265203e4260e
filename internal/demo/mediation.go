package demo

import (
	"context"
	"fmt"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/mediation"
	"tongxin/internal/password"
	"tongxin/internal/users"
)

// The labour-dispute mediation of the article: at the workers' legal
// service base of Wuli Park's neighbourhood centre, a work-injury benefits
// dispute (工伤待遇争议) was settled at the hearing by the arbitrator, with
// a lawyer as one side's agent. The article gives neither the worker, the
// employer, the amounts nor the dates ("近日", before 2022-11-15): those,
// the names of the accounts and of the agent, and the other cases — one in
// every state of the workflow — are sample data. Everything is recorded
// through the mediation service, on a clock set to when each step would
// have happened, so the timeline, the conflict checks, the audit log and
// the 3.14π matrix (cases_closed) are written by the same code as any
// other case.

// Demo accounts of the legal service base.
const (
	LegalUsername      = "wuli-legal"
	ArbitratorUsername = "arbitrator"
	MediatorUsername   = "mediator"
)

// mediationAccounts adds the base's staff (service_staff on the parks) and
// its arbitrator and mediator (the mediator role over the zone).
func mediationAccounts(ctx context.Context, tx *db.Tx, pool *password.Pool, zoneID string, parks []ParkRef, pw string) error {
	if _, err := users.Add(ctx, tx, pool, zoneID, LegalUsername, "职工法律服务基地工作人员（示例）", pw); err != nil {
		return err
	}
	for _, p := range parks[:2] {
		if err := users.Grant(ctx, tx, LegalUsername, access.ServiceStaff, p.ID); err != nil {
			return err
		}
	}
	for _, u := range []struct{ name, display string }{{ArbitratorUsername, "仲裁员（示例）"}, {MediatorUsername, "调解员（示例）"}} {
		if _, err := users.Add(ctx, tx, pool, zoneID, u.name, u.display, pw); err != nil {
			return err
		}
		if err := users.Grant(ctx, tx, u.name, access.Mediator, zoneID); err != nil {
			return err
		}
	}
	return nil
}

// demoCase is one sample case and how far it goes.
type demoCase struct {
	typ, summary string
	claim        int64
	agent        string // the applicant's agent ("" for none)
	applied      time.Time
	state        string
}

func loadMediation(ctx context.Context, d *db.DB, zoneID string) error {
	c := &clock{}
	dd := d.WithClock(c.now)
	svc := &mediation.Service{DB: dd}
	one := func(q string, args ...any) (string, error) {
		var id string
		if err := d.R.QueryRowContext(ctx, q, args...).Scan(&id); err != nil {
			return "", fmt.Errorf("demo mediation: %s: %w", q, err)
		}
		return id, nil
	}
	wuli, err := one(`SELECT id FROM parks WHERE zone_id = $1 AND code = 'wuli'`, zoneID)
	if err != nil {
		return err
	}
	principal := func(username string) (context.Context, string, error) {
		id, err := one(`SELECT id FROM users WHERE username = $1`, username)
		if err != nil {
			return nil, "", err
		}
		gs, err := access.LoadGrants(ctx, d.R, []string{id})
		if err != nil {
			return nil, "", err
		}
		return access.With(ctx, &access.Principal{UserID: id, Username: username, ZoneID: zoneID, Grants: gs[id]}), id, nil
	}
	staff, _, err := principal(LegalUsername)
	if err != nil {
		return err
	}
	arbCtx, arbitrator, err := principal(ArbitratorUsername)
	if err != nil {
		return err
	}
	medCtx, mediator, err := principal(MediatorUsername)
	if err != nil {
		return err
	}
	andong, err := one(`SELECT id FROM parks WHERE zone_id = $1 AND code = 'andong'`, zoneID)
	if err != nil {
		return err
	}
	c.t = cst(2022, 10, 20, 9, 0)
	rooms := map[string][]string{}
	for _, r := range []struct{ park, name string }{{wuli, "第一调解室"}, {wuli, "第二调解室"}, {andong, "安东园调解室"}} {
		room, err := svc.CreateRoom(staff, r.park, r.name)
		if err != nil {
			return err
		}
		rooms[r.park] = append(rooms[r.park], room.ID)
	}
	// Applicants: workers of Wuli Park's enterprises, each with a colleague
	// as the employer's representative. The demo's phone worker files one
	// of the cases themselves.
	type pair struct{ worker, rep, enterprise string }
	var pairs []pair
	var ents []string
	// 五里园's enterprises first (the article's case is at its base), then
	// 安东园's: the base serves both parks.
	err = db.Each(ctx, d.R, `SELECT e.id FROM enterprises e JOIN parks p ON p.id = e.park_id WHERE e.zone_id = $1 AND p.code IN ('wuli', 'andong')
		ORDER BY CASE WHEN e.park_id = $2 THEN 0 ELSE 1 END, e.id`, db.Args{zoneID, wuli}, func(sc db.Scanner) error {
		var id string
		err := sc.Scan(&id)
		ents = append(ents, id)
		return err
	})
	if err != nil {
		return err
	}
	for _, e := range ents {
		var two []string
		err := db.Each(ctx, d.R, `SELECT p.id FROM people p WHERE p.enterprise_id = $1 AND NOT EXISTS (SELECT 1 FROM users u WHERE u.person_id = p.id)
			ORDER BY p.id LIMIT 2`, db.Args{e}, func(sc db.Scanner) error {
			var id string
			err := sc.Scan(&id)
			two = append(two, id)
			return err
		})
		if err != nil {
			return err
		}
		if len(two) == 2 {
			pairs = append(pairs, pair{worker: two[0], rep: two[1], enterprise: e})
		}
	}
	now := time.Now()
	cases := []demoCase{
		{"work_injury", "工伤待遇争议：申请人在车间作业时受伤，经认定为工伤，双方就停工留薪期工资、一次性伤残补助金等待遇发生争议。", 9_800_000, "吴志强（示例）", cst(2022, 10, 24, 9, 30), mediation.Closed},
		{"unpaid_wages", "拖欠三个月工资及加班费。", 2_160_000, "", now.Add(-26 * time.Hour), mediation.Intake},
		{"dismissal", "单位以严重违纪为由解除劳动合同，申请人主张违法解除赔偿金。", 4_800_000, "许丽娟（示例）", now.Add(-3 * 24 * time.Hour), mediation.Accepted},
		{"social_insurance", "入职两年未缴纳社会保险，请求补缴并赔偿损失。", 1_200_000, "", now.Add(-5 * 24 * time.Hour), mediation.Scheduled},
		{"unpaid_wages", "离职后未结清最后一个月工资。", 680_000, "", now.Add(-8 * 24 * time.Hour), mediation.InMediation},
		{"work_injury", "上下班途中交通事故认定工伤，停工留薪期待遇争议。", 3_500_000, "", now.Add(-12 * 24 * time.Hour), mediation.Settled},
		{"dismissal", "试用期解除劳动合同争议。", 900_000, "", now.Add(-14 * 24 * time.Hour), mediation.Failed},
		{"other", "未签订书面劳动合同的二倍工资差额。", 3_000_000, "", now.Add(-30 * 24 * time.Hour), mediation.Referred},
		{"unpaid_wages", "年终奖发放争议。", 500_000, "", now.Add(-40 * 24 * time.Hour), mediation.Withdrawn},
	}
	if len(pairs) < len(cases) {
		return fmt.Errorf("demo mediation: %d enterprises of 五里园 and 安东园 with two people, want %d", len(pairs), len(cases))
	}
	// The phone worker (成达齿轮, 五里园) is the applicant of the intake case.
	var worker, workerEnt string
	if err := d.R.QueryRowContext(ctx, `SELECT p.id, p.enterprise_id FROM people p JOIN users u ON u.person_id = p.id WHERE u.username = $1`, WorkerUsername).
		Scan(&worker, &workerEnt); err != nil {
		return fmt.Errorf("demo mediation: the phone worker: %w", err)
	}
	for i, dc := range cases {
		p := pairs[i]
		in := mediation.CaseInput{Type: dc.typ, Summary: dc.summary, ClaimFen: dc.claim, ApplicantID: p.worker, RespondentID: p.enterprise,
			RespondentPersonID: p.rep, AppliedAt: &dc.applied}
		if dc.state == mediation.Intake {
			in.ApplicantID, in.RespondentID, in.RespondentPersonID = worker, workerEnt, ""
		}
		if dc.agent != "" {
			in.Agents = []mediation.AgentInput{{Side: "applicant", Name: dc.agent}}
		}
		role, by, byCtx := "mediator", mediator, medCtx
		if i == 0 {
			role, by, byCtx = "arbitrator", arbitrator, arbCtx
		}
		if dc.state != mediation.Intake {
			in.MediatorID, in.MediatorRole = by, role
		}
		step := dc.applied
		tick := func(h int) { step = step.Add(time.Duration(h) * time.Hour); c.t = step }
		tick(1)
		mc, err := svc.OpenCase(staff, in)
		if err != nil {
			return fmt.Errorf("demo mediation: case %d: %w", i, err)
		}
		if dc.state == mediation.Intake {
			continue
		}
		act := func(actor context.Context, action, note string) error {
			_, err := svc.Act(actor, mc.ID, mediation.ActionInput{Action: action, Note: note})
			if err != nil {
				return fmt.Errorf("demo mediation: case %d %s: %w", i, action, err)
			}
			return nil
		}
		if dc.state == mediation.Withdrawn {
			tick(20)
			if err := act(staff, "withdraw", "申请人与单位自行和解，撤回申请。"); err != nil {
				return err
			}
			continue
		}
		tick(2)
		if err := act(staff, "accept", ""); err != nil {
			return err
		}
		if dc.state == mediation.Accepted {
			continue
		}
		tick(3)
		hearingAt := step.Add(2 * 24 * time.Hour).Truncate(time.Hour)
		if i == 0 {
			hearingAt = cst(2022, 11, 8, 9, 30)
		}
		var all []string
		for _, pt := range mc.Parties {
			all = append(all, pt.ID)
		}
		start, end := hearingAt, hearingAt.Add(2*time.Hour)
		room := rooms[mc.ParkID][i%len(rooms[mc.ParkID])]
		if dc.state == mediation.Scheduled {
			start = now.Add(2 * 24 * time.Hour).Truncate(time.Hour)
			end = start.Add(2 * time.Hour)
		}
		if _, err := svc.ScheduleHearing(byCtx, mc.ID, mediation.HearingInput{StartsAt: &start, EndsAt: &end, RoomID: room, PartyIDs: all, Title: "调解庭"}); err != nil {
			return fmt.Errorf("demo mediation: case %d hearing: %w", i, err)
		}
		if dc.state == mediation.Scheduled {
			continue
		}
		if c.t.Before(start) {
			c.t = start
		}
		step = c.t
		if err := act(byCtx, "start", ""); err != nil {
			return err
		}
		if dc.state == mediation.InMediation {
			if _, err := svc.AddNote(byCtx, mc.ID, "applicant", "背靠背调解：申请人可接受分两期支付。"); err != nil {
				return err
			}
			continue
		}
		if dc.state == mediation.Failed || dc.state == mediation.Referred {
			tick(1)
			if err := act(byCtx, "fail", "双方对赔偿金额分歧较大，调解不成。"); err != nil {
				return err
			}
			if dc.state == mediation.Referred {
				tick(24)
				if err := act(byCtx, "refer", "告知申请人依法申请劳动仲裁。"); err != nil {
					return err
				}
			}
			continue
		}
		// Settled at the hearing: the agreement, both signatures, settle.
		tick(1)
		amount := dc.claim * 7 / 10
		terms := "一、被申请人一次性支付申请人上述争议款项，于履行期限前付清。\n二、本协议履行完毕后，双方就本争议再无其他纠纷。"
		if i == 0 {
			amount = 6_800_000
			terms = "一、被申请人支付申请人停工留薪期工资、一次性伤残补助金、一次性就业补助金等工伤待遇共计人民币陆万捌仟元整。\n" +
				"二、上述款项分两期支付：2022年11月15日前支付肆万元，2022年12月15日前支付贰万捌仟元。\n" +
				"三、本协议履行完毕后，双方就本次工伤事故再无其他争议。"
		}
		payBy := c.t.In(mediation.China).AddDate(0, 1, 7).Format("2006-01-02")
		if _, err := svc.SaveAgreement(byCtx, mc.ID, mediation.AgreementInput{Terms: terms, AmountFen: amount, PayBy: payBy}); err != nil {
			return fmt.Errorf("demo mediation: case %d agreement: %w", i, err)
		}
		for _, pt := range mc.Parties {
			if pt.Role != "agent" {
				if _, err := svc.Sign(byCtx, mc.ID, pt.ID); err != nil {
					return err
				}
			}
		}
		if err := act(byCtx, "settle", "当庭调解成功。"); err != nil {
			return err
		}
		if dc.state == mediation.Settled {
			continue
		}
		for _, p := range []struct {
			fen int64
			on  time.Time
		}{{4_000_000, cst(2022, 11, 14, 10, 0)}, {2_800_000, cst(2022, 12, 14, 10, 0)}} {
			c.t = p.on
			if _, err := svc.RecordPayment(byCtx, mc.ID, mediation.PaymentInput{AmountFen: p.fen, PaidOn: p.on.Format("2006-01-02"), Note: "银行转账"}); err != nil {
				return fmt.Errorf("demo mediation: payment: %w", err)
			}
		}
		if err := act(byCtx, "close", "协议已履行完毕。"); err != nil {
			return err
		}
	}
	return nil
}
