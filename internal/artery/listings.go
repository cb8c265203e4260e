package artery

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/etag"
	"tongxin/internal/page"
	"tongxin/internal/search"
	"tongxin/internal/valid"
)

// Listing kinds and categories.
const (
	Need  = "need"
	Offer = "offer"
)

var (
	// Kinds lists the kinds of listing.
	Kinds = []string{Need, Offer}
	// Categories lists what a listing is about.
	Categories = []string{"technology", "talent", "capacity", "material", "market"}
	// ListingStatuses lists the states of a listing: only open ones are
	// proposed.
	ListingStatuses = []string{"open", "closed"}
)

// Listing is a need or an offer of an enterprise or an institute.
type Listing struct {
	ID           string    `json:"id"`
	ZoneID       string    `json:"zone_id"`
	Kind         string    `json:"kind"`
	Category     string    `json:"category"`
	ChainID      *string   `json:"chain_id"`
	SegmentID    *string   `json:"segment_id"`
	Title        string    `json:"title"`
	Body         string    `json:"text"`
	EnterpriseID *string   `json:"enterprise_id"`
	InstituteID  *string   `json:"institute_id"`
	ParkID       *string   `json:"park_id"`
	OwnerName    string    `json:"owner_name"`
	ValidFrom    *string   `json:"valid_from"`
	ValidUntil   *string   `json:"valid_until"`
	Status       string    `json:"status"`
	Sample       bool      `json:"sample"`
	Version      int       `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// owner is the id of the enterprise or institute the listing belongs to.
func (l Listing) owner() string {
	if l.EnterpriseID != nil {
		return *l.EnterpriseID
	}
	return deref(l.InstituteID)
}

// listingFrom is the listings table; listingCols adds the owner's name
// through correlated lookups by primary key (a join would make "id"
// ambiguous for paging, and a joined subquery is not flattened by SQLite,
// which then scans every listing to read one).
const listingFrom = `listings l`

const listingCols = `l.id, l.zone_id, l.kind, l.category, l.chain_id, l.segment_id, l.title, l.body, l.enterprise_id, l.institute_id, l.park_id,
	COALESCE((SELECT e.name FROM enterprises e WHERE e.id = l.enterprise_id), (SELECT i.name FROM institutes i WHERE i.id = l.institute_id), ''),
	l.valid_from, l.valid_until, l.status, l.sample, l.version, l.created_at, l.updated_at`

func scanListing(s page.Scanner) (Listing, error) {
	var l Listing
	var chain, seg, ent, inst, park, from, until sql.NullString
	err := s.Scan(&l.ID, &l.ZoneID, &l.Kind, &l.Category, &chain, &seg, &l.Title, &l.Body, &ent, &inst, &park, &l.OwnerName, &from, &until,
		&l.Status, &l.Sample, &l.Version, db.T(&l.CreatedAt), db.T(&l.UpdatedAt))
	for _, p := range []struct {
		dst **string
		v   sql.NullString
	}{{&l.ChainID, chain}, {&l.SegmentID, seg}, {&l.EnterpriseID, ent}, {&l.InstituteID, inst}, {&l.ParkID, park}, {&l.ValidFrom, from}, {&l.ValidUntil, until}} {
		if p.v.Valid {
			s := p.v.String
			*p.dst = &s
		}
	}
	return l, err
}

// A listing hangs under its enterprise (so its partner and its park see
// it) and its zone; an institute's only under the zone.
var listingAttach = []access.Attach{access.ByZone("l.zone_id"), access.ByNode("l.enterprise_id")}

// ListingFilter narrows ListListings.
type ListingFilter struct {
	Kind, Category, ChainID, SegmentID, EnterpriseID, InstituteID, ParkID, Status string
}

// ListListings lists the listings in the caller's scope, oldest first; q
// matches title, body and the owner's name, pinyin of the title included.
func (s *Service) ListListings(ctx context.Context, f ListingFilter, p page.Page) (page.List[Listing], error) {
	var a db.Args
	where := access.From(ctx).Scope(Read).Where(&a, listingAttach...)
	where += a.Equals("l.kind", f.Kind, "l.category", f.Category, "l.chain_id", f.ChainID, "l.segment_id", f.SegmentID,
		"l.enterprise_id", f.EnterpriseID, "l.institute_id", f.InstituteID, "l.park_id", f.ParkID, "l.status", f.Status)
	if p.Query != "" {
		m, err := search.Match(ctx, s.DB.R, "listings", "l.id", "l.search_key", p.Query, &a)
		if err != nil {
			return page.List[Listing]{}, err
		}
		where += " AND " + m
	}
	return page.Rows(ctx, s.DB.R, p, page.Query{From: listingFrom, Cols: listingCols, Where: where, Args: a}, scanListing,
		page.ByID(func(l Listing) string { return l.ID }))
}

var listingTable = page.Table[Listing]{From: listingFrom, Cols: listingCols, Attach: page.Attached(listingAttach...), Scan: scanListing}

// GetListing returns a listing in the caller's scope. Returns ENOTFOUND.
func (s *Service) GetListing(ctx context.Context, id string) (Listing, error) {
	return listingTable.One(ctx, s.DB.R, Read, Read, id)
}

// ListingInput is what posting a listing takes: exactly one of
// EnterpriseID and InstituteID.
type ListingInput struct {
	Kind, Category        string
	ChainID, SegmentID    string
	Title, Body           string
	EnterpriseID          string
	InstituteID           string
	ValidFrom, ValidUntil string
	// Sample marks generated demo data (the API never sets it).
	Sample bool
}

func checkListing(fs *apperr.Fields, title, body *string) {
	if title != nil {
		valid.Name(fs, "title", title, 100)
	}
	if body != nil {
		valid.Text(fs, "text", *body, 2000)
	}
}

// placeOnChain checks chain and segment (a segment alone names its chain)
// against zone and returns the chain.
func placeOnChain(ctx context.Context, q db.Querier, zoneID, chainID, segmentID string) (string, error) {
	if segmentID != "" {
		var chain string
		err := q.QueryRowContext(ctx, `SELECT chain_id FROM chain_segments WHERE id = $1 AND zone_id = $2`, segmentID, zoneID).Scan(&chain)
		if err == sql.ErrNoRows || (err == nil && chainID != "" && chain != chainID) {
			return "", apperr.Field("segment_id", "unknown_value")
		}
		return chain, err
	}
	if chainID != "" {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM chains WHERE id = $1 AND zone_id = $2`, chainID, zoneID).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			return "", apperr.Field("chain_id", "unknown_value")
		}
	}
	return chainID, nil
}

// ownerOf checks the enterprise (in the caller's listing.post scope) or
// the institute (of a zone the caller covers whole) and returns the zone
// and, for an enterprise, its park.
func ownerOf(ctx context.Context, q db.Querier, enterpriseID, instituteID string) (zone, park string, err error) {
	sc := access.From(ctx).Scope(Post)
	if enterpriseID != "" {
		var a db.Args
		where := sc.Where(&a, access.ByZone("zone_id"), access.ByNode("id"))
		err = q.QueryRowContext(ctx, `SELECT zone_id, park_id FROM enterprises WHERE id = `+a.Add(enterpriseID)+` AND `+where, a...).Scan(&zone, &park)
		if err == sql.ErrNoRows {
			err = apperr.Field("enterprise_id", "unknown_value")
		}
		return zone, park, err
	}
	err = q.QueryRowContext(ctx, `SELECT zone_id FROM institutes WHERE id = $1`, instituteID).Scan(&zone)
	if err == sql.ErrNoRows || (err == nil && !sc.CoversZone(zone)) {
		err = apperr.Field("institute_id", "unknown_value")
	}
	return zone, "", err
}

// CreateListing posts a listing for an enterprise in the caller's
// listing.post scope (its partner, its park's administrators) or for an
// institute (zone administrators). Returns EFORBIDDEN, EVALIDATION.
func (s *Service) CreateListing(ctx context.Context, in ListingInput) (Listing, error) {
	var fs apperr.Fields
	oneOf(&fs, "kind", in.Kind, Kinds)
	oneOf(&fs, "category", in.Category, Categories)
	checkListing(&fs, &in.Title, &in.Body)
	checkDate(&fs, "valid_from", in.ValidFrom)
	checkDate(&fs, "valid_until", in.ValidUntil)
	if in.ValidFrom != "" && in.ValidUntil != "" && in.ValidUntil < in.ValidFrom {
		fs.Add("valid_until", "before_start")
	}
	if (in.EnterpriseID == "") == (in.InstituteID == "") {
		fs.Add("enterprise_id", "one_owner")
	}
	if err := fs.Err(); err != nil {
		return Listing{}, err
	}
	if access.From(ctx).Scope(Post).Empty() {
		return Listing{}, apperr.New(apperr.Forbidden, "")
	}
	var l Listing
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		zone, park, err := ownerOf(ctx, tx, in.EnterpriseID, in.InstituteID)
		if err != nil {
			return err
		}
		chain, err := placeOnChain(ctx, tx, zone, in.ChainID, in.SegmentID)
		if err != nil {
			return err
		}
		l = Listing{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: zone, Kind: in.Kind, Category: in.Category, ChainID: optional(chain),
			SegmentID: optional(in.SegmentID), Title: in.Title, Body: in.Body, EnterpriseID: optional(in.EnterpriseID),
			InstituteID: optional(in.InstituteID), ParkID: optional(park), ValidFrom: optional(in.ValidFrom), ValidUntil: optional(in.ValidUntil),
			Status: "open", Sample: in.Sample, Version: 1, CreatedAt: tx.Now, UpdatedAt: tx.Now}
		if err := insertListing(ctx, tx, &l); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: l.ZoneID, Node: l.owner(), Entity: "listing", EntityID: l.ID, Action: "create",
			Summary: map[string]any{"kind": l.Kind, "category": l.Category, "title": l.Title}})
	})
	if err != nil {
		return l, err
	}
	return s.ownerName(ctx, l)
}

func (s *Service) ownerName(ctx context.Context, l Listing) (Listing, error) {
	err := s.DB.R.QueryRowContext(ctx, `SELECT COALESCE((SELECT name FROM enterprises WHERE id = $1), (SELECT name FROM institutes WHERE id = $2), '')`,
		nullable(deref(l.EnterpriseID)), nullable(deref(l.InstituteID))).Scan(&l.OwnerName)
	return l, err
}

func insertListing(ctx context.Context, tx *db.Tx, l *Listing) error {
	seq, err := nextSeq(ctx, tx, l.ZoneID, l.ID)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO listings (id, zone_id, kind, category, chain_id, segment_id, title, body, enterprise_id, institute_id,
		park_id, valid_from, valid_until, status, sample, seq, search_key, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19)`,
		l.ID, l.ZoneID, l.Kind, l.Category, l.ChainID, l.SegmentID, l.Title, l.Body, l.EnterpriseID, l.InstituteID, l.ParkID,
		l.ValidFrom, l.ValidUntil, l.Status, l.Sample, seq, search.Key(l.Title, l.Body), l.Version, db.Micros(l.CreatedAt))
	return err
}

// keepChanges is how many listing changes a zone keeps: a replica further
// behind than that reloads the zone's index whole.
const keepChanges = 10000

// nextSeq takes the zone's next listing sequence number for a change of
// listing id and records the change. Taking it locks the zone's counter
// until the transaction ends, so changes become visible in number order.
func nextSeq(ctx context.Context, tx *db.Tx, zoneID, id string) (int64, error) {
	var seq int64
	err := tx.QueryRowContext(ctx, `INSERT INTO listing_seq (zone_id, seq) VALUES ($1, 1)
		ON CONFLICT (zone_id) DO UPDATE SET seq = listing_seq.seq + 1 RETURNING seq`, zoneID).Scan(&seq)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO listing_changes (zone_id, seq, listing_id) VALUES ($1, $2, $3)`, zoneID, seq, id); err != nil {
		return 0, err
	}
	if seq%1000 == 0 {
		_, err = tx.ExecContext(ctx, `DELETE FROM listing_changes WHERE zone_id = $1 AND seq <= $2`, zoneID, seq-keepChanges)
	}
	return seq, err
}

// ListingPatch is a partial update; nil fields stay. Set* with "" clears
// the chain, segment or dates.
type ListingPatch struct {
	Category   *string
	ChainID    *string
	SegmentID  *string
	Title      *string
	Body       *string
	ValidFrom  *string
	ValidUntil *string
	Status     *string
}

// UpdateListing applies patch. Needs listing.post over the listing; match
// must hold. Kind and owner cannot change. Returns ENOTFOUND, EFORBIDDEN,
// EPRECONDITION, EVALIDATION.
func (s *Service) UpdateListing(ctx context.Context, id string, patch ListingPatch, match etag.Match) (Listing, error) {
	var fs apperr.Fields
	if patch.Category != nil {
		oneOf(&fs, "category", *patch.Category, Categories)
	}
	if patch.Status != nil && !slices.Contains(ListingStatuses, *patch.Status) {
		// Its own message: the catalogue's label for "status" is another
		// domain's (a party member's status).
		fs.Add("status", "listing_status")
	}
	checkListing(&fs, patch.Title, patch.Body)
	checkDate(&fs, "valid_from", deref(patch.ValidFrom))
	checkDate(&fs, "valid_until", deref(patch.ValidUntil))
	var l Listing
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := listingTable.One(ctx, tx, Post, Read, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := fs.Err(); err != nil {
			return err
		}
		l = old
		changes := map[string]any{}
		setOpt := func(field string, dst **string, v *string) {
			if v != nil && *v != deref(*dst) {
				changes[field] = audit.Change{From: *dst, To: optional(*v)}
				*dst = optional(*v)
			}
		}
		change(changes, "category", &l.Category, patch.Category)
		change(changes, "title", &l.Title, patch.Title)
		change(changes, "body", &l.Body, patch.Body)
		change(changes, "status", &l.Status, patch.Status)
		setOpt("valid_from", &l.ValidFrom, patch.ValidFrom)
		setOpt("valid_until", &l.ValidUntil, patch.ValidUntil)
		if l.ValidFrom != nil && l.ValidUntil != nil && *l.ValidUntil < *l.ValidFrom {
			return apperr.Field("valid_until", "before_start")
		}
		if patch.ChainID != nil || patch.SegmentID != nil {
			chain, seg := deref(old.ChainID), deref(old.SegmentID)
			if patch.SegmentID != nil {
				seg = *patch.SegmentID
				if patch.ChainID == nil && seg != "" {
					chain = ""
				}
			}
			if patch.ChainID != nil {
				chain = *patch.ChainID
				if patch.SegmentID == nil && chain != deref(old.ChainID) {
					seg = ""
				}
			}
			if chain, err = placeOnChain(ctx, tx, old.ZoneID, chain, seg); err != nil {
				return err
			}
			setOpt("chain_id", &l.ChainID, &chain)
			setOpt("segment_id", &l.SegmentID, &seg)
		}
		if len(changes) == 0 {
			return nil
		}
		l.Version, l.UpdatedAt = old.Version+1, tx.Now
		seq, err := nextSeq(ctx, tx, l.ZoneID, l.ID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE listings SET category = $1, chain_id = $2, segment_id = $3, title = $4, body = $5, valid_from = $6,
			valid_until = $7, status = $8, seq = $9, search_key = $10, version = $11, updated_at = $12 WHERE id = $13 AND version = $14`,
			l.Category, l.ChainID, l.SegmentID, l.Title, l.Body, l.ValidFrom, l.ValidUntil, l.Status, seq, search.Key(l.Title, l.Body),
			l.Version, db.Micros(tx.Now), id, old.Version)
		if err != nil {
			return err
		}
		if err := updated(res, old.Version); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: l.ZoneID, Node: l.owner(), Entity: "listing", EntityID: l.ID, Action: "update", Summary: changes})
	})
	return l, err
}

// DeleteListing deletes a listing. Needs listing.post over it; match must
// hold. Returns ENOTFOUND, EFORBIDDEN, EPRECONDITION, ECONFLICT while a
// match names it (close it instead).
func (s *Service) DeleteListing(ctx context.Context, id string, match etag.Match) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		old, err := listingTable.One(ctx, tx, Post, Read, id)
		if err != nil {
			return err
		}
		if err := match.Check(old.Version); err != nil {
			return err
		}
		if err := inUse(ctx, tx, `SELECT COUNT(*) FROM matches WHERE need_id = $1 OR offer_id = $1`, id, "problem.listing_in_use"); err != nil {
			return err
		}
		if _, err := nextSeq(ctx, tx, old.ZoneID, id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{ZoneID: old.ZoneID, Node: old.owner(), Entity: "listing", EntityID: id, Action: "delete",
			Summary: map[string]any{"kind": old.Kind, "title": old.Title}}); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM listings WHERE id = $1`, id)
		return err
	})
}
