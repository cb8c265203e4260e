package db_test

import (
	"context"
	"testing"
	"time"

	"tongxin/internal/db"
	"tongxin/internal/testenv"
)

// A transaction that takes rights away returns Settle after its commit —
// committed, so a reader sees it while the writer still waits — and
// sooner only when its caller has gone. One that does not, or one that
// fails, does not wait.
func TestSettleAfterTakingRightsAway(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := testenv.OpenDB(t, dsn)
		if _, err := d.W.Exec(`CREATE TABLE settled (n BIGINT PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		d.Settle = 300 * time.Millisecond
		count := func() (n int) {
			if err := d.R.QueryRow(`SELECT COUNT(*) FROM settled`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		write := func(ctx context.Context, n int, takes bool) error {
			return d.Tx(ctx, func(tx *db.Tx) error {
				if takes {
					tx.TakesRightsAway()
				}
				_, err := tx.ExecContext(ctx, `INSERT INTO settled (n) VALUES ($1)`, n)
				return err
			})
		}

		began := time.Now()
		done := make(chan error, 1)
		go func() { done <- write(ctx, 1, true) }()
		for count() == 0 {
			select {
			case err := <-done:
				t.Fatalf("returned (%v) before its commit could be seen", err)
			default:
			}
			time.Sleep(time.Millisecond)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if took := time.Since(began); took < d.Settle {
			t.Errorf("a transaction that took rights away returned %v after it began, want at least %v", took, d.Settle)
		}

		// Neither a plain write nor a failed one waits (a minute, were
		// either to wait, is far from what both need).
		d.Settle = time.Minute
		began = time.Now()
		if err := write(ctx, 2, false); err != nil {
			t.Fatal(err)
		}
		if err := write(ctx, 2, true); !db.IsUnique(err) {
			t.Fatalf("duplicate key: %v, want a unique violation", err)
		}
		if took := time.Since(began); took >= d.Settle/2 {
			t.Errorf("a plain write and a failed one took %v together: one of them waited", took)
		}

		// A caller that has gone is not waited for.
		cctx, cancel := context.WithCancel(ctx)
		go func() {
			for count() < 3 {
				time.Sleep(time.Millisecond)
			}
			cancel()
		}()
		if err := write(cctx, 3, true); err != nil {
			t.Fatalf("a committed write whose caller left: %v, want nil", err)
		}
	})
}
