package activities

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/matrix"
	"tongxin/internal/people"
)

// HoursRecord is one activity a person was credited for.
type HoursRecord struct {
	ActivityID    string  `json:"activity_id"`
	SignupID      string  `json:"signup_id"`
	Title         string  `json:"title"`
	Date          string  `json:"date"`
	Hours         float64 `json:"hours"`
	Manual        bool    `json:"manual"`
	OrganizerName string  `json:"organizer_name"`
	Certificate   string  `json:"certificate_no"`
}

// Hours is a person's volunteer-hour record.
type Hours struct {
	PersonID   string        `json:"person_id"`
	PersonName string        `json:"person_name"`
	TotalHours float64       `json:"total_hours"`
	Records    []HoursRecord `json:"records"`
}

// seesPerson reports whether the caller may read personID's record: the
// person themselves (their bound account) or a holder of person.read over
// them. Returns ENOTFOUND otherwise.
func seesPerson(ctx context.Context, q db.Querier, personID string) error {
	p := access.From(ctx)
	if p != nil && p.PersonID != "" && p.PersonID == personID {
		return nil
	}
	var a db.Args
	where := p.Scope(people.Read).Where(&a, access.ByZone("zone_id"), access.ByNode("enterprise_id"), access.ByNode("org_id"))
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE id = `+a.Add(personID)+` AND `+where, a...).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return apperr.New(apperr.NotFound, "")
	}
	return nil
}

// CertificateNo is the number of the certificate of a credited sign-up:
// the day of the activity and the sign-up's own id, so it never changes.
func CertificateNo(day int, signupID string) string {
	tail := strings.ToUpper(strings.ReplaceAll(signupID, "-", ""))
	if len(tail) > 10 {
		tail = tail[len(tail)-10:]
	}
	return "TXZY-" + itoa(day) + "-" + tail
}

// PersonHours returns a person's credited hours, latest activity first:
// for the person themselves, or for a holder of person.read over them.
// Returns ENOTFOUND.
func (s *Service) PersonHours(ctx context.Context, personID string) (Hours, error) {
	h := Hours{PersonID: personID, Records: []HoursRecord{}}
	if err := seesPerson(ctx, s.DB.R, personID); err != nil {
		return h, err
	}
	if err := s.DB.R.QueryRowContext(ctx, `SELECT name FROM people WHERE id = $1`, personID).Scan(&h.PersonName); err != nil {
		return h, err
	}
	var minutes int64
	err := db.Each(ctx, s.DB.R, `SELECT a.id, s.id, a.title, a.starts_at, s.credited_minutes, s.manual, a.organizer_name
		FROM activity_signups s JOIN activities a ON a.id = s.activity_id
		WHERE s.person_id = $1 AND s.credited_minutes > 0 ORDER BY a.starts_at DESC, a.id`, db.Args{personID}, func(sc db.Scanner) error {
		var r HoursRecord
		var starts time.Time
		var m int64
		if err := sc.Scan(&r.ActivityID, &r.SignupID, &r.Title, db.T(&starts), &m, &r.Manual, &r.OrganizerName); err != nil {
			return err
		}
		r.Date = starts.In(matrix.Local).Format(time.DateOnly)
		r.Hours = float64(m) / 60
		r.Certificate = CertificateNo(matrix.Day(starts), r.SignupID)
		minutes += m
		h.Records = append(h.Records, r)
		return nil
	})
	h.TotalHours = float64(minutes) / 60
	return h, err
}

// Certificate is what a volunteer-service certificate states (Ministry of
// Civil Affairs rules, 2021): number, volunteer, hours, content, issuer,
// date.
type Certificate struct {
	Number     string
	Volunteer  string
	Hours      float64
	Title      string
	Content    string
	Kind       string
	Issuer     string
	Date       string // of issue: the day the hours were credited
	ServiceDay string // of the activity
}

// Certificate returns the certificate of a credited sign-up, for the
// volunteer themselves or an organiser holding activity.roster over the
// activity. Returns ENOTFOUND (also for a sign-up without hours).
func (s *Service) Certificate(ctx context.Context, activityID, signupID string) (Certificate, error) {
	a, err := load(ctx, s.DB.R, activityID)
	if err != nil {
		return Certificate{}, err
	}
	x, err := signupOf(ctx, s.DB.R, activityID, signupID)
	if err != nil {
		return Certificate{}, err
	}
	p := access.From(ctx)
	if p == nil || p.PersonID == "" || p.PersonID != x.PersonID {
		if _, err := get(ctx, s.DB.R, Roster, activityID); err != nil {
			if apperr.Is(err, apperr.Forbidden) {
				err = apperr.New(apperr.NotFound, "")
			}
			return Certificate{}, err
		}
	}
	if x.minutes == nil || *x.minutes <= 0 {
		return Certificate{}, apperr.New(apperr.NotFound, "")
	}
	var credited sql.NullInt64
	if err := s.DB.R.QueryRowContext(ctx, `SELECT credited_at FROM activity_signups WHERE id = $1`, x.ID).Scan(&credited); err != nil {
		return Certificate{}, err
	}
	issued := a.EndsAt
	if credited.Valid {
		issued = db.FromMicros(credited.Int64)
	}
	return Certificate{Number: CertificateNo(matrix.Day(a.StartsAt), x.ID), Volunteer: x.PersonName, Hours: *x.Hours, Title: a.Title,
		Content: a.Description, Kind: a.Kind, Issuer: a.OrganizerName, Date: issued.In(matrix.Local).Format(time.DateOnly),
		ServiceDay: a.StartsAt.In(matrix.Local).Format(time.DateOnly)}, nil
}

// NewCalendarToken makes (or replaces, revoking the old address) the
// private token of the calendar feed of the person the caller's account is
// bound to. Only the token's blind index is kept. Returns ENOTFOUND for an
// account bound to nobody.
func (s *Service) NewCalendarToken(ctx context.Context) (string, error) {
	p := access.From(ctx)
	if p == nil || p.PersonID == "" {
		return "", apperr.New(apperr.NotFound, "")
	}
	b := make([]byte, 24)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		var zoneID string
		if err := tx.QueryRowContext(ctx, `SELECT zone_id FROM people WHERE id = $1`, p.PersonID).Scan(&zoneID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM activity_calendar_tokens WHERE person_id = $1`, p.PersonID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO activity_calendar_tokens (person_id, zone_id, token_hash, created_at) VALUES ($1, $2, $3, $4)`,
			p.PersonID, zoneID, s.Keys.Index("calendar token", token), db.Micros(tx.Now)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: zoneID, Entity: "calendar_token", EntityID: p.PersonID, Action: "create"})
	})
	return token, err
}

// RevokeCalendarToken removes the private feed address of the caller's
// person. Returns ENOTFOUND when there is none.
func (s *Service) RevokeCalendarToken(ctx context.Context) error {
	p := access.From(ctx)
	if p == nil || p.PersonID == "" {
		return apperr.New(apperr.NotFound, "")
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM activity_calendar_tokens WHERE person_id = $1`, p.PersonID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "")
		}
		return nil
	})
}

// PersonFeed returns the calendar of the person whose private token this
// is: the activities they signed up for (registered or waitlisted), and
// the published ones open to them. Returns ENOTFOUND for an unknown token.
func (s *Service) PersonFeed(ctx context.Context, token string) (string, error) {
	var personID, name string
	err := s.DB.R.QueryRowContext(ctx, `SELECT t.person_id, p.name FROM activity_calendar_tokens t JOIN people p ON p.id = t.person_id
		WHERE t.token_hash = $1`, s.Keys.Index("calendar token", token)).Scan(&personID, &name)
	if errors.Is(err, sql.ErrNoRows) || len(token) > 100 {
		return "", apperr.New(apperr.NotFound, "")
	}
	if err != nil {
		return "", err
	}
	r, err := reachOf(ctx, s.DB.R, personID)
	if err != nil {
		return "", err
	}
	var a db.Args
	where := "status IN ('published', 'completed') AND (id IN (SELECT activity_id FROM activity_signups WHERE person_id = " + a.Add(personID) +
		") OR (status = 'published' AND " + r.where(&a) + "))"
	return s.feed(ctx, "同心 · "+name, where, a)
}

// OrgFeed returns the calendar of the published and completed activities
// in the caller's activity.read scope organised at node (a zone, park,
// station or organisation) or below it; every such activity when nodeID
// is "". Returns ENOTFOUND for a node outside the scope.
func (s *Service) OrgFeed(ctx context.Context, nodeID string) (string, error) {
	var a db.Args
	where := "status IN ('published', 'completed') AND " + access.From(ctx).Scope(Read).Where(&a, attach...)
	name := "活动"
	if nodeID != "" {
		var path string
		err := s.DB.R.QueryRowContext(ctx, `SELECT path, name FROM scope_nodes WHERE id = $1`, nodeID).Scan(&path, &name)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !access.From(ctx).Scope(Read).Covers(path)) {
			return "", apperr.New(apperr.NotFound, "")
		}
		if err != nil {
			return "", err
		}
		where += " AND organizer_node IN (SELECT id FROM scope_nodes WHERE path >= " + a.Add(path) + " AND path < " + a.Add(path[:len(path)-1]+"0") + ")"
	}
	return s.feed(ctx, "同心 · "+name, where, a)
}

// MaxFeed bounds the events of one feed: the latest ones are kept.
const MaxFeed = 1000

// feed renders the activities matching where as an RFC 5545 calendar.
// Times are UTC (no VTIMEZONE needed); each event's UID is the activity id
// at a fixed domain, so a client updates rather than duplicates an event;
// DTSTAMP is the activity's last change, SEQUENCE its version.
func (s *Service) feed(ctx context.Context, name, where string, a db.Args) (string, error) {
	cal := ics.NewCalendarFor("Tongxin")
	cal.SetMethod(ics.MethodPublish)
	cal.SetProductId("-//Tongxin//Activities//ZH")
	cal.SetXWRCalName(name)
	cal.SetXWRTimezone("Asia/Shanghai")
	err := db.Each(ctx, s.DB.R, `SELECT `+cols+` FROM activities WHERE `+where+` ORDER BY starts_at DESC LIMIT `+a.Add(MaxFeed), a, func(sc db.Scanner) error {
		x, err := scan(sc)
		if err != nil {
			return err
		}
		ev := cal.AddEvent(x.ID + "@activities.tongxin")
		ev.SetDtStampTime(x.UpdatedAt)
		ev.SetCreatedTime(x.CreatedAt)
		ev.SetLastModifiedAt(x.UpdatedAt)
		ev.SetSequence(x.Version)
		ev.SetStartAt(x.StartsAt)
		ev.SetEndAt(x.EndsAt)
		ev.SetSummary(x.Title)
		if x.Location.Name != "" {
			ev.SetLocation(x.Location.Name)
		}
		if x.Location.Lat != nil {
			ev.SetGeo(*x.Location.Lat, *x.Location.Lng)
		}
		desc := x.OrganizerName
		if x.Description != "" {
			desc += "\n" + x.Description
		}
		ev.SetDescription(desc)
		ev.SetStatus(ics.ObjectStatusConfirmed)
		return nil
	})
	if err != nil {
		return "", err
	}
	return cal.Serialize(ics.WithNewLineWindows), nil
}
