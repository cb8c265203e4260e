package people_test

import (
	"context"
	"strings"
	"testing"

	"tongxin/internal/demo"
	"tongxin/internal/people"
	"tongxin/internal/secret"
	"tongxin/internal/testenv"
)

// After a rotation every row opens with the new key alone and is found by
// the new key's blind index; a second run has nothing left to do.
func TestRekeyAfterRotation(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		srv := testenv.Start(t, dsn)
		old := srv.App.Keys
		if _, _, err := demo.Generate(ctx, srv.DB, old, "轮换", demo.Scales["demo"], 3); err != nil {
			t.Fatal(err)
		}
		rotated, err := secret.Derive(strings.Repeat("n", secret.MinLength), strings.Repeat("k", secret.MinLength))
		if err != nil {
			t.Fatal(err)
		}
		n, err := people.Rekey(ctx, srv.DB, rotated)
		if err != nil || n != 600 {
			t.Fatalf("rekeyed %d (%v), want 600", n, err)
		}
		if n, err := people.Rekey(ctx, srv.DB, rotated); err != nil || n != 0 {
			t.Fatalf("second run rekeyed %d (%v)", n, err)
		}
		fresh, _ := secret.Derive(strings.Repeat("n", secret.MinLength)) // the old key dropped
		rows, err := srv.DB.R.QueryContext(ctx, `SELECT phone_sealed, phone_index, id_sealed, id_index FROM people`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var ps, pi, is, ii string
			if err := rows.Scan(&ps, &pi, &is, &ii); err != nil {
				t.Fatal(err)
			}
			phone, err1 := fresh.Open(ps)
			idn, err2 := fresh.Open(is)
			if err1 != nil || err2 != nil {
				t.Fatalf("does not open with the new key alone: %v %v", err1, err2)
			}
			if fresh.Index("phone", phone) != pi || fresh.Index("id_number", idn) != ii {
				t.Fatal("blind index not recomputed with the new key")
			}
		}
	})
}
