// Package users manages the people who sign in and what they may do: users
// (each with a home zone) and their grants (a role on a scope node,
// covering its subtree). Nobody acts beyond their own rights: granting
// needs every permission of the role over the node, and any action on a
// user needs the caller's rights to cover every grant that user holds — so
// a zone administrator cannot take over a platform administrator or a user
// with grants in another zone.
package users

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/auth"
	"tongxin/internal/db"
	"tongxin/internal/i18n"
	"tongxin/internal/nodes"
	"tongxin/internal/page"
	"tongxin/internal/password"
	"tongxin/internal/valid"
)

// Manage lets a caller create users of a zone, grant and revoke roles, and
// reset passwords, within their own rights.
var Manage = access.NewPerm("user.manage", access.ZoneAdmin)

//go:embed locales/*.json
var locales embed.FS

// Locales holds this domain's messages.
func Locales() fs.FS { return i18n.Dir(locales) }

// Service holds the user-management operations.
type Service struct {
	DB        *db.DB
	Passwords *password.Pool
}

// User is a user and their grants.
type User struct {
	ID          string
	ZoneID      string
	Username    string
	DisplayName string
	PersonID    *string
	Grants      []access.Grant
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,31}$`)

const cols = `id, zone_id, username, display_name, person_id, version, created_at, updated_at`

func scan(s page.Scanner) (User, error) {
	var u User
	err := s.Scan(&u.ID, &u.ZoneID, &u.Username, &u.DisplayName, &u.PersonID, &u.Version, db.T(&u.CreatedAt), db.T(&u.UpdatedAt))
	return u, err
}

// attach: a user lies in their home zone.
var attach = access.ByZone("zone_id")

// withGrants fills the grants of us in one query.
func withGrants(ctx context.Context, q db.Querier, us []User) error {
	ids := make([]string, len(us))
	for i, u := range us {
		ids[i] = u.ID
	}
	gs, err := access.LoadGrants(ctx, q, ids)
	for i := range us {
		us[i].Grants = gs[us[i].ID]
	}
	return err
}

// visible returns the user when their home zone lies in the caller's
// user.manage scope, else ENOTFOUND.
func visible(ctx context.Context, q db.Querier, id string) (User, error) {
	var a db.Args
	where := access.From(ctx).Scope(Manage).Where(&a, attach)
	u, err := scan(q.QueryRowContext(ctx, "SELECT "+cols+" FROM users WHERE id = "+a.Add(id)+" AND "+where, a...))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.New(apperr.NotFound, "")
	}
	if err != nil {
		return u, err
	}
	us := []User{u}
	err = withGrants(ctx, q, us)
	return us[0], err
}

// canGrant reports whether p may grant or revoke role on the node at
// path: user.manage over it and every permission of the role over it
// (nobody grants more than they hold); platform_admin only a platform
// administrator hands out.
func canGrant(p *access.Principal, role, path string) bool {
	if role == access.PlatformAdmin {
		return p.IsPlatformAdmin()
	}
	if !access.ValidRole(role) || !p.Scope(Manage).Covers(path) {
		return false
	}
	for _, perm := range access.PermsOf(role) {
		if !p.Scope(perm).Covers(path) {
			return false
		}
	}
	return true
}

// manageable returns EFORBIDDEN unless p's rights cover every grant u
// holds (an action on a user is an action on all their rights).
func manageable(p *access.Principal, u User) error {
	for _, g := range u.Grants {
		if !canGrant(p, g.Role, g.Path) {
			return apperr.New(apperr.Forbidden, "problem.user_beyond_scope")
		}
	}
	return nil
}

// Get returns a user whose home zone the caller manages. Returns ENOTFOUND
// otherwise.
func (s *Service) Get(ctx context.Context, id string) (User, error) {
	return visible(ctx, s.DB.R, id)
}

// List lists the users of the zones where the caller has user.manage; q
// matches username or display name.
func (s *Service) List(ctx context.Context, p page.Page) (page.List[User], error) {
	var a db.Args
	where := access.From(ctx).Scope(Manage).Where(&a, attach)
	if p.Query != "" {
		like := a.Add(db.Like(p.Query))
		where += " AND (LOWER(username) LIKE " + like + ` ESCAPE '\' OR LOWER(display_name) LIKE ` + like + ` ESCAPE '\')`
	}
	list, err := page.Rows(ctx, s.DB.R, p, page.Query{From: "users", Cols: cols, Where: where, Args: a}, scan, page.ByID(func(u User) string { return u.ID }))
	if err != nil {
		return list, err
	}
	return list, withGrants(ctx, s.DB.R, list.Items)
}

// Input is what creating a user takes.
type Input struct {
	ZoneID      string
	Username    string
	Password    string
	DisplayName string
	PersonID    string
}

func validate(fs *apperr.Fields, in *Input) {
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	if in.Username == "" {
		fs.Add("username", "required")
	} else if !usernamePattern.MatchString(in.Username) {
		fs.Add("username", "username_format")
	}
	password.Validate(fs, "password", in.Password, in.Username)
	valid.Name(fs, "display_name", &in.DisplayName, 50)
}

// Create creates a user in a zone. Callers need user.manage on the whole
// zone; zone_id may be omitted when the caller's scope is one zone.
// Returns EVALIDATION, ECONFLICT when the username is taken, EFORBIDDEN,
// EUNAVAILABLE when too many passwords are being hashed.
func (s *Service) Create(ctx context.Context, in Input) (User, error) {
	p := access.From(ctx)
	sc := p.Scope(Manage)
	if in.ZoneID == "" {
		if z, ok := sc.SingleZone(); ok {
			in.ZoneID = z
		} else if !sc.All() {
			in.ZoneID = p.ZoneID
		}
	}
	var fs apperr.Fields
	validate(&fs, &in)
	if in.ZoneID == "" {
		fs.Add("zone_id", "required")
	}
	if err := fs.Err(); err != nil {
		return User{}, err
	}
	if !sc.CoversZone(in.ZoneID) {
		return User{}, apperr.New(apperr.Forbidden, "")
	}
	hash, err := s.Passwords.Hash(ctx, in.Password)
	if err != nil {
		return User{}, err
	}
	var u User
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		id, err := insert(ctx, tx, in, hash)
		if err != nil {
			return err
		}
		u, err = visible(ctx, tx, id)
		return err
	})
	return u, err
}

// insert writes a user and its audit entry inside tx. Returns ECONFLICT
// when the username is taken, EVALIDATION for an unknown zone or a
// person_id naming no person of the zone.
func insert(ctx context.Context, tx *db.Tx, in Input, hash string) (string, error) {
	if in.PersonID != "" {
		// The account is this person of the user's zone (they then read
		// their own record at /api/v1/people/me).
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE id = $1 AND zone_id = $2`, in.PersonID, in.ZoneID).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			return "", apperr.Field("person_id", "unknown_value")
		}
	}
	id := uuid.Must(uuid.NewV7()).String()
	_, err := tx.ExecContext(ctx, `INSERT INTO users (id, zone_id, username, display_name, password_hash, person_id, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)`, id, in.ZoneID, in.Username, in.DisplayName, hash, db.NullString(in.PersonID), db.Micros(tx.Now))
	if db.IsUnique(err) {
		return "", &apperr.Error{Code: apperr.Conflict, Fields: []apperr.FieldError{{Field: "username", Code: "taken"}}}
	}
	if db.IsForeignKey(err) {
		return "", apperr.Field("zone_id", "unknown_value")
	}
	if err != nil {
		return "", err
	}
	return id, audit.Record(ctx, tx, audit.Event{ZoneID: in.ZoneID, Entity: "user", EntityID: id, Action: "create",
		Summary: map[string]any{"username": in.Username, "display_name": in.DisplayName}})
}

// AddGrant grants role on scopeID to a user. Returns ENOTFOUND when the
// user is not one the caller manages; EFORBIDDEN when the user holds
// rights beyond the caller's or the grant would reach beyond them;
// EVALIDATION for an unknown role or scope, a role that does not fit the
// node's kind, or a node outside the user's zone; ECONFLICT when it exists.
func (s *Service) AddGrant(ctx context.Context, userID, role, scopeID string) (access.Grant, error) {
	p := access.From(ctx)
	var fs apperr.Fields
	if role == "" {
		fs.Add("role", "required")
	} else if !access.ValidRole(role) {
		fs.Add("role", "unknown_value")
	}
	if scopeID == "" {
		fs.Add("scope_id", "required")
	}
	var g access.Grant
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		u, err := visible(ctx, tx, userID)
		if err != nil {
			return err
		}
		if err := manageable(p, u); err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		n, err := nodes.Get(ctx, tx, scopeID)
		if apperr.Is(err, apperr.NotFound) || (err == nil && !p.Scope(Manage).Covers(n.Path) && !p.IsPlatformAdmin()) {
			return apperr.Field("scope_id", "unknown_scope") // nodes the caller cannot see look absent
		}
		if err != nil {
			return err
		}
		if !access.RoleFits(role, n.Kind) {
			return apperr.Field("role", "role_scope_mismatch", "Kind", n.Kind)
		}
		if !canGrant(p, role, n.Path) {
			return apperr.New(apperr.Forbidden, "problem.grant_beyond_scope")
		}
		if n.ZoneID != u.ZoneID && !p.IsPlatformAdmin() {
			return apperr.Field("scope_id", "other_zone")
		}
		g, err = insertGrant(ctx, tx, u, role, n, p.UserID)
		return err
	})
	return g, err
}

// insertGrant writes a grant of role on node n and its audit entry inside
// tx. grantedBy is "" for operator grants. Returns ECONFLICT when the user
// already holds it.
func insertGrant(ctx context.Context, tx *db.Tx, u User, role string, n nodes.Node, grantedBy string) (access.Grant, error) {
	g := access.Grant{ID: uuid.Must(uuid.NewV7()).String(), Role: role, ScopeID: n.ID, Kind: n.Kind, Path: n.Path, ZoneID: n.ZoneID}
	_, err := tx.ExecContext(ctx, `INSERT INTO grants (id, zone_id, user_id, role, scope_id, granted_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, g.ID, g.ZoneID, u.ID, role, n.ID, db.NullString(grantedBy), db.Micros(tx.Now))
	if db.IsUnique(err) {
		return g, apperr.New(apperr.Conflict, "problem.grant_exists")
	}
	if err != nil {
		return g, err
	}
	return g, audit.Record(ctx, tx, audit.Event{ZoneID: n.ZoneID, Node: n.ID, Entity: "grant", EntityID: g.ID, Action: "create",
		Summary: map[string]any{"user_id": u.ID, "username": u.Username, "role": role, "scope_id": n.ID, "scope_name": n.Name}})
}

// RevokeGrant removes a grant. The caller's rights must cover every grant
// the user holds. Returns ENOTFOUND when the user or grant is not visible,
// EFORBIDDEN.
func (s *Service) RevokeGrant(ctx context.Context, userID, grantID string) error {
	p := access.From(ctx)
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		u, err := visible(ctx, tx, userID)
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
		if err := manageable(p, u); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: g.ZoneID, Node: g.ScopeID, Entity: "grant", EntityID: g.ID, Action: "delete",
			Summary: map[string]any{"user_id": userID, "username": u.Username, "role": g.Role, "scope_id": g.ScopeID}}); err != nil {
			return err
		}
		tx.TakesRightsAway()
		_, err = tx.ExecContext(ctx, `DELETE FROM grants WHERE id = $1`, grantID)
		return err
	})
}

// ResetPassword sets another user's password and signs that user out
// everywhere. The caller's rights must cover every grant the user holds.
// Returns ENOTFOUND, EFORBIDDEN, EVALIDATION, EUNAVAILABLE.
func (s *Service) ResetPassword(ctx context.Context, userID, pw string) error {
	p := access.From(ctx)
	u, err := visible(ctx, s.DB.R, userID)
	if err != nil {
		return err
	}
	if err := manageable(p, u); err != nil {
		return err
	}
	var fs apperr.Fields
	password.Validate(&fs, "password", pw, u.Username)
	if err := fs.Err(); err != nil {
		return err
	}
	hash, err := s.Passwords.Hash(ctx, pw)
	if err != nil {
		return err
	}
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		// Checked again inside the write: grants may have changed meanwhile.
		u, err := visible(ctx, tx, userID)
		if err != nil {
			return err
		}
		if err := manageable(p, u); err != nil {
			return err
		}
		if err := auth.SetHash(ctx, tx, userID, hash, ""); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: u.ZoneID, Entity: "user", EntityID: userID, Action: "reset_password",
			Summary: map[string]any{"username": u.Username}})
	})
}

// Bind creates, inside tx, an account bound to a people record with an
// already hashed password and no grant (package invitations, once the
// person has proved who they are). Returns ECONFLICT when the username is
// taken or the person already has an account.
func Bind(ctx context.Context, tx *db.Tx, in Input, hash string) (string, error) {
	var fs apperr.Fields
	valid.Name(&fs, "display_name", &in.DisplayName, 50)
	if in.PersonID == "" {
		fs.Add("person_id", "required")
	}
	if err := fs.Err(); err != nil {
		return "", err
	}
	return insert(ctx, tx, in, hash)
}

// Operator functions serve the command line (tongxin user …), first start
// and the demo loader: whoever runs them holds the database itself, so they
// check no grants. They are audited with the actor "system".

// Add creates a user inside tx and returns its id.
func Add(ctx context.Context, tx *db.Tx, pool *password.Pool, zoneID, username, displayName, pw string) (string, error) {
	in := Input{ZoneID: zoneID, Username: username, DisplayName: displayName, Password: pw}
	var fs apperr.Fields
	validate(&fs, &in)
	if err := fs.Err(); err != nil {
		return "", err
	}
	hash, err := pool.Hash(ctx, pw)
	if err != nil {
		return "", err
	}
	id, err := insert(ctx, tx, in, hash)
	if apperr.Is(err, apperr.Conflict) {
		return "", fmt.Errorf("username %q is taken", in.Username)
	}
	return id, err
}

// ID returns the id and home zone of username.
func ID(ctx context.Context, q db.Querier, username string) (id, zoneID string, err error) {
	err = q.QueryRowContext(ctx, `SELECT id, zone_id FROM users WHERE username = $1`, strings.ToLower(username)).Scan(&id, &zoneID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("no user %q", username)
	}
	return id, zoneID, err
}

// SetPassword sets a user's password and ends their sessions.
func SetPassword(ctx context.Context, tx *db.Tx, pool *password.Pool, username, pw string) error {
	id, zoneID, err := ID(ctx, tx, username)
	if err != nil {
		return err
	}
	var fs apperr.Fields
	password.Validate(&fs, "password", pw, username)
	if err := fs.Err(); err != nil {
		return err
	}
	hash, err := pool.Hash(ctx, pw)
	if err != nil {
		return err
	}
	if err := auth.SetHash(ctx, tx, id, hash, ""); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Event{ZoneID: zoneID, Entity: "user", EntityID: id, Action: "reset_password",
		Summary: map[string]any{"username": username}})
}

// Grant gives username role on scopeID.
func Grant(ctx context.Context, tx *db.Tx, username, role, scopeID string) error {
	id, _, err := ID(ctx, tx, username)
	if err != nil {
		return err
	}
	if !access.ValidRole(role) {
		return fmt.Errorf("unknown role %q (one of %s)", role, strings.Join(access.Roles, ", "))
	}
	n, err := nodes.Get(ctx, tx, scopeID)
	if err != nil {
		return fmt.Errorf("unknown scope %q", scopeID)
	}
	if !access.RoleFits(role, n.Kind) {
		return fmt.Errorf("role %s cannot be granted on a %s", role, n.Kind)
	}
	_, err = insertGrant(ctx, tx, User{ID: id, Username: strings.ToLower(username)}, role, n, "")
	if apperr.Is(err, apperr.Conflict) {
		return fmt.Errorf("%s already has %s on %s", username, role, scopeID)
	}
	return err
}
