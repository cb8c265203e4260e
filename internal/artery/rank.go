package artery

import (
	"context"
	"database/sql"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"tongxin/internal/db"
	"tongxin/internal/i18n"
)

// The ranking. A candidate for a listing is an open, current listing of the
// other kind (offers for a need, needs for an offer) of another owner in
// the same zone. Its score is a weighted sum of five parts, each between 0
// and 1:
//
//	text      0.45  shared terms: BM25 over character bigrams (terms.go),
//	                divided by the listing's score against itself
//	chain     0.20  1 for the neighbouring segment of the same chain
//	                (upstream–midstream, midstream–downstream), 0.6 for the
//	                same segment, 0.4 for elsewhere on the same chain
//	category  0.10  1 when both are about the same thing (technology,
//	                talent, capacity, material, market)
//	distance  0.10  exp(−km / 5) between the owners' locations: 1 next
//	                door, 0.37 at 5 km, 0.14 at 10 km; 0 when one has none
//	history   0.15  1 when the owners already cooperate (or did)
//
// Only candidates sharing a term, a chain or a past cooperation are
// ranked; text and chain narrow them to the best Pool before distance and
// history are read from the database.
var Weights = struct{ Text, Chain, Category, Distance, History float64 }{0.45, 0.20, 0.10, 0.10, 0.15}

// Pool is how many candidates the text, chain and category parts keep for
// the distance and history parts to reorder.
const Pool = 200

// MaxProposals bounds one answer.
const MaxProposals = 50

// BM25 parameters.
const (
	bm25K = 1.2
	bm25B = 0.75
)

// Reason is one part of a proposal's score, with what it rests on.
type Reason struct {
	Code  string   `json:"code"`  // shared_terms, adjacent_segment, same_segment, same_chain, same_category, distance, past_cooperation
	Score float64  `json:"score"` // its weighted share of the total
	Terms []string `json:"terms,omitempty"`
	KM    *float64 `json:"km,omitempty"`
	// Names: the segments (theirs, ours) or the past cooperation's title.
	Names []string `json:"names,omitempty"`
}

// Proposal is a ranked candidate for a listing, with its reasons and the
// same in plain words.
type Proposal struct {
	Listing     Listing           `json:"listing"`
	Score       float64           `json:"score"`
	Reasons     []Reason          `json:"reasons"`
	Explanation map[string]string `json:"explanation"`
	MatchID     *string           `json:"match_id"`
}

// Languages the explanations are written in.
var Languages = []string{"zh-CN", "en"}

type scored struct {
	slot                       int32
	text, chain, cat, km, hist float64
	hasKM                      bool
	total                      float64
}

type segmentInfo struct {
	chain, stage, name string
}

// Propose ranks candidates for the listing id, best first, at most limit.
// The caller must see the listing (artery.read); candidates are shown
// whoever owns them, for that is the point of matchmaking. Returns
// ENOTFOUND.
func (s *Service) Propose(ctx context.Context, id string, limit int) ([]Proposal, error) {
	l, err := listingTable.One(ctx, s.DB.R, Read, Read, id)
	if err != nil {
		return nil, err
	}
	return s.propose(ctx, l, limit, "")
}

// propose ranks the candidates of l; with only, just that candidate.
func (s *Service) propose(ctx context.Context, l Listing, limit int, only string) ([]Proposal, error) {
	limit = min(max(limit, 1), MaxProposals)
	q := s.DB.R
	segs := map[string]segmentInfo{}
	err := db.Each(ctx, q, `SELECT id, chain_id, stage, name FROM chain_segments WHERE zone_id = $1`, db.Args{l.ZoneID}, func(sc db.Scanner) error {
		var id string
		var sg segmentInfo
		err := sc.Scan(&id, &sg.chain, &sg.stage, &sg.name)
		segs[id] = sg
		return err
	})
	if err != nil {
		return nil, err
	}
	owner := l.owner()
	past, err := pastPartners(ctx, q, owner)
	if err != nil {
		return nil, err
	}
	today := s.DB.Now().Format("2006-01-02")

	z, err := s.index.fresh(ctx, q, l.ZoneID)
	if err != nil {
		return nil, err
	}
	var pool []scored
	if only != "" {
		pool = z.rankOne(l, only, segs, past, today)
	} else {
		pool = z.rank(l, segs, past, today)
	}
	var docs []*doc
	var shared []map[string]bool
	q0 := z.query(l, segs, past, today)
	for _, c := range pool {
		d := z.slots[c.slot]
		docs = append(docs, d)
		shared = append(shared, z.shared(&q0, d))
	}
	z.mu.RUnlock()
	// Distance: the owners' locations as they are now.
	loc, err := locations(ctx, q, owner, l.InstituteID != nil, docs)
	if err != nil {
		return nil, err
	}
	for i := range pool {
		c := &pool[i]
		if a, ok := loc[owner]; ok {
			if b, ok := loc[docs[i].owner]; ok {
				c.km, c.hasKM = km(a, b), true
			}
		}
		c.total = Weights.Text*c.text + Weights.Chain*c.chain + Weights.Category*c.cat + Weights.History*c.hist
		if c.hasKM {
			c.total += Weights.Distance * math.Exp(-c.km/5)
		}
	}
	order := make([]int, len(pool))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		x, y := pool[order[a]], pool[order[b]]
		if x.total != y.total {
			return x.total > y.total
		}
		return docs[order[a]].id < docs[order[b]].id
	})
	if len(order) > limit {
		order = order[:limit]
	}
	ids := make([]string, len(order))
	for i, o := range order {
		ids[i] = docs[o].id
	}
	listings, matches, err := s.candidates(ctx, l, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Proposal, 0, len(order))
	for _, o := range order {
		c, d := pool[o], docs[o]
		cl, ok := listings[d.id]
		if !ok {
			continue // deleted since the index was read
		}
		p := Proposal{Listing: cl, Score: round(c.total), MatchID: matches[d.id]}
		p.Reasons = reasons(l, d, c, shared[o], segs, past)
		p.Explanation = explain(p.Reasons)
		out = append(out, p)
	}
	return out, nil
}

// scratch is one ranking's per-slot work space, reused across rankings.
type scratch struct {
	text    []float32
	touched []int32
	mark    []bool
}

var scratches = sync.Pool{New: func() any { return &scratch{} }}

func (sc *scratch) size(n int) {
	if cap(sc.text) < n {
		sc.text, sc.mark = make([]float32, n), make([]bool, n)
	}
	sc.text, sc.mark = sc.text[:n], sc.mark[:n]
}

func (sc *scratch) touch(slot int32) {
	if !sc.mark[slot] {
		sc.mark[slot] = true
		sc.touched = append(sc.touched, slot)
	}
}

// release zeroes what was touched and returns the space to the pool.
func (sc *scratch) release() {
	for _, s := range sc.touched {
		sc.text[s], sc.mark[s] = 0, false
	}
	sc.touched = sc.touched[:0]
	scratches.Put(sc)
}

// rank scores the candidates of l by text, chain, category and history
// and returns the best Pool of them, best first. z is read-locked. Its
// cost is the postings of l's terms and the listings of its chain and
// past partners, never the whole zone.
func (z *zoneIndex) rank(l Listing, segs map[string]segmentInfo, past map[string]string, today string) []scored {
	q := z.query(l, segs, past, today)
	sc := scratches.Get().(*scratch)
	defer sc.release()
	sc.size(len(z.slots))
	for t, c := range q.tf {
		id, ok := z.termID[t]
		if !ok {
			continue
		}
		w := q.idf(z, t) * c
		for _, p := range z.postings[id] {
			sc.touch(p.slot)
			sc.text[p.slot] += float32(w * bm25(float64(p.tf), float64(p.length), q.avg))
		}
	}
	if chain := deref(l.ChainID); chain != "" {
		for _, slot := range z.byChain[chain] {
			sc.touch(slot)
		}
	}
	for partner := range past {
		for _, slot := range z.byOwner[partner] {
			sc.touch(slot)
		}
	}
	top := make(topK, 0, Pool+1)
	for _, slot := range sc.touched {
		if c, ok := z.score(&q, slot, float64(sc.text[slot])/q.best); ok {
			top.push(c, z)
		}
	}
	sort.Slice(top, func(i, j int) bool { return top.better(z, top[i], top[j]) })
	return top
}

// rankOne scores the one candidate id of l (none when it is no
// candidate).
func (z *zoneIndex) rankOne(l Listing, id string, segs map[string]segmentInfo, past map[string]string, today string) []scored {
	slot, ok := z.slotOf[id]
	if !ok {
		return nil
	}
	q := z.query(l, segs, past, today)
	d := z.slots[slot]
	text := 0.0
	for t, c := range q.tf {
		if n := d.count(z.termOf(t)); n > 0 {
			text += q.idf(z, t) * c * bm25(float64(n), float64(d.length), q.avg)
		}
	}
	c, ok := z.score(&q, slot, text/q.best)
	if !ok || (c.text == 0 && c.chain == 0 && c.hist == 0) {
		return nil
	}
	return []scored{c}
}

// termOf returns the id of term t, -1 when no listing holds it.
func (z *zoneIndex) termOf(t string) int32 {
	if id, ok := z.termID[t]; ok {
		return id
	}
	return -1
}

// shared returns the terms of q that d holds.
func (z *zoneIndex) shared(q *query, d *doc) map[string]bool {
	out := map[string]bool{}
	for t := range q.tf {
		if d.count(z.termOf(t)) > 0 {
			out[t] = true
		}
	}
	return out
}

// query is a listing as the ranking weighs it.
type query struct {
	tf     map[string]float64 // title terms count twice
	n, avg float64            // listings in the zone, their mean length
	best   float64            // the listing's text score against itself
	need   bool
	owner  int32     // interned owner, -1 when unknown to the index
	chain  []float64 // by interned place: the chain score, -1 until met
	// The listing's place, category, partners and day, for score.
	chainID, segmentID string
	category           uint8
	segs               map[string]segmentInfo
	past               map[int32]bool
	today              int32
}

func (z *zoneIndex) query(l Listing, segs map[string]segmentInfo, past map[string]string, today string) query {
	q := query{tf: map[string]float64{}, n: float64(z.live), avg: 1, need: l.Kind == Need, owner: -1, chain: make([]float64, len(z.placeOf)),
		chainID: deref(l.ChainID), segmentID: deref(l.SegmentID), category: uint8(slices.Index(Categories, l.Category)), segs: segs,
		past: map[int32]bool{}, today: days(today)}
	if o, ok := z.owners[l.owner()]; ok {
		q.owner = o
	}
	for i := range q.chain {
		q.chain[i] = -1
	}
	for partner := range past {
		if o, ok := z.owners[partner]; ok {
			q.past[o] = true
		}
	}
	length := 0.0
	for _, t := range terms(l.Title) {
		q.tf[t] += 2
		length += 2
	}
	for _, t := range terms(l.Body) {
		q.tf[t]++
		length++
	}
	if z.live > 0 && z.totalLen > 0 {
		q.avg = float64(z.totalLen) / q.n
	}
	for t, c := range q.tf {
		q.best += q.idf(z, t) * c * bm25(c, length, q.avg)
	}
	if q.best == 0 {
		q.best = 1 // no terms: no text score
	}
	return q
}

// idf is BM25's inverse document frequency of t in the zone.
func (q query) idf(z *zoneIndex, t string) float64 {
	df := 0.0
	if id, ok := z.termID[t]; ok {
		df = float64(len(z.postings[id]))
	}
	return math.Log(1 + (q.n-df+0.5)/(df+0.5))
}

// score is the candidate at slot for l, given its relative text score;
// false when it is no candidate (same kind or owner, closed, not current).
func (z *zoneIndex) score(q *query, slot int32, text float64) (scored, bool) {
	m := &z.meta[slot]
	if !m.live || m.need == q.need || m.owner == q.owner || !m.open || (m.until != 0 && m.until < q.today) || (m.from != 0 && m.from > q.today) {
		return scored{}, false
	}
	c := scored{slot: slot, text: min(1, text)}
	if m.place >= 0 {
		cs := q.chain[m.place]
		if cs < 0 {
			p := z.placeOf[m.place]
			cs = chainScore(q.chainID, q.segmentID, p[0], p[1], q.segs)
			q.chain[m.place] = cs
		}
		c.chain = cs
	}
	if m.category == q.category {
		c.cat = 1
	}
	if q.past[m.owner] {
		c.hist = 1
	}
	c.total = Weights.Text*c.text + Weights.Chain*c.chain + Weights.Category*c.cat + Weights.History*c.hist
	return c, true
}

// topK keeps the best Pool candidates seen: a min-heap on the score, the
// worst at the root.
type topK []scored

// better orders by score, then by listing id for a stable answer.
func (topK) better(z *zoneIndex, a, b scored) bool {
	if a.total != b.total {
		return a.total > b.total
	}
	return z.slots[a.slot].id < z.slots[b.slot].id
}

func (h *topK) push(c scored, z *zoneIndex) {
	t := *h
	if len(t) == Pool {
		if !t.better(z, c, t[0]) {
			return
		}
		t[0] = c
		t.down(0, z)
		return
	}
	t = append(t, c)
	for i := len(t) - 1; i > 0; {
		parent := (i - 1) / 2
		if !t.better(z, t[parent], t[i]) {
			break
		}
		t[parent], t[i] = t[i], t[parent]
		i = parent
	}
	*h = t
}

func (t topK) down(i int, z *zoneIndex) {
	for {
		worst, l, r := i, 2*i+1, 2*i+2
		if l < len(t) && t.better(z, t[worst], t[l]) {
			worst = l
		}
		if r < len(t) && t.better(z, t[worst], t[r]) {
			worst = r
		}
		if worst == i {
			return
		}
		t[i], t[worst] = t[worst], t[i]
		i = worst
	}
}

func bm25(tf, length, avg float64) float64 {
	if tf == 0 {
		return 0
	}
	return tf * (bm25K + 1) / (tf + bm25K*(1-bm25B+bm25B*length/avg))
}

func stageIndex(stage string) int { return slices.Index(Stages, stage) }

// chainScore: 1 for neighbouring stages of one chain, 0.6 for the same
// segment, 0.4 for the same chain otherwise (including the same stage in
// another segment, or a listing on the chain without a segment).
func chainScore(chainA, segA, chainB, segB string, segs map[string]segmentInfo) float64 {
	if chainA == "" || chainA != chainB {
		return 0
	}
	if segA != "" && segA == segB {
		return 0.6
	}
	a, okA := segs[segA]
	b, okB := segs[segB]
	if okA && okB {
		d := stageIndex(a.stage) - stageIndex(b.stage)
		if d == 1 || d == -1 {
			return 1
		}
	}
	return 0.4
}

// pastPartners returns the parties that have cooperated with owner (in a
// cooperation not cancelled), each with one cooperation's title.
func pastPartners(ctx context.Context, q db.Querier, owner string) (map[string]string, error) {
	out := map[string]string{}
	if owner == "" {
		return out, nil
	}
	err := db.Each(ctx, q, `SELECT o.party_id, c.title FROM cooperation_parties p
		JOIN cooperation_parties o ON o.cooperation_id = p.cooperation_id AND o.party_id <> p.party_id
		JOIN cooperations c ON c.id = p.cooperation_id
		WHERE p.party_id = $1 AND c.status <> 'cancelled' ORDER BY c.id`, db.Args{owner}, func(s db.Scanner) error {
		var id, title string
		err := s.Scan(&id, &title)
		if _, ok := out[id]; !ok {
			out[id] = title
		}
		return err
	})
	return out, err
}

type point struct{ lat, lng float64 }

// locations reads the locations of the owners of docs and of owner.
func locations(ctx context.Context, q db.Querier, owner string, ownerIsInstitute bool, docs []*doc) (map[string]point, error) {
	var ents, insts []string
	add := func(id string, institute bool) {
		if institute {
			insts = append(insts, id)
		} else {
			ents = append(ents, id)
		}
	}
	add(owner, ownerIsInstitute)
	for _, d := range docs {
		add(d.owner, d.ownerIsInstitute)
	}
	out := map[string]point{}
	for _, t := range []struct {
		table string
		ids   []string
	}{{"enterprises", ents}, {"institutes", insts}} {
		ids := slices.Compact(db.Sorted(t.ids))
		if len(ids) == 0 {
			continue
		}
		var a db.Args
		err := db.Each(ctx, q, `SELECT id, lat, lng FROM `+t.table+` WHERE id IN (`+a.In(ids)+`) AND lat IS NOT NULL AND lng IS NOT NULL`, a,
			func(s db.Scanner) error {
				var id string
				var lat, lng sql.NullFloat64
				err := s.Scan(&id, &lat, &lng)
				out[id] = point{lat.Float64, lng.Float64}
				return err
			})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// km is the great-circle distance between a and b.
func km(a, b point) float64 {
	const r = 6371.0
	rad := math.Pi / 180
	dLat, dLng := (b.lat-a.lat)*rad, (b.lng-a.lng)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.lat*rad)*math.Cos(b.lat*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * r * math.Asin(math.Min(1, math.Sqrt(h)))
}

func round(f float64) float64 { return math.Round(f*1000) / 1000 }

// candidates reads the proposed listings as the API shows them, and the
// matches already made between l and each.
func (s *Service) candidates(ctx context.Context, l Listing, ids []string) (map[string]Listing, map[string]*string, error) {
	out := map[string]Listing{}
	matches := map[string]*string{}
	if len(ids) == 0 {
		return out, matches, nil
	}
	var a db.Args
	err := db.Each(ctx, s.DB.R, `SELECT `+listingCols+` FROM `+listingFrom+` WHERE l.id IN (`+a.In(ids)+`)`, a, func(sc db.Scanner) error {
		c, err := scanListing(sc)
		out[c.ID] = c
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	a = nil
	col, other := "need_id", "offer_id"
	if l.Kind == Offer {
		col, other = "offer_id", "need_id"
	}
	err = db.Each(ctx, s.DB.R, `SELECT `+other+`, id FROM matches WHERE `+col+` = `+a.Add(l.ID)+` AND `+other+` IN (`+a.In(ids)+`)`, a,
		func(sc db.Scanner) error {
			var cand, id string
			err := sc.Scan(&cand, &id)
			matches[cand] = &id
			return err
		})
	return out, matches, err
}

// reasons lists why d was proposed for l, strongest first.
func reasons(l Listing, d *doc, c scored, shared map[string]bool, segs map[string]segmentInfo, past map[string]string) []Reason {
	var out []Reason
	if c.text > 0 {
		out = append(out, Reason{Code: "shared_terms", Score: round(Weights.Text * c.text), Terms: sharedPhrases(l.Title+"\n"+l.Body, shared, 5)})
	}
	if c.chain > 0 {
		code := "same_chain"
		switch c.chain {
		case 1:
			code = "adjacent_segment"
		case 0.6:
			code = "same_segment"
		}
		theirs, ours := segs[d.segment], segs[deref(l.SegmentID)]
		r := Reason{Code: code, Score: round(Weights.Chain * c.chain)}
		if theirs.name != "" && ours.name != "" {
			r.Names = []string{theirs.stage, theirs.name, ours.stage, ours.name}
		}
		out = append(out, r)
	}
	if c.cat > 0 {
		out = append(out, Reason{Code: "same_category", Score: round(Weights.Category), Names: []string{l.Category}})
	}
	if c.hasKM {
		k := math.Round(c.km*10) / 10
		out = append(out, Reason{Code: "distance", Score: round(Weights.Distance * math.Exp(-c.km/5)), KM: &k})
	}
	if c.hist > 0 {
		out = append(out, Reason{Code: "past_cooperation", Score: round(Weights.History), Names: []string{past[d.owner]}})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out
}

// explain writes reasons in plain words, one sentence each, in every
// language of Languages.
func explain(rs []Reason) map[string]string {
	out := map[string]string{}
	for _, lang := range Languages {
		loc := i18n.For(lang)
		sep := loc.T("artery.reason.separator", nil)
		text := ""
		for i, r := range rs {
			p := map[string]any{}
			if len(r.Terms) > 0 {
				p["Terms"] = strings.Join(r.Terms, loc.T("artery.reason.list_separator", nil))
			}
			if r.KM != nil {
				p["KM"] = strconv.FormatFloat(*r.KM, 'f', 1, 64)
			}
			if len(r.Names) == 4 {
				p["TheirStage"], p["TheirSegment"] = loc.T("artery.stage."+r.Names[0], nil), r.Names[1]
				p["OurStage"], p["OurSegment"] = loc.T("artery.stage."+r.Names[2], nil), r.Names[3]
			}
			id := "artery.reason." + r.Code
			switch {
			case r.Code == "same_category":
				p["Category"] = loc.T("artery.category."+r.Names[0], nil)
			case r.Code == "past_cooperation":
				p["Title"] = r.Names[0]
			case (r.Code == "adjacent_segment" || r.Code == "same_segment" || r.Code == "same_chain") && len(r.Names) == 0:
				id += "_plain"
			}
			if i > 0 {
				text += sep
			}
			text += loc.T(id, p)
		}
		out[lang] = text
	}
	return out
}
