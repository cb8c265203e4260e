package db

import (
	"fmt"
	"sync"
	"unsafe"

	"modernc.org/libc"
	"modernc.org/libc/sys/types"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite's mutexes are ours (SQLITE_CONFIG_MUTEX), installed before any
// connection opens.
//
// modernc.org/sqlite opens every connection SQLITE_OPEN_FULLMUTEX: each
// call into a connection — and every column read, three per text column
// of every row — enters and leaves the connection's recursive mutex,
// through libc's pthread emulation. In a list's CPU profile that was 14%
// of the whole request, to guard against something that cannot happen:
// database/sql hands a driver connection to one goroutine at a time, and
// the driver's own per-connection state (the libc.TLS every call runs
// on) is unsafe to share anyway, as its documentation says. A
// connection's mutex — the only recursive one SQLite allocates after it
// has initialised, openDatabase's db->mutex (and RBU's VFS, unused) — is
// therefore a check, not a lock: it records which thread holds it and
// panics if another enters it meanwhile. That is SQLITE_OPEN_NOMUTEX ("multi-thread" mode, which
// SQLite documents as safe when no connection is used by two threads at
// once) with the rule enforced.
//
// The other mutexes — the static ones (the page cache's LRU, memory,
// the VFS's inode list …) and the fast ones SQLite allocates — guard
// state shared by every connection and stay real locks: a sync.Mutex,
// entered straight from SQLite instead of through the pthread emulation.
//
// SQLite itself is initialised here, on one goroutine, so that the
// recursive mutex its initialisation allocates is never contended.
// sqliteMutexes reports whether all this took effect (a test requires
// it); if SQLite was initialised before this package's init — something
// imported modernc.org/sqlite/vec, say — its own mutexes stay, which is
// correct, only slower.
var sqliteMutexes bool

// sqliteMutex is SQLite's sqlite3_mutex. SQLite holds its address as an
// opaque handle and never reads it: Go memory, so that the race detector
// sees the order its sync.Mutex gives (in libc's heap it sees none),
// kept alive by liveMutexes while SQLite holds it.
type sqliteMutex struct {
	mu        sync.Mutex
	recursive bool
	depth     int32 // recursive: how many times owner has entered it
	owner     int32 // recursive: the libc.TLS.ID of the thread in it
}

// liveMutexes are the mutexes SQLite has allocated and not freed.
var liveMutexes = struct {
	sync.Mutex
	m map[uintptr]*sqliteMutex
}{m: map[uintptr]*sqliteMutex{}}

func init() {
	tls := libc.NewTLS()
	defer tls.Close()
	// The table is read by the transpiled SQLite, so it lives in libc's
	// heap (checkptr refuses Go memory reached from a uintptr there).
	m := at[sqlite3.Sqlite3_mutex_methods](calloc(tls, unsafe.Sizeof(sqlite3.Sqlite3_mutex_methods{})))
	*m = sqlite3.Sqlite3_mutex_methods{
		FxMutexInit:    cfunc(func(*libc.TLS) int32 { return sqlite3.SQLITE_OK }),
		FxMutexEnd:     cfunc(func(*libc.TLS) int32 { return sqlite3.SQLITE_OK }),
		FxMutexAlloc:   cfunc(mutexAlloc),
		FxMutexFree:    cfunc(mutexFree),
		FxMutexEnter:   cfunc(mutexEnter),
		FxMutexTry:     cfunc(mutexTry),
		FxMutexLeave:   cfunc(mutexLeave),
		FxMutexHeld:    cfunc(mutexHeld),
		FxMutexNotheld: cfunc(mutexNotheld),
	}
	va := calloc(tls, unsafe.Sizeof(uintptr(0)))
	defer libc.Xfree(tls, va)
	if sqlite3.Xsqlite3_config(tls, sqlite3.SQLITE_CONFIG_MUTEX, libc.VaList(va, uintptr(unsafe.Pointer(m)))) != sqlite3.SQLITE_OK {
		return // already initialised: SQLite keeps its own
	}
	if rc := sqlite3.Xsqlite3_initialize(tls); rc != sqlite3.SQLITE_OK {
		panic(fmt.Sprintf("db: sqlite3_initialize: %d", rc))
	}
	sqliteMutexes = true
}

// staticMutexes are SQLite's SQLITE_MUTEX_STATIC_MAIN … _VFS3.
var staticMutexes [sqlite3.SQLITE_MUTEX_STATIC_VFS3 - sqlite3.SQLITE_MUTEX_STATIC_MAIN + 1]sqliteMutex

func calloc(tls *libc.TLS, n uintptr) uintptr {
	p := libc.Xcalloc(tls, 1, types.Size_t(n))
	if p == 0 {
		panic("db: out of memory")
	}
	return p
}

// cfunc is f as SQLite's transpiled code calls a C function pointer.
func cfunc[F any](f F) uintptr { return *(*uintptr)(unsafe.Pointer(&f)) }

func mutexAlloc(_ *libc.TLS, kind int32) uintptr {
	switch {
	case kind == sqlite3.SQLITE_MUTEX_FAST || kind == sqlite3.SQLITE_MUTEX_RECURSIVE:
		m := &sqliteMutex{recursive: kind == sqlite3.SQLITE_MUTEX_RECURSIVE}
		p := uintptr(unsafe.Pointer(m))
		liveMutexes.Lock()
		liveMutexes.m[p] = m
		liveMutexes.Unlock()
		return p
	case kind >= sqlite3.SQLITE_MUTEX_STATIC_MAIN && kind <= sqlite3.SQLITE_MUTEX_STATIC_VFS3:
		return uintptr(unsafe.Pointer(&staticMutexes[kind-sqlite3.SQLITE_MUTEX_STATIC_MAIN]))
	}
	return 0
}

func mutexFree(_ *libc.TLS, p uintptr) {
	liveMutexes.Lock()
	delete(liveMutexes.m, p)
	liveMutexes.Unlock()
}

// at is the T at an address SQLite holds as a C pointer: libc's heap
// (the methods table), or Go memory that liveMutexes or staticMutexes
// keep alive and the collector does not move (a mutex). The address is
// read back as a pointer through memory, not converted from a uintptr:
// neither checkptr nor go vet's unsafeptr check can know that it stays
// valid, and both would refuse the conversion.
func at[T any](p uintptr) *T { return (*T)(*(*unsafe.Pointer)(unsafe.Pointer(&p))) }

func mutexEnter(tls *libc.TLS, p uintptr) {
	m := at[sqliteMutex](p)
	if !m.recursive {
		m.mu.Lock()
		return
	}
	if m.depth > 0 && m.owner != tls.ID {
		panic("db: an SQLite connection entered by two threads at once")
	}
	m.owner = tls.ID
	m.depth++
}

func mutexTry(tls *libc.TLS, p uintptr) int32 {
	m := at[sqliteMutex](p)
	if !m.recursive {
		if m.mu.TryLock() {
			return sqlite3.SQLITE_OK
		}
		return sqlite3.SQLITE_BUSY
	}
	mutexEnter(tls, p)
	return sqlite3.SQLITE_OK
}

func mutexLeave(tls *libc.TLS, p uintptr) {
	m := at[sqliteMutex](p)
	if !m.recursive {
		m.mu.Unlock()
		return
	}
	if m.depth == 0 || m.owner != tls.ID {
		panic("db: an SQLite connection left by a thread not in it")
	}
	m.depth--
}

// mutexHeld and mutexNotheld serve SQLite's assertions (compiled out of
// this build); for a lock they cannot tell, and say yes as SQLite asks.
func mutexHeld(tls *libc.TLS, p uintptr) int32 {
	known, held := holder(tls, p)
	return b2i(!known || held)
}

func mutexNotheld(tls *libc.TLS, p uintptr) int32 {
	known, held := holder(tls, p)
	return b2i(!known || !held)
}

// holder reports whether the thread of tls is in the mutex at p, when
// that is known: for a connection's mutex, which records its holder.
func holder(tls *libc.TLS, p uintptr) (known, held bool) {
	if p == 0 {
		return false, false
	}
	m := at[sqliteMutex](p)
	return m.recursive, m.recursive && m.depth > 0 && m.owner == tls.ID
}

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}
