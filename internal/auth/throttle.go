package auth

import (
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/apperr"
	"tongxin/internal/db"
)

// Sign-in throttling. Every attempt is written as a failure before the
// password is checked; a successful one is then forgiven. Counting and
// writing happen in one transaction that first takes the lock row of each
// key (an upsert, which PostgreSQL holds until commit; SQLite has one
// writer anyway), always in the same order, so concurrent attempts for one
// username or one address — on any replica — count one after another and
// no burst slips past the limit.

// attempt is a reserved sign-in attempt: the failure rows written for it.
type attempt []string

type limit struct {
	key string
	max int
}

// reserve records one attempt for username and the client address, or
// returns ERATELIMITED (with RetryAfter) when either has used up its
// failures in the window.
func (s *Service) reserve(ctx context.Context, username string) (attempt, error) {
	keys := []limit{{"u:" + username, s.MaxFailures}, {"a:" + clientAddr(ctx), 5 * s.MaxFailures}}
	var (
		rows attempt
		wait time.Duration
	)
	err := s.DB.Tx(ctx, func(tx *db.Tx) error {
		rows, wait = nil, 0
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_locks (key, at) VALUES ($1, $2)
				ON CONFLICT (key) DO UPDATE SET at = excluded.at`, k.key, db.Micros(tx.Now)); err != nil {
				return err
			}
		}
		for _, k := range keys {
			w, err := throttled(ctx, tx, k.key, k.max, tx.Now)
			if err != nil {
				return err
			}
			wait = max(wait, w)
		}
		if wait > 0 {
			return nil
		}
		for _, k := range keys {
			id := uuid.Must(uuid.NewV7()).String()
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (id, key, at) VALUES ($1, $2, $3)`, id, k.key, db.Micros(tx.Now)); err != nil {
				return err
			}
			rows = append(rows, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if wait > 0 {
		e := apperr.New(apperr.RateLimited, "problem.login_throttled")
		e.RetryAfter = wait
		return nil, e
	}
	return rows, nil
}

// throttled returns how long key must wait, or 0 when it may try.
func throttled(ctx context.Context, q db.Querier, key string, max int, now time.Time) (time.Duration, error) {
	since := db.Micros(now.Add(-throttleWindow))
	var n int
	var oldest sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT COUNT(*), MIN(at) FROM login_failures WHERE key = $1 AND at >= $2`, key, since).Scan(&n, &oldest)
	if err != nil || n < max {
		return 0, err
	}
	// Wait until enough failures age out of the window to fall below max.
	var at int64
	err = q.QueryRowContext(ctx, `SELECT at FROM login_failures WHERE key = $1 AND at >= $2 ORDER BY at LIMIT 1 OFFSET $3`,
		key, since, n-max).Scan(&at)
	if err != nil {
		return 0, err
	}
	return maxSecond(db.FromMicros(at).Add(throttleWindow).Sub(now)), nil
}

func maxSecond(d time.Duration) time.Duration { return max(d, time.Second) }

// release takes back an attempt that was never judged (the password could
// not be checked): it is no failure.
func (s *Service) release(ctx context.Context, a attempt) {
	if len(a) == 0 {
		return
	}
	_ = s.DB.Tx(context.WithoutCancel(ctx), func(tx *db.Tx) error { return forgive(ctx, tx, a, "") })
}

// forgive deletes an attempt's failure rows inside tx and, for a
// successful sign-in of username, the user's earlier failures too.
func forgive(ctx context.Context, tx *db.Tx, a attempt, username string) error {
	for _, id := range a {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE id = $1`, id); err != nil {
			return err
		}
	}
	if username == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key = $1`, "u:"+username)
	return err
}
