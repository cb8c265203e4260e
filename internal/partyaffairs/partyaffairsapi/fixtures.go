package partyaffairsapi

import (
	"context"

	"tongxin/internal/access"
	"tongxin/internal/kit"
)

type idOnly struct {
	ID string `json:"id"`
}

// newPerson makes a person of the zone, a full member of org when org is
// not "".
func newPerson(ctx context.Context, c kit.Caller, zoneID, org string) (string, error) {
	body := map[string]any{"zone_id": zoneID, "name": kit.Unique("矩阵党员")}
	if org != "" {
		body["party"] = map[string]any{"status": "full", "org_id": org, "joined_on": "2020-01-01"}
	}
	var p idOnly
	err := c.Call(ctx, "POST", "/api/v1/people", body, &p)
	return p.ID, err
}

// spare holds, per node a fixture row was made under, the person or
// enterprise a creating route's body names.
var spare kit.Spares

// dueFixture: a member of a branch paid January 2024; the body pays
// February for the same member.
var dueFixture = kit.Fixture{
	Resource: "party_due",
	Under:    []string{access.KindOrg},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		person, err := newPerson(ctx, c, under.ZoneID, under.ID)
		if err != nil {
			return nil, err
		}
		spare.Put(under, "member", person)
		var d idOnly
		err = c.Call(ctx, "POST", "/api/v1/party-dues", map[string]any{"person_id": person, "month": "2024-01", "base_fen": 420000}, &d)
		return map[string]string{"id": d.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		if route == "POST /api/v1/party-dues" {
			return map[string]any{"person_id": spare.Get(under, "member"), "month": "2024-02", "base_fen": 420000}
		}
		return nil
	},
}

func electionBody(org string) map[string]any {
	return map[string]any{"org_id": org, "held_on": "2024-05-01", "seats": 1, "voters": 5,
		"candidates": []map[string]any{{"name": "矩阵候选人甲", "votes": 4}, {"name": "矩阵候选人乙", "votes": 1}}}
}

var electionFixture = kit.Fixture{
	Resource: "party_election",
	Under:    []string{access.KindOrg},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		var e idOnly
		err := c.Call(ctx, "POST", "/api/v1/party-elections", electionBody(under.ID), &e)
		return map[string]string{"id": e.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		if route == "POST /api/v1/party-elections" {
			return electionBody(under.ID)
		}
		return nil
	},
}

// developmentFixture: a worker applied to a branch; the body opens
// another worker's application, or makes the first an activist.
var developmentFixture = kit.Fixture{
	Resource: "party_development",
	Under:    []string{access.KindOrg},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		person, err := newPerson(ctx, c, under.ZoneID, "")
		if err != nil {
			return nil, err
		}
		var d idOnly
		if err := c.Call(ctx, "POST", "/api/v1/party-development", map[string]any{"person_id": person, "org_id": under.ID, "applied_on": "2024-01-10"}, &d); err != nil {
			return nil, err
		}
		other, err := newPerson(ctx, c, under.ZoneID, "")
		spare.Put(under, "applicant", other)
		return map[string]string{"id": d.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/party-development":
			return map[string]any{"person_id": spare.Get(under, "applicant"), "org_id": under.ID, "applied_on": "2024-02-01"}
		case "POST /api/v1/party-development/{id}/stages":
			return map[string]any{"stage": "activist", "reached_on": "2024-06-01"}
		}
		return nil
	},
}

// brandFixture: an enterprise's brand; the creating body names another
// enterprise of the same park (one brand per enterprise).
var brandFixture = kit.Fixture{
	Resource: "brand",
	Under:    []string{access.KindEnterprise},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		var ent struct {
			ParkID string `json:"park_id"`
		}
		if err := c.Call(ctx, "GET", "/api/v1/enterprises/"+under.ID, nil, &ent); err != nil {
			return nil, err
		}
		var other idOnly
		if err := c.Call(ctx, "POST", "/api/v1/enterprises", map[string]any{"park_id": ent.ParkID, "name": kit.Unique("矩阵品牌企业"),
			"uscc": kit.USCC()}, &other); err != nil {
			return nil, err
		}
		spare.Put(under, "enterprise", other.ID)
		var b idOnly
		err := c.Call(ctx, "POST", "/api/v1/brands", map[string]any{"enterprise_id": under.ID, "name": kit.Unique("矩阵党建"), "function": "political",
			"practices": []map[string]any{{"title": "党员先锋岗"}}}, &b)
		return map[string]string{"id": b.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/brands":
			return map[string]any{"enterprise_id": spare.Get(under, "enterprise"), "name": kit.Unique("新党建品牌"), "function": "development"}
		case "PATCH /api/v1/brands/{id}":
			return map[string]any{"slogan": kit.Unique("口号")}
		case "POST /api/v1/brands/{id}/evaluations":
			return map[string]any{"year": 2024, "score": 88}
		}
		return nil
	},
}

var innovationFixture = kit.Fixture{
	Resource: "innovation",
	Under:    []string{access.KindEnterprise},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		var it idOnly
		err := c.Call(ctx, "POST", "/api/v1/innovations", map[string]any{"organizer_id": under.ID, "title": kit.Unique("矩阵创新举措"),
			"function": "development", "introduced_on": "2024-03-01", "tags": []string{"矩阵"}}, &it)
		return map[string]string{"id": it.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/innovations":
			return map[string]any{"organizer_id": under.ID, "title": kit.Unique("新创新举措"), "function": "service", "introduced_on": "2024-04-01"}
		case "PATCH /api/v1/innovations/{id}":
			return map[string]any{"results": kit.Unique("成效")}
		}
		return nil
	},
}
