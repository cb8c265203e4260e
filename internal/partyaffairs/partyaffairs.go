package partyaffairs

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/db"
	"tongxin/internal/i18n"
	"tongxin/internal/matrix"
)

// Permissions of this domain.
var (
	// Read lets a caller see dues, elections and member development of the
	// organisations in their scope: the zone's and parks' staff, a branch
	// secretary (their branch), auditors. A member sees their own dues and
	// stage only (Me).
	Read = access.NewPerm("party.read", access.ZoneAdmin, access.ParkAdmin, access.OrgSecretary, access.Auditor)
	// Manage lets a caller record dues, elections and development stages:
	// the zone's and parks' staff and the branch secretary.
	Manage = access.NewPerm("party.manage", access.ZoneAdmin, access.ParkAdmin, access.OrgSecretary)
	// BrandRead lets a caller see brands and the innovation log: everyone
	// within their grants.
	BrandRead = access.NewPerm("brand.read", access.Everyone()...)
	// BrandManage lets a caller keep brands and log innovations: the
	// zone's and parks' staff, and the secretary of the organisation
	// covering the enterprise.
	BrandManage = access.NewPerm("brand.manage", access.ZoneAdmin, access.ParkAdmin, access.OrgSecretary)
	// Evaluate lets a caller record a brand's yearly evaluation: the zone's
	// and parks' staff (a brand is not scored by its own secretary).
	Evaluate = access.NewPerm("brand.evaluate", access.ZoneAdmin, access.ParkAdmin)
)

//go:embed locales/*.json
var locales embed.FS

// Locales holds this domain's messages.
func Locales() fs.FS { return i18n.Dir(locales) }

// Service holds party affairs, brands and the innovation log. Today is the
// clock dates are checked against (nil: the database's time).
type Service struct {
	DB    *db.DB
	Today func() time.Time
}

// today is the current date in China.
func (s *Service) today(now time.Time) time.Time {
	if s.Today != nil {
		now = s.Today()
	}
	y, m, d := now.In(matrix.Local).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, matrix.Local)
}

// node is a scope node as the domain checks it.
type node struct {
	ID, ZoneID, Kind, Path string
}

// nodeOf reads a scope node. Returns sql.ErrNoRows when there is none.
func nodeOf(ctx context.Context, q db.Querier, id string) (node, error) {
	n := node{ID: id}
	err := q.QueryRowContext(ctx, `SELECT zone_id, kind, path FROM scope_nodes WHERE id = $1`, id).Scan(&n.ZoneID, &n.Kind, &n.Path)
	return n, err
}

// covered returns the node id names when the caller holds perm over it
// and it is of one of kinds (any kind when none given): field
// unknown_value otherwise (absent, of another kind, out of scope: the same
// answer, revealing nothing).
func covered(ctx context.Context, q db.Querier, perm access.Perm, field, id string, kinds ...string) (node, error) {
	if id == "" {
		return node{}, apperr.Field(field, "required")
	}
	n, err := nodeOf(ctx, q, id)
	if errors.Is(err, sql.ErrNoRows) {
		return n, apperr.Field(field, "unknown_value")
	}
	if err != nil {
		return n, err
	}
	ok := len(kinds) == 0
	for _, k := range kinds {
		ok = ok || k == n.Kind
	}
	if !ok || !access.From(ctx).Scope(perm).Covers(n.Path) {
		return n, apperr.Field(field, "unknown_value")
	}
	return n, nil
}

// parseDate parses YYYY-MM-DD in China.
func parseDate(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, s, matrix.Local)
	return t, err == nil
}

// pastDate checks a required date of the past or today: required,
// invalid_date, in_future.
func (s *Service) pastDate(fs *apperr.Fields, field, v string, now time.Time) (time.Time, bool) {
	if v == "" {
		fs.Add(field, "required")
		return time.Time{}, false
	}
	t, ok := parseDate(v)
	if !ok {
		fs.Add(field, "invalid_date")
		return t, false
	}
	if t.After(s.today(now)) {
		fs.Add(field, "in_future")
		return t, false
	}
	return t, true
}

// updated checks that a conditional UPDATE … WHERE version = old hit its
// row: EPRECONDITION when another write moved the version first.
func updated(res sql.Result, old int) error {
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.PreconditionFailed, "problem.stale_version", "Version", old)
	}
	return nil
}

func nullStr(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}
