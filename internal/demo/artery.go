package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"tongxin/internal/access"
	"tongxin/internal/artery"
	"tongxin/internal/db"
)

// The artery of the demo zone. Facts from the article: the institute
// 泉州装备所 in deep cooperation with 9 enterprises (海纳机械 and 佶龙机械
// named), and in 5 projects with 4 enterprises (361度 and 华宇织造 named);
// 蜡笔小新 with 好来屋 and 渔家翁 on the food chain; 冠达星 with 漫林意居
// and 泉森木业 in a furniture "shared chain"; 信泰 and 红晟鞋业 sharing
// talent and helping with capacity. The article names these four chains
// (equipment, footwear and textiles, food, furniture). Their segments,
// which segment each enterprise sits in, the unnamed partners, the
// projects' titles and every listing are this loader's choice: the
// generated rows are marked sample.

// ChainSpec is a chain of the demo zone: its segments (upstream, midstream,
// downstream), the article's enterprises in each, the industry of the
// generated enterprises placed on it, and the trade words its generated
// listings are written in.
type ChainSpec struct {
	Name     string
	Segments [3]string
	Named    [3][]string // enterprise names (as the demo loads them) per segment
	Industry string
	Words    []string
}

// Chains are the chains the article names.
var Chains = []ChainSpec{
	{"装备制造", [3]string{"零部件", "整机制造", "智能化改造服务"},
		[3][]string{{"晋江市成达齿轮有限公司"}, {"晋江海纳机械有限公司", "佶龙机械有限公司", "泉州恒毅机械有限公司"}, nil},
		"机械制造", strings.Fields("数控 机床 齿轮 液压 焊接 自动化 机器人 伺服 模具 铸造 轴承 传动 装配 检测 精密 加工 改造 智能 设备 系统")},
	{"鞋服纺织", [3]string{"面料织造", "鞋服制造", "品牌零售"},
		[3][]string{{"华宇织造有限公司"}, {"信泰集团", "红晟鞋业有限公司"}, {"361度（中国）有限公司"}},
		"鞋服纺织", strings.Fields("面料 纺织 织造 染整 鞋底 鞋面 鞋材 运动鞋 服装 针织 纱线 印花 缝制 设计 品牌 工艺 设备")},
	{"食品", [3]string{"原料配料", "食品加工", "冷链流通"},
		[3][]string{{"渔家翁食品有限公司"}, {"蜡笔小新食品有限公司", "好来屋食品有限公司", "福建盼盼饮料有限公司"}, nil},
		"食品饮料", strings.Fields("原料 糖果 果冻 烘焙 饮料 海产 冷链 包装 调味 罐头 零食 代工 食品 保鲜 检测 配料")},
	{"家居", [3]string{"板材木业", "家具制造", "家居品牌"},
		[3][]string{{"泉森木业有限公司"}, {"漫林意居家居有限公司"}, {"冠达星股份有限公司"}},
		"家居建材", strings.Fields("板材 木业 实木 家具 沙发 软体 五金 涂装 家居 定制 橱柜 设计 板式 床垫 配套")},
}

// GenericWords fill generated listings besides a chain's own words.
var GenericWords = strings.Fields("需要 寻求 提供 合作 技术 升级 产能 人才 团队 项目 供应 稳定 长期 质量 成本 市场 渠道 工程师 研发 生产线 订单 服务 支持 方案")

// Institute is the research institute the article names.
const Institute = "泉州装备所"

// ArticleListing is a need or an offer standing for one of the article's
// cooperations (sample: the article does not say what was posted). Key
// names it; Relevant names the offers that answer a need — the labelled
// pairs the ranking's quality is measured on.
type ArticleListing struct {
	Key, Owner, Kind, Category, Chain string
	Stage                             int
	Title, Text                       string
	Relevant                          []string
}

// ArticleListings are the needs and offers of the article's cooperations.
var ArticleListings = []ArticleListing{
	{"N1", "晋江海纳机械有限公司", "need", "technology", "装备制造", 1, "数控装备智能化升级", "整机生产线需要数控系统智能化升级和精度检测技术，寻求科研院所合作攻关。", []string{"O1"}},
	{"N2", "佶龙机械有限公司", "need", "technology", "装备制造", 1, "机械装备自动化改造", "装配车间需要自动化改造与机器人焊接技术支持。", []string{"O1", "O4"}},
	{"N3", "361度（中国）有限公司", "need", "technology", "鞋服纺织", 1, "运动鞋智能制造装备", "运动鞋生产线需要智能制造装备研发，提升鞋面缝制自动化水平。", []string{"O2"}},
	{"N4", "华宇织造有限公司", "need", "technology", "鞋服纺织", 0, "织造设备智能化改造", "针织织造设备需要智能化改造和在线检测技术。", []string{"O2", "O3"}},
	{"N5", "蜡笔小新食品有限公司", "need", "material", "食品", 1, "果冻糖果原料供应", "果冻糖果生产需要稳定的食品原料和包装配套，寻求上下游企业长期合作。", []string{"O5", "O6"}},
	{"N6", "冠达星股份有限公司", "need", "material", "家居", 1, "家居板材与软体配套", "家居产品需要实木板材供应和软体家居配套加工。", []string{"O7", "O8"}},
	{"N7", "红晟鞋业有限公司", "need", "talent", "鞋服纺织", 1, "鞋面技术人才", "旺季需要鞋面缝制技术工人和鞋材工艺工程师。", []string{"O9"}},
	{"N8", "信泰集团", "need", "capacity", "鞋服纺织", 1, "鞋面加工产能", "订单高峰需要鞋面加工产能支援。", []string{"O10"}},
	{"O1", Institute, "offer", "technology", "装备制造", 2, "装备数控系统与智能化升级", "提供数控系统研发、装备智能化升级、精度检测技术服务，可与企业合作攻关。", nil},
	{"O2", Institute, "offer", "technology", "鞋服纺织", 2, "鞋服纺织智能制造装备研发", "研发运动鞋、服装生产的智能制造装备与自动化缝制设备。", nil},
	{"O3", Institute, "offer", "technology", "鞋服纺织", 2, "纺织设备在线检测与改造", "为织造、针织设备提供智能化改造和在线检测方案。", nil},
	{"O4", Institute, "offer", "technology", "装备制造", 2, "机器人焊接与自动化装配", "提供机器人焊接工作站和自动化装配线改造技术。", nil},
	{"O5", "好来屋食品有限公司", "offer", "material", "食品", 0, "食品原料与烘焙配料供应", "供应糖浆、果粉等食品原料和烘焙配料，可长期稳定供货。", nil},
	{"O6", "渔家翁食品有限公司", "offer", "material", "食品", 0, "海产原料与包装配套", "提供海产原料和食品包装配套服务。", nil},
	{"O7", "泉森木业有限公司", "offer", "material", "家居", 0, "实木板材供应", "供应实木板材、板式家具用板，可按需加工。", nil},
	{"O8", "漫林意居家居有限公司", "offer", "capacity", "家居", 1, "软体家居配套加工", "软体沙发、床垫配套加工产能，可共享设计与生产。", nil},
	{"O9", "信泰集团", "offer", "talent", "鞋服纺织", 1, "鞋服技术人才共享", "可共享鞋面缝制技术工人和鞋材工艺工程师。", nil},
	{"O10", "红晟鞋业有限公司", "offer", "capacity", "鞋服纺织", 1, "鞋面加工富余产能", "鞋面加工车间有富余产能，可承接外协订单。", nil},
}

// GeneratedListing writes a generated need or offer on chain ch.
func GeneratedListing(r *rand.Rand, ch ChainSpec) (title, text string) {
	var t, b strings.Builder
	for range 2 + r.IntN(2) {
		t.WriteString(ch.Words[r.IntN(len(ch.Words))])
	}
	for range 8 + r.IntN(8) {
		if r.Float64() < 0.6 {
			b.WriteString(ch.Words[r.IntN(len(ch.Words))])
		} else {
			b.WriteString(GenericWords[r.IntN(len(GenericWords))])
		}
		if r.IntN(4) == 0 {
			b.WriteString("，")
		}
	}
	return t.String(), b.String()
}

// demoListings is how many listings the demo zone gets in all (PRODUCT.md:
// about 60).
const demoListings = 60

// loadArtery fills zoneID's artery as a zone administrator would, through
// the service: chains, the institute, the article's cooperations, and
// listings.
func loadArtery(ctx context.Context, d *db.DB, zoneID string) error {
	ctx = access.With(ctx, &access.Principal{Username: "demo", Grants: []access.Grant{{Role: access.ZoneAdmin, ScopeID: zoneID,
		Kind: access.KindZone, Path: access.ZonePath(zoneID), ZoneID: zoneID}}})
	svc := &artery.Service{DB: d}
	r := rand.New(rand.NewPCG(Seed, 2))
	ents := map[string]string{} // name → id
	type gen struct{ id, industry string }
	var generated []gen
	err := db.Each(ctx, d.R, `SELECT id, name, industry, sample FROM enterprises WHERE zone_id = $1 ORDER BY id`, db.Args{zoneID}, func(s db.Scanner) error {
		var id, name, industry string
		var sample bool
		if err := s.Scan(&id, &name, &industry, &sample); err != nil {
			return err
		}
		ents[name] = id
		if sample {
			generated = append(generated, gen{id, industry})
		}
		return nil
	})
	if err != nil {
		return err
	}
	of := func(industry string) []string {
		var out []string
		for _, g := range generated {
			if g.industry == industry {
				out = append(out, g.id)
			}
		}
		return out
	}
	segments := map[string][3]string{}
	chainIDs := map[string]string{}
	for _, ch := range Chains {
		in := artery.ChainInput{ZoneID: zoneID, Name: ch.Name}
		extra := of(ch.Industry)
		for i, name := range ch.Segments {
			sg := artery.SegmentInput{Stage: artery.Stages[i], Name: name}
			for _, n := range ch.Named[i] {
				id, ok := ents[n]
				if !ok {
					return fmt.Errorf("demo: no enterprise %s", n)
				}
				sg.EnterpriseIDs = append(sg.EnterpriseIDs, id)
			}
			// Generated enterprises of the chain's industry fill the
			// upstream and midstream segments; the downstream ones stay
			// as the article leaves them, so the map shows gaps.
			if i < 2 {
				for j := i; j < len(extra); j += 2 {
					sg.EnterpriseIDs = append(sg.EnterpriseIDs, extra[j])
				}
			}
			in.Segments = append(in.Segments, sg)
		}
		c, err := svc.CreateChain(ctx, in)
		if err != nil {
			return fmt.Errorf("demo: chain %s: %w", ch.Name, err)
		}
		chainIDs[ch.Name] = c.ID
		segments[ch.Name] = [3]string{c.Segments[0].ID, c.Segments[1].ID, c.Segments[2].ID}
	}
	inst, err := svc.CreateInstitute(ctx, artery.InstituteInput{ZoneID: zoneID, Name: Institute,
		Description: "泉州装备制造研究所，与园区企业开展产学研合作。"})
	if err != nil {
		return err
	}
	owners := map[string]string{Institute: inst.ID}
	for n, id := range ents {
		owners[n] = id
	}

	// The article's cooperations.
	// The unnamed partners: generated enterprises of the chain's
	// industries first, then any generated ones.
	var all []string
	for _, g := range generated {
		all = append(all, g.id)
	}
	partners := func(n int, industries ...string) []string {
		var out []string
		for _, ind := range industries {
			out = append(out, of(ind)...)
		}
		for _, id := range all {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		return out[:min(n, len(out))]
	}
	type coop struct {
		typ, title, desc, chain string
		ents                    []string
		inst                    bool
		sample                  bool
	}
	named := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, ents[n])
		}
		return out
	}
	deep := append(named("晋江海纳机械有限公司", "佶龙机械有限公司"), partners(7, "机械制造", "汽车配件")...)
	four := append(named("361度（中国）有限公司", "华宇织造有限公司"), partners(2, "鞋服纺织", "体育用品")...)
	coops := []coop{
		{"research", "泉州装备所与9家企业深度合作", "泉州装备所与海纳机械、佶龙机械等9家企业达成深度合作（其余7家为示例企业）。", "装备制造", deep, true, false},
		{"research", "运动鞋智能制造装备研发", "泉州装备所与361度等4家企业形成的5个合作项目之一（项目名称为示例）。", "鞋服纺织", four[0:1], true, true},
		{"research", "运动鞋鞋面自动化缝制", "同上（项目名称为示例）。", "鞋服纺织", four[0:1], true, true},
		{"research", "织造设备智能化改造", "同上（项目名称为示例）。", "鞋服纺织", four[1:2], true, true},
		{"research", "面料在线检测", "同上（项目名称为示例）。", "鞋服纺织", four[2:3], true, true},
		{"research", "服装生产线数字化", "同上（项目名称为示例）。", "鞋服纺织", four[3:4], true, true},
		{"chain", "食品上下游产业链合作", "蜡笔小新与好来屋、渔家翁等企业“牵手”，共同强化食品上下游产业链。", "食品",
			named("蜡笔小新食品有限公司", "好来屋食品有限公司", "渔家翁食品有限公司"), false, false},
		{"chain", "家居产业共享链", "冠达星与漫林意居、泉森木业公司等形成家居产业“共享链”。", "家居",
			named("冠达星股份有限公司", "漫林意居家居有限公司", "泉森木业有限公司"), false, false},
		{"talent", "信泰与红晟鞋业人才共享", "信泰党支部与红晟鞋业“结缘”，达成产业链上人才共享。", "鞋服纺织", named("信泰集团", "红晟鞋业有限公司"), false, false},
		{"capacity", "信泰与红晟鞋业产能互帮", "信泰党支部与红晟鞋业“结缘”，达成产业链上产能互帮。", "鞋服纺织", named("信泰集团", "红晟鞋业有限公司"), false, false},
	}
	for _, c := range coops {
		in := artery.CooperationInput{ZoneID: zoneID, Type: c.typ, Title: c.title, Description: c.desc, ChainID: chainIDs[c.chain],
			EnterpriseIDs: c.ents, OrganizerID: zoneID, Active: true, Sample: c.sample}
		if c.inst {
			in.InstituteIDs = []string{inst.ID}
		}
		if _, err := svc.CreateCooperation(ctx, in); err != nil {
			return fmt.Errorf("demo: cooperation %s: %w", c.title, err)
		}
	}

	// Listings: the article's needs and offers, then generated ones of
	// generated enterprises on the chains.
	for _, l := range ArticleListings {
		in := artery.ListingInput{Kind: l.Kind, Category: l.Category, SegmentID: segments[l.Chain][l.Stage], Title: l.Title, Body: l.Text, Sample: true}
		if l.Owner == Institute {
			in.InstituteID = inst.ID
		} else {
			in.EnterpriseID = owners[l.Owner]
		}
		if _, err := svc.CreateListing(ctx, in); err != nil {
			return fmt.Errorf("demo: listing %s: %w", l.Title, err)
		}
	}
	for i := len(ArticleListings); i < demoListings; i++ {
		ch := Chains[r.IntN(len(Chains))]
		pool := of(ch.Industry)
		if len(pool) == 0 {
			continue
		}
		title, text := GeneratedListing(r, ch)
		in := artery.ListingInput{Kind: artery.Kinds[r.IntN(2)], Category: artery.Categories[r.IntN(len(artery.Categories))],
			SegmentID: segments[ch.Name][r.IntN(3)], Title: title, Body: text, EnterpriseID: pool[r.IntN(len(pool))], Sample: true}
		if _, err := svc.CreateListing(ctx, in); err != nil {
			return fmt.Errorf("demo: listing %s: %w", title, err)
		}
	}
	return nil
}
