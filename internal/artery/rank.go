package artery

import (
	"context"
	"database/sql"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

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
	pool := z.rank(l, segs, past, today)
	if only != "" {
		pool = slices.DeleteFunc(pool, func(c scored) bool { return z.slots[c.slot].id != only })
	}
	if len(pool) > Pool {
		pool = pool[:Pool]
	}
	var docs []*doc
	for _, c := range pool {
		docs = append(docs, z.slots[c.slot])
	}
	z.mu.RUnlock()

	// Distance: the owners' locations as they are now.
	owners := []string{owner}
	for _, d := range docs {
		owners = append(owners, d.owner)
	}
	loc, err := locations(ctx, q, owners)
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
		p.Reasons = reasons(l, d, c, segs, past)
		p.Explanation = explain(p.Reasons)
		out = append(out, p)
	}
	return out, nil
}

// rank scores every candidate of l by text, chain, category and history,
// best first. z is read-locked.
func (z *zoneIndex) rank(l Listing, segs map[string]segmentInfo, past map[string]string, today string) []scored {
	self := &doc{title: l.Title, body: l.Body}
	tf := map[string]int{}
	for _, t := range terms(self.title) {
		tf[t] += 2
	}
	for _, t := range terms(self.body) {
		tf[t]++
	}
	n := 0
	for _, d := range z.slots {
		if d != nil {
			n++
		}
	}
	avg := 1.0
	if n > 0 && z.totalLen > 0 {
		avg = float64(z.totalLen) / float64(n)
	}
	idf := func(t string) float64 {
		df := float64(len(z.postings[t]))
		return math.Log(1 + (float64(n)-df+0.5)/(df+0.5))
	}
	// The listing against itself is the best a text can do.
	length := 0
	for _, c := range tf {
		length += c
	}
	best := 0.0
	for t, c := range tf {
		best += idf(t) * bm25(float64(c), float64(length), avg) * float64(c)
	}
	text := map[int32]float64{}
	for t, qc := range tf {
		w := idf(t) * float64(qc)
		for _, slot := range z.postings[t] {
			d := z.slots[slot]
			text[slot] += w * bm25(float64(d.tf[t]), float64(d.length), avg)
		}
	}
	cand := map[int32]bool{}
	for slot := range text {
		cand[slot] = true
	}
	chain := deref(l.ChainID)
	if chain != "" {
		for _, slot := range z.byChain[chain] {
			cand[slot] = true
		}
	}
	for partner := range past {
		for _, slot := range z.byOwner[partner] {
			cand[slot] = true
		}
	}
	owner := l.owner()
	var out []scored
	for slot := range cand {
		d := z.slots[slot]
		if d == nil || d.kind == l.Kind || d.owner == owner || !d.open || (d.until != "" && d.until < today) || (d.validFrom != "" && d.validFrom > today) {
			continue
		}
		c := scored{slot: slot}
		if best > 0 {
			c.text = min(1, text[slot]/best)
		}
		c.chain = chainScore(deref(l.ChainID), deref(l.SegmentID), d.chain, d.segment, segs)
		if d.category == l.Category {
			c.cat = 1
		}
		if _, ok := past[d.owner]; ok {
			c.hist = 1
		}
		c.total = Weights.Text*c.text + Weights.Chain*c.chain + Weights.Category*c.cat + Weights.History*c.hist
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].total != out[j].total {
			return out[i].total > out[j].total
		}
		return z.slots[out[i].slot].id < z.slots[out[j].slot].id
	})
	return out
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

// locations reads the locations of enterprises and institutes.
func locations(ctx context.Context, q db.Querier, ids []string) (map[string]point, error) {
	ids = slices.Compact(db.Sorted(slices.Clone(ids)))
	out := map[string]point{}
	var a db.Args
	in := a.In(ids)
	err := db.Each(ctx, q, `SELECT id, lat, lng FROM enterprises WHERE id IN (`+in+`) AND lat IS NOT NULL AND lng IS NOT NULL
		UNION ALL SELECT id, lat, lng FROM institutes WHERE id IN (`+in+`) AND lat IS NOT NULL AND lng IS NOT NULL`, a, func(s db.Scanner) error {
		var id string
		var lat, lng sql.NullFloat64
		err := s.Scan(&id, &lat, &lng)
		out[id] = point{lat.Float64, lng.Float64}
		return err
	})
	return out, err
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
func reasons(l Listing, d *doc, c scored, segs map[string]segmentInfo, past map[string]string) []Reason {
	var out []Reason
	if c.text > 0 {
		shared := map[string]bool{}
		for _, t := range terms(l.Title + "\n" + l.Body) {
			if d.tf[t] > 0 {
				shared[t] = true
			}
		}
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
