package arteryapi

import (
	"context"

	"tongxin/internal/access"
	"tongxin/internal/kit"
)

type idOnly struct {
	ID string `json:"id"`
}

func newInstitute(ctx context.Context, c kit.Caller, zoneID string) (string, error) {
	var it idOnly
	err := c.Call(ctx, "POST", "/api/v1/institutes", map[string]any{"zone_id": zoneID, "name": kit.Unique("矩阵研究所 ")}, &it)
	return it.ID, err
}

func newListing(ctx context.Context, c kit.Caller, kind, ownerField, ownerID string) (string, error) {
	var l idOnly
	err := c.Call(ctx, "POST", "/api/v1/listings", map[string]any{"kind": kind, "category": "technology", "title": kit.Unique("数控装备技术 "),
		ownerField: ownerID}, &l)
	return l.ID, err
}

// chainFixture: chains are zone-wide.
var chainFixture = kit.Fixture{
	Resource: "chain",
	Under:    []string{access.KindZone},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		var ch idOnly
		err := c.Call(ctx, "POST", "/api/v1/chains", map[string]any{"zone_id": under.ZoneID, "name": kit.Unique("矩阵产业链 "),
			"segments": []map[string]any{{"stage": "upstream", "name": "原料"}}}, &ch)
		return map[string]string{"id": ch.ID}, err
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/chains":
			return map[string]any{"zone_id": under.ZoneID, "name": kit.Unique("新产业链 ")}
		case "PATCH /api/v1/chains/{id}":
			return map[string]any{"name": kit.Unique("改名产业链 ")}
		}
		return nil
	},
}

var instituteFixture = kit.Fixture{
	Resource: "institute",
	Under:    []string{access.KindZone},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		id, err := newInstitute(ctx, c, under.ZoneID)
		return map[string]string{"id": id}, err
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/institutes":
			return map[string]any{"zone_id": under.ZoneID, "name": kit.Unique("新研究所 ")}
		case "PATCH /api/v1/institutes/{id}":
			return map[string]any{"name": kit.Unique("改名研究所 ")}
		}
		return nil
	},
}

// listingFixture: an enterprise's need.
var listingFixture = kit.Fixture{
	Resource: "listing",
	Under:    []string{access.KindEnterprise},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		id, err := newListing(ctx, c, "need", "enterprise_id", under.ID)
		return map[string]string{"id": id}, err
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/listings":
			return map[string]any{"kind": "offer", "category": "capacity", "title": kit.Unique("富余产能 "), "enterprise_id": under.ID}
		case "PATCH /api/v1/listings/{id}":
			return map[string]any{"title": kit.Unique("改题需求 ")}
		}
		return nil
	},
}

// needAndOffer makes a need of the enterprise under and an offer of a new
// institute of its zone.
func needAndOffer(ctx context.Context, c kit.Caller, under kit.Node) (need, offer string, err error) {
	inst, err := newInstitute(ctx, c, under.ZoneID)
	if err != nil {
		return "", "", err
	}
	if need, err = newListing(ctx, c, "need", "enterprise_id", under.ID); err != nil {
		return "", "", err
	}
	offer, err = newListing(ctx, c, "offer", "institute_id", inst)
	return need, offer, err
}

// spare holds, per node a fixture row was made under, a need and an offer
// not matched yet and an institute for the creating routes' bodies.
var spare kit.Spares

func stash(ctx context.Context, c kit.Caller, under kit.Node) error {
	need, offer, err := needAndOffer(ctx, c, under)
	if err != nil {
		return err
	}
	inst, err := newInstitute(ctx, c, under.ZoneID)
	spare.Put(under, "need", need)
	spare.Put(under, "offer", offer)
	spare.Put(under, "institute", inst)
	return err
}

// matchFixture: a match of an enterprise's need with an institute's offer.
var matchFixture = kit.Fixture{
	Resource: "match",
	Under:    []string{access.KindEnterprise},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		need, offer, err := needAndOffer(ctx, c, under)
		if err != nil {
			return nil, err
		}
		var m idOnly
		if err = c.Call(ctx, "POST", "/api/v1/matches", map[string]any{"need_id": need, "offer_id": offer}, &m); err != nil {
			return nil, err
		}
		return map[string]string{"id": m.ID}, stash(ctx, c, under)
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "POST /api/v1/matches":
			return map[string]any{"need_id": spare.Get(under, "need"), "offer_id": spare.Get(under, "offer")}
		case "POST /api/v1/matches/{id}/actions":
			return map[string]any{"action": "decline", "note": "矩阵测试"}
		}
		return nil
	},
}

// cooperationFixture: an enterprise with a new institute.
var cooperationFixture = kit.Fixture{
	Resource: "cooperation",
	Under:    []string{access.KindEnterprise},
	New: func(ctx context.Context, c kit.Caller, under kit.Node) (map[string]string, error) {
		inst, err := newInstitute(ctx, c, under.ZoneID)
		if err != nil {
			return nil, err
		}
		var co idOnly
		err = c.Call(ctx, "POST", "/api/v1/cooperations", map[string]any{"type": "research", "title": kit.Unique("矩阵合作 "),
			"enterprise_ids": []string{under.ID}, "institute_ids": []string{inst}, "organizer_id": under.ID}, &co)
		if err != nil {
			return nil, err
		}
		return map[string]string{"id": co.ID}, stash(ctx, c, under)
	},
	Body: func(route string, under kit.Node) any {
		switch route {
		case "PATCH /api/v1/cooperations/{id}":
			return map[string]any{"title": kit.Unique("改名合作 "), "milestones": []map[string]any{{"title": "样机", "due_on": "2026-12-01"}}}
		case "POST /api/v1/cooperations/{id}/actions":
			return map[string]any{"action": "start"}
		case "POST /api/v1/cooperations":
			return map[string]any{"type": "research", "title": kit.Unique("新合作 "), "enterprise_ids": []string{under.ID},
				"institute_ids": []string{spare.Get(under, "institute")}, "organizer_id": under.ID}
		}
		return nil
	},
}
