// Package access decides who may do what where. A caller is a Principal
// holding grants (role × scope node); Scope(perm) turns the grants whose role
// carries perm into the predicate every store query must take. Access fails
// closed: no grant, an unknown role or an unknown scope kind covers nothing.
package access

import (
	"context"
	"slices"
	"strings"

	"tongxin/internal/db"
)

// Role names, exactly as API.md lists them.
const (
	PlatformAdmin = "platform_admin"
	ZoneAdmin     = "zone_admin"
	ParkAdmin     = "park_admin"
	OrgSecretary  = "org_secretary"
	ServiceStaff  = "service_staff"
	Mediator      = "mediator"
	Partner       = "partner"
	Member        = "member"
	Auditor       = "auditor"
)

// Roles lists every role.
var Roles = []string{PlatformAdmin, ZoneAdmin, ParkAdmin, OrgSecretary, ServiceStaff, Mediator, Partner, Member, Auditor}

// Scope node kinds.
const (
	KindZone       = "zone"
	KindPark       = "park"
	KindEnterprise = "enterprise"
	KindOrg        = "org"
	KindPoint      = "service_point"
)

// Perm is one permission.
type Perm string

const (
	ZoneRead   Perm = "zone.read"
	ZoneManage Perm = "zone.manage"
	ParkRead   Perm = "park.read"
	ParkUpdate Perm = "park.update"
	ParkManage Perm = "park.manage" // create and delete parks (needs zone-level scope)
	UserManage Perm = "user.manage"
	AuditRead  Perm = "audit.read"
)

var rolePerms = map[string][]Perm{
	PlatformAdmin: {ZoneRead, ZoneManage, ParkRead, ParkUpdate, ParkManage, UserManage, AuditRead},
	ZoneAdmin:     {ZoneRead, ParkRead, ParkUpdate, ParkManage, UserManage, AuditRead},
	ParkAdmin:     {ZoneRead, ParkRead, ParkUpdate},
	Auditor:       {ZoneRead, ParkRead, AuditRead},
	OrgSecretary:  {ZoneRead, ParkRead},
	ServiceStaff:  {ZoneRead, ParkRead},
	Mediator:      {ZoneRead, ParkRead},
	Partner:       {ZoneRead, ParkRead},
	Member:        {ZoneRead, ParkRead},
}

// roleKinds says on which kinds of node a role may be granted.
var roleKinds = map[string][]string{
	PlatformAdmin: {KindZone},
	ZoneAdmin:     {KindZone},
	ParkAdmin:     {KindPark},
	Auditor:       {KindZone, KindPark},
	OrgSecretary:  {KindOrg},
	ServiceStaff:  {KindPark, KindPoint},
	Mediator:      {KindZone, KindPark},
	Partner:       {KindEnterprise},
	Member:        {KindZone, KindPark, KindEnterprise, KindOrg},
}

// ValidRole reports whether role is one of Roles.
func ValidRole(role string) bool { _, ok := rolePerms[role]; return ok }

// RoleFits reports whether role may be granted on a node of kind.
func RoleFits(role, kind string) bool { return slices.Contains(roleKinds[role], kind) }

// Has reports whether role carries perm.
func Has(role string, perm Perm) bool { return slices.Contains(rolePerms[role], perm) }

// Grant is one role on one scope node.
type Grant struct {
	ID        string `json:"id"`
	Role      string `json:"role"`
	ScopeID   string `json:"scope_id"`
	ScopeKind string `json:"-"`
	ScopePath string `json:"-"`
	ZoneID    string `json:"-"`
}

// Principal is the signed-in caller.
type Principal struct {
	UserID      string
	Username    string
	DisplayName string
	ZoneID      string // the user's home zone
	SessionID   string
	Grants      []Grant
	// ViaCookie is true for browser sessions, which must send a CSRF token.
	ViaCookie bool
	CSRFToken string
}

// Scope is the set of nodes a caller may touch for one permission, by
// level. Predicates built from it match rows whose zone is in Zones or whose
// park is in Parks; AllZones (platform_admin only) matches everything.
type Scope struct {
	AllZones bool
	Zones    []string
	Parks    []string
	paths    []string
}

// Scope returns where p holds perm. A nil principal holds nothing.
func (p *Principal) Scope(perm Perm) Scope {
	var s Scope
	if p == nil {
		return s
	}
	for _, g := range p.Grants {
		if !Has(g.Role, perm) {
			continue
		}
		if g.Role == PlatformAdmin {
			s.AllZones = true
			continue
		}
		switch g.ScopeKind {
		case KindZone:
			s.Zones = append(s.Zones, g.ScopeID)
		case KindPark:
			s.Parks = append(s.Parks, g.ScopeID)
		default:
			continue // kinds without tables yet cover nothing here
		}
		s.paths = append(s.paths, g.ScopePath)
	}
	return s
}

// Empty reports whether the scope covers nothing.
func (s Scope) Empty() bool { return !s.AllZones && len(s.Zones) == 0 && len(s.Parks) == 0 }

// Covers reports whether the node at path (a scope_nodes path) lies in the
// scope.
func (s Scope) Covers(path string) bool {
	if path == "" {
		return false
	}
	if s.AllZones {
		return true
	}
	for _, p := range s.paths {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// CoversZone reports whether the scope covers the whole zone (needed to
// create or delete things directly under it).
func (s Scope) CoversZone(zoneID string) bool {
	return zoneID != "" && (s.AllZones || slices.Contains(s.Zones, zoneID))
}

// Cols names the columns of a table that the scope predicate may test; an
// empty name means the table has no such level.
type Cols struct {
	Zone string
	Park string
}

// Where returns a SQL predicate restricting rows to the scope, adding its
// arguments to a. A scope that covers nothing yields "1=0".
func (s Scope) Where(c Cols, a *db.Args) string {
	if s.AllZones {
		return "1=1"
	}
	var ors []string
	if c.Zone != "" && len(s.Zones) > 0 {
		ors = append(ors, c.Zone+" IN ("+a.In(s.Zones)+")")
	}
	if c.Park != "" && len(s.Parks) > 0 {
		ors = append(ors, c.Park+" IN ("+a.In(s.Parks)+")")
	}
	if len(ors) == 0 {
		return "1=0"
	}
	return "(" + strings.Join(ors, " OR ") + ")"
}

// PathWhere returns a predicate matching rows whose scope-node path column
// lies under one of the scope's nodes ("1=0" when it covers nothing).
func (s Scope) PathWhere(col string, a *db.Args) string {
	if s.AllZones {
		return "1=1"
	}
	if len(s.paths) == 0 {
		return "1=0"
	}
	ors := make([]string, len(s.paths))
	for i, p := range s.paths {
		ors[i] = col + " LIKE " + a.Add(p+"%")
	}
	return "(" + strings.Join(ors, " OR ") + ")"
}

// SingleZone returns the zone when the scope's zone-level grants name
// exactly one zone (API.md: zone_id may then be omitted on create).
func (s Scope) SingleZone() (string, bool) {
	if len(s.Zones) == 1 {
		return s.Zones[0], true
	}
	return "", false
}

type ctxKey struct{}

// With returns ctx carrying p.
func With(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// From returns the caller, or nil when anonymous.
func From(ctx context.Context) *Principal {
	p, _ := ctx.Value(ctxKey{}).(*Principal)
	return p
}
