package activities

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/page"
	"tongxin/internal/valid"
)

// Check-in codes are "<activity id>.<expiry, unix seconds, base 36>.<nonce>.<mac>"
// where mac is an HMAC-SHA-256 (secret.Keys.Sign: a key derived from the
// server's secret by HKDF) of the rest, under a purpose of its own. They
// need no table: a forged code fails the MAC, an old one its expiry, and
// the activity is part of what is signed. The console asks for a new code
// before the shown one expires, so the code on screen keeps rotating and a
// photo of it stops working soon.
const codePurpose = "tongxin activity check-in v1\x00"

// Code lifetimes.
const (
	DefaultCodeTTL = 2 * time.Minute
	MinCodeTTL     = 30 * time.Second
	MaxCodeTTL     = time.Hour
)

// Code is a freshly minted check-in code.
type Code struct {
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
}

// MintCode makes a check-in code for a published activity, valid for ttl
// (0: DefaultCodeTTL). Needs activity.manage over it. Returns ENOTFOUND,
// EFORBIDDEN, EVALIDATION (ttl_seconds), ECONFLICT (not published).
func (s *Service) MintCode(ctx context.Context, activityID string, ttl time.Duration) (Code, error) {
	if ttl == 0 {
		ttl = DefaultCodeTTL
	}
	if ttl < MinCodeTTL || ttl > MaxCodeTTL {
		return Code{}, apperr.Field("ttl_seconds", "out_of_range", "Min", int(MinCodeTTL.Seconds()), "Max", int(MaxCodeTTL.Seconds()))
	}
	a, err := get(ctx, s.DB.R, Manage, activityID)
	if err != nil {
		return Code{}, err
	}
	if a.Status != "published" {
		return Code{}, apperr.New(apperr.Conflict, "problem.activity_not_open", "Status", a.Status)
	}
	exp := s.DB.Now().Add(ttl).Truncate(time.Second)
	nonce := make([]byte, 6)
	rand.Read(nonce)
	payload := a.ID + "." + strconv.FormatInt(exp.Unix(), 36) + "." + base64.RawURLEncoding.EncodeToString(nonce)
	return Code{Code: payload + "." + s.Keys.Sign(codePurpose + payload)[:22], ExpiresAt: exp.UTC()}, nil
}

// CodeActivity checks code's signature (not its expiry) and returns the
// activity it names: EVALIDATION invalid_code on code otherwise.
func (s *Service) CodeActivity(code string) (string, time.Time, error) {
	i := strings.LastIndexByte(code, '.')
	if i < 0 || len(code) > 200 {
		return "", time.Time{}, apperr.Field("code", "invalid_code")
	}
	payload, mac := code[:i], code[i+1:]
	want := s.Keys.Sign(codePurpose + payload)[:22]
	parts := strings.Split(payload, ".")
	if len(parts) != 3 || !constantEqual(mac, want) {
		return "", time.Time{}, apperr.Field("code", "invalid_code")
	}
	exp, err := strconv.ParseInt(parts[1], 36, 64)
	if err != nil {
		return "", time.Time{}, apperr.Field("code", "invalid_code")
	}
	return parts[0], time.Unix(exp, 0).UTC(), nil
}

func constantEqual(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var v byte
	for i := 0; i < len(a); i++ {
		v |= a[i] ^ b[i]
	}
	return v == 0
}

// CheckinInput is a scan of a check-in code.
type CheckinInput struct {
	Code     string
	PersonID string
	// ActivityID, when given, is the activity the person means: a code of
	// another activity is refused.
	ActivityID string
	// Action is check_in, check_out or "" (the next one due).
	Action   string
	Lat, Lng *float64
}

// Checkin is what a scan recorded.
type Checkin struct {
	SignupID     string     `json:"signup_id"`
	ActivityID   string     `json:"activity_id"`
	PersonID     string     `json:"person_id"`
	Action       string     `json:"action"`
	CheckedInAt  *time.Time `json:"checked_in_at"`
	CheckedOutAt *time.Time `json:"checked_out_at"`
}

// CheckIn records a person's check-in (or check-out) with a code shown at
// the venue: the person themselves, or an organiser for them. The code
// must be genuine, unexpired and of the activity (EVALIDATION on code:
// invalid_code, expired_code, other_activity); with a geofence, lat and
// lng must lie within it (EVALIDATION outside_geofence). The person must
// hold a registered sign-up (ECONFLICT); a check-out needs a check-in
// first and a second check-in or check-out is ECONFLICT. Returns
// ENOTFOUND, EVALIDATION, ECONFLICT (activity not open).
func (s *Service) CheckIn(ctx context.Context, in CheckinInput) (Checkin, error) {
	var fs apperr.Fields
	if in.Code == "" {
		fs.Add("code", "required")
	}
	if in.PersonID == "" {
		fs.Add("person_id", "required")
	}
	if in.Action != "" && in.Action != "check_in" && in.Action != "check_out" {
		fs.Add("action", "unknown_option", "Value", in.Action)
	}
	if err := fs.Err(); err != nil {
		return Checkin{}, err
	}
	activityID, exp, err := s.CodeActivity(in.Code)
	if err != nil {
		return Checkin{}, err
	}
	if in.ActivityID != "" && in.ActivityID != activityID {
		return Checkin{}, apperr.Field("code", "other_activity")
	}
	var out Checkin
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		if !tx.Now.Before(exp) {
			return apperr.Field("code", "expired_code")
		}
		a, _, err := lock(ctx, tx, activityID)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.Field("code", "invalid_code")
		}
		if err != nil {
			return err
		}
		if _, err := actFor(ctx, tx, a, in.PersonID); err != nil {
			return err
		}
		if a.Status != "published" {
			return apperr.New(apperr.Conflict, "problem.activity_not_open", "Status", a.Status)
		}
		if a.GeofenceM != nil {
			if in.Lat == nil || in.Lng == nil {
				return apperr.Field("lat", "required")
			}
			if d := distance(*a.Location.Lat, *a.Location.Lng, *in.Lat, *in.Lng); d > float64(*a.GeofenceM) {
				return apperr.Field("lat", "outside_geofence", "Meters", int(d), "Max", *a.GeofenceM)
			}
		}
		x, err := signupOfPerson(ctx, tx, a.ID, in.PersonID)
		if apperr.Is(err, apperr.NotFound) || (err == nil && x.Status != "registered") {
			return apperr.New(apperr.Conflict, "problem.activity_not_registered")
		}
		if err != nil {
			return err
		}
		action := in.Action
		if action == "" {
			action = "check_in"
			if x.CheckedInAt != nil && a.CheckinMode == "checkin_checkout" {
				action = "check_out"
			}
		}
		switch {
		case action == "check_in" && x.CheckedInAt != nil:
			return apperr.New(apperr.Conflict, "problem.activity_already_checked_in")
		case action == "check_out" && x.CheckedInAt == nil:
			return apperr.New(apperr.Conflict, "problem.activity_not_checked_in")
		case action == "check_out" && x.CheckedOutAt != nil:
			return apperr.New(apperr.Conflict, "problem.activity_already_checked_out")
		}
		col := "checked_in_at"
		if action == "check_out" {
			col = "checked_out_at"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE activity_signups SET `+col+` = $1, updated_at = $1 WHERE id = $2`, db.Micros(tx.Now), x.ID); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: a.ZoneID, Node: a.node, Entity: "activity_signup", EntityID: x.ID, Action: action,
			Summary: map[string]any{"activity_id": a.ID, "person_id": x.PersonID}}); err != nil {
			return err
		}
		now := tx.Now
		out = Checkin{SignupID: x.ID, ActivityID: a.ID, PersonID: x.PersonID, Action: action, CheckedInAt: x.CheckedInAt, CheckedOutAt: x.CheckedOutAt}
		if action == "check_in" {
			out.CheckedInAt = &now
		} else {
			out.CheckedOutAt = &now
		}
		return nil
	})
	return out, err
}

// distance is the great-circle distance in metres.
func distance(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6371000
	rad := math.Pi / 180
	dlat, dlng := (lat2-lat1)*rad, (lng2-lng1)*rad
	h := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlng/2)*math.Sin(dlng/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

// credit credits hours at completion by the activity's mode (see Modes)
// and counts them on the matrix. Hours exclude travel: they are the
// activity's credit hours, or the time between check-in and check-out at
// the venue capped at the activity's length.
func credit(ctx context.Context, tx *db.Tx, a Activity) error {
	type row struct {
		id      string
		minutes int64
	}
	var rows []row
	err := db.Each(ctx, tx, `SELECT id, checked_in_at, checked_out_at FROM activity_signups
		WHERE activity_id = $1 AND status = 'registered' AND credited_minutes IS NULL`, db.Args{a.ID}, func(s db.Scanner) error {
		var id string
		var in, out sql.NullInt64
		if err := s.Scan(&id, &in, &out); err != nil {
			return err
		}
		var m int64
		switch a.CheckinMode {
		case "auto":
			m = a.creditMinutes
		case "checkin":
			if in.Valid {
				m = a.creditMinutes
			}
		case "checkin_checkout":
			if in.Valid && out.Valid {
				m = min(out.Int64-in.Int64, db.Micros(a.EndsAt)-db.Micros(a.StartsAt)) / int64(time.Minute/time.Microsecond)
			}
		}
		if m > 0 {
			rows = append(rows, row{id, m})
		}
		return nil
	})
	if err != nil {
		return err
	}
	var total int64
	for _, r := range rows {
		if _, err := tx.ExecContext(ctx, `UPDATE activity_signups SET credited_minutes = $1, credited_at = $2, updated_at = $2 WHERE id = $3`,
			r.minutes, db.Micros(tx.Now), r.id); err != nil {
			return err
		}
		total += r.minutes
	}
	if len(rows) == 0 {
		return nil
	}
	return add(ctx, tx, a, matrixFigures(int64(len(rows)), total))
}

// EnterHours records an organiser's manual entry of a person's hours on a
// completed activity (flagged manual): a person who came without signing
// up gets a walk-up sign-up. Hours are 0 (taking credit back) up to the
// activity's length. Needs activity.manage over it. Returns ENOTFOUND,
// EFORBIDDEN, EVALIDATION (hours; a person outside the organiser's
// reach), ECONFLICT (not completed).
func (s *Service) EnterHours(ctx context.Context, activityID, personID string, hours float64, note string) (Signup, error) {
	var out Signup
	var fs apperr.Fields
	valid.Text(&fs, "note", note, 500)
	if err := fs.Err(); err != nil {
		return out, err
	}
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		a, err := get(ctx, tx, Manage, activityID)
		if err != nil {
			return err
		}
		_, seq, err := lock(ctx, tx, activityID)
		if err != nil {
			return err
		}
		minutes, found, err := hoursFor(ctx, tx, a, personID, hours)
		if err != nil {
			return err
		}
		var x Signup
		if found != nil {
			x = *found
		} else {
			x = Signup{ID: uuid.Must(uuid.NewV7()).String(), Status: "registered", PersonID: personID}
			_, err = tx.ExecContext(ctx, `INSERT INTO activity_signups (id, zone_id, activity_id, person_id, status, seq, walk_up, created_at, updated_at)
				VALUES ($1, $2, $3, $4, 'registered', $5, TRUE, $6, $6)`, x.ID, a.ZoneID, a.ID, personID, seq, db.Micros(tx.Now))
		}
		if err != nil {
			return err
		}
		if x.Status != "registered" {
			if _, err := tx.ExecContext(ctx, `UPDATE activity_signups SET status = 'registered' WHERE id = $1`, x.ID); err != nil {
				return err
			}
		}
		before := int64(0)
		if x.minutes != nil {
			before = *x.minutes
		}
		if err := setCredit(ctx, tx, a, x.ID, before, minutes, true); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: a.ZoneID, Node: a.node, Entity: "activity_signup", EntityID: x.ID, Action: "enter_hours",
			Summary: map[string]any{"activity_id": a.ID, "person_id": personID, "minutes": audit.Change{From: x.minutes, To: minutes}, "note": note}}); err != nil {
			return err
		}
		out, err = signupOf(ctx, tx, a.ID, x.ID)
		return err
	})
	return out, err
}

// hoursFor checks a change of personID's hours on a: that the caller may
// act for the person, the hours, and that a is completed; it returns the
// minutes and the person's sign-up (nil when they have none).
func hoursFor(ctx context.Context, tx *db.Tx, a Activity, personID string, hours float64) (int64, *Signup, error) {
	if _, err := actFor(ctx, tx, a, personID); err != nil {
		return 0, nil, err
	}
	minutes, err := checkHours(a, hours)
	if err != nil {
		return 0, nil, err
	}
	if a.Status != "completed" {
		return 0, nil, apperr.New(apperr.Conflict, "problem.activity_not_completed")
	}
	x, err := signupOfPerson(ctx, tx, a.ID, personID)
	if apperr.Is(err, apperr.NotFound) {
		return minutes, nil, nil
	}
	return minutes, &x, err
}

// checkHours converts hours (0 to the activity's length) to minutes.
func checkHours(a Activity, hours float64) (int64, error) {
	maxH := math.Floor(a.length().Hours()*100) / 100
	if math.IsNaN(hours) || hours < 0 || hours > maxH {
		return 0, apperr.Field("hours", "out_of_range", "Min", 0, "Max", maxH)
	}
	return int64(math.Round(hours * 60)), nil
}

func setCredit(ctx context.Context, tx *db.Tx, a Activity, signupID string, before, after int64, manual bool) error {
	_, err := tx.ExecContext(ctx, `UPDATE activity_signups SET credited_minutes = $1, credited_at = $2, updated_at = $2,
		manual = (manual OR $3) WHERE id = $4`, after, db.Micros(tx.Now), manual, signupID)
	if err != nil {
		return err
	}
	return addCredit(ctx, tx, a, before, after)
}

// Correction is a volunteer's request to correct their credited hours and
// the organiser's decision.
type Correction struct {
	ID              string     `json:"id"`
	ActivityID      string     `json:"activity_id"`
	ActivityTitle   string     `json:"activity_title"`
	SignupID        string     `json:"signup_id"`
	PersonID        string     `json:"person_id"`
	PersonName      string     `json:"person_name"`
	RequestedHours  float64    `json:"requested_hours"`
	PreviousHours   *float64   `json:"previous_hours"`
	Reason          string     `json:"reason"`
	Status          string     `json:"status"`
	DecidedBy       *string    `json:"decided_by"`
	DecidedAt       *time.Time `json:"decided_at"`
	DecisionNote    string     `json:"decision_note"`
	CreatedAt       time.Time  `json:"created_at"`
	requested       int64
	previousMinutes *int64
}

const correctionCols = `id, activity_id, COALESCE((SELECT title FROM activities WHERE activities.id = activity_corrections.activity_id), ''),
	signup_id, person_id, COALESCE((SELECT name FROM people WHERE people.id = activity_corrections.person_id), ''), requested_minutes,
	previous_minutes, reason, status, decided_by, decided_at, decision_note, created_at`

func scanCorrection(s page.Scanner) (Correction, error) {
	var c Correction
	var prev, at sql.NullInt64
	var by sql.NullString
	err := s.Scan(&c.ID, &c.ActivityID, &c.ActivityTitle, &c.SignupID, &c.PersonID, &c.PersonName, &c.requested, &prev, &c.Reason, &c.Status,
		&by, &at, &c.DecisionNote, db.T(&c.CreatedAt))
	c.RequestedHours = float64(c.requested) / 60
	if prev.Valid {
		h := float64(prev.Int64) / 60
		c.PreviousHours, c.previousMinutes = &h, &prev.Int64
	}
	if by.Valid {
		c.DecidedBy = &by.String
	}
	c.DecidedAt = optTime(at)
	return c, err
}

// RequestCorrection files a request to correct a person's hours on a
// completed activity they signed up for: the person themselves or an
// organiser for them. One pending request per sign-up. Returns ENOTFOUND,
// EVALIDATION (hours, reason), ECONFLICT (not completed; not signed up;
// a request pending).
func (s *Service) RequestCorrection(ctx context.Context, activityID, personID string, hours float64, reason string) (Correction, error) {
	var fs apperr.Fields
	if personID == "" {
		fs.Add("person_id", "required")
	}
	valid.Name(&fs, "reason", &reason, 500)
	if err := fs.Err(); err != nil {
		return Correction{}, err
	}
	var out Correction
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		a, _, err := lock(ctx, tx, activityID)
		if err != nil {
			return err
		}
		minutes, x, err := hoursFor(ctx, tx, a, personID, hours)
		if err != nil {
			return err
		}
		if x == nil {
			return apperr.New(apperr.Conflict, "problem.activity_not_registered")
		}
		var pending int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM activity_corrections WHERE signup_id = $1 AND status = 'pending'`, x.ID).
			Scan(&pending); err != nil {
			return err
		}
		if pending > 0 {
			return apperr.New(apperr.Conflict, "problem.activity_correction_pending")
		}
		id := uuid.Must(uuid.NewV7()).String()
		if _, err := tx.ExecContext(ctx, `INSERT INTO activity_corrections (id, zone_id, activity_id, signup_id, person_id, requested_minutes,
				previous_minutes, reason, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9)`,
			id, a.ZoneID, a.ID, x.ID, personID, minutes, x.minutes, reason, db.Micros(tx.Now)); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: a.ZoneID, Node: a.node, Entity: "activity_correction", EntityID: id, Action: "create",
			Summary: map[string]any{"activity_id": a.ID, "person_id": personID, "requested_minutes": minutes, "reason": reason}}); err != nil {
			return err
		}
		out, err = correctionOf(ctx, tx, a.ID, id)
		return err
	})
	return out, err
}

func correctionOf(ctx context.Context, q db.Querier, activityID, id string) (Correction, error) {
	c, err := scanCorrection(q.QueryRowContext(ctx, `SELECT `+correctionCols+` FROM activity_corrections WHERE id = $1 AND activity_id = $2`,
		id, activityID))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.New(apperr.NotFound, "")
	}
	return c, err
}

// DecideCorrection approves (the requested hours replace the credited
// ones, and the matrix moves) or rejects a pending correction; both stay
// in the record with who decided, when and why. Needs activity.manage over
// the activity. Returns ENOTFOUND, EFORBIDDEN, EVALIDATION (decision,
// note), ECONFLICT (already decided).
func (s *Service) DecideCorrection(ctx context.Context, activityID, id, decision, note string) (Correction, error) {
	var fs apperr.Fields
	if decision != "approve" && decision != "reject" {
		fs.Add("decision", "unknown_option", "Value", decision)
	}
	valid.Text(&fs, "note", note, 500)
	if err := fs.Err(); err != nil {
		return Correction{}, err
	}
	var out Correction
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		a, err := get(ctx, tx, Manage, activityID)
		if err != nil {
			return err
		}
		c, err := correctionOf(ctx, tx, activityID, id)
		if err != nil {
			return err
		}
		if c.Status != "pending" {
			return apperr.New(apperr.Conflict, "problem.activity_correction_decided")
		}
		status := map[string]string{"approve": "approved", "reject": "rejected"}[decision]
		var x Signup
		if x, err = signupOf(ctx, tx, activityID, c.SignupID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE activity_corrections SET status = $1, decided_by = $2, decided_at = $3, decision_note = $4,
				previous_minutes = $5 WHERE id = $6`, status, access.From(ctx).UserID, db.Micros(tx.Now), note, x.minutes, id); err != nil {
			return err
		}
		if status == "approved" {
			before := int64(0)
			if x.minutes != nil {
				before = *x.minutes
			}
			if err := setCredit(ctx, tx, a, x.ID, before, c.requested, false); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: a.ZoneID, Node: a.node, Entity: "activity_correction", EntityID: id, Action: decision,
			Summary: map[string]any{"activity_id": a.ID, "person_id": c.PersonID, "minutes": audit.Change{From: x.minutes, To: c.requested}, "note": note}}); err != nil {
			return err
		}
		out, err = correctionOf(ctx, tx, activityID, id)
		return err
	})
	return out, err
}

// ListCorrections lists corrections, newest first, of the activities in
// the caller's activity.roster scope (of one activity when activityID is
// not ""), with a status filter (pending|approved|rejected).
func (s *Service) ListCorrections(ctx context.Context, activityID, status string, p page.Page) (page.List[Correction], error) {
	if status != "" && status != "pending" && status != "approved" && status != "rejected" {
		return page.List[Correction]{}, apperr.BadField("status", "unknown_option", "Value", status)
	}
	var a db.Args
	where := "activity_id IN (SELECT id FROM activities WHERE " + access.From(ctx).Scope(Roster).Where(&a, attach...) + ")"
	if activityID != "" {
		if _, err := get(ctx, s.DB.R, Roster, activityID); err != nil {
			return page.List[Correction]{}, err
		}
		where += " AND activity_id = " + a.Add(activityID)
	}
	if status != "" {
		where += " AND status = " + a.Add(status)
	}
	return page.Rows(ctx, s.DB.R, p, page.Query{From: "activity_corrections", Cols: correctionCols, Where: where, Args: a, Desc: true},
		scanCorrection, page.ByID(func(c Correction) string { return c.ID }))
}
