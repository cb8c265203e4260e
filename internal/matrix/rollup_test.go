package matrix_test

import (
	"context"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/matrix"
	"tongxin/internal/nodes"
	"tongxin/internal/testenv"
)

// tree is a zone laid out for the roll-up tests: parks, enterprises, a
// station, the working committee, a park committee and a branch, and a
// second zone.
type tree struct {
	srv                        *testenv.Server
	zone, zoneB                string
	p1, p2, parkB              string
	e1, e2, e3, station        string
	committee, parkOrg, branch string
	branch2, loose             string
	all                        []string // every node facts are added to
}

func newTree(t *testing.T, dsn string) tree {
	srv := testenv.Start(t, dsn)
	w := tree{srv: srv, zone: srv.ZoneID}
	w.p1, w.p2 = srv.Park("五里园", "WL").ID, srv.Park("安东园", "AD").ID
	w.e1, w.e2, w.e3 = srv.Enterprise(w.p1, "盼盼食品"), srv.Enterprise(w.p1, "恒安"), srv.Enterprise(w.p2, "安踏")
	w.committee = srv.Org(w.zone, "", "开发区党工委", "working_committee")
	w.parkOrg = srv.Org(w.committee, w.p1, "五里园党委", "committee")
	w.branch = srv.Org(w.parkOrg, w.p1, "盼盼食品党支部", "branch", w.e1)
	w.branch2 = srv.Org(w.committee, w.p2, "安东园联合支部", "branch", w.e3)
	w.loose = srv.Org(w.committee, "", "机关支部", "branch")
	w.station = insert(t, srv, access.KindStation, w.p1, "五里园驿站")
	w.zoneB = srv.Zone("另一开发区")
	w.parkB = insert(t, srv, access.KindPark, w.zoneB, "乙园")
	w.all = []string{w.zone, w.p1, w.p2, w.e1, w.e2, w.e3, w.station, w.committee, w.parkOrg, w.branch, w.branch2, w.loose, w.zoneB, w.parkB}
	return w
}

// insert adds a bare scope node (no domain row), which nodes.Delete can
// remove.
func insert(t *testing.T, srv *testenv.Server, kind, parent, name string) string {
	t.Helper()
	id := uuid.Must(uuid.NewV7()).String()
	err := srv.DB.Tx(context.Background(), func(tx *db.Tx) error {
		p, err := nodes.Get(context.Background(), tx, parent)
		if err != nil {
			return err
		}
		_, err = nodes.Insert(context.Background(), tx, nodes.Node{ID: id, ZoneID: p.ZoneID, Kind: kind, ParentID: parent, Name: name}, "parent")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// addRandom adds n facts at random nodes, functions and days (2021–2023),
// some taking counts back, as domains would: in transactions of a few.
func addRandom(t *testing.T, srv *testenv.Server, rng *rand.Rand, nodeIDs []string, n int) {
	t.Helper()
	ctx := context.Background()
	for done := 0; done < n; {
		err := srv.DB.Tx(ctx, func(tx *db.Tx) error {
			for range 5 {
				p, err := matrix.PlaceOf(ctx, tx, nodeIDs[rng.IntN(len(nodeIDs))])
				if err != nil {
					return err
				}
				sign := int64(1)
				if rng.IntN(6) == 0 {
					sign = -1
				}
				f := matrix.Figures{Activities: sign, Participants: sign * int64(rng.IntN(30)), VolunteerMinutes: sign * int64(rng.IntN(600)),
					RequestsResolved: int64(rng.IntN(2)), CasesClosed: int64(rng.IntN(2)), Cooperations: int64(rng.IntN(2)),
					CareItems: int64(rng.IntN(2)), Innovations: int64(rng.IntN(2))}
				at := time.Date(2021, 1, 1, 0, 0, 0, 0, matrix.Local).Add(time.Duration(rng.IntN(3*365*24)) * time.Hour)
				if err := matrix.Add(ctx, tx, matrix.Fact{Place: p, Function: matrix.Functions[rng.IntN(4)], At: at, Figures: f}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		done += 5
	}
}

func move(t *testing.T, srv *testenv.Server, id, parent string) {
	t.Helper()
	err := srv.DB.Tx(context.Background(), func(tx *db.Tx) error {
		_, err := nodes.Move(context.Background(), tx, id, parent, "parent_id")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkRollup compares every roll-up row with the facts it stands for:
// for each anchor, the facts of the nodes now strictly under it (for a
// zone: every fact of the zone but its own).
func checkRollup(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	type key struct {
		zone, anchor, grain, park, level, function string
		period                                     int
	}
	want := map[key][8]int64{}
	paths := map[string]string{}
	err := db.Each(ctx, d.R, `SELECT id, path FROM scope_nodes`, nil, func(s db.Scanner) error {
		var id, p string
		err := s.Scan(&id, &p)
		paths[id] = p
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Each(ctx, d.R, `SELECT zone_id, node_id, grain, period, park_id, level, function,
		activities, participants, volunteer_minutes, requests_resolved, cases_closed, cooperations, care_items, innovations FROM matrix_facts`, nil,
		func(s db.Scanner) error {
			var k key
			var node string
			var v [8]int64
			if err := s.Scan(&k.zone, &node, &k.grain, &k.period, &k.park, &k.level, &k.function, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]); err != nil {
				return err
			}
			var anchors []string
			if p, ok := paths[node]; ok {
				ids := strings.Split(strings.Trim(p, "/"), "/")
				anchors = ids[:len(ids)-1]
			} else if node != k.zone {
				anchors = []string{k.zone}
			}
			for _, a := range anchors {
				k.anchor = a
				w := want[k]
				for i := range v {
					w[i] += v[i]
				}
				want[k] = w
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	got := map[key][8]int64{}
	err = db.Each(ctx, d.R, `SELECT zone_id, anchor_id, grain, period, park_id, level, function,
		activities, participants, volunteer_minutes, requests_resolved, cases_closed, cooperations, care_items, innovations FROM matrix_totals`, nil,
		func(s db.Scanner) error {
			var k key
			var v [8]int64
			if err := s.Scan(&k.zone, &k.anchor, &k.grain, &k.period, &k.park, &k.level, &k.function, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]); err != nil {
				return err
			}
			if v != ([8]int64{}) {
				got[k] = v
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range want {
		if v == ([8]int64{}) {
			delete(want, k)
		}
	}
	if len(want) == 0 {
		t.Fatal("no facts: the check would prove nothing")
	}
	bad := 0
	for k, w := range want {
		if got[k] != w && bad < 5 {
			t.Errorf("roll-up %+v = %v, the facts sum to %v", k, got[k], w)
			bad++
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok && bad < 5 {
			t.Errorf("roll-up %+v = %v, no facts", k, g)
			bad++
		}
	}
}

// TestRollupAnswersAsTheFacts: for callers of every kind of scope (one or
// several subtrees, whole zones, platform), every filter and periods with
// edges of every kind, the dashboard read from the roll-up answers what
// the direct sum over the facts answered (the oracle: the computation
// before the roll-up), also after subtrees move and a node is deleted.
func TestRollupAnswersAsTheFacts(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newTree(t, dsn)
		srv := w.srv
		rng := rand.New(rand.NewPCG(10, 3))
		addRandom(t, srv, rng, w.all, 300)
		checkRollup(t, srv.DB)
		svc := &matrix.Service{DB: srv.DB}

		grant := func(role string, nodeIDs ...string) *access.Principal {
			p := &access.Principal{UserID: "u"}
			for _, id := range nodeIDs {
				n, err := nodes.Get(context.Background(), srv.DB.R, id)
				if err != nil {
					t.Fatal(err)
				}
				p.Grants = append(p.Grants, access.Grant{Role: role, ScopeID: id, Kind: n.Kind, Path: n.Path, ZoneID: n.ZoneID})
			}
			return p
		}
		d := func(s string) time.Time {
			t, err := time.ParseInLocation(time.DateOnly, s, matrix.Local)
			if err != nil {
				panic(err)
			}
			return t
		}
		periods := [][2]time.Time{
			{}, {d("2022-01-01"), d("2023-01-01")}, {d("2022-03-17"), d("2022-11-02")}, {d("2021-12-30"), d("2023-02-01")},
			{d("2022-06-05"), d("2022-06-06")}, {d("2022-02-01"), {}}, {{}, d("2022-07-15")}, {d("2022-05-01"), d("2022-05-01")},
			{d("2020-01-01"), d("2030-01-01")},
		}
		check := func(stage string) {
			t.Helper()
			callers := map[string]*access.Principal{
				"platform":         grant(access.PlatformAdmin, w.zone),
				"zone":             grant(access.ZoneAdmin, w.zone),
				"zoneB":            grant(access.ZoneAdmin, w.zoneB),
				"park1":            grant(access.ParkAdmin, w.p1),
				"park2":            grant(access.ParkAdmin, w.p2),
				"station":          grant(access.ServiceStaff, w.station),
				"enterprise":       grant(access.Member, w.e1),
				"parkOrg":          grant(access.Member, w.parkOrg),
				"committee":        grant(access.Member, w.committee),
				"branch":           grant(access.Member, w.branch),
				"park1+committee":  grant(access.Member, w.p1, w.committee),
				"branch+park2":     grant(access.Member, w.branch, w.p2),
				"branch2+p1+e3":    grant(access.Member, w.branch2, w.p1, w.e3),
				"zone+parkB":       grant(access.Member, w.zone, w.parkB),
				"park1+zone (dup)": grant(access.Member, w.p1, w.zone),
				"none":             {UserID: "u"},
			}
			filters := []matrix.Filter{{}, {ZoneID: w.zone}, {ZoneID: w.zoneB}, {ParkID: w.p1}, {ParkID: w.p2}, {OrgID: w.parkOrg},
				{OrgID: w.committee}, {OrgID: w.branch}, {OrgID: w.branch2, ParkID: w.p2}, {ParkID: w.p1, OrgID: w.committee}}
			n := 0
			for name, p := range callers {
				ctx := access.With(context.Background(), p)
				for _, f := range filters {
					for _, per := range periods {
						f.From, f.To, f.Trend = per[0], per[1], true
						want, werr := svc.OracleMatrix(ctx, f)
						got, gerr := svc.Matrix(ctx, f)
						if (werr != nil) != (gerr != nil) {
							t.Fatalf("%s %s %+v: error %v, oracle %v", stage, name, f, gerr, werr)
						}
						if werr != nil {
							continue
						}
						n++
						want = normalise(want, got)
						if !reflect.DeepEqual(got, want) {
							t.Fatalf("%s: %s, filter %+v:\n got  %+v\n want %+v", stage, name, f, got, want)
						}
					}
				}
			}
			if n < 500 {
				t.Fatalf("%s: only %d answers compared", stage, n)
			}
		}
		check("added")

		// Subtrees move: a branch to another organisation, an
		// enterprise to the other park, the station under an enterprise.
		move(t, srv, w.branch, w.committee)
		move(t, srv, w.e2, w.p2)
		move(t, srv, w.station, w.e1)
		addRandom(t, srv, rng, w.all, 100)
		move(t, srv, w.parkOrg, w.branch2)
		checkRollup(t, srv.DB)
		check("moved")

		// A node with facts is deleted: they count for the zone only.
		gone := insert(t, srv, access.KindStation, w.p2, "临时驿站")
		addRandom(t, srv, rng, []string{gone}, 40)
		addRandom(t, srv, rng, w.all, 40)
		err := srv.DB.Tx(context.Background(), func(tx *db.Tx) error { return nodes.Delete(context.Background(), tx, gone) })
		if err != nil {
			t.Fatal(err)
		}
		checkRollup(t, srv.DB)
		check("deleted")

		// The back-fill (matrix.Rebuild, the migration's statement)
		// gives the same rows as the additions did.
		err = srv.DB.Tx(context.Background(), func(tx *db.Tx) error {
			if err := matrix.Rebuild(context.Background(), tx, w.zone); err != nil {
				return err
			}
			return matrix.Rebuild(context.Background(), tx, w.zoneB)
		})
		if err != nil {
			t.Fatal(err)
		}
		checkRollup(t, srv.DB)
		check("rebuilt")
	})
}

// normalise drops from the oracle's answer what the roll-up leaves out on
// purpose: trend months whose figures are all zero (a count taken back),
// and parks outside the caller's scope whose visible figures are all zero.
func normalise(want, got matrix.Report) matrix.Report {
	if want.Trend != nil {
		trend := []matrix.Month{}
		for _, m := range want.Trend {
			if m.Totals != (matrix.Totals{}) {
				trend = append(trend, m)
			}
		}
		want.Trend = trend
	}
	listed := map[string]bool{}
	for _, p := range got.Parks {
		listed[p.ParkID] = true
	}
	parks := []matrix.ParkTotals{}
	for _, p := range want.Parks {
		if p.Totals != (matrix.Totals{}) || listed[p.ParkID] {
			parks = append(parks, p)
		}
	}
	want.Parks = parks
	return want
}

// TestRollupUnderConcurrentWriters: many transactions adding to the same
// cells at once, while a subtree moves back and forth, lose no increment:
// the roll-up equals the sum of the facts, and the facts what was added.
func TestRollupUnderConcurrentWriters(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newTree(t, dsn)
		srv := w.srv
		ctx := context.Background()
		at := time.Date(2022, 11, 15, 10, 0, 0, 0, matrix.Local)
		targets := []string{w.e1, w.branch, w.station, w.parkOrg}
		const writers, each = 8, 40
		var wg sync.WaitGroup
		errs := make(chan error, writers+1)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range each {
					err := srv.DB.Tx(ctx, func(tx *db.Tx) error {
						p, err := matrix.PlaceOf(ctx, tx, targets[(i+j)%len(targets)])
						if err != nil {
							return err
						}
						return matrix.Add(ctx, tx, matrix.Fact{Place: p, Function: "service", At: at, Figures: matrix.Figures{Activities: 1, Participants: 2}})
					})
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Add(1)
		go func() { // the branch moves while its figures grow
			defer wg.Done()
			for j := range 10 {
				parent := w.committee
				if j%2 == 0 {
					parent = w.branch2
				}
				err := srv.DB.Tx(ctx, func(tx *db.Tx) error {
					_, err := nodes.Move(ctx, tx, w.branch, parent, "parent_id")
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		var acts, parts int64
		if err := srv.DB.R.QueryRow(`SELECT SUM(activities), SUM(participants) FROM matrix_facts WHERE grain = 'd'`).Scan(&acts, &parts); err != nil {
			t.Fatal(err)
		}
		if acts != writers*each || parts != 2*writers*each {
			t.Fatalf("facts: %d activities, %d participants, want %d and %d", acts, parts, writers*each, 2*writers*each)
		}
		if err := srv.DB.R.QueryRow(`SELECT SUM(activities), SUM(participants) FROM matrix_totals WHERE grain = 'd' AND anchor_id = $1`, w.zone).
			Scan(&acts, &parts); err != nil {
			t.Fatal(err)
		}
		if acts != writers*each || parts != 2*writers*each {
			t.Fatalf("the zone's roll-up: %d activities, %d participants, want %d and %d", acts, parts, writers*each, 2*writers*each)
		}
		checkRollup(t, srv.DB)
	})
}
