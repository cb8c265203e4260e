package circle

import (
	"context"
	"database/sql"
	"regexp"
	"strings"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/etag"
	"tongxin/internal/valid"
)

// Category is a kind of facility and the circle that requires it: Circle
// is 5, 10 or 15 (minutes), or nil for a category no circle requires
// (a hospital serves a whole city; the merchants' alliance and the
// low-rent housing shops are the article's own resources).
type Category struct {
	ID      string `json:"id"`
	ZoneID  string `json:"zone_id"`
	Code    string `json:"code"`
	Name    string `json:"name"`
	NameEn  string `json:"name_en"`
	Circle  *int   `json:"circle"`
	Builtin bool   `json:"builtin"`
	Version int    `json:"version"`
}

// Circles are the life circles of GB 50180-2018, in minutes.
var Circles = []int{5, 10, 15}

type defaultCategory struct {
	code, name, nameEn string
	circle             int
}

// Defaults is the built-in catalogue, from GB 50180-2018 appendix B (the
// facilities each life circle must have: 15-minute circle table B.0.1,
// 10-minute B.0.2 and 5-minute B.0.3 — the required ones, 应配建), plus the
// resources the article names that no circle requires. Each circle keeps
// its own categories: a community hospital does not stand in for the
// 5-minute circle's health station. A zone edits its copy.
var Defaults = []defaultCategory{
	{"middle_school", "初中", "Middle school", 15},
	{"health_center", "社区卫生服务中心（社区医院）", "Community health service centre", 15},
	{"elderly_home", "养老院", "Elderly care home", 15},
	{"nursing_home", "老年养护院", "Nursing home for the elderly", 15},
	{"culture_center", "文化活动中心", "Culture centre", 15},
	{"large_sports", "大型多功能运动场地", "Large sports ground", 15},
	{"community_center", "社区服务中心（街道级）", "Community service centre (sub-district)", 15},
	{"judicial_office", "司法所", "Judicial office", 15},
	{"shopping_center", "商场", "Shopping centre", 15},
	{"bank", "银行营业网点", "Bank branch", 15},
	{"post_office", "邮政营业场所", "Post office", 15},
	{"primary_school", "小学", "Primary school", 10},
	{"medium_sports", "中型多功能运动场地", "Medium sports ground", 10},
	{"fresh_market", "菜市场或生鲜超市", "Fresh-food market", 10},
	{"kindergarten", "幼儿园", "Kindergarten", 5},
	{"nursery", "托儿所", "Nursery", 5},
	{"community_station", "社区服务站", "Community service station", 5},
	{"culture_station", "文化活动站", "Culture station", 5},
	{"small_sports", "小型多功能运动场地", "Small sports ground", 5},
	{"outdoor_fitness", "室外综合健身场地", "Outdoor fitness ground", 5},
	{"elderly_daycare", "老年人日间照料中心", "Elderly day-care centre", 5},
	{"canteen", "社区食堂", "Community canteen", 5},
	{"health_station", "社区卫生服务站", "Community health station", 5},
	{"convenience_store", "便利店", "Convenience store", 5},
	{"recycling", "再生资源回收点", "Recycling point", 5},
	{"public_toilet", "公共厕所", "Public toilet", 5},
	{"hospital", "医院", "Hospital", 0},
	{"party_center", "党群活动服务中心", "Party-mass activity centre", 0},
	{"low_rent_shop", "廉租房店面", "Low-rent housing shop", 0},
	{"merchant", "商家联盟商户", "Merchants' alliance member", 0},
}

// DefaultName is the Chinese name of a built-in category ("" for another
// code).
func DefaultName(code string) string {
	for _, d := range Defaults {
		if d.code == code {
			return d.name
		}
	}
	return ""
}

// defaultNS seeds the ids of the built-in categories: a zone's copy of
// one has the same id before and after the zone first edits its
// catalogue.
var defaultNS = uuid.MustParse("6f1d3c52-4a8e-4c1b-9a57-2f0d7e6b1c10")

func defaultID(zoneID, code string) string {
	return uuid.NewSHA1(defaultNS, []byte(zoneID+"/"+code)).String()
}

func defaults(zoneID string) []Category {
	out := make([]Category, len(Defaults))
	for i, d := range Defaults {
		out[i] = Category{ID: defaultID(zoneID, d.code), ZoneID: zoneID, Code: d.code, Name: d.name, NameEn: d.nameEn, Builtin: true, Version: 1}
		if d.circle != 0 {
			c := d.circle
			out[i].Circle = &c
		}
	}
	return out
}

// catalogue returns the zone's categories in their order: its own copy
// once edited, the built-in default until then.
func catalogue(ctx context.Context, q db.Querier, zoneID string) ([]Category, error) {
	var out []Category
	var edited int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM resource_catalogues WHERE zone_id = $1`, zoneID).Scan(&edited); err != nil {
		return nil, err
	}
	if edited == 0 {
		return defaults(zoneID), nil
	}
	err := db.Each(ctx, q, `SELECT id, zone_id, code, name, name_en, circle, version FROM resource_categories WHERE zone_id = $1 ORDER BY sort, code`,
		db.Args{zoneID}, func(s db.Scanner) error {
			var c Category
			var circle sql.NullInt64
			if err := s.Scan(&c.ID, &c.ZoneID, &c.Code, &c.Name, &c.NameEn, &circle, &c.Version); err != nil {
				return err
			}
			if circle.Valid {
				n := int(circle.Int64)
				c.Circle = &n
			}
			c.Builtin = c.ID == defaultID(zoneID, c.Code)
			out = append(out, c)
			return nil
		})
	return out, err
}

// Categories lists the catalogue of the zone (zoneID, or the caller's one
// zone). Any signed-in caller with a grant in the zone may read it: it is
// the zone's reference data, like a dictionary. Returns EVALIDATION on
// zone_id.
func (s *Service) Categories(ctx context.Context, zoneID string) ([]Category, error) {
	zone, err := zoneFor(ctx, s.DB.R, Read, zoneID)
	if err != nil {
		return nil, err
	}
	return catalogue(ctx, s.DB.R, zone)
}

// edit takes the catalogue of zoneID for a change: the zone's marker row
// is written first (on PostgreSQL its lock serialises concurrent edits of
// one catalogue), and a zone that was still on the default gets its copy.
func edit(ctx context.Context, tx *db.Tx, zoneID string) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO resource_catalogues (zone_id, version, updated_at) VALUES ($1, 1, $2) ON CONFLICT (zone_id) DO NOTHING`,
		zoneID, db.Micros(tx.Now))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		_, err := tx.ExecContext(ctx, `UPDATE resource_catalogues SET version = version + 1, updated_at = $1 WHERE zone_id = $2`, db.Micros(tx.Now), zoneID)
		return err
	}
	for i, c := range defaults(zoneID) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO resource_categories (id, zone_id, code, name, name_en, circle, sort, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)`, c.ID, zoneID, c.Code, c.Name, c.NameEn, circleColumn(c.Circle), i, db.Micros(tx.Now)); err != nil {
			return err
		}
	}
	return nil
}

func circleColumn(c *int) sql.NullInt64 {
	if c == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*c), Valid: true}
}

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{1,31}$`)

func validCategory(fs *apperr.Fields, name, nameEn *string, circle *int) {
	if name != nil {
		valid.Name(fs, "name", name, 50)
	}
	if nameEn != nil {
		*nameEn = strings.TrimSpace(*nameEn)
		valid.Text(fs, "name_en", *nameEn, 100)
	}
	if circle != nil && *circle != 5 && *circle != 10 && *circle != 15 {
		fs.Add("circle", "invalid_choice")
	}
}

// CategoryInput is a new category.
type CategoryInput struct {
	ZoneID string
	Code   string
	Name   string
	NameEn string
	Circle *int
}

// CreateCategory adds a category to the zone's catalogue (in.ZoneID, or
// the caller's one zone). Callers need circle.configure on the whole zone
// (zone_admin). Returns EVALIDATION, ECONFLICT (code taken), EFORBIDDEN.
func (s *Service) CreateCategory(ctx context.Context, in CategoryInput) (Category, error) {
	var fs apperr.Fields
	in.Code = strings.TrimSpace(in.Code)
	if in.Code == "" {
		fs.Add("code", "required")
	} else if !codePattern.MatchString(in.Code) {
		fs.Add("code", "code_format", "Max", 32)
	}
	validCategory(&fs, &in.Name, &in.NameEn, in.Circle)
	if err := fs.Err(); err != nil {
		return Category{}, err
	}
	var c Category
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		zone, err := zoneFor(ctx, tx, Configure, in.ZoneID)
		if err != nil {
			return err
		}
		if err := edit(ctx, tx, zone); err != nil {
			return err
		}
		c = Category{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: zone, Code: in.Code, Name: in.Name, NameEn: in.NameEn, Circle: in.Circle, Version: 1}
		_, err = tx.ExecContext(ctx, `INSERT INTO resource_categories (id, zone_id, code, name, name_en, circle, sort, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, (SELECT COALESCE(MAX(sort), 0) + 1 FROM resource_categories WHERE zone_id = $2), 1, $7, $7)`,
			c.ID, zone, c.Code, c.Name, c.NameEn, circleColumn(c.Circle), db.Micros(tx.Now))
		if db.IsUnique(err) {
			return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.category_code_taken", Params: map[string]any{"Code": c.Code},
				Fields: []apperr.FieldError{{Field: "code", Code: "taken"}}}
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: zone, Node: zone, Entity: "resource_category", EntityID: c.ID, Action: "create",
			Summary: map[string]any{"code": c.Code, "name": c.Name, "circle": c.Circle}})
	})
	return c, err
}

// findCategory finds category id in the zones the caller may configure,
// copying the default in first when the zone has not edited its
// catalogue yet. ENOTFOUND when none holds it.
func findCategory(ctx context.Context, tx *db.Tx, id string) (Category, error) {
	sc := access.From(ctx).Scope(Configure)
	var zone string
	err := tx.QueryRowContext(ctx, `SELECT zone_id FROM resource_categories WHERE id = $1`, id).Scan(&zone)
	if err == sql.ErrNoRows {
		zones := sc.Zones()
		if sc.All() { // every zone: a built-in category's id names its zone
			if err := db.Each(ctx, tx, `SELECT id FROM zones`, nil, func(s db.Scanner) error {
				var z string
				err := s.Scan(&z)
				zones = append(zones, z)
				return err
			}); err != nil {
				return Category{}, err
			}
		}
		for _, z := range zones {
			for _, d := range Defaults {
				if defaultID(z, d.code) == id {
					zone = z
				}
			}
		}
	} else if err != nil {
		return Category{}, err
	}
	if zone == "" || !sc.CoversZone(zone) {
		return Category{}, apperr.New(apperr.NotFound, "")
	}
	if err := edit(ctx, tx, zone); err != nil {
		return Category{}, err
	}
	cats, err := catalogue(ctx, tx, zone)
	if err != nil {
		return Category{}, err
	}
	for _, c := range cats {
		if c.ID == id {
			return c, nil
		}
	}
	return Category{}, apperr.New(apperr.NotFound, "")
}

// CategoryPatch changes a category; nil fields stay. SetCircle with a nil
// Circle makes the category required by no circle.
type CategoryPatch struct {
	Name      *string
	NameEn    *string
	SetCircle bool
	Circle    *int
}

// UpdateCategory renames a category or changes the circle requiring it.
// The code stays (resources name it). Callers need circle.configure on
// the zone; the category must satisfy match. Returns ENOTFOUND,
// EPRECONDITION, EVALIDATION.
func (s *Service) UpdateCategory(ctx context.Context, id string, p CategoryPatch, match etag.Match) (Category, error) {
	var fs apperr.Fields
	validCategory(&fs, p.Name, p.NameEn, p.Circle)
	var c Category
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := findCategory(ctx, tx, id)
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
		if p.Name != nil && *p.Name != old.Name {
			changes["name"] = audit.Change{From: old.Name, To: *p.Name}
			c.Name = *p.Name
		}
		if p.NameEn != nil && *p.NameEn != old.NameEn {
			changes["name_en"] = audit.Change{From: old.NameEn, To: *p.NameEn}
			c.NameEn = *p.NameEn
		}
		if p.SetCircle && !sameCircle(p.Circle, old.Circle) {
			changes["circle"] = audit.Change{From: old.Circle, To: p.Circle}
			c.Circle = p.Circle
		}
		if len(changes) == 0 {
			return nil
		}
		c.Version = old.Version + 1
		res, err := tx.ExecContext(ctx, `UPDATE resource_categories SET name = $1, name_en = $2, circle = $3, version = $4, updated_at = $5 WHERE id = $6 AND version = $7`,
			c.Name, c.NameEn, circleColumn(c.Circle), c.Version, db.Micros(tx.Now), id, old.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.PreconditionFailed, "problem.stale_version", "Version", old.Version)
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Node: c.ZoneID, Entity: "resource_category", EntityID: id, Action: "update", Summary: changes})
	})
	return c, err
}

func sameCircle(a, b *int) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// DeleteCategory removes a category from the zone's catalogue. Callers
// need circle.configure on the zone; it must satisfy match. Returns
// ENOTFOUND, EPRECONDITION, ECONFLICT (resources of the category exist, or
// it is the last category).
func (s *Service) DeleteCategory(ctx context.Context, id string, match etag.Match) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := findCategory(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		var used, total int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM resources WHERE zone_id = $1 AND category = $2), (SELECT COUNT(*) FROM resource_categories WHERE zone_id = $1)`,
			old.ZoneID, old.Code).Scan(&used, &total); err != nil {
			return err
		}
		if used > 0 {
			return apperr.New(apperr.Conflict, "problem.category_in_use", "Count", used)
		}
		if total <= 1 {
			return apperr.New(apperr.Conflict, "problem.category_last")
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: old.ZoneID, Entity: "resource_category", EntityID: id, Action: "delete",
			Summary: map[string]any{"code": old.Code, "name": old.Name}}); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM resource_categories WHERE id = $1`, id)
		return err
	})
}
