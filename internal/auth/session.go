package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
)

// Sessions are rows of the sessions table, shared by every replica. The
// client holds a random token; the table holds only its SHA-256, so a
// leaked database does not leak usable tokens. Bearer tokens and cookie
// sessions are the same thing seen through two headers.

func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return "txs_" + base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// CookieName is the session cookie.
const CookieName = "tongxin_session"

// Session is a signed-in session.
type Session struct {
	ID        string
	Token     string // only set when just created
	UserID    string
	CSRFToken string
	ExpiresAt time.Time
}

func (s *Service) createSession(ctx context.Context, tx *db.Tx, userID string) (Session, error) {
	addr := clientAddr(ctx)
	sess := Session{
		ID: uuid.Must(uuid.NewV7()).String(), Token: newToken(), UserID: userID,
		CSRFToken: base64.RawURLEncoding.EncodeToString(randomBytes(24)),
		ExpiresAt: tx.Now.Add(s.TTL),
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, token_hash, user_id, csrf_token, client_addr, created_at, expires_at, last_seen_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $6)`,
		sess.ID, hashToken(sess.Token), userID, sess.CSRFToken, addr, db.Micros(tx.Now), db.Micros(sess.ExpiresAt))
	return sess, err
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// Authenticate returns the principal behind token. The session's expiry
// slides forward by TTL when more than a tenth of it has passed since it was
// last extended (so an active user is not signed out, and a busy one does
// not cost a write per request), but never past MaxAge after sign-in.
// Returns EUNAUTHORIZED when the token is unknown, revoked or expired.
func (s *Service) Authenticate(ctx context.Context, token string) (*access.Principal, error) {
	if token == "" {
		return nil, apperr.New(apperr.Unauthorized, "")
	}
	now := s.DB.Now()
	// One round trip: the session, its user and the user's grants with
	// their nodes as they stand now (a user without grants gets one row of
	// NULLs from the outer joins).
	rows, err := s.DB.QueryPrepared(ctx, `SELECT s.id, s.csrf_token, s.expires_at, s.created_at, u.id, u.username, u.display_name, u.zone_id, u.person_id,
		g.id, g.role, g.scope_id, n.kind, n.path, n.zone_id
		FROM sessions s JOIN users u ON u.id = s.user_id
		LEFT JOIN grants g ON g.user_id = u.id
		LEFT JOIN scope_nodes n ON n.id = g.scope_id
		WHERE s.token_hash = $1 ORDER BY g.id`, hashToken(token))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		p                    access.Principal
		expiresAt, createdAt int64
		found                bool
	)
	for rows.Next() {
		var gid, role, scope, kind, path, zone, person sql.NullString
		if err := rows.Scan(&p.SessionID, &p.CSRFToken, &expiresAt, &createdAt, &p.UserID, &p.Username, &p.DisplayName, &p.ZoneID, &person,
			&gid, &role, &scope, &kind, &path, &zone); err != nil {
			return nil, err
		}
		found = true
		p.PersonID = person.String
		if gid.Valid && path.Valid { // a grant whose node is gone covers nothing
			p.Grants = append(p.Grants, access.Grant{ID: gid.String, Role: role.String, ScopeID: scope.String,
				Kind: kind.String, Path: path.String, ZoneID: zone.String})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	end := db.FromMicros(createdAt).Add(s.MaxAge)
	if !found || db.FromMicros(expiresAt).Before(now) || !now.Before(end) {
		return nil, apperr.New(apperr.Unauthorized, "problem.session_expired")
	}
	if db.FromMicros(expiresAt).Sub(now) < s.TTL-s.TTL/10 {
		// Slide. Best effort: a failed renewal must not fail the request.
		next := now.Add(s.TTL)
		if next.After(end) {
			next = end
		}
		_, _ = s.DB.W.ExecContext(ctx, `UPDATE sessions SET expires_at = $1, last_seen_at = $2 WHERE id = $3`,
			db.Micros(next), db.Micros(now), p.SessionID)
	}
	return &p, nil
}

// ExpiresAt returns the session's current expiry.
func (s *Service) ExpiresAt(ctx context.Context, sessionID string) (time.Time, error) {
	var us int64
	err := s.DB.R.QueryRowContext(ctx, `SELECT expires_at FROM sessions WHERE id = $1`, sessionID).Scan(&us)
	return db.FromMicros(us), err
}

// Logout revokes the caller's session at once (audited).
func (s *Service) Logout(ctx context.Context) error {
	p := access.From(ctx)
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, p.SessionID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: p.ZoneID, Entity: "session", EntityID: p.SessionID, Action: "logout"})
	})
}

// PruneSessions deletes expired sessions, the throttling rows that have
// left the window and SMS codes older than a day.
func (s *Service) PruneSessions(ctx context.Context) (int64, error) {
	var n int64
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1`, db.Micros(tx.Now))
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE at < $1`, db.Micros(tx.Now.Add(-throttleWindow))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_locks WHERE at < $1`, db.Micros(tx.Now.Add(-throttleWindow))); err != nil {
			return err
		}
		// SMS codes count against the hourly limits; after a day they are
		// of no use.
		_, err = tx.ExecContext(ctx, `DELETE FROM sms_codes WHERE created_at < $1`, db.Micros(tx.Now.Add(-24*time.Hour)))
		return err
	})
	return n, err
}
