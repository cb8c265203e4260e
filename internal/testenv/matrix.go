package testenv

import (
	"context"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/kit"
	"tongxin/internal/nodes"
	"tongxin/internal/search"
)

// The helpers below put organisation-matrix rows straight into the
// database, for tests of one domain that need rows of another as their
// surroundings (an organisation needs enterprises, a person an
// organisation). They check nothing: a domain's own tests go through its
// API.

// USCC returns a fresh valid unified social credit code.
func USCC() string { return kit.USCC() }

func (s *Server) insertNode(tx *db.Tx, ctx context.Context, id, kind, parentID, name string) nodes.Node {
	s.t.Helper()
	parent, err := nodes.Get(ctx, tx, parentID)
	if err != nil {
		s.t.Fatalf("node %s: %v", parentID, err)
	}
	n, err := nodes.Insert(ctx, tx, nodes.Node{ID: id, ZoneID: parent.ZoneID, Kind: kind, ParentID: parentID, Name: name}, "parent")
	if err != nil {
		s.t.Fatalf("insert node: %v", err)
	}
	return n
}

func (s *Server) tx(fn func(ctx context.Context, tx *db.Tx) error) {
	s.t.Helper()
	ctx := context.Background()
	if err := s.DB.Tx(ctx, func(tx *db.Tx) error { return fn(ctx, tx) }); err != nil {
		s.t.Fatal(err)
	}
}

// Enterprise inserts an enterprise of park and returns its id.
func (s *Server) Enterprise(parkID, name string) string {
	s.t.Helper()
	id := uuid.Must(uuid.NewV7()).String()
	uscc := USCC()
	s.tx(func(ctx context.Context, tx *db.Tx) error {
		n := s.insertNode(tx, ctx, id, access.KindEnterprise, parkID, name)
		_, err := tx.ExecContext(ctx, `INSERT INTO enterprises (id, zone_id, park_id, name, uscc, search_key, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, id, n.ZoneID, parkID, name, uscc, search.Key(name, uscc), db.Micros(tx.Now))
		return err
	})
	return id
}

// Org inserts a party organisation of kind under parentID (an
// organisation, a park or a zone); parkID is the park it lies in ("" for
// zone level). It covers enterprises.
func (s *Server) Org(parentID, parkID, name, kind string, enterprises ...string) string {
	s.t.Helper()
	id := uuid.Must(uuid.NewV7()).String()
	s.tx(func(ctx context.Context, tx *db.Tx) error {
		n := s.insertNode(tx, ctx, id, access.KindOrg, parentID, name)
		parent, _ := nodes.Get(ctx, tx, parentID)
		var parentOrg any
		if parent.Kind == access.KindOrg {
			parentOrg = parentID
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO orgs (id, zone_id, parent_id, park_id, name, kind, search_key, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`, id, n.ZoneID, parentOrg, db.NullString(parkID), name, kind,
			search.Key(name), db.Micros(tx.Now)); err != nil {
			return err
		}
		for _, e := range enterprises {
			if _, err := tx.ExecContext(ctx, `INSERT INTO org_enterprises (org_id, enterprise_id, zone_id) VALUES ($1, $2, $3)`,
				id, e, n.ZoneID); err != nil {
				return err
			}
		}
		return nil
	})
	return id
}

// Person inserts a person of zoneID working at enterpriseID (or ""), a
// party member of orgID with partyStatus (full|probationary) when orgID is
// not "".
func (s *Server) Person(zoneID, name, enterpriseID, orgID, partyStatus string) string {
	s.t.Helper()
	id := uuid.Must(uuid.NewV7()).String()
	s.tx(func(ctx context.Context, tx *db.Tx) error {
		var joined any
		if orgID != "" {
			joined = "2020-07-01"
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO people (id, zone_id, name, enterprise_id, org_id, party_status, joined_on, search_key, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`, id, zoneID, name, db.NullString(enterpriseID), db.NullString(orgID),
			db.NullString(partyStatus), joined, search.Key(name), db.Micros(tx.Now))
		return err
	})
	return id
}
