package artery

import (
	"context"
	"database/sql"
	"slices"
	"sync"
	"time"

	"tongxin/internal/db"
)

// The matching index is an inverted index of listing terms, one per zone,
// held in memory by every replica and never trusted alone: before each
// ranking it reads the zone's listing sequence number (one indexed row)
// and, when the database has moved on, reloads the listings changed since
// (listing_changes names them, deletions included), or the whole zone
// when it is too far behind. A listing written by another replica is
// therefore ranked by this one as soon as its transaction has committed.

// doc is one listing as the index holds it.
type doc struct {
	id, zone, owner  string
	ownerIsInstitute bool
	kind, category   string
	chain, segment   string
	title, body      string
	validFrom, until string
	open             bool
	terms            []termCount // by term id; title terms count twice
	length           int
}

// termCount is a term of a listing (by its id in zoneIndex.termID) and how
// often it occurs. Listings hold these rather than maps of strings: tens of
// thousands of listings then cost the garbage collector next to nothing.
type termCount struct {
	id int32
	n  int32
}

// count returns how often term id occurs in d.
func (d *doc) count(id int32) int32 {
	i, ok := slices.BinarySearchFunc(d.terms, id, func(tc termCount, id int32) int { return int(tc.id - id) })
	if !ok {
		return 0
	}
	return d.terms[i].n
}

// posting is one listing holding a term, with the term's weighted count.
type posting struct {
	slot   int32
	tf     float32
	length float32 // the listing's length, for BM25
}

// slotMeta is what deciding whether a listing is a candidate, and its
// chain and category parts, needs: kept in one array beside the slots, so
// scoring tens of thousands of candidates reads memory in order instead of
// chasing a pointer to each listing.
type slotMeta struct {
	owner       int32 // interned owner
	place       int32 // interned segment (or chain, without one) id; -1 for none
	from, until int32 // validity, days since 1970; 0 for none
	category    uint8 // index in Categories
	need, open  bool
	live        bool
}

type zoneIndex struct {
	mu       sync.RWMutex
	seq      int64
	loaded   bool
	slots    []*doc // nil where a listing was removed
	meta     []slotMeta
	places   map[string]int32 // segment (or chain) id → interned number
	placeOf  [][2]string      // interned number → chain, segment
	free     []int32
	slotOf   map[string]int32
	termID   map[string]int32
	postings [][]posting // by term id
	byChain  map[string][]int32
	byOwner  map[string][]int32
	owners   map[string]int32 // owner id → small number, for cheap comparison
	totalLen int
	live     int
}

type indexes struct {
	mu    sync.Mutex
	zones map[string]*zoneIndex
}

func (ix *indexes) zone(id string) *zoneIndex {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.zones == nil {
		ix.zones = map[string]*zoneIndex{}
	}
	z := ix.zones[id]
	if z == nil {
		z = &zoneIndex{}
		z.reset()
		ix.zones[id] = z
	}
	return z
}

func (z *zoneIndex) reset() {
	z.slots, z.free, z.totalLen, z.live = nil, nil, 0, 0
	z.slotOf, z.termID, z.postings = map[string]int32{}, map[string]int32{}, nil
	z.meta, z.places, z.placeOf = nil, map[string]int32{}, nil
	z.byChain, z.byOwner, z.owners = map[string][]int32{}, map[string][]int32{}, map[string]int32{}
}

func remove(list []int32, slot int32) []int32 {
	for i, s := range list {
		if s == slot {
			list[i] = list[len(list)-1]
			return list[:len(list)-1]
		}
	}
	return list
}

func (z *zoneIndex) drop(id string) {
	slot, ok := z.slotOf[id]
	if !ok {
		return
	}
	d := z.slots[slot]
	for _, tc := range d.terms {
		l := z.postings[tc.id]
		for i, p := range l {
			if p.slot == slot {
				l[i] = l[len(l)-1]
				l = l[:len(l)-1]
				break
			}
		}
		z.postings[tc.id] = l
	}
	if d.chain != "" {
		z.byChain[d.chain] = remove(z.byChain[d.chain], slot)
	}
	z.byOwner[d.owner] = remove(z.byOwner[d.owner], slot)
	z.totalLen -= d.length
	z.live--
	z.slots[slot] = nil
	z.meta[slot] = slotMeta{}
	z.free = append(z.free, slot)
	delete(z.slotOf, id)
}

func (z *zoneIndex) put(d *doc) {
	z.drop(d.id)
	counts := map[int32]int32{}
	for i, text := range []string{d.title, d.body} {
		for _, t := range terms(text) {
			id, ok := z.termID[t]
			if !ok {
				id = int32(len(z.postings))
				z.termID[t] = id
				z.postings = append(z.postings, nil)
			}
			counts[id] += int32(2 - i)
			d.length += 2 - i
		}
	}
	d.terms = make([]termCount, 0, len(counts))
	for id, n := range counts {
		d.terms = append(d.terms, termCount{id, n})
	}
	slices.SortFunc(d.terms, func(a, b termCount) int { return int(a.id - b.id) })
	var slot int32
	if n := len(z.free); n > 0 {
		slot, z.free = z.free[n-1], z.free[:n-1]
		z.slots[slot] = d
	} else {
		slot = int32(len(z.slots))
		z.slots = append(z.slots, d)
		z.meta = append(z.meta, slotMeta{})
	}
	z.slotOf[d.id] = slot
	o, ok := z.owners[d.owner]
	if !ok {
		o = int32(len(z.owners))
		z.owners[d.owner] = o
	}
	m := slotMeta{owner: o, place: -1, from: days(d.validFrom), until: days(d.until), category: uint8(slices.Index(Categories, d.category)),
		need: d.kind == Need, open: d.open, live: true}
	if key := placeKey(d.chain, d.segment); key != "" {
		p, ok := z.places[key]
		if !ok {
			p = int32(len(z.placeOf))
			z.places[key] = p
			z.placeOf = append(z.placeOf, [2]string{d.chain, d.segment})
		}
		m.place = p
	}
	z.meta[slot] = m
	for _, tc := range d.terms {
		z.postings[tc.id] = append(z.postings[tc.id], posting{slot, float32(tc.n), float32(d.length)})
	}
	if d.chain != "" {
		z.byChain[d.chain] = append(z.byChain[d.chain], slot)
	}
	z.byOwner[d.owner] = append(z.byOwner[d.owner], slot)
	z.totalLen += d.length
	z.live++
}

const docCols = `id, zone_id, COALESCE(enterprise_id, ''), COALESCE(institute_id, ''), kind, category, COALESCE(chain_id, ''),
	COALESCE(segment_id, ''), title, body, COALESCE(valid_from, ''), COALESCE(valid_until, ''), status`

func scanDoc(s db.Scanner) (*doc, error) {
	d := &doc{}
	var ent, inst, status string
	err := s.Scan(&d.id, &d.zone, &ent, &inst, &d.kind, &d.category, &d.chain, &d.segment, &d.title, &d.body, &d.validFrom, &d.until, &status)
	d.owner, d.ownerIsInstitute, d.open = ent, ent == "", status == "open"
	if ent == "" {
		d.owner = inst
	}
	return d, err
}

// reloadAfter is how far behind (in changes) an index catches up change by
// change; beyond it, it reloads the zone.
const reloadAfter = 5000

// fresh brings the zone's index up to the database's state and returns it
// read-locked: the caller must RUnlock it.
func (ix *indexes) fresh(ctx context.Context, q db.Querier, zoneID string) (*zoneIndex, error) {
	z := ix.zone(zoneID)
	var seq int64
	err := q.QueryRowContext(ctx, `SELECT seq FROM listing_seq WHERE zone_id = $1`, zoneID).Scan(&seq)
	if err != nil && err != sql.ErrNoRows {
		return nil, err
	}
	z.mu.RLock()
	if z.loaded && z.seq >= seq {
		return z, nil
	}
	z.mu.RUnlock()
	z.mu.Lock()
	if err := z.catchUp(ctx, q, zoneID, seq); err != nil {
		z.mu.Unlock()
		return nil, err
	}
	z.mu.Unlock()
	z.mu.RLock()
	return z, nil
}

// catchUp applies the changes up to seq. Rows read may already hold later
// changes (committed since seq was read); applying them early is harmless,
// as applying a listing is idempotent and the next catch-up applies them
// again.
func (z *zoneIndex) catchUp(ctx context.Context, q db.Querier, zoneID string, seq int64) error {
	if z.loaded && z.seq >= seq {
		return nil
	}
	if !z.loaded || seq-z.seq > reloadAfter {
		z.reset()
		err := db.Each(ctx, q, `SELECT `+docCols+` FROM listings WHERE zone_id = $1`, db.Args{zoneID}, func(s db.Scanner) error {
			d, err := scanDoc(s)
			if err == nil {
				z.put(d)
			}
			return err
		})
		if err != nil {
			return err
		}
		z.seq, z.loaded = seq, true
		return nil
	}
	var changed []string
	err := db.Each(ctx, q, `SELECT DISTINCT listing_id FROM listing_changes WHERE zone_id = $1 AND seq > $2 AND seq <= $3`,
		db.Args{zoneID, z.seq, seq}, func(s db.Scanner) error {
			var id string
			err := s.Scan(&id)
			changed = append(changed, id)
			return err
		})
	if err != nil {
		return err
	}
	for len(changed) > 0 {
		n := min(len(changed), 500)
		batch := changed[:n]
		changed = changed[n:]
		var a db.Args
		present := map[string]bool{}
		err := db.Each(ctx, q, `SELECT `+docCols+` FROM listings WHERE id IN (`+a.In(batch)+`)`, a, func(s db.Scanner) error {
			d, err := scanDoc(s)
			if err == nil {
				z.put(d)
				present[d.id] = true
			}
			return err
		})
		if err != nil {
			return err
		}
		for _, id := range batch {
			if !present[id] {
				z.drop(id)
			}
		}
	}
	z.seq = seq
	return nil
}

// placeKey is the id a listing's chain score depends on: its segment
// (which names its chain), or its chain when it has no segment.
func placeKey(chain, segment string) string {
	if segment != "" {
		return segment
	}
	return chain
}

// days is a date YYYY-MM-DD as days since 1970, 0 for "" (or a bad date,
// which validation never lets in).
func days(date string) int32 {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return 0
	}
	return int32(t.Unix() / 86400)
}
