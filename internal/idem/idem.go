// Package idem makes creating requests safe to retry: a POST carrying
// Idempotency-Key is answered once; the same key from the same user within
// 24 hours gets the first answer again (status, body, ETag, Location) and
// does nothing again. The same key with a different request is 422; a key
// whose first request is still running is 409. Only successful answers are
// kept (as Stripe does): a refusal (4xx) changed nothing, so the client may
// send the same key again with a corrected request, and a 5xx may be
// retried. A form can thus make its key when it opens and keep it until
// it succeeds. The kit checks the caller's right to create before a
// replay, so a replay never outlives that right.
package idem

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/db"
	"tongxin/internal/httpx"
)

// TTL is how long a key is remembered.
const TTL = 24 * time.Hour

// abandoned is when a reservation whose request never finished (the
// process died) may be taken over.
const abandoned = 2 * time.Minute

// Store keeps keys in the idempotency_keys table, shared by replicas.
type Store struct{ DB *db.DB }

type capture struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (c *capture) Header() http.Header         { return c.header }
func (c *capture) WriteHeader(s int)           { c.status = s }
func (c *capture) Write(b []byte) (int, error) { return c.body.Write(b) }

// kept lists the headers stored with an answer and replayed with it.
var kept = []string{"Content-Type", "Content-Language", "ETag", "Location"}

// Serve answers r with h, guarded by Idempotency-Key (checked for length
// and characters at the edge).
func (s *Store) Serve(w http.ResponseWriter, r *http.Request, h http.HandlerFunc) {
	key := r.Header.Get("Idempotency-Key")
	p := access.From(r.Context())
	if key == "" || p == nil {
		h(w, r)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, httpx.MaxBody))
	if err != nil {
		httpx.Error(w, r, apperr.New(apperr.TooLarge, "problem.too_large.detail", "Limit", "1 MiB"))
		return
	}
	sum := sha256.Sum256(append([]byte(r.Method+" "+r.URL.Path+"\n"), body...))
	hash := hex.EncodeToString(sum[:])
	ctx := r.Context()
	replay, err := s.reserve(ctx, p.UserID, key, hash)
	if err != nil {
		httpx.Error(w, r, err)
		return
	}
	if replay != nil {
		for k, v := range replay.header {
			w.Header()[k] = v
		}
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(replay.status)
		w.Write(replay.body.Bytes())
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	c := &capture{header: http.Header{}}
	h(c, r)
	if c.status == 0 {
		c.status = http.StatusOK
	}
	switch {
	case c.status >= 400:
		s.release(context.WithoutCancel(ctx), p.UserID, key)
	default:
		if err := s.complete(context.WithoutCancel(ctx), p.UserID, key, c); err != nil {
			httpx.Log(ctx).Error("idempotency: storing response", "err", err)
		}
	}
	for k, v := range c.header {
		w.Header()[k] = v
	}
	w.WriteHeader(c.status)
	w.Write(c.body.Bytes())
}

// reserve claims key for this request, or returns the stored response to
// replay, or an error (422 different request, 409 still running).
func (s *Store) reserve(ctx context.Context, userID, key, hash string) (*capture, error) {
	var replay *capture
	// Reserving and completing a key are small writes of their own on
	// either side of the request's: grouped (db.Group), concurrent ones
	// share a commit on SQLite's one writer instead of queueing for it.
	err := s.DB.Group(ctx, func(ctx context.Context, tx *db.Tx) error {
		replay = nil
		var (
			oldHash, ct, headers string
			status               int
			body                 []byte
			createdAt            int64
		)
		err := tx.QueryRowContext(ctx, `SELECT request_hash, status, content_type, headers, body, created_at FROM idempotency_keys
			WHERE user_id = $1 AND key = $2`, userID, key).Scan(&oldHash, &status, &ct, &headers, &body, &createdAt)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			age := tx.Now.Sub(db.FromMicros(createdAt))
			expired := age > TTL || (status == 0 && age > abandoned)
			if !expired {
				if oldHash != hash {
					return apperr.New(apperr.Validation, "problem.idempotency_mismatch")
				}
				if status == 0 {
					return apperr.New(apperr.Conflict, "problem.idempotency_in_progress")
				}
				replay = &capture{header: http.Header{}, status: status}
				if json.Unmarshal([]byte(headers), &replay.header) != nil || len(replay.header) == 0 {
					replay.header = http.Header{"Content-Type": {ct}}
				}
				replay.body.Write(body)
				return nil
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2`, userID, key); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, key, request_hash, status, content_type, body, created_at)
			VALUES ($1, $2, $3, 0, '', $4, $5)`, userID, key, hash, []byte{}, db.Micros(tx.Now))
		if db.IsUnique(err) {
			return apperr.New(apperr.Conflict, "problem.idempotency_in_progress")
		}
		return err
	})
	return replay, err
}

func (s *Store) complete(ctx context.Context, userID, key string, c *capture) error {
	h := http.Header{}
	for _, k := range kept {
		if v := c.header.Values(k); len(v) > 0 {
			h[k] = v
		}
	}
	headers, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return s.DB.Group(ctx, func(ctx context.Context, tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = $1, content_type = $2, headers = $3, body = $4 WHERE user_id = $5 AND key = $6`,
			c.status, c.header.Get("Content-Type"), string(headers), c.body.Bytes(), userID, key)
		return err
	})
}

func (s *Store) release(ctx context.Context, userID, key string) {
	s.DB.Group(ctx, func(ctx context.Context, tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2`, userID, key)
		return err
	})
}

// Prune forgets keys older than TTL.
func (s *Store) Prune(ctx context.Context) (int64, error) {
	var n int64
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, db.Micros(tx.Now.Add(-TTL)))
		if err == nil {
			n, _ = res.RowsAffected()
		}
		return err
	})
	return n, err
}
