package demo

import (
	"context"
	"fmt"

	"tongxin/internal/access"
	"tongxin/internal/care"
	"tongxin/internal/db"
)

// The talent and employee-care records of the demo zone. Facts from the
// article: 信泰's "党建+人才" plan — veterans mentoring new hires (以老带新),
// 科技攻关小组 and 项目攻坚小组, over 300 R&D staff and over 100 research
// projects, a postdoc workstation approved in October (2022); 恒毅机械's
// branch runs a mutual-aid fund for workers in hardship and childcare for
// workers' children. The pairs, teams, amounts, applicants and children
// are generated and marked as sample data; the worker's fall the article
// tells of is the sample application (her name is not used).
const (
	XintaiName = "信泰集团"
	HengyiName = "泉州恒毅机械有限公司"
	// XintaiRDStaff and XintaiProjects are the article's "300多人" and
	// "100多项", recorded as their floors.
	XintaiRDStaff  = 300
	XintaiProjects = 100
	// XintaiPostdocApproved: "今年10月" of the article's 2022; the day is
	// not given, so the month's first.
	XintaiPostdocApproved = "2022-10-01"
)

// loadCare records them through the care service, as a zone administrator
// would, with two different approvers (the zone's admin and the Andong
// park administrator) for the aid application.
func loadCare(ctx context.Context, d *db.DB, zoneID string) error {
	svc := &care.Service{DB: d}
	as := func(username string) (context.Context, error) {
		var id string
		if err := d.R.QueryRowContext(ctx, `SELECT id FROM users WHERE username = $1`, username).Scan(&id); err != nil {
			return nil, fmt.Errorf("demo: user %s: %w", username, err)
		}
		return access.With(ctx, &access.Principal{UserID: id, Username: username, Grants: []access.Grant{{Role: access.ZoneAdmin, ScopeID: zoneID,
			Kind: access.KindZone, Path: access.ZonePath(zoneID), ZoneID: zoneID}}}), nil
	}
	zctx, err := as("admin")
	if err != nil {
		return err
	}
	ent := func(name string) (string, []string, error) {
		var id string
		if err := d.R.QueryRowContext(ctx, `SELECT id FROM enterprises WHERE zone_id = $1 AND name = $2`, zoneID, name).Scan(&id); err != nil {
			return "", nil, fmt.Errorf("demo: %s: %w", name, err)
		}
		var people []string
		err := db.Each(ctx, d.R, `SELECT id FROM people WHERE enterprise_id = $1 ORDER BY id LIMIT 12`, db.Args{id}, func(s db.Scanner) error {
			var p string
			err := s.Scan(&p)
			people = append(people, p)
			return err
		})
		if err == nil && len(people) < 8 {
			err = fmt.Errorf("demo: %s has %d workers, want 8", name, len(people))
		}
		return id, people, err
	}

	xintai, xp, err := ent(XintaiName)
	if err != nil {
		return err
	}
	station, research := true, XintaiProjects
	staff := XintaiRDStaff
	approved := XintaiPostdocApproved
	note := "“党建+人才”计划：技术研发人员300多人，科研项目100多项；2022年10月获批新设博士后科研工作站。"
	if _, err := svc.UpdateProfile(zctx, xintai, care.ProfilePatch{RDStaff: &staff, ResearchProjects: &research, PostdocStation: &station,
		PostdocApprovedOn: &approved, Note: &note}, func(int) error { return nil }); err != nil {
		return fmt.Errorf("demo: 信泰 R&D figures: %w", err)
	}
	for i, goal := range []string{"三个月内独立完成鞋面工艺打样", "掌握智能裁床编程与维护", "参与新材料研发项目并完成一项改进"} {
		if _, err := svc.CreateMentorship(zctx, care.MentorshipInput{EnterpriseID: xintai, MentorID: xp[i], MenteeID: xp[i+3], Goals: goal,
			StartedOn: "2022-03-01", Sample: true}); err != nil {
			return fmt.Errorf("demo: 信泰 pair: %w", err)
		}
	}
	done, due, on := "2022-08-30", "2022-12-31", "2022-09-15"
	for _, t := range []care.TeamInput{
		{Kind: "tech", Name: "智能制鞋科技攻关小组", Goals: "攻克鞋底一次成型工艺，降低能耗",
			Members:    []care.Member{{PersonID: xp[0], Role: "leader"}, {PersonID: xp[6], Role: "member"}, {PersonID: xp[7], Role: "member"}},
			Milestones: []care.Milestone{{Title: "工艺方案评审", DoneOn: &done}, {Title: "样品小批量试产", DueOn: &due}},
			Results:    []care.Result{{Title: "实用新型专利申请 1 项", RecordedOn: &on}}},
		{Kind: "project", Name: "新品上市项目攻坚小组", Goals: "四季度新品按期上市",
			Members:    []care.Member{{PersonID: xp[1], Role: "leader"}, {PersonID: xp[4], Role: "member"}},
			Milestones: []care.Milestone{{Title: "打样确认", DueOn: &due}}},
	} {
		t.EnterpriseID, t.Sample = xintai, true
		if _, err := svc.CreateTeam(zctx, t); err != nil {
			return fmt.Errorf("demo: 信泰 team: %w", err)
		}
	}

	hengyi, hp, err := ent(HengyiName)
	if err != nil {
		return err
	}
	fund, err := svc.CreateFund(zctx, care.FundInput{EnterpriseID: hengyi, Name: "恒毅机械职工互助基金", Description: "党支部牵头，企业注资、职工自愿捐助，为困难职工提供互助。",
		Sample: true})
	if err != nil {
		return fmt.Errorf("demo: 恒毅 fund: %w", err)
	}
	if _, err := svc.Contribute(zctx, fund.ID, care.ContributionInput{AmountFen: 5_000_000, BookedOn: "2022-01-10", Memo: "企业注资（示例）"}); err != nil {
		return err
	}
	for i := range 6 {
		if _, err := svc.Contribute(zctx, fund.ID, care.ContributionInput{PersonID: hp[i], AmountFen: int64(10_000 * (i%3 + 1)), BookedOn: "2022-02-15",
			Memo: "职工自愿捐助（示例）"}); err != nil {
			return err
		}
	}
	// The worker's application is recorded by the loader (filed on paper),
	// so that the two approvers are neither the applicant nor the filer.
	filer := access.With(ctx, &access.Principal{Username: "demo", Grants: []access.Grant{{Role: access.ZoneAdmin, ScopeID: zoneID,
		Kind: access.KindZone, Path: access.ZonePath(zoneID), ZoneID: zoneID}}})
	app, err := svc.Apply(filer, care.ApplicationInput{FundID: fund.ID, PersonID: hp[6], AmountFen: 300_000, IncidentOn: "2022-06-08",
		Reason: "职工不慎摔伤，行动不便，申请医疗和生活困难互助（示例）", Sample: true})
	if err != nil {
		return fmt.Errorf("demo: 恒毅 application: %w", err)
	}
	pctx, err := as("andong")
	if err != nil {
		return err
	}
	for _, step := range []struct {
		ctx    context.Context
		action string
	}{{pctx, "approve"}, {zctx, "approve"}, {zctx, "disburse"}} {
		if _, err := svc.ActOnApplication(step.ctx, app.ID, step.action, ""); err != nil {
			return fmt.Errorf("demo: 恒毅 application %s: %w", step.action, err)
		}
	}
	if _, err := svc.Apply(zctx, care.ApplicationInput{FundID: fund.ID, PersonID: hp[7], AmountFen: 150_000, IncidentOn: "2022-10-20",
		Reason: "家属重病住院，申请困难互助（示例）", Sample: true}); err != nil {
		return err
	}
	class, err := svc.CreateClass(zctx, care.ClassInput{EnterpriseID: hengyi, Title: "恒毅机械职工子女暑托班", Place: "恒毅机械职工之家",
		Description: "党支部为职工子女提供暑期托管：课业辅导、安全教育、文体活动。", StartsOn: "2022-07-11", EndsOn: "2022-08-19", Capacity: 30,
		MinAge: 6, MaxAge: 12, Sessions: []care.SessionInput{{HeldOn: "2022-07-11", Topic: "开班仪式与安全教育"}, {HeldOn: "2022-07-12", Topic: "课业辅导"},
			{HeldOn: "2022-07-13", Topic: "书法与绘画"}, {HeldOn: "2022-07-14", Topic: "红色故事会"}}, Sample: true})
	if err != nil {
		return fmt.Errorf("demo: 恒毅 childcare: %w", err)
	}
	var present []string
	for i := range 8 {
		x, err := svc.Enrol(zctx, class.ID, care.EnrolInput{PersonID: hp[i], ChildName: fmt.Sprintf("小%s", []string{"明", "红", "刚", "丽", "军", "芳", "杰", "静"}[i]),
			ChildAge: 6 + i%6})
		if err != nil {
			return fmt.Errorf("demo: enrol: %w", err)
		}
		if i != 3 {
			present = append(present, x.ID)
		}
	}
	_, err = svc.MarkAttendance(zctx, class.ID, class.Sessions[0].ID, present)
	return err
}
