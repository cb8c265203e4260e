package artery

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/etag"
	"tongxin/internal/matrix"
	"tongxin/internal/nodes"
	"tongxin/internal/page"
	"tongxin/internal/search"
	"tongxin/internal/valid"
)

// Cooperation types: stable codes; their labels (产学研, 产业链, 人才共享,
// 产能互帮) live in the catalogue as artery.type.<code>.
var CooperationTypes = []string{"research", "chain", "talent", "capacity"}

// Cooperation states.
var CooperationStatuses = []string{"planned", "active", "completed", "cancelled"}

// cooperationTransitions: action → states it leaves, state it reaches.
var cooperationTransitions = map[string]struct {
	from []string
	to   string
}{
	"start":    {[]string{"planned"}, "active"},
	"complete": {[]string{"active"}, "completed"},
	"cancel":   {[]string{"planned", "active"}, "cancelled"},
}

// CooperationActions lists the actions of ActOnCooperation.
var CooperationActions = []string{"start", "complete", "cancel"}

// Limits of a cooperation.
const (
	MaxParties    = 50
	MaxMilestones = 50
	MaxOutcomes   = 50
)

// Cooperation is a cooperation project (合作项目).
type Cooperation struct {
	ID           string      `json:"id"`
	ZoneID       string      `json:"zone_id"`
	Type         string      `json:"type"`
	Title        string      `json:"title"`
	Description  string      `json:"description"`
	ChainID      *string     `json:"chain_id"`
	Status       string      `json:"status"`
	OrganizerID  string      `json:"organizer_id"`
	Level        string      `json:"level"`
	Function     string      `json:"function"`
	MatchID      *string     `json:"match_id"`
	StartedOn    *string     `json:"started_on"`
	EndedOn      *string     `json:"ended_on"`
	EnterpriseID []string    `json:"enterprise_ids"`
	InstituteIDs []string    `json:"institute_ids"`
	Milestones   []Milestone `json:"milestones"`
	Outcomes     []Outcome   `json:"outcomes"`
	Timeline     []Event     `json:"timeline"`
	Sample       bool        `json:"sample"`
	Version      int         `json:"version"`
	CreatedAt    time.Time   `json:"created_at"`
	UpdatedAt    time.Time   `json:"updated_at"`
}

// Milestone is a step of a cooperation, due on a date and done on one.
type Milestone struct {
	ID     string  `json:"id"`
	Title  string  `json:"title"`
	DueOn  *string `json:"due_on"`
	DoneOn *string `json:"done_on"`
}

// Outcome is a result of a cooperation (a patent, a product, a line …).
type Outcome struct {
	ID         string  `json:"id"`
	Title      string  `json:"title"`
	RecordedOn *string `json:"recorded_on"`
}

// Event is one entry of a cooperation's timeline, by date: created,
// started, a milestone due or done, an outcome, ended.
type Event struct {
	On    string `json:"on"`
	Kind  string `json:"kind"` // created, started, milestone_due, milestone_done, outcome, ended
	Title string `json:"title"`
}

const coopCols = `id, zone_id, type, title, description, chain_id, status, organizer_id, level, match_id, started_on, ended_on, sample,
	version, created_at, updated_at`

func scanCoop(s page.Scanner) (Cooperation, error) {
	var c Cooperation
	var chain, match, started, ended sql.NullString
	err := s.Scan(&c.ID, &c.ZoneID, &c.Type, &c.Title, &c.Description, &chain, &c.Status, &c.OrganizerID, &c.Level, &match, &started, &ended,
		&c.Sample, &c.Version, db.T(&c.CreatedAt), db.T(&c.UpdatedAt))
	c.ChainID, c.MatchID, c.StartedOn, c.EndedOn = nullStr(chain), nullStr(match), nullStr(started), nullStr(ended)
	c.Function = "development"
	c.EnterpriseID, c.InstituteIDs, c.Milestones, c.Outcomes, c.Timeline = []string{}, []string{}, []Milestone{}, []Outcome{}, []Event{}
	return c, err
}

// coopWhere: a cooperation lies in its zone and under each enterprise
// party (their partners and parks see it).
func coopWhere(ctx context.Context, perm access.Perm, a *db.Args) string {
	sc := access.From(ctx).Scope(perm)
	zone := sc.Where(a, access.ByZone("zone_id"))
	parties := sc.Where(a, access.ByNode("enterprise_id"))
	return "(" + zone + " OR id IN (SELECT cooperation_id FROM cooperation_parties WHERE " + parties + "))"
}

// fillCoops loads parties, milestones and outcomes of cs.
func fillCoops(ctx context.Context, q db.Querier, cs []Cooperation) error {
	if len(cs) == 0 {
		return nil
	}
	at := map[string]int{}
	ids := make([]string, len(cs))
	for i, c := range cs {
		at[c.ID], ids[i] = i, c.ID
	}
	var a db.Args
	in := a.In(ids)
	err := db.Each(ctx, q, `SELECT cooperation_id, COALESCE(enterprise_id, ''), COALESCE(institute_id, '') FROM cooperation_parties
		WHERE cooperation_id IN (`+in+`) ORDER BY cooperation_id, party_id`, a, func(s db.Scanner) error {
		var id, ent, inst string
		if err := s.Scan(&id, &ent, &inst); err != nil {
			return err
		}
		c := &cs[at[id]]
		if ent != "" {
			c.EnterpriseID = append(c.EnterpriseID, ent)
		} else {
			c.InstituteIDs = append(c.InstituteIDs, inst)
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = db.Each(ctx, q, `SELECT cooperation_id, id, title, due_on, done_on FROM cooperation_milestones WHERE cooperation_id IN (`+in+`)
		ORDER BY cooperation_id, position`, a, func(s db.Scanner) error {
		var id string
		var m Milestone
		var due, done sql.NullString
		if err := s.Scan(&id, &m.ID, &m.Title, &due, &done); err != nil {
			return err
		}
		m.DueOn, m.DoneOn = nullStr(due), nullStr(done)
		cs[at[id]].Milestones = append(cs[at[id]].Milestones, m)
		return nil
	})
	if err != nil {
		return err
	}
	err = db.Each(ctx, q, `SELECT cooperation_id, id, title, recorded_on FROM cooperation_outcomes WHERE cooperation_id IN (`+in+`)
		ORDER BY cooperation_id, position`, a, func(s db.Scanner) error {
		var id string
		var o Outcome
		var on sql.NullString
		if err := s.Scan(&id, &o.ID, &o.Title, &on); err != nil {
			return err
		}
		o.RecordedOn = nullStr(on)
		cs[at[id]].Outcomes = append(cs[at[id]].Outcomes, o)
		return nil
	})
	for i := range cs {
		cs[i].Timeline = timeline(cs[i])
	}
	return err
}

// timeline orders what happened and is due in a cooperation by date.
func timeline(c Cooperation) []Event {
	ev := []Event{{On: c.CreatedAt.Format(time.DateOnly), Kind: "created", Title: c.Title}}
	if c.StartedOn != nil {
		ev = append(ev, Event{On: *c.StartedOn, Kind: "started", Title: c.Title})
	}
	for _, m := range c.Milestones {
		if m.DoneOn != nil {
			ev = append(ev, Event{On: *m.DoneOn, Kind: "milestone_done", Title: m.Title})
		} else if m.DueOn != nil {
			ev = append(ev, Event{On: *m.DueOn, Kind: "milestone_due", Title: m.Title})
		}
	}
	for _, o := range c.Outcomes {
		if o.RecordedOn != nil {
			ev = append(ev, Event{On: *o.RecordedOn, Kind: "outcome", Title: o.Title})
		}
	}
	if c.EndedOn != nil {
		ev = append(ev, Event{On: *c.EndedOn, Kind: "ended", Title: c.Title})
	}
	sort.SliceStable(ev, func(i, j int) bool { return ev[i].On < ev[j].On })
	return ev
}

// CooperationFilter narrows ListCooperations.
type CooperationFilter struct {
	Type, Status, ChainID, EnterpriseID, InstituteID string
}

// ListCooperations lists the cooperations in the caller's scope, newest
// first; q matches title and description, pinyin of the title included.
func (s *Service) ListCooperations(ctx context.Context, f CooperationFilter, p page.Page) (page.List[Cooperation], error) {
	var a db.Args
	where := coopWhere(ctx, Read, &a)
	where += a.Equals("type", f.Type, "status", f.Status, "chain_id", f.ChainID)
	if f.EnterpriseID != "" {
		where += " AND id IN (SELECT cooperation_id FROM cooperation_parties WHERE enterprise_id = " + a.Add(f.EnterpriseID) + ")"
	}
	if f.InstituteID != "" {
		where += " AND id IN (SELECT cooperation_id FROM cooperation_parties WHERE institute_id = " + a.Add(f.InstituteID) + ")"
	}
	if p.Query != "" {
		m, err := search.Match(ctx, s.DB.R, "cooperations", "id", "search_key", p.Query, &a)
		if err != nil {
			return page.List[Cooperation]{}, err
		}
		where += " AND " + m
	}
	l, err := page.Rows(ctx, s.DB.R, p, page.Query{From: "cooperations", Cols: coopCols, Where: where, Args: a, Desc: true}, scanCoop,
		page.ByID(func(c Cooperation) string { return c.ID }))
	if err != nil {
		return l, err
	}
	return l, fillCoops(ctx, s.DB.R, l.Items)
}

// getCoop reads a cooperation the caller may act on under perm: ENOTFOUND
// when they may not even read it, EFORBIDDEN when they may only read it.
func getCoop(ctx context.Context, q db.Querier, perm access.Perm, id string) (Cooperation, error) {
	for _, pm := range []access.Perm{perm, Read} {
		var a db.Args
		where := coopWhere(ctx, pm, &a)
		c, err := scanCoop(q.QueryRowContext(ctx, `SELECT `+coopCols+` FROM cooperations WHERE id = `+a.Add(id)+` AND `+where, a...))
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return c, err
		}
		cs := []Cooperation{c}
		if err := fillCoops(ctx, q, cs); err != nil {
			return c, err
		}
		if pm != perm {
			return cs[0], apperr.New(apperr.Forbidden, "")
		}
		return cs[0], nil
	}
	return Cooperation{}, apperr.New(apperr.NotFound, "")
}

// GetCooperation returns a cooperation in the caller's scope. Returns
// ENOTFOUND.
func (s *Service) GetCooperation(ctx context.Context, id string) (Cooperation, error) {
	return getCoop(ctx, s.DB.R, Read, id)
}

// CooperationInput is what creating a cooperation takes.
type CooperationInput struct {
	ZoneID        string
	Type          string
	Title         string
	Description   string
	ChainID       string
	OrganizerID   string
	StartedOn     string
	EndedOn       string
	EnterpriseIDs []string
	InstituteIDs  []string
	Milestones    []Milestone
	Outcomes      []Outcome
	Sample        bool
	// Active starts the project without a start date (the demo's
	// cooperations, which the article reports as running but not since
	// when); the API never sets it.
	Active  bool
	matchID string
}

func checkCoopParts(fs *apperr.Fields, ms []Milestone, os []Outcome) {
	if len(ms) > MaxMilestones {
		fs.Add("milestones", "too_many", "Max", MaxMilestones)
	}
	for i := range ms {
		valid.Name(fs, "milestones.title", &ms[i].Title, 200)
		checkDate(fs, "milestones.due_on", deref(ms[i].DueOn))
		checkDate(fs, "milestones.done_on", deref(ms[i].DoneOn))
	}
	if len(os) > MaxOutcomes {
		fs.Add("outcomes", "too_many", "Max", MaxOutcomes)
	}
	for i := range os {
		valid.Name(fs, "outcomes.title", &os[i].Title, 200)
		checkDate(fs, "outcomes.recorded_on", deref(os[i].RecordedOn))
	}
}

func (in *CooperationInput) check() error {
	var fs apperr.Fields
	oneOf(&fs, "type", in.Type, CooperationTypes)
	valid.Name(&fs, "title", &in.Title, 200)
	valid.Text(&fs, "description", in.Description, 4000)
	checkDate(&fs, "started_on", in.StartedOn)
	checkDate(&fs, "ended_on", in.EndedOn)
	if in.StartedOn != "" && in.EndedOn != "" && in.EndedOn < in.StartedOn {
		fs.Add("ended_on", "before_start")
	}
	in.EnterpriseIDs = valid.UniqueIDs(&fs, "enterprise_ids", in.EnterpriseIDs, MaxParties)
	in.InstituteIDs = valid.UniqueIDs(&fs, "institute_ids", in.InstituteIDs, MaxParties)
	if len(in.EnterpriseIDs)+len(in.InstituteIDs) < 2 {
		fs.Add("enterprise_ids", "too_few_parties")
	}
	checkCoopParts(&fs, in.Milestones, in.Outcomes)
	return fs.Err()
}

// CreateCooperation creates a cooperation project. The caller needs
// match.broker over every enterprise party (a park administrator for
// cooperations among their park's enterprises and institutes; zone
// administrators for any); institutes must be of the zone. The organiser
// (a zone, park or enterprise in the caller's scope) sets the level; by
// default the one park of all enterprise parties, else the zone. Returns
// EFORBIDDEN, EVALIDATION.
func (s *Service) CreateCooperation(ctx context.Context, in CooperationInput) (Cooperation, error) {
	if err := in.check(); err != nil {
		return Cooperation{}, err
	}
	if access.From(ctx).Scope(Broker).Empty() {
		return Cooperation{}, apperr.New(apperr.Forbidden, "")
	}
	var c Cooperation
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		var err error
		c, err = createCoop(ctx, tx, access.From(ctx).Scope(Broker), in)
		return err
	})
	return c, err
}

// createCoop writes a cooperation in tx. It is where a cooperation starts
// to count, both when made directly and when a match is agreed: the 3.14π
// matrix's cooperations figure (function development, at the organiser's
// place and level) moves here, in the same transaction, on the day the
// cooperation is made. A cancelled cooperation is taken back on that day
// (ActOnCooperation).
//
// sc is the scope the parties and organiser are checked against.
func createCoop(ctx context.Context, tx *db.Tx, sc access.Scope, in CooperationInput) (Cooperation, error) {
	zoneID := in.ZoneID
	parks := map[string]bool{}
	if len(in.EnterpriseIDs) > 0 {
		var a db.Args
		where := sc.Where(&a, access.ByZone("zone_id"), access.ByNode("id"))
		n := 0
		err := db.Each(ctx, tx, `SELECT zone_id, park_id FROM enterprises WHERE id IN (`+a.In(in.EnterpriseIDs)+`) AND `+where, a, func(s db.Scanner) error {
			var z, p string
			err := s.Scan(&z, &p)
			if zoneID == "" {
				zoneID = z
			}
			if z != zoneID {
				n = -1 << 20
			}
			parks[p] = true
			n++
			return err
		})
		if err != nil {
			return Cooperation{}, err
		}
		if n != len(in.EnterpriseIDs) {
			return Cooperation{}, apperr.Field("enterprise_ids", "unknown_value")
		}
	}
	if zoneID == "" {
		zoneID, _ = sc.SingleZone()
		if zoneID == "" || !sc.CoversZone(zoneID) {
			return Cooperation{}, apperr.Field("zone_id", "required")
		}
	}
	if len(in.InstituteIDs) > 0 {
		var a db.Args
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM institutes WHERE id IN (`+a.In(in.InstituteIDs)+`) AND zone_id = `+a.Add(zoneID), a...).Scan(&n); err != nil {
			return Cooperation{}, err
		}
		if n != len(in.InstituteIDs) {
			return Cooperation{}, apperr.Field("institute_ids", "unknown_value")
		}
	}
	if in.ChainID != "" {
		if _, err := placeOnChain(ctx, tx, zoneID, in.ChainID, ""); err != nil {
			return Cooperation{}, err
		}
	}
	organizer := in.OrganizerID
	if organizer == "" {
		organizer = zoneID
		if len(parks) == 1 {
			for p := range parks {
				organizer = p
			}
		}
		if !sc.Covers(access.ZonePath(zoneID)) && organizer == zoneID {
			return Cooperation{}, apperr.Field("organizer_id", "required")
		}
	}
	n, err := nodes.Get(ctx, tx, organizer)
	if apperr.Is(err, apperr.NotFound) || (err == nil && (n.ZoneID != zoneID || !sc.Covers(n.Path) ||
		!slices.Contains([]string{access.KindZone, access.KindPark, access.KindEnterprise}, n.Kind))) {
		return Cooperation{}, apperr.Field("organizer_id", "unknown_value")
	}
	if err != nil {
		return Cooperation{}, err
	}
	place, err := matrix.PlaceOf(ctx, tx, n.ID)
	if err != nil {
		return Cooperation{}, err
	}
	c := Cooperation{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: zoneID, Type: in.Type, Title: in.Title, Description: in.Description,
		ChainID: optional(in.ChainID), Status: "planned", OrganizerID: n.ID, Level: place.Level, Function: "development", MatchID: optional(in.matchID),
		StartedOn: optional(in.StartedOn), EndedOn: optional(in.EndedOn), EnterpriseID: db.Sorted(in.EnterpriseIDs), InstituteIDs: db.Sorted(in.InstituteIDs),
		Sample: in.Sample, Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
	if c.StartedOn != nil || in.Active {
		c.Status = "active"
	}
	if c.EndedOn != nil {
		c.Status = "completed"
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO cooperations (id, zone_id, type, title, description, chain_id, status, organizer_id, level, match_id,
		started_on, ended_on, sample, search_key, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $15)`,
		c.ID, c.ZoneID, c.Type, c.Title, c.Description, c.ChainID, c.Status, c.OrganizerID, c.Level, c.MatchID, c.StartedOn, c.EndedOn, c.Sample,
		search.Key(c.Title, c.Description), db.Micros(tx.Now)); err != nil {
		return c, err
	}
	if err := setParties(ctx, tx, c.ID, c.ZoneID, nil, nil, c.EnterpriseID, c.InstituteIDs); err != nil {
		return c, err
	}
	if err := count(ctx, tx, place, c.CreatedAt, 1); err != nil {
		return c, err
	}
	var err2 error
	if c.Milestones, c.Outcomes, err2 = writeParts(ctx, tx, c, nil, nil, in.Milestones, in.Outcomes); err2 != nil {
		return c, err2
	}
	c.Timeline = timeline(c)
	return c, audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Node: c.OrganizerID, Entity: "cooperation", EntityID: c.ID, Action: "create",
		Summary: map[string]any{"title": c.Title, "type": c.Type, "enterprise_ids": c.EnterpriseID, "institute_ids": c.InstituteIDs, "level": c.Level}})
}

// setParties moves the parties from (oldEnt, oldInst) to (ent, inst).
func setParties(ctx context.Context, tx *db.Tx, id, zoneID string, oldEnt, oldInst, ent, inst []string) error {
	for _, p := range []struct {
		old, next []string
		col       string
	}{{oldEnt, ent, "enterprise_id"}, {oldInst, inst, "institute_id"}} {
		add, remove := db.Diff(p.old, p.next)
		for _, r := range remove {
			if _, err := tx.ExecContext(ctx, `DELETE FROM cooperation_parties WHERE cooperation_id = $1 AND party_id = $2`, id, r); err != nil {
				return err
			}
		}
		for _, a := range add {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cooperation_parties (cooperation_id, party_id, `+p.col+`, zone_id) VALUES ($1, $2, $2, $3)`,
				id, a, zoneID); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeParts replaces the milestones and outcomes: entries with the id of
// an existing one keep it, others get a new id; ids of other cooperations
// are EVALIDATION.
func writeParts(ctx context.Context, tx *db.Tx, c Cooperation, oldM []Milestone, oldO []Outcome, ms []Milestone, os []Outcome) ([]Milestone, []Outcome, error) {
	if ms != nil {
		had := map[string]bool{}
		for _, m := range oldM {
			had[m.ID] = true
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cooperation_milestones WHERE cooperation_id = $1`, c.ID); err != nil {
			return nil, nil, err
		}
		for i := range ms {
			if ms[i].ID != "" && !had[ms[i].ID] {
				return nil, nil, apperr.Field("milestones.id", "unknown_value")
			}
			had[ms[i].ID] = false
			if ms[i].ID == "" {
				ms[i].ID = uuid.Must(uuid.NewV7()).String()
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO cooperation_milestones (id, cooperation_id, zone_id, title, due_on, done_on, position)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, ms[i].ID, c.ID, c.ZoneID, ms[i].Title, ms[i].DueOn, ms[i].DoneOn, i); err != nil {
				return nil, nil, err
			}
		}
	} else {
		ms = oldM
	}
	if os != nil {
		had := map[string]bool{}
		for _, o := range oldO {
			had[o.ID] = true
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM cooperation_outcomes WHERE cooperation_id = $1`, c.ID); err != nil {
			return nil, nil, err
		}
		for i := range os {
			if os[i].ID != "" && !had[os[i].ID] {
				return nil, nil, apperr.Field("outcomes.id", "unknown_value")
			}
			had[os[i].ID] = false
			if os[i].ID == "" {
				os[i].ID = uuid.Must(uuid.NewV7()).String()
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO cooperation_outcomes (id, cooperation_id, zone_id, title, recorded_on, position)
				VALUES ($1, $2, $3, $4, $5, $6)`, os[i].ID, c.ID, c.ZoneID, os[i].Title, os[i].RecordedOn, i); err != nil {
				return nil, nil, err
			}
		}
	} else {
		os = oldO
	}
	if ms == nil {
		ms = []Milestone{}
	}
	if os == nil {
		os = []Outcome{}
	}
	return ms, os, nil
}

// CooperationPatch is a partial update; nil fields stay. Milestones and
// Outcomes, when not nil, replace the lists.
type CooperationPatch struct {
	Title, Description *string
	Milestones         *[]Milestone
	Outcomes           *[]Outcome
}

// UpdateCooperation applies patch. Needs match.broker over the
// cooperation; match must hold. Returns ENOTFOUND, EFORBIDDEN,
// EPRECONDITION, EVALIDATION.
func (s *Service) UpdateCooperation(ctx context.Context, id string, patch CooperationPatch, match etag.Match) (Cooperation, error) {
	var fs apperr.Fields
	if patch.Title != nil {
		valid.Name(&fs, "title", patch.Title, 200)
	}
	if patch.Description != nil {
		valid.Text(&fs, "description", *patch.Description, 4000)
	}
	var ms []Milestone
	var os []Outcome
	if patch.Milestones != nil {
		ms = append([]Milestone{}, *patch.Milestones...)
	}
	if patch.Outcomes != nil {
		os = append([]Outcome{}, *patch.Outcomes...)
	}
	checkCoopParts(&fs, ms, os)
	var c Cooperation
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := getCoop(ctx, tx, Broker, id)
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
		change(changes, "title", &c.Title, patch.Title)
		change(changes, "description", &c.Description, patch.Description)
		if patch.Milestones != nil {
			changes["milestones"] = len(ms)
		}
		if patch.Outcomes != nil {
			changes["outcomes"] = len(os)
		}
		if len(changes) == 0 {
			return nil
		}
		if c.Milestones, c.Outcomes, err = writeParts(ctx, tx, c, old.Milestones, old.Outcomes, ms, os); err != nil {
			return err
		}
		return bumpCoop(ctx, tx, &c, old.Version, changes, "update")
	})
	return c, err
}

func bumpCoop(ctx context.Context, tx *db.Tx, c *Cooperation, oldVersion int, changes map[string]any, action string) error {
	c.Version, c.UpdatedAt = oldVersion+1, tx.Now
	res, err := tx.ExecContext(ctx, `UPDATE cooperations SET title = $1, description = $2, status = $3, started_on = $4, ended_on = $5, search_key = $6,
		version = $7, updated_at = $8 WHERE id = $9 AND version = $10`, c.Title, c.Description, c.Status, c.StartedOn, c.EndedOn,
		search.Key(c.Title, c.Description), c.Version, db.Micros(tx.Now), c.ID, oldVersion)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.Conflict, "problem.changed_meanwhile")
	}
	c.Timeline = timeline(*c)
	return audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Node: c.OrganizerID, Entity: "cooperation", EntityID: c.ID, Action: action, Summary: changes})
}

// ActOnCooperation moves a cooperation through planned → active →
// completed, or cancelled from planned or active; start and complete
// date it today unless dated already. Needs match.broker over it.
// Returns ENOTFOUND, EFORBIDDEN, EVALIDATION (unknown action), ECONFLICT
// (the state does not allow the action, or it changed meanwhile).
func (s *Service) ActOnCooperation(ctx context.Context, id, action string) (Cooperation, error) {
	t, ok := cooperationTransitions[action]
	if !ok {
		return Cooperation{}, apperr.Field("action", "unknown_value")
	}
	var c Cooperation
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := getCoop(ctx, tx, Broker, id)
		if err != nil {
			return err
		}
		if !slices.Contains(t.from, old.Status) {
			return apperr.New(apperr.Conflict, "problem.cooperation_transition", "Status", old.Status, "Action", action)
		}
		c = old
		c.Status = t.to
		today := tx.Now.Format(time.DateOnly)
		if action == "start" && c.StartedOn == nil {
			c.StartedOn = &today
		}
		if action == "complete" && c.EndedOn == nil {
			c.EndedOn = &today
		}
		if c.Status == "cancelled" {
			place, err := matrix.PlaceOf(ctx, tx, c.OrganizerID)
			if err != nil {
				return err
			}
			if err := count(ctx, tx, place, c.CreatedAt, -1); err != nil {
				return err
			}
		}
		return bumpCoop(ctx, tx, &c, old.Version, map[string]any{"status": audit.Change{From: old.Status, To: c.Status}}, action)
	})
	return c, err
}

// count moves the matrix's cooperations figure at place by delta on the
// day at.
func count(ctx context.Context, tx *db.Tx, place matrix.Place, at time.Time, delta int64) error {
	return matrix.Add(ctx, tx, matrix.Fact{Place: place, Function: "development", At: at, Figures: matrix.Figures{Cooperations: delta}})
}
