package alliances

import (
	"context"
	"database/sql"
	"embed"
	"io/fs"
	"slices"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/etag"
	"tongxin/internal/i18n"
	"tongxin/internal/nodes"
	"tongxin/internal/page"
	"tongxin/internal/search"
	"tongxin/internal/valid"
)

// Permissions of this domain.
var (
	// Read lets a caller see alliances: every role, within its grants (the
	// lead organisation's secretary sees the alliance it leads).
	Read = access.NewPerm("alliance.read", access.Everyone()...)
	// Manage lets a caller create, change and delete alliances: zone
	// administrators, and park administrators for their park's alliances.
	// A zone-wide alliance (no park) only zone-level grants manage.
	Manage = access.NewPerm("alliance.manage", access.ZoneAdmin, access.ParkAdmin)
)

//go:embed locales/*.json
var locales embed.FS

// Locales holds this domain's messages.
func Locales() fs.FS { return i18n.Dir(locales) }

// MaxMembers bounds the member organisations of one alliance.
const MaxMembers = 500

// Service holds the alliance operations.
type Service struct{ DB *db.DB }

// Alliance is a party-building alliance (党建联盟): organisations working
// together under a lead organisation, in a park or zone-wide.
type Alliance struct {
	ID           string    `json:"id"`
	ZoneID       string    `json:"zone_id"`
	ParkID       *string   `json:"park_id"`
	Name         string    `json:"name"`
	LeadOrgID    *string   `json:"lead_org_id"`
	MemberOrgIDs []string  `json:"member_org_ids"`
	MemberCount  int       `json:"member_count"`
	Version      int       `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

const cols = `id, zone_id, park_id, name, lead_org_id, version, created_at, updated_at`

func scan(s page.Scanner) (Alliance, error) {
	var al Alliance
	var park, lead sql.NullString
	err := s.Scan(&al.ID, &al.ZoneID, &park, &al.Name, &lead, &al.Version, db.T(&al.CreatedAt), db.T(&al.UpdatedAt))
	if park.Valid {
		al.ParkID = &park.String
	}
	if lead.Valid {
		al.LeadOrgID = &lead.String
	}
	al.MemberOrgIDs = []string{}
	return al, err
}

// Readers see an alliance through its zone, its park, or its lead
// organisation; managers only through the zone or the park, so a park
// administrator never manages a zone-wide alliance whose lead lies in
// their park.
var (
	readAttach   = []access.Attach{access.ByZone("zone_id"), access.ByNode("park_id"), access.ByNode("lead_org_id")}
	manageAttach = []access.Attach{access.ByZone("zone_id"), access.ByNode("park_id")}
)

func attachFor(perm access.Perm) []access.Attach {
	if perm == Manage {
		return manageAttach
	}
	return readAttach
}

// Filter narrows List.
type Filter struct {
	ParkID string
	OrgID  string // alliances this organisation is a member of
}

// List lists the alliances in the caller's alliance.read scope, oldest
// first; q matches the name, pinyin included.
func (s *Service) List(ctx context.Context, f Filter, p page.Page) (page.List[Alliance], error) {
	var a db.Args
	where := access.From(ctx).Scope(Read).Where(&a, readAttach...)
	if f.ParkID != "" {
		where += " AND park_id = " + a.Add(f.ParkID)
	}
	if f.OrgID != "" {
		where += " AND id IN (SELECT alliance_id FROM alliance_orgs WHERE org_id = " + a.Add(f.OrgID) + ")"
	}
	if p.Query != "" {
		m, err := search.Match(ctx, s.DB.R, "alliances", "id", "search_key", p.Query, &a)
		if err != nil {
			return page.List[Alliance]{}, err
		}
		where += " AND " + m
	}
	l, err := page.Rows(ctx, s.DB.R, p, page.Query{From: "alliances", Cols: cols, Where: where, Args: a}, scan, page.ByID(func(al Alliance) string { return al.ID }))
	if err != nil {
		return l, err
	}
	return l, fillMembers(ctx, s.DB.R, l.Items)
}

func fillMembers(ctx context.Context, q db.Querier, als []Alliance) error {
	ids := make([]string, len(als))
	for i, al := range als {
		ids[i] = al.ID
	}
	of, err := memberLinks.Of(ctx, q, ids)
	for i := range als {
		als[i].MemberOrgIDs = append(als[i].MemberOrgIDs, of[als[i].ID]...)
		als[i].MemberCount = len(als[i].MemberOrgIDs)
	}
	return err
}

// memberLinks is the alliance's organisations.
var memberLinks = db.Link{Table: "alliance_orgs", Owner: "alliance_id", Member: "org_id"}

// table reads alliances in the caller's scope.
var table = page.Table[Alliance]{From: "alliances", Cols: cols, Attach: attachFor, Scan: scan}

// get returns the alliance with id when it lies in the caller's scope for
// perm. When it does not but the caller may read it, the answer is
// EFORBIDDEN; when the caller may not even read it, ENOTFOUND.
func get(ctx context.Context, q db.Querier, perm access.Perm, id string) (Alliance, error) {
	row, err := table.One(ctx, q, perm, Read, id)
	if err != nil {
		return row, err
	}
	rows := []Alliance{row}
	err = fillMembers(ctx, q, rows)
	return rows[0], err
}

// Get returns an alliance in the caller's scope. Returns ENOTFOUND otherwise.
func (s *Service) Get(ctx context.Context, id string) (Alliance, error) {
	return get(ctx, s.DB.R, Read, id)
}

// checkMembers verifies that every id names an organisation of the zone
// the caller may manage (unknown_value) and, for a park's alliance, one of
// that park (outside_park).
func checkMembers(ctx context.Context, q db.Querier, sc access.Scope, zoneID string, parkID *string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	var a db.Args
	where := sc.Where(&a, access.ByZone("zone_id"), access.ByNode("id"))
	rows, err := q.QueryContext(ctx, `SELECT id, park_id FROM orgs WHERE id IN (`+a.In(ids)+`) AND zone_id = `+a.Add(zoneID)+` AND `+where, a...)
	if err != nil {
		return err
	}
	defer rows.Close()
	parkOf := map[string]sql.NullString{}
	for rows.Next() {
		var id string
		var park sql.NullString
		if err := rows.Scan(&id, &park); err != nil {
			return err
		}
		parkOf[id] = park
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var unknown, outside bool
	for _, id := range ids {
		park, ok := parkOf[id]
		unknown = unknown || !ok
		outside = outside || (ok && parkID != nil && park.String != *parkID)
	}
	var fs apperr.Fields
	if unknown {
		fs.Add("member_org_ids", "unknown_value")
	}
	if outside {
		fs.Add("member_org_ids", "outside_park")
	}
	return fs.Err()
}

func leadIsMember(lead *string, members []string) error {
	if lead != nil && !slices.Contains(members, *lead) {
		return apperr.Field("lead_org_id", "lead_not_member")
	}
	return nil
}

// Input is what creating an alliance takes.
type Input struct {
	ZoneID       string
	ParkID       string // "" for a zone-wide alliance
	Name         string
	LeadOrgID    string // "" for none yet
	MemberOrgIDs []string
}

// Create creates an alliance. A park's alliance needs alliance.manage
// over the park (zone_admin, or park_admin of it); a zone-wide one needs
// it over the whole zone (zone_admin). zone_id may be omitted when the
// park names the zone or the caller's scope is one zone. The lead
// organisation must be one of the members (it is not added silently: a
// lead outside the list is a mistake worth showing). Returns EVALIDATION
// (unknown or out-of-scope park, zone or organisations; members outside
// the park; a lead that is no member), EFORBIDDEN.
func (s *Service) Create(ctx context.Context, in Input) (Alliance, error) {
	sc := access.From(ctx).Scope(Manage)
	if sc.Empty() {
		return Alliance{}, apperr.New(apperr.Forbidden, "")
	}
	var fs apperr.Fields
	valid.Name(&fs, "name", &in.Name, 100)
	in.MemberOrgIDs = valid.UniqueIDs(&fs, "member_org_ids", in.MemberOrgIDs, MaxMembers)
	var lead *string
	if in.LeadOrgID != "" {
		lead = &in.LeadOrgID
		if !slices.Contains(in.MemberOrgIDs, in.LeadOrgID) {
			fs.Add("lead_org_id", "lead_not_member")
		}
	}
	if err := fs.Err(); err != nil {
		return Alliance{}, err
	}
	var al Alliance
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		var park *string
		zoneID := in.ZoneID
		if in.ParkID != "" {
			n, err := nodes.Get(ctx, tx, in.ParkID)
			if apperr.Is(err, apperr.NotFound) || (err == nil && (n.Kind != access.KindPark || !sc.Covers(n.Path))) {
				return apperr.Field("park_id", "unknown_value")
			}
			if err != nil {
				return err
			}
			if zoneID != "" && zoneID != n.ZoneID {
				return apperr.Field("zone_id", "unknown_value")
			}
			zoneID, park = n.ZoneID, &n.ID
		} else {
			if zoneID == "" {
				zoneID, _ = sc.SingleZone()
			}
			switch {
			case zoneID == "":
				return apperr.Field("park_id", "required") // not a zone administrator: name the park
			case !sc.CoversZone(zoneID):
				return apperr.Field("zone_id", "unknown_value")
			}
		}
		if err := checkMembers(ctx, tx, sc, zoneID, park, in.MemberOrgIDs); err != nil {
			return err
		}
		al = Alliance{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: zoneID, ParkID: park, Name: in.Name, LeadOrgID: lead,
			MemberOrgIDs: db.Sorted(in.MemberOrgIDs), MemberCount: len(in.MemberOrgIDs), Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
		if _, err := tx.ExecContext(ctx, `INSERT INTO alliances (id, zone_id, park_id, name, lead_org_id, search_key, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)`, al.ID, al.ZoneID, park, al.Name, lead, search.Key(al.Name), db.Micros(tx.Now)); err != nil {
			return err
		}
		if err := memberLinks.Set(ctx, tx, al.ID, al.ZoneID, al.MemberOrgIDs, nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: al.ZoneID, Node: deref(park), Entity: "alliance", EntityID: al.ID, Action: "create",
			Summary: map[string]any{"name": al.Name, "park_id": park, "lead_org_id": lead, "member_org_ids": al.MemberOrgIDs}})
	})
	return al, err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Patch is a partial update; nil fields stay as they are. SetLead with a
// nil LeadOrgID removes the lead. MemberOrgIDs, when not nil, replaces the
// members.
type Patch struct {
	Name         *string
	SetLead      bool
	LeadOrgID    *string
	MemberOrgIDs *[]string
}

// Update applies patch. Callers need alliance.manage over the alliance
// (see Create); it must satisfy match. After the patch the lead must still
// be a member. Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION, EVALIDATION.
func (s *Service) Update(ctx context.Context, id string, patch Patch, match etag.Match) (Alliance, error) {
	var fs apperr.Fields
	if patch.Name != nil {
		valid.Name(&fs, "name", patch.Name, 100)
	}
	if patch.MemberOrgIDs != nil {
		ids := valid.UniqueIDs(&fs, "member_org_ids", *patch.MemberOrgIDs, MaxMembers)
		patch.MemberOrgIDs = &ids
	}
	var al Alliance
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := get(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		al = old
		changes := map[string]any{}
		if patch.Name != nil && *patch.Name != old.Name {
			changes["name"] = audit.Change{From: old.Name, To: *patch.Name}
			al.Name = *patch.Name
		}
		if patch.SetLead && deref(patch.LeadOrgID) != deref(old.LeadOrgID) {
			changes["lead_org_id"] = audit.Change{From: old.LeadOrgID, To: patch.LeadOrgID}
			al.LeadOrgID = patch.LeadOrgID
		}
		var add, remove []string
		if patch.MemberOrgIDs != nil {
			add, remove = db.Diff(old.MemberOrgIDs, *patch.MemberOrgIDs)
			if len(add)+len(remove) > 0 {
				changes["member_org_ids"] = map[string]any{"added": add, "removed": remove}
				al.MemberOrgIDs = db.Sorted(*patch.MemberOrgIDs)
				al.MemberCount = len(al.MemberOrgIDs)
			}
		}
		if err := leadIsMember(al.LeadOrgID, al.MemberOrgIDs); err != nil {
			return err
		}
		if err := checkMembers(ctx, tx, access.From(ctx).Scope(Manage), old.ZoneID, old.ParkID, add); err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil
		}
		al.Version, al.UpdatedAt = old.Version+1, tx.Now
		res, err := tx.ExecContext(ctx, `UPDATE alliances SET name = $1, lead_org_id = $2, search_key = $3, version = $4, updated_at = $5
			WHERE id = $6 AND version = $7`, al.Name, al.LeadOrgID, search.Key(al.Name), al.Version, db.Micros(tx.Now), id, old.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.PreconditionFailed, "problem.stale_version", "Version", old.Version)
		}
		if err := memberLinks.Set(ctx, tx, al.ID, al.ZoneID, add, remove); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: al.ZoneID, Node: deref(al.ParkID), Entity: "alliance", EntityID: al.ID, Action: "update", Summary: changes})
	})
	return al, err
}

// Delete deletes an alliance and its memberships (the organisations stay).
// Callers need alliance.manage over it; it must satisfy match. Returns
// ENOTFOUND, EFORBIDDEN, EPRECONDITION.
func (s *Service) Delete(ctx context.Context, id string, match etag.Match) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := get(ctx, tx, Manage, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: deref(old.ParkID), Entity: "alliance", EntityID: id, Action: "delete",
			Summary: map[string]any{"name": old.Name, "park_id": old.ParkID, "lead_org_id": old.LeadOrgID, "member_org_ids": old.MemberOrgIDs}}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM alliance_orgs WHERE alliance_id = $1`, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM alliances WHERE id = $1`, id)
		return err
	})
}
