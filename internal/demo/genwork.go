package demo

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/matrix"
	"tongxin/internal/search"
	"tongxin/internal/servicenet"
)

// The work of a generated zone: activities with their sign-ups, the
// service network (the default catalogue, service points, requests with
// their timelines) and the 3.14π matrix facts all of it counts — the rows
// a zone accumulates over a few years, so lists, searches, the matrix and
// the load benchmark (cmd/tongxin-load) meet realistic tables. Rows are
// written in bulk, not through the domain services (a million sign-ups one
// transaction at a time would take hours); the figures the services keep
// incrementally (signup_seq, matrix_facts) are computed here the same way.
//
// Past activities (before Reference) are completed — their registered
// people checked in and credited — or, one in twenty-five, cancelled.
// Upcoming ones (UpcomingShare of them) start one to two years after
// Reference, are published and open for sign-up, and are filled to at
// most half their capacity, so a benchmark can sign people up without
// every attempt meeting a full activity.

// UpcomingShare is the share of generated activities still open.
const UpcomingShare = 0.05

var (
	activityKinds = []struct{ kind, fn, title string }{
		{"theme_day", "political", "主题党日"},
		{"lesson", "political", "专题党课"},
		{"study", "political", "理论学习"},
		{"volunteer", "service", "志愿服务"},
		{"volunteer", "governance", "河道巡护"},
		{"culture", "service", "文体活动"},
		{"clinic", "service", "义诊服务"},
		{"other", "development", "技能培训"},
		{"other", "development", "政策宣讲"},
	}
	requestTexts = map[string][]string{
		"party_mass":     {"组织关系转接咨询", "党费缴纳咨询", "入党申请材料咨询"},
		"legal_aid":      {"劳动合同纠纷咨询", "工伤认定咨询", "欠薪维权求助"},
		"grid_work":      {"宿舍区路灯损坏", "厂区周边垃圾清运", "道路积水报修"},
		"property":       {"宿舍漏水报修", "电梯故障报修", "门禁卡补办"},
		"childcare":      {"子女入学咨询", "暑期托管班报名", "托育机构咨询"},
		"medical":        {"职工体检预约", "医保报销咨询", "慢性病随访"},
		"daily_life":     {"租房信息咨询", "快递代收点咨询", "宿舍用电申请"},
		"culture_sports": {"篮球场预约", "职工书屋借阅", "文艺汇演报名"},
		"errands":        {"居住证代办", "社保卡代办", "公积金提取代办"},
		"employment":     {"技能培训报名", "岗位推荐求助", "职称评审咨询"},
	}
)

// work generates the activities, sign-ups, service network and matrix
// facts of the zone fill has just written.
func (g *gen) work(parks []ParkRef, centres map[string]centre, orgs []*org, people []person, sc Scale) error {
	facts := map[factKey]*matrix.Figures{}
	fact := func(p matrix.Place, fn string, at time.Time, f matrix.Figures) {
		day := matrix.Day(at)
		for _, k := range []factKey{{"d", day, p, fn}, {"m", day / 100, p, fn}, {"y", day / 10000, p, fn}} {
			c := facts[k]
			if c == nil {
				c = &matrix.Figures{}
				facts[k] = c
			}
			c.Activities += f.Activities
			c.Participants += f.Participants
			c.VolunteerMinutes += f.VolunteerMinutes
			c.RequestsResolved += f.RequestsResolved
		}
	}

	// Organisers: the zone, its parks and its party organisations other
	// than the working committee, at the level matrix.PlaceOf gives them.
	type organizer struct {
		id, kind, name string
		place          matrix.Place
	}
	orgz := []organizer{{g.zoneID, access.KindZone, "开发区", matrix.Place{ZoneID: g.zoneID, NodeID: g.zoneID, Level: "zone"}}}
	for _, p := range parks {
		orgz = append(orgz, organizer{p.ID, access.KindPark, p.Name, matrix.Place{ZoneID: g.zoneID, NodeID: p.ID, ParkID: p.ID, Level: "park"}})
	}
	for _, o := range orgs {
		switch o.kind {
		case "working_committee":
			continue
		case "committee":
			orgz = append(orgz, organizer{o.id, access.KindOrg, o.name, matrix.Place{ZoneID: g.zoneID, NodeID: o.id, ParkID: o.park, Level: "park"}})
		default:
			orgz = append(orgz, organizer{o.id, access.KindOrg, o.name, matrix.Place{ZoneID: g.zoneID, NodeID: o.id, ParkID: o.park, Level: "enterprise"}})
		}
	}

	perActivity := 0
	if sc.Activities > 0 {
		perActivity = sc.Signups / sc.Activities
	}
	const cols = `id, zone_id, title, description, kind, function, level, park_id, organizer_id, organizer_kind, organizer_node,
		starts_at, ends_at, location_name, lat, lng, capacity, credit_minutes, checkin_mode, signup_closes_at, cancel_closes_at,
		status, signup_seq, search_key, version, created_at, updated_at`
	taken := map[int]bool{}
	for n := range sc.Activities {
		upcoming := g.r.Float64() < UpcomingShare
		o := orgz[g.r.IntN(len(orgz))]
		if upcoming && g.r.IntN(2) == 0 { // the zone's and parks' activities are the ones open to many
			o = orgz[g.r.IntN(1+len(parks))]
		}
		k := activityKinds[g.r.IntN(len(activityKinds))]
		var start time.Time
		if upcoming {
			start = Reference.AddDate(1, 0, g.r.IntN(365))
		} else {
			start = Reference.AddDate(0, 0, -1-g.r.IntN(3*365))
		}
		start = time.Date(start.Year(), start.Month(), start.Day(), 8+g.r.IntN(10), 30*g.r.IntN(2), 0, 0, matrix.Local)
		length := time.Duration(1+g.r.IntN(4)) * time.Hour
		capacity := max(10, perActivity+g.r.IntN(perActivity+1)) // never below what is signed up
		status := "completed"
		signups := perActivity/2 + g.r.IntN(perActivity+1)
		switch {
		case upcoming:
			status = "published"
			signups = g.r.IntN(capacity/2 + 1)
		case g.r.IntN(25) == 0:
			status, signups = "cancelled", 0
		}
		signups = min(signups, capacity, len(people))
		title := fmt.Sprintf("%s%s（第%d期）", short(o.name), k.title, 1+n%50)
		place := o.name
		var lat, lng any
		if o.place.ParkID != "" {
			la, ln := g.around(centres[o.place.ParkID])
			lat, lng = la, ln
			place = parkName(parks, o.place.ParkID) + "党群服务中心"
		}
		var park any
		if o.place.ParkID != "" {
			park = o.place.ParkID
		}
		id := g.id()
		minutes := int64(length / time.Minute)
		closes := start.Add(-2 * time.Hour)
		if err := g.b.add("activities", cols, id, g.zoneID, title, "", k.kind, k.fn, o.place.Level, park, o.id, o.kind, o.place.NodeID,
			db.Micros(start), db.Micros(start.Add(length)), place, lat, lng, capacity, minutes, "checkin", db.Micros(closes), db.Micros(closes),
			status, signups, search.Key(title, place), 1, g.at(), g.at()); err != nil {
			return err
		}
		clear(taken)
		for s := range signups {
			i := g.r.IntN(len(people))
			for taken[i] {
				i = g.r.IntN(len(people))
			}
			taken[i] = true
			var in, credited, creditedAt any
			if status == "completed" {
				in, credited, creditedAt = db.Micros(start), minutes, db.Micros(start.Add(length))
			}
			if err := g.b.add("activity_signups", "id, zone_id, activity_id, person_id, status, seq, checked_in_at, credited_minutes, credited_at, created_at, updated_at",
				g.id(), g.zoneID, id, people[i].id, "registered", s+1, in, credited, creditedAt, g.at(), g.at()); err != nil {
				return err
			}
		}
		switch status {
		case "completed":
			fact(o.place, k.fn, start, matrix.Figures{Activities: 1, Participants: int64(signups), VolunteerMinutes: int64(signups) * minutes})
		case "published":
			fact(o.place, k.fn, start, matrix.Figures{Activities: 1})
		}
	}

	// The service network: the default catalogue, a centre and a point per
	// park offering every service, and the requests people filed there.
	if sc.Requests > 0 {
		now := g.at()
		if err := g.b.add("service_catalogues", "zone_id, seeded_at", g.zoneID, now); err != nil {
			return err
		}
		for _, e := range servicenet.DefaultCatalogue {
			if err := g.b.add("services", "zone_id, code, name, category, function, sla_hours, version, created_at, updated_at",
				g.zoneID, e.Code, e.Name, e.Category, e.Function, e.SLAHours, 1, now, now); err != nil {
				return err
			}
		}
	}
	type point struct{ id, park string }
	var points []point
	for _, p := range parks {
		if sc.Requests == 0 {
			break
		}
		for _, kind := range []string{"center", "point"} {
			id := g.id()
			name := p.Name + "党群服务中心"
			if kind == "point" {
				name = p.Name + "职工服务驿站"
			}
			if err := g.node(id, access.KindPoint, p.ID, name); err != nil {
				return err
			}
			lat, lng := g.around(centres[p.ID])
			addr := fmt.Sprintf("晋江经济开发区%s%s%d号", p.Name, streets[g.r.IntN(len(streets))], 1+g.r.IntN(300))
			if err := g.b.add("service_points", "id, zone_id, park_id, name, kind, address, lat, lng, hours, version, created_at, updated_at",
				id, g.zoneID, p.ID, name, kind, addr, lat, lng, "周一至周五 8:30-17:30", 1, g.at(), g.at()); err != nil {
				return err
			}
			for _, e := range servicenet.DefaultCatalogue {
				if err := g.b.add("service_point_services", "point_id, service_code, zone_id", id, e.Code, g.zoneID); err != nil {
					return err
				}
			}
			points = append(points, point{id, p.ID})
		}
	}
	steps := []string{"submit", "accept", "start", "resolve", "close"}
	for range sc.Requests {
		pt := points[g.r.IntN(len(points))]
		e := servicenet.DefaultCatalogue[g.r.IntN(len(servicenet.DefaultCatalogue))]
		texts := requestTexts[e.Code]
		desc := texts[g.r.IntN(len(texts))]
		who := people[g.r.IntN(len(people))]
		at := Reference.Add(-time.Duration(1+g.r.IntN(2*365*24)) * time.Hour)
		// Most are closed; the most recent are still on their way.
		done := len(steps)
		switch x := g.r.IntN(100); {
		case x < 5:
			done = 1
		case x < 10:
			done = 2
		case x < 15:
			done = 3
		case x < 25:
			done = 4
		}
		status := map[int]string{1: "submitted", 2: "accepted", 3: "in_progress", 4: "resolved", 5: "closed"}[done]
		id := g.id()
		lat, lng := g.around(centres[pt.park])
		due := at.Add(time.Duration(e.SLAHours) * time.Hour)
		// An open request past its deadline at Reference was escalated when
		// it fell due, as the overdue sweep does it (servicenet.Sweep): the
		// zone is generated in its steady state, not with a backlog that
		// every server started on it escalates 500 a minute for hours.
		var overdueAt any
		escalated := servicenet.Open(status) && due.Before(Reference)
		if escalated {
			overdueAt = db.Micros(due)
		}
		if err := g.b.add("service_requests", `id, zone_id, park_id, point_id, service_code, description, requester_id, contact_name, contact_phone,
			address, lat, lng, status, due_at, overdue_at, source, version, created_at, updated_at`,
			id, g.zoneID, pt.park, pt.id, e.Code, desc, who.id, who.name, g.keys.Seal(who.phone), "", lat, lng, status,
			db.Micros(due), overdueAt, "api", done, db.Micros(at), db.Micros(at.Add(time.Duration(done-1)*time.Hour))); err != nil {
			return err
		}
		for j := range done {
			t := at.Add(time.Duration(j) * time.Hour)
			if err := g.b.add("service_request_events", "id, request_id, zone_id, at, action, note", g.id(), id, g.zoneID, db.Micros(t), steps[j], ""); err != nil {
				return err
			}
			if steps[j] == "resolve" {
				fact(matrix.Place{ZoneID: g.zoneID, NodeID: pt.id, ParkID: pt.park, Level: "park"}, e.Function, t, matrix.Figures{RequestsResolved: 1})
			}
		}
		if escalated {
			if err := g.b.add("service_request_events", "id, request_id, zone_id, at, action, note", g.id(), id, g.zoneID, db.Micros(due), "escalate", ""); err != nil {
				return err
			}
			if err := g.b.add("service_notifications", "id, zone_id, park_id, request_id, kind, due_at, created_at",
				g.id(), g.zoneID, pt.park, id, "overdue", db.Micros(due), db.Micros(due)); err != nil {
				return err
			}
		}
	}

	keys := make([]factKey, 0, len(facts))
	for k := range facts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b factKey) int { // the same seed writes the same rows in the same order
		return cmp.Or(cmp.Compare(a.grain, b.grain), cmp.Compare(a.period, b.period), cmp.Compare(a.place.NodeID, b.place.NodeID),
			cmp.Compare(a.place.Level, b.place.Level), cmp.Compare(a.fn, b.fn))
	})
	for _, k := range keys {
		f := facts[k]
		if err := g.b.add("matrix_facts", `zone_id, grain, period, node_id, park_id, level, function,
			activities, participants, volunteer_minutes, requests_resolved, cases_closed, cooperations`,
			g.zoneID, k.grain, k.period, k.place.NodeID, k.place.ParkID, k.place.Level, k.fn,
			f.Activities, f.Participants, f.VolunteerMinutes, f.RequestsResolved, 0, 0); err != nil {
			return err
		}
	}
	return nil
}

type factKey struct {
	grain  string
	period int
	place  matrix.Place
	fn     string
}
