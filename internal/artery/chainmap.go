package artery

import (
	"context"
	"slices"
	"strconv"

	"tongxin/internal/db"
	"tongxin/internal/i18n"
	"tongxin/internal/tabular"
)

// Thin is the number of enterprises below which a segment is thin.
const Thin = 3

// ChainMap is a chain as the map draws it: its segments with their
// enterprises, the cooperations between those enterprises, and the gaps.
type ChainMap struct {
	Chain       Chain     `json:"chain"`
	Enterprises []MapNode `json:"enterprises"`
	Links       []MapLink `json:"links"`
	Gaps        []Gap     `json:"gaps"`
}

// MapNode is an enterprise on the map.
type MapNode struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	SegmentIDs []string `json:"segment_ids"`
}

// MapLink is a cooperation between two enterprises of the chain.
type MapLink struct {
	Source        string `json:"source"`
	Target        string `json:"target"`
	CooperationID string `json:"cooperation_id"`
	Type          string `json:"type"`
}

// Gap is what the chain lacks, by the rule:
//
//   - fill (补链): a segment without any enterprise;
//   - strengthen (强链): a segment with fewer than Thin enterprises;
//   - extend (延链): a stage (upstream, midstream, downstream) with no
//     segment at all — the chain stops short of it.
type Gap struct {
	Kind      string  `json:"kind"` // fill, strengthen, extend
	SegmentID *string `json:"segment_id"`
	Stage     string  `json:"stage"`
	Count     int     `json:"count"`
}

// ChainMap returns the map of a chain of the caller's zones. Returns
// ENOTFOUND.
func (s *Service) ChainMap(ctx context.Context, id string) (ChainMap, error) {
	c, err := getChain(ctx, s.DB.R, id, false)
	if err != nil {
		return ChainMap{}, err
	}
	m := ChainMap{Chain: c, Enterprises: []MapNode{}, Links: []MapLink{}, Gaps: gaps(c)}
	at := map[string]int{}
	var ids []string
	for _, sg := range c.Segments {
		for _, e := range sg.EnterpriseIDs {
			if _, ok := at[e]; !ok {
				at[e] = len(m.Enterprises)
				m.Enterprises = append(m.Enterprises, MapNode{ID: e})
				ids = append(ids, e)
			}
			n := &m.Enterprises[at[e]]
			n.SegmentIDs = append(n.SegmentIDs, sg.ID)
		}
	}
	if len(ids) == 0 {
		return m, nil
	}
	var a db.Args
	in := a.In(ids)
	err = db.Each(ctx, s.DB.R, `SELECT id, name FROM enterprises WHERE id IN (`+in+`)`, a, func(sc db.Scanner) error {
		var id, name string
		err := sc.Scan(&id, &name)
		m.Enterprises[at[id]].Name = name
		return err
	})
	if err != nil {
		return m, err
	}
	err = db.Each(ctx, s.DB.R, `SELECT p.cooperation_id, c.type, p.enterprise_id, o.enterprise_id FROM cooperation_parties p
		JOIN cooperation_parties o ON o.cooperation_id = p.cooperation_id AND o.enterprise_id > p.enterprise_id
		JOIN cooperations c ON c.id = p.cooperation_id
		WHERE p.enterprise_id IN (`+in+`) AND o.enterprise_id IN (`+in+`) AND c.status <> 'cancelled'
		ORDER BY p.cooperation_id, p.enterprise_id, o.enterprise_id`, a, func(sc db.Scanner) error {
		var l MapLink
		err := sc.Scan(&l.CooperationID, &l.Type, &l.Source, &l.Target)
		m.Links = append(m.Links, l)
		return err
	})
	return m, err
}

func gaps(c Chain) []Gap {
	out := []Gap{}
	for _, stage := range Stages {
		if !slices.ContainsFunc(c.Segments, func(s Segment) bool { return s.Stage == stage }) {
			out = append(out, Gap{Kind: "extend", Stage: stage})
		}
	}
	for _, sg := range c.Segments {
		id := sg.ID
		switch n := len(sg.EnterpriseIDs); {
		case n == 0:
			out = append(out, Gap{Kind: "fill", SegmentID: &id, Stage: sg.Stage})
		case n < Thin:
			out = append(out, Gap{Kind: "strengthen", SegmentID: &id, Stage: sg.Stage, Count: n})
		}
	}
	return out
}

// ChainMapColumns are the columns of a chain map as a file.
func ChainMapColumns() []tabular.Column {
	return []tabular.Column{
		{Key: "stage", Header: "位置", HeaderEN: "Stage"},
		{Key: "segment", Header: "环节", HeaderEN: "Segment", Width: 20},
		{Key: "enterprise", Header: "企业", HeaderEN: "Enterprise", Width: 30},
		{Key: "cooperations", Header: "链上合作数", HeaderEN: "Cooperations on the chain", Width: 20},
		{Key: "gap", Header: "缺口", HeaderEN: "Gap", Width: 20},
	}
}

// ChainMapRecords are the rows of m as a file, in the order of
// ChainMapColumns: each segment's enterprises (a segment without any on
// one row of its own), then a row per stage the chain lacks. The gap
// column names the segment's gap (补链, 强链) or the stage's (延链).
func ChainMapRecords(m ChainMap, lang string) [][]string {
	loc := i18n.For(lang)
	names := map[string]string{}
	for _, e := range m.Enterprises {
		names[e.ID] = e.Name
	}
	links := map[string]int{}
	for _, l := range m.Links {
		links[l.Source]++
		links[l.Target]++
	}
	gapOf := map[string]string{}
	var out, extend [][]string
	for _, g := range m.Gaps {
		label := loc.T("artery.gap."+g.Kind, nil)
		if g.SegmentID != nil {
			gapOf[*g.SegmentID] = label
		} else {
			extend = append(extend, []string{loc.T("artery.stage."+g.Stage, nil), "", "", "", label})
		}
	}
	for _, sg := range m.Chain.Segments {
		stage := loc.T("artery.stage."+sg.Stage, nil)
		if len(sg.EnterpriseIDs) == 0 {
			out = append(out, []string{stage, sg.Name, "", "", gapOf[sg.ID]})
		}
		for _, e := range sg.EnterpriseIDs {
			out = append(out, []string{stage, sg.Name, names[e], strconv.Itoa(links[e]), gapOf[sg.ID]})
		}
	}
	return append(out, extend...)
}
