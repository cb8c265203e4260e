// Package auth signs users in and out, keeps their sessions, and manages
// users and their grants. Who may do what is decided in package access;
// this package enforces it on the user-management operations.
package auth

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/httpx"
)

// Service holds the auth operations.
type Service struct {
	DB  *db.DB
	TTL time.Duration
	// MaxFailures is how many failed sign-ins one username may have in
	// throttleWindow; one client address may have 5× as many.
	MaxFailures int
}

const throttleWindow = 15 * time.Minute

// User is a user as the API shows it.
type User struct {
	ID          string         `json:"id"`
	ZoneID      string         `json:"zone_id"`
	Username    string         `json:"username"`
	DisplayName string         `json:"display_name"`
	PersonID    *string        `json:"person_id"`
	Grants      []access.Grant `json:"grants"`
	Version     int            `json:"version"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
}

// LoginResult is what a successful sign-in returns.
type LoginResult struct {
	Session Session
	User    User
}

// Login checks the credentials and opens a session. Returns ERATELIMITED
// (with RetryAfter) when the username or the client address has too many
// recent failures, EUNAUTHORIZED for wrong credentials.
func (s *Service) Login(ctx context.Context, username, password string) (LoginResult, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	addr := httpx.ClientAddr(ctx)
	now := s.DB.Now()
	for _, k := range []struct {
		key string
		max int
	}{{"u:" + username, s.MaxFailures}, {"a:" + addr, 5 * s.MaxFailures}} {
		wait, err := s.throttled(ctx, k.key, k.max, now)
		if err != nil {
			return LoginResult{}, err
		}
		if wait > 0 {
			e := apperr.New(apperr.RateLimited, "problem.login_throttled")
			e.RetryAfter = wait
			return LoginResult{}, e
		}
	}
	var id, hash string
	err := s.DB.R.QueryRowContext(ctx, `SELECT id, password_hash FROM users WHERE username = $1`, username).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		hash = dummyHash
	} else if err != nil {
		return LoginResult{}, err
	}
	if !CheckPassword(hash, password) || id == "" {
		err := s.DB.Tx(ctx, func(tx *db.Tx) error {
			for _, key := range []string{"u:" + username, "a:" + addr} {
				if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (id, key, at) VALUES ($1, $2, $3)`,
					uuid.Must(uuid.NewV7()).String(), key, db.Micros(tx.Now)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return LoginResult{}, err
		}
		return LoginResult{}, apperr.New(apperr.Unauthorized, "problem.bad_credentials")
	}
	var res LoginResult
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key = $1`, "u:"+username); err != nil {
			return err
		}
		sess, err := s.createSession(ctx, tx, id, addr)
		if err != nil {
			return err
		}
		u, err := getUser(ctx, tx, id)
		if err != nil {
			return err
		}
		res = LoginResult{Session: sess, User: u}
		actx := access.With(ctx, &access.Principal{UserID: u.ID, Username: u.Username})
		return audit.Record(actx, tx, audit.Event{ZoneID: u.ZoneID, Entity: "session", EntityID: sess.ID, Action: "login"})
	})
	return res, err
}

// throttled returns how long key must wait, or 0 when it may try.
func (s *Service) throttled(ctx context.Context, key string, max int, now time.Time) (time.Duration, error) {
	since := db.Micros(now.Add(-throttleWindow))
	var n int
	var oldest sql.NullInt64
	err := s.DB.R.QueryRowContext(ctx, `SELECT COUNT(*), MIN(at) FROM login_failures WHERE key = $1 AND at >= $2`, key, since).Scan(&n, &oldest)
	if err != nil || n < max {
		return 0, err
	}
	// Wait until enough failures age out of the window to fall below max.
	var at int64
	err = s.DB.R.QueryRowContext(ctx, `SELECT at FROM login_failures WHERE key = $1 AND at >= $2 ORDER BY at LIMIT 1 OFFSET $3`,
		key, since, n-max).Scan(&at)
	if err != nil {
		return 0, err
	}
	return max1s(db.FromMicros(at).Add(throttleWindow).Sub(now)), nil
}

func max1s(d time.Duration) time.Duration { return max(d, time.Second) }

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,31}$`)

func validatePassword(fs *apperr.Fields, field, pw string) {
	switch n := utf8.RuneCountInString(pw); {
	case n == 0:
		fs.Add(field, "required")
	case n < 8:
		fs.Add(field, "too_short", "Min", 8)
	case n > 128:
		fs.Add(field, "too_long", "Max", 128)
	}
}

// NewUser is the input of CreateUser.
type NewUser struct {
	ZoneID      string
	Username    string
	Password    string
	DisplayName string
	PersonID    string
}

// CreateUser creates a user in a zone. Callers need user.manage on the
// whole zone. Returns EVALIDATION for bad fields, ECONFLICT when the
// username is taken, EFORBIDDEN without the right.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (User, error) {
	p := access.From(ctx)
	sc := p.Scope(access.UserManage)
	if sc.Empty() {
		return User{}, apperr.New(apperr.Forbidden, "")
	}
	if in.ZoneID == "" {
		if z, ok := sc.SingleZone(); ok {
			in.ZoneID = z
		} else if !sc.AllZones {
			in.ZoneID = p.ZoneID
		}
	}
	in.Username = strings.TrimSpace(in.Username)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	var fs apperr.Fields
	if in.Username == "" {
		fs.Add("username", "required")
	} else if !usernamePattern.MatchString(in.Username) {
		fs.Add("username", "username_format")
	}
	validatePassword(&fs, "password", in.Password)
	if in.DisplayName == "" {
		fs.Add("display_name", "required")
	} else if utf8.RuneCountInString(in.DisplayName) > 50 {
		fs.Add("display_name", "too_long", "Max", 50)
	}
	if in.ZoneID == "" {
		fs.Add("zone_id", "required")
	}
	if err := fs.Err(); err != nil {
		return User{}, err
	}
	if !sc.CoversZone(in.ZoneID) {
		return User{}, apperr.New(apperr.Forbidden, "")
	}
	hash := HashPassword(in.Password)
	var u User
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		id, err := insertUser(ctx, tx, in.ZoneID, in.Username, in.DisplayName, hash, in.PersonID)
		if err != nil {
			return err
		}
		u, err = getUser(ctx, tx, id)
		return err
	})
	return u, err
}

const userCols = `id, zone_id, username, display_name, person_id, version, created_at, updated_at`

func scanUser(s httpx.Scanner) (User, error) {
	var u User
	err := s.Scan(&u.ID, &u.ZoneID, &u.Username, &u.DisplayName, &u.PersonID, &u.Version, db.T(&u.CreatedAt), db.T(&u.UpdatedAt))
	return u, err
}

func getUser(ctx context.Context, q db.Querier, id string) (User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.New(apperr.NotFound, "")
	}
	if err != nil {
		return u, err
	}
	u.Grants, err = loadGrants(ctx, q, id)
	return u, err
}

// visibleUser returns the user when it lies in sc (its home zone is covered),
// else ENOTFOUND.
func visibleUser(ctx context.Context, q db.Querier, sc access.Scope, id string) (User, error) {
	var a db.Args
	where := sc.Where(access.Cols{Zone: "zone_id"}, &a)
	var n int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM users WHERE id = "+a.Add(id)+" AND "+where, a...).Scan(&n); err != nil {
		return User{}, err
	}
	if n == 0 {
		return User{}, apperr.New(apperr.NotFound, "")
	}
	return getUser(ctx, q, id)
}

// GetUser returns a user the caller may manage. Returns ENOTFOUND otherwise.
func (s *Service) GetUser(ctx context.Context, id string) (User, error) {
	return visibleUser(ctx, s.DB.R, access.From(ctx).Scope(access.UserManage), id)
}

// ListUsers lists the users of the zones where the caller has user.manage.
func (s *Service) ListUsers(ctx context.Context, page httpx.Page) (httpx.List[User], error) {
	sc := access.From(ctx).Scope(access.UserManage)
	var a db.Args
	where := sc.Where(access.Cols{Zone: "zone_id"}, &a)
	if page.Query != "" {
		like := a.Add(db.Like(page.Query))
		where += " AND (LOWER(username) LIKE " + like + ` ESCAPE '\' OR LOWER(display_name) LIKE ` + like + ` ESCAPE '\')`
	}
	list, err := httpx.ListRows(ctx, s.DB.R, page, "users", userCols, where, a, scanUser, func(u User) string { return u.ID })
	if err != nil || len(list.Items) == 0 {
		return list, err
	}
	ids := make([]string, len(list.Items))
	for i, u := range list.Items {
		ids[i] = u.ID
	}
	grants, err := grantsOf(ctx, s.DB.R, ids)
	for i := range list.Items {
		list.Items[i].Grants = grants[list.Items[i].ID]
		if list.Items[i].Grants == nil {
			list.Items[i].Grants = []access.Grant{}
		}
	}
	return list, err
}

// canGrant reports whether p may grant or revoke role on node n: it needs
// user.manage on a scope covering n, and platform_admin only platform
// administrators may hand out.
func canGrant(p *access.Principal, role string, n access.Node) bool {
	if role == access.PlatformAdmin {
		return p.Scope(access.ZoneManage).AllZones
	}
	return p.Scope(access.UserManage).Covers(n.Path)
}

// AddGrant grants role on scopeID to a user. Returns ENOTFOUND when the
// user is not one the caller manages, EVALIDATION for an unknown role or
// scope or a role that does not fit the scope's kind, EFORBIDDEN when the
// grant reaches beyond the caller's own scope, ECONFLICT when it exists.
func (s *Service) AddGrant(ctx context.Context, userID, role, scopeID string) (access.Grant, error) {
	p := access.From(ctx)
	var g access.Grant
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		u, err := visibleUser(ctx, tx, p.Scope(access.UserManage), userID)
		if err != nil {
			return err
		}
		var fs apperr.Fields
		if role == "" {
			fs.Add("role", "required")
		} else if !access.ValidRole(role) {
			fs.Add("role", "unknown_value")
		}
		if scopeID == "" {
			fs.Add("scope_id", "required")
		}
		if err := fs.Err(); err != nil {
			return err
		}
		n, err := access.GetNode(ctx, tx, scopeID)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.Field("scope_id", "unknown_scope")
		}
		if err != nil {
			return err
		}
		if !canGrant(p, role, n) {
			return apperr.New(apperr.Forbidden, "problem.grant_beyond_scope")
		}
		if !access.RoleFits(role, n.Kind) {
			return apperr.Field("role", "role_scope_mismatch", "Kind", n.Kind)
		}
		if n.ZoneID != u.ZoneID && !p.Scope(access.ZoneManage).AllZones {
			return apperr.Field("scope_id", "other_zone")
		}
		g, err = insertGrant(ctx, tx, userID, u.Username, role, n, p.UserID)
		return err
	})
	return g, err
}

func parkOf(n access.Node) string {
	if n.Kind == access.KindPark {
		return n.ID
	}
	return ""
}

// RevokeGrant removes a grant. Same rights as AddGrant; ENOTFOUND when the
// user or grant is not visible.
func (s *Service) RevokeGrant(ctx context.Context, userID, grantID string) error {
	p := access.From(ctx)
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		u, err := visibleUser(ctx, tx, p.Scope(access.UserManage), userID)
		if err != nil {
			return err
		}
		var g *access.Grant
		for i := range u.Grants {
			if u.Grants[i].ID == grantID {
				g = &u.Grants[i]
			}
		}
		if g == nil {
			return apperr.New(apperr.NotFound, "")
		}
		n := access.Node{ID: g.ScopeID, Kind: g.ScopeKind, Path: g.ScopePath, ZoneID: g.ZoneID}
		if !canGrant(p, g.Role, n) {
			return apperr.New(apperr.Forbidden, "problem.grant_beyond_scope")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM grants WHERE id = $1`, grantID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: g.ZoneID, ParkID: parkOf(n), Entity: "grant", EntityID: g.ID, Action: "delete",
			Summary: map[string]any{"user_id": userID, "username": u.Username, "role": g.Role, "scope_id": g.ScopeID}})
	})
}

// ResetPassword sets another user's password and signs that user out
// everywhere. Callers need user.manage over the user's zone.
func (s *Service) ResetPassword(ctx context.Context, userID, password string) error {
	if _, err := s.GetUser(ctx, userID); err != nil {
		return err
	}
	var fs apperr.Fields
	validatePassword(&fs, "password", password)
	if err := fs.Err(); err != nil {
		return err
	}
	hash := HashPassword(password)
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		u, err := visibleUser(ctx, tx, access.From(ctx).Scope(access.UserManage), userID)
		if err != nil {
			return err
		}
		if err := setPassword(ctx, tx, userID, hash, ""); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: u.ZoneID, Entity: "user", EntityID: userID, Action: "reset_password",
			Summary: map[string]any{"username": u.Username}})
	})
}

// ChangePassword changes the caller's own password after checking the
// current one, and ends the caller's other sessions.
func (s *Service) ChangePassword(ctx context.Context, current, next string) error {
	p := access.From(ctx)
	var fs apperr.Fields
	if current == "" {
		fs.Add("current_password", "required")
	}
	validatePassword(&fs, "new_password", next)
	if err := fs.Err(); err != nil {
		return err
	}
	var hash string
	if err := s.DB.R.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1`, p.UserID).Scan(&hash); err != nil {
		return err
	}
	if !CheckPassword(hash, current) {
		return apperr.Field("current_password", "wrong_password")
	}
	newHash := HashPassword(next)
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		if err := setPassword(ctx, tx, p.UserID, newHash, p.SessionID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: p.ZoneID, Entity: "user", EntityID: p.UserID, Action: "change_password"})
	})
}

func setPassword(ctx context.Context, tx *db.Tx, userID, hash, keepSession string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, version = version + 1, updated_at = $2 WHERE id = $3`,
		hash, db.Micros(tx.Now), userID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, userID, keepSession)
	return err
}
