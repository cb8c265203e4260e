package org

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/httpx"
)

// Park is a sub-park of a zone (分园区), the second of the three levels.
type Park struct {
	ID        string    `json:"id"`
	ZoneID    string    `json:"zone_id"`
	Name      string    `json:"name"`
	Code      string    `json:"code"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

var parkCodePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

func validatePark(fs *apperr.Fields, name, code *string) {
	if name != nil {
		*name = strings.TrimSpace(*name)
		switch n := utf8.RuneCountInString(*name); {
		case n == 0:
			fs.Add("name", "required")
		case n > 100:
			fs.Add("name", "too_long", "Max", 100)
		}
	}
	if code != nil {
		*code = strings.TrimSpace(*code)
		switch {
		case *code == "":
			fs.Add("code", "required")
		case !parkCodePattern.MatchString(*code):
			fs.Add("code", "code_format", "Max", 32)
		}
	}
}

const parkCols = `id, zone_id, name, code, version, created_at, updated_at`

func scanPark(s httpx.Scanner) (Park, error) {
	var p Park
	err := s.Scan(&p.ID, &p.ZoneID, &p.Name, &p.Code, &p.Version, db.T(&p.CreatedAt), db.T(&p.UpdatedAt))
	return p, err
}

var parkScope = access.Cols{Zone: "zone_id", Park: "id"}

// ParkFilter narrows ListParks.
type ParkFilter struct{ ZoneID string }

// ListParks lists the parks in the caller's park.read scope, oldest first;
// q matches name or code.
func (s *Service) ListParks(ctx context.Context, f ParkFilter, page httpx.Page) (httpx.List[Park], error) {
	var a db.Args
	where := access.From(ctx).Scope(access.ParkRead).Where(parkScope, &a)
	if f.ZoneID != "" {
		where += " AND zone_id = " + a.Add(f.ZoneID)
	}
	if page.Query != "" {
		like := a.Add(db.Like(page.Query))
		where += " AND (LOWER(name) LIKE " + like + ` ESCAPE '\' OR LOWER(code) LIKE ` + like + ` ESCAPE '\')`
	}
	return httpx.ListRows(ctx, s.DB.R, page, "parks", parkCols, where, a, scanPark, func(p Park) string { return p.ID })
}

// getPark returns the park with id when it lies in the caller's scope for
// perm. When it does not but the caller may read it, the answer is
// EFORBIDDEN; when the caller may not even read it, ENOTFOUND (never reveal
// that it exists).
func getPark(ctx context.Context, q db.Querier, perm access.Perm, id string) (Park, error) {
	p := access.From(ctx)
	for _, pm := range []access.Perm{perm, access.ParkRead} {
		var a db.Args
		where := p.Scope(pm).Where(parkScope, &a)
		park, err := scanPark(q.QueryRowContext(ctx, "SELECT "+parkCols+" FROM parks WHERE id = "+a.Add(id)+" AND "+where, a...))
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return park, err
		}
		if pm != perm {
			return park, apperr.New(apperr.Forbidden, "")
		}
		return park, nil
	}
	return Park{}, apperr.New(apperr.NotFound, "")
}

// GetPark returns a park in the caller's scope. Returns ENOTFOUND otherwise.
func (s *Service) GetPark(ctx context.Context, id string) (Park, error) {
	return getPark(ctx, s.DB.R, access.ParkRead, id)
}

// NewPark is the input of CreatePark.
type NewPark struct {
	ZoneID string
	Name   string
	Code   string
}

// CreatePark creates a park in a zone. Callers need park.manage on the
// whole zone (zone_admin). zone_id may be omitted when the caller's
// zone-level grants name one zone. Returns EVALIDATION, ECONFLICT (code
// taken in the zone), EFORBIDDEN.
func (s *Service) CreatePark(ctx context.Context, in NewPark) (Park, error) {
	sc := access.From(ctx).Scope(access.ParkManage)
	if sc.Empty() {
		return Park{}, apperr.New(apperr.Forbidden, "")
	}
	if in.ZoneID == "" {
		in.ZoneID, _ = sc.SingleZone()
	}
	var fs apperr.Fields
	validatePark(&fs, &in.Name, &in.Code)
	if in.ZoneID == "" {
		fs.Add("zone_id", "required")
	}
	if err := fs.Err(); err != nil {
		return Park{}, err
	}
	if !sc.CoversZone(in.ZoneID) {
		// Unknown zone and someone else's zone look the same.
		return Park{}, apperr.Field("zone_id", "unknown_value")
	}
	var park Park
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		var err error
		park, err = AddPark(ctx, tx, in.ZoneID, in.Name, in.Code)
		return err
	})
	return park, err
}

// AddPark inserts a park with its scope node and audit entry inside tx. It
// checks no permission and no field format: CreatePark does that for
// callers, and the demo loader and tools hold the database. Returns
// EVALIDATION for an unknown zone, ECONFLICT when the code is taken.
func AddPark(ctx context.Context, tx *db.Tx, zoneID, name, code string) (Park, error) {
	zone, err := access.GetNode(ctx, tx, zoneID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && zone.Kind != access.KindZone) {
		return Park{}, apperr.Field("zone_id", "unknown_value")
	}
	if err != nil {
		return Park{}, err
	}
	park := Park{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: zoneID, Name: name, Code: code, Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
	_, err = tx.ExecContext(ctx, `INSERT INTO parks (id, zone_id, name, code, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 1, $5, $5)`, park.ID, park.ZoneID, park.Name, park.Code, db.Micros(tx.Now))
	if db.IsUnique(err) {
		return Park{}, codeTaken(code)
	}
	if err != nil {
		return Park{}, err
	}
	if err := access.InsertNode(ctx, tx, access.Node{ID: park.ID, ZoneID: park.ZoneID, Kind: access.KindPark,
		ParentID: zone.ID, Path: access.PathOf(zone.Path, park.ID), Name: park.Name}); err != nil {
		return Park{}, err
	}
	return park, audit.Record(ctx, tx, audit.Event{ZoneID: park.ZoneID, ParkID: park.ID, Entity: "park", EntityID: park.ID, Action: "create",
		Summary: map[string]any{"name": park.Name, "code": park.Code}})
}

func codeTaken(code string) error {
	return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.park_code_taken", Params: map[string]any{"Code": code},
		Fields: []apperr.FieldError{{Field: "code", Code: "taken"}}}
}

// ParkPatch is a partial update; nil fields stay as they are.
type ParkPatch struct {
	Name *string
	Code *string
}

// UpdatePark applies patch. Callers need park.update over the park
// (zone_admin, or park_admin of that park). ifMatch, when not 0, must equal
// the current version, else EPRECONDITION. Returns ENOTFOUND, EFORBIDDEN,
// EVALIDATION, ECONFLICT.
func (s *Service) UpdatePark(ctx context.Context, id string, patch ParkPatch, ifMatch int) (Park, error) {
	var fs apperr.Fields
	validatePark(&fs, patch.Name, patch.Code)
	var park Park
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := getPark(ctx, tx, access.ParkUpdate, id)
		if err != nil {
			return err
		}
		if ifMatch != 0 && ifMatch != old.Version {
			return apperr.New(apperr.PreconditionFailed, "problem.stale_version", "Version", old.Version)
		}
		if err := fs.Err(); err != nil {
			return err
		}
		park = old
		changes := map[string]any{}
		if patch.Name != nil && *patch.Name != old.Name {
			changes["name"] = audit.Change{From: old.Name, To: *patch.Name}
			park.Name = *patch.Name
		}
		if patch.Code != nil && *patch.Code != old.Code {
			changes["code"] = audit.Change{From: old.Code, To: *patch.Code}
			park.Code = *patch.Code
		}
		if len(changes) == 0 {
			return nil
		}
		park.Version, park.UpdatedAt = old.Version+1, tx.Now
		res, err := tx.ExecContext(ctx, `UPDATE parks SET name = $1, code = $2, version = $3, updated_at = $4 WHERE id = $5 AND version = $6`,
			park.Name, park.Code, park.Version, db.Micros(tx.Now), id, old.Version)
		if db.IsUnique(err) {
			return codeTaken(park.Code)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.PreconditionFailed, "problem.stale_version", "Version", old.Version)
		}
		if park.Name != old.Name {
			if err := access.RenameNode(ctx, tx, id, park.Name); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: park.ZoneID, ParkID: park.ID, Entity: "park", EntityID: park.ID, Action: "update", Summary: changes})
	})
	return park, err
}

// DeletePark deletes a park, its scope node and the grants on it. Callers
// need park.manage (zone_admin). Returns ENOTFOUND, EFORBIDDEN,
// EPRECONDITION on a stale ifMatch, ECONFLICT while records still belong to
// the park.
func (s *Service) DeletePark(ctx context.Context, id string, ifMatch int) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := getPark(ctx, tx, access.ParkManage, id)
		if err != nil {
			return err
		}
		if ifMatch != 0 && ifMatch != old.Version {
			return apperr.New(apperr.PreconditionFailed, "problem.stale_version", "Version", old.Version)
		}
		if err := access.DeleteNode(ctx, tx, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM parks WHERE id = $1`, id)
		if db.IsForeignKey(err) {
			return apperr.New(apperr.Conflict, "problem.park_in_use")
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, ParkID: old.ID, Entity: "park", EntityID: id, Action: "delete",
			Summary: map[string]any{"name": old.Name, "code": old.Code}})
	})
}
