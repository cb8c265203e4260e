package activitiesapi

import (
	"context"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/kit"
)

// The fixtures make activities organised by a park, in the three states
// the routes act on: published (sign-up, codes, cancel, complete),
// draft (publish, delete) and completed with a credited person and a
// pending correction (hours, decisions, the correction queue).

func activityBody(under kit.Node) map[string]any {
	start := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Hour)
	return map[string]any{"organizer_id": under.ID, "title": kit.Unique("矩阵活动 "), "kind": "volunteer", "function": "service",
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(3 * time.Hour).Format(time.RFC3339), "capacity": 20,
		"checkin_mode": "auto", "location": map[string]any{"name": "安东园服务中心", "lat": 24.78, "lng": 118.55}}
}

type idOnly struct {
	ID string `json:"id"`
}

func newActivity(ctx context.Context, c kit.Caller, under kit.Node, publish bool) (string, error) {
	var a idOnly
	if err := c.Call(ctx, "POST", "/api/v1/activities", activityBody(under), &a); err != nil {
		return "", err
	}
	if publish {
		if err := c.Call(ctx, "POST", "/api/v1/activities/"+a.ID+"/publish", nil, nil); err != nil {
			return "", err
		}
	}
	return a.ID, nil
}

var activityFixture = kit.Fixture{
	Resource: "activity",
	Under:    []string{access.KindPark},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		id, err := newActivity(ctx, c, under, true)
		if err != nil {
			return nil, err
		}
		var code struct {
			Code string `json:"code"`
		}
		err = c.Call(ctx, "POST", "/api/v1/activities/"+id+"/checkin-codes", map[string]any{}, &code)
		return map[string]string{"id": id, "code": code.Code}, err
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/activities":
			return activityBody(under)
		case "PATCH /api/v1/activities/{id}":
			return map[string]any{"title": kit.Unique("改名活动 "), "capacity": 30}
		case "POST /api/v1/activities/{id}/checkin-codes":
			return map[string]any{"ttl_seconds": 60}
		}
		return nil
	},
}

var draftFixture = kit.Fixture{
	Resource: "draft_activity",
	Under:    []string{access.KindPark},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		id, err := newActivity(ctx, c, under, false)
		return map[string]string{"id": id}, err
	},
}

// completedFixture credits a worker of an enterprise of the park and files
// a correction for them.
var completedFixture = kit.Fixture{
	Resource: "completed_activity",
	Under:    []string{access.KindPark},
	ListKey:  "activity_id",
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		var ent, person, corr idOnly
		if err := c.Call(ctx, "POST", "/api/v1/enterprises", map[string]any{"park_id": under.ID, "name": kit.Unique("活动企业 "), "uscc": kit.USCC()}, &ent); err != nil {
			return nil, err
		}
		if err := c.Call(ctx, "POST", "/api/v1/people", map[string]any{"zone_id": under.ZoneID, "name": kit.Unique("志愿者"), "enterprise_id": ent.ID}, &person); err != nil {
			return nil, err
		}
		id, err := newActivity(ctx, c, under, true)
		if err != nil {
			return nil, err
		}
		base := "/api/v1/activities/" + id
		if err := c.Call(ctx, "POST", base+"/signups", map[string]any{"person_id": person.ID}, nil); err != nil {
			return nil, err
		}
		if err := c.Call(ctx, "POST", base+"/complete", nil, nil); err != nil {
			return nil, err
		}
		err = c.Call(ctx, "POST", base+"/corrections", map[string]any{"person_id": person.ID, "hours": 2.5, "reason": "签退漏记"}, &corr)
		return map[string]string{"id": id, "person_id": person.ID, "correction_id": corr.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "PUT /api/v1/activities/{id}/hours/{person_id}":
			return map[string]any{"hours": 1.5, "note": "补录"}
		case "POST /api/v1/activities/{id}/corrections/{correction_id}/decision":
			return map[string]any{"decision": "approve", "note": "属实"}
		}
		return nil
	},
}

var campaignFixture = kit.Fixture{
	Resource: "campaign",
	Under:    []string{access.KindPark},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		var x idOnly
		err := c.Call(ctx, "POST", "/api/v1/campaigns", map[string]any{"organizer_id": under.ID, "name": kit.Unique("疫情防控 "), "function": "governance"}, &x)
		return map[string]string{"id": x.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/campaigns":
			return map[string]any{"organizer_id": under.ID, "name": kit.Unique("护河行动 "), "function": "governance"}
		case "PATCH /api/v1/campaigns/{id}":
			return map[string]any{"name": kit.Unique("改名行动 ")}
		}
		return nil
	},
}
