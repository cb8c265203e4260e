package careapi

import (
	"context"

	"tongxin/internal/access"
	"tongxin/internal/kit"
	"tongxin/internal/people/peopleapi"
)

type idOnly struct {
	ID string `json:"id"`
}

func newPerson(ctx context.Context, c kit.Caller, ent kit.Node) (string, error) {
	var p idOnly
	err := c.Call(ctx, "POST", "/api/v1/people", peopleapi.CreateBody(ent), &p)
	return p.ID, err
}

// spare holds, per enterprise a fixture row was made under, rows that a
// creating route's body names (workers, a fund, a session).
var spare kit.Spares

// workers makes two workers of the enterprise and stashes them.
func workers(ctx context.Context, c kit.Caller, under kit.Node) (string, string, error) {
	a, err := newPerson(ctx, c, under)
	if err != nil {
		return "", "", err
	}
	b, err := newPerson(ctx, c, under)
	spare.Put(under, "worker1", a)
	spare.Put(under, "worker2", b)
	return a, b, err
}

var mentorshipFixture = kit.Fixture{
	Resource: "mentorship",
	Under:    []string{access.KindEnterprise},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		a, b, err := workers(ctx, c, under)
		if err != nil {
			return nil, err
		}
		var m idOnly
		err = c.Call(ctx, "POST", "/api/v1/mentorships", map[string]any{"enterprise_id": under.ID, "mentor_id": a, "mentee_id": b,
			"goals": "三个月掌握数控编程"}, &m)
		if err != nil {
			return nil, err
		}
		_, _, err = workers(ctx, c, under) // a fresh pair for the creating route
		return map[string]string{"id": m.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/mentorships":
			return map[string]any{"enterprise_id": under.ID, "mentor_id": spare.Get(under, "worker1"), "mentee_id": spare.Get(under, "worker2")}
		case "PATCH /api/v1/mentorships/{id}":
			return map[string]any{"goals": kit.Unique("新目标 ")}
		case "POST /api/v1/mentorships/{id}/reviews":
			return map[string]any{"rating": 4, "note": "进步明显"}
		}
		return nil
	},
}

var teamFixture = kit.Fixture{
	Resource: "project_team",
	Under:    []string{access.KindEnterprise},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		var t idOnly
		err := c.Call(ctx, "POST", "/api/v1/project-teams", map[string]any{"enterprise_id": under.ID, "kind": "tech", "name": kit.Unique("科技攻关小组 ")}, &t)
		return map[string]string{"id": t.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/project-teams":
			return map[string]any{"enterprise_id": under.ID, "kind": "project", "name": kit.Unique("项目攻坚小组 ")}
		case "PATCH /api/v1/project-teams/{id}":
			return map[string]any{"milestones": []map[string]any{{"title": "样机", "due_on": "2026-12-01"}}}
		}
		return nil
	},
}

// profileFixture: an enterprise's R&D figures, keyed by the enterprise.
var profileFixture = kit.Fixture{
	Resource: "rd_profile",
	Under:    []string{access.KindEnterprise},
	ListKey:  "enterprise_id",
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		err := c.Call(ctx, "PATCH", "/api/v1/rd-profiles/"+under.ID, map[string]any{"rd_staff": 30, "research_projects": 5}, nil)
		return map[string]string{"id": under.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		return map[string]any{"rd_staff": 31}
	},
}

func newFund(ctx context.Context, c kit.Caller, under kit.Node) (string, error) {
	var f idOnly
	if err := c.Call(ctx, "POST", "/api/v1/aid-funds", map[string]any{"enterprise_id": under.ID, "name": kit.Unique("职工互助基金 ")}, &f); err != nil {
		return "", err
	}
	err := c.Call(ctx, "POST", "/api/v1/aid-funds/"+f.ID+"/contributions", map[string]any{"amount_fen": 500000, "memo": "企业注资"}, nil)
	return f.ID, err
}

var fundFixture = kit.Fixture{
	Resource: "aid_fund",
	Under:    []string{access.KindEnterprise},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		id, err := newFund(ctx, c, under)
		return map[string]string{"id": id}, err
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/aid-funds":
			return map[string]any{"enterprise_id": under.ID, "name": kit.Unique("互助基金 ")}
		case "PATCH /api/v1/aid-funds/{id}":
			return map[string]any{"description": "职工自愿参加，互帮互助"}
		case "POST /api/v1/aid-funds/{id}/contributions":
			return map[string]any{"amount_fen": 10000, "memo": "月度捐助"}
		}
		return nil
	},
}

var applicationFixture = kit.Fixture{
	Resource: "aid_application",
	Under:    []string{access.KindEnterprise},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		fund, err := newFund(ctx, c, under)
		if err != nil {
			return nil, err
		}
		person, err := newPerson(ctx, c, under)
		if err != nil {
			return nil, err
		}
		spare.Put(under, "fund", fund)
		spare.Put(under, "applicant", person)
		var x idOnly
		err = c.Call(ctx, "POST", "/api/v1/aid-applications", map[string]any{"fund_id": fund, "person_id": person, "amount_fen": 20000,
			"reason": "工伤住院"}, &x)
		return map[string]string{"id": x.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/aid-applications":
			return map[string]any{"fund_id": spare.Get(under, "fund"), "person_id": spare.Get(under, "applicant"), "amount_fen": 10000, "reason": "家庭困难"}
		case "POST /api/v1/aid-applications/{id}/actions":
			return map[string]any{"action": "approve", "note": "情况属实"}
		}
		return nil
	},
}

var classFixture = kit.Fixture{
	Resource: "childcare_class",
	Under:    []string{access.KindEnterprise},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		var cl struct {
			ID       string `json:"id"`
			Sessions []struct {
				ID string `json:"id"`
			} `json:"sessions"`
		}
		err := c.Call(ctx, "POST", "/api/v1/childcare-classes", classBody(under), &cl)
		if err != nil {
			return nil, err
		}
		parent, err := newPerson(ctx, c, under)
		if err != nil {
			return nil, err
		}
		var x idOnly
		if err := c.Call(ctx, "POST", "/api/v1/childcare-classes/"+cl.ID+"/enrolments", map[string]any{"person_id": parent, "child_name": "小明",
			"child_age": 8}, &x); err != nil {
			return nil, err
		}
		spare.Put(under, "parent", parent)
		spare.Put(under, "session", cl.Sessions[0].ID)
		return map[string]string{"id": cl.ID, "enrolment_id": x.ID}, nil
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/childcare-classes":
			return classBody(under)
		case "PATCH /api/v1/childcare-classes/{id}":
			return map[string]any{"capacity": 40}
		case "POST /api/v1/childcare-classes/{id}/actions":
			return map[string]any{"action": "close"}
		case "POST /api/v1/childcare-classes/{id}/enrolments":
			return map[string]any{"person_id": spare.Get(under, "parent"), "child_name": kit.Unique("小红"), "child_age": 9}
		case "POST /api/v1/childcare-classes/{id}/attendance":
			return map[string]any{"session_id": spare.Get(under, "session"), "enrolment_ids": []string{}}
		}
		return nil
	},
}

func classBody(under kit.Node) map[string]any {
	return map[string]any{"enterprise_id": under.ID, "title": kit.Unique("职工子女暑托班 "), "starts_on": "2026-07-06", "ends_on": "2026-08-14",
		"capacity": 30, "min_age": 6, "max_age": 12, "sessions": []map[string]any{{"held_on": "2026-07-06", "topic": "开班仪式"}}}
}
