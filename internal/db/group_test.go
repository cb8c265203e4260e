package db_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"tongxin/internal/db"
	"tongxin/internal/testenv"
)

// Group: many concurrent writers, some of which fail. Each failing one
// leaves nothing behind and alone gets its error; every other write is
// there once its caller has its answer; a caller whose context has ended
// before its turn writes nothing.
func TestGroupEachWriteStandsAlone(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d, err := db.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		if _, err := d.W.Exec(`CREATE TABLE grouped (n BIGINT PRIMARY KEY, note TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		refused := errors.New("refused")
		const n = 300
		var wg sync.WaitGroup
		var visible atomic.Int64
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = d.Group(ctx, func(ctx context.Context, tx *db.Tx) error {
					if _, err := tx.ExecContext(ctx, `INSERT INTO grouped (n, note) VALUES ($1, $2)`, i, fmt.Sprint("write ", i)); err != nil {
						return err
					}
					if i%7 == 3 {
						return refused // after its write: the write must go
					}
					if i%11 == 5 { // a duplicate key: a statement error inside the group
						_, err := tx.ExecContext(ctx, `INSERT INTO grouped (n, note) VALUES ($1, 'again')`, i)
						return err
					}
					return nil
				})
				if errs[i] == nil {
					// Answered: committed, so another connection sees it.
					var one int
					if err := d.R.QueryRow(`SELECT 1 FROM grouped WHERE n = $1`, i).Scan(&one); err == nil {
						visible.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		want := 0
		for i, err := range errs {
			switch {
			case i%7 == 3:
				if !errors.Is(err, refused) {
					t.Fatalf("write %d: %v, want its own refusal", i, err)
				}
			case i%11 == 5:
				if !db.IsUnique(err) {
					t.Fatalf("write %d: %v, want its unique violation", i, err)
				}
			default:
				if err != nil {
					t.Fatalf("write %d: %v", i, err)
				}
				want++
			}
		}
		var got int
		if err := d.R.QueryRow(`SELECT COUNT(*) FROM grouped`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want || int(visible.Load()) != want {
			t.Fatalf("%d rows, %d seen by their writers on answering; want %d", got, visible.Load(), want)
		}
		if err := d.R.QueryRow(`SELECT COUNT(*) FROM grouped WHERE note = 'again' OR n % 7 = 3 OR n % 11 = 5`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != 0 {
			t.Fatalf("%d rows of refused writes remain", got)
		}
		gone, cancel := context.WithCancel(ctx)
		cancel()
		if err := d.Group(gone, func(ctx context.Context, tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO grouped (n, note) VALUES (-1, 'late')`)
			return err
		}); !errors.Is(err, context.Canceled) {
			t.Fatalf("a write whose caller had gone: %v, want context.Canceled", err)
		}
		if err := d.R.QueryRow(`SELECT COUNT(*) FROM grouped WHERE n = -1`).Scan(&got); err != nil || got != 0 {
			t.Fatalf("the gone caller's write: %d rows (%v)", got, err)
		}
	})
}
