package artery

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/etag"
	"tongxin/internal/page"
	"tongxin/internal/search"
	"tongxin/internal/valid"
)

// Stages of a chain, in the order goods flow.
const (
	Upstream   = "upstream"
	Midstream  = "midstream"
	Downstream = "downstream"
)

// Stages lists the stages in flow order.
var Stages = []string{Upstream, Midstream, Downstream}

// Limits of a chain.
const (
	MaxSegments           = 30
	MaxSegmentEnterprises = 500
)

// Chain is an industry chain of the zone (食品, 家居, 装备 …).
type Chain struct {
	ID          string    `json:"id"`
	ZoneID      string    `json:"zone_id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Segments    []Segment `json:"segments"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Segment is one link of a chain (原材料, 加工, 销售 …) at a stage, and the
// enterprises that sit in it.
type Segment struct {
	ID            string   `json:"id"`
	Stage         string   `json:"stage"`
	Name          string   `json:"name"`
	EnterpriseIDs []string `json:"enterprise_ids"`
}

const chainCols = `id, zone_id, name, description, version, created_at, updated_at`

func scanChain(s page.Scanner) (Chain, error) {
	var c Chain
	err := s.Scan(&c.ID, &c.ZoneID, &c.Name, &c.Description, &c.Version, db.T(&c.CreatedAt), db.T(&c.UpdatedAt))
	c.Segments = []Segment{}
	return c, err
}

var segmentEnterprises = db.Link{Table: "segment_enterprises", Owner: "segment_id", Member: "enterprise_id"}

// fillSegments loads the segments of chains and their enterprises.
func fillSegments(ctx context.Context, q db.Querier, chains []Chain) error {
	if len(chains) == 0 {
		return nil
	}
	at := map[string]int{}
	ids := make([]string, len(chains))
	for i, c := range chains {
		at[c.ID], ids[i] = i, c.ID
	}
	var a db.Args
	var segIDs []string
	err := db.Each(ctx, q, `SELECT chain_id, id, stage, name FROM chain_segments WHERE chain_id IN (`+a.In(ids)+`) ORDER BY chain_id, position`, a,
		func(s db.Scanner) error {
			var chain string
			var sg Segment
			if err := s.Scan(&chain, &sg.ID, &sg.Stage, &sg.Name); err != nil {
				return err
			}
			sg.EnterpriseIDs = []string{}
			chains[at[chain]].Segments = append(chains[at[chain]].Segments, sg)
			segIDs = append(segIDs, sg.ID)
			return nil
		})
	if err != nil {
		return err
	}
	of, err := segmentEnterprises.Of(ctx, q, segIDs)
	for i := range chains {
		for j := range chains[i].Segments {
			sg := &chains[i].Segments[j]
			sg.EnterpriseIDs = append(sg.EnterpriseIDs, of[sg.ID]...)
		}
	}
	return err
}

// ListChains lists the chains of the caller's zones, oldest first; q
// matches the name and description, pinyin included.
func (s *Service) ListChains(ctx context.Context, p page.Page) (page.List[Chain], error) {
	var a db.Args
	where := zoneWide(ctx, Read, "zone_id", &a)
	if p.Query != "" {
		m, err := search.Match(ctx, s.DB.R, "chains", "id", "search_key", p.Query, &a)
		if err != nil {
			return page.List[Chain]{}, err
		}
		where += " AND " + m
	}
	l, err := page.Rows(ctx, s.DB.R, p, page.Query{From: "chains", Cols: chainCols, Where: where, Args: a}, scanChain,
		page.ByID(func(c Chain) string { return c.ID }))
	if err != nil {
		return l, err
	}
	return l, fillSegments(ctx, s.DB.R, l.Items)
}

// getChain reads a chain the caller may see (anyone in its zone); with
// manage, one they may also change (EFORBIDDEN when they may only see it).
func getChain(ctx context.Context, q db.Querier, id string, manage bool) (Chain, error) {
	var a db.Args
	where := zoneWide(ctx, Read, "zone_id", &a)
	c, err := scanChain(q.QueryRowContext(ctx, `SELECT `+chainCols+` FROM chains WHERE id = `+a.Add(id)+` AND `+where, a...))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.New(apperr.NotFound, "")
	}
	if err != nil {
		return c, err
	}
	if manage && !access.From(ctx).Scope(Manage).CoversZone(c.ZoneID) {
		return c, apperr.New(apperr.Forbidden, "")
	}
	cs := []Chain{c}
	err = fillSegments(ctx, q, cs)
	return cs[0], err
}

// GetChain returns a chain of the caller's zones. Returns ENOTFOUND.
func (s *Service) GetChain(ctx context.Context, id string) (Chain, error) {
	return getChain(ctx, s.DB.R, id, false)
}

// SegmentInput is one segment as a client sends it: ID names an existing
// segment of the chain to keep (its listings stay on it), "" a new one.
type SegmentInput struct {
	ID            string
	Stage         string
	Name          string
	EnterpriseIDs []string
}

// ChainInput is what creating a chain takes.
type ChainInput struct {
	ZoneID      string
	Name        string
	Description string
	Segments    []SegmentInput
}

func checkSegments(fs *apperr.Fields, segs []SegmentInput) []SegmentInput {
	if len(segs) > MaxSegments {
		fs.Add("segments", "too_many", "Max", MaxSegments)
		return segs
	}
	var names, ids []string
	for i := range segs {
		sg := &segs[i]
		oneOf(fs, "segments.stage", sg.Stage, Stages)
		valid.Name(fs, "segments.name", &sg.Name, 50)
		if slices.Contains(names, sg.Name) {
			fs.Add("segments.name", "duplicate_segment")
		}
		names = append(names, sg.Name)
		if sg.ID != "" {
			if slices.Contains(ids, sg.ID) {
				fs.Add("segments.id", "duplicate_segment")
			}
			ids = append(ids, sg.ID)
		}
		sg.EnterpriseIDs = valid.UniqueIDs(fs, "segments.enterprise_ids", sg.EnterpriseIDs, MaxSegmentEnterprises)
	}
	return segs
}

// checkEnterprises verifies that every id names an enterprise of zone in
// the caller's scope for perm (EVALIDATION unknown_value on field).
func checkEnterprises(ctx context.Context, q db.Querier, perm access.Perm, zoneID, field string, ids []string) error {
	ids = slices.Compact(db.Sorted(slices.Clone(ids)))
	if len(ids) == 0 {
		return nil
	}
	var a db.Args
	where := access.From(ctx).Scope(perm).Where(&a, access.ByZone("zone_id"), access.ByNode("id"))
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM enterprises WHERE id IN (`+a.In(ids)+`) AND zone_id = `+a.Add(zoneID)+` AND `+where,
		a...).Scan(&n); err != nil {
		return err
	}
	if n != len(ids) {
		return apperr.Field(field, "unknown_value")
	}
	return nil
}

func chainNameTaken(name string) error {
	return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.chain_name_taken", Params: map[string]any{"Name": name},
		Fields: []apperr.FieldError{{Field: "name", Code: "taken"}}}
}

// CreateChain creates a chain with its segments. Needs artery.manage over
// the whole zone (zone_id may be omitted when the caller has one zone).
// Returns EFORBIDDEN, EVALIDATION (enterprises not of the zone, bad
// segments), ECONFLICT (name taken in the zone).
func (s *Service) CreateChain(ctx context.Context, in ChainInput) (Chain, error) {
	var fs apperr.Fields
	valid.Name(&fs, "name", &in.Name, 50)
	valid.Text(&fs, "description", in.Description, 2000)
	in.Segments = checkSegments(&fs, in.Segments)
	for _, sg := range in.Segments {
		if sg.ID != "" {
			fs.Add("segments.id", "unknown_value")
		}
	}
	if err := fs.Err(); err != nil {
		return Chain{}, err
	}
	zoneID, err := zoneFor(ctx, Manage, in.ZoneID)
	if err != nil {
		return Chain{}, err
	}
	var c Chain
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		c = Chain{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: zoneID, Name: in.Name, Description: in.Description, Version: 1,
			CreatedAt: tx.Now, UpdatedAt: tx.Now}
		_, err := tx.ExecContext(ctx, `INSERT INTO chains (id, zone_id, name, description, search_key, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, 1, $6, $6)`, c.ID, c.ZoneID, c.Name, c.Description, search.Key(c.Name, c.Description), db.Micros(tx.Now))
		if db.IsUnique(err) {
			return chainNameTaken(c.Name)
		}
		if err != nil {
			return err
		}
		c.Segments, err = writeSegments(ctx, tx, c, nil, in.Segments)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Entity: "chain", EntityID: c.ID, Action: "create",
			Summary: map[string]any{"name": c.Name, "segments": segmentNames(c.Segments)}})
	})
	return c, err
}

func segmentNames(segs []Segment) []string {
	out := make([]string, len(segs))
	for i, sg := range segs {
		out[i] = sg.Stage + ":" + sg.Name
	}
	return out
}

// writeSegments makes the chain's segments next, given the ones it had
// (old): kept ones are updated, new ones inserted, missing ones deleted
// (ECONFLICT while a listing names one). Enterprises are checked against
// the zone.
func writeSegments(ctx context.Context, tx *db.Tx, c Chain, old []Segment, next []SegmentInput) ([]Segment, error) {
	had := map[string]Segment{}
	for _, sg := range old {
		had[sg.ID] = sg
	}
	var all []string
	for _, sg := range next {
		if sg.ID != "" {
			if _, ok := had[sg.ID]; !ok {
				return nil, apperr.Field("segments.id", "unknown_value")
			}
		}
		all = append(all, sg.EnterpriseIDs...)
	}
	if err := checkEnterprises(ctx, tx, Manage, c.ZoneID, "segments.enterprise_ids", all); err != nil {
		return nil, err
	}
	keep := map[string]bool{}
	for _, sg := range next {
		keep[sg.ID] = true
	}
	for _, sg := range old {
		if keep[sg.ID] {
			continue
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM listings WHERE segment_id = $1`, sg.ID).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, &apperr.Error{Code: apperr.Conflict, MessageID: "problem.segment_in_use", Params: map[string]any{"Name": sg.Name},
				Fields: []apperr.FieldError{{Field: "segments", Code: "in_use"}}}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM segment_enterprises WHERE segment_id = $1`, sg.ID); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM chain_segments WHERE id = $1`, sg.ID); err != nil {
			return nil, err
		}
	}
	// Names are unique per chain: park every kept segment under a
	// temporary name first, so a swap of two names does not collide.
	for _, sg := range next {
		if sg.ID != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE chain_segments SET name = id WHERE id = $1`, sg.ID); err != nil {
				return nil, err
			}
		}
	}
	out := make([]Segment, len(next))
	for i, in := range next {
		sg := Segment{ID: in.ID, Stage: in.Stage, Name: in.Name, EnterpriseIDs: db.Sorted(in.EnterpriseIDs)}
		var err error
		if sg.ID == "" {
			sg.ID = uuid.Must(uuid.NewV7()).String()
			_, err = tx.ExecContext(ctx, `INSERT INTO chain_segments (id, chain_id, zone_id, stage, name, position) VALUES ($1, $2, $3, $4, $5, $6)`,
				sg.ID, c.ID, c.ZoneID, sg.Stage, sg.Name, i)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE chain_segments SET stage = $1, name = $2, position = $3 WHERE id = $4`, sg.Stage, sg.Name, i, sg.ID)
		}
		if err != nil {
			return nil, err
		}
		add, remove := db.Diff(had[sg.ID].EnterpriseIDs, sg.EnterpriseIDs)
		if err := segmentEnterprises.Set(ctx, tx, sg.ID, c.ZoneID, add, remove); err != nil {
			return nil, err
		}
		out[i] = sg
	}
	return out, nil
}

// ChainPatch is a partial update; nil fields stay. Segments, when not
// nil, replaces the segments (see SegmentInput).
type ChainPatch struct {
	Name        *string
	Description *string
	Segments    *[]SegmentInput
}

// UpdateChain applies patch. Needs artery.manage over the chain's zone;
// the chain must satisfy match. Returns ENOTFOUND, EFORBIDDEN,
// EPRECONDITION, EVALIDATION, ECONFLICT (name taken; a removed segment
// still named by a listing).
func (s *Service) UpdateChain(ctx context.Context, id string, patch ChainPatch, match etag.Match) (Chain, error) {
	var fs apperr.Fields
	if patch.Name != nil {
		valid.Name(&fs, "name", patch.Name, 50)
	}
	if patch.Description != nil {
		valid.Text(&fs, "description", *patch.Description, 2000)
	}
	if patch.Segments != nil {
		segs := checkSegments(&fs, *patch.Segments)
		patch.Segments = &segs
	}
	var c Chain
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := getChain(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		c = old
		changes := map[string]any{}
		change(changes, "name", &c.Name, patch.Name)
		change(changes, "description", &c.Description, patch.Description)
		if patch.Segments != nil {
			c.Segments, err = writeSegments(ctx, tx, c, old.Segments, *patch.Segments)
			if err != nil {
				return err
			}
			if !slices.EqualFunc(c.Segments, old.Segments, func(a, b Segment) bool {
				return a.ID == b.ID && a.Stage == b.Stage && a.Name == b.Name && slices.Equal(a.EnterpriseIDs, b.EnterpriseIDs)
			}) {
				changes["segments"] = audit.Change{From: segmentNames(old.Segments), To: segmentNames(c.Segments)}
			}
		}
		if len(changes) == 0 {
			return nil
		}
		c.Version, c.UpdatedAt = old.Version+1, tx.Now
		res, err := tx.ExecContext(ctx, `UPDATE chains SET name = $1, description = $2, search_key = $3, version = $4, updated_at = $5
			WHERE id = $6 AND version = $7`, c.Name, c.Description, search.Key(c.Name, c.Description), c.Version, db.Micros(tx.Now), id, old.Version)
		if db.IsUnique(err) {
			return chainNameTaken(c.Name)
		}
		if err != nil {
			return err
		}
		if err := updated(res, old.Version); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Entity: "chain", EntityID: c.ID, Action: "update", Summary: changes})
	})
	return c, err
}

// DeleteChain deletes a chain, its segments and their enterprise links.
// Needs artery.manage over its zone; match must hold. Returns ENOTFOUND,
// EFORBIDDEN, EPRECONDITION, ECONFLICT while listings or cooperations name
// the chain.
func (s *Service) DeleteChain(ctx context.Context, id string, match etag.Match) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := getChain(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := inUse(ctx, tx, `SELECT (SELECT COUNT(*) FROM listings WHERE chain_id = $1) + (SELECT COUNT(*) FROM cooperations WHERE chain_id = $1)`,
			id, "problem.chain_in_use"); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Entity: "chain", EntityID: id, Action: "delete",
			Summary: map[string]any{"name": old.Name, "segments": segmentNames(old.Segments)}}); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM segment_enterprises WHERE segment_id IN (SELECT id FROM chain_segments WHERE chain_id = $1)`,
			`DELETE FROM chain_segments WHERE chain_id = $1`,
			`DELETE FROM chains WHERE id = $1`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// ChainOption is a chain as a picker shows it: its segments by stage,
// without the enterprises placed on them.
type ChainOption struct {
	ID       string          `json:"id"`
	Name     string          `json:"name"`
	Segments []SegmentOption `json:"segments"`
}

// SegmentOption is one segment of a ChainOption.
type SegmentOption struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Stage string `json:"stage"`
}

// MaxChainOptions bounds the chains a picker lists.
const MaxChainOptions = 500

// ChainOptions lists the chains, with their segments, of the zones where
// the caller may post listings (listing.post anywhere in the zone: an
// enterprise's contact, a park's staff), so a listing can be placed on its
// chain and segment by those who cannot read the chain map. A platform
// administrator gets their home zone's.
func (s *Service) ChainOptions(ctx context.Context) ([]ChainOption, error) {
	p := access.From(ctx)
	sc := p.Scope(Post)
	zones := sc.Zones()
	if sc.All() {
		zones = []string{p.ZoneID}
	}
	out := []ChainOption{}
	if len(zones) == 0 {
		return out, nil
	}
	var a db.Args
	var chains []Chain
	err := db.Each(ctx, s.DB.R, `SELECT `+chainCols+` FROM chains WHERE zone_id IN (`+a.In(zones)+`) ORDER BY name, id LIMIT `+a.Add(MaxChainOptions), a,
		func(sc db.Scanner) error {
			c, err := scanChain(sc)
			chains = append(chains, c)
			return err
		})
	if err != nil {
		return nil, err
	}
	if err := fillSegments(ctx, s.DB.R, chains); err != nil {
		return nil, err
	}
	for _, c := range chains {
		o := ChainOption{ID: c.ID, Name: c.Name, Segments: []SegmentOption{}}
		for _, sg := range c.Segments {
			o.Segments = append(o.Segments, SegmentOption{ID: sg.ID, Name: sg.Name, Stage: sg.Stage})
		}
		out = append(out, o)
	}
	return out, nil
}
