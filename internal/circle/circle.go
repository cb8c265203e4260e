package circle

import (
	"context"
	"embed"
	"io/fs"
	"slices"
	"sync"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/db"
	"tongxin/internal/i18n"
)

// Permissions of this domain.
var (
	// Read lets a caller see resources, ask what lies within a walk of a
	// place and read the coverage of parks: every role, within its grants
	// (resources hang under their park). The road network, a zone's, is
	// shown to those whose grant covers the whole zone.
	Read = access.NewPerm("circle.read", access.Everyone()...)
	// Manage lets a caller create, change and delete resources: zone
	// administrators, and park administrators in their park.
	Manage = access.NewPerm("circle.manage", access.ZoneAdmin, access.ParkAdmin)
	// Configure lets a caller edit the zone's catalogue of categories and
	// import its road network: zone administrators.
	Configure = access.NewPerm("circle.configure", access.ZoneAdmin)
)

//go:embed locales/*.json
var locales embed.FS

// Locales holds this domain's messages.
func Locales() fs.FS { return i18n.Dir(locales) }

// Service holds the living-circle operations. The road network's graph of
// each zone is kept in memory, keyed by the network's id, so a query
// builds it at most once per import (every replica checks the version in
// the database, so an import on one is seen by all). Each import has a new
// id, so the cache is keyed by it.
type Service struct {
	DB *db.DB

	mu     sync.Mutex
	graphs map[string]cachedGraph // zone → graph
}

type cachedGraph struct {
	id string
	g  *Graph
}

// zoneFor returns the zone a request is about: zoneID when given and the
// caller's scope for perm reaches into it (EVALIDATION on zone_id
// otherwise), else the one zone the scope reaches into (EVALIDATION,
// zone_id required, when it reaches into several).
func zoneFor(ctx context.Context, q db.Querier, perm access.Perm, zoneID string) (string, error) {
	sc := access.From(ctx).Scope(perm)
	if sc.Empty() {
		return "", apperr.New(apperr.Forbidden, "")
	}
	zones := sc.Zones() // nil for a platform administrator: the zone it was granted on is its default
	if z, ok := sc.SingleZone(); ok && sc.All() {
		zones = []string{z}
	}
	if zoneID == "" {
		if len(zones) == 1 {
			return zones[0], nil
		}
		return "", apperr.Field("zone_id", "required")
	}
	if !sc.Touches(zoneID) {
		return "", apperr.Field("zone_id", "unknown_value")
	}
	if slices.Contains(zones, zoneID) {
		return zoneID, nil
	}
	// A platform administrator's scope touches every zone: this one must exist.
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM zones WHERE id = $1`, zoneID).Scan(&n); err != nil {
		return "", err
	}
	if n == 1 {
		return zoneID, nil
	}
	return "", apperr.Field("zone_id", "unknown_value")
}
