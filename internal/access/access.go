// Package access decides who may do what where.
//
// A caller is a Principal holding grants: a role on a scope node (a zone,
// park, enterprise, party organisation, service point …). A grant covers
// the node's whole subtree, whatever the kinds on the way. Domains declare
// their permissions and which roles carry them (NewPerm); Scope(perm) turns
// the grants whose role carries perm into the set of subtrees the caller may
// touch, and Where turns that set into the predicate every store query
// takes. Access fails closed: no grant, an unknown role or an unknown node
// covers nothing, and an empty scope matches no row.
package access

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
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
	KindStation    = "station"
	KindPoint      = "service_point"
)

// Kinds lists every kind of scope node.
var Kinds = []string{KindZone, KindPark, KindEnterprise, KindOrg, KindStation, KindPoint}

// roleKinds says on which kinds of node a role may be granted.
var roleKinds = map[string][]string{
	PlatformAdmin: {KindZone},
	ZoneAdmin:     {KindZone},
	ParkAdmin:     {KindPark},
	Auditor:       {KindZone, KindPark},
	OrgSecretary:  {KindOrg},
	ServiceStaff:  {KindPark, KindStation, KindPoint},
	Mediator:      {KindZone, KindPark},
	Partner:       {KindEnterprise},
	Member:        {KindZone, KindPark, KindEnterprise, KindOrg},
}

// ValidRole reports whether role is one of Roles.
func ValidRole(role string) bool { _, ok := roleKinds[role]; return ok }

// RoleFits reports whether role may be granted on a node of kind.
func RoleFits(role, kind string) bool { return slices.Contains(roleKinds[role], kind) }

// KindsOf returns the kinds of node role may be granted on.
func KindsOf(role string) []string { return slices.Clone(roleKinds[role]) }

// Perm is one permission, declared by the domain that checks it.
type Perm string

var (
	permMu sync.RWMutex
	perms  = map[Perm][]string{} // permission → roles carrying it
)

// NewPerm declares a permission and the roles that carry it. Domains call
// it once per permission when their package loads; a name declared twice
// panics (two domains must not share a permission by accident).
// platform_admin carries every permission whether listed or not.
func NewPerm(name string, roles ...string) Perm {
	permMu.Lock()
	defer permMu.Unlock()
	p := Perm(name)
	if _, dup := perms[p]; dup {
		panic(fmt.Sprintf("access: permission %q declared twice", name))
	}
	for _, r := range roles {
		if !ValidRole(r) {
			panic(fmt.Sprintf("access: permission %q names unknown role %q", name, r))
		}
	}
	perms[p] = append(slices.Clone(roles), PlatformAdmin)
	return p
}

// Everyone is every role, for permissions all signed-in roles carry.
func Everyone() []string { return slices.Clone(Roles) }

// Has reports whether role carries perm.
func Has(role string, perm Perm) bool {
	permMu.RLock()
	defer permMu.RUnlock()
	return slices.Contains(perms[perm], role)
}

// PermsOf returns the permissions role carries, sorted.
func PermsOf(role string) []Perm {
	permMu.RLock()
	defer permMu.RUnlock()
	var out []Perm
	for p, roles := range perms {
		if slices.Contains(roles, role) {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Perms returns every declared permission, sorted.
func Perms() []Perm {
	permMu.RLock()
	defer permMu.RUnlock()
	out := make([]Perm, 0, len(perms))
	for p := range perms {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Grant is one role on one scope node. Kind, Path and ZoneID are the
// node's as it stands now (read through scope_nodes).
type Grant struct {
	ID      string
	Role    string
	ScopeID string
	Kind    string
	Path    string
	ZoneID  string
}

// Principal is the signed-in caller.
type Principal struct {
	UserID      string
	Username    string
	DisplayName string
	ZoneID      string // the user's home zone
	// PersonID is the people record the account is bound to ("" when
	// none): a worker or volunteer signed in on their phone. Routes that
	// serve a person their own records (Access: kit.Self) match on it; it
	// never widens Scope.
	PersonID  string
	SessionID string
	Grants    []Grant
	// ViaCookie is true for browser sessions, which must send a CSRF token.
	ViaCookie bool
	CSRFToken string
	// Places, when set, remembers where the scope nodes the caller's
	// requests named lie (nodes.PlaceOf). auth sets it on the principals
	// it remembers, and it is forgotten with them: a node's place is its
	// zone, kind and path, and moving or removing a node moves the
	// principal epoch, which forgets every remembered principal (migration
	// 0140). So a remembered place is exactly as current as the grants
	// beside it, on this replica and on the others.
	Places *Places
}

// Place is where a scope node lies in the tree: what a filter naming a
// node needs to know of it (its kind, and whether a scope covers its path).
type Place struct {
	ID     string
	ZoneID string
	Kind   string
	Path   string
}

// Places remembers up to MaxPlaces places (see Principal.Places). The
// zero value is not usable: NewPlaces.
type Places struct {
	mu sync.Mutex
	m  map[string]Place
}

// MaxPlaces bounds each principal's remembered places: a caller's requests
// name few nodes (their park, its enterprises), and a principal is one of
// up to 100,000 remembered.
const MaxPlaces = 256

// NewPlaces returns an empty Places.
func NewPlaces() *Places { return &Places{m: map[string]Place{}} }

// Get returns the remembered place of node id.
func (ps *Places) Get(id string) (Place, bool) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	pl, ok := ps.m[id]
	return pl, ok
}

// Keep remembers pl, unless MaxPlaces are remembered already.
func (ps *Places) Keep(pl Place) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if len(ps.m) < MaxPlaces {
		ps.m[pl.ID] = pl
	}
}

// IsPlatformAdmin reports whether p holds platform_admin (anywhere: the
// role covers every zone).
func (p *Principal) IsPlatformAdmin() bool {
	if p == nil {
		return false
	}
	for _, g := range p.Grants {
		if g.Role == PlatformAdmin && g.Path != "" {
			return true
		}
	}
	return false
}

// Scope is the set of subtrees a caller may touch for one permission. The
// zero Scope covers nothing.
type Scope struct {
	all   bool
	paths []string // node paths, none a prefix of another, sorted
}

// Scope returns where p holds perm. A nil principal holds nothing.
func (p *Principal) Scope(perm Perm) Scope {
	var s Scope
	if p == nil {
		return s
	}
	var paths []string
	for _, g := range p.Grants {
		if !Has(g.Role, perm) || !validPath(g.Path) {
			continue
		}
		if g.Role == PlatformAdmin {
			s.all = true // and the path still counts for SingleZone
		}
		paths = append(paths, g.Path)
	}
	s.paths = minimal(paths)
	return s
}

// validPath accepts "/a/", "/a/b/" …: anything else (empty, unterminated)
// would widen or break a prefix match, so it covers nothing.
func validPath(p string) bool {
	return len(p) >= 3 && p[0] == '/' && p[len(p)-1] == '/' && !strings.Contains(p, "//")
}

// minimal sorts paths and drops those under another one.
func minimal(paths []string) []string {
	sort.Strings(paths)
	var out []string
	for _, p := range paths {
		if len(out) > 0 && strings.HasPrefix(p, out[len(out)-1]) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// All reports whether the scope covers every zone (platform_admin).
func (s Scope) All() bool { return s.all }

// Empty reports whether the scope covers nothing.
func (s Scope) Empty() bool { return !s.all && len(s.paths) == 0 }

// Covers reports whether the node at path lies in the scope.
func (s Scope) Covers(path string) bool {
	if !validPath(path) {
		return false
	}
	if s.all {
		return true
	}
	for _, p := range s.paths {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// Reaches reports whether the scope covers the node at path or holds a
// node inside it: a worker granted on their enterprise reaches the park
// the enterprise lies in (to file a service request there) without
// covering it.
func (s Scope) Reaches(path string) bool {
	if s.Covers(path) {
		return true
	}
	for _, p := range s.paths {
		if validPath(path) && strings.HasPrefix(p, path) {
			return true
		}
	}
	return false
}

// CoversZone reports whether the scope covers a whole zone (needed to
// create things directly under it).
func (s Scope) CoversZone(zoneID string) bool { return zoneID != "" && s.Covers(ZonePath(zoneID)) }

// SingleZone returns the zone when the caller's grants for the permission
// lie in exactly one node and it is a whole zone (API.md: zone_id may then
// be omitted on create). A platform administrator's grant names the zone it
// was made on.
func (s Scope) SingleZone() (string, bool) {
	if len(s.paths) == 1 && strings.Count(s.paths[0], "/") == 2 {
		return strings.Trim(s.paths[0], "/"), true
	}
	return "", false
}

// Touches reports whether the scope covers any node of the zone (all of
// it or a part): filters naming a node of that zone are then the caller's
// to use, though only the covered rows ever count.
func (s Scope) Touches(zoneID string) bool {
	if zoneID == "" {
		return false
	}
	if s.all {
		return true
	}
	for _, p := range s.paths {
		if ZoneOfPath(p) == zoneID {
			return true
		}
	}
	return false
}

// Zones returns the zones the scope touches, sorted (nil for All: every
// zone). A query adding "zone_id IN (zones)" to Where's predicate lets the
// engine range over the tenant key first.
func (s Scope) Zones() []string {
	if s.all {
		return nil
	}
	var out []string
	for _, p := range s.paths {
		if z := ZoneOfPath(p); !slices.Contains(out, z) {
			out = append(out, z)
		}
	}
	slices.Sort(out)
	return out
}

// ZonePath is the path of a zone's node.
func ZonePath(zoneID string) string { return "/" + zoneID + "/" }

// ZoneOfPath returns the zone a path lies in.
func ZoneOfPath(path string) string {
	if !validPath(path) {
		return ""
	}
	z, _, _ := strings.Cut(path[1:], "/")
	return z
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

// Paths returns the subtrees the scope covers (none a prefix of another,
// sorted); a platform administrator's scope covers every zone whatever
// they are (All).
func (s Scope) Paths() []string { return slices.Clone(s.paths) }
