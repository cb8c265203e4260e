package servicenet

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"tongxin/internal/apperr"
	"tongxin/internal/db"
)

// Open311 GeoReport v2 knows two states; the workflow's are mapped onto
// them (Open) and the internal one is published beside them.
func Open311Status(state string) string {
	if Open(state) {
		return "open"
	}
	return "closed"
}

// Jurisdiction resolves an Open311 jurisdiction_id, which names a zone by
// its id. It may be omitted while the platform holds one zone. Returns
// ENOTFOUND (no such zone), EVALIDATION (omitted with several zones).
func (s *Service) Jurisdiction(ctx context.Context, id string) (string, error) {
	if id != "" {
		var one int
		err := s.DB.R.QueryRowContext(ctx, `SELECT 1 FROM zones WHERE id = $1`, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return "", apperr.New(apperr.NotFound, "problem.open311_jurisdiction")
		}
		return id, err
	}
	var zones []string
	err := db.Each(ctx, s.DB.R, `SELECT id FROM zones ORDER BY id LIMIT 2`, nil, func(sc db.Scanner) error {
		var z string
		err := sc.Scan(&z)
		zones = append(zones, z)
		return err
	})
	if err != nil {
		return "", err
	}
	if len(zones) != 1 {
		return "", apperr.Field("jurisdiction_id", "required")
	}
	return zones[0], nil
}

// PublicCatalogue is a zone's catalogue as Open311 publishes it: to anyone.
func (s *Service) PublicCatalogue(ctx context.Context, zoneID string) ([]CatalogueEntry, error) {
	return s.catalogueOf(ctx, zoneID)
}

// Open311Filter is GeoReport v2's request query.
type Open311Filter struct {
	IDs, Codes []string
	Start, End time.Time // zero: End now, Start 90 days before End
	Open       *bool     // status=open or closed (both: nil)
}

// Open311Window and Open311Max are the standard's defaults: requests of
// the last 90 days, at most 1000 of them.
const (
	Open311Window = 90 * 24 * time.Hour
	Open311Max    = 1000
)

// PublicRequests lists a zone's requests as Open311 publishes them (to
// anyone: the caller maps them onto the standard's fields, which hold no
// contact data), newest first. Named ids are returned whatever their date.
// Of each timeline only the last note is read (Request.LastNote): the
// standard shows no more, and up to 1000 requests' timelines and photos
// were most of the answer's cost.
func (s *Service) PublicRequests(ctx context.Context, zoneID string, f Open311Filter) ([]Request, error) {
	now := s.DB.Now().UTC()
	var a db.Args
	where := "r.zone_id = " + a.Add(zoneID)
	if len(f.IDs) > 0 {
		where += " AND r.id IN (" + a.In(f.IDs) + ")"
	} else {
		end := f.End
		if end.IsZero() {
			end = now
		}
		start := f.Start
		if start.IsZero() {
			start = end.Add(-Open311Window)
		}
		where += " AND r.created_at >= " + a.Add(db.Micros(start)) + " AND r.created_at <= " + a.Add(db.Micros(end))
	}
	if len(f.Codes) > 0 {
		where += " AND r.service_code IN (" + a.In(f.Codes) + ")"
	}
	if f.Open != nil {
		closed := "r.status IN ('resolved', 'closed', 'rejected')"
		if *f.Open {
			where += " AND NOT " + closed
		} else {
			where += " AND " + closed
		}
	}
	var out []Request
	scan := s.scanRequest(now)
	const last = `(SELECT e.note FROM service_request_events e WHERE e.request_id = r.id ORDER BY e.at DESC, e.id DESC LIMIT 1)`
	err := db.Each(ctx, s.DB.R, `SELECT `+requestCols+`, `+last+` FROM `+requestFrom+` WHERE `+where+` ORDER BY r.created_at DESC, r.id DESC LIMIT `+a.Add(Open311Max),
		a, func(sc db.Scanner) error {
			var note sql.NullString
			r, err := scan(db.Also(sc, &note))
			if note.Valid {
				r.lastNote = &note.String
			}
			out = append(out, r)
			return err
		})
	return out, err
}

// PublicRequest reads one request of a zone for Open311. Returns ENOTFOUND.
func (s *Service) PublicRequest(ctx context.Context, zoneID, id string) (Request, error) {
	r, err := s.requestByID(ctx, s.DB.R, id)
	if err == nil && r.ZoneID != zoneID {
		return Request{}, apperr.New(apperr.NotFound, "")
	}
	return r, err
}

// FileOpen311 files a request posted by an Open311 client holding apiKey.
// The key names the zone; a jurisdiction_id, when given, must be it. The
// request is routed like any other (to the nearest point offering the
// service, in any park of the zone). Returns EFORBIDDEN (unknown or
// revoked key, or another jurisdiction), EVALIDATION.
func (s *Service) FileOpen311(ctx context.Context, apiKey, jurisdiction string, in FileInput) (Request, error) {
	if strings.TrimSpace(apiKey) == "" {
		return Request{}, apperr.Field("api_key", "required")
	}
	keyID, zoneID, err := s.keyOf(ctx, apiKey)
	if err != nil {
		return Request{}, err
	}
	if jurisdiction != "" && jurisdiction != zoneID {
		return Request{}, apperr.New(apperr.Forbidden, "problem.api_key_refused")
	}
	if in.Location == nil && in.Address == "" {
		return Request{}, apperr.Field("lat", "required")
	}
	in.ZoneID, in.PointID, in.ParkID = zoneID, "", ""
	return s.file(ctx, zoneID, in, filer{apiKeyID: keyID, source: "open311"})
}
