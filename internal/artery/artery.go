package artery

import (
	"context"
	"database/sql"
	"embed"
	"io/fs"
	"slices"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/i18n"
)

// Permissions of this domain.
var (
	// Read lets a caller see chains, institutes, listings, matches and
	// cooperations: every role, within its grants. Chains and institutes
	// hang under the zone: grants on the whole zone see them.
	Read = access.NewPerm("artery.read", access.Everyone()...)
	// Manage lets a caller create, change and delete chains (their
	// segments and the enterprises in them) and institutes: zone
	// administrators.
	Manage = access.NewPerm("artery.manage", access.ZoneAdmin)
	// Post lets a caller publish listings: for an enterprise in their
	// scope (a partner granted on the enterprise, its park's
	// administrators), and for institutes with a grant on the whole zone.
	Post = access.NewPerm("listing.post", access.ZoneAdmin, access.ParkAdmin, access.Partner)
	// Broker lets a caller make matches, mark them contacted, agreed or
	// declined, and run cooperation projects: zone administrators, and park
	// administrators for their park's enterprises.
	Broker = access.NewPerm("match.broker", access.ZoneAdmin, access.ParkAdmin)
	// Respond lets the contact of a party accept or decline a match on
	// their own side (a partner granted on the enterprise).
	Respond = access.NewPerm("match.respond", access.ZoneAdmin, access.ParkAdmin, access.Partner)
)

//go:embed locales/*.json
var locales embed.FS

// Locales holds this domain's messages.
func Locales() fs.FS { return i18n.Dir(locales) }

// Service holds the artery's operations. Its matching index lives in
// memory, one per zone, and catches up with the database before every
// ranking (see index.go): the database stays the source of truth, so any
// number of replicas may serve the same zone.
type Service struct {
	DB    *db.DB
	index indexes
}

// zoneWide is the predicate for rows that belong to a whole zone (chains,
// institutes): they lie directly under the zone, so only grants on the
// whole zone cover them.
func zoneWide(ctx context.Context, perm access.Perm, col string, a *db.Args) string {
	return access.From(ctx).Scope(perm).Where(a, access.ByZone(col))
}

// zoneFor returns the zone a zone-wide row is created in: zoneID when
// given, else the caller's only zone. The caller must hold perm over the
// whole zone: EFORBIDDEN without any such grant, EVALIDATION on zone_id
// otherwise.
func zoneFor(ctx context.Context, perm access.Perm, zoneID string) (string, error) {
	sc := access.From(ctx).Scope(perm)
	if sc.Empty() {
		return "", apperr.New(apperr.Forbidden, "")
	}
	if zoneID == "" {
		zoneID, _ = sc.SingleZone()
	}
	if zoneID == "" {
		return "", apperr.Field("zone_id", "required")
	}
	if !sc.CoversZone(zoneID) {
		return "", apperr.Field("zone_id", "unknown_value")
	}
	return zoneID, nil
}

// checkDate adds invalid_date for s when it is not "" and not a date
// YYYY-MM-DD, and returns it as it is.
func checkDate(fs *apperr.Fields, field, s string) {
	if s == "" {
		return
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		fs.Add(field, "invalid_date")
	}
}

// nullable returns nil for "" (a NULL column), else s.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// optional returns a pointer to s, nil for "".
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// oneOf checks that v is one of the values (required when empty).
func oneOf(fs *apperr.Fields, field, v string, values []string) {
	switch {
	case v == "":
		fs.Add(field, "required")
	case !slices.Contains(values, v):
		fs.Add(field, "unknown_value")
	}
}

// change sets *dst to *v when v is given and differs, recording the change
// under field for the audit entry.
func change(changes map[string]any, field string, dst, v *string) {
	if v != nil && *v != *dst {
		changes[field] = audit.Change{From: *dst, To: *v}
		*dst = *v
	}
}

// updated checks that a conditional UPDATE … WHERE version = old hit its
// row: EPRECONDITION when another write moved the version first.
func updated(res sql.Result, old int) error {
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.PreconditionFailed, "problem.stale_version", "Version", old)
	}
	return nil
}

// inUse is ECONFLICT with messageID when count (a query of one COUNT taking
// id as $1) finds rows still naming id.
func inUse(ctx context.Context, tx *db.Tx, count, id, messageID string) error {
	var n int
	if err := tx.QueryRowContext(ctx, count, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return apperr.New(apperr.Conflict, messageID)
	}
	return nil
}
