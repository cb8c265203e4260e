package db_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"tongxin/internal/db"
	"tongxin/internal/httpx"
	"tongxin/internal/testenv"
)

// A leased read waits for a place at the read pool's gate (Turns wide):
// with every place held it does not run, and it runs as soon as one is
// given back. Reads outside a lease, and a lease's reads once it is
// released, never wait. A read whose caller goes while it waits fails and
// leaves no place taken.
func TestLeasedReadsTakeTurns(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		d := testenv.OpenDB(t, dsn)
		width := d.R.Turns()
		if width < 1 || width > d.R.DB.Stats().MaxOpenConnections {
			t.Fatalf("%d turns on a pool of %d", width, d.R.DB.Stats().MaxOpenConnections)
		}
		read := func(ctx context.Context) error {
			var n int
			return d.R.QueryRowContext(ctx, `SELECT 1`).Scan(&n)
		}
		holders := make([]*db.Lease, width)
		for i := range holders {
			ctx, l := db.WithLease(context.Background())
			if err := read(ctx); err != nil {
				t.Fatal(err)
			}
			if err := read(ctx); err != nil { // a second read keeps the same place
				t.Fatal(err)
			}
			holders[i] = l
		}
		if got := d.R.QueueStats().Waits; got != 0 {
			t.Fatalf("%d of %d places taken, yet %d reads waited", width, width, got)
		}

		// Every place held: a leased read waits.
		ctx, next := db.WithLease(context.Background())
		done := make(chan error, 1)
		go func() { done <- read(ctx) }()
		select {
		case err := <-done:
			t.Fatalf("a leased read ran with all %d places held (err %v)", width, err)
		case <-time.After(200 * time.Millisecond):
		}

		// Reads outside a lease, or after their lease's answer began, go
		// to the pool directly.
		if err := read(context.Background()); err != nil {
			t.Fatal(err)
		}
		ctxDone, answered := db.WithLease(context.Background())
		answered.Release()
		if err := read(ctxDone); err != nil {
			t.Fatal(err)
		}

		// A caller gone while it waits: an error, and no place kept.
		ctxGone, cancel := context.WithCancel(context.Background())
		ctxGone, gone := db.WithLease(ctxGone)
		goneDone := make(chan error, 1)
		go func() { goneDone <- read(ctxGone) }()
		time.Sleep(50 * time.Millisecond)
		cancel()
		if err := <-goneDone; !errors.Is(err, context.Canceled) {
			t.Fatalf("a read whose caller went: %v, want context.Canceled", err)
		}
		gone.Release()

		// One place given back: the waiting read runs.
		holders[0].Release()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the waiting read did not run when a place was given back")
		}
		next.Release()
		for _, l := range holders[1:] {
			l.Release()
			l.Release() // twice is once
		}

		// Every place is free again: width new leases take one each at once.
		waits := d.R.QueueStats().Waits
		for range width {
			ctx, l := db.WithLease(context.Background())
			if err := read(ctx); err != nil {
				t.Fatal(err)
			}
			defer l.Release()
		}
		if got := d.R.QueueStats().Waits; got != waits {
			t.Fatalf("%d leases on a free gate of %d: %d waited", width, width, got-waits)
		}
	})
}

// httpx.Leased gives GET requests a lease and takes it back when their
// answer begins: requests whose clients read their answers slowly (here:
// handlers stuck after their first byte) hold no place, and the next
// request's read runs. A POST has no lease.
func TestAnswerGivesTheTurnBack(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		d := testenv.OpenDB(t, dsn)
		width := d.R.Turns()
		h, rec := nextPastStuckTurns(t, d, "past their first byte", "written",
			func(w http.ResponseWriter, began func(), stuck <-chan struct{}) {
				w.WriteHeader(http.StatusOK)
				began()
				<-stuck
			},
			func(w http.ResponseWriter, n int) { w.WriteHeader(http.StatusOK) })
		if rec.Code != http.StatusOK {
			t.Fatalf("GET: %d %s", rec.Code, rec.Body)
		}

		// Every place held: a POST's read still runs.
		for range width {
			ctx, l := db.WithLease(context.Background())
			var n int
			if err := d.R.QueryRowContext(ctx, `SELECT 1`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			defer l.Release()
		}
		posted := make(chan struct{})
		go func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/next", nil)); close(posted) }()
		select {
		case <-posted:
		case <-time.After(10 * time.Second):
			t.Fatal("a POST waited for a read's turn")
		}
	})
}

// httpx.JSON gives the turn back before it encodes the answer, which
// reads no database: with every place held by requests still encoding
// (their values' encoding stuck), the next request's read runs.
func TestEncodingGivesTheTurnBack(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		d := testenv.OpenDB(t, dsn)
		_, rec := nextPastStuckTurns(t, d, "to encoding their answers", "encoded",
			func(w http.ResponseWriter, began func(), stuck <-chan struct{}) {
				httpx.JSON(w, http.StatusOK, stuckValue{began: began, once: new(sync.Once), stuck: stuck})
			},
			func(w http.ResponseWriter, n int) { httpx.JSON(w, http.StatusOK, n) })
		if rec.Code != http.StatusOK || rec.Body.String() != "1\n" {
			t.Fatalf("GET: %d %q", rec.Code, rec.Body)
		}
	})
}

// nextPastStuckTurns serves through httpx.Leased one GET more than d's
// read pool has turns, each of which reads and then sticks: stick calls
// began and waits for stuck, closed when the test ends. Once all have
// begun, a GET of /next reads and is answered by answer, and must not
// wait behind the stuck ones. past and waiting name the stuck requests'
// stage in failures. It returns the handler and the answer of /next.
func nextPastStuckTurns(t *testing.T, d *db.DB, past, waiting string,
	stick func(w http.ResponseWriter, began func(), stuck <-chan struct{}), answer func(w http.ResponseWriter, n int),
) (http.Handler, *httptest.ResponseRecorder) {
	t.Helper()
	width := d.R.Turns()
	stuck := make(chan struct{})
	t.Cleanup(func() { close(stuck) })
	var began sync.WaitGroup
	h := httpx.Leased(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		if err := d.R.QueryRowContext(r.Context(), `SELECT 1`).Scan(&n); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		if r.URL.Path == "/slow" {
			stick(w, began.Done, stuck)
			return
		}
		answer(w, n)
	}))
	began.Add(width + 1)
	for range width + 1 {
		go h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/slow", nil))
	}
	all := make(chan struct{})
	go func() { began.Wait(); close(all) }()
	select {
	case <-all:
	case <-time.After(10 * time.Second):
		t.Fatalf("%d GETs, %d places: not all got %s", width+1, width, past)
	}
	rec := httptest.NewRecorder()
	finished := make(chan struct{})
	go func() { h.ServeHTTP(rec, httptest.NewRequest("GET", "/next", nil)); close(finished) }()
	select {
	case <-finished:
	case <-time.After(10 * time.Second):
		t.Fatalf("a GET waited behind answers being %s", waiting)
	}
	return h, rec
}

// stuckValue's encoding says it began, then waits for stuck.
type stuckValue struct {
	began func()
	once  *sync.Once
	stuck <-chan struct{}
}

func (v stuckValue) MarshalJSON() ([]byte, error) {
	v.once.Do(v.began)
	<-v.stuck
	return []byte(`{}`), nil
}

// TONGXIN_DB_READ_TURNS: 0 keeps the engine's width, a value outside 1 to
// the pool's size is refused, and a width set is the gate's: with that
// many leases holding a place, the next leased read waits.
func TestReadTurnsSetting(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		d := testenv.OpenDB(t, dsn)
		def, pool := d.R.Turns(), d.R.DB.Stats().MaxOpenConnections
		if err := d.SetReadTurns(0); err != nil || d.R.Turns() != def {
			t.Fatalf("0: %v, %d turns, want the default %d", err, d.R.Turns(), def)
		}
		for _, n := range []int{-1, pool + 1} {
			if err := d.SetReadTurns(n); err == nil || d.R.Turns() != def {
				t.Fatalf("%d on a pool of %d: accepted (%d turns)", n, pool, d.R.Turns())
			}
		}
		if err := d.SetReadTurns(2); err != nil || d.R.Turns() != 2 {
			t.Fatalf("2: %v, %d turns", err, d.R.Turns())
		}
		read := func(ctx context.Context) error {
			var n int
			return d.R.QueryRowContext(ctx, `SELECT 1`).Scan(&n)
		}
		var held []*db.Lease
		for range 2 {
			ctx, l := db.WithLease(context.Background())
			if err := read(ctx); err != nil {
				t.Fatal(err)
			}
			held = append(held, l)
		}
		ctx, next := db.WithLease(context.Background())
		defer next.Release()
		done := make(chan error, 1)
		go func() { done <- read(ctx) }()
		select {
		case err := <-done:
			t.Fatalf("a third leased read ran with 2 turns held (err %v)", err)
		case <-time.After(200 * time.Millisecond):
		}
		held[0].Release()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		held[1].Release()
	})
}
