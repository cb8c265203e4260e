package invitations

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io/fs"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/auth"
	"tongxin/internal/db"
	"tongxin/internal/i18n"
	"tongxin/internal/ident"
	"tongxin/internal/page"
	"tongxin/internal/password"
	"tongxin/internal/secret"
	"tongxin/internal/users"
)

// Manage lets a caller invite the people in their scope to sign in, list
// the invitations and revoke them: the zone's and parks' administrators,
// branch secretaries (their members) and service staff of a park or
// station.
var Manage = access.NewPerm("invitation.manage", access.ZoneAdmin, access.ParkAdmin, access.OrgSecretary, access.ServiceStaff)

//go:embed locales/*.json
var locales embed.FS

// Locales holds this domain's messages.
func Locales() fs.FS { return i18n.Dir(locales) }

// Service holds the invitation operations.
type Service struct {
	DB        *db.DB
	Keys      *secret.Keys
	Passwords *password.Pool
	Auth      *auth.Service
}

// Statuses of an invitation.
const (
	Pending  = "pending"
	Accepted = "accepted"
	Revoked  = "revoked"
	Expired  = "expired"
	Locked   = "locked"
)

// Limits.
const (
	DefaultHours = 72
	MaxHours     = 30 * 24
	maxFailures  = 5
)

// Invitation is an invitation as staff see it (never its token).
type Invitation struct {
	ID         string     `json:"id"`
	ZoneID     string     `json:"zone_id"`
	PersonID   string     `json:"person_id"`
	PersonName string     `json:"person_name"`
	Status     string     `json:"status"`
	ExpiresAt  time.Time  `json:"expires_at"`
	AcceptedAt *time.Time `json:"accepted_at"`
	UserID     *string    `json:"user_id"`
	CreatedBy  *string    `json:"created_by"`
	Version    int        `json:"version"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`

	revokedAt *time.Time
	failures  int
}

// status follows from the row and the time.
func (inv *Invitation) status(now time.Time) string {
	switch {
	case inv.AcceptedAt != nil:
		return Accepted
	case inv.revokedAt != nil:
		return Revoked
	case !now.Before(inv.ExpiresAt):
		return Expired
	case inv.failures >= maxFailures:
		return Locked
	}
	return Pending
}

const cols = `id, zone_id, person_id, COALESCE((SELECT p.name FROM people p WHERE p.id = invitations.person_id), ''),
	expires_at, accepted_at, user_id, created_by, revoked_at, failed_attempts, version, created_at, updated_at`

func scanner(now time.Time) func(page.Scanner) (Invitation, error) {
	return func(s page.Scanner) (Invitation, error) {
		var inv Invitation
		var accepted, revoked sql.NullInt64
		err := s.Scan(&inv.ID, &inv.ZoneID, &inv.PersonID, &inv.PersonName, db.T(&inv.ExpiresAt), &accepted, &inv.UserID, &inv.CreatedBy,
			&revoked, &inv.failures, &inv.Version, db.T(&inv.CreatedAt), db.T(&inv.UpdatedAt))
		if accepted.Valid {
			t := db.FromMicros(accepted.Int64)
			inv.AcceptedAt = &t
		}
		if revoked.Valid {
			t := db.FromMicros(revoked.Int64)
			inv.revokedAt = &t
		}
		inv.Status = inv.status(now)
		return inv, err
	}
}

// personAttach: a person hangs under their zone, enterprise and party
// organisation (as in package people).
var personAttach = []access.Attach{access.ByZone("zone_id"), access.ByNode("enterprise_id"), access.ByNode("org_id")}

// scoped restricts invitations to those of people in the caller's
// invitation.manage scope.
func scoped(ctx context.Context, a *db.Args) string {
	return "person_id IN (SELECT id FROM people WHERE " + access.From(ctx).Scope(Manage).Where(a, personAttach...) + ")"
}

func one(ctx context.Context, q db.Querier, now time.Time, id string) (Invitation, error) {
	var a db.Args
	where := scoped(ctx, &a)
	inv, err := scanner(now)(q.QueryRowContext(ctx, "SELECT "+cols+" FROM invitations WHERE id = "+a.Add(id)+" AND "+where, a...))
	if errors.Is(err, sql.ErrNoRows) {
		return inv, apperr.New(apperr.NotFound, "")
	}
	return inv, err
}

// Filter narrows the list.
type Filter struct {
	PersonID string
	Status   string
}

// List lists the invitations of the people in the caller's scope, newest
// first, optionally of one person and of one status. Returns EVALIDATION
// for an unknown status.
func (s *Service) List(ctx context.Context, f Filter, p page.Page) (page.List[Invitation], error) {
	now := s.DB.Now()
	var a db.Args
	where := scoped(ctx, &a)
	if f.PersonID != "" {
		where += " AND person_id = " + a.Add(f.PersonID)
	}
	switch f.Status {
	case "":
	case Accepted:
		where += " AND accepted_at IS NOT NULL"
	case Revoked:
		where += " AND accepted_at IS NULL AND revoked_at IS NOT NULL"
	case Expired:
		where += " AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at <= " + a.Add(db.Micros(now))
	case Locked:
		where += " AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > " + a.Add(db.Micros(now)) +
			" AND failed_attempts >= " + a.Add(maxFailures)
	case Pending:
		where += " AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > " + a.Add(db.Micros(now)) +
			" AND failed_attempts < " + a.Add(maxFailures)
	default:
		return page.List[Invitation]{}, apperr.BadField("status", "invalid_choice")
	}
	return page.Rows(ctx, s.DB.R, p, page.Query{From: "invitations", Cols: cols, Where: where, Args: a, Desc: true}, scanner(now),
		page.ByID(func(i Invitation) string { return i.ID }))
}

// Created is a new invitation with its token, shown this once.
type Created struct {
	Invitation
	Token string
}

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return "inv_" + base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// Create invites a person of the caller's scope, valid for hours (0: the
// default, 72). Earlier pending invitations of the person are revoked.
// Returns EVALIDATION (person_id unknown or out of scope, hours out of
// 1–720), ECONFLICT when the person already has an account.
func (s *Service) Create(ctx context.Context, personID string, hours int) (Created, error) {
	var fs apperr.Fields
	if personID == "" {
		fs.Add("person_id", "required")
	}
	if hours == 0 {
		hours = DefaultHours
	} else if hours < 1 || hours > MaxHours {
		fs.Add("expires_in_hours", "out_of_range", "Min", 1, "Max", MaxHours)
	}
	if err := fs.Err(); err != nil {
		return Created{}, err
	}
	var c Created
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		var a db.Args
		where := access.From(ctx).Scope(Manage).WhereRow(&a, "people", personAttach...)
		var zoneID, name string
		err := tx.QueryRowContext(ctx, "SELECT zone_id, name FROM people WHERE id = "+a.Add(personID)+" AND "+where, a...).Scan(&zoneID, &name)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Field("person_id", "unknown_value")
		}
		if err != nil {
			return err
		}
		if err := noAccount(ctx, tx, personID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET revoked_at = $1, version = version + 1, updated_at = $1
			WHERE person_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL`, db.Micros(tx.Now), personID); err != nil {
			return err
		}
		c.Token = newToken()
		id := uuid.Must(uuid.NewV7()).String()
		if _, err := tx.ExecContext(ctx, `INSERT INTO invitations (id, zone_id, person_id, token_hash, created_by, expires_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, id, zoneID, personID, hashToken(c.Token), db.NullString(access.From(ctx).UserID),
			db.Micros(tx.Now.Add(time.Duration(hours)*time.Hour)), db.Micros(tx.Now)); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: zoneID, Node: personNode(ctx, tx, personID), Entity: "invitation", EntityID: id,
			Action: "create", Summary: map[string]any{"person_id": personID, "person_name": name, "expires_in_hours": hours}}); err != nil {
			return err
		}
		c.Invitation, err = one(ctx, tx, tx.Now, id)
		return err
	})
	return c, err
}

// personNode is the scope node audit entries about a person lie under:
// their organisation, else their enterprise, else the zone ("").
func personNode(ctx context.Context, q db.Querier, personID string) string {
	var node sql.NullString
	_ = q.QueryRowContext(ctx, `SELECT COALESCE(org_id, enterprise_id) FROM people WHERE id = $1`, personID).Scan(&node)
	return node.String
}

func noAccount(ctx context.Context, q db.Querier, personID string) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE person_id = $1`, personID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return apperr.New(apperr.Conflict, "invitation.person_has_account")
	}
	return nil
}

// Revoke ends a pending (or expired) invitation of a person in the
// caller's scope. Returns ENOTFOUND, ECONFLICT when it was accepted.
// Revoking a revoked invitation changes nothing.
func (s *Service) Revoke(ctx context.Context, id string) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		inv, err := one(ctx, tx, tx.Now, id)
		if err != nil {
			return err
		}
		switch inv.Status {
		case Accepted:
			return apperr.New(apperr.Conflict, "invitation.used")
		case Revoked:
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET revoked_at = $1, version = version + 1, updated_at = $1 WHERE id = $2`,
			db.Micros(tx.Now), id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: inv.ZoneID, Node: personNode(ctx, tx, inv.PersonID), Entity: "invitation",
			EntityID: id, Action: "revoke", Summary: map[string]any{"person_id": inv.PersonID}})
	})
}

// Public is what the holder of a token sees: who is invited, their phone
// masked, until when.
type Public struct {
	PersonName  string    `json:"person_name"`
	PhoneMasked string    `json:"phone_masked"`
	ZoneName    string    `json:"zone_name"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// byToken is an invitation read by its token, with what accepting needs.
type byToken struct {
	inv         Invitation
	phoneSealed string
	phoneIndex  sql.NullString
	zoneName    string
}

// lookup reads the invitation of token and refuses it unless pending.
// Returns ENOTFOUND for an unknown token, ECONFLICT (expired, used,
// revoked, locked).
func (s *Service) lookup(ctx context.Context, q db.Querier, now time.Time, token string) (byToken, error) {
	var b byToken
	inv, err := scanner(now)(q.QueryRowContext(ctx, "SELECT "+cols+" FROM invitations WHERE token_hash = $1", hashToken(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return b, apperr.New(apperr.NotFound, "invitation.unknown")
	}
	if err != nil {
		return b, err
	}
	b.inv = inv
	if inv.Status != Pending {
		return b, apperr.New(apperr.Conflict, "invitation."+inv.Status)
	}
	err = q.QueryRowContext(ctx, `SELECT p.phone_sealed, p.phone_index, z.name FROM people p JOIN zones z ON z.id = p.zone_id WHERE p.id = $1`,
		inv.PersonID).Scan(&b.phoneSealed, &b.phoneIndex, &b.zoneName)
	return b, err
}

// View returns the public view of a pending invitation. Returns ENOTFOUND,
// ECONFLICT (expired, used, revoked, locked).
func (s *Service) View(ctx context.Context, token string) (Public, error) {
	b, err := s.lookup(ctx, s.DB.R, s.DB.Now(), token)
	if err != nil {
		return Public{}, err
	}
	phone, err := s.Keys.Open(b.phoneSealed)
	if err != nil {
		return Public{}, err
	}
	pub := Public{PersonName: b.inv.PersonName, ZoneName: b.zoneName, ExpiresAt: b.inv.ExpiresAt}
	if phone != "" {
		pub.PhoneMasked = ident.MaskMobile(phone)
	}
	return pub, nil
}

// SendCode sends a code (purpose invite) to phone for confirming it while
// accepting a pending invitation. Returns ENOTFOUND, ECONFLICT,
// EVALIDATION, ERATELIMITED, EUNAVAILABLE.
func (s *Service) SendCode(ctx context.Context, token, phone string) error {
	if _, err := s.lookup(ctx, s.DB.R, s.DB.Now(), token); err != nil {
		return err
	}
	if code := auth.CheckPhone(&phone); code != "" {
		return apperr.Field("phone", code)
	}
	return s.Auth.SendCode(ctx, phone, auth.PurposeInvite, true)
}

// Accept is what accepting takes.
type Accept struct {
	Phone    string
	Password string
	SMSCode  string
}

// Accept consumes a pending invitation: the phone must be the people
// record's, or be confirmed with a code sent to it (purpose invite; the
// record then takes the number). The account is created bound to the
// person, holding no grant, and signed in. Of concurrent accepts exactly
// one wins. Returns ENOTFOUND, ECONFLICT (expired, used, revoked, locked,
// the person already has an account, another account signs in with the
// number), EVALIDATION (phone_mismatch —
// counted: five lock the invitation —, wrong_code, password rules),
// EUNAVAILABLE.
func (s *Service) Accept(ctx context.Context, token string, in Accept) (auth.LoginResult, error) {
	b, err := s.lookup(ctx, s.DB.R, s.DB.Now(), token)
	if err != nil {
		return auth.LoginResult{}, err
	}
	var fs apperr.Fields
	if code := auth.CheckPhone(&in.Phone); code != "" {
		fs.Add("phone", code)
	}
	password.Validate(&fs, "password", in.Password, in.Phone)
	if err := fs.Err(); err != nil {
		return auth.LoginResult{}, err
	}
	idx := s.Keys.Index("phone", in.Phone)
	newPhone := !b.phoneIndex.Valid || b.phoneIndex.String != idx
	if newPhone {
		if in.SMSCode == "" {
			if _, err := s.DB.W.ExecContext(ctx, `UPDATE invitations SET failed_attempts = failed_attempts + 1 WHERE id = $1`, b.inv.ID); err != nil {
				return auth.LoginResult{}, err
			}
			return auth.LoginResult{}, apperr.Field("phone", "phone_mismatch")
		}
		if err := s.Auth.UseCode(ctx, in.Phone, auth.PurposeInvite, in.SMSCode); err != nil {
			return auth.LoginResult{}, err
		}
	}
	hash, err := s.Passwords.Hash(ctx, in.Password)
	if err != nil {
		return auth.LoginResult{}, err
	}
	var res auth.LoginResult
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		inv := b.inv
		// Exactly one of concurrent accepts moves the row.
		r, err := tx.ExecContext(ctx, `UPDATE invitations SET accepted_at = $1, version = version + 1, updated_at = $1
			WHERE id = $2 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1 AND failed_attempts < $3`,
			db.Micros(tx.Now), inv.ID, maxFailures)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			_, err := s.lookup(ctx, tx, tx.Now, token)
			if err == nil {
				err = apperr.New(apperr.Conflict, "invitation.accepted")
			}
			return err
		}
		if err := noAccount(ctx, tx, inv.PersonID); err != nil {
			return err
		}
		// One account per number: phone sign-in must find one account.
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users u JOIN people p ON p.id = u.person_id WHERE p.phone_index = $1`,
			idx).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return apperr.New(apperr.Conflict, "invitation.phone_in_use")
		}
		username := "p-" + hex.EncodeToString(randomBytes(5))
		userID, err := users.Bind(ctx, tx, users.Input{ZoneID: inv.ZoneID, Username: username, DisplayName: inv.PersonName, PersonID: inv.PersonID}, hash)
		if apperr.Is(err, apperr.Conflict) {
			return apperr.New(apperr.Conflict, "invitation.person_has_account")
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET user_id = $1 WHERE id = $2`, userID, inv.ID); err != nil {
			return err
		}
		if newPhone {
			if _, err := tx.ExecContext(ctx, `UPDATE people SET phone_sealed = $1, phone_index = $2, version = version + 1, updated_at = $3 WHERE id = $4`,
				s.Keys.Seal(in.Phone), idx, db.Micros(tx.Now), inv.PersonID); err != nil {
				return err
			}
		}
		actx := access.With(ctx, &access.Principal{UserID: userID, Username: username, ZoneID: inv.ZoneID, PersonID: inv.PersonID})
		if err := audit.Record(actx, tx, audit.Event{ZoneID: inv.ZoneID, Node: personNode(ctx, tx, inv.PersonID), Entity: "invitation",
			EntityID: inv.ID, Action: "accept", Summary: map[string]any{"person_id": inv.PersonID, "user_id": userID, "phone_confirmed_by_code": newPhone}}); err != nil {
			return err
		}
		res, err = s.Auth.SignIn(actx, tx, userID, username, inv.PersonName, inv.ZoneID)
		return err
	})
	return res, err
}

// Add writes a pending invitation of a person with a given token inside
// tx, valid for hours: the operator function the demo loader uses (it
// checks no grants; the caller chose the token).
func Add(ctx context.Context, tx *db.Tx, zoneID, personID, token string, hours int) (string, error) {
	id := uuid.Must(uuid.NewV7()).String()
	if _, err := tx.ExecContext(ctx, `INSERT INTO invitations (id, zone_id, person_id, token_hash, expires_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6)`, id, zoneID, personID, hashToken(token),
		db.Micros(tx.Now.Add(time.Duration(hours)*time.Hour)), db.Micros(tx.Now)); err != nil {
		return "", err
	}
	return id, audit.Record(ctx, tx, audit.Event{ZoneID: zoneID, Node: personNode(ctx, tx, personID), Entity: "invitation", EntityID: id,
		Action: "create", Summary: map[string]any{"person_id": personID, "expires_in_hours": hours}})
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}
