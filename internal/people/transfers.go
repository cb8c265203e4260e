package people

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/etag"
	"tongxin/internal/page"
	"tongxin/internal/valid"
)

// Transfer kinds (组织关系转接): between two organisations of the zone,
// out of the zone, and into the zone from outside.
const (
	Within = "within"
	Out    = "out"
	In     = "in"
)

// Transfer is one entry of a member's transfer history.
type Transfer struct {
	ID          string    `json:"id"`
	PersonID    string    `json:"person_id"`
	Kind        string    `json:"kind"`
	FromOrgID   *string   `json:"from_org_id"`
	FromOrgName string    `json:"from_org_name"`
	ToOrgID     *string   `json:"to_org_id"`
	ToOrgName   string    `json:"to_org_name"`
	OutsideOrg  string    `json:"outside_org"`
	OnDate      string    `json:"on_date"`
	Note        string    `json:"note"`
	ActorID     *string   `json:"actor_id"`
	CreatedAt   time.Time `json:"created_at"`
}

const transferCols = `id, person_id, from_org_id, to_org_id, outside_org, on_date, note, actor_id, created_at,
	COALESCE((SELECT o.name FROM orgs o WHERE o.id = party_transfers.from_org_id), ''),
	COALESCE((SELECT o.name FROM orgs o WHERE o.id = party_transfers.to_org_id), '')`

func scanTransfer(s page.Scanner) (Transfer, error) {
	var t Transfer
	var from, to, actor sql.NullString
	err := s.Scan(&t.ID, &t.PersonID, &from, &to, &t.OutsideOrg, &t.OnDate, &t.Note, &actor, db.T(&t.CreatedAt),
		&t.FromOrgName, &t.ToOrgName)
	if from.Valid {
		t.FromOrgID = &from.String
	}
	if to.Valid {
		t.ToOrgID = &to.String
	}
	if actor.Valid {
		t.ActorID = &actor.String
	}
	switch {
	case !from.Valid:
		t.Kind = In
	case !to.Valid:
		t.Kind = Out
	default:
		t.Kind = Within
	}
	return t, err
}

// TransferInput is a transfer as a caller asks for it. For a member:
// ToOrgID moves them to another organisation of the zone, OutsideOrg
// alone sends them out of the zone. For a non-member: ToOrgID, OutsideOrg
// (where they come from), Status and JoinedOn bring them in.
type TransferInput struct {
	ToOrgID    string
	OutsideOrg string
	OnDate     string
	Note       string
	Status     string
	JoinedOn   string
}

// Limits on a transfer's texts.
const (
	MaxOutsideOrg = 100
	MaxNote       = 500
)

// Transfer transfers a member's organisation (组织关系转接) and records it
// in the history. Callers need person.manage over the person and, for a
// transfer to an organisation of the zone, over that organisation too;
// the person must satisfy match (when given). A transfer out keeps the
// person and ends their membership here. Returns ENOTFOUND, EFORBIDDEN,
// EPRECONDITION, EVALIDATION (naming each field; same_org for a transfer
// to the member's own organisation).
func (s *Service) Transfer(ctx context.Context, personID string, in TransferInput, match etag.Match) (Transfer, error) {
	now := time.Now()
	var fs apperr.Fields
	in.ToOrgID, in.OutsideOrg, in.OnDate = strings.TrimSpace(in.ToOrgID), strings.TrimSpace(in.OutsideOrg), strings.TrimSpace(in.OnDate)
	in.Note, in.Status, in.JoinedOn = strings.TrimSpace(in.Note), strings.TrimSpace(in.Status), strings.TrimSpace(in.JoinedOn)
	Date(&fs, "on_date", in.OnDate, now)
	valid.Text(&fs, "outside_org", in.OutsideOrg, MaxOutsideOrg)
	if strings.ContainsAny(in.OutsideOrg, "\t\n") {
		fs.Add("outside_org", "control_chars")
	}
	valid.Text(&fs, "note", in.Note, MaxNote)
	var t Transfer
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := get(ctx, tx, Manage, personID)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		var from, to sql.NullString
		party := old.Party
		if old.Party != nil {
			from = db.NullString(old.Party.OrgID)
			for field, v := range map[string]string{"status": in.Status, "joined_on": in.JoinedOn} {
				if v != "" {
					fs.Add(field, "not_applicable")
				}
			}
			switch {
			case in.ToOrgID != "" && in.OutsideOrg != "":
				fs.Add("outside_org", "not_applicable")
			case in.ToOrgID != "":
				if in.ToOrgID == old.Party.OrgID {
					fs.Add("to_org_id", "same_org")
				}
				to = db.NullString(in.ToOrgID)
				party = &Party{Status: old.Party.Status, OrgID: in.ToOrgID, JoinedOn: old.Party.JoinedOn}
			case in.OutsideOrg != "":
				party = nil
			default:
				fs.Add("to_org_id", "required")
			}
		} else {
			if in.ToOrgID == "" {
				fs.Add("to_org_id", "required")
			}
			if in.OutsideOrg == "" {
				fs.Add("outside_org", "required")
			}
			standing := PartyInput{Status: in.Status, OrgID: in.ToOrgID, JoinedOn: in.JoinedOn}
			checkStanding(&fs, "", &standing, now)
			to = db.NullString(in.ToOrgID)
			party = &Party{Status: standing.Status, OrgID: in.ToOrgID, JoinedOn: standing.JoinedOn}
		}
		if err := fs.Err(); err != nil {
			return err
		}
		if to.Valid {
			if err := placement(ctx, tx, old.ZoneID, "", to.String, "to_org_id"); err != nil {
				return err
			}
		}
		var org, status, joined sql.NullString
		if party != nil {
			org, status, joined = db.NullString(party.OrgID), db.NullString(party.Status), db.NullString(party.JoinedOn)
		}
		res, err := tx.ExecContext(ctx, `UPDATE people SET org_id = $1, party_status = $2, joined_on = $3, version = $4, updated_at = $5
			WHERE id = $6 AND version = $7`, org, status, joined, old.Version+1, db.Micros(tx.Now), personID, old.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.PreconditionFailed, "problem.stale_version", "Version", old.Version)
		}
		id := uuid.Must(uuid.NewV7()).String()
		actor := db.NullString(actorOf(ctx))
		if _, err := tx.ExecContext(ctx, `INSERT INTO party_transfers (id, zone_id, person_id, from_org_id, to_org_id, outside_org,
			on_date, note, actor_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			id, old.ZoneID, personID, from, to, in.OutsideOrg, in.OnDate, in.Note, actor, db.Micros(tx.Now)); err != nil {
			return err
		}
		t, err = scanTransfer(tx.QueryRowContext(ctx, "SELECT "+transferCols+" FROM party_transfers WHERE id = $1", id))
		if err != nil {
			return err
		}
		node := old.node()
		if node == "" && to.Valid {
			node = to.String
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: node, Entity: "person", EntityID: personID, Action: "transfer",
			Summary: map[string]any{"name": old.Name, "kind": t.Kind, "from_org_id": from.String, "to_org_id": to.String,
				"outside_org": in.OutsideOrg, "on_date": in.OnDate}})
	})
	return t, err
}

// Transfers lists a person's transfer history, newest first. Callers need
// person.read over the person. Returns ENOTFOUND.
func (s *Service) Transfers(ctx context.Context, personID string, p page.Page) (page.List[Transfer], error) {
	if _, err := get(ctx, s.DB.R, Read, personID); err != nil {
		return page.List[Transfer]{}, err
	}
	var a db.Args
	where := "person_id = " + a.Add(personID)
	return page.Rows(ctx, s.DB.R, p, page.Query{From: "party_transfers", Cols: transferCols, Where: where, Args: a, Desc: true},
		scanTransfer, page.ByID(func(t Transfer) string { return t.ID }))
}
