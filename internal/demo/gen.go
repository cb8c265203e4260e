package demo

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/ident"
	"tongxin/internal/matrix"
	"tongxin/internal/nodes"
	"tongxin/internal/search"
	"tongxin/internal/secret"
)

// Scale sizes a generated zone (PRODUCT.md, "Scale").
type Scale struct {
	Name        string
	Parks       int     // generated parks; 0: the article's three
	Enterprises int     // in all, the article's included
	People      int     // in all
	MemberShare float64 // share of people who are party members
	Stations    int
	Workshops   int // generated red workshops, besides the article's
	// AllianceOrgs is how many of 安东园's enterprises have their own
	// branch for certain (the article's alliance counts 38).
	AllianceOrgs int
	// The zone's work (genwork.go), for generated zones only: activities,
	// sign-ups in all, and service requests. The article's demo zone
	// records its own through the domain services instead.
	Activities, Signups, Requests int
}

// Scales are the reference scales.
var Scales = map[string]Scale{
	"demo": {Name: "demo", Enterprises: 60, People: 600, MemberShare: 0.3, Stations: 8, AllianceOrgs: 38},
	"zone": {Name: "zone", Parks: 12, Enterprises: 2000, People: 100000, MemberShare: 0.12, Stations: 24, Workshops: 100,
		Activities: 20000, Signups: 1000000, Requests: 300000},
	// small is a zone in miniature with the same kinds of rows, for smoke
	// tests of the load benchmark.
	"small": {Name: "small", Parks: 3, Enterprises: 100, People: 2000, MemberShare: 0.12, Stations: 4, Workshops: 5,
		Activities: 200, Signups: 4000, Requests: 1000},
}

// Reference is the day generated data is "as of": dates are drawn
// relative to it so the same seed gives the same rows on any day.
var Reference = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// division is the administrative division code of Jinjiang, used in
// generated USCCs and ID numbers.
const division = "350582"

// Counts says how many rows each table received.
type Counts map[string]int

// ParkRef is a park the generator fills.
type ParkRef struct{ ID, Name, Code string }

type gen struct {
	r      *rand.Rand
	keys   *secret.Keys
	b      *bulk
	zoneID string
	seq    int64
	paths  map[string]string // node id → path
}

// id returns a UUIDv7 whose time is Reference plus a sequence and whose
// random bits come from the seeded source: the same seed gives the same
// ids, still time-ordered in creation order.
func (g *gen) id() string {
	g.seq++
	var u [16]byte
	binary.BigEndian.PutUint64(u[:8], uint64(Reference.UnixMilli()+g.seq)<<16)
	x, y := g.r.Uint64(), g.r.Uint64()
	u[6] = 0x70 | byte(x&0x0f)
	u[7] = byte(x >> 8)
	binary.BigEndian.PutUint64(u[8:], y)
	u[8] = 0x80 | (u[8] & 0x3f)
	return uuid.UUID(u).String()
}

func (g *gen) at() int64 { return db.Micros(Reference) + g.seq }

func (g *gen) node(id, kind, parent, name string) error {
	path := nodes.PathOf(g.paths[parent], id)
	g.paths[id] = path
	return g.b.add("scope_nodes", "id, zone_id, kind, parent_id, path, name", id, g.zoneID, kind, parent, path, name)
}

// day returns Reference minus between lo and hi days, as YYYY-MM-DD.
func (g *gen) day(lo, hi int) string {
	return Reference.AddDate(0, 0, -(lo + g.r.IntN(hi-lo+1))).Format(time.DateOnly)
}

type enterprise struct {
	id, name, park, industry string
	employees                int
	people                   []int // indexes into gen.people
	named                    bool
	org                      string // its own organisation, if any
}

type person struct {
	id, name, idNumber, phone, gender string
	enterprise                        int
	status                            string // "", full, probationary
	org                               string
	joined, contact                   string
	tags                              []string
}

type org struct {
	id, name, kind, park, parent string
	enterprises                  []string
	members                      []int
}

// fill generates the organisation matrix of a zone whose parks exist:
// enterprises (named ones first), people, party organisations as a tree
// under the zone's working committee, stations, alliances and red
// workshops. Named enterprises are the article's; every generated row is
// marked sample.
func fill(ctx context.Context, tx *db.Tx, keys *secret.Keys, zoneID string, parks []ParkRef, sc Scale, seed uint64, named []namedEnterprise) (Counts, error) {
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), keys: keys, b: newBulk(ctx, tx), zoneID: zoneID, paths: map[string]string{}}
	defer g.b.close()
	g.paths[zoneID] = nodes.PathOf("", zoneID)
	for _, p := range parks {
		g.paths[p.ID] = nodes.PathOf(g.paths[zoneID], p.ID)
	}
	parkByCode := map[string]ParkRef{}
	for _, p := range parks {
		parkByCode[p.Code] = p
	}

	// Enterprises: the named ones in their parks, then generated ones
	// spread over the parks (the demo's 安东园 gets the most: its alliance
	// alone counts 38 organisations).
	var ents []*enterprise
	for _, n := range named {
		ents = append(ents, &enterprise{id: g.id(), name: n.Name, park: parkByCode[n.Park].ID, industry: n.Industry, employees: n.Employees, named: true})
	}
	weights := make([]float64, len(parks))
	for i, p := range parks {
		weights[i] = 1
		if p.Code == "andong" {
			weights[i] = 5
		}
	}
	inAndong := 0
	for _, e := range ents {
		if e.park == parkByCode["andong"].ID {
			inAndong++
		}
	}
	for len(ents) < sc.Enterprises {
		ind := industries[g.r.IntN(len(industries))]
		park := parks[pick(g.r, weights)].ID
		if a, ok := parkByCode["andong"]; ok && inAndong < sc.AllianceOrgs {
			park = a.ID
			inAndong++
		}
		ents = append(ents, &enterprise{id: g.id(), name: enterpriseName(g.r, ind), park: park, industry: ind,
			employees: 20 + int(math.Exp(g.r.NormFloat64()*0.9+4.2))})
	}
	entWeights := make([]float64, len(ents))
	for i, e := range ents {
		entWeights[i] = math.Sqrt(float64(e.employees)) // large firms have more people on record, not proportionally more
	}

	// People: spread over enterprises by headcount; a share are party
	// members (about one in eight probationary).
	// The article's enterprises each have their own branch, and so do
	// enough of 安东园's for its alliance of 38: the first people go to
	// these core enterprises, five full members each, before the rest are
	// spread by headcount.
	const namedCore = 8
	var cores []int
	andong := 0
	for i, e := range ents {
		isAndong := parkByCode["andong"].ID == e.park
		if e.named || (isAndong && andong < sc.AllianceOrgs) {
			cores = append(cores, i)
			if isAndong {
				andong++
			}
		}
	}
	people := make([]person, sc.People)
	usedIDs := map[string]bool{}
	for i := range people {
		p := &people[i]
		p.id, p.name = g.id(), personName(g.r)
		core := i < namedCore*len(cores)
		if core {
			p.enterprise = cores[i/namedCore]
		} else {
			p.enterprise = pick(g.r, entWeights)
		}
		male := g.r.IntN(2) == 0
		birth := Reference.AddDate(-(20 + g.r.IntN(40)), 0, -g.r.IntN(365))
		for p.idNumber == "" || usedIDs[p.idNumber] { // unique in the zone
			p.idNumber = ident.NewIDNumber(g.r, division, birth, male)
			birth = birth.AddDate(0, 0, -1)
		}
		usedIDs[p.idNumber] = true
		p.gender = ident.IDGender(p.idNumber)
		p.phone = ident.NewMobile(g.r)
		if (core && i%namedCore < 5) || (!core && g.r.Float64() < sc.MemberShare) {
			p.status = "full"
			p.joined = g.day(400, 365*25)
			if !core && g.r.IntN(8) == 0 {
				p.status = "probationary"
				p.joined = g.day(30, 330)
			}
			p.contact = g.day(0, 90)
			if g.r.IntN(30) == 0 {
				p.contact = g.day(200, 400) // out of contact: flagged after 6 months
			}
		}
		for _, t := range tagPool {
			if g.r.IntN(12) == 0 {
				p.tags = append(p.tags, t)
			}
		}
		ents[p.enterprise].people = append(ents[p.enterprise].people, i)
	}

	// Organisations: the working committee; a committee per park; a
	// branch (or general branch when large) per enterprise with 3 or more
	// full members, except about one in twenty that "still needs one" (its
	// members stay with the park committee); enterprises with fewer
	// members share joint branches of up to three enterprises.
	var orgs []*org
	wc := &org{id: g.id(), name: "晋江经济开发区党工委", kind: "working_committee", parent: zoneID}
	orgs = append(orgs, wc)
	parkOrg := map[string]*org{}
	for _, pk := range parks {
		o := &org{id: g.id(), name: pk.Name + "综合党委", kind: "committee", park: pk.ID, parent: wc.id}
		parkOrg[pk.ID] = o
		orgs = append(orgs, o)
	}
	joint := map[string]*org{}
	jointN := map[string]int{}
	for idx, e := range ents {
		full := 0
		for _, i := range e.people {
			if people[i].status == "full" {
				full++
			}
		}
		members := slices.DeleteFunc(slices.Clone(e.people), func(i int) bool { return people[i].status == "" })
		var o *org
		switch {
		case full >= 3 && (slices.Contains(cores, idx) || g.r.IntN(20) != 0):
			kind := "branch"
			if len(members) > 50 {
				kind = "general_branch"
			}
			o = &org{id: g.id(), name: short(e.name) + "党支部", kind: kind, park: e.park, parent: parkOrg[e.park].id, enterprises: []string{e.id}}
			if kind == "general_branch" {
				o.name = short(e.name) + "党总支"
			}
			orgs = append(orgs, o)
			e.org = o.id
		case full >= 3:
			o = parkOrg[e.park] // needs its own organisation: the report lists it
		case len(members) > 0:
			j := joint[e.park]
			if j == nil || len(j.enterprises) >= 3 {
				jointN[e.park]++
				j = &org{id: g.id(), name: fmt.Sprintf("%s联合党支部（%d）", parkName(parks, e.park), jointN[e.park]), kind: "joint_branch", park: e.park, parent: parkOrg[e.park].id}
				joint[e.park] = j
				orgs = append(orgs, j)
			}
			j.enterprises = append(j.enterprises, e.id)
			e.org = j.id
			o = j
		}
		for _, i := range members {
			people[i].org = o.id
			o.members = append(o.members, i)
		}
	}

	// Rows, parents first. Each park's enterprises and stations lie around
	// its centre, so parks have outlines on the map.
	centres := parkCentres(parks)
	for _, e := range ents {
		if err := g.node(e.id, access.KindEnterprise, e.park, e.name); err != nil {
			return nil, err
		}
	}
	for _, e := range ents {
		uscc := ident.NewUSCC(g.r, division)
		lat, lng := g.around(centres[e.park])
		addr := fmt.Sprintf("晋江经济开发区%s%s%d号", parkName(parks, e.park), streets[g.r.IntN(len(streets))], 1+g.r.IntN(300))
		rd := e.employees * (3 + g.r.IntN(12)) / 100
		output := int64(e.employees) * int64(8000+g.r.IntN(30000)) * 100
		if err := g.b.add("enterprises", "id, zone_id, park_id, name, uscc, industry, address, lat, lng, employees, rd_staff, monthly_output_fen, sample, search_key, version, created_at, updated_at",
			e.id, zoneID, e.park, e.name, uscc, e.industry, addr, lat, lng, e.employees, rd, output, !e.named,
			search.Key(e.name, uscc, e.industry, addr), 1, g.at(), g.at()); err != nil {
			return nil, err
		}
	}
	for _, o := range orgs {
		if err := g.node(o.id, access.KindOrg, o.parent, o.name); err != nil {
			return nil, err
		}
	}
	for _, o := range orgs {
		var parent, park, secretary any
		if o.kind != "working_committee" && o.parent != zoneID {
			parent = o.parent
		}
		if o.park != "" {
			park = o.park
		}
		founded := g.day(365, 365*12)
		years := 3
		if o.kind == "committee" || o.kind == "working_committee" {
			years = 5
		}
		f, _ := time.Parse(time.DateOnly, founded)
		end := f.AddDate(years, 0, 0)
		for end.Before(Reference) && g.r.IntN(6) != 0 { // most have held their elections on time
			end = end.AddDate(years, 0, 0)
		}
		for _, i := range o.members {
			if people[i].status == "full" {
				secretary = people[i].id
				break
			}
		}
		if err := g.b.add("orgs", "id, zone_id, parent_id, park_id, name, kind, secretary_id, founded_on, term_ends_on, has_committee, sample, search_key, version, created_at, updated_at",
			o.id, zoneID, parent, park, o.name, o.kind, secretary, founded, end.Format(time.DateOnly), len(o.members) >= 7 && g.r.IntN(10) != 0,
			o.kind == "joint_branch" || !namedOrg(named, o.name), search.Key(o.name), 1, g.at(), g.at()); err != nil {
			return nil, err
		}
		for _, e := range o.enterprises {
			if err := g.b.add("org_enterprises", "org_id, enterprise_id, zone_id", o.id, e, zoneID); err != nil {
				return nil, err
			}
		}
	}
	for i := range people {
		p := &people[i]
		var status, org, joined, contact any
		if p.status != "" {
			status, org, joined, contact = p.status, p.org, p.joined, p.contact
		}
		if err := g.b.add("people", "id, zone_id, name, gender, phone_sealed, phone_index, id_sealed, id_index, enterprise_id, org_id, party_status, joined_on, last_contact_on, sample, search_key, version, created_at, updated_at",
			p.id, zoneID, p.name, p.gender, keys.Seal(p.phone), keys.Index("phone", p.phone), keys.Seal(p.idNumber), keys.Index("id_number", p.idNumber),
			ents[p.enterprise].id, org, status, joined, contact, true, search.Key(p.name), 1, g.at(), g.at()); err != nil {
			return nil, err
		}
		for _, t := range p.tags {
			if err := g.b.add("person_tags", "person_id, zone_id, tag", p.id, zoneID, t); err != nil {
				return nil, err
			}
		}
	}

	// Stations: spread over the parks, each covering a share of its park's
	// enterprises.
	byPark := map[string][]*enterprise{}
	for _, e := range ents {
		byPark[e.park] = append(byPark[e.park], e)
	}
	for s := 0; s < sc.Stations; s++ {
		pk := parks[s%len(parks)]
		n := s/len(parks) + 1
		id := g.id()
		name := fmt.Sprintf("%s党建工作指导服务站（%d）", pk.Name, n)
		addr := fmt.Sprintf("晋江经济开发区%s%s%d号", pk.Name, streets[g.r.IntN(len(streets))], 1+g.r.IntN(300))
		lat, lng := g.around(centres[pk.ID])
		if err := g.node(id, access.KindStation, pk.ID, name); err != nil {
			return nil, err
		}
		if err := g.b.add("stations", "id, zone_id, park_id, name, address, lat, lng, search_key, version, created_at, updated_at",
			id, zoneID, pk.ID, name, addr, lat, lng, search.Key(name, addr), 1, g.at(), g.at()); err != nil {
			return nil, err
		}
		per := (sc.Stations + len(parks) - 1) / len(parks)
		for k, e := range byPark[pk.ID] {
			if k%per == n-1 {
				if err := g.b.add("station_enterprises", "station_id, enterprise_id, zone_id", id, e.id, zoneID); err != nil {
					return nil, err
				}
			}
		}
	}

	// Alliances: one per park of its enterprise organisations (at most 38,
	// the article's 安东园 alliance), led by the first.
	for _, pk := range parks {
		var members []string
		for _, o := range orgs {
			if o.park == pk.ID && o.kind != "committee" && len(members) < 38 {
				members = append(members, o.id)
			}
		}
		if len(members) == 0 {
			continue
		}
		id, name := g.id(), pk.Name+"党建联盟"
		if err := g.b.add("alliances", "id, zone_id, park_id, name, lead_org_id, search_key, version, created_at, updated_at",
			id, zoneID, pk.ID, name, members[0], search.Key(name), 1, g.at(), g.at()); err != nil {
			return nil, err
		}
		for _, m := range members {
			if err := g.b.add("alliance_orgs", "alliance_id, org_id, zone_id", id, m, zoneID); err != nil {
				return nil, err
			}
		}
	}

	// Red workshops: the article's (成达齿轮: about 5 million yuan a month a
	// year ago, nearly 20 million now; 盼盼饮料's red production line) and
	// generated ones in enterprises with their own branch.
	type ws struct {
		e        *enterprise
		name     string
		from, to float64 // monthly output, yuan
		members  int
	}
	var shops []ws
	for _, e := range ents {
		switch {
		case e.name == "晋江市成达齿轮有限公司":
			shops = append(shops, ws{e, "成达齿轮红色车间", 5.2e6, 19.6e6, 4})
		case e.name == "福建盼盼饮料有限公司":
			shops = append(shops, ws{e, "盼盼饮料红色生产车间", 8e6, 11e6, 6})
		}
	}
	for k := 0; k < sc.Workshops; k++ {
		e := ents[g.r.IntN(len(ents))]
		if e.org == "" || e.named {
			continue
		}
		base := float64(e.employees) * 3000
		shops = append(shops, ws{e, short(e.name) + "红色车间", base, base * (1 + g.r.Float64()), 3})
	}
	for _, s := range shops {
		id := g.id()
		if err := g.b.add("workshops", "id, zone_id, enterprise_id, org_id, name, search_key, version, created_at, updated_at",
			id, zoneID, s.e.id, nullIf(s.e.org), s.name, search.Key(s.name), 1, g.at(), g.at()); err != nil {
			return nil, err
		}
		n := 0
		for _, i := range s.e.people {
			if people[i].status != "" && people[i].org == s.e.org && n < s.members {
				if err := g.b.add("workshop_members", "workshop_id, person_id, zone_id", id, people[i].id, zoneID); err != nil {
					return nil, err
				}
				n++
			}
		}
		for m := 0; m < 12; m++ {
			month := Reference.AddDate(0, m-12, 0).Format("2006-01")
			v := s.from + (s.to-s.from)*float64(m)/11*(0.9+0.2*g.r.Float64())
			if m == 11 {
				v = s.to
			}
			if err := g.b.add("workshop_outputs", "workshop_id, zone_id, month, output_fen", id, zoneID, month, int64(v)*100); err != nil {
				return nil, err
			}
		}
	}
	if err := g.b.flush(); err != nil {
		return nil, err
	}
	if err := g.livingCircle(ctx, tx, parks, centres); err != nil {
		return nil, err
	}
	if err := g.work(parks, centres, orgs, people, sc); err != nil {
		return nil, err
	}
	if err := g.b.flush(); err != nil {
		return nil, err
	}
	// The matrix's roll-up of the facts work wrote directly.
	if err := matrix.Rebuild(ctx, tx, zoneID); err != nil {
		return nil, err
	}
	return Counts(g.b.counts), nil
}

func nullIf(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// pick returns an index drawn with the given weights.
func pick(r *rand.Rand, w []float64) int {
	total := 0.0
	for _, x := range w {
		total += x
	}
	x := r.Float64() * total
	for i, v := range w {
		if x < v {
			return i
		}
		x -= v
	}
	return len(w) - 1
}

func parkName(parks []ParkRef, id string) string {
	for _, p := range parks {
		if p.ID == id {
			return p.Name
		}
	}
	return ""
}

// short drops the legal-form words of an enterprise name for its
// organisation's name: 晋江市成达齿轮有限公司 → 成达齿轮.
func short(name string) string {
	s := []rune(name)
	str := string(s)
	for _, p := range []string{"晋江市", "晋江", "泉州", "福建"} {
		if len(str) > len(p) && str[:len(p)] == p {
			str = str[len(p):]
			break
		}
	}
	for _, suf := range []string{"有限公司（示例）", "有限公司", "集团", "公司"} {
		if len(str) > len(suf) && str[len(str)-len(suf):] == suf {
			str = str[:len(str)-len(suf)]
			break
		}
	}
	return str
}

func namedOrg(named []namedEnterprise, orgName string) bool {
	for _, n := range named {
		if short(n.Name)+"党支部" == orgName || short(n.Name)+"党总支" == orgName {
			return true
		}
	}
	return false
}
