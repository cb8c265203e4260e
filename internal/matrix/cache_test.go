package matrix_test

import (
	"context"
	"math/rand/v2"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/apperr"
	"tongxin/internal/db"
	"tongxin/internal/matrix"
	"tongxin/internal/nodes"
	"tongxin/internal/testenv"
)

// The answer cache (cache.go), on both engines. Each test fails when the
// guarantee it names is taken out of Matrix.

// as returns a context carrying a caller granted role on each node.
func as(t *testing.T, d *db.DB, role string, nodeIDs ...string) context.Context {
	t.Helper()
	p := &access.Principal{UserID: "u-" + role}
	for _, id := range nodeIDs {
		n, err := nodes.Get(context.Background(), d.R, id)
		if err != nil {
			t.Fatal(err)
		}
		p.Grants = append(p.Grants, access.Grant{Role: role, ScopeID: id, Kind: n.Kind, Path: n.Path, ZoneID: n.ZoneID})
	}
	return access.With(context.Background(), p)
}

// addActivities records n activities organised by node, in a write
// transaction of d's process.
func addActivities(t testing.TB, d *db.DB, node string, n int64) {
	t.Helper()
	ctx := context.Background()
	err := d.Tx(ctx, func(tx *db.Tx) error {
		p, err := matrix.PlaceOf(ctx, tx, node)
		if err != nil {
			return err
		}
		return matrix.Add(ctx, tx, matrix.Fact{Place: p, Function: "service", At: time.Date(2022, 11, 15, 2, 0, 0, 0, time.UTC),
			Figures: matrix.Figures{Activities: n}})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// activities is the sum of the cells' activities in svc's answer.
func activities(t testing.TB, ctx context.Context, svc *matrix.Service, f matrix.Filter) int64 {
	t.Helper()
	rep, err := svc.Matrix(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, c := range rep.Cells {
		n += c.Activities
	}
	return n
}

// A write of this process shows in the next answer, however long the TTL:
// the kept answer is tagged with the writes counter.
func TestCacheReadsYourWrites(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newTree(t, dsn)
		d := w.srv.DB
		svc := &matrix.Service{DB: d, TTL: time.Hour}
		ctx := as(t, d, access.ZoneAdmin, w.zone)
		if n := activities(t, ctx, svc, matrix.Filter{}); n != 0 {
			t.Fatalf("%d activities before any", n)
		}
		if n := activities(t, ctx, svc, matrix.Filter{}); n != 0 || svc.Lookups().Hit != 1 {
			t.Fatalf("second ask: %d activities, %+v: want a hit", n, svc.Lookups())
		}
		for i := int64(1); i <= 3; i++ {
			addActivities(t, d, w.p1, 1)
			if n := activities(t, ctx, svc, matrix.Filter{}); n != i {
				t.Fatalf("after write %d: %d activities (%+v)", i, n, svc.Lookups())
			}
		}
		// A write transaction that changed nothing still ends the tag.
		before := svc.Lookups().Miss
		if err := d.Tx(context.Background(), func(*db.Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
		activities(t, ctx, svc, matrix.Filter{})
		if svc.Lookups().Miss != before+1 {
			t.Errorf("answer kept across a write transaction: %+v", svc.Lookups())
		}
	})
}

// Another process's write (a second db.DB on the same database: another
// replica, or the CLI on the SQLite file) shows once TTL has passed since
// the kept answer's read began — and, to show the cache is in use, not
// before when asked within TTL of the fill.
func TestCacheBoundsStalenessAcrossProcesses(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newTree(t, dsn)
		const ttl = 50 * time.Millisecond
		here := &matrix.Service{DB: w.srv.DB, TTL: ttl}
		other := &matrix.Service{DB: testenv.OpenDB(t, w.srv.App.Cfg.DB), TTL: ttl}
		ctx := as(t, w.srv.DB, access.ZoneAdmin, w.zone)
		checked := false
		for round := int64(0); round < 5; round++ { // a few rounds: one must ask within TTL
			activities(t, ctx, here, matrix.Filter{})
			filled := time.Now()
			if n := activities(t, ctx, other, matrix.Filter{}); n != round {
				t.Fatalf("round %d: other process's fresh answer %d", round, n)
			}
			addActivities(t, w.srv.DB, w.p1, 1)
			written := time.Now()
			if n := activities(t, ctx, here, matrix.Filter{}); n != round+1 {
				t.Fatalf("round %d: the writing process answers %d", round, n)
			}
			n := activities(t, ctx, other, matrix.Filter{})
			if time.Since(filled) < ttl {
				checked = true
				if n != round {
					t.Fatalf("round %d: other process answered %d within TTL of its fill: the cache was not used", round, n)
				}
			}
			time.Sleep(time.Until(written.Add(ttl)))
			if n := activities(t, ctx, other, matrix.Filter{}); n != round+1 {
				t.Fatalf("round %d: other process still answers %d %v after the write (TTL %v)", round, n, time.Since(written), ttl)
			}
		}
		if !checked {
			t.Error("no round asked the other process within TTL of its fill (machine too slow?)")
		}
	})
}

// Every field of the filter is part of the question: with an hour's TTL,
// each of filters differing from another in one field answers what a
// computation without the cache answers, the second time round from the
// cache.
func TestCacheKeysEveryFilterField(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newTree(t, dsn)
		addRandom(t, w.srv, rand.New(rand.NewPCG(4, 7)), w.all, 200)
		cached := &matrix.Service{DB: w.srv.DB, TTL: time.Hour}
		fresh := &matrix.Service{DB: w.srv.DB}
		ctx := as(t, w.srv.DB, access.PlatformAdmin, w.zone)
		day := func(s string) time.Time {
			t, err := time.ParseInLocation(time.DateOnly, s, matrix.Local)
			if err != nil {
				panic(err)
			}
			return t
		}
		filters := []matrix.Filter{
			{}, {ZoneID: w.zone}, {ZoneID: w.zoneB},
			{ParkID: w.p1}, {ParkID: w.p2},
			{OrgID: w.committee}, {OrgID: w.parkOrg},
			{From: day("2022-03-01")}, {From: day("2022-09-01")},
			{To: day("2022-03-01")}, {To: day("2022-09-01")},
			{From: day("2022-03-01"), To: day("2022-09-01")},
			{Trend: true}, {Trend: true, From: day("2022-03-01")},
		}
		for round := range 2 {
			for _, f := range filters {
				got, err := cached.Matrix(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				want, err := fresh.Matrix(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("round %d, %+v: the cache answered another question", round, f)
				}
			}
		}
		if l := cached.Lookups(); l.Miss != uint64(len(filters)) || l.Hit != uint64(len(filters)) {
			t.Errorf("lookups %+v, want %d misses, then as many hits", l, len(filters))
		}
	})
}

// Errors are never kept: a park unknown to the first ask, created by
// another process (so this process's writes counter does not move), is
// found by the next ask.
func TestCacheKeepsNoErrors(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newTree(t, dsn)
		svc := &matrix.Service{DB: w.srv.DB, TTL: time.Hour}
		ctx := as(t, w.srv.DB, access.ZoneAdmin, w.zone)
		id := "0190a000-0000-7000-8000-00000000abcd"
		f := matrix.Filter{ParkID: id}
		for range 2 {
			if _, err := svc.Matrix(ctx, f); !apperr.Is(err, apperr.Validation) {
				t.Fatalf("unknown park: %v", err)
			}
		}
		if l := svc.Lookups(); l.Miss != 2 || l.Hit != 0 || l.Shared != 0 {
			t.Errorf("errors answered from the cache: %+v", l)
		}
		other := testenv.OpenDB(t, w.srv.App.Cfg.DB)
		err := other.Tx(context.Background(), func(tx *db.Tx) error {
			_, err := nodes.Insert(context.Background(), tx, nodes.Node{ID: id, ZoneID: w.zone, Kind: access.KindPark, ParentID: w.zone, Name: "新园"}, "parent")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Matrix(ctx, f); err != nil {
			t.Errorf("the park created meanwhile: %v", err)
		}
	})
}

// TTL 0 computes every answer: another process's write shows at once.
func TestCacheOff(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newTree(t, dsn)
		svc := &matrix.Service{DB: w.srv.DB}
		other := testenv.OpenDB(t, w.srv.App.Cfg.DB)
		ctx := as(t, w.srv.DB, access.ZoneAdmin, w.zone)
		for i := int64(0); i < 5; i++ {
			if n := activities(t, ctx, svc, matrix.Filter{}); n != i {
				t.Fatalf("ask %d: %d activities", i, n)
			}
			addActivities(t, other, w.p1, 1)
		}
		if l := svc.Lookups(); l != (matrix.Lookups{Off: 5}) {
			t.Errorf("lookups %+v, want 5 off", l)
		}
	})
}

// Callers asking the same question at once compute it once; the others
// wait for that answer or take it kept.
func TestCacheComputesOnceForConcurrentCallers(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newTree(t, dsn)
		addActivities(t, w.srv.DB, w.p1, 4)
		svc := &matrix.Service{DB: w.srv.DB, TTL: time.Hour}
		ctx := as(t, w.srv.DB, access.ZoneAdmin, w.zone)
		const callers = 16
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if n := activities(t, ctx, svc, matrix.Filter{Trend: true}); n != 4 {
					t.Errorf("%d activities", n)
				}
			}()
		}
		close(start)
		wg.Wait()
		l := svc.Lookups()
		if l.Miss != 1 || l.Hit+l.Shared != callers-1 {
			t.Errorf("lookups %+v: want one computation for %d callers", l, callers)
		}
		t.Logf("lookups %+v", l)
	})
}

// While a writer adds activities, callers asking the same question never
// get an answer older than the last write that ended before they asked,
// and each caller's answers never go back — even with an hour's TTL.
func TestCacheUnderConcurrentWrites(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newTree(t, dsn)
		// Enough rows that an answer takes a while: writes end while
		// answers are being computed.
		addRandom(t, w.srv, rand.New(rand.NewPCG(1, 2)), w.all, 1000)
		svc := &matrix.Service{DB: w.srv.DB, TTL: time.Hour}
		ctx := as(t, w.srv.DB, access.ZoneAdmin, w.zone)
		base := activities(t, ctx, svc, matrix.Filter{})
		const writes, readers = 200, 8
		var ended atomic.Int64 // writes ended
		done := make(chan struct{})
		var wg sync.WaitGroup
		for range readers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				last := base
				for {
					select {
					case <-done:
						return
					default:
					}
					least := ended.Load()
					rep, err := svc.Matrix(ctx, matrix.Filter{Trend: true})
					if err != nil {
						t.Error(err)
						return
					}
					var n int64
					for _, c := range rep.Cells {
						n += c.Activities
					}
					if n < base+least || n < last {
						t.Errorf("answered %d activities after %d writes had ended (%d before; last answer %d)", n, least, base, last)
						return
					}
					last = n
				}
			}()
		}
		for range writes {
			addActivities(t, w.srv.DB, w.p2, 1)
			ended.Add(1)
		}
		close(done)
		wg.Wait()
		t.Logf("lookups %+v", svc.Lookups())
	})
}

// Answers are shared: a caller appending to one does not change another's.
func TestCacheAnswersAreClipped(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newTree(t, dsn)
		svc := &matrix.Service{DB: w.srv.DB, TTL: time.Hour}
		ctx := as(t, w.srv.DB, access.ZoneAdmin, w.zone)
		first, err := svc.Matrix(ctx, matrix.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		first.Cells = append(first.Cells, matrix.Cell{Level: "mine"})
		first.Parks = append(first.Parks, matrix.ParkTotals{ParkID: "mine"})
		second, err := svc.Matrix(ctx, matrix.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if svc.Lookups().Hit != 1 || len(second.Cells) != 12 {
			t.Fatalf("second ask: %d cells, %+v", len(second.Cells), svc.Lookups())
		}
		second.Cells = append(second.Cells, matrix.Cell{Level: "theirs"})
		second.Parks = append(second.Parks, matrix.ParkTotals{ParkID: "theirs"})
		if first.Cells[12].Level != "mine" || first.Parks[len(first.Parks)-1].ParkID != "mine" {
			t.Errorf("another caller's append changed this one's answer: %+v %+v", first.Cells[12], first.Parks)
		}
	})
}
