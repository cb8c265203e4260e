package care

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/page"
	"tongxin/internal/valid"
)

// Class is a childcare class (暑托班) an enterprise runs for its workers'
// children: its dates and sessions, its capacity and the children
// enrolled — registered within capacity, the rest waitlisted in order and
// promoted when a place frees, by the same rules as an activity's
// sign-ups.
type Class struct {
	ID             string    `json:"id"`
	ZoneID         string    `json:"zone_id"`
	EnterpriseID   string    `json:"enterprise_id"`
	EnterpriseName string    `json:"enterprise_name"`
	OrgID          *string   `json:"org_id"`
	Title          string    `json:"title"`
	Description    string    `json:"description"`
	Place          string    `json:"place"`
	StartsOn       string    `json:"starts_on"`
	EndsOn         string    `json:"ends_on"`
	Capacity       int       `json:"capacity"`
	MinAge         int       `json:"min_age"`
	MaxAge         int       `json:"max_age"`
	Status         string    `json:"status"`
	Function       string    `json:"function"`
	Registered     int       `json:"registered"`
	Waitlisted     int       `json:"waitlisted"`
	Sessions       []Session `json:"sessions"`
	Sample         bool      `json:"sample"`
	Version        int       `json:"version"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Session is one day of a class.
type Session struct {
	ID       string `json:"id"`
	HeldOn   string `json:"held_on"`
	Topic    string `json:"topic"`
	Attended int    `json:"attended"`
}

// ClassStatuses: open for enrolment, closed (running, no new children),
// cancelled.
var ClassStatuses = []string{"open", "closed", "cancelled"}

// Limits of a class.
const (
	MaxSessions = 120
	MaxCapacity = 10000
)

const classCols = `id, zone_id, enterprise_id, COALESCE((SELECT name FROM enterprises e WHERE e.id = childcare_classes.enterprise_id), ''), org_id,
	title, description, place, starts_on, ends_on, capacity, min_age, max_age, status, function,
	(SELECT COUNT(*) FROM childcare_enrolments x WHERE x.class_id = childcare_classes.id AND x.status = 'registered'),
	(SELECT COUNT(*) FROM childcare_enrolments x WHERE x.class_id = childcare_classes.id AND x.status = 'waitlisted'),
	sample, version, created_at, updated_at`

func scanClass(s page.Scanner) (Class, error) {
	var c Class
	var org sql.NullString
	err := s.Scan(&c.ID, &c.ZoneID, &c.EnterpriseID, &c.EnterpriseName, &org, &c.Title, &c.Description, &c.Place, &c.StartsOn, &c.EndsOn, &c.Capacity,
		&c.MinAge, &c.MaxAge, &c.Status, &c.Function, &c.Registered, &c.Waitlisted, &c.Sample, &c.Version, db.T(&c.CreatedAt), db.T(&c.UpdatedAt))
	c.OrgID, c.Sessions = nullStr(org), []Session{}
	return c, err
}

func fillSessions(ctx context.Context, q db.Querier, cs []Class) error {
	if len(cs) == 0 {
		return nil
	}
	at, ids := positions(cs, func(c Class) string { return c.ID })
	var a db.Args
	return db.Each(ctx, q, `SELECT class_id, id, held_on, topic, (SELECT COUNT(*) FROM childcare_attendance t WHERE t.session_id = childcare_sessions.id)
		FROM childcare_sessions WHERE class_id IN (`+a.In(ids)+`) ORDER BY class_id, held_on, position`, a, func(s db.Scanner) error {
		var id string
		var x Session
		if err := s.Scan(&id, &x.ID, &x.HeldOn, &x.Topic, &x.Attended); err != nil {
			return err
		}
		cs[at[id]].Sessions = append(cs[at[id]].Sessions, x)
		return nil
	})
}

// ClassFilter narrows ListClasses.
type ClassFilter struct{ EnterpriseID, Status string }

// ListClasses lists the classes in the caller's scope, newest first.
func (s *Service) ListClasses(ctx context.Context, f ClassFilter, p page.Page) (page.List[Class], error) {
	if f.Status != "" && !slices.Contains(ClassStatuses, f.Status) {
		return page.List[Class]{}, apperr.BadField("status", "unknown_option", "Value", f.Status)
	}
	var a db.Args
	where := scoped(ctx, Read, &a)
	if f.EnterpriseID != "" {
		where += " AND enterprise_id = " + a.Add(f.EnterpriseID)
	}
	if f.Status != "" {
		where += " AND status = " + a.Add(f.Status)
	}
	if p.Query != "" {
		where += " AND title LIKE " + a.Add("%"+p.Query+"%")
	}
	return listFilled(ctx, s.DB.R, p, page.Query{From: "childcare_classes", Cols: classCols, Where: where, Args: a, Desc: true}, scanClass,
		page.ByID(func(c Class) string { return c.ID }), fillSessions)
}

func getClass(ctx context.Context, q db.Querier, perm access.Perm, id string) (Class, error) {
	return getFilled(ctx, q, perm, "childcare_classes", classCols, id, scanClass, fillSessions)
}

func loadClass(ctx context.Context, q db.Querier, id string) (Class, error) {
	c, err := scanClass(q.QueryRowContext(ctx, `SELECT `+classCols+` FROM childcare_classes WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.New(apperr.NotFound, "")
	}
	if err != nil {
		return c, err
	}
	return fillOne(ctx, q, c, fillSessions)
}

// GetClass returns a class in the caller's scope. Returns ENOTFOUND.
func (s *Service) GetClass(ctx context.Context, id string) (Class, error) {
	return getClass(ctx, s.DB.R, Read, id)
}

// SessionInput is a session as sent: an id keeps an existing session
// (and its attendance).
type SessionInput struct{ ID, HeldOn, Topic string }

// ClassInput is what opening a class takes.
type ClassInput struct {
	EnterpriseID, OrgID, Title, Description, Place, StartsOn, EndsOn string
	Capacity, MinAge, MaxAge                                         int
	Sessions                                                         []SessionInput
	Sample                                                           bool
}

func checkClass(fs *apperr.Fields, c *Class, sessions []SessionInput) {
	valid.Name(fs, "title", &c.Title, 200)
	valid.Text(fs, "description", c.Description, 4000)
	valid.Text(fs, "place", c.Place, 200)
	for field, v := range map[string]string{"starts_on": c.StartsOn, "ends_on": c.EndsOn} {
		if v == "" {
			fs.Add(field, "required")
		}
		checkDate(fs, field, v)
	}
	if c.StartsOn != "" && c.EndsOn != "" && c.EndsOn < c.StartsOn {
		fs.Add("ends_on", "before_start")
	}
	if c.Capacity < 1 || c.Capacity > MaxCapacity {
		fs.Add("capacity", "out_of_range", "Min", 1, "Max", MaxCapacity)
	}
	if c.MinAge < 0 || c.MinAge > 17 {
		fs.Add("min_age", "out_of_range", "Min", 0, "Max", 17)
	}
	if c.MaxAge < c.MinAge || c.MaxAge > 17 {
		fs.Add("max_age", "out_of_range", "Min", c.MinAge, "Max", 17)
	}
	if len(sessions) > MaxSessions {
		fs.Add("sessions", "too_many", "Max", MaxSessions)
	}
	for _, x := range sessions {
		if x.HeldOn == "" {
			fs.Add("sessions.held_on", "required")
			continue
		}
		checkDate(fs, "sessions.held_on", x.HeldOn)
		if x.HeldOn < c.StartsOn || (c.EndsOn != "" && x.HeldOn > c.EndsOn) {
			fs.Add("sessions.held_on", "outside_class")
		}
		valid.Text(fs, "sessions.topic", x.Topic, 200)
	}
}

// CreateClass opens a class of an enterprise. Needs care.manage over the
// enterprise. The class counts in the matrix (service guarantee). Returns
// EVALIDATION.
func (s *Service) CreateClass(ctx context.Context, in ClassInput) (Class, error) {
	if in.MaxAge == 0 && in.MinAge == 0 {
		in.MaxAge = 17
	}
	c := Class{Title: in.Title, Description: in.Description, Place: in.Place, StartsOn: in.StartsOn, EndsOn: in.EndsOn, Capacity: in.Capacity,
		MinAge: in.MinAge, MaxAge: in.MaxAge}
	var fs apperr.Fields
	checkClass(&fs, &c, in.Sessions)
	if err := fs.Err(); err != nil {
		return Class{}, err
	}
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		o, err := ownerOf(ctx, tx, Manage, in.EnterpriseID, in.OrgID)
		if err != nil {
			return err
		}
		id := uuid.Must(uuid.NewV7()).String()
		if _, err := tx.ExecContext(ctx, `INSERT INTO childcare_classes (id, zone_id, enterprise_id, org_id, title, description, place, starts_on, ends_on,
			capacity, min_age, max_age, status, function, sample, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'open', 'service', $13, $14, $14)`,
			id, o.ZoneID, o.EnterpriseID, o.OrgID, c.Title, c.Description, c.Place, c.StartsOn, c.EndsOn, c.Capacity, c.MinAge, c.MaxAge, in.Sample,
			db.Micros(tx.Now)); err != nil {
			return err
		}
		if err := writeSessions(ctx, tx, id, o.ZoneID, nil, in.Sessions); err != nil {
			return err
		}
		if err := count(ctx, tx, o.EnterpriseID, "service", tx.Now, 1); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: o.ZoneID, Node: o.EnterpriseID, Entity: "childcare_class", EntityID: id, Action: "create",
			Summary: map[string]any{"title": c.Title, "capacity": c.Capacity}}); err != nil {
			return err
		}
		c, err = getClass(ctx, tx, Manage, id)
		return err
	})
	return c, err
}

// writeSessions replaces a class's sessions: ones sent with the id of an
// existing one keep it (and their attendance); a session left out loses
// its attendance.
func writeSessions(ctx context.Context, tx *db.Tx, classID, zoneID string, old []Session, in []SessionInput) error {
	had := map[string]bool{}
	for _, x := range old {
		had[x.ID] = true
	}
	kept := map[string]bool{}
	for i, x := range in {
		if x.ID != "" {
			if !had[x.ID] || kept[x.ID] {
				return apperr.Field("sessions.id", "unknown_value")
			}
			kept[x.ID] = true
			if _, err := tx.ExecContext(ctx, `UPDATE childcare_sessions SET held_on = $1, topic = $2, position = $3 WHERE id = $4`,
				x.HeldOn, x.Topic, i, x.ID); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO childcare_sessions (id, class_id, zone_id, held_on, topic, position) VALUES ($1, $2, $3, $4, $5, $6)`,
			uuid.Must(uuid.NewV7()).String(), classID, zoneID, x.HeldOn, x.Topic, i); err != nil {
			return err
		}
	}
	for _, x := range old {
		if kept[x.ID] {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM childcare_attendance WHERE session_id = $1`, x.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM childcare_sessions WHERE id = $1`, x.ID); err != nil {
			return err
		}
	}
	return nil
}

// ClassPatch is a partial update; Sessions, when not nil, replaces them.
type ClassPatch struct {
	Title, Description, Place, StartsOn, EndsOn *string
	Capacity                                    *int
	Sessions                                    *[]SessionInput
}

// UpdateClass applies patch. A larger capacity promotes waitlisted
// children at once; a smaller one keeps those registered (nobody loses a
// place) and lets nobody in until there is room. Needs care.manage over
// the class. Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION, EVALIDATION.
func (s *Service) UpdateClass(ctx context.Context, id string, patch ClassPatch, version func(int) error) (Class, error) {
	var c Class
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := getClass(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if _, err := lockClass(ctx, tx, id); err != nil {
			return err
		}
		if err := version(old.Version); err != nil {
			return err
		}
		c = old
		for _, f := range []struct {
			dst *string
			v   *string
		}{{&c.Title, patch.Title}, {&c.Description, patch.Description}, {&c.Place, patch.Place}, {&c.StartsOn, patch.StartsOn}, {&c.EndsOn, patch.EndsOn}} {
			if f.v != nil {
				*f.dst = *f.v
			}
		}
		if patch.Capacity != nil {
			c.Capacity = *patch.Capacity
		}
		sessions := make([]SessionInput, 0, len(c.Sessions))
		for _, x := range c.Sessions {
			sessions = append(sessions, SessionInput{ID: x.ID, HeldOn: x.HeldOn, Topic: x.Topic})
		}
		if patch.Sessions != nil {
			sessions = *patch.Sessions
		}
		var fs apperr.Fields
		checkClass(&fs, &c, sessions)
		if err := fs.Err(); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE childcare_classes SET title = $1, description = $2, place = $3, starts_on = $4, ends_on = $5, capacity = $6,
			version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9`, c.Title, c.Description, c.Place, c.StartsOn, c.EndsOn, c.Capacity,
			db.Micros(tx.Now), id, old.Version)
		if err != nil {
			return err
		}
		if err := updated(res); err != nil {
			return err
		}
		if patch.Sessions != nil {
			if err := writeSessions(ctx, tx, id, c.ZoneID, old.Sessions, sessions); err != nil {
				return err
			}
		}
		if err := promoteChildren(ctx, tx, id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Node: c.EnterpriseID, Entity: "childcare_class", EntityID: id, Action: "update",
			Summary: map[string]any{"title": c.Title, "capacity": c.Capacity}}); err != nil {
			return err
		}
		c, err = getClass(ctx, tx, Manage, id)
		return err
	})
	return c, err
}

// classTransitions: action → states it leaves, state it reaches.
var classTransitions = map[string]struct {
	from []string
	to   string
}{
	"close":  {[]string{"open"}, "closed"},
	"reopen": {[]string{"closed"}, "open"},
	"cancel": {[]string{"open", "closed"}, "cancelled"},
}

// ClassActions lists the actions of ActOnClass.
var ClassActions = []string{"close", "reopen", "cancel"}

// ActOnClass closes enrolment, reopens it or cancels the class (taking its
// count back from the matrix). Needs care.manage over the class. Returns
// ENOTFOUND, EFORBIDDEN, EVALIDATION, ECONFLICT.
func (s *Service) ActOnClass(ctx context.Context, id, action string) (Class, error) {
	t, ok := classTransitions[action]
	if !ok {
		return Class{}, apperr.Field("action", "unknown_value")
	}
	var c Class
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := getClass(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if !slices.Contains(t.from, old.Status) {
			return apperr.New(apperr.Conflict, "problem.class_transition", "Status", old.Status, "Action", action)
		}
		res, err := tx.ExecContext(ctx, `UPDATE childcare_classes SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4`,
			t.to, db.Micros(tx.Now), id, old.Version)
		if err != nil {
			return err
		}
		if err := updated(res); err != nil {
			return err
		}
		if t.to == "cancelled" {
			if err := count(ctx, tx, old.EnterpriseID, "service", old.CreatedAt, -1); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: old.EnterpriseID, Entity: "childcare_class", EntityID: id, Action: action,
			Summary: map[string]any{"status": audit.Change{From: old.Status, To: t.to}}}); err != nil {
			return err
		}
		c, err = getClass(ctx, tx, Manage, id)
		return err
	})
	return c, err
}

// Enrolment is one child in a class.
type Enrolment struct {
	ID         string    `json:"id"`
	ClassID    string    `json:"class_id"`
	PersonID   string    `json:"person_id"`
	PersonName string    `json:"person_name"`
	ChildName  string    `json:"child_name"`
	ChildAge   int       `json:"child_age"`
	Status     string    `json:"status"`
	Position   *int      `json:"position"`
	Attended   []string  `json:"attended_session_ids"`
	CreatedAt  time.Time `json:"created_at"`
	seq        int64
}

const enrolCols = `id, class_id, person_id, COALESCE((SELECT name FROM people WHERE people.id = childcare_enrolments.person_id), ''), child_name, child_age,
	status, seq, created_at,
	CASE WHEN status = 'waitlisted' THEN (SELECT COUNT(*) FROM childcare_enrolments w WHERE w.class_id = childcare_enrolments.class_id
		AND w.status = 'waitlisted' AND w.seq <= childcare_enrolments.seq) END`

func scanEnrolment(s page.Scanner) (Enrolment, error) {
	var x Enrolment
	var pos sql.NullInt64
	err := s.Scan(&x.ID, &x.ClassID, &x.PersonID, &x.PersonName, &x.ChildName, &x.ChildAge, &x.Status, &x.seq, db.T(&x.CreatedAt), &pos)
	if pos.Valid {
		p := int(pos.Int64)
		x.Position = &p
	}
	x.Attended = []string{}
	return x, err
}

func fillAttendance(ctx context.Context, q db.Querier, xs []Enrolment) error {
	if len(xs) == 0 {
		return nil
	}
	at, ids := positions(xs, func(x Enrolment) string { return x.ID })
	var a db.Args
	return db.Each(ctx, q, `SELECT t.enrolment_id, t.session_id FROM childcare_attendance t JOIN childcare_sessions s ON s.id = t.session_id
		WHERE t.enrolment_id IN (`+a.In(ids)+`) ORDER BY t.enrolment_id, s.held_on, s.position`, a, func(s db.Scanner) error {
		var e, sess string
		if err := s.Scan(&e, &sess); err != nil {
			return err
		}
		xs[at[e]].Attended = append(xs[at[e]].Attended, sess)
		return nil
	})
}

// lockClass takes the class's row lock (bumping its enrolment counter), so
// enrolments and cancellations of one class run one at a time on both
// engines — the activities' sign-up rule — and returns the counter.
func lockClass(ctx context.Context, tx *db.Tx, id string) (int64, error) {
	var seq int64
	err := tx.QueryRowContext(ctx, `UPDATE childcare_classes SET signup_seq = signup_seq + 1 WHERE id = $1 RETURNING signup_seq`, id).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.New(apperr.NotFound, "")
	}
	return seq, err
}

// EnrolInput is a child to enrol, of the worker PersonID.
type EnrolInput struct {
	PersonID  string
	ChildName string
	ChildAge  int
}

// Enrol enrols a worker's child in an open class: registered while the
// class has room, else waitlisted in order. Never more registered than
// capacity however many enrol at once (the class's row lock). Staff with
// care.manage enrol any worker of the class's enterprise; a worker
// enrols their own children (EnrolAsSelf). Returns ENOTFOUND, EFORBIDDEN,
// EVALIDATION (age outside the class's range, person of another
// enterprise), ECONFLICT (the child already enrolled, class not open).
func (s *Service) Enrol(ctx context.Context, classID string, in EnrolInput) (Enrolment, error) {
	return s.enrol(ctx, classID, in, false)
}

// EnrolAsSelf enrols a child of the worker the caller's account is bound
// to in a class of their enterprise. Returns ENOTFOUND (no such class
// for them), EVALIDATION, ECONFLICT.
func (s *Service) EnrolAsSelf(ctx context.Context, classID string, in EnrolInput) (Enrolment, error) {
	return s.enrol(ctx, classID, in, true)
}

func (s *Service) enrol(ctx context.Context, classID string, in EnrolInput, asSelf bool) (Enrolment, error) {
	var fs apperr.Fields
	valid.Name(&fs, "child_name", &in.ChildName, 50)
	if in.ChildAge < 0 || in.ChildAge > 17 {
		fs.Add("child_age", "out_of_range", "Min", 0, "Max", 17)
	}
	var out Enrolment
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		var c Class
		if asSelf {
			person, ent, _, err := self(ctx, tx)
			if err != nil {
				return err
			}
			if c, err = loadClass(ctx, tx, classID); err != nil {
				return err
			}
			if c.EnterpriseID != ent {
				return apperr.New(apperr.NotFound, "")
			}
			in.PersonID = person
		} else {
			var err error
			if c, err = getClass(ctx, tx, Manage, classID); err != nil {
				return err
			}
			if err := workerOf(ctx, tx, "person_id", in.PersonID, c.EnterpriseID); err != nil {
				return err
			}
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if in.ChildAge < c.MinAge || in.ChildAge > c.MaxAge {
			return apperr.Field("child_age", "out_of_range", "Min", c.MinAge, "Max", c.MaxAge)
		}
		seq, err := lockClass(ctx, tx, classID)
		if err != nil {
			return err
		}
		if c, err = loadClass(ctx, tx, classID); err != nil { // as it stands under the lock
			return err
		}
		if c.Status != "open" {
			return apperr.New(apperr.Conflict, "problem.class_not_open", "Status", c.Status)
		}
		status := "waitlisted"
		if c.Registered < c.Capacity && c.Waitlisted == 0 {
			status = "registered"
		}
		id := uuid.Must(uuid.NewV7()).String()
		_, err = tx.ExecContext(ctx, `INSERT INTO childcare_enrolments (id, class_id, zone_id, person_id, child_name, child_age, status, seq, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`, id, c.ID, c.ZoneID, in.PersonID, in.ChildName, in.ChildAge, status, seq, db.Micros(tx.Now))
		if db.IsUnique(err) {
			return apperr.New(apperr.Conflict, "problem.child_already_enrolled", "Name", in.ChildName)
		}
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Node: c.EnterpriseID, Entity: "childcare_enrolment", EntityID: id, Action: "create",
			Summary: map[string]any{"class_id": c.ID, "person_id": in.PersonID, "status": status}}); err != nil {
			return err
		}
		out, err = enrolmentOf(ctx, tx, c.ID, id)
		return err
	})
	return out, err
}

func enrolmentOf(ctx context.Context, q db.Querier, classID, id string) (Enrolment, error) {
	x, err := scanEnrolment(q.QueryRowContext(ctx, `SELECT `+enrolCols+` FROM childcare_enrolments WHERE id = $1 AND class_id = $2`, id, classID))
	if errors.Is(err, sql.ErrNoRows) {
		return x, apperr.New(apperr.NotFound, "")
	}
	if err != nil {
		return x, err
	}
	return fillOne(ctx, q, x, fillAttendance)
}

// Withdraw removes an enrolment — staff with care.manage over the class,
// or the worker whose child it is (asSelf) while the class is open — and
// promotes the first waitlisted children that now fit, in the same
// transaction. A child who attended a session stays (ECONFLICT). Returns
// ENOTFOUND, EFORBIDDEN, ECONFLICT.
func (s *Service) Withdraw(ctx context.Context, classID, enrolmentID string, asSelf bool) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		var c Class
		var err error
		if asSelf {
			c, err = loadClass(ctx, tx, classID)
		} else {
			c, err = getClass(ctx, tx, Manage, classID)
		}
		if err != nil {
			return err
		}
		if _, err := lockClass(ctx, tx, classID); err != nil {
			return err
		}
		x, err := enrolmentOf(ctx, tx, classID, enrolmentID)
		if err != nil {
			return err
		}
		if asSelf {
			if p := access.From(ctx); p == nil || p.PersonID == "" || p.PersonID != x.PersonID {
				return apperr.New(apperr.NotFound, "")
			}
			if c.Status != "open" {
				return apperr.New(apperr.Conflict, "problem.class_not_open", "Status", c.Status)
			}
		}
		if len(x.Attended) > 0 {
			return apperr.New(apperr.Conflict, "problem.child_attended")
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Node: c.EnterpriseID, Entity: "childcare_enrolment", EntityID: x.ID, Action: "delete",
			Summary: map[string]any{"class_id": c.ID, "person_id": x.PersonID, "status": x.Status}}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM childcare_enrolments WHERE id = $1`, x.ID); err != nil {
			return err
		}
		return promoteChildren(ctx, tx, classID)
	})
}

// promoteChildren registers waitlisted children, oldest first, while the
// class has room. The caller holds the class's row lock.
func promoteChildren(ctx context.Context, tx *db.Tx, classID string) error {
	for {
		c, err := loadClass(ctx, tx, classID)
		if err != nil {
			return err
		}
		if c.Registered >= c.Capacity || c.Waitlisted == 0 {
			return nil
		}
		var id, person string
		err = tx.QueryRowContext(ctx, `SELECT id, person_id FROM childcare_enrolments WHERE class_id = $1 AND status = 'waitlisted' ORDER BY seq LIMIT 1`,
			classID).Scan(&id, &person)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE childcare_enrolments SET status = 'registered', updated_at = $1 WHERE id = $2`, db.Micros(tx.Now), id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Node: c.EnterpriseID, Entity: "childcare_enrolment", EntityID: id, Action: "promote",
			Summary: map[string]any{"class_id": classID, "person_id": person}}); err != nil {
			return err
		}
	}
}

// ListEnrolments lists a class's enrolments in enrolment order, with the
// sessions each child attended. Needs care.manage over the class (the
// roster names workers' children). Returns ENOTFOUND, EFORBIDDEN,
// EINVALID (status).
func (s *Service) ListEnrolments(ctx context.Context, classID, status string, p page.Page) (page.List[Enrolment], error) {
	if status != "" && status != "registered" && status != "waitlisted" {
		return page.List[Enrolment]{}, apperr.BadField("status", "unknown_option", "Value", status)
	}
	if _, err := getClass(ctx, s.DB.R, Manage, classID); err != nil {
		return page.List[Enrolment]{}, err
	}
	var a db.Args
	where := "class_id = " + a.Add(classID)
	if status != "" {
		where += " AND status = " + a.Add(status)
	}
	return listFilled(ctx, s.DB.R, p, page.Query{From: "childcare_enrolments", Cols: enrolCols, Where: where, Args: a, OrderBy: "seq"},
		scanEnrolment, func(x Enrolment) (any, string) { return x.seq, x.ID }, fillAttendance)
}

// MarkAttendance sets who attended a session: the registered children
// listed are marked present, the others not. Needs care.manage over the
// class. Returns ENOTFOUND, EFORBIDDEN, EVALIDATION (session_id of another
// class; an enrolment not registered in it).
func (s *Service) MarkAttendance(ctx context.Context, classID, sessionID string, enrolmentIDs []string) (Class, error) {
	var fs apperr.Fields
	if sessionID == "" {
		fs.Add("session_id", "required")
	}
	ids := valid.UniqueIDs(&fs, "enrolment_ids", enrolmentIDs, MaxCapacity)
	var c Class
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := getClass(ctx, tx, Manage, classID)
		if err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if !slices.ContainsFunc(old.Sessions, func(x Session) bool { return x.ID == sessionID }) {
			return apperr.Field("session_id", "unknown_value")
		}
		if len(ids) > 0 {
			var a db.Args
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM childcare_enrolments WHERE class_id = `+a.Add(classID)+
				` AND status = 'registered' AND id IN (`+a.In(ids)+`)`, a...).Scan(&n); err != nil {
				return err
			}
			if n != len(ids) {
				return apperr.Field("enrolment_ids", "unknown_value")
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM childcare_attendance WHERE session_id = $1`, sessionID); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `INSERT INTO childcare_attendance (session_id, enrolment_id, zone_id, marked_at) VALUES ($1, $2, $3, $4)`,
				sessionID, id, old.ZoneID, db.Micros(tx.Now)); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: old.EnterpriseID, Entity: "childcare_class", EntityID: classID,
			Action: "attendance", Summary: map[string]any{"session_id": sessionID, "present": len(ids)}}); err != nil {
			return err
		}
		c, err = getClass(ctx, tx, Manage, classID)
		return err
	})
	return c, err
}

// MyClass is a class open to the caller's worker with their children's
// enrolments in it.
type MyClass struct {
	Class
	Enrolments []Enrolment `json:"enrolments"`
}

// MyClasses lists the classes of the enterprise the caller's worker works
// for that are open or that their children are in, soonest first (none
// for an account bound to nobody).
func (s *Service) MyClasses(ctx context.Context) ([]MyClass, error) {
	out := []MyClass{}
	person, ent, _, err := self(ctx, s.DB.R)
	if apperr.Is(err, apperr.NotFound) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	var cs []Class
	err = db.Each(ctx, s.DB.R, `SELECT `+classCols+` FROM childcare_classes WHERE enterprise_id = $1 AND (status = 'open'
		OR id IN (SELECT class_id FROM childcare_enrolments WHERE person_id = $2)) ORDER BY starts_on, id`, db.Args{ent, person}, func(sc db.Scanner) error {
		c, err := scanClass(sc)
		cs = append(cs, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := fillSessions(ctx, s.DB.R, cs); err != nil {
		return nil, err
	}
	for _, c := range cs {
		mc := MyClass{Class: c, Enrolments: []Enrolment{}}
		err := db.Each(ctx, s.DB.R, `SELECT `+enrolCols+` FROM childcare_enrolments WHERE class_id = $1 AND person_id = $2 ORDER BY seq`,
			db.Args{c.ID, person}, func(sc db.Scanner) error {
				x, err := scanEnrolment(sc)
				mc.Enrolments = append(mc.Enrolments, x)
				return err
			})
		if err != nil {
			return nil, err
		}
		if err := fillAttendance(ctx, s.DB.R, mc.Enrolments); err != nil {
			return nil, err
		}
		out = append(out, mc)
	}
	return out, nil
}
