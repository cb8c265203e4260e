package orgs

import (
	"context"
	"database/sql"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/nodes"
)

// MaxTree bounds the tree one request returns; a larger scope is filtered
// by park or root.
const MaxTree = 5000

// TreeNode is one organisation of the tree with its figures: its own
// members by status, the enterprises it covers and its child
// organisations (among those returned).
type TreeNode struct {
	ID           string      `json:"id"`
	ParentID     *string     `json:"parent_id"`
	ParkID       *string     `json:"park_id"`
	Name         string      `json:"name"`
	Kind         string      `json:"kind"`
	TermEndsOn   *string     `json:"term_ends_on"`
	HasCommittee bool        `json:"has_committee"`
	Members      MemberCount `json:"members"`
	Enterprises  int         `json:"enterprises"`
	Children     int         `json:"children"`
}

// Tree is the organisation tree, flat: every node names its parent, and a
// node whose parent is null or not among the items is a root (a
// secretary's tree starts at their organisation). Items are in id order
// (oldest first), so a parent precedes its children when created first.
type Tree struct {
	Items []TreeNode `json:"items"`
	// Truncated is true when more than MaxTree organisations matched and
	// only the first MaxTree are given.
	Truncated bool `json:"truncated"`
}

// TreeFilter narrows the tree: ParkID to one park's organisations,
// RootID to an organisation's subtree (itself included).
type TreeFilter struct {
	ParkID string
	RootID string
}

// Tree returns the organisations in the caller's org.read scope as a tree,
// with counts per node, in three queries whatever its size. An unknown
// root or one outside the scope gives an empty tree (a filter never
// reveals what it names).
func (s *Service) Tree(ctx context.Context, f TreeFilter) (Tree, error) {
	t := Tree{Items: []TreeNode{}}
	var a db.Args
	where := access.From(ctx).Scope(Read).Where(&a, attach("o.")...)
	if f.ParkID != "" {
		where += " AND o.park_id = " + a.Add(f.ParkID)
	}
	if f.RootID != "" {
		root, err := nodes.PlaceOf(ctx, s.DB.R, f.RootID)
		if err != nil || root.Kind != access.KindOrg {
			return t, nil
		}
		where += " AND o.id IN (SELECT id FROM scope_nodes WHERE path >= " + a.Add(root.Path) + " AND path < " + a.Add(root.Path[:len(root.Path)-1]+"0") + ")"
	}
	rows, err := s.DB.R.QueryContext(ctx, `SELECT o.id, o.parent_id, o.park_id, o.name, o.kind, o.term_ends_on, o.has_committee
		FROM orgs o WHERE `+where+` ORDER BY o.id LIMIT `+a.Add(MaxTree+1), a...)
	if err != nil {
		return t, err
	}
	index := map[string]int{}
	err = db.EachRow(rows, func(r db.Scanner) error {
		var n TreeNode
		var parent, park, ends sql.NullString
		if err := r.Scan(&n.ID, &parent, &park, &n.Name, &n.Kind, &ends, &n.HasCommittee); err != nil {
			return err
		}
		n.ParentID, n.ParkID, n.TermEndsOn = db.Ref(&parent), db.Ref(&park), db.Ref(&ends)
		index[n.ID] = len(t.Items)
		t.Items = append(t.Items, n)
		return nil
	})
	if err != nil {
		return t, err
	}
	if len(t.Items) > MaxTree {
		delete(index, t.Items[MaxTree].ID)
		t.Items, t.Truncated = t.Items[:MaxTree], true
	}
	for _, n := range t.Items {
		if n.ParentID != nil {
			if i, ok := index[*n.ParentID]; ok {
				t.Items[i].Children++
			}
		}
	}
	// The figures, aggregated over the same predicate (its arguments are
	// the same, minus the LIMIT).
	args := a[:len(a)-1]
	rows, err = s.DB.R.QueryContext(ctx, `SELECT p.org_id, p.party_status, COUNT(*) FROM people p JOIN orgs o ON o.id = p.org_id
		WHERE `+where+` AND p.party_status IN ('full', 'probationary') GROUP BY p.org_id, p.party_status`, args...)
	if err != nil {
		return t, err
	}
	err = db.EachRow(rows, func(r db.Scanner) error {
		var id, status string
		var n int
		if err := r.Scan(&id, &status, &n); err != nil {
			return err
		}
		if i, ok := index[id]; ok {
			if status == StatusFull {
				t.Items[i].Members.Full = n
			} else {
				t.Items[i].Members.Probationary = n
			}
		}
		return nil
	})
	if err != nil {
		return t, err
	}
	rows, err = s.DB.R.QueryContext(ctx, `SELECT oe.org_id, COUNT(*) FROM org_enterprises oe JOIN orgs o ON o.id = oe.org_id
		WHERE `+where+` GROUP BY oe.org_id`, args...)
	if err != nil {
		return t, err
	}
	err = db.EachRow(rows, func(r db.Scanner) error {
		var id string
		var n int
		if err := r.Scan(&id, &n); err != nil {
			return err
		}
		if i, ok := index[id]; ok {
			t.Items[i].Enterprises = n
		}
		return nil
	})
	return t, err
}
