// Package parks holds the sub-parks of a zone (分园区), the second of the
// three levels: each park is a scope node under its zone, so a grant on a
// park covers everything that will hang under it.
package parks

import (
	"context"
	"embed"
	"io/fs"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/etag"
	"tongxin/internal/i18n"
	"tongxin/internal/nodes"
	"tongxin/internal/page"
	"tongxin/internal/valid"
)

// Permissions of this domain.
var (
	// Read lets a caller see parks: every role, within its grants.
	Read = access.NewPerm("park.read", access.Everyone()...)
	// Update lets a caller rename a park or change its code.
	Update = access.NewPerm("park.update", access.ZoneAdmin, access.ParkAdmin)
	// Manage lets a caller create and delete parks (on the whole zone).
	Manage = access.NewPerm("park.manage", access.ZoneAdmin)
)

//go:embed locales/*.json
var locales embed.FS

// Locales holds this domain's messages.
func Locales() fs.FS { return i18n.Dir(locales) }

// Service holds the park operations.
type Service struct{ DB *db.DB }

// Park is a sub-park of a zone.
type Park struct {
	ID        string    `json:"id"`
	ZoneID    string    `json:"zone_id"`
	Name      string    `json:"name"`
	Code      string    `json:"code"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

func validate(fs *apperr.Fields, name, code *string) {
	if name != nil {
		valid.Name(fs, "name", name, 100)
	}
	if code != nil {
		*code = strings.TrimSpace(*code)
		switch {
		case *code == "":
			fs.Add("code", "required")
		case !codePattern.MatchString(*code):
			fs.Add("code", "code_format", "Max", 32)
		}
	}
}

const cols = `id, zone_id, name, code, version, created_at, updated_at`

func scan(s page.Scanner) (Park, error) {
	var p Park
	err := s.Scan(&p.ID, &p.ZoneID, &p.Name, &p.Code, &p.Version, db.T(&p.CreatedAt), db.T(&p.UpdatedAt))
	return p, err
}

// attach: a park is its own scope node, in its zone.
var attach = []access.Attach{access.ByZone("zone_id"), access.ByNode("id")}

// Filter narrows List.
type Filter struct{ ZoneID string }

// List lists the parks in the caller's park.read scope, oldest first; q
// matches name or code.
func (s *Service) List(ctx context.Context, f Filter, p page.Page) (page.List[Park], error) {
	var a db.Args
	where := access.From(ctx).Scope(Read).Where(&a, attach...)
	if f.ZoneID != "" {
		where += " AND zone_id = " + a.Add(f.ZoneID)
	}
	if p.Query != "" {
		like := a.Add(db.Like(p.Query))
		where += " AND (LOWER(name) LIKE " + like + ` ESCAPE '\' OR LOWER(code) LIKE ` + like + ` ESCAPE '\')`
	}
	return page.Rows(ctx, s.DB.R, p, page.Query{From: "parks", Cols: cols, Where: where, Args: a}, scan, page.ByID(func(p Park) string { return p.ID }))
}

// table reads parks in the caller's scope.
var table = page.Table[Park]{From: "parks", Cols: cols, Attach: page.Attached(attach...), Scan: scan}

// get returns the park with id when it lies in the caller's scope for
// perm. When it does not but the caller may read it, the answer is
// EFORBIDDEN; when the caller may not even read it, ENOTFOUND (never reveal
// that it exists).
func get(ctx context.Context, q db.Querier, perm access.Perm, id string) (Park, error) {
	return table.One(ctx, q, perm, Read, id)
}

// Get returns a park in the caller's scope. Returns ENOTFOUND otherwise.
func (s *Service) Get(ctx context.Context, id string) (Park, error) {
	return get(ctx, s.DB.R, Read, id)
}

// Input is what creating a park takes.
type Input struct {
	ZoneID string
	Name   string
	Code   string
}

// Create creates a park in a zone. Callers need park.manage on the whole
// zone (zone_admin). zone_id may be omitted when the caller's scope is one
// zone. Returns EVALIDATION (an unknown zone and someone else's zone look
// the same), ECONFLICT (code taken in the zone), EFORBIDDEN.
func (s *Service) Create(ctx context.Context, in Input) (Park, error) {
	sc := access.From(ctx).Scope(Manage)
	if sc.Empty() {
		return Park{}, apperr.New(apperr.Forbidden, "")
	}
	if in.ZoneID == "" {
		in.ZoneID, _ = sc.SingleZone()
	}
	var fs apperr.Fields
	validate(&fs, &in.Name, &in.Code)
	if in.ZoneID == "" {
		fs.Add("zone_id", "required")
	} else if !sc.CoversZone(in.ZoneID) {
		fs.Add("zone_id", "unknown_value")
	}
	if err := fs.Err(); err != nil {
		return Park{}, err
	}
	var park Park
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		var err error
		park, err = Add(ctx, tx, in)
		return err
	})
	return park, err
}

// Add inserts a park with its scope node and audit entry inside tx. It
// checks no permission: Create does that for callers, and the demo loader
// and tools hold the database. Returns EVALIDATION for a bad field or an
// unknown zone, ECONFLICT when the code is taken.
func Add(ctx context.Context, tx *db.Tx, in Input) (Park, error) {
	var fs apperr.Fields
	validate(&fs, &in.Name, &in.Code)
	if err := fs.Err(); err != nil {
		return Park{}, err
	}
	zone, err := nodes.Get(ctx, tx, in.ZoneID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && zone.Kind != access.KindZone) {
		return Park{}, apperr.Field("zone_id", "unknown_value")
	}
	if err != nil {
		return Park{}, err
	}
	park := Park{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: in.ZoneID, Name: in.Name, Code: in.Code, Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
	_, err = tx.ExecContext(ctx, `INSERT INTO parks (id, zone_id, name, code, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 1, $5, $5)`, park.ID, park.ZoneID, park.Name, park.Code, db.Micros(tx.Now))
	if db.IsUnique(err) {
		return Park{}, codeTaken(in.Code)
	}
	if err != nil {
		return Park{}, err
	}
	if _, err := nodes.Insert(ctx, tx, nodes.Node{ID: park.ID, ZoneID: park.ZoneID, Kind: access.KindPark,
		ParentID: zone.ID, Name: park.Name}, "zone_id"); err != nil {
		return Park{}, err
	}
	return park, audit.Record(ctx, tx, audit.Event{ZoneID: park.ZoneID, Node: park.ID, Entity: "park", EntityID: park.ID, Action: "create",
		Summary: map[string]any{"name": park.Name, "code": park.Code}})
}

func codeTaken(code string) error {
	return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.park_code_taken", Params: map[string]any{"Code": code},
		Fields: []apperr.FieldError{{Field: "code", Code: "taken"}}}
}

// Patch is a partial update; nil fields stay as they are.
type Patch struct {
	Name *string
	Code *string
}

// Update applies patch. Callers need park.update over the park
// (zone_admin, or park_admin of that park); the park must satisfy match.
// Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION, EVALIDATION, ECONFLICT.
func (s *Service) Update(ctx context.Context, id string, patch Patch, match etag.Match) (Park, error) {
	var fs apperr.Fields
	validate(&fs, patch.Name, patch.Code)
	var park Park
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := get(ctx, tx, Update, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
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
			if err := nodes.Rename(ctx, tx, id, park.Name); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: park.ZoneID, Node: park.ID, Entity: "park", EntityID: park.ID, Action: "update", Summary: changes})
	})
	return park, err
}

// Delete deletes a park, its scope node and the grants on it (each grant
// removal audited). Callers need park.manage (zone_admin); the park must
// satisfy match. Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION, ECONFLICT
// while records still belong to the park.
func (s *Service) Delete(ctx context.Context, id string, match etag.Match) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := get(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: old.ID, Entity: "park", EntityID: id, Action: "delete",
			Summary: map[string]any{"name": old.Name, "code": old.Code}}); err != nil {
			return err
		}
		if err := nodes.Delete(ctx, tx, id); err != nil {
			if apperr.Is(err, apperr.Conflict) {
				return apperr.New(apperr.Conflict, "problem.park_in_use")
			}
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM parks WHERE id = $1`, id)
		if db.IsForeignKey(err) {
			return apperr.New(apperr.Conflict, "problem.park_in_use")
		}
		return err
	})
}
