package partyaffairs

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
	"tongxin/internal/matrix"
	"tongxin/internal/page"
	"tongxin/internal/search"
	"tongxin/internal/valid"
)

// Limits of a brand.
const (
	MaxPractices = 30
	MinScore     = 0
	MaxScore     = 100
	MinYear      = 2000
)

// Grades of an evaluation by its score: excellent (优秀) from 90, good
// (良好) from 75, pass (合格) from 60, else fail (不合格).
func gradeOf(score int) string {
	switch {
	case score >= 90:
		return "excellent"
	case score >= 75:
		return "good"
	case score >= 60:
		return "pass"
	}
	return "fail"
}

// Brand is an enterprise's party-building brand (一企一品: one per
// enterprise), its practices and its yearly evaluations, newest year
// first.
type Brand struct {
	ID             string       `json:"id"`
	ZoneID         string       `json:"zone_id"`
	EnterpriseID   string       `json:"enterprise_id"`
	EnterpriseName string       `json:"enterprise_name"`
	OrgID          *string      `json:"org_id"`
	OrgName        string       `json:"org_name"`
	Name           string       `json:"name"`
	Slogan         string       `json:"slogan"`
	Description    string       `json:"description"`
	Function       string       `json:"function"`
	Practices      []Practice   `json:"practices"`
	Evaluations    []Evaluation `json:"evaluations"`
	LatestScore    *int         `json:"latest_score"`
	Sample         bool         `json:"sample"`
	Version        int          `json:"version"`
	CreatedAt      time.Time    `json:"created_at"`
	UpdatedAt      time.Time    `json:"updated_at"`
}

// Practice is one practice of a brand (a named way of working).
type Practice struct {
	Title       string `json:"title"`
	Description string `json:"description"`
}

// Evaluation is a brand's evaluation of one year.
type Evaluation struct {
	ID        string    `json:"id"`
	Year      int       `json:"year"`
	Score     int       `json:"score"`
	Grade     string    `json:"grade"`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
}

const brandCols = `id, zone_id, enterprise_id, org_id, name, slogan, description, function, sample, version, created_at, updated_at,
	COALESCE((SELECT e.name FROM enterprises e WHERE e.id = brands.enterprise_id), ''),
	COALESCE((SELECT o.name FROM orgs o WHERE o.id = brands.org_id), '')`

func scanBrand(s page.Scanner) (Brand, error) {
	var b Brand
	var org sql.NullString
	err := s.Scan(&b.ID, &b.ZoneID, &b.EnterpriseID, &org, &b.Name, &b.Slogan, &b.Description, &b.Function, &b.Sample, &b.Version,
		db.T(&b.CreatedAt), db.T(&b.UpdatedAt), &b.EnterpriseName, &b.OrgName)
	b.OrgID = nullStr(org)
	b.Practices, b.Evaluations = []Practice{}, []Evaluation{}
	return b, err
}

// A brand lies under its enterprise and under the organisation keeping it.
var brandAttach = []access.Attach{access.ByNode("enterprise_id"), access.ByNode("org_id")}

var brandTable = page.Table[Brand]{From: "brands", Cols: brandCols, Attach: page.Attached(brandAttach...), Scan: scanBrand}

func fillBrands(ctx context.Context, q db.Querier, bs []Brand) error {
	if len(bs) == 0 {
		return nil
	}
	at := map[string]int{}
	ids := make([]string, len(bs))
	for i, b := range bs {
		at[b.ID], ids[i] = i, b.ID
	}
	var a db.Args
	in := a.In(ids)
	err := db.Each(ctx, q, `SELECT brand_id, title, description FROM brand_practices WHERE brand_id IN (`+in+`) ORDER BY brand_id, position`, a,
		func(s db.Scanner) error {
			var id string
			var p Practice
			if err := s.Scan(&id, &p.Title, &p.Description); err != nil {
				return err
			}
			bs[at[id]].Practices = append(bs[at[id]].Practices, p)
			return nil
		})
	if err != nil {
		return err
	}
	return db.Each(ctx, q, `SELECT brand_id, id, year, score, grade, note, created_at FROM brand_evaluations WHERE brand_id IN (`+in+`)
		ORDER BY brand_id, year DESC`, a, func(s db.Scanner) error {
		var id string
		var e Evaluation
		if err := s.Scan(&id, &e.ID, &e.Year, &e.Score, &e.Grade, &e.Note, db.T(&e.CreatedAt)); err != nil {
			return err
		}
		b := &bs[at[id]]
		if len(b.Evaluations) == 0 {
			b.LatestScore = &e.Score
		}
		b.Evaluations = append(b.Evaluations, e)
		return nil
	})
}

// BrandFilter narrows the brand list.
type BrandFilter struct {
	EnterpriseID string
	OrgID        string
	Function     string
}

// ListBrands lists the brands in the caller's brand.read scope by name;
// q matches name, slogan, description, practices and the enterprise's
// name, pinyin included. Returns EINVALID for an unknown function.
func (s *Service) ListBrands(ctx context.Context, f BrandFilter, p page.Page) (page.List[Brand], error) {
	if f.Function != "" && !matrix.ValidFunction(f.Function) {
		return page.List[Brand]{}, apperr.BadField("function", "unknown_value")
	}
	var a db.Args
	where := access.From(ctx).Scope(BrandRead).Where(&a, brandAttach...)
	if f.EnterpriseID != "" {
		where += " AND enterprise_id = " + a.Add(f.EnterpriseID)
	}
	if f.OrgID != "" {
		where += " AND org_id = " + a.Add(f.OrgID)
	}
	if f.Function != "" {
		where += " AND function = " + a.Add(f.Function)
	}
	if p.Query != "" {
		m, err := search.Match(ctx, s.DB.R, "brands", "id", "search_key", p.Query, &a)
		if err != nil {
			return page.List[Brand]{}, err
		}
		where += " AND " + m
	}
	l, err := page.Rows(ctx, s.DB.R, p, page.Query{From: "brands", Cols: brandCols, Where: where, Args: a}, scanBrand,
		page.ByID(func(b Brand) string { return b.ID }))
	if err == nil {
		err = fillBrands(ctx, s.DB.R, l.Items)
	}
	return l, err
}

func (s *Service) getBrand(ctx context.Context, q db.Querier, perm access.Perm, id string) (Brand, error) {
	b, err := brandTable.One(ctx, q, perm, BrandRead, id)
	if err != nil {
		return b, err
	}
	bs := []Brand{b}
	err = fillBrands(ctx, q, bs)
	return bs[0], err
}

// GetBrand returns a brand in the caller's scope with its practices and
// evaluations: the enterprise's brand page. Returns ENOTFOUND.
func (s *Service) GetBrand(ctx context.Context, id string) (Brand, error) {
	return s.getBrand(ctx, s.DB.R, BrandRead, id)
}

// BrandInput is what creating a brand takes.
type BrandInput struct {
	EnterpriseID string
	OrgID        string
	Name         string
	Slogan       string
	Description  string
	Function     string
	Practices    []Practice
}

func checkBrandText(fs *apperr.Fields, slogan, description *string, practices []Practice) {
	if slogan != nil {
		valid.Text(fs, "slogan", *slogan, 100)
	}
	if description != nil {
		valid.Text(fs, "description", *description, 4000)
	}
	if len(practices) > MaxPractices {
		fs.Add("practices", "too_many", "Max", MaxPractices)
	}
	for i := range practices {
		f := "practices[" + itoa(i) + "]"
		valid.Name(fs, f+".title", &practices[i].Title, 100)
		valid.Text(fs, f+".description", practices[i].Description, 2000)
	}
}

func checkFunction(fs *apperr.Fields, f string) {
	switch {
	case f == "":
		fs.Add("function", "required")
	case !matrix.ValidFunction(f):
		fs.Add("function", "unknown_value")
	}
}

func brandKey(b Brand) string {
	more := []string{b.Slogan, b.Description, b.EnterpriseName}
	for _, p := range b.Practices {
		more = append(more, p.Title)
	}
	return search.Key(b.Name, more...)
}

// placeBrand checks an enterprise and the organisation keeping its brand:
// the caller holds brand.manage over the enterprise, or over the
// organisation when it covers the enterprise.
func placeBrand(ctx context.Context, tx *db.Tx, fs *apperr.Fields, enterpriseID, orgID string) (node, error) {
	if enterpriseID == "" {
		fs.Add("enterprise_id", "required")
		return node{}, nil
	}
	ent, err := nodeOf(ctx, tx, enterpriseID)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && ent.Kind != access.KindEnterprise) {
		fs.Add("enterprise_id", "unknown_value")
		return ent, nil
	}
	if err != nil {
		return ent, err
	}
	sc := access.From(ctx).Scope(BrandManage)
	ok := sc.Covers(ent.Path)
	if orgID != "" {
		org, err := nodeOf(ctx, tx, orgID)
		var n int
		if err == nil && org.Kind == access.KindOrg && org.ZoneID == ent.ZoneID {
			err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM org_enterprises WHERE org_id = $1 AND enterprise_id = $2`, orgID, enterpriseID).Scan(&n)
		}
		switch {
		case errors.Is(err, sql.ErrNoRows) || org.Kind != access.KindOrg || org.ZoneID != ent.ZoneID || (!ok && !sc.Covers(org.Path)):
			fs.Add("org_id", "unknown_value")
			return ent, nil
		case err != nil:
			return ent, err
		case n == 0:
			fs.Add("org_id", "not_covering")
		}
		ok = ok || sc.Covers(org.Path)
	}
	if !ok {
		fs.Add("enterprise_id", "unknown_value")
	}
	return ent, nil
}

func writePractices(ctx context.Context, tx *db.Tx, b Brand) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM brand_practices WHERE brand_id = $1`, b.ID); err != nil {
		return err
	}
	for i, p := range b.Practices {
		if _, err := tx.ExecContext(ctx, `INSERT INTO brand_practices (brand_id, zone_id, position, title, description) VALUES ($1, $2, $3, $4, $5)`,
			b.ID, b.ZoneID, i, p.Title, p.Description); err != nil {
			return err
		}
	}
	return nil
}

func brandExists() error {
	return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.brand_exists",
		Fields: []apperr.FieldError{{Field: "enterprise_id", Code: "taken"}}}
}

// CreateBrand creates an enterprise's brand. Returns EVALIDATION
// (enterprise_id, org_id unknown_value or not_covering, name, slogan,
// description, function, practices), ECONFLICT when the enterprise has a
// brand already (one enterprise, one brand).
func (s *Service) CreateBrand(ctx context.Context, in BrandInput) (Brand, error) {
	return s.createBrand(ctx, in, false)
}

func (s *Service) createBrand(ctx context.Context, in BrandInput, sample bool) (Brand, error) {
	var fs apperr.Fields
	valid.Name(&fs, "name", &in.Name, 50)
	checkBrandText(&fs, &in.Slogan, &in.Description, in.Practices)
	checkFunction(&fs, in.Function)
	var b Brand
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		ent, err := placeBrand(ctx, tx, &fs, in.EnterpriseID, in.OrgID)
		if err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		b = Brand{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: ent.ZoneID, EnterpriseID: ent.ID, Name: in.Name, Slogan: in.Slogan,
			Description: in.Description, Function: in.Function, Practices: in.Practices, Evaluations: []Evaluation{}, Sample: sample,
			Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
		if b.Practices == nil {
			b.Practices = []Practice{}
		}
		if in.OrgID != "" {
			b.OrgID = &in.OrgID
			if err := tx.QueryRowContext(ctx, `SELECT name FROM orgs WHERE id = $1`, in.OrgID).Scan(&b.OrgName); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, `SELECT name FROM enterprises WHERE id = $1`, ent.ID).Scan(&b.EnterpriseName); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO brands (id, zone_id, enterprise_id, org_id, name, slogan, description, function, sample, search_key,
			version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11)`, b.ID, b.ZoneID, b.EnterpriseID,
			db.NullString(in.OrgID), b.Name, b.Slogan, b.Description, b.Function, sample, brandKey(b), db.Micros(tx.Now))
		if db.IsUnique(err) {
			return brandExists()
		}
		if err != nil {
			return err
		}
		if err := writePractices(ctx, tx, b); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: b.ZoneID, Node: b.EnterpriseID, Entity: "brand", EntityID: b.ID, Action: "create",
			Summary: map[string]any{"name": b.Name, "function": b.Function}})
	})
	return b, err
}

// BrandPatch is a partial update; nil fields stay. Practices, when
// given, replace the list.
type BrandPatch struct {
	Name        *string
	Slogan      *string
	Description *string
	Function    *string
	Practices   *[]Practice
}

// UpdateBrand applies patch. Needs brand.manage over the brand; match
// must hold. Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION, EVALIDATION.
func (s *Service) UpdateBrand(ctx context.Context, id string, patch BrandPatch, match etag.Match) (Brand, error) {
	var fs apperr.Fields
	if patch.Name != nil {
		valid.Name(&fs, "name", patch.Name, 50)
	}
	var practices []Practice
	if patch.Practices != nil {
		practices = *patch.Practices
	}
	checkBrandText(&fs, patch.Slogan, patch.Description, practices)
	if patch.Function != nil {
		checkFunction(&fs, *patch.Function)
	}
	var b Brand
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := s.getBrand(ctx, tx, BrandManage, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		b = old
		changes := map[string]any{}
		for _, c := range []struct {
			field string
			dst   *string
			v     *string
		}{{"name", &b.Name, patch.Name}, {"slogan", &b.Slogan, patch.Slogan}, {"description", &b.Description, patch.Description},
			{"function", &b.Function, patch.Function}} {
			if c.v != nil && *c.v != *c.dst {
				changes[c.field] = audit.Change{From: *c.dst, To: *c.v}
				*c.dst = *c.v
			}
		}
		if patch.Practices != nil {
			b.Practices = practices
			if b.Practices == nil {
				b.Practices = []Practice{}
			}
			changes["practices"] = len(b.Practices)
		}
		if len(changes) == 0 {
			return nil
		}
		b.Version, b.UpdatedAt = old.Version+1, tx.Now
		res, err := tx.ExecContext(ctx, `UPDATE brands SET name = $1, slogan = $2, description = $3, function = $4, search_key = $5, version = $6,
			updated_at = $7 WHERE id = $8 AND version = $9`, b.Name, b.Slogan, b.Description, b.Function, brandKey(b), b.Version,
			db.Micros(tx.Now), id, old.Version)
		if err != nil {
			return err
		}
		if err := updated(res, old.Version); err != nil {
			return err
		}
		if patch.Practices != nil {
			if err := writePractices(ctx, tx, b); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: b.ZoneID, Node: b.EnterpriseID, Entity: "brand", EntityID: b.ID, Action: "update", Summary: changes})
	})
	return b, err
}

// DeleteBrand deletes a brand with its practices and evaluations. Needs
// brand.manage; match must hold. Returns ENOTFOUND, EFORBIDDEN,
// EPRECONDITION.
func (s *Service) DeleteBrand(ctx context.Context, id string, match etag.Match) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := s.getBrand(ctx, tx, BrandManage, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: old.EnterpriseID, Entity: "brand", EntityID: id, Action: "delete",
			Summary: map[string]any{"name": old.Name}}); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM brand_practices WHERE brand_id = $1`, `DELETE FROM brand_evaluations WHERE brand_id = $1`,
			`DELETE FROM brands WHERE id = $1`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// EvaluationInput is a year's evaluation of a brand.
type EvaluationInput struct {
	Year  int
	Score *int
	Note  string
}

// Evaluate records a brand's evaluation of a year and returns the brand.
// Needs brand.evaluate over the brand (the zone's and parks' staff).
// Returns ENOTFOUND, EFORBIDDEN, EVALIDATION (year out_of_range, score
// required or out_of_range 0–100, note), ECONFLICT when the year is
// evaluated already.
func (s *Service) Evaluate(ctx context.Context, id string, in EvaluationInput) (Brand, error) {
	var fs apperr.Fields
	switch {
	case in.Score == nil:
		fs.Add("score", "required")
	case *in.Score < MinScore || *in.Score > MaxScore:
		fs.Add("score", "out_of_range", "Min", MinScore, "Max", MaxScore)
	}
	valid.Text(&fs, "note", in.Note, 2000)
	var b Brand
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := brandTable.One(ctx, tx, Evaluate, BrandRead, id)
		if err != nil {
			return err
		}
		if this := s.today(tx.Now).Year(); in.Year < MinYear || in.Year > this {
			fs.Add("year", "out_of_range", "Min", MinYear, "Max", this)
		}
		if err := fs.Err(); err != nil {
			return err
		}
		e := Evaluation{ID: uuid.Must(uuid.NewV7()).String(), Year: in.Year, Score: *in.Score, Grade: gradeOf(*in.Score), Note: in.Note, CreatedAt: tx.Now}
		_, err = tx.ExecContext(ctx, `INSERT INTO brand_evaluations (id, zone_id, brand_id, year, score, grade, note, evaluator_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, e.ID, old.ZoneID, id, e.Year, e.Score, e.Grade, e.Note,
			db.NullString(access.From(ctx).UserID), db.Micros(tx.Now))
		if db.IsUnique(err) {
			return &apperr.Error{Code: apperr.Conflict, MessageID: "problem.evaluation_exists", Params: map[string]any{"Year": in.Year},
				Fields: []apperr.FieldError{{Field: "year", Code: "taken"}}}
		}
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: old.EnterpriseID, Entity: "brand", EntityID: id, Action: "evaluate",
			Summary: map[string]any{"year": e.Year, "score": e.Score}}); err != nil {
			return err
		}
		b, err = s.getBrand(ctx, tx, BrandRead, id)
		return err
	})
	return b, err
}
