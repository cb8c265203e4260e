package artery

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
	"tongxin/internal/etag"
	"tongxin/internal/geo"
	"tongxin/internal/page"
	"tongxin/internal/search"
	"tongxin/internal/valid"
)

// Institute is a research institute (科研院所), a partner of the zone's
// enterprises from outside them.
type Institute struct {
	ID          string     `json:"id"`
	ZoneID      string     `json:"zone_id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Address     string     `json:"address"`
	Location    *geo.Point `json:"location"`
	Sample      bool       `json:"sample"`
	Version     int        `json:"version"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

const instituteCols = `id, zone_id, name, description, address, lat, lng, sample, version, created_at, updated_at`

func scanInstitute(s page.Scanner) (Institute, error) {
	var in Institute
	var lat, lng sql.NullFloat64
	err := s.Scan(&in.ID, &in.ZoneID, &in.Name, &in.Description, &in.Address, &lat, &lng, &in.Sample, &in.Version,
		db.T(&in.CreatedAt), db.T(&in.UpdatedAt))
	in.Location = geo.FromColumns(lat, lng)
	return in, err
}

// ListInstitutes lists the institutes of the caller's zones, oldest
// first; q matches name, description and address, pinyin included.
func (s *Service) ListInstitutes(ctx context.Context, p page.Page) (page.List[Institute], error) {
	var a db.Args
	where := zoneWide(ctx, Read, "zone_id", &a)
	if p.Query != "" {
		m, err := search.Match(ctx, s.DB.R, "institutes", "id", "search_key", p.Query, &a)
		if err != nil {
			return page.List[Institute]{}, err
		}
		where += " AND " + m
	}
	return page.Rows(ctx, s.DB.R, p, page.Query{From: "institutes", Cols: instituteCols, Where: where, Args: a}, scanInstitute,
		page.ByID(func(in Institute) string { return in.ID }))
}

func getInstitute(ctx context.Context, q db.Querier, id string, manage bool) (Institute, error) {
	var a db.Args
	where := zoneWide(ctx, Read, "zone_id", &a)
	in, err := scanInstitute(q.QueryRowContext(ctx, `SELECT `+instituteCols+` FROM institutes WHERE id = `+a.Add(id)+` AND `+where, a...))
	if errors.Is(err, sql.ErrNoRows) {
		return in, apperr.New(apperr.NotFound, "")
	}
	if err == nil && manage && !access.From(ctx).Scope(Manage).CoversZone(in.ZoneID) {
		return in, apperr.New(apperr.Forbidden, "")
	}
	return in, err
}

// GetInstitute returns an institute of the caller's zones. Returns ENOTFOUND.
func (s *Service) GetInstitute(ctx context.Context, id string) (Institute, error) {
	return getInstitute(ctx, s.DB.R, id, false)
}

// InstituteInput is what creating an institute takes.
type InstituteInput struct {
	ZoneID      string
	Name        string
	Description string
	Address     string
	Location    *geo.Point
}

func instituteNameTaken(name string) error {
	return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.institute_name_taken", Params: map[string]any{"Name": name},
		Fields: []apperr.FieldError{{Field: "name", Code: "taken"}}}
}

// CreateInstitute creates an institute of a zone. Needs artery.manage
// over the whole zone. Returns EFORBIDDEN, EVALIDATION, ECONFLICT (name
// taken in the zone).
func (s *Service) CreateInstitute(ctx context.Context, in InstituteInput) (Institute, error) {
	var fs apperr.Fields
	valid.Name(&fs, "name", &in.Name, 100)
	valid.Text(&fs, "description", in.Description, 2000)
	valid.Text(&fs, "address", in.Address, 200)
	geo.Check(&fs, in.Location)
	if err := fs.Err(); err != nil {
		return Institute{}, err
	}
	zoneID, err := zoneFor(ctx, Manage, in.ZoneID)
	if err != nil {
		return Institute{}, err
	}
	var it Institute
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		it = Institute{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: zoneID, Name: in.Name, Description: in.Description, Address: in.Address,
			Location: in.Location, Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
		return insertInstitute(ctx, tx, it)
	})
	return it, err
}

func insertInstitute(ctx context.Context, tx *db.Tx, it Institute) error {
	lat, lng := geo.Columns(it.Location)
	_, err := tx.ExecContext(ctx, `INSERT INTO institutes (id, zone_id, name, description, address, lat, lng, sample, search_key, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10)`, it.ID, it.ZoneID, it.Name, it.Description, it.Address, lat, lng, it.Sample,
		search.Key(it.Name, it.Description, it.Address), db.Micros(it.CreatedAt))
	if db.IsUnique(err) {
		return instituteNameTaken(it.Name)
	}
	if err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Event{ZoneID: it.ZoneID, Entity: "institute", EntityID: it.ID, Action: "create",
		Summary: map[string]any{"name": it.Name}})
}

// InstitutePatch is a partial update; nil fields stay. SetLocation with a
// nil Location removes it.
type InstitutePatch struct {
	Name        *string
	Description *string
	Address     *string
	SetLocation bool
	Location    *geo.Point
}

// UpdateInstitute applies patch. Needs artery.manage over its zone; match
// must hold. Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION, EVALIDATION,
// ECONFLICT.
func (s *Service) UpdateInstitute(ctx context.Context, id string, patch InstitutePatch, match etag.Match) (Institute, error) {
	var fs apperr.Fields
	if patch.Name != nil {
		valid.Name(&fs, "name", patch.Name, 100)
	}
	if patch.Description != nil {
		valid.Text(&fs, "description", *patch.Description, 2000)
	}
	if patch.Address != nil {
		valid.Text(&fs, "address", *patch.Address, 200)
	}
	geo.Check(&fs, patch.Location)
	var it Institute
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := getInstitute(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		it = old
		changes := map[string]any{}
		change(changes, "name", &it.Name, patch.Name)
		change(changes, "description", &it.Description, patch.Description)
		change(changes, "address", &it.Address, patch.Address)
		if patch.SetLocation && !samePoint(patch.Location, old.Location) {
			changes["location"] = audit.Change{From: old.Location, To: patch.Location}
			it.Location = patch.Location
		}
		if len(changes) == 0 {
			return nil
		}
		it.Version, it.UpdatedAt = old.Version+1, tx.Now
		lat, lng := geo.Columns(it.Location)
		res, err := tx.ExecContext(ctx, `UPDATE institutes SET name = $1, description = $2, address = $3, lat = $4, lng = $5, search_key = $6,
			version = $7, updated_at = $8 WHERE id = $9 AND version = $10`, it.Name, it.Description, it.Address, lat, lng,
			search.Key(it.Name, it.Description, it.Address), it.Version, db.Micros(tx.Now), id, old.Version)
		if db.IsUnique(err) {
			return instituteNameTaken(it.Name)
		}
		if err != nil {
			return err
		}
		if err := updated(res, old.Version); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: it.ZoneID, Entity: "institute", EntityID: it.ID, Action: "update", Summary: changes})
	})
	return it, err
}

func samePoint(a, b *geo.Point) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// DeleteInstitute deletes an institute. Needs artery.manage over its
// zone; match must hold. Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION,
// ECONFLICT while listings or cooperations name it.
func (s *Service) DeleteInstitute(ctx context.Context, id string, match etag.Match) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := getInstitute(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := inUse(ctx, tx, `SELECT (SELECT COUNT(*) FROM listings WHERE institute_id = $1) + (SELECT COUNT(*) FROM cooperation_parties WHERE institute_id = $1)`,
			id, "problem.institute_in_use"); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Entity: "institute", EntityID: id, Action: "delete",
			Summary: map[string]any{"name": old.Name}}); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM institutes WHERE id = $1`, id)
		return err
	})
}
