package partyaffairs

import (
	"context"
	"slices"
	"strings"
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

// Limits of an innovation's tags.
const (
	MaxTags   = 10
	MaxTagLen = 20
)

// Innovation is one entry of the innovation log (创新举措): a practice an
// organiser introduced, tagged with its 3.14π function and free tags, and
// its results. It counts in the matrix (innovations) at its organiser's
// level, on the day it was introduced.
type Innovation struct {
	ID           string    `json:"id"`
	ZoneID       string    `json:"zone_id"`
	OrganizerID  string    `json:"organizer_id"`
	Organizer    string    `json:"organizer_name"`
	Level        string    `json:"level"`
	ParkID       *string   `json:"park_id"`
	Title        string    `json:"title"`
	Practice     string    `json:"practice"`
	Function     string    `json:"function"`
	Results      string    `json:"results"`
	IntroducedOn string    `json:"introduced_on"`
	Tags         []string  `json:"tags"`
	Sample       bool      `json:"sample"`
	Version      int       `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

const innovationCols = `id, zone_id, organizer_id, level, park_id, title, practice, function, results, introduced_on, tags, sample, version,
	created_at, updated_at, COALESCE((SELECT n.name FROM scope_nodes n WHERE n.id = innovations.organizer_id), '')`

func scanInnovation(s page.Scanner) (Innovation, error) {
	var in Innovation
	var park, tags string
	err := s.Scan(&in.ID, &in.ZoneID, &in.OrganizerID, &in.Level, &park, &in.Title, &in.Practice, &in.Function, &in.Results, &in.IntroducedOn,
		&tags, &in.Sample, &in.Version, db.T(&in.CreatedAt), db.T(&in.UpdatedAt), &in.Organizer)
	if park != "" {
		in.ParkID = &park
	}
	in.Tags = splitTags(tags)
	return in, err
}

// Tags are kept in one column too (the list shows them without a join),
// separated by a character no tag holds.
const tagSep = "\x1f"

func splitTags(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, tagSep)
}

var innovationAttach = []access.Attach{access.ByNode("organizer_id")}

var innovationTable = page.Table[Innovation]{From: "innovations", Cols: innovationCols, Attach: page.Attached(innovationAttach...), Scan: scanInnovation}

// InnovationFilter narrows the log: function, level, park, tag and the
// days introduced (From up to, not including, To's day — the matrix's
// periods, so a cell drills down to its records).
type InnovationFilter struct {
	Function    string
	Level       string
	ParkID      string
	OrganizerID string
	Tag         string
	From, To    string
}

func (f InnovationFilter) where(ctx context.Context, a *db.Args) (string, error) {
	if f.Function != "" && !matrix.ValidFunction(f.Function) {
		return "", apperr.BadField("function", "unknown_value")
	}
	if f.Level != "" && !matrix.ValidLevel(f.Level) {
		return "", apperr.BadField("level", "unknown_value")
	}
	where := access.From(ctx).Scope(BrandRead).Where(a, innovationAttach...)
	for _, c := range []struct{ col, v string }{{"function", f.Function}, {"level", f.Level}, {"park_id", f.ParkID}, {"organizer_id", f.OrganizerID}} {
		if c.v != "" {
			where += " AND " + c.col + " = " + a.Add(c.v)
		}
	}
	if f.Tag != "" {
		where += " AND id IN (SELECT innovation_id FROM innovation_tags WHERE tag = " + a.Add(f.Tag) + ")"
	}
	for _, d := range []struct{ field, v, op string }{{"from", f.From, ">="}, {"to", f.To, "<"}} {
		if d.v == "" {
			continue
		}
		if _, ok := parseDate(d.v); !ok {
			return "", apperr.BadField(d.field, "invalid_date")
		}
		where += " AND introduced_on " + d.op + " " + a.Add(d.v)
	}
	return where, nil
}

// ListInnovations lists the log in the caller's brand.read scope, the
// latest introduced first; q matches title, practice, results, tags and
// the organiser, Chinese and pinyin. Returns EINVALID for a bad filter.
func (s *Service) ListInnovations(ctx context.Context, f InnovationFilter, p page.Page) (page.List[Innovation], error) {
	var a db.Args
	where, err := f.where(ctx, &a)
	if err != nil {
		return page.List[Innovation]{}, err
	}
	if p.Query != "" {
		m, err := search.Match(ctx, s.DB.R, "innovations", "id", "search_key", p.Query, &a)
		if err != nil {
			return page.List[Innovation]{}, err
		}
		where += " AND " + m
	}
	return page.Rows(ctx, s.DB.R, p, page.Query{From: "innovations", Cols: innovationCols, Where: where, Args: a, OrderBy: "introduced_on", Desc: true},
		scanInnovation, func(in Innovation) (any, string) { return in.IntroducedOn, in.ID })
}

// GetInnovation returns one entry in the caller's scope. Returns ENOTFOUND.
func (s *Service) GetInnovation(ctx context.Context, id string) (Innovation, error) {
	return innovationTable.One(ctx, s.DB.R, BrandRead, BrandRead, id)
}

// InnovationInput is what logging an innovation takes.
type InnovationInput struct {
	OrganizerID  string
	Title        string
	Practice     string
	Function     string
	Results      string
	IntroducedOn string
	Tags         []string
}

func checkTags(fs *apperr.Fields, tags []string) []string {
	out := []string{}
	if len(tags) > MaxTags {
		fs.Add("tags", "too_many", "Max", MaxTags)
		return out
	}
	for i, t := range tags {
		t = strings.TrimSpace(t)
		f := "tags[" + itoa(i) + "]"
		valid.Name(fs, f, &t, MaxTagLen)
		if strings.Contains(t, tagSep) {
			fs.Add(f, "control_chars")
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

func innovationKey(in Innovation) string {
	return search.Key(in.Title, append([]string{in.Practice, in.Results, in.Organizer}, in.Tags...)...)
}

// count adds delta innovations to the matrix at in's place and function.
func count(ctx context.Context, tx *db.Tx, in Innovation, delta int64) error {
	at, _ := parseDate(in.IntroducedOn)
	park := ""
	if in.ParkID != nil {
		park = *in.ParkID
	}
	return matrix.Add(ctx, tx, matrix.Fact{Place: matrix.Place{ZoneID: in.ZoneID, NodeID: in.OrganizerID, ParkID: park, Level: in.Level},
		Function: in.Function, At: at, Figures: matrix.Figures{Innovations: delta}})
}

func writeTags(ctx context.Context, tx *db.Tx, in Innovation) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM innovation_tags WHERE innovation_id = $1`, in.ID); err != nil {
		return err
	}
	for _, t := range in.Tags {
		if _, err := tx.ExecContext(ctx, `INSERT INTO innovation_tags (innovation_id, zone_id, tag) VALUES ($1, $2, $3)`, in.ID, in.ZoneID, t); err != nil {
			return err
		}
	}
	return nil
}

// LogInnovation records an innovation of an organiser (the zone, a park,
// an enterprise, an organisation …) in the caller's brand.manage scope and
// counts it in the matrix. Returns EVALIDATION (organizer_id
// unknown_value, title, practice, function, results, introduced_on,
// tags).
func (s *Service) LogInnovation(ctx context.Context, in InnovationInput) (Innovation, error) {
	return s.logInnovation(ctx, in, false)
}

func (s *Service) logInnovation(ctx context.Context, in InnovationInput, sample bool) (Innovation, error) {
	var fs apperr.Fields
	valid.Name(&fs, "title", &in.Title, 100)
	valid.Text(&fs, "practice", in.Practice, 4000)
	valid.Text(&fs, "results", in.Results, 4000)
	checkFunction(&fs, in.Function)
	tags := checkTags(&fs, in.Tags)
	var it Innovation
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		on, _ := s.pastDate(&fs, "introduced_on", in.IntroducedOn, tx.Now)
		org, err := covered(ctx, tx, BrandManage, "organizer_id", in.OrganizerID)
		if err != nil {
			if !apperr.Is(err, apperr.Validation) {
				return err
			}
			fs.Add("organizer_id", "unknown_value")
		}
		if err := fs.Err(); err != nil {
			return err
		}
		place, err := matrix.PlaceOf(ctx, tx, org.ID)
		if err != nil {
			return err
		}
		it = Innovation{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: org.ZoneID, OrganizerID: org.ID, Level: place.Level, Title: in.Title,
			Practice: in.Practice, Function: in.Function, Results: in.Results, IntroducedOn: on.Format(time.DateOnly), Tags: tags, Sample: sample,
			Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
		if place.ParkID != "" {
			it.ParkID = &place.ParkID
		}
		if err := tx.QueryRowContext(ctx, `SELECT name FROM scope_nodes WHERE id = $1`, org.ID).Scan(&it.Organizer); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO innovations (id, zone_id, organizer_id, level, park_id, title, practice, function, results,
			introduced_on, tags, sample, search_key, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14)`,
			it.ID, it.ZoneID, it.OrganizerID, it.Level, place.ParkID, it.Title, it.Practice, it.Function, it.Results, it.IntroducedOn,
			strings.Join(it.Tags, tagSep), sample, innovationKey(it), db.Micros(tx.Now)); err != nil {
			return err
		}
		if err := writeTags(ctx, tx, it); err != nil {
			return err
		}
		if err := count(ctx, tx, it, 1); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: it.ZoneID, Node: it.OrganizerID, Entity: "innovation", EntityID: it.ID, Action: "create",
			Summary: map[string]any{"title": it.Title, "function": it.Function}})
	})
	return it, err
}

// InnovationPatch is a partial update; nil fields stay. The organiser
// stays (log a new entry for another).
type InnovationPatch struct {
	Title        *string
	Practice     *string
	Function     *string
	Results      *string
	IntroducedOn *string
	Tags         *[]string
}

// UpdateInnovation applies patch; a change of function or date moves its
// count in the matrix. Needs brand.manage over the organiser; match must
// hold. Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION, EVALIDATION.
func (s *Service) UpdateInnovation(ctx context.Context, id string, patch InnovationPatch, match etag.Match) (Innovation, error) {
	var fs apperr.Fields
	if patch.Title != nil {
		valid.Name(&fs, "title", patch.Title, 100)
	}
	if patch.Practice != nil {
		valid.Text(&fs, "practice", *patch.Practice, 4000)
	}
	if patch.Results != nil {
		valid.Text(&fs, "results", *patch.Results, 4000)
	}
	if patch.Function != nil {
		checkFunction(&fs, *patch.Function)
	}
	var tags []string
	if patch.Tags != nil {
		tags = checkTags(&fs, *patch.Tags)
	}
	var it Innovation
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := innovationTable.One(ctx, tx, BrandManage, BrandRead, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if patch.IntroducedOn != nil {
			s.pastDate(&fs, "introduced_on", *patch.IntroducedOn, tx.Now)
		}
		if err := fs.Err(); err != nil {
			return err
		}
		it = old
		changes := map[string]any{}
		for _, c := range []struct {
			field string
			dst   *string
			v     *string
		}{{"title", &it.Title, patch.Title}, {"practice", &it.Practice, patch.Practice}, {"function", &it.Function, patch.Function},
			{"results", &it.Results, patch.Results}, {"introduced_on", &it.IntroducedOn, patch.IntroducedOn}} {
			if c.v != nil && *c.v != *c.dst {
				changes[c.field] = audit.Change{From: *c.dst, To: *c.v}
				*c.dst = *c.v
			}
		}
		if patch.Tags != nil && !slices.Equal(tags, old.Tags) {
			changes["tags"] = audit.Change{From: old.Tags, To: tags}
			it.Tags = tags
		}
		if len(changes) == 0 {
			return nil
		}
		it.Version, it.UpdatedAt = old.Version+1, tx.Now
		res, err := tx.ExecContext(ctx, `UPDATE innovations SET title = $1, practice = $2, function = $3, results = $4, introduced_on = $5, tags = $6,
			search_key = $7, version = $8, updated_at = $9 WHERE id = $10 AND version = $11`, it.Title, it.Practice, it.Function, it.Results,
			it.IntroducedOn, strings.Join(it.Tags, tagSep), innovationKey(it), it.Version, db.Micros(tx.Now), id, old.Version)
		if err != nil {
			return err
		}
		if err := updated(res, old.Version); err != nil {
			return err
		}
		if patch.Tags != nil {
			if err := writeTags(ctx, tx, it); err != nil {
				return err
			}
		}
		if it.Function != old.Function || it.IntroducedOn != old.IntroducedOn {
			if err := count(ctx, tx, old, -1); err != nil {
				return err
			}
			if err := count(ctx, tx, it, 1); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: it.ZoneID, Node: it.OrganizerID, Entity: "innovation", EntityID: it.ID, Action: "update", Summary: changes})
	})
	return it, err
}

// DeleteInnovation deletes an entry and takes its count back from the
// matrix. Needs brand.manage; match must hold. Returns ENOTFOUND,
// EFORBIDDEN, EPRECONDITION.
func (s *Service) DeleteInnovation(ctx context.Context, id string, match etag.Match) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := innovationTable.One(ctx, tx, BrandManage, BrandRead, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := count(ctx, tx, old, -1); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: old.OrganizerID, Entity: "innovation", EntityID: id, Action: "delete",
			Summary: map[string]any{"title": old.Title}}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM innovation_tags WHERE innovation_id = $1`, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM innovations WHERE id = $1`, id)
		return err
	})
}

// Count is one group of the innovation report.
type Count struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// InnovationReport sums the log: how many, by function (every function,
// even at zero), by level, by year introduced and by tag (the 20 most
// used).
type InnovationReport struct {
	Total      int     `json:"total"`
	ByFunction []Count `json:"by_function"`
	ByLevel    []Count `json:"by_level"`
	ByYear     []Count `json:"by_year"`
	ByTag      []Count `json:"by_tag"`
}

// ReportInnovations sums the log within the caller's brand.read scope (an
// empty scope sees zeros) and the filter. Returns EINVALID for a bad
// filter.
func (s *Service) ReportInnovations(ctx context.Context, f InnovationFilter) (InnovationReport, error) {
	rep := InnovationReport{ByFunction: []Count{}, ByLevel: []Count{}, ByYear: []Count{}, ByTag: []Count{}}
	var a db.Args
	where, err := f.where(ctx, &a)
	if err != nil {
		return rep, err
	}
	group := func(expr string, into *[]Count, extra string) error {
		return db.Each(ctx, s.DB.R, `SELECT `+expr+` AS k, COUNT(*) FROM innovations WHERE `+where+` GROUP BY `+expr+extra, a, func(sc db.Scanner) error {
			var c Count
			if err := sc.Scan(&c.Key, &c.Count); err != nil {
				return err
			}
			*into = append(*into, c)
			return nil
		})
	}
	var byFn []Count
	if err := group("function", &byFn, ""); err != nil {
		return rep, err
	}
	for _, fn := range matrix.Functions {
		c := Count{Key: fn}
		for _, x := range byFn {
			if x.Key == fn {
				c.Count = x.Count
			}
		}
		rep.Total += c.Count
		rep.ByFunction = append(rep.ByFunction, c)
	}
	if err := group("level", &rep.ByLevel, " ORDER BY k"); err != nil {
		return rep, err
	}
	if err := group("SUBSTR(introduced_on, 1, 4)", &rep.ByYear, " ORDER BY k"); err != nil {
		return rep, err
	}
	err = db.Each(ctx, s.DB.R, `SELECT t.tag, COUNT(*) FROM innovation_tags t WHERE t.innovation_id IN (SELECT id FROM innovations WHERE `+where+`)
		GROUP BY t.tag ORDER BY COUNT(*) DESC, t.tag LIMIT 20`, a, func(sc db.Scanner) error {
		var c Count
		if err := sc.Scan(&c.Key, &c.Count); err != nil {
			return err
		}
		rep.ByTag = append(rep.ByTag, c)
		return nil
	})
	return rep, err
}
