package partyaffairs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/etag"
)

// DemoBrand is one of the article's party-building brands. The article
// names the brands (极致, 精工, 甜蜜) and the enterprises that cultivated
// "such" brands (海纳机械, 冠达星, 蜡笔小新, 恒毅机械) without pairing them:
// which enterprise holds which brand, the slogans and the practices are
// this loader's choice, so the rows are marked sample.
type DemoBrand struct {
	Enterprise, Name, Slogan, Function string
	Practices                          []string
	Scores                             [2]int // 2021, 2022 (sample)
}

// DemoBrands are the article's brands.
var DemoBrands = []DemoBrand{
	{"晋江海纳机械有限公司", "精工党建", "党员带头，精益求精", "development", []string{"党员技术攻关岗", "一线党员指导工人", "工艺改进合理化建议"}, [2]int{84, 91}},
	{"冠达星股份有限公司", "极致党建", "把每一件事做到极致", "development", []string{"党员先锋示范岗", "家居产业共享链党建联建"}, [2]int{80, 88}},
	{"蜡笔小新食品有限公司", "甜蜜党建", "甜蜜事业，红色引领", "service", []string{"食品上下游党建联建", "职工关爱“甜蜜驿站”"}, [2]int{78, 86}},
}

// DemoInnovation is an innovative practice the article names (创新举措).
// Where the article says "since the start of this year" (今年初以来, 2022)
// the date is 2022-01-01; the river day was the day before the article.
type DemoInnovation struct {
	Organizer    string // a park code, an enterprise's or organisation's name, or "" for the zone
	Title        string
	Practice     string
	Function     string
	Results      string
	IntroducedOn string
	Tags         []string
}

// DemoInnovations are the practices the article names.
var DemoInnovations = []DemoInnovation{
	{"", "“圆周率”党建创新工作机制（3.14π）", "建设开发区党工委—分园区—园区企业3个层级党建工作矩阵，围绕党建引领园区高质量发展1条主线，聚焦政治引领、推动发展、社会治理、服务保障4项功能，推动工作持续无限（π）创新。",
		"political", "绘就“全市一区”园区党建“同心圆”。", "2022-01-01", []string{"圆周率", "工作机制"}},
	{"", "“党建+”河长制主题党日", "园区企业党组织、党员、职工和周边社区居民参与爱河护河，“守护幸福河湖”主题党日在可慕溪五里园河段开展。",
		"governance", "5家可慕溪沿岸企业、14名非公企业党员参与，改善了园区生态环境，成为常态活动。", "2022-11-14", []string{"党建+", "河长制", "生态环境"}},
	{"", "党建工作指导服务站", "在各园区建成8个党建工作指导服务站，强化党建引领，提升党建联盟建设，带动企业组团式发展。",
		"political", "推动党员将“社会责任+基层治理”交叉融入。", "2022-01-01", []string{"服务站", "党建联盟"}},
	{"andong", "安东园党建联盟疫情防控志愿服务", "党建联盟号召企业党组织激发战斗堡垒作用，组织党员、职工志愿者参与核酸采样点秩序维持、人员排摸、“出入关”管理、消杀和宣传。",
		"governance", "38家企业党组织、207名党员和职工志愿者参与。", "2022-03-01", []string{"党建联盟", "疫情防控", "志愿服务"}},
	{"信泰集团", "信泰“党建+人才”计划", "党员“以老带新”，设立科技攻关小组、项目攻坚小组，为人才培育搭建平台。",
		"development", "技术研发人员300多人，科研项目100多项；10月获批新设博士后科研工作站。", "2022-01-01", []string{"党建+", "人才", "以老带新"}},
	{"泉州恒毅机械有限公司", "恒毅“家文化”", "把党建工作同解决员工群众的实际问题结合起来：互助基金、文体活动、员工子女托管服务。",
		"service", "企业成了员工另一个温馨的家。", "2022-01-01", []string{"家文化", "互助基金", "关爱职工"}},
	{"晋江市成达齿轮有限公司", "红色生产车间", "把党支部建在车间，以党建引领提升车间的创新能力、技术水平和产品管理。",
		"development", "车间月产量从500多万元提高到最高近2000万元。", "2022-01-01", []string{"红色车间", "党建+生产"}},
	{"", "“党建+产学研”“党建+产业链”", "深化园区企业与科研院所、企业与企业的对接，助力产业延链、强链、补链。",
		"development", "泉州装备所与9家企业深度合作，与4家企业形成5个合作项目；食品产业链、家居“共享链”、人才共享与产能互帮。", "2022-01-01", []string{"党建+", "产学研", "产业链"}},
	{"", "“一企一品”党建品牌提升工程", "在非公企业深入实施党建品牌提升工程，培育特色党建品牌。",
		"political", "培育了“极致”党建、“精工”党建、“甜蜜”党建等特色品牌。", "2022-01-01", []string{"一企一品", "党建品牌"}},
	{"wuli", "“党建+”邻里中心（1+N）", "以邻里中心为阵地，整合党群服务、职工法律服务、片区网格工作、园区物业管理，新增三处片区服务点，打造“15分钟便民生活圈”。",
		"service", "构建起便民利民“服务网”。", "2022-01-01", []string{"党建+", "邻里中心", "15分钟生活圈"}},
	{"福建盼盼饮料有限公司", "红色生产车间里的党课", "在红色生产车间里为党员、职工代表讲党课，学习领会党的二十大精神。",
		"political", "30多名党员、职工代表参加。", "2022-11-01", []string{"红色车间", "党课", "二十大精神"}},
}

// LoadDemo records the article's brands and innovative practices in
// zoneID through the service (so the matrix counts them), with sample
// party affairs for 成达齿轮党支部: dues of its members over the last six
// months with some months unpaid, its last term election and a worker's
// development. It acts as a zone administrator.
func LoadDemo(ctx context.Context, d *db.DB, zoneID string) error {
	ctx = access.With(ctx, &access.Principal{Username: "demo", ZoneID: zoneID, Grants: []access.Grant{{Role: access.ZoneAdmin, ScopeID: zoneID,
		Kind: access.KindZone, Path: access.ZonePath(zoneID), ZoneID: zoneID}}})
	s := &Service{DB: d}
	nodeID := func(q string, args ...any) (string, error) {
		var id string
		err := d.R.QueryRowContext(ctx, q, args...).Scan(&id)
		return id, err
	}
	for _, b := range DemoBrands {
		ent, err := nodeID(`SELECT id FROM enterprises WHERE zone_id = $1 AND name = $2`, zoneID, b.Enterprise)
		if err != nil {
			return fmt.Errorf("demo brand %s: %w", b.Name, err)
		}
		org, err := nodeID(`SELECT org_id FROM org_enterprises WHERE enterprise_id = $1 ORDER BY org_id LIMIT 1`, ent)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		in := BrandInput{EnterpriseID: ent, OrgID: org, Name: b.Name, Slogan: b.Slogan, Function: b.Function}
		for _, p := range b.Practices {
			in.Practices = append(in.Practices, Practice{Title: p})
		}
		br, err := s.createBrand(ctx, in, true)
		if err != nil {
			return fmt.Errorf("demo brand %s: %w", b.Name, err)
		}
		for i, score := range b.Scores {
			sc := score
			if _, err := s.Evaluate(ctx, br.ID, EvaluationInput{Year: 2021 + i, Score: &sc}); err != nil {
				return err
			}
		}
	}
	for _, in := range DemoInnovations {
		var organizer string
		var err error
		switch in.Organizer {
		case "":
			organizer = zoneID
		case "andong", "wuli", "food":
			organizer, err = nodeID(`SELECT id FROM parks WHERE zone_id = $1 AND code = $2`, zoneID, in.Organizer)
		default:
			// The enterprise's organisation, else the enterprise.
			organizer, err = nodeID(`SELECT COALESCE((SELECT MIN(oe.org_id) FROM org_enterprises oe WHERE oe.enterprise_id = e.id), e.id)
				FROM enterprises e WHERE e.zone_id = $1 AND e.name = $2`, zoneID, in.Organizer)
		}
		if err != nil {
			return fmt.Errorf("demo innovation %s: %w", in.Title, err)
		}
		if _, err := s.logInnovation(ctx, InnovationInput{OrganizerID: organizer, Title: in.Title, Practice: in.Practice, Function: in.Function,
			Results: in.Results, IntroducedOn: in.IntroducedOn, Tags: in.Tags}, false); err != nil {
			return fmt.Errorf("demo innovation %s: %w", in.Title, err)
		}
	}
	return loadDemoAffairs(ctx, s, zoneID)
}

// loadDemoAffairs: sample dues, an election and a development in
// 成达齿轮党支部 (the demo's secretary account "chengda" sees them).
func loadDemoAffairs(ctx context.Context, s *Service, zoneID string) error {
	var branch string
	if err := s.DB.R.QueryRowContext(ctx, `SELECT id FROM orgs WHERE zone_id = $1 AND name = '成达齿轮党支部'`, zoneID).Scan(&branch); err != nil {
		return fmt.Errorf("demo: 成达齿轮党支部: %w", err)
	}
	var members []member
	err := db.Each(ctx, s.DB.R, `SELECT id, zone_id, name, org_id, party_status, COALESCE(joined_on, '') FROM people WHERE org_id = $1 ORDER BY id`,
		db.Args{branch}, func(sc db.Scanner) error {
			var m member
			err := sc.Scan(&m.ID, &m.ZoneID, &m.Name, &m.OrgID, &m.Status, &m.JoinedOn)
			members = append(members, m)
			return err
		})
	if err != nil {
		return err
	}
	now := s.today(s.DB.Now())
	for i, m := range members {
		base := int64(280000 + 90000*(i%8)) // 2,800 to 9,100 yuan: every band but the top one
		for k := 6; k >= 1; k-- {
			mo := time.Date(now.Year(), now.Month()-time.Month(k), 1, 0, 0, 0, 0, time.UTC)
			if (i+k)%5 == 0 || mo.Format("2006-01") < m.JoinedOn[:min(7, len(m.JoinedOn))] {
				continue // some months unpaid: the arrears list shows them
			}
			paid := mo.AddDate(0, 0, 14).Format(time.DateOnly)
			if _, err := s.RecordDue(ctx, DueInput{PersonID: m.ID, Month: mo.Format("2006-01"), BaseFen: &base, PaidOn: paid}); err != nil {
				return fmt.Errorf("demo dues: %w", err)
			}
		}
	}
	var cands []CandidateInput
	for i, m := range members {
		if i == 4 {
			break
		}
		v := len(members) - i
		cands = append(cands, CandidateInput{Name: m.Name, PersonID: m.ID, Votes: &v})
	}
	if len(cands) >= 3 {
		if _, err := s.RecordElection(ctx, ElectionInput{OrgID: branch, HeldOn: "2022-06-18", Seats: 3, Voters: len(members), Candidates: cands,
			Note: "示例数据"}); err != nil {
			return fmt.Errorf("demo election: %w", err)
		}
	}
	var worker string
	err = s.DB.R.QueryRowContext(ctx, `SELECT p.id FROM people p JOIN org_enterprises oe ON oe.enterprise_id = p.enterprise_id
		WHERE oe.org_id = $1 AND p.party_status IS NULL ORDER BY p.id LIMIT 1`, branch).Scan(&worker)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	dv, err := s.StartDevelopment(ctx, DevelopmentInput{PersonID: worker, OrgID: branch, AppliedOn: "2023-03-01", Note: "示例数据"})
	if err != nil {
		return fmt.Errorf("demo development: %w", err)
	}
	dv, err = s.Advance(ctx, dv.ID, StageInput{Stage: "activist", ReachedOn: "2023-09-01"}, etag.Match{})
	if err != nil {
		return err
	}
	_, err = s.Advance(ctx, dv.ID, StageInput{Stage: "candidate", ReachedOn: "2024-10-08"}, etag.Match{})
	return err
}
