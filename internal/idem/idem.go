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
	"sync/atomic"
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
//
// The key is reserved by the request's own first write (db.WithClaim): in
// its transaction (on SQLite, in its savepoint of a group commit), not in
// one of its own before it, so a filing takes one turn on SQLite's writer
// for the filing and its key, and one for storing the answer. A key
// already answered, in use or given with another request is found on the
// read pool before h runs; a request that loses the race for the key in
// its transaction has its write undone and gets the same answer a later
// one would (the first answer, 409 or 422), never its own.
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
	if replay, _, err := prior(ctx, s.DB.R, s.DB.Now(), p.UserID, key, hash); err != nil || replay != nil {
		answer(w, r, replay, err)
		return
	}
	var taken atomic.Bool
	cctx, claim := db.WithClaim(ctx, func(ctx context.Context, tx *db.Tx) error {
		if taken.Load() { // h tried to write again after losing the key
			return errTaken
		}
		err := s.reserve(ctx, tx, p.UserID, key, hash)
		if errors.Is(err, errTaken) {
			taken.Store(true)
		}
		return err
	})
	r = r.WithContext(cctx)
	r.Body = io.NopCloser(bytes.NewReader(body))
	c := &capture{header: http.Header{}}
	h(c, r)
	if c.status == 0 {
		c.status = http.StatusOK
	}
	switch {
	case taken.Load():
		// Another request holds the key: h's write was undone; answer as
		// that request's key says now (in use while it runs).
		replay, _, err := prior(ctx, s.DB.R, s.DB.Now(), p.UserID, key, hash)
		if err == nil && replay == nil {
			err = errInProgress()
		}
		answer(w, r, replay, err)
		return
	case c.status >= 400:
		if claim.Made() { // a write committed, then h failed: the key is free again
			s.release(context.WithoutCancel(ctx), p.UserID, key)
		}
	default:
		if err := s.complete(context.WithoutCancel(ctx), p.UserID, key, hash, claim.Made(), c); err != nil {
			httpx.Log(ctx).Error("idempotency: storing response", "err", err)
		}
	}
	for k, v := range c.header {
		w.Header()[k] = v
	}
	w.WriteHeader(c.status)
	w.Write(c.body.Bytes())
}

// answer writes a stored answer as a replay, or err.
func answer(w http.ResponseWriter, r *http.Request, replay *capture, err error) {
	if err != nil {
		httpx.Error(w, r, err)
		return
	}
	for k, v := range replay.header {
		w.Header()[k] = v
	}
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(replay.status)
	w.Write(replay.body.Bytes())
}

// errTaken is the claim's error when the key is not free: the request's
// transaction is undone, and Serve answers from the key (h's answer to
// this error is never sent).
var errTaken = apperr.New(apperr.Conflict, "problem.idempotency_in_progress")

func errInProgress() error { return apperr.New(apperr.Conflict, "problem.idempotency_in_progress") }

// prior reads the key as a request with hash must see it at now: the
// stored answer to replay; 422 (another request) or 409 (its request still
// runs) as the error; or neither when the key is free — stale when a row
// is left that has expired or was abandoned.
func prior(ctx context.Context, q db.Querier, now time.Time, userID, key, hash string) (replay *capture, stale bool, err error) {
	var (
		oldHash, ct, headers string
		status               int
		body                 []byte
		createdAt            int64
	)
	err = q.QueryRowContext(ctx, `SELECT request_hash, status, content_type, headers, body, created_at FROM idempotency_keys
		WHERE user_id = $1 AND key = $2`, userID, key).Scan(&oldHash, &status, &ct, &headers, &body, &createdAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	age := now.Sub(db.FromMicros(createdAt))
	if age > TTL || (status == 0 && age > abandoned) {
		return nil, true, nil
	}
	if oldHash != hash {
		return nil, false, apperr.New(apperr.Validation, "problem.idempotency_mismatch")
	}
	if status == 0 {
		return nil, false, errInProgress()
	}
	replay = &capture{header: http.Header{}, status: status}
	if json.Unmarshal([]byte(headers), &replay.header) != nil || len(replay.header) == 0 {
		replay.header = http.Header{"Content-Type": {ct}}
	}
	replay.body.Write(body)
	return replay, false, nil
}

// reserve claims key for this request in tx, or returns errTaken.
func (s *Store) reserve(ctx context.Context, tx *db.Tx, userID, key, hash string) error {
	replay, stale, err := prior(ctx, tx, tx.Now, userID, key, hash)
	switch {
	case apperr.Is(err, apperr.Validation), apperr.Is(err, apperr.Conflict), replay != nil:
		return errTaken
	case err != nil:
		return err
	case stale:
		if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2`, userID, key); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, key, request_hash, status, content_type, body, created_at)
		VALUES ($1, $2, $3, 0, '', $4, $5)`, userID, key, hash, []byte{}, db.Micros(tx.Now))
	if db.IsUnique(err) {
		return errTaken
	}
	return err
}

// complete stores c as the answer for key: on the reservation made with
// the request's write (reserved), or as a row of its own when h wrote
// nothing through a transaction (then nothing was done that a second run
// could do twice, and a row already there is left as it is).
func (s *Store) complete(ctx context.Context, userID, key, hash string, reserved bool, c *capture) error {
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
		if !reserved {
			_, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, key, request_hash, status, content_type, headers, body, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (user_id, key) DO NOTHING`,
				userID, key, hash, c.status, c.header.Get("Content-Type"), string(headers), c.body.Bytes(), db.Micros(tx.Now))
			return err
		}
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

// pruneBefore forgets the keys created before $1: a range of the index
// idempotency_keys_created (migration 0350), not a scan of every key.
const pruneBefore = `DELETE FROM idempotency_keys WHERE created_at < $1`

// Prune forgets keys older than TTL.
func (s *Store) Prune(ctx context.Context) (int64, error) {
	var n int64
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, pruneBefore, db.Micros(tx.Now.Add(-TTL)))
		if err == nil {
			n, _ = res.RowsAffected()
		}
		return err
	})
	return n, err
}
