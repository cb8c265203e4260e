package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
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
// With Principals set, the principal comes from memory while the cache is
// trusted (see Principals). Returns EUNAUTHORIZED when the token is
// unknown, revoked or expired.
func (s *Service) Authenticate(ctx context.Context, token string) (*access.Principal, error) {
	if token == "" {
		return nil, apperr.New(apperr.Unauthorized, "")
	}
	now := db.Micros(s.DB.Now())
	hash := hashToken(token)
	var t ticket
	if c := s.Principals; c != nil {
		var r *remembered
		if r, t = c.lookup(ctx, hash); r != nil {
			// The remembered expiry is never later than the row's (it only
			// slides forward, and this process slid it), so an expired
			// one is read again rather than refused.
			if r.expiresAt >= now && now < r.createdAt+s.MaxAge.Microseconds() {
				p := r.p
				s.slide(ctx, &p, r.expiresAt, r.createdAt, now, hash)
				return &p, nil
			}
			c.drop(hash)
		}
	}
	r, err := s.load(ctx, hash)
	if err != nil {
		return nil, err
	}
	if r == nil || r.expiresAt < now || now >= r.createdAt+s.MaxAge.Microseconds() {
		return nil, apperr.New(apperr.Unauthorized, "problem.session_expired")
	}
	if s.Principals != nil {
		s.Principals.keep(t, hash, r)
	}
	p := r.p
	s.slide(ctx, &p, r.expiresAt, r.createdAt, now, hash)
	return &p, nil
}

// load reads the session with token hash hash, its user and the user's
// grants with their nodes as they stand now, in one round trip (a user
// without grants gets one row of NULLs from the outer joins); nil when
// there is no such session.
func (s *Service) load(ctx context.Context, hash string) (*remembered, error) {
	rows, err := s.DB.R.QueryContext(ctx, `SELECT s.id, s.csrf_token, s.expires_at, s.created_at, u.id, u.username, u.display_name, u.zone_id, u.person_id,
		g.id, g.role, g.scope_id, n.kind, n.path, n.zone_id
		FROM sessions s JOIN users u ON u.id = s.user_id
		LEFT JOIN grants g ON g.user_id = u.id
		LEFT JOIN scope_nodes n ON n.id = g.scope_id
		WHERE s.token_hash = $1 ORDER BY g.id`, hash)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		r     remembered
		found bool
	)
	p := &r.p
	for rows.Next() {
		var gid, role, scope, kind, path, zone, person sql.NullString
		if err := rows.Scan(&p.SessionID, &p.CSRFToken, &r.expiresAt, &r.createdAt, &p.UserID, &p.Username, &p.DisplayName, &p.ZoneID, &person,
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
	if err := rows.Err(); err != nil || !found {
		return nil, err
	}
	return &r, nil
}

// slide extends the session of p when a tenth of TTL has passed since its
// expiry was last set. Best effort: a failed renewal must not fail the
// request.
func (s *Service) slide(ctx context.Context, p *access.Principal, expiresAt, createdAt, now int64, hash string) {
	ttl := s.TTL.Microseconds()
	if expiresAt-now >= ttl-ttl/10 {
		return
	}
	next := min(now+ttl, createdAt+s.MaxAge.Microseconds())
	if next <= expiresAt {
		return
	}
	if _, err := s.DB.W.ExecContext(ctx, `UPDATE sessions SET expires_at = $1, last_seen_at = $2 WHERE id = $3`,
		next, now, p.SessionID); err == nil && s.Principals != nil {
		s.Principals.slid(hash, next)
	}
}

// ExpiresAt returns the session's current expiry: EUNAUTHORIZED when it
// has ended meanwhile (another replica's logout not yet heard of).
func (s *Service) ExpiresAt(ctx context.Context, sessionID string) (time.Time, error) {
	var us int64
	err := s.DB.R.QueryRowContext(ctx, `SELECT expires_at FROM sessions WHERE id = $1`, sessionID).Scan(&us)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, apperr.New(apperr.Unauthorized, "problem.session_expired")
	}
	return db.FromMicros(us), err
}

// Logout revokes the caller's session at once (audited).
func (s *Service) Logout(ctx context.Context) error {
	p := access.From(ctx)
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		tx.TakesRightsAway()
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
