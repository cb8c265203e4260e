package activities

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/etag"
	"tongxin/internal/i18n"
	"tongxin/internal/matrix"
	"tongxin/internal/page"
	"tongxin/internal/search"
	"tongxin/internal/secret"
	"tongxin/internal/valid"
)

// Permissions of this domain.
var (
	// Read lets a caller see activities (not who signed up): every role,
	// within its grants.
	Read = access.NewPerm("activity.read", access.Everyone()...)
	// Manage lets a caller organise activities where they hold it: create,
	// edit, publish, cancel and complete them, sign people up (walk-ups
	// included), show check-in codes, enter hours and decide corrections.
	// The zone's and parks' administrators, a branch secretary for their
	// organisation, and service staff for their station (or park).
	Manage = access.NewPerm("activity.manage", access.ZoneAdmin, access.ParkAdmin, access.OrgSecretary, access.ServiceStaff)
	// Roster lets a caller read who signed up, attended and was credited:
	// the organisers, and auditors.
	Roster = access.NewPerm("activity.roster", access.ZoneAdmin, access.ParkAdmin, access.OrgSecretary,
		access.ServiceStaff, access.Auditor)
)

//go:embed locales/*.json
var locales embed.FS

// Locales holds this domain's messages.
func Locales() fs.FS { return i18n.Dir(locales) }

// Service holds the activity operations. Keys sign check-in codes and
// hash calendar tokens.
type Service struct {
	DB   *db.DB
	Keys *secret.Keys
}

// Values of the enumerations (API.md).
var (
	Kinds    = []string{"theme_day", "lesson", "study", "volunteer", "culture", "clinic", "other"}
	Statuses = []string{"draft", "published", "completed", "cancelled"}
	// Modes are the check-in modes (PRODUCT.md, Domain rules): auto credits
	// every registered person at completion; checkin credits those who
	// checked in; checkin_checkout credits the time between check-in and
	// check-out, capped at the activity's length; manual credits nobody by
	// itself, the organiser enters each person's hours.
	Modes = []string{"auto", "checkin", "checkin_checkout", "manual"}
)

// Limits.
const (
	MaxCapacity = 100000
	MaxPosts    = 50
	MaxLength   = 92 * 24 * time.Hour // a summer class runs for weeks, not seasons
	MaxGeofence = 5000                // metres
)

// Location is where an activity takes place.
type Location struct {
	Name string   `json:"name"`
	Lat  *float64 `json:"lat"`
	Lng  *float64 `json:"lng"`
}

// Post is a post (岗位) of an activity with its own capacity.
type Post struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Capacity   int    `json:"capacity"`
	Registered int    `json:"registered"`
	Waitlisted int    `json:"waitlisted"`
}

// Activity is an activity as the API shows it.
type Activity struct {
	ID             string    `json:"id"`
	ZoneID         string    `json:"zone_id"`
	CampaignID     *string   `json:"campaign_id"`
	Title          string    `json:"title"`
	Description    string    `json:"description"`
	Kind           string    `json:"kind"`
	Function       string    `json:"function"`
	Level          string    `json:"level"`
	ParkID         *string   `json:"park_id"`
	OrganizerID    string    `json:"organizer_id"`
	OrganizerKind  string    `json:"organizer_kind"`
	OrganizerName  string    `json:"organizer_name"`
	StartsAt       time.Time `json:"starts_at"`
	EndsAt         time.Time `json:"ends_at"`
	Location       Location  `json:"location"`
	GeofenceM      *int      `json:"geofence_m"`
	Capacity       int       `json:"capacity"`
	CreditHours    float64   `json:"credit_hours"`
	CheckinMode    string    `json:"checkin_mode"`
	SignupClosesAt time.Time `json:"signup_closes_at"`
	CancelClosesAt time.Time `json:"cancel_closes_at"`
	Posts          []Post    `json:"posts"`
	Status         string    `json:"status"`
	Registered     int       `json:"registered"`
	Waitlisted     int       `json:"waitlisted"`
	Version        int       `json:"version"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`

	node          string
	creditMinutes int64
	postCount     int // kept on the row (migration 0410)
}

// place is where the activity counts on the matrix.
func (a Activity) place() matrix.Place {
	p := matrix.Place{ZoneID: a.ZoneID, NodeID: a.node, Level: a.Level}
	if a.ParkID != nil {
		p.ParkID = *a.ParkID
	}
	return p
}

func (a Activity) length() time.Duration { return a.EndsAt.Sub(a.StartsAt) }

const cols = `id, zone_id, campaign_id, title, description, kind, function, level, park_id, organizer_id, organizer_kind, organizer_node,
	starts_at, ends_at, location_name, lat, lng, geofence_m, capacity, credit_minutes, checkin_mode, signup_closes_at, cancel_closes_at,
	status, version, created_at, updated_at, organizer_name, registered_count, waitlisted_count, post_count`

// scanned is a row of cols as scan reads it: one allocation for the
// activity and its nullable columns, which its pointers then share.
type scanned struct {
	a              Activity
	campaign, park sql.NullString
	lat, lng       sql.NullFloat64
	geofence       sql.NullInt64
	geofenceM      int
}

func scan(s page.Scanner) (Activity, error) {
	x := new(scanned)
	a := &x.a
	err := s.Scan(&a.ID, &a.ZoneID, &x.campaign, &a.Title, &a.Description, &a.Kind, &a.Function, &a.Level, &x.park, &a.OrganizerID,
		&a.OrganizerKind, &a.node, db.T(&a.StartsAt), db.T(&a.EndsAt), &a.Location.Name, &x.lat, &x.lng, &x.geofence, &a.Capacity,
		&a.creditMinutes, &a.CheckinMode, db.T(&a.SignupClosesAt), db.T(&a.CancelClosesAt), &a.Status, &a.Version,
		db.T(&a.CreatedAt), db.T(&a.UpdatedAt), &a.OrganizerName, &a.Registered, &a.Waitlisted, &a.postCount)
	a.CampaignID, a.ParkID = db.Ref(&x.campaign), db.Ref(&x.park)
	if x.lat.Valid && x.lng.Valid {
		a.Location.Lat, a.Location.Lng = &x.lat.Float64, &x.lng.Float64
	}
	if x.geofence.Valid {
		x.geofenceM = int(x.geofence.Int64)
		a.GeofenceM = &x.geofenceM
	}
	a.CreditHours = float64(a.creditMinutes) / 60
	a.Posts = []Post{}
	return *a, err
}

// attach: an activity hangs under its organising node, in its zone.
var attach = []access.Attach{access.ByZone("zone_id"), access.ByNode("organizer_node")}

var table = page.Table[Activity]{From: "activities", Cols: cols, Attach: page.Attached(attach...), Scan: scan}

// fillPosts loads the posts of as, with their sign-up counts, in one
// query: of the activities whose rows count posts, none when none does.
func fillPosts(ctx context.Context, q db.Querier, as []Activity) error {
	idx := map[string]int{}
	var ids []string
	for i, a := range as {
		if a.postCount > 0 {
			idx[a.ID] = i
			ids = append(ids, a.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var args db.Args
	return db.Each(ctx, q, `SELECT activity_id, id, name, capacity, registered_count, waitlisted_count
		FROM activity_posts WHERE activity_id IN (`+args.In(ids)+`) ORDER BY activity_id, ord`, args, func(s db.Scanner) error {
		var aid string
		var p Post
		if err := s.Scan(&aid, &p.ID, &p.Name, &p.Capacity, &p.Registered, &p.Waitlisted); err != nil {
			return err
		}
		as[idx[aid]].Posts = append(as[idx[aid]].Posts, p)
		return nil
	})
}

// get reads an activity as the caller may act on it under perm (ENOTFOUND
// when they may not even read it, EFORBIDDEN when they may read it only).
func get(ctx context.Context, q db.Querier, perm access.Perm, id string) (Activity, error) {
	a, err := table.One(ctx, q, perm, Read, id)
	if err != nil {
		return a, err
	}
	rows := []Activity{a}
	err = fillPosts(ctx, q, rows)
	return rows[0], err
}

// load reads an activity whatever the caller's scope: the caller of load
// decides who may see it.
func load(ctx context.Context, q db.Querier, id string) (Activity, error) {
	a, err := scan(q.QueryRowContext(ctx, "SELECT "+cols+" FROM activities WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.New(apperr.NotFound, "")
	}
	if err != nil {
		return a, err
	}
	rows := []Activity{a}
	err = fillPosts(ctx, q, rows)
	return rows[0], err
}

// Get returns an activity in the caller's activity.read scope, with its
// posts. Returns ENOTFOUND otherwise.
func (s *Service) Get(ctx context.Context, id string) (Activity, error) {
	return get(ctx, s.DB.R, Read, id)
}

// Filter narrows List. From and To bound starts_at (To exclusive).
type Filter struct {
	Status, Kind, Function, Level, ParkID, OrganizerID, CampaignID string
	From, To                                                       time.Time
}

// CheckFilter refuses values no activity can have (EINVALID naming the
// parameter), so a typo is an error rather than an empty list.
func CheckFilter(f Filter) error {
	for _, c := range []struct {
		field, v string
		ok       []string
	}{{"status", f.Status, Statuses}, {"kind", f.Kind, Kinds}, {"function", f.Function, matrix.Functions}, {"level", f.Level, matrix.Levels}} {
		if c.v != "" && !slices.Contains(c.ok, c.v) {
			return apperr.BadField(c.field, "unknown_option", "Value", c.v)
		}
	}
	return nil
}

func (f Filter) where(a *db.Args) string {
	var w string
	w += a.Equals("status", f.Status, "kind", f.Kind, "function", f.Function, "level", f.Level,
		"park_id", f.ParkID, "organizer_id", f.OrganizerID, "campaign_id", f.CampaignID)
	if !f.From.IsZero() {
		w += " AND starts_at >= " + a.Add(db.Micros(f.From))
	}
	if !f.To.IsZero() {
		w += " AND starts_at < " + a.Add(db.Micros(f.To))
	}
	return w
}

// List lists the activities in the caller's activity.read scope, latest
// start first; q matches title, description and place, pinyin included.
func (s *Service) List(ctx context.Context, f Filter, p page.Page) (page.List[Activity], error) {
	var a db.Args
	sc := access.From(ctx).Scope(Read)
	where := sc.Where(&a, attach...) + f.where(&a)
	if p.Query != "" {
		m, err := search.Match(ctx, s.DB.R, "activities", "id", "search_key", p.Query, &a)
		if err != nil {
			return page.List[Activity]{}, err
		}
		where += " AND " + m
	}
	// Whole zones (a zone administrator) filtered by status alone, or not
	// at all: the list's predicate is "the activities of these zones" with
	// that status, whose total is the sum of the counts kept per zone and
	// status (activity_status_counts, migration 0250).
	var total *page.Total
	if zones := page.ZoneCounter("activities", sc); zones != nil && f == (Filter{Status: f.Status}) && p.Query == "" {
		total = zones.Sum("activity_status_counts", "status", f.Status)
	}
	return s.list(ctx, p, where, a, total)
}

// list reads a page of activities matching where, and total when it is
// not nil.
func (s *Service) list(ctx context.Context, p page.Page, where string, a db.Args, total *page.Total) (page.List[Activity], error) {
	l, err := page.Rows(ctx, s.DB.R, p, page.Query{From: "activities", Cols: cols, Where: where, Args: a, OrderBy: "starts_at", Desc: true, Total: total},
		scan, func(x Activity) (any, string) { return db.Micros(x.StartsAt), x.ID })
	if err != nil {
		return l, err
	}
	return l, fillPosts(ctx, s.DB.R, l.Items)
}

// organizer is an organising party as resolved from the id a client sent.
type organizer struct {
	kind   string // zone, park, station, org, alliance
	node   string // the scope node activities hang under
	path   string // that node's path
	zoneID string
}

// resolveOrganizer finds id among the scope nodes that organise (a zone,
// park, station or party organisation) or the alliances (which hang under
// their park, or their zone when they have none). EVALIDATION
// unknown_value otherwise.
func resolveOrganizer(ctx context.Context, q db.Querier, id string) (organizer, error) {
	var o organizer
	err := q.QueryRowContext(ctx, `SELECT kind, id, path, zone_id FROM scope_nodes WHERE id = $1`, id).Scan(&o.kind, &o.node, &o.path, &o.zoneID)
	if err == nil {
		if !slices.Contains([]string{access.KindZone, access.KindPark, access.KindStation, access.KindOrg}, o.kind) {
			return o, apperr.Field("organizer_id", "unknown_value")
		}
		return o, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return o, err
	}
	err = q.QueryRowContext(ctx, `SELECT n.id, n.path, n.zone_id FROM alliances a JOIN scope_nodes n ON n.id = COALESCE(a.park_id, a.zone_id)
		WHERE a.id = $1`, id).Scan(&o.node, &o.path, &o.zoneID)
	if errors.Is(err, sql.ErrNoRows) {
		return o, apperr.Field("organizer_id", "unknown_value")
	}
	o.kind = "alliance"
	return o, err
}

// Input is what creating an activity takes. Times are RFC 3339 texts.
type Input struct {
	ZoneID         string
	CampaignID     string
	Title          string
	Description    string
	Kind           string
	Function       string
	OrganizerID    string
	StartsAt       string
	EndsAt         string
	Location       *LocationInput
	GeofenceM      *int
	Capacity       *int
	CreditHours    *float64
	CheckinMode    string
	SignupClosesAt string
	CancelClosesAt string
	Posts          []PostInput
}

// LocationInput is a location as a client sends it.
type LocationInput struct {
	Name     string
	Lat, Lng *float64
}

// PostInput is a post as a client sends it; ID names an existing post on
// update.
type PostInput struct {
	ID       string
	Name     string
	Capacity *int
}

func parseTime(fs *apperr.Fields, field, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		fs.Add(field, "invalid_date")
		return time.Time{}
	}
	return t.UTC().Truncate(time.Second)
}

func checkCapacity(fs *apperr.Fields, field string, c *int) {
	if c == nil {
		fs.Add(field, "required")
	} else if *c < 1 || *c > MaxCapacity {
		fs.Add(field, "out_of_range", "Min", 1, "Max", MaxCapacity)
	}
}

func checkLocation(fs *apperr.Fields, l *LocationInput, geofence *int) {
	if l != nil {
		valid.Text(fs, "location.name", l.Name, 200)
		if (l.Lat == nil) != (l.Lng == nil) {
			fs.Add("location.lat", "required")
		}
		if l.Lat != nil && (*l.Lat < -90 || *l.Lat > 90) {
			fs.Add("location.lat", "out_of_range", "Min", -90, "Max", 90)
		}
		if l.Lng != nil && (*l.Lng < -180 || *l.Lng > 180) {
			fs.Add("location.lng", "out_of_range", "Min", -180, "Max", 180)
		}
	}
	if geofence != nil {
		if *geofence < 10 || *geofence > MaxGeofence {
			fs.Add("geofence_m", "out_of_range", "Min", 10, "Max", MaxGeofence)
		} else if l == nil || l.Lat == nil {
			fs.Add("geofence_m", "needs_location")
		}
	}
}

func checkPosts(fs *apperr.Fields, posts []PostInput) {
	if len(posts) > MaxPosts {
		fs.Add("posts", "too_many", "Max", MaxPosts)
		return
	}
	var names []string
	for i := range posts {
		p := &posts[i]
		field := "posts." + itoa(i)
		valid.Name(fs, field+".name", &p.Name, 50)
		checkCapacity(fs, field+".capacity", p.Capacity)
		if slices.Contains(names, p.Name) {
			fs.Add(field+".name", "taken")
		}
		names = append(names, p.Name)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// hoursToMinutes checks hours (0 < h ≤ max) and converts them to whole
// minutes.
func hoursToMinutes(fs *apperr.Fields, field string, h float64, max time.Duration) int64 {
	maxH := math.Floor(max.Hours()*100) / 100
	if math.IsNaN(h) || h <= 0 || h > maxH {
		fs.Add(field, "out_of_range", "Min", 0, "Max", maxH)
		return 0
	}
	return int64(math.Round(h * 60))
}

// checkTimes validates the times of a: start before end, a sensible
// length, sign-up and self-cancel cut-offs no later than the end.
func checkTimes(fs *apperr.Fields, a *Activity) {
	if a.StartsAt.IsZero() || a.EndsAt.IsZero() {
		return
	}
	if !a.EndsAt.After(a.StartsAt) {
		fs.Add("ends_at", "ends_before_start")
		return
	}
	if a.length() > MaxLength {
		fs.Add("ends_at", "too_long_span", "Max", int(MaxLength.Hours()/24))
	}
	if a.SignupClosesAt.After(a.EndsAt) {
		fs.Add("signup_closes_at", "after_end")
	}
	if a.CancelClosesAt.After(a.EndsAt) {
		fs.Add("cancel_closes_at", "after_end")
	}
}

// Create creates a draft activity organised by organizer_id, which must
// lie in the caller's activity.manage scope. The level and park follow
// from the organiser (matrix.PlaceOf). Posts, when given, each have a
// capacity; the activity's capacity bounds them all together. Sign-up
// closes at signup_closes_at (default: the start), self-cancel at
// cancel_closes_at (default: the sign-up cut-off). credit_hours defaults
// to the activity's length and may not exceed it (hours exclude travel).
// Returns EVALIDATION, EFORBIDDEN.
func (s *Service) Create(ctx context.Context, in Input) (Activity, error) {
	sc := access.From(ctx).Scope(Manage)
	if sc.Empty() {
		return Activity{}, apperr.New(apperr.Forbidden, "")
	}
	var fs apperr.Fields
	a := Activity{Title: in.Title, Description: in.Description, Kind: in.Kind, Function: in.Function, CheckinMode: in.CheckinMode,
		GeofenceM: in.GeofenceM, Status: "draft", Version: 1}
	valid.Name(&fs, "title", &a.Title, 100)
	valid.Text(&fs, "description", a.Description, 2000)
	if !slices.Contains(Kinds, a.Kind) {
		fs.Add("kind", "unknown_option", "Value", a.Kind)
	}
	if !matrix.ValidFunction(a.Function) {
		fs.Add("function", "unknown_option", "Value", a.Function)
	}
	if a.CheckinMode == "" {
		a.CheckinMode = "checkin"
	} else if !slices.Contains(Modes, a.CheckinMode) {
		fs.Add("checkin_mode", "unknown_option", "Value", a.CheckinMode)
	}
	if in.OrganizerID == "" {
		fs.Add("organizer_id", "required")
	}
	if in.StartsAt == "" {
		fs.Add("starts_at", "required")
	}
	if in.EndsAt == "" {
		fs.Add("ends_at", "required")
	}
	a.StartsAt, a.EndsAt = parseTime(&fs, "starts_at", in.StartsAt), parseTime(&fs, "ends_at", in.EndsAt)
	a.SignupClosesAt = parseTime(&fs, "signup_closes_at", in.SignupClosesAt)
	a.CancelClosesAt = parseTime(&fs, "cancel_closes_at", in.CancelClosesAt)
	if a.SignupClosesAt.IsZero() {
		a.SignupClosesAt = a.StartsAt
	}
	if a.CancelClosesAt.IsZero() {
		a.CancelClosesAt = a.SignupClosesAt
	}
	checkTimes(&fs, &a)
	checkCapacity(&fs, "capacity", in.Capacity)
	checkLocation(&fs, in.Location, in.GeofenceM)
	checkPosts(&fs, in.Posts)
	if in.CreditHours == nil {
		a.creditMinutes = int64(a.length().Minutes())
	} else if a.EndsAt.After(a.StartsAt) {
		a.creditMinutes = hoursToMinutes(&fs, "credit_hours", *in.CreditHours, a.length())
	}
	if err := fs.Err(); err != nil {
		return Activity{}, err
	}
	a.Capacity = *in.Capacity
	if in.Location != nil {
		a.Location = Location{Name: in.Location.Name, Lat: in.Location.Lat, Lng: in.Location.Lng}
	}
	a.CreditHours = float64(a.creditMinutes) / 60
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := setOrganizer(ctx, tx, sc, &a, in.OrganizerID); err != nil {
			return err
		}
		if in.ZoneID != "" && in.ZoneID != a.ZoneID {
			return apperr.Field("zone_id", "unknown_value")
		}
		if err := setCampaign(ctx, tx, &a, in.CampaignID); err != nil {
			return err
		}
		a.ID = uuid.Must(uuid.NewV7()).String()
		a.CreatedAt, a.UpdatedAt = tx.Now, tx.Now
		lat, lng := nullF(a.Location.Lat), nullF(a.Location.Lng)
		_, err := tx.ExecContext(ctx, `INSERT INTO activities (id, zone_id, campaign_id, title, description, kind, function, level, park_id,
				organizer_id, organizer_kind, organizer_node, starts_at, ends_at, location_name, lat, lng, geofence_m, capacity, credit_minutes,
				checkin_mode, signup_closes_at, cancel_closes_at, status, search_key, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, 'draft', $24, 1, $25, $25)`,
			a.ID, a.ZoneID, a.CampaignID, a.Title, a.Description, a.Kind, a.Function, a.Level, a.ParkID, a.OrganizerID, a.OrganizerKind, a.node,
			db.Micros(a.StartsAt), db.Micros(a.EndsAt), a.Location.Name, lat, lng, nullI(a.GeofenceM), a.Capacity, a.creditMinutes,
			a.CheckinMode, db.Micros(a.SignupClosesAt), db.Micros(a.CancelClosesAt), a.searchKey(), db.Micros(tx.Now))
		if err != nil {
			return err
		}
		if a.Posts, err = setPosts(ctx, tx, a, nil, in.Posts); err != nil {
			return err
		}
		a.postCount = len(a.Posts)
		return audit.Record(ctx, tx, audit.Event{ZoneID: a.ZoneID, Node: a.node, Entity: "activity", EntityID: a.ID, Action: "create",
			Summary: map[string]any{"title": a.Title, "organizer_id": a.OrganizerID, "starts_at": a.StartsAt, "capacity": a.Capacity}})
	})
	if err != nil {
		return Activity{}, err
	}
	return get(ctx, s.DB.W, Read, a.ID)
}

func (a Activity) searchKey() string { return search.Key(a.Title, a.Location.Name, a.Description) }

func nullF(f *float64) sql.NullFloat64 {
	if f == nil {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: *f, Valid: true}
}

func nullI(i *int) sql.NullInt64 {
	if i == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: int64(*i), Valid: true}
}

// setOrganizer resolves id, checks it lies in sc and sets a's organiser,
// zone, level and park.
func setOrganizer(ctx context.Context, tx *db.Tx, sc access.Scope, a *Activity, id string) error {
	o, err := resolveOrganizer(ctx, tx, id)
	if err != nil {
		return err
	}
	if !sc.Covers(o.path) {
		return apperr.Field("organizer_id", "unknown_value")
	}
	p, err := matrix.PlaceOf(ctx, tx, o.node)
	if err != nil {
		return err
	}
	a.ZoneID, a.OrganizerID, a.OrganizerKind, a.node, a.Level = o.zoneID, id, o.kind, o.node, p.Level
	a.ParkID = nil
	if p.ParkID != "" {
		a.ParkID = &p.ParkID
	}
	return nil
}

// setCampaign checks that the campaign exists in the activity's zone and
// takes its function.
func setCampaign(ctx context.Context, tx *db.Tx, a *Activity, id string) error {
	if id == "" {
		a.CampaignID = nil
		return nil
	}
	var fn string
	err := tx.QueryRowContext(ctx, `SELECT function FROM activity_campaigns WHERE id = $1 AND zone_id = $2`, id, a.ZoneID).Scan(&fn)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Field("campaign_id", "unknown_value")
	}
	if err != nil {
		return err
	}
	if fn != a.Function {
		return apperr.Field("function", "campaign_function")
	}
	a.CampaignID = &id
	return nil
}

// setPosts makes a's posts the given ones: an input with the id of an
// existing post changes it, one without adds a post, an existing post not
// named is removed — unless someone signed up for it (ECONFLICT). A
// post's capacity may not fall below its registered sign-ups.
func setPosts(ctx context.Context, tx *db.Tx, a Activity, old []Post, in []PostInput) ([]Post, error) {
	out := []Post{}
	keep := map[string]bool{}
	for i, p := range in {
		if p.ID != "" {
			j := slices.IndexFunc(old, func(o Post) bool { return o.ID == p.ID })
			if j < 0 {
				return nil, apperr.Field("posts."+itoa(i)+".id", "unknown_value")
			}
			if *p.Capacity < old[j].Registered {
				return nil, apperr.Field("posts."+itoa(i)+".capacity", "below_registered", "Count", old[j].Registered)
			}
			keep[p.ID] = true
			if _, err := tx.ExecContext(ctx, `UPDATE activity_posts SET name = $1, capacity = $2, ord = $3 WHERE id = $4`,
				p.Name, *p.Capacity, i, p.ID); err != nil {
				return nil, err
			}
			out = append(out, Post{ID: p.ID, Name: p.Name, Capacity: *p.Capacity, Registered: old[j].Registered, Waitlisted: old[j].Waitlisted})
			continue
		}
		id := uuid.Must(uuid.NewV7()).String()
		if _, err := tx.ExecContext(ctx, `INSERT INTO activity_posts (id, activity_id, zone_id, name, capacity, ord) VALUES ($1, $2, $3, $4, $5, $6)`,
			id, a.ID, a.ZoneID, p.Name, *p.Capacity, i); err != nil {
			return nil, err
		}
		out = append(out, Post{ID: id, Name: p.Name, Capacity: *p.Capacity})
	}
	for _, o := range old {
		if keep[o.ID] {
			continue
		}
		if o.Registered+o.Waitlisted > 0 {
			return nil, apperr.New(apperr.Conflict, "problem.activity_post_in_use", "Name", o.Name)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM activity_posts WHERE id = $1`, o.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Patch is a partial update; nil fields stay as they are.
type Patch struct {
	CampaignID     *string
	Title          *string
	Description    *string
	Kind           *string
	Function       *string
	OrganizerID    *string
	StartsAt       *string
	EndsAt         *string
	SetLocation    bool
	Location       *LocationInput
	SetGeofence    bool
	GeofenceM      *int
	Capacity       *int
	CreditHours    *float64
	CheckinMode    *string
	SignupClosesAt *string
	CancelClosesAt *string
	Posts          *[]PostInput
}

// Update applies patch to a draft or published activity. Callers need
// activity.manage over it (and over a new organiser). Moving a published
// activity (function, organiser, start day) moves its matrix counts;
// raising a capacity promotes waitlisted people in order. Returns
// ENOTFOUND, EFORBIDDEN, EPRECONDITION, EVALIDATION, ECONFLICT (completed
// or cancelled; a capacity below the registered count; a post with
// sign-ups removed).
func (s *Service) Update(ctx context.Context, id string, patch Patch, match etag.Match) (Activity, error) {
	var fs apperr.Fields
	if patch.Title != nil {
		valid.Name(&fs, "title", patch.Title, 100)
	}
	if patch.Description != nil {
		valid.Text(&fs, "description", *patch.Description, 2000)
	}
	if patch.Kind != nil && !slices.Contains(Kinds, *patch.Kind) {
		fs.Add("kind", "unknown_option", "Value", *patch.Kind)
	}
	if patch.Function != nil && !matrix.ValidFunction(*patch.Function) {
		fs.Add("function", "unknown_option", "Value", *patch.Function)
	}
	if patch.CheckinMode != nil && !slices.Contains(Modes, *patch.CheckinMode) {
		fs.Add("checkin_mode", "unknown_option", "Value", *patch.CheckinMode)
	}
	if patch.Capacity != nil {
		checkCapacity(&fs, "capacity", patch.Capacity)
	}
	if patch.Posts != nil {
		checkPosts(&fs, *patch.Posts)
	}
	sc := access.From(ctx).Scope(Manage)
	var a Activity
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := get(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		a = old
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		set(&a.Title, patch.Title)
		set(&a.Description, patch.Description)
		set(&a.Kind, patch.Kind)
		set(&a.Function, patch.Function)
		set(&a.CheckinMode, patch.CheckinMode)
		if patch.StartsAt != nil {
			a.StartsAt = parseTime(&fs, "starts_at", *patch.StartsAt)
		}
		if patch.EndsAt != nil {
			a.EndsAt = parseTime(&fs, "ends_at", *patch.EndsAt)
		}
		if patch.SignupClosesAt != nil {
			a.SignupClosesAt = parseTime(&fs, "signup_closes_at", *patch.SignupClosesAt)
		}
		if patch.CancelClosesAt != nil {
			a.CancelClosesAt = parseTime(&fs, "cancel_closes_at", *patch.CancelClosesAt)
		}
		if (patch.StartsAt != nil || patch.EndsAt != nil) && (a.StartsAt.IsZero() || a.EndsAt.IsZero()) {
			fs.Add("starts_at", "required")
		}
		checkTimes(&fs, &a)
		loc := &LocationInput{Name: a.Location.Name, Lat: a.Location.Lat, Lng: a.Location.Lng}
		if patch.SetLocation {
			loc = patch.Location
		}
		if patch.SetGeofence {
			a.GeofenceM = patch.GeofenceM
		}
		checkLocation(&fs, loc, a.GeofenceM)
		a.Location = Location{}
		if loc != nil {
			a.Location = Location{Name: loc.Name, Lat: loc.Lat, Lng: loc.Lng}
		}
		if patch.CreditHours != nil && a.EndsAt.After(a.StartsAt) {
			a.creditMinutes = hoursToMinutes(&fs, "credit_hours", *patch.CreditHours, a.length())
		} else if time.Duration(a.creditMinutes)*time.Minute > a.length() && a.length() > 0 {
			a.creditMinutes = int64(a.length().Minutes())
		}
		a.CreditHours = float64(a.creditMinutes) / 60
		if err := fs.Err(); err != nil {
			return err
		}
		if old.Status != "draft" && old.Status != "published" {
			return apperr.New(apperr.Conflict, "problem.activity_closed_for_edit")
		}
		if patch.Capacity != nil {
			if *patch.Capacity < old.Registered {
				return apperr.Field("capacity", "below_registered", "Count", old.Registered)
			}
			a.Capacity = *patch.Capacity
		}
		if patch.OrganizerID != nil && *patch.OrganizerID != old.OrganizerID {
			if err := setOrganizer(ctx, tx, sc, &a, *patch.OrganizerID); err != nil {
				return err
			}
			if a.ZoneID != old.ZoneID {
				return apperr.Field("organizer_id", "unknown_value")
			}
		}
		if patch.CampaignID != nil {
			if err := setCampaign(ctx, tx, &a, *patch.CampaignID); err != nil {
				return err
			}
		} else if a.CampaignID != nil && a.Function != old.Function {
			return apperr.Field("function", "campaign_function")
		}
		if patch.Posts != nil {
			if a.Posts, err = setPosts(ctx, tx, a, old.Posts, *patch.Posts); err != nil {
				return err
			}
			a.postCount = len(a.Posts)
		}
		a.Version, a.UpdatedAt = old.Version+1, tx.Now
		res, err := tx.ExecContext(ctx, `UPDATE activities SET campaign_id = $1, title = $2, description = $3, kind = $4, function = $5, level = $6,
				park_id = $7, organizer_id = $8, organizer_kind = $9, organizer_node = $10, starts_at = $11, ends_at = $12, location_name = $13,
				lat = $14, lng = $15, geofence_m = $16, capacity = $17, credit_minutes = $18, checkin_mode = $19, signup_closes_at = $20,
				cancel_closes_at = $21, search_key = $22, version = $23, updated_at = $24
			WHERE id = $25 AND version = $26`,
			a.CampaignID, a.Title, a.Description, a.Kind, a.Function, a.Level, a.ParkID, a.OrganizerID, a.OrganizerKind, a.node,
			db.Micros(a.StartsAt), db.Micros(a.EndsAt), a.Location.Name, nullF(a.Location.Lat), nullF(a.Location.Lng), nullI(a.GeofenceM),
			a.Capacity, a.creditMinutes, a.CheckinMode, db.Micros(a.SignupClosesAt), db.Micros(a.CancelClosesAt), a.searchKey(),
			a.Version, db.Micros(tx.Now), id, old.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.PreconditionFailed, "problem.stale_version", "Version", old.Version)
		}
		if err := move(ctx, tx, old, a); err != nil {
			return err
		}
		if a.Status == "published" {
			if err := promote(ctx, tx, a.ID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: a.ZoneID, Node: a.node, Entity: "activity", EntityID: a.ID, Action: "update",
			Summary: changes(old, a)})
	})
	if err != nil {
		return Activity{}, err
	}
	return get(ctx, s.DB.W, Read, id)
}

// changes summarises what an update changed, for the audit log.
func changes(old, a Activity) map[string]any {
	m := map[string]any{}
	add := func(k string, from, to any) {
		if from != to {
			m[k] = audit.Change{From: from, To: to}
		}
	}
	add("title", old.Title, a.Title)
	add("kind", old.Kind, a.Kind)
	add("function", old.Function, a.Function)
	add("organizer_id", old.OrganizerID, a.OrganizerID)
	add("starts_at", old.StartsAt, a.StartsAt)
	add("ends_at", old.EndsAt, a.EndsAt)
	add("capacity", old.Capacity, a.Capacity)
	add("credit_minutes", old.creditMinutes, a.creditMinutes)
	add("checkin_mode", old.CheckinMode, a.CheckinMode)
	return m
}

// transition moves an activity from one of from to status to, with
// activity.manage over it, and adjusts the matrix.
func (s *Service) transition(ctx context.Context, id string, match etag.Match, action, to string, from ...string) (Activity, error) {
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := get(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if !slices.Contains(from, old.Status) {
			return apperr.New(apperr.Conflict, "problem.activity_bad_transition", "From", old.Status, "To", to)
		}
		a := old
		a.Status = to
		if _, err := tx.ExecContext(ctx, `UPDATE activities SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3`,
			to, db.Micros(tx.Now), id); err != nil {
			return err
		}
		if to == "completed" {
			if err := credit(ctx, tx, a); err != nil {
				return err
			}
		}
		if err := move(ctx, tx, old, a); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: a.ZoneID, Node: a.node, Entity: "activity", EntityID: id, Action: action,
			Summary: map[string]any{"status": audit.Change{From: old.Status, To: to}}})
	})
	if err != nil {
		return Activity{}, err
	}
	return get(ctx, s.DB.W, Read, id)
}

// Publish opens a draft for sign-up and counts it on the matrix. Needs
// activity.manage over it. Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION,
// ECONFLICT (not a draft).
func (s *Service) Publish(ctx context.Context, id string, match etag.Match) (Activity, error) {
	return s.transition(ctx, id, match, "publish", "published", "draft")
}

// Cancel cancels a draft or published activity (its matrix counts are
// taken back). Sign-ups stay, for the record. Returns ENOTFOUND,
// EFORBIDDEN, EPRECONDITION, ECONFLICT (completed or already cancelled).
func (s *Service) Cancel(ctx context.Context, id string, match etag.Match) (Activity, error) {
	return s.transition(ctx, id, match, "cancel", "cancelled", "draft", "published")
}

// Complete closes a published activity and credits hours by its check-in
// mode (see Modes). Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION,
// ECONFLICT (not published).
func (s *Service) Complete(ctx context.Context, id string, match etag.Match) (Activity, error) {
	return s.transition(ctx, id, match, "complete", "completed", "published")
}

// Delete deletes a draft (nobody can have signed up for it). Returns
// ENOTFOUND, EFORBIDDEN, EPRECONDITION, ECONFLICT (not a draft: cancel
// it instead, so its record stays).
func (s *Service) Delete(ctx context.Context, id string, match etag.Match) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := get(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if old.Status != "draft" {
			return apperr.New(apperr.Conflict, "problem.activity_not_draft")
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: old.node, Entity: "activity", EntityID: id, Action: "delete",
			Summary: map[string]any{"title": old.Title}}); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM activity_signups WHERE activity_id = $1`, `DELETE FROM activity_posts WHERE activity_id = $1`,
			`DELETE FROM activities WHERE id = $1`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		return nil
	})
}
