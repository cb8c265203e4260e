package artery_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/artery"
	"tongxin/internal/db"
	"tongxin/internal/geo"
	"tongxin/internal/search"
	"tongxin/internal/testenv"
)

// The corpus: four chains of the article (equipment, footwear and
// textiles, food, furniture), the cooperations the article reports turned
// into listings (the texts are ours: the article names the partners and
// the kind of cooperation, not what they posted), and generated noise
// drawn from the same trade vocabulary, so that noise competes on words,
// chains and distance alike.

type chainSpec struct {
	name     string
	segments [3]string // upstream, midstream, downstream
	words    []string
}

var chains = []chainSpec{
	{"装备制造", [3]string{"零部件", "整机制造", "应用服务"}, strings.Fields("数控 机床 齿轮 液压 焊接 自动化 机器人 伺服 模具 铸造 轴承 传动 装配 检测 精密 加工 改造 智能 设备 系统")},
	{"鞋服纺织", [3]string{"面料织造", "鞋服制造", "品牌零售"}, strings.Fields("面料 纺织 织造 染整 鞋底 鞋面 鞋材 运动鞋 服装 针织 纱线 印花 缝制 设计 品牌 工艺 设备")},
	{"食品", [3]string{"原料", "食品加工", "冷链流通"}, strings.Fields("原料 糖果 果冻 烘焙 饮料 海产 冷链 包装 调味 罐头 零食 代工 食品 保鲜 检测 配料")},
	{"家居", [3]string{"板材木业", "家具制造", "家居零售"}, strings.Fields("板材 木业 实木 家具 沙发 软体 五金 涂装 家居 定制 橱柜 设计 板式 床垫 配套")},
}

var generic = strings.Fields("需要 寻求 提供 合作 技术 升级 产能 人才 团队 项目 供应 稳定 长期 质量 成本 市场 渠道 工程师 研发 生产线 订单 服务 支持 方案")

// labelled is a listing of the article's partners; rel names the offers
// relevant to a need.
type labelled struct {
	key, owner, kind, category, chain string
	stage                             int
	title, text                       string
	rel                               []string
}

var article = []labelled{
	{"N1", "海纳机械", "need", "technology", "装备制造", 1, "数控装备智能化升级", "整机生产线需要数控系统智能化升级和精度检测技术，寻求科研院所合作攻关。", []string{"O1"}},
	{"N2", "佶龙机械", "need", "technology", "装备制造", 1, "机械装备自动化改造", "装配车间需要自动化改造与机器人焊接技术支持。", []string{"O1", "O4"}},
	{"N3", "361度", "need", "technology", "鞋服纺织", 1, "运动鞋智能制造装备", "运动鞋生产线需要智能制造装备研发，提升鞋面缝制自动化水平。", []string{"O2"}},
	{"N4", "华宇织造", "need", "technology", "鞋服纺织", 0, "织造设备智能化改造", "针织织造设备需要智能化改造和在线检测技术。", []string{"O2", "O3"}},
	{"N5", "蜡笔小新", "need", "material", "食品", 1, "果冻糖果原料供应", "果冻糖果生产需要稳定的食品原料和包装配套，寻求上下游企业长期合作。", []string{"O5", "O6"}},
	{"N6", "冠达星", "need", "material", "家居", 1, "家居板材与软体配套", "家居产品需要实木板材供应和软体家居配套加工。", []string{"O7", "O8"}},
	{"N7", "红晟鞋业", "need", "talent", "鞋服纺织", 1, "鞋面技术人才", "旺季需要鞋面缝制技术工人和鞋材工艺工程师。", []string{"O9"}},
	{"N8", "信泰集团", "need", "capacity", "鞋服纺织", 1, "鞋面加工产能", "订单高峰需要鞋面加工产能支援。", []string{"O10"}},
	{"O1", "泉州装备所", "offer", "technology", "装备制造", 2, "装备数控系统与智能化升级", "提供数控系统研发、装备智能化升级、精度检测技术服务，可与企业合作攻关。", nil},
	{"O2", "泉州装备所", "offer", "technology", "鞋服纺织", 2, "鞋服纺织智能制造装备研发", "研发运动鞋、服装生产的智能制造装备与自动化缝制设备。", nil},
	{"O3", "泉州装备所", "offer", "technology", "鞋服纺织", 2, "纺织设备在线检测与改造", "为织造、针织设备提供智能化改造和在线检测方案。", nil},
	{"O4", "泉州装备所", "offer", "technology", "装备制造", 2, "机器人焊接与自动化装配", "提供机器人焊接工作站和自动化装配线改造技术。", nil},
	{"O5", "好来屋", "offer", "material", "食品", 0, "食品原料与烘焙配料供应", "供应糖浆、果粉等食品原料和烘焙配料，可长期稳定供货。", nil},
	{"O6", "渔家翁", "offer", "material", "食品", 0, "海产原料与包装配套", "提供海产原料和食品包装配套服务。", nil},
	{"O7", "泉森木业", "offer", "material", "家居", 0, "实木板材供应", "供应实木板材、板式家具用板，可按需加工。", nil},
	{"O8", "漫林意居", "offer", "capacity", "家居", 1, "软体家居配套加工", "软体沙发、床垫配套加工产能，可共享设计与生产。", nil},
	{"O9", "信泰集团", "offer", "talent", "鞋服纺织", 1, "鞋服技术人才共享", "可共享鞋面缝制技术工人和鞋材工艺工程师。", nil},
	{"O10", "红晟鞋业", "offer", "capacity", "鞋服纺织", 1, "鞋面加工富余产能", "鞋面加工车间有富余产能，可承接外协订单。", nil},
}

// corpus is a zone filled with chains, owners and listings.
type corpus struct {
	srv      *testenv.Server
	ctx      context.Context // as a platform administrator
	segments map[string][3]string
	chainIDs map[string]string
	owners   []string          // generated enterprises
	named    map[string]string // article name → enterprise or institute id
	keys     map[string]string // labelled key → listing id
}

func newCorpus(t testing.TB, dsn string, noise int, seed uint64) *corpus {
	srv := testenv.Start(t, dsn)
	c := &corpus{srv: srv, segments: map[string][3]string{}, chainIDs: map[string]string{}, named: map[string]string{}, keys: map[string]string{}}
	c.ctx = access.With(context.Background(), &access.Principal{UserID: "bench", Grants: []access.Grant{{Role: access.PlatformAdmin,
		ScopeID: srv.ZoneID, Kind: access.KindZone, Path: access.ZonePath(srv.ZoneID), ZoneID: srv.ZoneID}}})
	svc := srv.App.Artery
	r := rand.New(rand.NewPCG(seed, 7))
	for _, ch := range chains {
		in := artery.ChainInput{ZoneID: srv.ZoneID, Name: ch.name}
		for i, s := range ch.segments {
			in.Segments = append(in.Segments, artery.SegmentInput{Stage: artery.Stages[i], Name: s})
		}
		made, err := svc.CreateChain(c.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		c.segments[ch.name] = [3]string{made.Segments[0].ID, made.Segments[1].ID, made.Segments[2].ID}
		c.chainIDs[ch.name] = made.ID
	}
	park := srv.Park("安东园", "andong")
	point := func() (float64, float64) { return 24.74 + r.Float64()*0.08, 118.55 + r.Float64()*0.09 }
	for _, l := range article {
		if _, ok := c.named[l.owner]; ok {
			continue
		}
		if l.owner == "泉州装备所" {
			lat, lng := 24.87, 118.67
			it, err := svc.CreateInstitute(c.ctx, artery.InstituteInput{ZoneID: srv.ZoneID, Name: l.owner, Location: &geo.Point{Lat: lat, Lng: lng}})
			if err != nil {
				t.Fatal(err)
			}
			c.named[l.owner] = it.ID
			continue
		}
		id := srv.Enterprise(park.ID, l.owner)
		lat, lng := point()
		srv.DB.W.Exec(`UPDATE enterprises SET lat = $1, lng = $2 WHERE id = $3`, lat, lng, id)
		c.named[l.owner] = id
	}
	for i := range 300 {
		id := srv.Enterprise(park.ID, fmt.Sprintf("示例企业%03d", i))
		lat, lng := point()
		srv.DB.W.Exec(`UPDATE enterprises SET lat = $1, lng = $2 WHERE id = $3`, lat, lng, id)
		c.owners = append(c.owners, id)
	}
	// Noise first, written straight into the table (before any ranking
	// has loaded an index), then the labelled listings through the service.
	c.bulk(t, noise, r)
	for _, l := range article {
		in := artery.ListingInput{Kind: l.kind, Category: l.category, SegmentID: c.segments[l.chain][l.stage], Title: l.title, Body: l.text}
		if l.owner == "泉州装备所" {
			in.InstituteID = c.named[l.owner]
		} else {
			in.EnterpriseID = c.named[l.owner]
		}
		made, err := svc.CreateListing(c.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		c.keys[l.key] = made.ID
	}
	return c
}

// bulk inserts n generated listings in batches.
func (c *corpus) bulk(t testing.TB, n int, r *rand.Rand) {
	d := c.srv.DB
	now := db.Micros(time.Now())
	err := d.Tx(context.Background(), func(tx *db.Tx) error {
		const batch = 200
		for start := 0; start < n; start += batch {
			var a db.Args
			var rows []string
			for i := start; i < min(n, start+batch); i++ {
				ch := chains[r.IntN(len(chains))]
				var title, text strings.Builder
				for range 2 + r.IntN(2) {
					title.WriteString(ch.words[r.IntN(len(ch.words))])
				}
				for range 8 + r.IntN(8) {
					if r.Float64() < 0.6 {
						text.WriteString(ch.words[r.IntN(len(ch.words))])
					} else {
						text.WriteString(generic[r.IntN(len(generic))])
					}
					if r.IntN(4) == 0 {
						text.WriteString("，")
					}
				}
				kind := artery.Kinds[r.IntN(2)]
				cat := artery.Categories[r.IntN(len(artery.Categories))]
				var chain, seg any
				if r.Float64() < 0.8 {
					s := r.IntN(3)
					seg, chain = c.segments[ch.name][s], c.chainIDs[ch.name]
				}
				owner := c.owners[r.IntN(len(c.owners))]
				rows = append(rows, "("+strings.Join([]string{a.Add(uuid.Must(uuid.NewV7()).String()), a.Add(c.srv.ZoneID), a.Add(kind), a.Add(cat), a.Add(chain), a.Add(seg),
					a.Add(title.String()), a.Add(text.String()), a.Add(owner), a.Add(search.Key(title.String(), text.String())), a.Add(now)}, ", ")+", 'open', TRUE, 0, 1, "+a.Add(now)+")")
			}
			if _, err := tx.ExecContext(context.Background(), `INSERT INTO listings (id, zone_id, kind, category, chain_id, segment_id, title, body, enterprise_id,
				search_key, created_at, status, sample, seq, version, updated_at) VALUES `+strings.Join(rows, ", "), a...); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(context.Background(), `INSERT INTO listing_seq (zone_id, seq) VALUES ($1, 1)`, c.srv.ZoneID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
