package activities

import (
	"context"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/etag"
	"tongxin/internal/matrix"
	"tongxin/internal/page"
	"tongxin/internal/search"
	"tongxin/internal/valid"
)

// Campaign groups activities under one name and function (the epidemic
// campaign, the river days).
type Campaign struct {
	ID          string    `json:"id"`
	ZoneID      string    `json:"zone_id"`
	OrganizerID string    `json:"organizer_id"`
	Name        string    `json:"name"`
	Function    string    `json:"function"`
	Description string    `json:"description"`
	Activities  int       `json:"activities"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

const campaignCols = `id, zone_id, organizer_id, name, function, description, version, created_at, updated_at,
	(SELECT COUNT(*) FROM activities WHERE activities.campaign_id = activity_campaigns.id)`

func scanCampaign(s page.Scanner) (Campaign, error) {
	var c Campaign
	err := s.Scan(&c.ID, &c.ZoneID, &c.OrganizerID, &c.Name, &c.Function, &c.Description, &c.Version, db.T(&c.CreatedAt), db.T(&c.UpdatedAt),
		&c.Activities)
	return c, err
}

var campaigns = page.Table[Campaign]{From: "activity_campaigns", Cols: campaignCols, Attach: page.Attached(attach...), Scan: scanCampaign}

// ListCampaigns lists the campaigns in the caller's activity.read scope,
// newest first; q matches the name.
func (s *Service) ListCampaigns(ctx context.Context, p page.Page) (page.List[Campaign], error) {
	var a db.Args
	where := access.From(ctx).Scope(Read).Where(&a, attach...)
	if p.Query != "" {
		m, err := search.Match(ctx, s.DB.R, "activity_campaigns", "id", "search_key", p.Query, &a)
		if err != nil {
			return page.List[Campaign]{}, err
		}
		where += " AND " + m
	}
	return page.Rows(ctx, s.DB.R, p, page.Query{From: "activity_campaigns", Cols: campaignCols, Where: where, Args: a, Desc: true},
		scanCampaign, page.ByID(func(c Campaign) string { return c.ID }))
}

// GetCampaign returns a campaign in the caller's activity.read scope.
// Returns ENOTFOUND.
func (s *Service) GetCampaign(ctx context.Context, id string) (Campaign, error) {
	return campaigns.One(ctx, s.DB.R, Read, Read, id)
}

// CampaignInput is what creating a campaign takes.
type CampaignInput struct {
	OrganizerID, Name, Function, Description string
}

// CreateCampaign creates a campaign organised by a node in the caller's
// activity.manage scope. Returns EVALIDATION, EFORBIDDEN.
func (s *Service) CreateCampaign(ctx context.Context, in CampaignInput) (Campaign, error) {
	sc := access.From(ctx).Scope(Manage)
	if sc.Empty() {
		return Campaign{}, apperr.New(apperr.Forbidden, "")
	}
	var fs apperr.Fields
	valid.Name(&fs, "name", &in.Name, 100)
	valid.Text(&fs, "description", in.Description, 2000)
	if !matrix.ValidFunction(in.Function) {
		fs.Add("function", "unknown_option", "Value", in.Function)
	}
	if in.OrganizerID == "" {
		fs.Add("organizer_id", "required")
	}
	if err := fs.Err(); err != nil {
		return Campaign{}, err
	}
	var c Campaign
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		o, err := resolveOrganizer(ctx, tx, in.OrganizerID)
		if err != nil {
			return err
		}
		if !sc.Covers(o.path) {
			return apperr.Field("organizer_id", "unknown_value")
		}
		c = Campaign{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: o.zoneID, OrganizerID: in.OrganizerID, Name: in.Name, Function: in.Function,
			Description: in.Description, Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
		if _, err := tx.ExecContext(ctx, `INSERT INTO activity_campaigns (id, zone_id, organizer_id, organizer_node, name, function, description,
				search_key, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)`,
			c.ID, c.ZoneID, c.OrganizerID, o.node, c.Name, c.Function, c.Description, search.Key(c.Name), db.Micros(tx.Now)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Node: o.node, Entity: "activity_campaign", EntityID: c.ID, Action: "create",
			Summary: map[string]any{"name": c.Name, "function": c.Function}})
	})
	return c, err
}

// UpdateCampaign renames a campaign or changes its description. Needs
// activity.manage over it. Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION,
// EVALIDATION.
func (s *Service) UpdateCampaign(ctx context.Context, id string, name, description *string, match etag.Match) (Campaign, error) {
	var fs apperr.Fields
	if name != nil {
		valid.Name(&fs, "name", name, 100)
	}
	if description != nil {
		valid.Text(&fs, "description", *description, 2000)
	}
	var c Campaign
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := campaigns.One(ctx, tx, Manage, Read, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		c = old
		if name != nil {
			c.Name = *name
		}
		if description != nil {
			c.Description = *description
		}
		if c.Name == old.Name && c.Description == old.Description {
			return nil
		}
		c.Version, c.UpdatedAt = old.Version+1, tx.Now
		res, err := tx.ExecContext(ctx, `UPDATE activity_campaigns SET name = $1, description = $2, search_key = $3, version = $4, updated_at = $5
			WHERE id = $6 AND version = $7`, c.Name, c.Description, search.Key(c.Name), c.Version, db.Micros(tx.Now), id, old.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.PreconditionFailed, "problem.stale_version", "Version", old.Version)
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: c.ZoneID, Entity: "activity_campaign", EntityID: c.ID, Action: "update",
			Summary: map[string]any{"name": audit.Change{From: old.Name, To: c.Name}}})
	})
	return c, err
}
