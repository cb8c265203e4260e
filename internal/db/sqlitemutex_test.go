package db

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite runs on this package's mutexes, and every connection opened
// takes one of its recursive ones (openDatabase's db->mutex) and keeps
// it while open.
func TestSQLiteConnectionsTakeOurMutexes(t *testing.T) {
	if !sqliteMutexes {
		t.Fatal("SQLite was initialised before this package installed its mutexes")
	}
	before := connectionMutexes()
	d, err := Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.R.QueryRowContext(context.Background(), `SELECT 1`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := d.W.QueryRow(`SELECT 2`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if got := connectionMutexes() - before; got < 2 {
		t.Errorf("%d connection mutexes live for a reader and the writer, want 2 or more", got)
	}
}

// connectionMutexes counts the live recursive mutexes: one per connection
// open.
func connectionMutexes() int {
	liveMutexes.Lock()
	defer liveMutexes.Unlock()
	n := 0
	for _, m := range liveMutexes.m {
		if m.recursive {
			n++
		}
	}
	return n
}

// threads are two libc threads, closed when the test ends.
func threads(t *testing.T) (a, b *libc.TLS) {
	a, b = libc.NewTLS(), libc.NewTLS()
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// A connection's mutex is a check: the thread in it may enter it again
// (SQLite's calls nest), another thread entering it meanwhile panics, and
// once the first has left as often as it entered the other may enter.
func TestConnectionMutexRefusesASecondThread(t *testing.T) {
	a, b := threads(t)
	m := mutexAlloc(a, sqlite3.SQLITE_MUTEX_RECURSIVE)
	defer mutexFree(a, m)
	panics := func(f func()) (p bool) {
		defer func() { p = recover() != nil }()
		f()
		return false
	}
	mutexEnter(a, m)
	if rc := mutexTry(a, m); rc != sqlite3.SQLITE_OK {
		t.Fatalf("the holder's try: %d", rc)
	}
	if mutexHeld(a, m) != 1 || mutexNotheld(b, m) != 1 || mutexHeld(b, m) != 0 {
		t.Error("held/notheld do not name the holder")
	}
	if !panics(func() { mutexEnter(b, m) }) {
		t.Error("a second thread entered a connection's mutex")
	}
	if !panics(func() { mutexLeave(b, m) }) {
		t.Error("a thread not in the mutex left it")
	}
	mutexLeave(a, m)
	if !panics(func() { mutexEnter(b, m) }) {
		t.Error("a second thread entered while the first was still in once")
	}
	mutexLeave(a, m)
	mutexEnter(b, m)
	mutexLeave(b, m)
	if !panics(func() { mutexLeave(b, m) }) {
		t.Error("left more often than entered")
	}
}

// The other mutexes lock: a fast one is busy to another thread while held
// (and not re-entrant), a static one is the same mutex for every caller,
// and goroutines on their own threads increment a counter under one to
// exactly the sum (go test -race also sees them ordered).
func TestSharedMutexesLock(t *testing.T) {
	a, b := threads(t)
	f := mutexAlloc(a, sqlite3.SQLITE_MUTEX_FAST)
	defer mutexFree(a, f)
	mutexEnter(a, f)
	if rc := mutexTry(b, f); rc != sqlite3.SQLITE_BUSY {
		t.Errorf("try on a held fast mutex: %d, want SQLITE_BUSY", rc)
	}
	if rc := mutexTry(a, f); rc != sqlite3.SQLITE_BUSY {
		t.Errorf("the holder's try on a fast mutex: %d, want SQLITE_BUSY", rc)
	}
	mutexLeave(a, f)
	if rc := mutexTry(b, f); rc != sqlite3.SQLITE_OK {
		t.Errorf("try on a free fast mutex: %d", rc)
	}
	mutexLeave(b, f)

	lru := mutexAlloc(a, sqlite3.SQLITE_MUTEX_STATIC_LRU)
	if lru == 0 || mutexAlloc(b, sqlite3.SQLITE_MUTEX_STATIC_LRU) != lru || mutexAlloc(a, sqlite3.SQLITE_MUTEX_STATIC_MEM) == lru {
		t.Fatal("static mutexes are not one per kind")
	}
	if mutexAlloc(a, 999) != 0 {
		t.Error("an unknown kind of mutex was allocated")
	}
	const workers, rounds = 8, 20_000
	n := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			tls := libc.NewTLS()
			defer tls.Close()
			for range rounds {
				mutexEnter(tls, lru)
				n++
				mutexLeave(tls, lru)
			}
		})
	}
	wg.Wait()
	if n != workers*rounds {
		t.Errorf("counted %d under the static mutex, want %d", n, workers*rounds)
	}
}

// Readers and the writer on one database at once, through the VFS, page
// cache and memory mutexes they share: every write that returned is
// there, and no reader sees a count go back.
func TestSQLiteConcurrentReadersAndWriter(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.W.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	const writers, rows = 4, 150
	done := make(chan struct{})
	var readers sync.WaitGroup
	errs := make(chan error, 16)
	for range 8 {
		readers.Go(func() {
			last := 0
			for {
				select {
				case <-done:
					return
				default:
				}
				var n int
				if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM t WHERE note LIKE 'row %'`).Scan(&n); err != nil {
					errs <- err
					return
				}
				if n < last {
					errs <- fmt.Errorf("count went back from %d to %d", last, n)
					return
				}
				last = n
			}
		})
	}
	var ws sync.WaitGroup
	for w := range writers {
		ws.Go(func() {
			for i := range rows {
				if _, err := d.W.Exec(`INSERT INTO t (id, note) VALUES ($1, $2)`, w*rows+i, fmt.Sprintf("row %d", i)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	ws.Wait()
	close(done)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var n int
	if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM t`).Scan(&n); err != nil || n != writers*rows {
		t.Errorf("%d rows (%v), want %d", n, err, writers*rows)
	}
}
