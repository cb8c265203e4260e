package servicenet

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/audit"
	"tongxin/internal/db"
	"tongxin/internal/page"
	"tongxin/internal/valid"
)

// APIKey is a key an Open311 client posts requests with. Key is the
// secret itself, shown once when the key is made; only its keyed hash is
// stored.
type APIKey struct {
	ID        string     `json:"id"`
	ZoneID    string     `json:"zone_id"`
	Name      string     `json:"name"`
	Key       string     `json:"key,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// keyPrefix marks Tongxin's Open311 keys (so a leaked one is recognisable).
const keyPrefix = "o311_"

func (s *Service) keyHash(key string) string { return s.Keys.Index("open311 api key", key) }

var keyAttach = []access.Attach{access.ByZone("zone_id")}

func scanKey(sc db.Scanner) (APIKey, error) {
	var k APIKey
	var revoked sql.NullInt64
	err := sc.Scan(&k.ID, &k.ZoneID, &k.Name, db.T(&k.CreatedAt), &revoked)
	if revoked.Valid {
		t := db.FromMicros(revoked.Int64)
		k.RevokedAt = &t
	}
	return k, err
}

const keyCols = `id, zone_id, name, created_at, revoked_at`

// ListKeys lists the API keys of the zones the caller manages keys in
// (api_key.manage over the whole zone), oldest first, revoked ones
// included; never the secrets.
func (s *Service) ListKeys(ctx context.Context, p page.Page) (page.List[APIKey], error) {
	var a db.Args
	where := access.From(ctx).Scope(KeyManage).Where(&a, keyAttach...)
	return page.Rows(ctx, s.DB.R, p, page.Query{From: "api_keys", Cols: keyCols, Where: where, Args: a}, scanKey,
		page.ByID(func(k APIKey) string { return k.ID }))
}

// CreateKey makes a key for a zone (zoneID, or the caller's only zone) and
// returns it with its secret, which is not kept. Callers need
// api_key.manage over the zone. Returns EFORBIDDEN, EVALIDATION.
func (s *Service) CreateKey(ctx context.Context, zoneID, name string) (APIKey, error) {
	zoneID, err := manageZone(ctx, KeyManage, zoneID)
	if err != nil {
		return APIKey{}, err
	}
	var fs apperr.Fields
	valid.Name(&fs, "name", &name, 100)
	if err := fs.Err(); err != nil {
		return APIKey{}, err
	}
	if err := s.checkZone(ctx, zoneID); err != nil {
		return APIKey{}, err
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	k := APIKey{ID: uuid.Must(uuid.NewV7()).String(), ZoneID: zoneID, Name: name, Key: keyPrefix + base64.RawURLEncoding.EncodeToString(raw)}
	err = s.DB.Tx(ctx, func(tx *db.Tx) error {
		k.CreatedAt = tx.Now
		if _, err := tx.ExecContext(ctx, `INSERT INTO api_keys (id, zone_id, name, key_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			k.ID, zoneID, name, s.keyHash(k.Key), db.NullString(access.From(ctx).UserID), db.Micros(tx.Now)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: zoneID, Entity: "api_key", EntityID: k.ID, Action: "create", Summary: map[string]any{"name": name}})
	})
	return k, err
}

// RevokeKey revokes a key: posts with it are refused from then on.
// Revoking a revoked key does nothing more. Callers need api_key.manage
// over its zone. Returns ENOTFOUND.
func (s *Service) RevokeKey(ctx context.Context, id string) error {
	return s.DB.Tx(ctx, func(tx *db.Tx) error {
		var a db.Args
		where := access.From(ctx).Scope(KeyManage).Where(&a, keyAttach...)
		k, err := scanKey(tx.QueryRowContext(ctx, `SELECT `+keyCols+` FROM api_keys WHERE id = `+a.Add(id)+` AND `+where, a...))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "")
		}
		if err != nil || k.RevokedAt != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = $1 WHERE id = $2`, db.Micros(tx.Now), id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{ZoneID: k.ZoneID, Entity: "api_key", EntityID: id, Action: "revoke", Summary: map[string]any{"name": k.Name}})
	})
}

// keyOf finds the live key with secret key: its id and zone. An unknown
// or revoked key is EFORBIDDEN.
func (s *Service) keyOf(ctx context.Context, key string) (id, zoneID string, err error) {
	var revoked sql.NullInt64
	err = s.DB.R.QueryRowContext(ctx, `SELECT id, zone_id, revoked_at FROM api_keys WHERE key_hash = $1`, s.keyHash(key)).Scan(&id, &zoneID, &revoked)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && revoked.Valid) {
		return "", "", apperr.New(apperr.Forbidden, "problem.api_key_refused")
	}
	return id, zoneID, err
}
