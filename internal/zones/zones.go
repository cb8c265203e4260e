// Package zones is the top of the scope tree: development zones, each one
// tenant, and the tree of scope nodes beneath them as a caller may see it.
// Nothing of one zone is ever visible from another.
package zones

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/i18n"
	"tongxin/internal/nodes"
	"tongxin/internal/page"
	"tongxin/internal/valid"
)

// Permissions of this domain.
var (
	// Read lets a caller see the zones their grants cover whole.
	Read = access.NewPerm("zone.read", access.Everyone()...)
	// Manage lets a caller create zones: platform administrators only.
	Manage = access.NewPerm("zone.manage")
)

//go:embed locales/*.json
var locales embed.FS

// Locales holds this domain's messages.
func Locales() fs.FS { return i18n.Dir(locales) }

// Service holds the zone operations.
type Service struct{ DB *db.DB }

// Zone is a development zone: one tenant.
type Zone struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Add creates a zone and its scope node inside tx. It checks no
// permission: it is for first start, the demo loader and `tongxin zone add`.
// Returns EVALIDATION for a bad name.
func Add(ctx context.Context, tx *db.Tx, name string) (Zone, error) {
	var fs apperr.Fields
	valid.Name(&fs, "name", &name, 100)
	if err := fs.Err(); err != nil {
		return Zone{}, err
	}
	z := Zone{ID: uuid.Must(uuid.NewV7()).String(), Name: name, Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
	if _, err := tx.ExecContext(ctx, `INSERT INTO zones (id, name, version, created_at, updated_at) VALUES ($1, $2, 1, $3, $3)`,
		z.ID, z.Name, db.Micros(tx.Now)); err != nil {
		return z, err
	}
	if _, err := nodes.Insert(ctx, tx, nodes.Node{ID: z.ID, ZoneID: z.ID, Kind: access.KindZone, Name: name}, "zone_id"); err != nil {
		return z, err
	}
	return z, audit.Record(ctx, tx, audit.Event{ZoneID: z.ID, Entity: "zone", EntityID: z.ID, Action: "create", Summary: map[string]any{"name": name}})
}

// Create creates a zone. Callers need zone.manage (platform_admin).
// Returns EFORBIDDEN, EVALIDATION.
func (s *Service) Create(ctx context.Context, name string) (Zone, error) {
	if !access.From(ctx).Scope(Manage).All() {
		return Zone{}, apperr.New(apperr.Forbidden, "")
	}
	var z Zone
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		var err error
		z, err = Add(ctx, tx, name)
		return err
	})
	return z, err
}

const cols = `id, name, version, created_at, updated_at`

func scan(s page.Scanner) (Zone, error) {
	var z Zone
	err := s.Scan(&z.ID, &z.Name, &z.Version, db.T(&z.CreatedAt), db.T(&z.UpdatedAt))
	return z, err
}

// List lists the zones the caller's zone.read grants cover whole.
func (s *Service) List(ctx context.Context, p page.Page) (page.List[Zone], error) {
	var a db.Args
	where := access.From(ctx).Scope(Read).Where(&a, access.ByZone("id"))
	if p.Query != "" {
		where += " AND LOWER(name) LIKE " + a.Add(db.Like(p.Query)) + ` ESCAPE '\'`
	}
	return page.Rows(ctx, s.DB.R, p, page.Query{From: "zones", Cols: cols, Where: where, Args: a}, scan, page.ByID(func(z Zone) string { return z.ID }))
}

// Get returns a zone in the caller's scope. Returns ENOTFOUND otherwise.
func (s *Service) Get(ctx context.Context, id string) (Zone, error) {
	var a db.Args
	where := access.From(ctx).Scope(Read).Where(&a, access.ByZone("id"))
	z, err := scan(s.DB.R.QueryRowContext(ctx, "SELECT "+cols+" FROM zones WHERE id = "+a.Add(id)+" AND "+where, a...))
	if errors.Is(err, sql.ErrNoRows) {
		return z, apperr.New(apperr.NotFound, "")
	}
	return z, err
}

// TreeNode is a node of the scope tree the console picks grants from.
type TreeNode struct {
	ID       string      `json:"id"`
	Kind     string      `json:"kind"`
	Name     string      `json:"name"`
	Children []*TreeNode `json:"children"`
}

// Tree returns the scope nodes under the caller's grants (every role
// carries zone.read), as a forest: a zone-level grant yields its zone with everything under it; a
// park-level grant yields that park and its subtree as a root.
func (s *Service) Tree(ctx context.Context) ([]*TreeNode, error) {
	var a db.Args
	where := access.From(ctx).Scope(Read).Where(&a, access.ByPath("path"))
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
