package artery

import (
	"context"
	"database/sql"
	"sync"

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
	tf               map[string]int // term → weighted count (title terms count twice)
	length           int
}

type zoneIndex struct {
	mu       sync.RWMutex
	seq      int64
	loaded   bool
	slots    []*doc // nil where a listing was removed
	free     []int32
	slotOf   map[string]int32
	postings map[string][]int32
	byChain  map[string][]int32
	byOwner  map[string][]int32
	totalLen int
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
	z.slots, z.free, z.totalLen = nil, nil, 0
	z.slotOf, z.postings = map[string]int32{}, map[string][]int32{}
	z.byChain, z.byOwner = map[string][]int32{}, map[string][]int32{}
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
	for t := range d.tf {
		if l := remove(z.postings[t], slot); len(l) == 0 {
			delete(z.postings, t)
		} else {
			z.postings[t] = l
		}
	}
	if d.chain != "" {
		z.byChain[d.chain] = remove(z.byChain[d.chain], slot)
	}
	z.byOwner[d.owner] = remove(z.byOwner[d.owner], slot)
	z.totalLen -= d.length
	z.slots[slot] = nil
	z.free = append(z.free, slot)
	delete(z.slotOf, id)
}

func (z *zoneIndex) put(d *doc) {
	z.drop(d.id)
	d.tf = map[string]int{}
	for _, t := range terms(d.title) {
		d.tf[t] += 2
		d.length += 2
	}
	for _, t := range terms(d.body) {
		d.tf[t]++
		d.length++
	}
	var slot int32
	if n := len(z.free); n > 0 {
		slot, z.free = z.free[n-1], z.free[:n-1]
		z.slots[slot] = d
	} else {
		slot = int32(len(z.slots))
		z.slots = append(z.slots, d)
	}
	z.slotOf[d.id] = slot
	for t := range d.tf {
		z.postings[t] = append(z.postings[t], slot)
	}
	if d.chain != "" {
		z.byChain[d.chain] = append(z.byChain[d.chain], slot)
	}
	z.byOwner[d.owner] = append(z.byOwner[d.owner], slot)
	z.totalLen += d.length
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
