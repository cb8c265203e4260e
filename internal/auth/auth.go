// Package auth signs users in and out and keeps their sessions: bearer
// tokens and HttpOnly cookie sessions (the same rows seen through two
// headers), sign-in throttling, and changing one's own password. Who may do
// what is decided in package access; users and their grants are managed in
// package users.
package auth

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/i18n"
	"tongxin/internal/ident"
	"tongxin/internal/password"
	"tongxin/internal/reqctx"
	"tongxin/internal/secret"
)

//go:embed locales/*.json
var locales embed.FS

// Locales holds this domain's messages.
func Locales() fs.FS { return i18n.Dir(locales) }

// Service holds the sign-in operations.
type Service struct {
	DB *db.DB
	// TTL is the idle lifetime of a session (each use slides it); MaxAge
	// its absolute lifetime, however busy it is.
	TTL    time.Duration
	MaxAge time.Duration
	// MaxFailures is how many failed sign-ins one username may have in
	// throttleWindow; one client address may have 5× as many.
	MaxFailures int
	Passwords   *password.Pool
	// Keys make the blind index of phone numbers (sign-in by phone) and
	// hash one-time codes; Sender delivers the codes.
	Keys   *secret.Keys
	Sender Sender
	// Principals, when set, remembers who stands behind each token
	// (trusted only while its Watch runs).
	Principals *Principals
}

const throttleWindow = 15 * time.Minute

// Brief is the signed-in user as login and the session answer show them.
type Brief struct {
	ID          string
	Username    string
	DisplayName string
	Grants      []access.Grant
}

// LoginResult is what a successful sign-in returns.
type LoginResult struct {
	Session Session
	User    Brief
}

// Login checks the credentials and opens a session. The attempt is
// counted before the password is checked (so parallel guesses cannot slip
// past the limit) and forgiven when it succeeds. Returns ERATELIMITED (with
// RetryAfter) when the username or the client address has too many recent
// failures, EUNAUTHORIZED for wrong credentials (audited), EUNAVAILABLE
// when too many passwords are being checked at once.
func (s *Service) Login(ctx context.Context, username, pw string) (LoginResult, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	return s.passwordLogin(ctx, username, username, pw, `username = $1`, username)
}

// byPhone selects the account bound to the person whose phone has the
// blind index $1 (the newest, should two zones' records share a number).
const byPhone = `id = (SELECT u.id FROM users u JOIN people p ON p.id = u.person_id AND p.zone_id = u.zone_id
	WHERE p.phone_index = $1 ORDER BY u.id DESC LIMIT 1)`

// PhoneLogin signs in the account bound to the person with this mobile
// number, by password — the same throttle, answers and audit as Login,
// counted per number, so nobody learns whether a number has an account.
// phone must be normalised (CheckPhone).
func (s *Service) PhoneLogin(ctx context.Context, phone, pw string) (LoginResult, error) {
	return s.passwordLogin(ctx, "phone:"+s.PhoneIndex(phone), ident.MaskMobile(phone), pw, byPhone, s.PhoneIndex(phone))
}

// CodeLogin signs in the account bound to phone with a one-time code
// (purpose login), under the same throttle as PhoneLogin. Returns
// EUNAUTHORIZED for a wrong, used or expired code and for a number without
// an account alike, ERATELIMITED.
func (s *Service) CodeLogin(ctx context.Context, phone, code string) (LoginResult, error) {
	key := "phone:" + s.PhoneIndex(phone)
	attempt, err := s.reserve(ctx, key)
	if err != nil {
		return LoginResult{}, err
	}
	acct, _, err := s.lookup(ctx, byPhone, s.PhoneIndex(phone))
	if err == nil && acct.id != "" {
		err = s.UseCode(ctx, phone, PurposeLogin, code)
	}
	if apperr.Is(err, apperr.Validation) || (err == nil && acct.id == "") {
		return LoginResult{}, s.failed(ctx, ident.MaskMobile(phone), acct)
	}
	if err != nil {
		s.release(ctx, attempt)
		return LoginResult{}, err
	}
	return s.succeed(ctx, attempt, key, acct)
}

// lookup reads the account matching where (with arg $1); an absent one is
// the zero account.
func (s *Service) lookup(ctx context.Context, where string, arg string) (account, string, error) {
	var a account
	var hash string
	err := s.DB.R.QueryRowContext(ctx, `SELECT id, username, password_hash, zone_id, display_name FROM users WHERE `+where, arg).
		Scan(&a.id, &a.username, &hash, &a.zoneID, &a.displayName)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return a, hash, err
}

// passwordLogin checks pw for the account matching where, counting the
// attempt under throttleKey; name is how a failure is audited.
func (s *Service) passwordLogin(ctx context.Context, throttleKey, name, pw, where, arg string) (LoginResult, error) {
	attempt, err := s.reserve(ctx, throttleKey)
	if err != nil {
		return LoginResult{}, err
	}
	acct, hash, err := s.lookup(ctx, where, arg)
	if err != nil {
		s.release(ctx, attempt)
		return LoginResult{}, err
	}
	ok := false
	if acct.id == "" {
		err = s.Passwords.DummyCheck(ctx, pw)
	} else {
		ok, err = s.Passwords.Check(ctx, hash, pw)
	}
	if err != nil {
		s.release(ctx, attempt)
		return LoginResult{}, err
	}
	if !ok {
		return LoginResult{}, s.failed(ctx, name, acct) // the reservation stays: it is the failure
	}
	return s.succeed(ctx, attempt, throttleKey, acct)
}

// failed audits a failed sign-in by the name it tried (and by no user id)
// and returns the one answer every failure gets.
func (s *Service) failed(ctx context.Context, name string, acct account) error {
	actx := access.With(context.WithoutCancel(ctx), &access.Principal{Username: name})
	err := s.DB.Tx(actx, func(tx *db.Tx) error {
		return audit.Record(actx, tx, audit.Event{ZoneID: acct.zoneID, Entity: "session", EntityID: acct.id, Action: "login_failed",
			Summary: map[string]any{"username": name}})
	})
	if err != nil {
		return err
	}
	return apperr.New(apperr.Unauthorized, "problem.bad_credentials")
}

// account is a user as signing in reads them.
type account struct{ id, username, zoneID, displayName string }

// succeed forgives the attempt (and the earlier failures of throttleKey)
// and opens a session for a, in one transaction.
func (s *Service) succeed(ctx context.Context, a attempt, throttleKey string, acct account) (LoginResult, error) {
	var res LoginResult
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := forgive(ctx, tx, a, throttleKey); err != nil {
			return err
		}
		var err error
		res, err = s.SignIn(ctx, tx, acct.id, acct.username, acct.displayName, acct.zoneID)
		return err
	})
	return res, err
}

// SignIn opens a session for a user inside tx (audited as a sign-in): for
// sign-in paths that checked the person by other means (an invitation just
// accepted).
func (s *Service) SignIn(ctx context.Context, tx *db.Tx, userID, username, displayName, zoneID string) (LoginResult, error) {
	var res LoginResult
	sess, err := s.createSession(ctx, tx, userID)
	if err != nil {
		return res, err
	}
	res.Session = sess
	gs, err := access.LoadGrants(ctx, tx, []string{userID})
	if err != nil {
		return res, err
	}
	res.User = Brief{ID: userID, Username: username, DisplayName: displayName, Grants: gs[userID]}
	actx := access.With(ctx, &access.Principal{UserID: userID, Username: username})
	return res, audit.Record(actx, tx, audit.Event{ZoneID: zoneID, Entity: "session", EntityID: sess.ID, Action: "login"})
}

// ChangePassword changes the caller's own password after checking the
// current one, and ends the caller's other sessions. A wrong current
// password counts as a failed sign-in. Returns EVALIDATION,
// ERATELIMITED, EUNAVAILABLE.
func (s *Service) ChangePassword(ctx context.Context, current, next string) error {
	p := access.From(ctx)
	var fs apperr.Fields
	if current == "" {
		fs.Add("current_password", "required")
	}
	password.Validate(&fs, "new_password", next, p.Username)
	if err := fs.Err(); err != nil {
		return err
	}
	attempt, err := s.reserve(ctx, p.Username)
	if err != nil {
		return err
	}
	var hash string
	if err := s.DB.R.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1`, p.UserID).Scan(&hash); err != nil {
		s.release(ctx, attempt)
		return err
	}
	ok, err := s.Passwords.Check(ctx, hash, current)
	if err != nil {
		s.release(ctx, attempt)
		return err
	}
	if !ok {
		return apperr.Field("current_password", "wrong_password")
	}
	newHash, err := s.Passwords.Hash(ctx, next)
	if err != nil {
		s.release(ctx, attempt)
		return err
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := forgive(ctx, tx, attempt, ""); err != nil {
			return err
		}
		if err := SetHash(ctx, tx, p.UserID, newHash, p.SessionID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: p.ZoneID, Entity: "user", EntityID: p.UserID, Action: "change_password"})
	})
}

// SetHash stores a user's new password hash and ends every session of the
// user but keepSession ("" ends them all).
func SetHash(ctx context.Context, tx *db.Tx, userID, hash, keepSession string) error {
	tx.TakesRightsAway()
	if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, version = version + 1, updated_at = $2 WHERE id = $3`,
		hash, db.Micros(tx.Now), userID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, userID, keepSession)
	return err
}

// Permission is what the caller may do on one scope node, for the console
// to show only what the caller can use.
type Permission struct {
	ScopeID   string        `json:"scope_id"`
	ScopeKind string        `json:"scope_kind"`
	Perms     []access.Perm `json:"perms"`
}

// Permissions returns, per node the caller holds grants on, the
// permissions those grants give there (over the node's subtree).
func Permissions(p *access.Principal) []Permission {
	out := []Permission{}
	index := map[string]int{}
	for _, g := range p.Grants {
		i, ok := index[g.ScopeID]
		if !ok {
			i = len(out)
			index[g.ScopeID] = i
			out = append(out, Permission{ScopeID: g.ScopeID, ScopeKind: g.Kind, Perms: []access.Perm{}})
		}
		for _, perm := range access.PermsOf(g.Role) {
			if !slices.Contains(out[i].Perms, perm) {
				out[i].Perms = append(out[i].Perms, perm)
			}
		}
	}
	return out
}

// clientAddr is the address throttling counts per.
func clientAddr(ctx context.Context) string { return reqctx.From(ctx).ClientAddr }
