// Package org is the organisation matrix: zones and parks now; the
// enterprises, party organisations, people, stations and alliances of
// pillar 1 join it. Every query takes the caller's scope.
package org

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/httpx"
)

// Service holds the organisation-matrix operations.
type Service struct{ DB *db.DB }

// Zone is a development zone: one tenant.
type Zone struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CreateZone creates a zone and its scope node inside tx. It checks no
// permission: it is for first start, the demo loader and platform tools.
func CreateZone(ctx context.Context, tx *db.Tx, name string) (Zone, error) {
	z := Zone{ID: uuid.Must(uuid.NewV7()).String(), Name: name, Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
	if _, err := tx.ExecContext(ctx, `INSERT INTO zones (id, name, version, created_at, updated_at) VALUES ($1, $2, 1, $3, $3)`,
		z.ID, z.Name, db.Micros(tx.Now)); err != nil {
		return z, err
	}
	if err := access.InsertNode(ctx, tx, access.Node{ID: z.ID, ZoneID: z.ID, Kind: access.KindZone, Path: access.PathOf("", z.ID), Name: name}); err != nil {
		return z, err
	}
	return z, audit.Record(ctx, tx, audit.Event{ZoneID: z.ID, Entity: "zone", EntityID: z.ID, Action: "create", Summary: map[string]any{"name": name}})
}

const zoneCols = `id, name, version, created_at, updated_at`

func scanZone(s httpx.Scanner) (Zone, error) {
	var z Zone
	err := s.Scan(&z.ID, &z.Name, &z.Version, db.T(&z.CreatedAt), db.T(&z.UpdatedAt))
	return z, err
}

// ListZones lists the zones where the caller holds zone-level grants.
func (s *Service) ListZones(ctx context.Context, page httpx.Page) (httpx.List[Zone], error) {
	var a db.Args
	where := access.From(ctx).Scope(access.ZoneRead).Where(access.Cols{Zone: "id"}, &a)
	if page.Query != "" {
		where += " AND LOWER(name) LIKE " + a.Add(db.Like(page.Query)) + ` ESCAPE '\'`
	}
	return httpx.ListRows(ctx, s.DB.R, page, "zones", zoneCols, where, a, scanZone, func(z Zone) string { return z.ID })
}

// GetZone returns a zone in the caller's scope. Returns ENOTFOUND otherwise.
func (s *Service) GetZone(ctx context.Context, id string) (Zone, error) {
	var a db.Args
	where := access.From(ctx).Scope(access.ZoneRead).Where(access.Cols{Zone: "id"}, &a)
	z, err := scanZone(s.DB.R.QueryRowContext(ctx, "SELECT "+zoneCols+" FROM zones WHERE id = "+a.Add(id)+" AND "+where, a...))
	if errors.Is(err, sql.ErrNoRows) {
		return z, apperr.New(apperr.NotFound, "")
	}
	return z, err
}

// TreeNode is a node of the scope tree the UI picks grants from.
type TreeNode struct {
	ID       string      `json:"id"`
	Kind     string      `json:"kind"`
	Name     string      `json:"name"`
	Children []*TreeNode `json:"children"`
}

// ScopeTree returns the scope nodes the caller may read, as a forest: a
// zone-level grant yields its zone with everything under it; a park-level
// grant yields that park alone as a root.
func (s *Service) ScopeTree(ctx context.Context) ([]*TreeNode, error) {
	sc := access.From(ctx).Scope(access.ParkRead)
	var a db.Args
	where := sc.PathWhere("path", &a)
	rows, err := s.DB.R.QueryContext(ctx, "SELECT id, kind, parent_id, name FROM scope_nodes WHERE "+where+" ORDER BY path", a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byID := map[string]*TreeNode{}
	roots := []*TreeNode{}
	for rows.Next() {
		var n TreeNode
		var parent sql.NullString
		if err := rows.Scan(&n.ID, &n.Kind, &parent, &n.Name); err != nil {
			return nil, err
		}
		n.Children = []*TreeNode{}
		byID[n.ID] = &n
		if p, ok := byID[parent.String]; ok && parent.Valid {
			p.Children = append(p.Children, &n)
		} else {
			roots = append(roots, &n)
		}
	}
	return roots, rows.Err()
}
