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
	"tongxin/internal/password"
	"tongxin/internal/reqctx"
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
	attempt, err := s.reserve(ctx, username)
	if err != nil {
		return LoginResult{}, err
	}
	var id, hash, zoneID, displayName string
	err = s.DB.R.QueryRowContext(ctx, `SELECT id, password_hash, zone_id, display_name FROM users WHERE username = $1`, username).
		Scan(&id, &hash, &zoneID, &displayName)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		s.release(ctx, attempt)
		return LoginResult{}, err
	}
	ok := false
	if id == "" {
		err = s.Passwords.DummyCheck(ctx, pw)
	} else {
		ok, err = s.Passwords.Check(ctx, hash, pw)
	}
	if err != nil {
		s.release(ctx, attempt)
		return LoginResult{}, err
	}
	if !ok {
		// The reservation stays: it is the failure.
		// The attempt is recorded by the name it tried (and by no user id).
		actx := access.With(context.WithoutCancel(ctx), &access.Principal{Username: username})
		err := s.DB.Tx(actx, func(tx *db.Tx) error {
			return audit.Record(actx, tx, audit.Event{ZoneID: zoneID, Entity: "session", EntityID: id, Action: "login_failed",
				Summary: map[string]any{"username": username}})
		})
		if err != nil {
			return LoginResult{}, err
		}
		return LoginResult{}, apperr.New(apperr.Unauthorized, "problem.bad_credentials")
	}
	var res LoginResult
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := forgive(ctx, tx, attempt, username); err != nil {
			return err
		}
		sess, err := s.createSession(ctx, tx, id)
		if err != nil {
			return err
		}
		res.Session = sess
		gs, err := access.LoadGrants(ctx, tx, []string{id})
		if err != nil {
			return err
		}
		res.User = Brief{ID: id, Username: username, DisplayName: displayName, Grants: gs[id]}
		actx := access.With(ctx, &access.Principal{UserID: id, Username: username})
		return audit.Record(actx, tx, audit.Event{ZoneID: zoneID, Entity: "session", EntityID: sess.ID, Action: "login"})
	})
	return res, err
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
