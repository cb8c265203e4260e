package mediation

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/page"
	"tongxin/internal/valid"
)

// Room is a hearing room of a park.
type Room struct {
	ID        string    `json:"id"`
	ZoneID    string    `json:"zone_id"`
	ParkID    string    `json:"park_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// ListRooms lists the rooms of the parks where the caller is legal-service
// staff (park_id narrows).
func (s *Service) ListRooms(ctx context.Context, parkID string, pg page.Page) (page.List[Room], error) {
	var a db.Args
	where := access.From(ctx).Scope(Manage).Where(&a, access.ByZone("zone_id"), access.ByNode("park_id"))
	if parkID != "" {
		where += " AND park_id = " + a.Add(parkID)
	}
	return page.Rows(ctx, s.DB.R, pg, page.Query{From: "mediation_rooms", Cols: "id, zone_id, park_id, name, created_at", Where: where, Args: a},
		func(sc db.Scanner) (Room, error) {
			var r Room
			err := sc.Scan(&r.ID, &r.ZoneID, &r.ParkID, &r.Name, db.T(&r.CreatedAt))
			return r, err
		}, page.ByID(func(r Room) string { return r.ID }))
}

// CreateRoom adds a room to a park (its legal-service staff). Returns
// EFORBIDDEN, EVALIDATION (a name taken in the park).
func (s *Service) CreateRoom(ctx context.Context, parkID, name string) (Room, error) {
	var fs apperr.Fields
	valid.Name(&fs, "name", &name, MaxName)
	if parkID == "" {
		fs.Add("park_id", "required")
	}
	if err := fs.Err(); err != nil {
		return Room{}, err
	}
	r := Room{ID: uuid.Must(uuid.NewV7()).String(), ParkID: parkID, Name: name}
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		var path string
		err := tx.QueryRowContext(ctx, `SELECT path, zone_id FROM scope_nodes WHERE id = $1 AND kind = 'park'`, parkID).Scan(&path, &r.ZoneID)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !access.From(ctx).Scope(Manage).Covers(path)) {
			return apperr.Field("park_id", "unknown_value")
		}
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM mediation_rooms WHERE park_id = $1 AND name = $2`, parkID, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.Field("name", "taken")
		}
		r.CreatedAt = tx.Now
		if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_rooms (id, zone_id, park_id, name, created_at) VALUES ($1, $2, $3, $4, $5)`,
			r.ID, r.ZoneID, parkID, name, db.Micros(tx.Now)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: r.ZoneID, Node: parkID, Entity: "mediation_room", EntityID: r.ID, Action: "create",
			Summary: map[string]any{"name": name}})
	})
	return r, err
}

// Hearing is a session of a case: all parties together or any subset
// (a separate session).
type Hearing struct {
	ID         string    `json:"id"`
	CaseID     string    `json:"case_id"`
	RoomID     string    `json:"room_id"`
	RoomName   string    `json:"room_name"`
	MediatorID string    `json:"mediator_id"`
	Title      string    `json:"title"`
	StartsAt   time.Time `json:"starts_at"`
	EndsAt     time.Time `json:"ends_at"`
	PartyIDs   []string  `json:"party_ids"`
}

const hearingCols = `h.id, h.case_id, h.room_id, r.name, h.mediator_id, h.title, h.starts_at, h.ends_at`

func scanHearing(sc db.Scanner) (Hearing, error) {
	var h Hearing
	var st, en int64
	err := sc.Scan(&h.ID, &h.CaseID, &h.RoomID, &h.RoomName, &h.MediatorID, &h.Title, &st, &en)
	h.StartsAt, h.EndsAt, h.PartyIDs = db.FromMicros(st), db.FromMicros(en), []string{}
	return h, err
}

func fillHearingParties(ctx context.Context, q db.Querier, hs []Hearing) error {
	if len(hs) == 0 {
		return nil
	}
	at := map[string]int{}
	ids := make([]string, len(hs))
	for i, h := range hs {
		at[h.ID], ids[i] = i, h.ID
	}
	var a db.Args
	return db.Each(ctx, q, `SELECT hearing_id, party_id FROM mediation_hearing_parties WHERE hearing_id IN (`+a.In(ids)+`) ORDER BY party_id`, a,
		func(sc db.Scanner) error {
			var h, p string
			err := sc.Scan(&h, &p)
			hs[at[h]].PartyIDs = append(hs[at[h]].PartyIDs, p)
			return err
		})
}

func hearingsOf(ctx context.Context, q db.Querier, caseID string) ([]Hearing, error) {
	out := []Hearing{}
	err := db.Each(ctx, q, `SELECT `+hearingCols+` FROM mediation_hearings h JOIN mediation_rooms r ON r.id = h.room_id WHERE h.case_id = $1 ORDER BY h.starts_at, h.id`,
		db.Args{caseID}, func(sc db.Scanner) error {
			h, err := scanHearing(sc)
			out = append(out, h)
			return err
		})
	if err != nil {
		return nil, err
	}
	return out, fillHearingParties(ctx, q, out)
}

// HearingInput schedules a hearing.
type HearingInput struct {
	StartsAt, EndsAt *time.Time
	RoomID           string
	PartyIDs         []string
	Title            string
}

// booking is one thing a hearing books.
type booking struct{ kind, who, name string }

// lockBookings takes the zone's booking lock for the rest of tx: on
// PostgreSQL the UPDATE holds the lock row until commit, so a second
// scheduler in the zone waits and then sees the first's bookings; on
// SQLite the one writer already serialises transactions.
func lockBookings(ctx context.Context, tx *db.Tx, zoneID string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_booking_locks (zone_id, n) VALUES ($1, 0) ON CONFLICT (zone_id) DO NOTHING`, zoneID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE mediation_booking_locks SET n = n + 1 WHERE zone_id = $1`, zoneID)
	return err
}

// ScheduleHearing schedules a hearing of a case (its mediator or the
// staff), taking the workflow's "schedule" step: in the case's room, with
// its mediator and the chosen parties. The mediator, the room and every
// participant known as a person must be free for the whole time; the
// check and the booking happen under the zone's booking lock, so two
// schedulers racing for one slot get one hearing and one 409. Returns
// ENOTFOUND, EFORBIDDEN, EVALIDATION (times, room, parties), ECONFLICT
// (double-booked, naming who; no mediator; a state that cannot schedule).
func (s *Service) ScheduleHearing(ctx context.Context, id string, in HearingInput) (Hearing, error) {
	var fs apperr.Fields
	switch {
	case in.StartsAt == nil:
		fs.Add("starts_at", "required")
	case in.EndsAt == nil:
		fs.Add("ends_at", "required")
	case !in.EndsAt.After(*in.StartsAt):
		fs.Add("ends_at", "ends_before_start")
	case in.EndsAt.Sub(*in.StartsAt) > MaxHearing:
		fs.Add("ends_at", "too_long_hearing", "Hours", int(MaxHearing/time.Hour))
	}
	if in.RoomID == "" {
		fs.Add("room_id", "required")
	}
	if len(in.PartyIDs) == 0 {
		fs.Add("party_ids", "required")
	}
	in.PartyIDs = valid.UniqueIDs(&fs, "party_ids", in.PartyIDs, 2*MaxAgents+2)
	valid.Text(&fs, "title", in.Title, 100)
	var out Hearing
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		c, v, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if !v.staff && !v.mediator {
			return apperr.New(apperr.Forbidden, "")
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if in.StartsAt.Before(tx.Now) {
			return apperr.Field("starts_at", "in_past")
		}
		if _, ok := Workflow[c.Status]["schedule"]; !ok {
			return transitionRefused(c.Status, "schedule")
		}
		if c.MediatorID == nil {
			return apperr.New(apperr.Conflict, "problem.no_mediator")
		}
		var roomName string
		err = tx.QueryRowContext(ctx, `SELECT name FROM mediation_rooms WHERE id = $1 AND park_id = $2`, in.RoomID, c.ParkID).Scan(&roomName)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Field("room_id", "unknown_value")
		}
		if err != nil {
			return err
		}
		books := []booking{{"mediator", *c.MediatorID, c.MediatorName}, {"room", in.RoomID, roomName}}
		cs := []Case{c}
		if err := fillParties(ctx, tx, cs); err != nil {
			return err
		}
		for _, pid := range in.PartyIDs {
			found := false
			for _, pt := range cs[0].Parties {
				if pt.ID == pid {
					found = true
					if pt.PersonID != nil {
						books = append(books, booking{"person", *pt.PersonID, pt.Name})
					}
				}
			}
			if !found {
				return apperr.Field("party_ids", "unknown_value")
			}
		}
		if err := lockBookings(ctx, tx, c.ZoneID); err != nil {
			return err
		}
		st, en := db.Micros(*in.StartsAt), db.Micros(*in.EndsAt)
		for _, b := range books {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM mediation_bookings WHERE zone_id = $1 AND kind = $2 AND who = $3 AND starts_at < $4 AND ends_at > $5`,
				c.ZoneID, b.kind, b.who, en, st).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				field := map[string]string{"mediator": "mediator_id", "room": "room_id", "person": "party_ids"}[b.kind]
				msg := map[string]string{"mediator": "problem.double_booked_mediator", "room": "problem.double_booked_room",
					"person": "problem.double_booked_person"}[b.kind]
				return &apperr.Error{Code: apperr.Conflict, MessageID: msg, Params: map[string]any{"Name": b.name},
					Fields: []apperr.FieldError{{Field: field, Code: "double_booked"}}}
			}
		}
		hid := uuid.Must(uuid.NewV7()).String()
		if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_hearings (id, case_id, zone_id, room_id, mediator_id, title, starts_at, ends_at, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, hid, id, c.ZoneID, in.RoomID, *c.MediatorID, in.Title, st, en,
			db.NullString(userOf(ctx)), db.Micros(tx.Now)); err != nil {
			return err
		}
		for _, pid := range in.PartyIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_hearing_parties (hearing_id, party_id, zone_id) VALUES ($1, $2, $3)`, hid, pid, c.ZoneID); err != nil {
				return err
			}
		}
		for _, b := range books {
			if _, err := tx.ExecContext(ctx, `INSERT INTO mediation_bookings (hearing_id, zone_id, kind, who, starts_at, ends_at) VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT DO NOTHING`, hid, c.ZoneID, b.kind, b.who, st, en); err != nil {
				return err
			}
		}
		if err := s.step(ctx, tx, c, v, "schedule", in.StartsAt.In(China).Format("2006-01-02 15:04")+" "+roomName); err != nil {
			return err
		}
		hs, err := hearingsOf(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, h := range hs {
			if h.ID == hid {
				out = h
			}
		}
		return nil
	})
	return out, err
}

// China is the zones' civil time (UTC+8): dates of agreements and payments.
var China = time.FixedZone("CST", 8*3600)

// Calendar lists the hearings of the cases the caller may see that
// overlap [from, to) (at most 62 days), by start.
func (s *Service) Calendar(ctx context.Context, from, to time.Time) ([]Hearing, error) {
	if !to.After(from) {
		return nil, apperr.Field("to", "before_from")
	}
	if to.Sub(from) > 62*day {
		return nil, apperr.Field("to", "out_of_range", "Min", 1, "Max", 62)
	}
	var a db.Args
	where := visibleWhere(access.From(ctx), &a)
	out := []Hearing{}
	err := db.Each(ctx, s.DB.R, `SELECT `+hearingCols+` FROM mediation_hearings h JOIN mediation_rooms r ON r.id = h.room_id
		WHERE h.starts_at < `+a.Add(db.Micros(to))+` AND h.ends_at > `+a.Add(db.Micros(from))+`
		AND h.case_id IN (SELECT c.id FROM `+caseFrom+` WHERE `+where+`) ORDER BY h.starts_at, h.id LIMIT 1000`, a, func(sc db.Scanner) error {
		h, err := scanHearing(sc)
		out = append(out, h)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, fillHearingParties(ctx, s.DB.R, out)
}

// Invitation renders hearing id as an RFC 5545 invitation (METHOD:REQUEST)
// for a caller who may see its case; the read is audited.
func (s *Service) Invitation(ctx context.Context, hearingID string) (string, error) {
	var caseID string
	err := s.DB.R.QueryRowContext(ctx, `SELECT case_id FROM mediation_hearings WHERE id = $1`, hearingID).Scan(&caseID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.New(apperr.NotFound, "")
	}
	if err != nil {
		return "", err
	}
	var body string
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		c, _, err := s.load(ctx, tx, caseID)
		if err != nil {
			return err
		}
		hs, err := hearingsOf(ctx, tx, caseID)
		if err != nil {
			return err
		}
		cs := []Case{c}
		if err := fillParties(ctx, tx, cs); err != nil {
			return err
		}
		for _, h := range hs {
			if h.ID != hearingID {
				continue
			}
			cal := ics.NewCalendarFor("Tongxin")
			cal.SetMethod(ics.MethodRequest)
			cal.SetProductId("-//Tongxin//Mediation//ZH")
			ev := cal.AddEvent(h.ID + "@mediation.tongxin")
			ev.SetDtStampTime(tx.Now)
			ev.SetStartAt(h.StartsAt)
			ev.SetEndAt(h.EndsAt)
			title := h.Title
			if title == "" {
				title = "调解庭"
			}
			ev.SetSummary("劳动争议调解：" + title)
			ev.SetLocation(c.ParkName + " 职工法律服务基地 " + h.RoomName)
			var names []string
			for _, pt := range cs[0].Parties {
				for _, pid := range h.PartyIDs {
					if pid == pt.ID {
						names = append(names, pt.Name)
					}
				}
			}
			ev.SetDescription("案件：" + c.ApplicantName + " 与 " + c.RespondentName + "\n调解员：" + c.MediatorName + "\n参加人：" + strings.Join(names, "、"))
			ev.SetStatus(ics.ObjectStatusConfirmed)
			body = cal.Serialize(ics.WithNewLineWindows)
			return audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Node: c.ParkID, Entity: "mediation_case", EntityID: c.ID, Action: "read_invitation",
				Summary: map[string]any{"hearing_id": h.ID}})
		}
		return apperr.New(apperr.NotFound, "")
	})
	return body, err
}
