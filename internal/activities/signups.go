package activities

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/page"
	"tongxin/internal/search"
)

// Signup is one person's sign-up for an activity; it also carries their
// attendance and credited hours.
type Signup struct {
	ID           string     `json:"id"`
	ActivityID   string     `json:"activity_id"`
	PersonID     string     `json:"person_id"`
	PersonName   string     `json:"person_name"`
	PostID       *string    `json:"post_id"`
	Status       string     `json:"status"`
	Position     *int       `json:"position"`
	WalkUp       bool       `json:"walk_up"`
	CheckedInAt  *time.Time `json:"checked_in_at"`
	CheckedOutAt *time.Time `json:"checked_out_at"`
	Hours        *float64   `json:"hours"`
	Manual       bool       `json:"manual"`
	CreatedAt    time.Time  `json:"created_at"`

	seq     int64
	minutes *int64
}

const signupCols = `id, activity_id, person_id, COALESCE((SELECT name FROM people WHERE people.id = activity_signups.person_id), ''),
	post_id, status, seq, walk_up, checked_in_at, checked_out_at, credited_minutes, manual, created_at,
	CASE WHEN status = 'waitlisted' THEN (SELECT COUNT(*) FROM activity_signups w WHERE w.activity_id = activity_signups.activity_id
		AND w.status = 'waitlisted' AND w.seq <= activity_signups.seq
		AND COALESCE(w.post_id, '') = COALESCE(activity_signups.post_id, '')) END`

func scanSignup(s page.Scanner) (Signup, error) {
	var x Signup
	var post sql.NullString
	var in, out, minutes, pos sql.NullInt64
	err := s.Scan(&x.ID, &x.ActivityID, &x.PersonID, &x.PersonName, &post, &x.Status, &x.seq, &x.WalkUp, &in, &out, &minutes,
		&x.Manual, db.T(&x.CreatedAt), &pos)
	if post.Valid {
		x.PostID = &post.String
	}
	x.CheckedInAt, x.CheckedOutAt = optTime(in), optTime(out)
	if minutes.Valid {
		m := minutes.Int64
		h := float64(m) / 60
		x.minutes, x.Hours = &m, &h
	}
	if pos.Valid {
		p := int(pos.Int64)
		x.Position = &p
	}
	return x, err
}

func optTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := db.FromMicros(v.Int64)
	return &t
}

func signupOf(ctx context.Context, q db.Querier, activityID, id string) (Signup, error) {
	x, err := scanSignup(q.QueryRowContext(ctx, `SELECT `+signupCols+` FROM activity_signups WHERE id = $1 AND activity_id = $2`, id, activityID))
	if errors.Is(err, sql.ErrNoRows) {
		return x, apperr.New(apperr.NotFound, "")
	}
	return x, err
}

func signupOfPerson(ctx context.Context, q db.Querier, activityID, personID string) (Signup, error) {
	x, err := scanSignup(q.QueryRowContext(ctx, `SELECT `+signupCols+` FROM activity_signups WHERE activity_id = $1 AND person_id = $2`,
		activityID, personID))
	if errors.Is(err, sql.ErrNoRows) {
		return x, apperr.New(apperr.NotFound, "")
	}
	return x, err
}

// reach is the set of scope nodes a person belongs to: their zone, and
// every node on the paths of their enterprise and party organisation
// (parks, parent organisations), plus the park their organisation lies
// in and the organisations covering their enterprise (a branch's
// activities are open to the workers of its enterprises). An activity is open to the person when its organising node is in
// the set, or it is organised by a station of a park in the set.
type reach struct {
	zoneID string
	name   string // the person's
	nodes  []string
}

func reachOf(ctx context.Context, q db.Querier, personID string) (reach, error) {
	var r reach
	var ent, org, orgPark sql.NullString
	err := q.QueryRowContext(ctx, `SELECT zone_id, name, enterprise_id, org_id, (SELECT park_id FROM orgs WHERE orgs.id = people.org_id)
		FROM people WHERE id = $1`, personID).Scan(&r.zoneID, &r.name, &ent, &org, &orgPark)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.New(apperr.NotFound, "")
	}
	if err != nil {
		return r, err
	}
	r.nodes = []string{r.zoneID}
	if orgPark.Valid {
		r.nodes = append(r.nodes, orgPark.String)
	}
	ids := []sql.NullString{ent, org}
	if ent.Valid {
		err := db.Each(ctx, q, `SELECT org_id FROM org_enterprises WHERE enterprise_id = $1`, db.Args{ent.String}, func(s db.Scanner) error {
			var id string
			err := s.Scan(&id)
			ids = append(ids, sql.NullString{String: id, Valid: true})
			return err
		})
		if err != nil {
			return r, err
		}
	}
	for _, id := range ids {
		if !id.Valid {
			continue
		}
		var path string
		if err := q.QueryRowContext(ctx, `SELECT path FROM scope_nodes WHERE id = $1`, id.String).Scan(&path); err != nil {
			return r, err
		}
		for _, n := range strings.Split(strings.Trim(path, "/"), "/") {
			if !slices.Contains(r.nodes, n) {
				r.nodes = append(r.nodes, n)
			}
		}
	}
	return r, nil
}

func (r reach) opens(a Activity) bool {
	if a.ZoneID != r.zoneID {
		return false
	}
	return slices.Contains(r.nodes, a.node) || (a.OrganizerKind == access.KindStation && a.ParkID != nil && slices.Contains(r.nodes, *a.ParkID))
}

// where is the predicate of activities open to r.
func (r reach) where(a *db.Args) string {
	in := a.In(r.nodes)
	return "zone_id = " + a.Add(r.zoneID) + " AND (organizer_node IN (" + in + ") OR (organizer_kind = 'station' AND park_id IN (" + in + ")))"
}

// manages reports whether the caller holds activity.manage over a.
func manages(ctx context.Context, q db.Querier, a Activity) (bool, error) {
	var path string
	if err := q.QueryRowContext(ctx, `SELECT path FROM scope_nodes WHERE id = $1`, a.node).Scan(&path); err != nil {
		return false, err
	}
	return access.From(ctx).Scope(Manage).Covers(path), nil
}

// actor says on whose behalf a person-facing call acts.
type actor struct {
	self  bool   // the caller is the person (their account is bound to them)
	staff bool   // the caller manages the activity
	name  string // the person's
}

// actFor decides whether the caller may act for personID on a: the person
// themselves when a is open to them, or an organiser (activity.manage
// over a) for a person in the organiser's reach (else EVALIDATION
// outside_scope on person_id). Anyone else gets ENOTFOUND (EFORBIDDEN
// when they may read the activity).
func actFor(ctx context.Context, q db.Querier, a Activity, personID string) (actor, error) {
	p := access.From(ctx)
	staff, err := manages(ctx, q, a)
	if err != nil {
		return actor{}, err
	}
	self := p != nil && p.PersonID != "" && p.PersonID == personID
	if !self && !staff {
		if _, err := get(ctx, q, Read, a.ID); err != nil {
			return actor{}, err
		}
		return actor{}, apperr.New(apperr.Forbidden, "")
	}
	r, err := reachOf(ctx, q, personID)
	if apperr.Is(err, apperr.NotFound) {
		if staff {
			return actor{}, apperr.Field("person_id", "unknown_value")
		}
		return actor{}, err
	}
	if err != nil {
		return actor{}, err
	}
	if !r.opens(a) {
		if staff {
			return actor{}, apperr.Field("person_id", "outside_scope")
		}
		return actor{}, apperr.New(apperr.NotFound, "")
	}
	if self && a.Status == "draft" {
		return actor{}, apperr.New(apperr.NotFound, "")
	}
	return actor{self: self, staff: staff, name: r.name}, nil
}

// SignupInput is what signing up takes.
type SignupInput struct {
	PersonID string
	PostID   string
	// WalkUp (organisers only) adds a person who came without signing up:
	// registered whatever the capacity and the sign-up cut-off.
	WalkUp bool
}

// lock takes the activity's row lock (bumping its sign-up counter) so
// that sign-ups and cancellations of one activity run one at a time on
// both engines, and returns the activity as it stands and the counter.
func lock(ctx context.Context, tx *db.Tx, id string) (Activity, int64, error) {
	return lockKnown(ctx, tx, id, Activity{})
}

// lockKnown is lock for a caller that read the activity (known) in this
// transaction before taking the lock: one statement takes the lock and
// returns the row as it stands under it (its counts are columns of the
// row, so they are the ones of the last committed sign-up), and the posts
// are read again only when the activity has posts or changed since.
func lockKnown(ctx context.Context, tx *db.Tx, id string, known Activity) (Activity, int64, error) {
	var seq int64
	a, err := scan(db.Also(tx.QueryRowContext(ctx, `UPDATE activities SET signup_seq = signup_seq + 1 WHERE id = $1 RETURNING `+cols+`, signup_seq`, id), &seq))
	if errors.Is(err, sql.ErrNoRows) {
		return Activity{}, 0, apperr.New(apperr.NotFound, "")
	}
	if err != nil {
		return Activity{}, 0, err
	}
	if known.ID == a.ID && known.Version == a.Version && len(known.Posts) == 0 {
		return a, seq, nil
	}
	rows := []Activity{a}
	err = fillPosts(ctx, tx, rows)
	return rows[0], seq, err
}

// SignUp signs a person up for a published activity: the person
// themselves (an account bound to them, the activity open to them) or an
// organiser (activity.manage over it; the person must be in the
// organiser's reach). The sign-up is registered while the activity and the
// post have room, else waitlisted in order. Never more registered than
// capacity, however many sign up at once: sign-ups of one activity take
// its row lock. Returns ENOTFOUND, EFORBIDDEN, EVALIDATION (post_id
// unknown or missing when the activity has posts; person outside the
// organiser's reach), ECONFLICT (already signed up; not published; sign-up
// closed).
func (s *Service) SignUp(ctx context.Context, activityID string, in SignupInput) (Signup, error) {
	if in.PersonID == "" {
		return Signup{}, apperr.Field("person_id", "required")
	}
	var (
		out    Signup
		who    actor
		before Activity
	)
	if s.DB.Dialect == db.SQLite {
		// Who may sign whom up is read on the read pool, before taking
		// the one writer: it was a sixth of the writer's time per sign-up
		// at zone scale (the person's reach: four lookups), and every
		// sign-up, filing and step waits for the writer. Under the lock
		// the activity is compared with what was read, as on PostgreSQL
		// below.
		var err error
		if before, err = load(ctx, s.DB.R, activityID); err != nil {
			return Signup{}, err
		}
		if who, err = actFor(ctx, s.DB.R, before, in.PersonID); err != nil {
			return Signup{}, err
		}
	}
	// Sign-ups are grouped (db.Group): concurrent ones share a transaction
	// and its commit, each in its own savepoint, each answered after the
	// commit.
	err := s.DB.Group(ctx, func(ctx context.Context, tx *db.Tx) error {
		var err error
		who, before := who, before // fn may run again (Group)
		if tx.Dialect == db.Postgres {
			// Who may sign whom up is read before the activity's row lock
			// is taken, so that the lock is held for the writes alone: on
			// PostgreSQL the sign-ups of one activity queue on that lock,
			// and every round trip made while holding it is paid by all.
			if before, err = load(ctx, tx, activityID); err != nil {
				return err
			}
			if who, err = actFor(ctx, tx, before, in.PersonID); err != nil {
				return err
			}
		}
		a, seq, err := lockKnown(ctx, tx, activityID, before)
		if err != nil {
			return err
		}
		if before.ID == "" || before.node != a.node || before.ZoneID != a.ZoneID || before.OrganizerKind != a.OrganizerKind ||
			!equalPtr(before.ParkID, a.ParkID) || before.Status != a.Status {
			// Not read yet, or the activity moved meanwhile: decide on it
			// as it stands under the lock.
			if who, err = actFor(ctx, tx, a, in.PersonID); err != nil {
				return err
			}
		}
		if in.WalkUp && !who.staff {
			return apperr.Field("walk_up", "organisers_only")
		}
		if a.Status != "published" {
			return apperr.New(apperr.Conflict, "problem.activity_not_open", "Status", a.Status)
		}
		if !in.WalkUp && !tx.Now.Before(a.SignupClosesAt) {
			return apperr.New(apperr.Conflict, "problem.activity_signup_closed")
		}
		var post *Post
		if in.PostID != "" {
			i := slices.IndexFunc(a.Posts, func(p Post) bool { return p.ID == in.PostID })
			if i < 0 {
				return apperr.Field("post_id", "unknown_value")
			}
			post = &a.Posts[i]
		} else if len(a.Posts) > 0 {
			return apperr.Field("post_id", "required")
		}
		status := "waitlisted"
		if in.WalkUp || (a.Registered < a.Capacity && (post == nil || post.Registered < post.Capacity)) {
			status = "registered"
		}
		id := uuid.Must(uuid.NewV7()).String()
		var postID any
		if post != nil {
			postID = post.ID
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO activity_signups (id, zone_id, activity_id, post_id, person_id, status, seq, walk_up, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`, id, a.ZoneID, a.ID, postID, in.PersonID, status, seq, in.WalkUp, db.Micros(tx.Now))
		if db.IsUnique(err) {
			return apperr.New(apperr.Conflict, "problem.activity_already_signed_up")
		}
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: a.ZoneID, Node: a.node, Entity: "activity_signup", EntityID: id, Action: "create",
			Summary: map[string]any{"activity_id": a.ID, "person_id": in.PersonID, "post_id": postID, "status": status, "walk_up": in.WalkUp}}); err != nil {
			return err
		}
		// The new sign-up as signupOf would read it back, without the
		// read: it has the highest seq of the activity, so its place on a
		// waitlist is one behind everyone waiting there now (with posts,
		// every sign-up names one; without, none does).
		out = Signup{ID: id, ActivityID: a.ID, PersonID: in.PersonID, PersonName: who.name, Status: status, WalkUp: in.WalkUp,
			CreatedAt: tx.Now, seq: seq}
		if post != nil {
			out.PostID = &post.ID
		}
		if status == "waitlisted" {
			pos := a.Waitlisted + 1
			if post != nil {
				pos = post.Waitlisted + 1
			}
			out.Position = &pos
		}
		return nil
	})
	return out, err
}

func equalPtr(a, b *string) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

// CancelSignup removes a sign-up — the person themselves until the
// activity's self-cancel cut-off, an organiser while the activity is
// published — and promotes the first waitlisted people that now fit, in
// the same transaction. A sign-up with a check-in or credited hours stays
// (ECONFLICT). Returns ENOTFOUND, EFORBIDDEN, ECONFLICT (cancel closed;
// activity not published; attended).
func (s *Service) CancelSignup(ctx context.Context, activityID, signupID string) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		a, _, err := lock(ctx, tx, activityID)
		if err != nil {
			return err
		}
		x, err := signupOf(ctx, tx, activityID, signupID)
		if err != nil {
			// Whether a sign-up exists is the caller's business only when
			// they may see the activity's roster.
			return err
		}
		who, err := actFor(ctx, tx, a, x.PersonID)
		if err != nil {
			return err
		}
		if a.Status != "published" {
			return apperr.New(apperr.Conflict, "problem.activity_not_open", "Status", a.Status)
		}
		if !who.staff && !tx.Now.Before(a.CancelClosesAt) {
			return apperr.New(apperr.Conflict, "problem.activity_cancel_closed")
		}
		if x.CheckedInAt != nil || x.minutes != nil {
			return apperr.New(apperr.Conflict, "problem.activity_signup_attended")
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: a.ZoneID, Node: a.node, Entity: "activity_signup", EntityID: x.ID, Action: "delete",
			Summary: map[string]any{"activity_id": a.ID, "person_id": x.PersonID, "status": x.Status}}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM activity_signups WHERE id = $1`, x.ID); err != nil {
			return err
		}
		return promote(ctx, tx, a.ID)
	})
}

// promote registers waitlisted sign-ups of the activity, oldest first,
// while the activity and their post have room. The caller holds the
// activity's row lock (or is changing the activity row itself).
func promote(ctx context.Context, tx *db.Tx, activityID string) error {
	for {
		a, err := load(ctx, tx, activityID)
		if err != nil {
			return err
		}
		if a.Registered >= a.Capacity || a.Waitlisted == 0 {
			return nil
		}
		full := []string{}
		for _, p := range a.Posts {
			if p.Registered >= p.Capacity {
				full = append(full, p.ID)
			}
		}
		var args db.Args
		q := `SELECT id, person_id FROM activity_signups WHERE activity_id = ` + args.Add(activityID) + ` AND status = 'waitlisted'`
		if len(full) > 0 {
			q += ` AND (post_id IS NULL OR post_id NOT IN (` + args.In(full) + `))`
		}
		var id, person string
		err = tx.QueryRowContext(ctx, q+` ORDER BY seq LIMIT 1`, args...).Scan(&id, &person)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE activity_signups SET status = 'registered', updated_at = $1 WHERE id = $2`,
			db.Micros(tx.Now), id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: a.ZoneID, Node: a.node, Entity: "activity_signup", EntityID: id, Action: "promote",
			Summary: map[string]any{"activity_id": a.ID, "person_id": person}}); err != nil {
			return err
		}
	}
}

// SignupFilter narrows ListSignups.
type SignupFilter struct {
	Status string // registered | waitlisted
	PostID string
}

// ListSignups lists an activity's sign-ups in sign-up order (waitlisted
// with their position in their post's queue). Needs activity.roster over
// the activity. Returns ENOTFOUND, EFORBIDDEN, EINVALID (status).
func (s *Service) ListSignups(ctx context.Context, activityID string, f SignupFilter, p page.Page) (page.List[Signup], error) {
	if f.Status != "" && f.Status != "registered" && f.Status != "waitlisted" {
		return page.List[Signup]{}, apperr.BadField("status", "unknown_option", "Value", f.Status)
	}
	if _, err := get(ctx, s.DB.R, Roster, activityID); err != nil {
		return page.List[Signup]{}, err
	}
	var a db.Args
	where := "activity_id = " + a.Add(activityID)
	if f.Status != "" {
		where += " AND status = " + a.Add(f.Status)
	}
	if f.PostID != "" {
		where += " AND post_id = " + a.Add(f.PostID)
	}
	return page.Rows(ctx, s.DB.R, p, page.Query{From: "activity_signups", Cols: signupCols, Where: where, Args: a, OrderBy: "seq"},
		scanSignup, func(x Signup) (any, string) { return x.seq, x.ID })
}

// MySignup is one of the caller's sign-ups with its activity.
type MySignup struct {
	Signup
	Activity Activity `json:"activity"`
}

// MySignups lists the sign-ups of the person the caller's account is
// bound to, latest activity first (an account bound to nobody has none).
func (s *Service) MySignups(ctx context.Context) ([]MySignup, error) {
	p := access.From(ctx)
	out := []MySignup{}
	if p == nil || p.PersonID == "" {
		return out, nil
	}
	var xs []Signup
	err := db.Each(ctx, s.DB.R, `SELECT `+signupCols+` FROM activity_signups WHERE person_id = $1`, db.Args{p.PersonID}, func(sc db.Scanner) error {
		x, err := scanSignup(sc)
		xs = append(xs, x)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, x := range xs {
		a, err := load(ctx, s.DB.R, x.ActivityID)
		if err != nil {
			return nil, err
		}
		out = append(out, MySignup{Signup: x, Activity: a})
	}
	slices.SortFunc(out, func(a, b MySignup) int { return b.Activity.StartsAt.Compare(a.Activity.StartsAt) })
	return out, nil
}

// Open lists the published activities open to the person the caller's
// account is bound to (see reach), soonest first among those not yet
// ended; an account bound to nobody sees none.
func (s *Service) Open(ctx context.Context, p page.Page) (page.List[Activity], error) {
	pr := access.From(ctx)
	if pr == nil || pr.PersonID == "" {
		return page.List[Activity]{Items: []Activity{}}, nil
	}
	r, err := reachOf(ctx, s.DB.R, pr.PersonID)
	if err != nil {
		return page.List[Activity]{}, err
	}
	var a db.Args
	where := r.where(&a) + " AND status = 'published'"
	if p.Query != "" {
		m, err := search.Match(ctx, s.DB.R, "activities", "id", "search_key", p.Query, &a)
		if err != nil {
			return page.List[Activity]{}, err
		}
		where += " AND " + m
	}
	return s.list(ctx, p, where, a, nil)
}

// OpenOne returns an activity for the person the caller's account is bound
// to: published or completed, and open to them (or one they signed up
// for). Returns ENOTFOUND otherwise.
func (s *Service) OpenOne(ctx context.Context, id string) (Activity, error) {
	pr := access.From(ctx)
	if pr == nil || pr.PersonID == "" {
		return Activity{}, apperr.New(apperr.NotFound, "")
	}
	a, err := load(ctx, s.DB.R, id)
	if err != nil {
		return a, err
	}
	r, err := reachOf(ctx, s.DB.R, pr.PersonID)
	if err != nil {
		return Activity{}, err
	}
	if a.Status == "draft" || !r.opens(a) {
		if _, err := signupOfPerson(ctx, s.DB.R, id, pr.PersonID); err != nil || a.Status == "draft" {
			return Activity{}, apperr.New(apperr.NotFound, "")
		}
	}
	return a, nil
}

// Attendance returns an activity and all its sign-ups in sign-up order,
// for the attendance export. Needs activity.roster over it. Returns
// ENOTFOUND, EFORBIDDEN.
func (s *Service) Attendance(ctx context.Context, activityID string, each func(a Activity, x Signup) error) error {
	a, err := get(ctx, s.DB.R, Roster, activityID)
	if err != nil {
		return err
	}
	var xs []Signup
	err = db.Each(ctx, s.DB.R, `SELECT `+signupCols+` FROM activity_signups WHERE activity_id = $1 ORDER BY seq`, db.Args{activityID},
		func(sc db.Scanner) error {
			x, err := scanSignup(sc)
			xs = append(xs, x)
			return err
		})
	if err != nil {
		return err
	}
	for _, x := range xs {
		if err := each(a, x); err != nil {
			return err
		}
	}
	return nil
}

// PostName returns the name of a's post id ("" for none).
func (a Activity) PostName(id *string) string {
	if id == nil {
		return ""
	}
	for _, p := range a.Posts {
		if p.ID == *id {
			return p.Name
		}
	}
	return ""
}
