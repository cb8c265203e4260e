package demo

import (
	"context"
	"fmt"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/activities"
	"tongxin/internal/db"
	"tongxin/internal/etag"
	"tongxin/internal/matrix"
	"tongxin/internal/secret"
)

// The article's activities, loaded through the activities service itself
// (create, publish, sign up, check in, complete), so their sign-ups,
// check-ins and hours are recorded — and the 3.14π matrix counted — by the
// same code as any other. Each step runs on a clock set to when it would
// have happened. The article gives the river day (可慕溪五里园河段, the day
// before 2022-11-15, 5 riverside enterprises, 14 members) and the 安东园
// alliance's epidemic work (38 organisations, 207 volunteers on the five
// posts); the party lesson in 盼盼饮料's red workshop, the summer childcare
// class 快乐成长、安心一夏, 成达齿轮's red production line, the free clinic for elderly people and the
// party-history study in the neighbourhood are named without figures, so
// their dates, times and head counts here are sample data.

type demoActivity struct {
	campaign    string // campaign name ("" for none)
	organizer   string
	title, desc string
	kind, fn    string
	place       string
	start       time.Time
	length      time.Duration
	hours       float64
	mode        string
	posts       []activities.PostInput
	people      []string
	checkIns    int  // how many check in (mode checkin)
	complete    bool // completed and credited
}

func cst(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, matrix.Local)
}

func intp(n int) *int { return &n }

// clock is a settable time for the demo's service.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// loadActivities records the article's activities in zoneID.
func loadActivities(ctx context.Context, d *db.DB, keys *secret.Keys, zoneID string) error {
	c := &clock{}
	dd := d.WithClock(c.now)
	svc := &activities.Service{DB: dd, Keys: keys}
	ctx = access.With(ctx, &access.Principal{Username: "demo", ZoneID: zoneID,
		Grants: []access.Grant{{Role: access.PlatformAdmin, ScopeID: zoneID, Kind: access.KindZone, Path: access.ZonePath(zoneID), ZoneID: zoneID}}})

	one := func(q string, args ...any) (string, error) {
		var id string
		err := d.R.QueryRowContext(ctx, q, args...).Scan(&id)
		if err != nil {
			return "", fmt.Errorf("demo activities: %s: %w", q, err)
		}
		return id, nil
	}
	many := func(n int, q string, args ...any) ([]string, error) {
		var out []string
		err := db.Each(ctx, d.R, q+fmt.Sprintf(" LIMIT %d", n), args, func(s db.Scanner) error {
			var id string
			err := s.Scan(&id)
			out = append(out, id)
			return err
		})
		return out, err
	}
	park := func(code string) (string, error) {
		return one(`SELECT id FROM parks WHERE zone_id = $1 AND code = $2`, zoneID, code)
	}
	wuli, err := park("wuli")
	if err != nil {
		return err
	}
	andong, err := park("andong")
	if err != nil {
		return err
	}
	food, err := park("food")
	if err != nil {
		return err
	}
	alliance, err := one(`SELECT id FROM alliances WHERE zone_id = $1 AND park_id = $2`, zoneID, andong)
	if err != nil {
		return err
	}
	chengdaBranch, err := one(`SELECT oe.org_id FROM org_enterprises oe JOIN enterprises e ON e.id = oe.enterprise_id
		WHERE e.zone_id = $1 AND e.name = '晋江市成达齿轮有限公司' ORDER BY oe.org_id`, zoneID)
	if err != nil {
		return err
	}
	chengda, err := many(12, `SELECT p.id FROM people p JOIN enterprises e ON e.id = p.enterprise_id WHERE e.zone_id = $1
		AND e.name = '晋江市成达齿轮有限公司' ORDER BY CASE WHEN p.party_status IS NULL THEN 1 ELSE 0 END, p.id`, db.Args{zoneID}...)
	if err != nil {
		return err
	}
	committee, err := one(`SELECT id FROM orgs WHERE zone_id = $1 AND kind = 'working_committee'`, zoneID)
	if err != nil {
		return err
	}
	station := func(parkID string) (string, error) {
		return one(`SELECT id FROM stations WHERE park_id = $1 ORDER BY name, id`, parkID)
	}
	andongStation, err := station(andong)
	if err != nil {
		return err
	}
	foodStation, err := station(food)
	if err != nil {
		return err
	}
	// The five riverside enterprises: the article's Wuli enterprises first.
	riverside, err := many(5, `SELECT id FROM enterprises WHERE zone_id = $1 AND park_id = $2 ORDER BY sample, name`, db.Args{zoneID, wuli}...)
	if err != nil {
		return err
	}
	var a db.Args
	river, err := many(14, `SELECT id FROM people WHERE party_status IS NOT NULL AND enterprise_id IN (`+a.In(riverside)+`) ORDER BY id`, a...)
	if err != nil {
		return err
	}
	// 207 volunteers of 安东园: party members first, then workers.
	epidemic, err := many(207, `SELECT p.id FROM people p JOIN enterprises e ON e.id = p.enterprise_id WHERE e.park_id = $1
		ORDER BY CASE WHEN p.party_status IS NULL THEN 1 ELSE 0 END, p.id`, db.Args{andong}...)
	if err != nil {
		return err
	}
	// 盼盼饮料's people first, then members of the food park's other
	// enterprises as the worker representatives.
	panpan, err := many(32, `SELECT p.id FROM people p JOIN enterprises e ON e.id = p.enterprise_id WHERE e.park_id = $1
		ORDER BY CASE WHEN e.name = '福建盼盼饮料有限公司' THEN 0 WHEN p.party_status IS NOT NULL THEN 1 ELSE 2 END, p.id`, db.Args{food}...)
	if err != nil {
		return err
	}
	andongMembers, err := many(12, `SELECT p.id FROM people p JOIN enterprises e ON e.id = p.enterprise_id WHERE e.park_id = $1
		AND p.party_status IS NOT NULL ORDER BY p.id DESC`, db.Args{andong}...)
	if err != nil {
		return err
	}
	foodPeople, err := many(10, `SELECT p.id FROM people p JOIN enterprises e ON e.id = p.enterprise_id WHERE e.park_id = $1
		ORDER BY CASE WHEN p.party_status IS NULL THEN 1 ELSE 0 END, p.id DESC`, db.Args{food}...)
	if err != nil {
		return err
	}
	members, err := many(25, `SELECT id FROM people WHERE zone_id = $1 AND party_status IS NOT NULL ORDER BY name, id`, db.Args{zoneID}...)
	if err != nil {
		return err
	}

	campaigns := map[string]string{}
	for _, cp := range []activities.CampaignInput{
		{OrganizerID: wuli, Name: "“党建+”河长制·守护幸福河湖", Function: "governance", Description: "园区企业党组织、党员、职工和周边居民参与爱河护河。"},
		{OrganizerID: alliance, Name: "安东园党建联盟疫情防控志愿服务", Function: "governance", Description: "38家企业党组织、207名党员和职工志愿者参与各企业网格防疫。"},
	} {
		c.t = cst(2022, 3, 1, 9, 0)
		x, err := svc.CreateCampaign(ctx, cp)
		if err != nil {
			return err
		}
		campaigns[cp.Name] = x.ID
	}
	posts := []activities.PostInput{
		{Name: "核酸采样点秩序维持", Capacity: intp(60)},
		{Name: "人员排摸", Capacity: intp(45)},
		{Name: "企业“出入关”管理", Capacity: intp(50)},
		{Name: "公共区域消杀", Capacity: intp(30)},
		{Name: "疫情防控宣传", Capacity: intp(22)},
	}
	upcoming := time.Now().In(matrix.Local).AddDate(0, 0, 10).Truncate(24 * time.Hour).Add(9 * time.Hour)
	for _, x := range []demoActivity{
		{campaign: "“党建+”河长制·守护幸福河湖", organizer: wuli, title: "“守护幸福河湖”主题党日", kind: "theme_day", fn: "governance",
			desc: "可慕溪沿岸5家企业的党员清理河岸垃圾、巡查河段。", place: "可慕溪五里园河段", start: cst(2022, 11, 14, 8, 30), length: 3 * time.Hour, hours: 3,
			mode: "checkin", people: river, checkIns: len(river), complete: true},
		{campaign: "安东园党建联盟疫情防控志愿服务", organizer: alliance, title: "安东园企业网格疫情防控志愿服务", kind: "volunteer", fn: "governance",
			desc: "核酸采样点秩序维持、人员排摸、企业“出入关”管理、公共区域消杀、疫情防控宣传。", place: "安东园各企业网格",
			start: cst(2022, 4, 2, 7, 0), length: 10 * time.Hour, hours: 8, mode: "auto", posts: posts, people: epidemic, complete: true},
		{organizer: food, title: "红色车间里的党课", kind: "lesson", fn: "political", desc: "食品园在盼盼饮料红色生产线开讲，盼盼饮料党支部党员和园区职工代表参加。（示例日期）",
			place: "福建盼盼饮料有限公司红色车间", start: cst(2022, 9, 28, 15, 0), length: 2 * time.Hour, hours: 2, mode: "checkin",
			people: panpan, checkIns: len(panpan), complete: true},
		{organizer: chengdaBranch, title: "红色生产线主题党日：党员先锋岗", kind: "theme_day", fn: "development",
			desc: "成达齿轮党支部党员在车间亮身份、当表率，带动职工创先争优。（示例日期）", place: "晋江市成达齿轮有限公司红色车间",
			start: cst(2022, 8, 26, 14, 0), length: 2 * time.Hour, hours: 2, mode: "checkin", people: chengda, checkIns: len(chengda), complete: true},
		{organizer: andongStation, title: "“快乐成长、安心一夏”职工子女暑托班", kind: "volunteer", fn: "service",
			desc: "党员志愿者为职工子女提供课业辅导和安全看护。（示例日期）", place: "安东园党建工作指导服务站", start: cst(2022, 7, 11, 8, 0),
			length: 40*24*time.Hour + 9*time.Hour, hours: 24, mode: "auto",
			posts: []activities.PostInput{{Name: "课业辅导", Capacity: intp(6)}, {Name: "安全看护", Capacity: intp(6)}}, people: andongMembers, complete: true},
		{organizer: foodStation, title: "“关爱老年人，暖心服务下基层”义诊", kind: "clinic", fn: "service",
			desc: "为园区周边老年人量血压、测血糖、提供健康咨询。（示例日期）", place: "食品园党建工作指导服务站", start: cst(2022, 10, 20, 8, 30),
			length: 4 * time.Hour, hours: 4, mode: "checkin", people: foodPeople, checkIns: 9, complete: true},
		{organizer: committee, title: "“党史学习教育进邻里”", kind: "study", fn: "political", desc: "党员走进邻里中心，与职工和居民共学党史。（示例日期）",
			place: "开发区邻里中心", start: cst(2022, 6, 16, 19, 0), length: 2 * time.Hour, hours: 2, mode: "checkin",
			people: members, checkIns: 22, complete: true},
		{campaign: "“党建+”河长制·守护幸福河湖", organizer: wuli, title: "“守护幸福河湖”主题党日（下一期）", kind: "theme_day", fn: "governance",
			desc: "报名进行中。（示例）", place: "可慕溪五里园河段", start: upcoming, length: 3 * time.Hour, hours: 3, mode: "checkin", people: river[:min(6, len(river))]},
	} {
		if err := demoOne(ctx, svc, c, campaigns[x.campaign], x); err != nil {
			return fmt.Errorf("demo activity %s: %w", x.title, err)
		}
	}
	return nil
}

// demoOne creates, publishes, fills and (when x.complete) completes one
// activity, moving the clock along.
func demoOne(ctx context.Context, svc *activities.Service, c *clock, campaign string, x demoActivity) error {
	credit := x.hours
	capacity := max(len(x.people), 1)
	if len(x.posts) > 0 {
		capacity = 0
		for _, p := range x.posts {
			capacity += *p.Capacity
		}
	}
	c.t = x.start.AddDate(0, 0, -10)
	if !x.complete {
		c.t = time.Now()
	}
	a, err := svc.Create(ctx, activities.Input{CampaignID: campaign, Title: x.title, Description: x.desc, Kind: x.kind, Function: x.fn,
		OrganizerID: x.organizer, StartsAt: x.start.UTC().Format(time.RFC3339), EndsAt: x.start.Add(x.length).UTC().Format(time.RFC3339),
		Location: &activities.LocationInput{Name: x.place}, Capacity: intp(capacity), CreditHours: &credit, CheckinMode: x.mode, Posts: x.posts})
	if err != nil {
		return err
	}
	if a, err = svc.Publish(ctx, a.ID, etag.Match{}); err != nil {
		return err
	}
	post, left := 0, 0
	if len(a.Posts) > 0 {
		left = a.Posts[0].Capacity
	}
	for _, p := range x.people {
		in := activities.SignupInput{PersonID: p}
		if len(a.Posts) > 0 {
			for left == 0 && post < len(a.Posts)-1 {
				post++
				left = a.Posts[post].Capacity
			}
			in.PostID = a.Posts[post].ID
			left--
		}
		if _, err := svc.SignUp(ctx, a.ID, in); err != nil {
			return err
		}
	}
	if !x.complete {
		return nil
	}
	if x.checkIns > 0 {
		c.t = x.start.Add(-10 * time.Minute)
		code, err := svc.MintCode(ctx, a.ID, activities.MaxCodeTTL)
		if err != nil {
			return err
		}
		for i, p := range x.people[:min(x.checkIns, len(x.people))] {
			c.t = x.start.Add(time.Duration(i-10) * time.Minute / 2)
			if _, err := svc.CheckIn(ctx, activities.CheckinInput{Code: code.Code, PersonID: p}); err != nil {
				return err
			}
		}
	}
	c.t = x.start.Add(x.length)
	_, err = svc.Complete(ctx, a.ID, etag.Match{})
	return err
}
