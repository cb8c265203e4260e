package demo

import (
	"context"
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"tongxin/internal/circle"
	"tongxin/internal/db"
	"tongxin/internal/search"
)

// centre is a park's centre in degrees.
type centre struct{ lat, lng float64 }

// articleCentres are the article's parks, placed (approximately, as demo
// data: not surveyed) inside the box the generator has always used around
// 晋江经济开发区 (24.74–24.82 N, 118.55–118.64 E): 五里园 in the north-west,
// 安东园 in the south, 食品园 in the east.
var articleCentres = map[string]centre{
	"wuli":   {24.8050, 118.5650},
	"andong": {24.7600, 118.5850},
	"food":   {24.7850, 118.6250},
}

// parkCentres places each park: the article's where articleCentres says,
// generated ones on a grid of four columns over the same box.
func parkCentres(parks []ParkRef) map[string]centre {
	out := map[string]centre{}
	rows := (len(parks) + 3) / 4
	for i, p := range parks {
		if c, ok := articleCentres[p.Code]; ok {
			out[p.ID] = c
			continue
		}
		col, row := i%4, i/4
		out[p.ID] = centre{24.745 + (float64(row)+0.5)*0.07/float64(max(rows, 1)), 118.56 + (float64(col)+0.5)*0.08/4}
	}
	return out
}

// around draws a point within about a kilometre of c.
func (g *gen) around(c centre) (float64, float64) {
	return c.lat + (g.r.Float64()-0.5)*0.018, c.lng + (g.r.Float64()-0.5)*0.02
}

// offset is c moved east and north by metres.
func offset(c centre, east, north float64) (float64, float64) {
	const perDegree = orb.EarthRadius * math.Pi / 180
	return c.lat + north/perDegree, c.lng + east/(perDegree*math.Cos(c.lat*math.Pi/180))
}

// wuliResource is a facility around the 五里园 "党建+" neighbourhood centre:
// the article names the party-mass activity service centre, low-rent
// housing shopfronts, a hospital, schools and the merchants' alliance as
// the resources of the 15-minute living circle; their names and places
// here are generated (marked sample), except the centre's. Some required
// categories are left out on purpose, so the map shows gaps.
var wuliResources = []struct {
	name, category string
	east, north    float64
	sample         bool
}{
	{"五里园党群活动服务中心", "party_center", 0, 0, false},
	{"五里园廉租房店面（一）（示例）", "low_rent_shop", 120, 80, true},
	{"五里园廉租房店面（二）（示例）", "low_rent_shop", -150, 60, true},
	{"五里园廉租房店面（三）（示例）", "low_rent_shop", 200, -180, true},
	{"五里园片区医院（示例）", "hospital", 650, 300, true},
	{"五里园小学（示例）", "primary_school", -300, 350, true},
	{"五里园中学（示例）", "middle_school", 900, -500, true},
	{"五里园幼儿园（示例）", "kindergarten", -380, -250, true},
	{"商家联盟·惠民超市（示例）", "merchant", 60, -120, true},
	{"商家联盟·平价药房（示例）", "merchant", -90, -200, true},
	{"商家联盟·职工快餐（示例）", "merchant", 250, 150, true},
	{"商家联盟·便民理发（示例）", "merchant", -220, -60, true},
	{"五里园社区卫生服务站（示例）", "health_station", 180, 20, true},
	{"五里园农贸市场（示例）", "fresh_market", 420, -300, true},
	{"五里园便利店（示例）", "convenience_store", 30, 90, true},
	{"五里园职工食堂（示例）", "canteen", -60, 140, true},
	{"五里园室外健身场（示例）", "outdoor_fitness", 100, 250, true},
	{"五里园社区服务站（示例）", "community_station", 10, -30, true},
	{"五里园文化活动站（示例）", "culture_station", -40, 20, true},
	{"五里园篮球场（示例）", "small_sports", 200, 280, true},
	{"五里园公共厕所（示例）", "public_toilet", 140, -60, true},
	{"五里园再生资源回收点（示例）", "recycling", -250, 180, true},
	{"五里园银行网点（示例）", "bank", 600, 100, true},
	{"五里园邮政所（示例）", "post_office", 700, -200, true},
}

// otherResources are a few generated facilities of the other article
// parks.
var otherResources = map[string][]struct {
	name, category string
	east, north    float64
}{
	"andong": {{"安东园党群服务中心（示例）", "party_center", 0, 0}, {"安东园幼儿园（示例）", "kindergarten", 150, 120}, {"安东园小学（示例）", "primary_school", -400, 200},
		{"安东园便利店（示例）", "convenience_store", 80, -60}, {"安东园卫生服务站（示例）", "health_station", -120, -90}},
	"food": {{"食品园党群服务中心（示例）", "party_center", 0, 0}, {"食品园便利店（示例）", "convenience_store", 60, 40}, {"食品园农贸市场（示例）", "fresh_market", -300, 150}},
}

// generatedCategories are the categories of generated resources (zone
// scale), each drawn with the same chance.
var generatedCategories = []string{"kindergarten", "nursery", "primary_school", "middle_school", "health_station", "health_center", "convenience_store",
	"fresh_market", "canteen", "community_station", "culture_station", "small_sports", "outdoor_fitness", "elderly_daycare", "public_toilet",
	"recycling", "bank", "post_office", "party_center", "merchant", "low_rent_shop", "hospital"}

// livingCircle fills the living circle: for the article's parks, the
// resources around the 五里园 neighbourhood centre and a small walking
// network of streets there (140 m blocks, 1.4 km across); for generated
// zones, 100 resources around each park's centre and a street grid of
// about 150 m blocks over the whole box.
func (g *gen) livingCircle(ctx context.Context, tx *db.Tx, parks []ParkRef, centres map[string]centre) error {
	res := func(park, name, category string, lat, lng float64, sample bool) error {
		return g.b.add("resources", "id, zone_id, park_id, name, category, address, lat, lng, sample, search_key, version, created_at, updated_at",
			g.id(), g.zoneID, park, name, category, "", lat, lng, sample, search.Key(name), 1, g.at(), g.at())
	}
	byCode := map[string]ParkRef{}
	for _, p := range parks {
		byCode[p.Code] = p
	}
	if wuli, ok := byCode["wuli"]; ok {
		c := articleCentres["wuli"]
		for _, r := range wuliResources {
			lat, lng := offset(c, r.east, r.north)
			if err := res(wuli.ID, r.name, r.category, lat, lng, r.sample); err != nil {
				return err
			}
		}
		for code, list := range otherResources {
			if p, ok := byCode[code]; ok {
				for _, r := range list {
					lat, lng := offset(articleCentres[code], r.east, r.north)
					if err := res(p.ID, r.name, r.category, lat, lng, true); err != nil {
						return err
					}
				}
			}
		}
		_, err := circle.StoreRoads(ctx, tx, g.zoneID, grid(c, 140, 5, "五里园"))
		return err
	}
	for _, p := range parks {
		for k := 0; k < 100; k++ {
			cat := generatedCategories[g.r.IntN(len(generatedCategories))]
			lat, lng := g.around(centres[p.ID])
			if err := res(p.ID, fmt.Sprintf("%s%s%d（示例）", p.Name, circle.DefaultName(cat), k+1), cat, lat, lng, true); err != nil {
				return err
			}
		}
	}
	// Over the box: 0.0015° (about 167 m north–south, 151 m east–west).
	var lines []circle.Line
	const step = 0.0015
	lats, lngs := 53, 60 // 0.0795° by 0.09°
	for i := 0; i <= lats; i++ {
		var ls orb.LineString
		for j := 0; j <= lngs; j++ {
			ls = append(ls, orb.Point{118.55 + float64(j)*step, 24.74 + float64(i)*step})
		}
		lines = append(lines, circle.Line{Name: fmt.Sprintf("东西%d路（示例）", i+1), Line: ls})
	}
	for j := 0; j <= lngs; j++ {
		var ls orb.LineString
		for i := 0; i <= lats; i++ {
			ls = append(ls, orb.Point{118.55 + float64(j)*step, 24.74 + float64(i)*step})
		}
		lines = append(lines, circle.Line{Name: fmt.Sprintf("南北%d路（示例）", j+1), Line: ls})
	}
	_, err := circle.StoreRoads(ctx, tx, g.zoneID, lines)
	return err
}

// grid is a street grid around c: 2n+1 streets each way, block metres
// apart, every crossing a shared position (so the streets connect).
func grid(c centre, block float64, n int, prefix string) []circle.Line {
	var lines []circle.Line
	for i := -n; i <= n; i++ {
		var ew, ns orb.LineString
		for j := -n; j <= n; j++ {
			lat, lng := offset(c, float64(j)*block, float64(i)*block)
			ew = append(ew, orb.Point{lng, lat})
			lat, lng = offset(c, float64(i)*block, float64(j)*block)
			ns = append(ns, orb.Point{lng, lat})
		}
		lines = append(lines, circle.Line{Name: fmt.Sprintf("%s东西%d路（示例）", prefix, i+n+1), Line: ew},
			circle.Line{Name: fmt.Sprintf("%s南北%d路（示例）", prefix, i+n+1), Line: ns})
	}
	return lines
}
