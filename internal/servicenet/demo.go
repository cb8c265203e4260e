package servicenet

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/nodes"
	"tongxin/internal/secret"
)

// DemoPoint is a service point of the demo zone.
type DemoPoint struct {
	Name, Kind, Address, Hours string
	Lat, Lng                   float64
	Services                   []string
}

// DemoPoints are Wuli Park's neighbourhood centre, whose party-mass
// service, workers' legal service base, grid work and property
// management the article names, and the three new area points it
// announces (their names and places are the loader's: the article gives
// none).
var DemoPoints = []DemoPoint{
	{Name: "五里园“党建+”邻里中心", Kind: KindCenter, Address: "五里园“党建+”邻里中心（含职工法律服务基地）", Hours: "周一至周六 8:30-17:30",
		Lat: 24.7712, Lng: 118.5903, Services: []string{"party_mass", "legal_aid", "grid_work", "property", "childcare", "medical", "daily_life",
			"culture_sports", "errands", "employment"}},
	{Name: "五里园北片区服务点（示例）", Kind: KindPoint, Address: "五里园北片区职工宿舍旁", Hours: "8:30-17:30", Lat: 24.7795, Lng: 118.5921,
		Services: []string{"grid_work", "property", "errands", "daily_life"}},
	{Name: "五里园东片区服务点（示例）", Kind: KindPoint, Address: "五里园东片区廉租房店面", Hours: "8:30-17:30", Lat: 24.7701, Lng: 118.6012,
		Services: []string{"grid_work", "property", "errands", "childcare"}},
	{Name: "五里园南片区服务点（示例）", Kind: KindPoint, Address: "五里园南片区商家联盟服务台", Hours: "8:30-20:00", Lat: 24.7622, Lng: 118.5889,
		Services: []string{"grid_work", "property", "errands", "medical", "culture_sports"}},
}

// demoRequest is a sample request and the steps it went through.
type demoRequest struct {
	point       int
	code        string
	description string
	contact     string
	address     string
	lat, lng    float64
	steps       []demoStep
	rating      int
}

type demoStep struct{ action, note string }

// demoRequests: the work-injury benefits dispute an arbitrator mediated at
// the legal service base (the article), and sample requests in every
// state of the workflow.
var demoRequests = []demoRequest{
	{point: 0, code: "legal_aid", description: "工伤待遇争议：职工与企业就工伤待遇产生争议，申请在园区调解。", contact: "李洪斌（代理律师）",
		address: "“党建+”邻里中心职工法律服务基地", lat: 24.7712, lng: 118.5903, rating: 5,
		steps: []demoStep{{"accept", "职工法律服务基地受理"}, {"start", "仲裁员、调解员参与，当庭调解"}, {"resolve", "经仲裁员当庭调解，双方达成一致，案件妥善解决"},
			{"close", "双方对调解结果无异议"}}},
	{point: 1, code: "property", description: "宿舍楼3层走廊灯不亮（示例）", contact: "王师傅", address: "北片区职工宿舍3号楼", lat: 24.7799, lng: 118.5925},
	{point: 0, code: "childcare", description: "咨询职工子女暑托班报名（示例）", contact: "陈女士", address: "五里园", lat: 24.7715, lng: 118.5899,
		steps: []demoStep{{"accept", "已受理，登记报名信息"}}},
	{point: 2, code: "grid_work", description: "廉租房店面门前占道堆放杂物（示例）", contact: "林先生", address: "东片区廉租房店面", lat: 24.7703, lng: 118.6015,
		steps: []demoStep{{"accept", ""}, {"assign", "交网格员处理"}}},
	{point: 3, code: "medical", description: "希望组织一次义诊进园区（示例）", contact: "张阿姨", address: "南片区商家联盟服务台", lat: 24.7625, lng: 118.5886,
		steps: []demoStep{{"accept", ""}, {"start", "已对接医院，排期中"}}},
	{point: 1, code: "errands", description: "代办居住证材料递交（示例）", contact: "刘师傅", address: "北片区", lat: 24.7790, lng: 118.5918, rating: 4,
		steps: []demoStep{{"accept", ""}, {"start", ""}, {"resolve", "材料已代为递交"}}},
	{point: 0, code: "party_mass", description: "流动党员组织关系转接咨询（示例）", contact: "黄先生", address: "五里园", lat: 24.7711, lng: 118.5905, rating: 5,
		steps: []demoStep{{"accept", ""}, {"start", ""}, {"resolve", "已指导办理转接"}, {"close", ""}}},
	{point: 2, code: "daily_life", description: "申请在宿舍区设置快递代收点（示例）", contact: "吴女士", address: "东片区", lat: 24.7705, lng: 118.6010,
		steps: []demoStep{{"reject", "该片区服务点不提供此项服务，请向北片区服务点申请"}}},
}

// LoadDemo fills parkID (Wuli Park) of the demo zone with the service
// network the article describes: its catalogue, the neighbourhood centre
// and the three area points, a service_staff account granted on the
// centre (grant written by the caller), and the sample requests — each
// with its timeline, deadline from its service's SLA, and the
// requests_resolved facts its resolutions count. Steps are taken by the
// system (actor null). It returns the centre's id.
func LoadDemo(ctx context.Context, tx *db.Tx, keys *secret.Keys, zoneID, parkID string) (string, error) {
	if err := seedCatalogue(ctx, tx, zoneID); err != nil {
		return "", err
	}
	var ids []string
	for _, p := range DemoPoints {
		id := uuid.Must(uuid.NewV7()).String()
		if _, err := tx.ExecContext(ctx, `INSERT INTO service_points (id, zone_id, park_id, name, kind, address, lat, lng, hours, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10)`, id, zoneID, parkID, p.Name, p.Kind, p.Address, p.Lat, p.Lng, p.Hours,
			db.Micros(tx.Now)); err != nil {
			return "", err
		}
		if _, err := nodes.Insert(ctx, tx, nodes.Node{ID: id, ZoneID: zoneID, Kind: access.KindPoint, ParentID: parkID, Name: p.Name}, "park_id"); err != nil {
			return "", err
		}
		if err := offers.Set(ctx, tx, id, zoneID, p.Services, nil); err != nil {
			return "", err
		}
		ids = append(ids, id)
	}
	for i, d := range demoRequests {
		// Filed over the last days, each step an hour after the one before.
		at := tx.Now.Add(-time.Duration(len(demoRequests)-i) * 26 * time.Hour)
		svc, err := serviceOf(ctx, tx, zoneID, d.code, "service_code")
		if err != nil {
			return "", err
		}
		id := uuid.Must(uuid.NewV7()).String()
		state := Submitted
		for _, s := range d.steps {
			state = Workflow[state][s.action].Next
		}
		var rating any
		if d.rating > 0 {
			rating = d.rating
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO service_requests (id, zone_id, park_id, point_id, service_code, description, contact_name,
			contact_phone, address, lat, lng, status, due_at, rating, source, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'api', $15, $16, $17)`,
			id, zoneID, parkID, ids[d.point], d.code, d.description, d.contact, keys.Seal("13800000000"), d.address, d.lat, d.lng, state,
			db.Micros(at.Add(hours(svc.SLAHours))), rating, 1+len(d.steps), db.Micros(at), db.Micros(at.Add(time.Duration(len(d.steps))*time.Hour))); err != nil {
			return "", err
		}
		steps := append([]demoStep{{"submit", ""}}, d.steps...)
		if d.rating > 0 {
			steps = append(steps, demoStep{"rate", stars(d.rating)})
		}
		for j, s := range steps {
			if _, err := tx.ExecContext(ctx, `INSERT INTO service_request_events (id, request_id, zone_id, at, action, note) VALUES ($1, $2, $3, $4, $5, $6)`,
				uuid.Must(uuid.NewV7()).String(), id, zoneID, db.Micros(at.Add(time.Duration(j)*time.Hour)), s.action, s.note); err != nil {
				return "", err
			}
			if s.action == "resolve" {
				r := Request{ID: id, ZoneID: zoneID, ServiceCode: d.code, PointID: ids[d.point]}
				if err := countResolvedAt(ctx, tx, r, at.Add(time.Duration(j)*time.Hour), 1); err != nil {
					return "", err
				}
			}
		}
	}
	return ids[0], nil
}

// stars shows a rating on the timeline (★★★★).
func stars(n int) string { return strings.Repeat("★", n) }
