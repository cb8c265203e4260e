package circle

import (
	"context"
	"math"
	"slices"
	"sort"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/db"
	"tongxin/internal/geo"
)

// Coverage analysis limits.
const (
	// MaxGaps bounds the worksites listed with their missing categories
	// (those with the most workers first); the figures count them all.
	MaxGaps = 500
	// Suggestions is how many sites the greedy choice proposes.
	Suggestions = 3
	// gridStep is the spacing of candidate sites laid over the gaps when
	// walks are straight-line estimates.
	gridStep = 100.0
)

// Worksite is an enterprise whose workers lack required categories: the
// workers are counted at the enterprise's location (its headcount).
type Worksite struct {
	EnterpriseID string    `json:"enterprise_id"`
	Name         string    `json:"name"`
	ParkID       string    `json:"park_id"`
	Location     geo.Point `json:"location"`
	Workers      int       `json:"workers"`
	Missing      []string  `json:"missing"`
}

// CategoryCoverage is how many workers have a category within its circle.
type CategoryCoverage struct {
	Category             string `json:"category"`
	Name                 string `json:"name"`
	NameEn               string `json:"name_en"`
	Circle               int    `json:"circle"`
	CoveredWorkers       int    `json:"covered_workers"`
	UncoveredWorkers     int    `json:"uncovered_workers"`
	UncoveredEnterprises int    `json:"uncovered_enterprises"`
	// Suggestion is the one place for a facility of the category that
	// would bring the most of the workers lacking it inside its circle.
	Suggestion *Site `json:"suggestion"`
}

// ParkCoverage is a park's figures.
type ParkCoverage struct {
	ParkID           string `json:"park_id"`
	Name             string `json:"name"`
	Enterprises      int    `json:"enterprises"`
	Workers          int    `json:"workers"`
	UncoveredWorkers int    `json:"uncovered_workers"`
}

// Site is a suggested place for a new service point: the workers (and
// enterprises) lacking a required category that would have it within the
// minutes of the analysis, not counting those an earlier suggestion
// already reaches.
type Site struct {
	Location          geo.Point `json:"location"`
	Kind              string    `json:"kind"` // enterprise, road_node, grid
	EnterpriseID      *string   `json:"enterprise_id"`
	CoversWorkers     int       `json:"covers_workers"`
	CoversEnterprises int       `json:"covers_enterprises"`
}

// Coverage is the living-circle coverage of parks.
type Coverage struct {
	ZoneID           string             `json:"zone_id"`
	Minutes          int                `json:"minutes"`
	Method           string             `json:"method"`
	WalkSpeed        float64            `json:"walk_speed_m_per_min"`
	DetourFactor     float64            `json:"detour_factor"`
	Parks            []ParkCoverage     `json:"parks"`
	Enterprises      int                `json:"enterprises"`
	Workers          int                `json:"workers"`
	UncoveredWorkers int                `json:"uncovered_workers"`
	Categories       []CategoryCoverage `json:"categories"`
	Gaps             []Worksite         `json:"gaps"`
	GapsTotal        int                `json:"gaps_total"`
	Suggestions      []Site             `json:"suggestions"`
}

// CoverageQuery asks for the coverage of one park (ParkID) or of every
// park the caller may see in the zone.
type CoverageQuery struct {
	ZoneID  string
	ParkID  string
	Minutes *int
}

type worksite struct {
	Worksite
	pt orb.Point
}

// pointGrid finds points near a place: buckets of a plane grid.
type pointGrid struct {
	pl    plane
	size  float64
	cells map[[2]int32][]int
	pts   []orb.Point
}

func newPointGrid(pl plane, size float64, pts []orb.Point) *pointGrid {
	pg := &pointGrid{pl: pl, size: size, cells: map[[2]int32][]int{}, pts: pts}
	for i, p := range pts {
		pg.cells[pg.cell(p)] = append(pg.cells[pg.cell(p)], i)
	}
	return pg
}

func (pg *pointGrid) cell(p orb.Point) [2]int32 {
	x, y := pg.pl.xy(p)
	return [2]int32{int32(math.Floor(x / pg.size)), int32(math.Floor(y / pg.size))}
}

// near calls fn with every point within metres (straight line) of p.
func (pg *pointGrid) near(p orb.Point, metres float64, fn func(i int)) {
	c := pg.cell(p)
	r := int32(math.Ceil(metres / pg.size))
	for i := c[0] - r; i <= c[0]+r; i++ {
		for j := c[1] - r; j <= c[1]+r; j++ {
			for _, k := range pg.cells[[2]int32{i, j}] {
				if orbgeo.DistanceHaversine(p, pg.pts[k]) <= metres {
					fn(k)
				}
			}
		}
	}
}

// coverageParks returns the parks of the zone the caller may see (one
// when parkID is given: EVALIDATION on park_id when it is not among them).
func coverageParks(ctx context.Context, q db.Querier, zoneID, parkID string) ([]ParkCoverage, error) {
	var a db.Args
	where := access.From(ctx).Scope(Read).Where(&a, access.ByZone("zone_id"), access.ByNode("id"))
	query := `SELECT id, name FROM parks WHERE zone_id = ` + a.Add(zoneID) + ` AND ` + where
	if parkID != "" {
		query += ` AND id = ` + a.Add(parkID)
	}
	var out []ParkCoverage
	err := db.Each(ctx, q, query+` ORDER BY id`, a, func(s db.Scanner) error {
		var p ParkCoverage
		err := s.Scan(&p.ParkID, &p.Name)
		out = append(out, p)
		return err
	})
	if err == nil && parkID != "" && len(out) == 0 {
		return nil, apperr.Field("park_id", "unknown_value")
	}
	return out, err
}

// Coverage analyses the living circle of the workers of one park
// (q.ParkID) or of every park the caller may see in the zone: for each
// enterprise with a location, which categories required by a circle have
// no resource (that the caller may see) within their circle's walk; the
// workers (headcount) lacking each; and up to three sites for a new
// service point, chosen greedily, each reaching within q.Minutes (default
// 15) the most workers who lack something and whom no earlier site
// reaches. Candidate sites are the enterprises' own locations and, over
// the road network, its nodes; without one (or for worksites off it), a
// 100 m grid laid over the gaps. Returns EVALIDATION on zone_id, park_id
// or minutes (1–60).
func (s *Service) Coverage(ctx context.Context, q CoverageQuery) (Coverage, error) {
	minutes, zone, g, err := s.question(ctx, q.Minutes, q.ZoneID)
	if err != nil {
		return Coverage{}, err
	}
	parks, err := coverageParks(ctx, s.DB.R, zone, q.ParkID)
	if err != nil {
		return Coverage{}, err
	}
	out := Coverage{ZoneID: zone, Minutes: minutes, Method: Straight, WalkSpeed: WalkSpeed, DetourFactor: DetourFactor, Parks: parks,
		Categories: []CategoryCoverage{}, Gaps: []Worksite{}, Suggestions: []Site{}}
	if out.Parks == nil {
		out.Parks = []ParkCoverage{}
		return out, nil
	}
	if g != nil {
		out.Method = Network
	}
	sites, err := worksites(ctx, s.DB.R, zone, parks)
	if err != nil {
		return out, err
	}
	cats, err := catalogue(ctx, s.DB.R, zone)
	if err != nil {
		return out, err
	}
	res, err := scopedResources(ctx, s.DB.R, zone)
	if err != nil {
		return out, err
	}
	var required []Category
	reach := 0.0
	for _, c := range cats {
		if c.Circle != nil {
			required = append(required, c)
			reach = max(reach, Budget(*c.Circle))
		}
	}
	if len(sites) == 0 {
		for _, c := range required {
			out.Categories = append(out.Categories, CategoryCoverage{Category: c.Code, Name: c.Name, NameEn: c.NameEn, Circle: *c.Circle})
		}
		return out, nil
	}
	pts := make([]orb.Point, len(sites))
	for i, w := range sites {
		pts[i] = w.pt
	}
	bound := orb.MultiPoint(pts).Bound()
	pl := newPlane(bound.Center())
	resPts := make([]orb.Point, len(res))
	for i, r := range res {
		resPts[i] = pointOf(r.Location)
	}
	resGrid := newPointGrid(pl, 250, resPts)
	resPlaces := make([]place, len(res))
	for i, p := range resPts {
		resPlaces[i] = placeOf(g, p)
	}
	sitePlaces := make([]place, len(sites))
	for i, p := range pts {
		sitePlaces[i] = placeOf(g, p)
	}

	// Which required categories each worksite lacks.
	byCat := make([]CategoryCoverage, len(required))
	for k, c := range required {
		byCat[k] = CategoryCoverage{Category: c.Code, Name: c.Name, NameEn: c.NameEn, Circle: *c.Circle}
	}
	parkIdx := map[string]int{}
	for i, p := range parks {
		parkIdx[p.ParkID] = i
	}
	var lacking []int // indexes into sites
	walks := make([]measure, len(sites))
	for i := range sites {
		w := &sites[i]
		m := newMeasure(g, w.pt, reach)
		walks[i] = m
		nearest := map[string]float64{}
		resGrid.near(w.pt, reach, func(k int) {
			d, _, _ := m.to(resPlaces[k], false)
			if old, ok := nearest[res[k].Category]; !ok || d < old {
				nearest[res[k].Category] = d
			}
		})
		w.Missing = []string{}
		for k, c := range required {
			if d, ok := nearest[c.Code]; ok && d <= Budget(*c.Circle) {
				byCat[k].CoveredWorkers += w.Workers
				continue
			}
			byCat[k].UncoveredWorkers += w.Workers
			byCat[k].UncoveredEnterprises++
			w.Missing = append(w.Missing, c.Code)
		}
		p := &out.Parks[parkIdx[w.ParkID]]
		p.Enterprises++
		p.Workers += w.Workers
		out.Enterprises++
		out.Workers += w.Workers
		if len(w.Missing) > 0 {
			p.UncoveredWorkers += w.Workers
			out.UncoveredWorkers += w.Workers
			lacking = append(lacking, i)
		}
	}
	out.Categories = byCat
	for _, i := range lacking {
		out.Gaps = append(out.Gaps, sites[i].Worksite)
	}
	sort.SliceStable(out.Gaps, func(i, j int) bool { return out.Gaps[i].Workers > out.Gaps[j].Workers })
	out.GapsTotal = len(out.Gaps)
	if len(out.Gaps) > MaxGaps {
		out.Gaps = out.Gaps[:MaxGaps]
	}
	budget := Budget(minutes)
	if budget > reach { // the walks so far stop short of the minutes asked
		for _, i := range lacking {
			walks[i] = newMeasure(g, sites[i].pt, budget)
		}
	}
	st := newSiting(g, pl, sites, sitePlaces, walks, lacking, max(budget, reach))
	out.Suggestions = st.choose(lacking, budget, Suggestions)
	for k, c := range required {
		if byCat[k].UncoveredEnterprises == 0 {
			continue
		}
		var gaps []int
		for _, i := range lacking {
			if slices.Contains(sites[i].Missing, c.Code) {
				gaps = append(gaps, i)
			}
		}
		if best := st.choose(gaps, Budget(*c.Circle), 1); len(best) > 0 {
			out.Categories[k].Suggestion = &best[0]
		}
	}
	return out, nil
}

// worksites loads the located enterprises of parks in the caller's scope.
func worksites(ctx context.Context, q db.Querier, zoneID string, parks []ParkCoverage) ([]worksite, error) {
	ids := make([]string, len(parks))
	for i, p := range parks {
		ids[i] = p.ParkID
	}
	var a db.Args
	where := access.From(ctx).Scope(Read).Where(&a, access.ByZone("zone_id"), access.ByNode("id"))
	var out []worksite
	err := db.Each(ctx, q, `SELECT id, name, park_id, lat, lng, employees FROM enterprises WHERE zone_id = `+a.Add(zoneID)+
		` AND park_id IN (`+a.In(ids)+`) AND lat IS NOT NULL AND lng IS NOT NULL AND `+where+` ORDER BY id`, a, func(s db.Scanner) error {
		var w worksite
		err := s.Scan(&w.EnterpriseID, &w.Name, &w.ParkID, &w.Location.Lat, &w.Location.Lng, &w.Workers)
		w.pt = pointOf(w.Location)
		out = append(out, w)
		return err
	})
	return out, err
}

type candidateKey struct {
	kind string
	id   int
}

type candidate struct {
	kind string
	id   int // enterprise index, node index, or grid cell hash
	pt   orb.Point
}

// reachable is a candidate site and the walk to it from a worksite.
type reachable struct {
	cand int
	d    float64
}

// siting holds the candidate sites for new service points and, for each
// worksite lacking something, the candidates within a walk of it.
type siting struct {
	sites []worksite
	cands []candidate
	reach map[int][]reachable // worksite → candidates, in candidate order
}

// newSiting lays out the candidates within budget of each lacking
// worksite: the enterprises' own locations; over the network, its nodes;
// off it, a 100 m grid. walks[i] is the walk from sites[i], bounded by
// budget or more.
func newSiting(g *Graph, pl plane, sites []worksite, places []place, walks []measure, lacking []int, budget float64) *siting {
	st := &siting{sites: sites, reach: map[int][]reachable{}}
	index := map[candidateKey]int{}
	add := func(c candidate, site int, d float64) {
		key := candidateKey{c.kind, c.id}
		k, ok := index[key]
		if !ok {
			k = len(st.cands)
			index[key] = k
			st.cands = append(st.cands, c)
		}
		st.reach[site] = append(st.reach[site], reachable{k, d})
	}
	pts := make([]orb.Point, len(places))
	for i, p := range places {
		pts[i] = p.pt
	}
	siteGrid := newPointGrid(pl, 250, pts)
	for _, i := range lacking {
		w, m := sites[i], walks[i]
		siteGrid.near(w.pt, budget, func(k int) {
			if d, _, _ := m.to(places[k], false); d <= budget {
				add(candidate{"enterprise", k, pts[k]}, i, d)
			}
		})
		if m.w != nil {
			nodes := make([]int, 0, len(m.w.dist))
			for n, d := range m.w.dist {
				if d <= budget {
					nodes = append(nodes, int(n))
				}
			}
			sort.Ints(nodes) // candidates in a fixed order: ties go to the first
			for _, n := range nodes {
				add(candidate{"road_node", n, g.nodes[n]}, i, m.w.dist[int32(n)])
			}
			continue
		}
		r := budget / DetourFactor
		x, y := pl.xy(w.pt)
		steps := int(math.Ceil(r / gridStep))
		cx, cy := int(math.Round(x/gridStep)), int(math.Round(y/gridStep))
		for a := cx - steps; a <= cx+steps; a++ {
			for b := cy - steps; b <= cy+steps; b++ {
				p := pl.point(float64(a)*gridStep, float64(b)*gridStep)
				if d := straight(w.pt, p); d <= budget {
					add(candidate{"grid", a*1_000_003 + b, p}, i, d)
				}
			}
		}
	}
	return st
}

// choose picks up to n sites greedily (maximal covering): each the
// candidate reaching within budget the most workers of the worksites
// (indexes into sites) that no earlier choice reaches; more worksites,
// then the earlier candidate, break ties.
func (st *siting) choose(worksites []int, budget float64, n int) []Site {
	out := []Site{}
	covers := make([][]int, len(st.cands))
	for _, i := range worksites {
		for _, r := range st.reach[i] {
			if r.d <= budget {
				if c := covers[r.cand]; len(c) == 0 || c[len(c)-1] != i {
					covers[r.cand] = append(c, i)
				}
			}
		}
	}
	done := make([]bool, len(st.sites))
	for range n {
		best, bestW, bestN := -1, 0, 0
		for k := range st.cands {
			wk, cnt := 0, 0
			for _, i := range covers[k] {
				if !done[i] {
					wk += st.sites[i].Workers
					cnt++
				}
			}
			if cnt > 0 && (wk > bestW || (wk == bestW && cnt > bestN)) {
				best, bestW, bestN = k, wk, cnt
			}
		}
		if best < 0 {
			break
		}
		c := st.cands[best]
		site := Site{Location: geo.Point{Lat: c.pt[1], Lng: c.pt[0]}, Kind: c.kind, CoversWorkers: bestW, CoversEnterprises: bestN}
		if c.kind == "enterprise" {
			id := st.sites[c.id].EnterpriseID
			site.EnterpriseID = &id
		}
		out = append(out, site)
		for _, i := range covers[best] {
			done[i] = true
		}
	}
	return out
}
