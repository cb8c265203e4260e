package idem_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/idem"
	"tongxin/internal/testenv"
)

// post sends body with key through s to h as user, and returns the answer.
func post(s *idem.Store, user, key, body string, h http.HandlerFunc) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", "/api/v1/things", strings.NewReader(body))
	r.Header.Set("Idempotency-Key", key)
	r = r.WithContext(access.With(r.Context(), &access.Principal{UserID: user}))
	w := httptest.NewRecorder()
	s.Serve(w, r, h)
	return w
}

// The key is reserved by the request's own write, not by a transaction of
// its own: a key costs a creating request one more write transaction (the
// answer), a refusal none; and whatever reaches its write with a key that
// is taken has that write undone.
func TestKeyIsReservedByTheRequestsWrite(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := testenv.OpenDB(t, dsn)
		s := &idem.Store{DB: d}
		if _, err := d.W.ExecContext(ctx, `CREATE TABLE idem_made (id TEXT PRIMARY KEY, note TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		made := func(note string) int {
			var n int
			if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM idem_made WHERE note = $1`, note).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		keys := func(key string) (n, status int) {
			if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(status), 0) FROM idempotency_keys WHERE key = $1`, key).Scan(&n, &status); err != nil {
				t.Fatal(err)
			}
			return n, status
		}
		// create writes a row (grouped, as filings and sign-ups are) and
		// answers 201 with its id, or fail as a handler would.
		var calls atomic.Int64
		create := func(note string, before func()) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				if before != nil {
					before()
				}
				id := uuid.NewString()
				err := d.Group(r.Context(), func(ctx context.Context, tx *db.Tx) error {
					_, err := tx.ExecContext(ctx, `INSERT INTO idem_made (id, note) VALUES ($1, $2)`, id, note)
					return err
				})
				if err != nil {
					http.Error(w, err.Error(), http.StatusConflict)
					return
				}
				w.Header().Set("Location", "/api/v1/things/"+id)
				w.WriteHeader(http.StatusCreated)
				fmt.Fprint(w, id)
			}
		}

		t.Run("one write transaction for the request and its key, one for the answer", func(t *testing.T) {
			before := d.Writes()
			w := post(s, "u1", "k-one", `{"n":1}`, create("one", nil))
			if w.Code != 201 || made("one") != 1 {
				t.Fatalf("HTTP %d, %d rows", w.Code, made("one"))
			}
			if n := d.Writes() - before; n != 2 {
				t.Fatalf("%d write transactions for one keyed request, want 2 (the request with its key, the answer)", n)
			}
			if n, status := keys("k-one"); n != 1 || status != 201 {
				t.Fatalf("key rows %d, status %d", n, status)
			}
			again := post(s, "u1", "k-one", `{"n":1}`, create("one", nil))
			if again.Code != 201 || again.Body.String() != w.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" ||
				again.Header().Get("Location") != w.Header().Get("Location") || made("one") != 1 {
				t.Fatalf("replay: HTTP %d %q, %d rows", again.Code, again.Body.String(), made("one"))
			}
			if other := post(s, "u1", "k-one", `{"n":2}`, create("one", nil)); other.Code != 422 || made("one") != 1 {
				t.Fatalf("another body with the key: HTTP %d, %d rows", other.Code, made("one"))
			}
		})

		t.Run("a refusal before any write costs no write", func(t *testing.T) {
			before := d.Writes()
			w := post(s, "u1", "k-refused", `{}`, func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "no", http.StatusUnprocessableEntity)
			})
			if w.Code != 422 || d.Writes() != before {
				t.Fatalf("HTTP %d, %d write transactions", w.Code, d.Writes()-before)
			}
			if n, _ := keys("k-refused"); n != 0 {
				t.Fatal("a refusal was kept")
			}
		})

		t.Run("a request that writes nothing keeps its answer", func(t *testing.T) {
			calls.Store(0)
			quiet := func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.WriteHeader(http.StatusOK)
				fmt.Fprint(w, "computed")
			}
			first := post(s, "u1", "k-quiet", `{}`, quiet)
			again := post(s, "u1", "k-quiet", `{}`, quiet)
			if first.Code != 200 || again.Code != 200 || again.Body.String() != "computed" ||
				again.Header().Get("Idempotent-Replayed") != "true" || calls.Load() != 1 {
				t.Fatalf("HTTP %d %d %q, handler ran %d times", first.Code, again.Code, again.Body.String(), calls.Load())
			}
		})

		t.Run("failing after its write committed frees the key", func(t *testing.T) {
			failing := func(w http.ResponseWriter, r *http.Request) {
				create("failed-after", nil)(httptest.NewRecorder(), r)
				http.Error(w, "rendering failed", http.StatusInternalServerError)
			}
			if w := post(s, "u1", "k-fail", `{}`, failing); w.Code != 500 || made("failed-after") != 1 {
				t.Fatalf("HTTP %d, %d rows", w.Code, made("failed-after"))
			}
			if n, _ := keys("k-fail"); n != 0 {
				t.Fatalf("the key of a failed request is still held (%d rows): its retry would get 409 for 2 minutes", n)
			}
			// As before keys were written with the request: a 5xx may be
			// retried, and the retry runs.
			if w := post(s, "u1", "k-fail", `{}`, create("failed-after", nil)); w.Code != 201 || made("failed-after") != 2 {
				t.Fatalf("retry: HTTP %d, %d rows", w.Code, made("failed-after"))
			}
		})

		t.Run("a request that lost its key writes nothing, however often it tries", func(t *testing.T) {
			stubborn := func(w http.ResponseWriter, r *http.Request) {
				// Another request takes the key between the read and
				// this request's first write.
				if _, err := d.W.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, key, request_hash, status, content_type, body, created_at)
					VALUES ('u1', 'k-lost', 'another', 0, '', $1, $2)`, []byte{}, db.Micros(time.Now())); err != nil {
					t.Error(err)
				}
				create("lost", nil)(httptest.NewRecorder(), r)
				// That request fails and frees the key; this one tries
				// to write again.
				if _, err := d.W.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE key = 'k-lost'`); err != nil {
					t.Error(err)
				}
				create("lost", nil)(httptest.NewRecorder(), r)
				w.WriteHeader(http.StatusCreated)
			}
			w := post(s, "u1", "k-lost", `{}`, stubborn)
			if w.Code != 409 || made("lost") != 0 {
				t.Fatalf("HTTP %d, %d rows written after losing the key", w.Code, made("lost"))
			}
		})

		t.Run("concurrent requests with one key write once", func(t *testing.T) {
			// All n pass the read before any has written (the barrier),
			// so the key is decided by the claim in their write
			// transactions: on SQLite in one group's savepoints, on
			// PostgreSQL by the primary key between transactions.
			const n = 16
			calls.Store(0)
			var entered sync.WaitGroup
			entered.Add(n)
			barrier := func() {
				entered.Done()
				done := make(chan struct{})
				go func() { entered.Wait(); close(done) }()
				select {
				case <-done:
				case <-time.After(5 * time.Second):
				}
			}
			answers := make([]*httptest.ResponseRecorder, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					answers[i] = post(s, "u2", "k-race", `{"same":true}`, create("race", barrier))
				}()
			}
			wg.Wait()
			if calls.Load() != n {
				t.Fatalf("the handler ran %d times, want %d (all past the read)", calls.Load(), n)
			}
			if got := made("race"); got != 1 {
				t.Fatalf("%d rows made by %d requests with one key, want 1", got, n)
			}
			if k, status := keys("k-race"); k != 1 || status != 201 {
				t.Fatalf("key rows %d, status %d", k, status)
			}
			var id string
			created := 0
			for _, a := range answers {
				switch a.Code {
				case 409:
				case 201:
					if id != "" && a.Body.String() != id {
						t.Fatalf("two different answers: %q and %q", id, a.Body.String())
					}
					id = a.Body.String()
					if a.Header().Get("Idempotent-Replayed") == "" {
						created++
					}
				default:
					t.Fatalf("HTTP %d %q: want 201 or 409", a.Code, a.Body.String())
				}
			}
			if created != 1 {
				t.Fatalf("%d requests answered as the one that created", created)
			}
		})
	})
}

// The hourly prune deletes a range of the keys' creation index, not a
// scan of every key.
func TestPruneReadsARangeOfTime(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		if plan := testenv.Explain(t, srv.DB, idem.PruneBefore, []any{int64(1)}); !strings.Contains(plan, "idempotency_keys_created") {
			t.Errorf("the prune does not read idempotency_keys_created:\n%s", plan)
		}
	})
}
