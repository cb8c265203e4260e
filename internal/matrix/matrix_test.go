package matrix_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"tongxin/internal/db"
	"tongxin/internal/matrix"
	"tongxin/internal/testenv"
)

func TestPlaceFollowsTheOrganiser(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		ctx := context.Background()
		park := srv.Park("五里园", "WL").ID
		ent := srv.Enterprise(park, "盼盼食品")
		committee := srv.Org(srv.ZoneID, "", "开发区党工委", "working_committee")
		parkOrg := srv.Org(committee, park, "五里园党委", "committee")
		branch := srv.Org(parkOrg, park, "盼盼食品党支部", "branch", ent)
		for node, want := range map[string]matrix.Place{
			srv.ZoneID: {Level: "zone"},
			committee:  {Level: "zone"},
			park:       {Level: "park", ParkID: park},
			parkOrg:    {Level: "park", ParkID: park},
			ent:        {Level: "enterprise", ParkID: park},
			branch:     {Level: "enterprise", ParkID: park},
		} {
			got, err := matrix.PlaceOf(ctx, srv.DB.R, node)
			if err != nil {
				t.Fatal(err)
			}
			want.ZoneID, want.NodeID = srv.ZoneID, node
			if got != want {
				t.Errorf("PlaceOf(%s) = %+v, want %+v", node, got, want)
			}
		}
		if _, err := matrix.PlaceOf(ctx, srv.DB.R, "no-such-node"); err == nil {
			t.Error("an unknown node has a place")
		}
	})
}

// Concurrent additions to one cell all count, and a negative delta takes
// a count back.
func TestAddIsExactUnderConcurrency(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		ctx := context.Background()
		park := srv.Park("安东园", "AD").ID
		place, err := matrix.PlaceOf(ctx, srv.DB.R, park)
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2022, 11, 15, 23, 30, 0, 0, time.UTC) // 2022-11-16 in China
		add := func(f matrix.Figures) error {
			return srv.DB.Tx(ctx, func(tx *db.Tx) error {
				return matrix.Add(ctx, tx, matrix.Fact{Place: place, Function: "service", At: at, Figures: f})
			})
		}
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- add(matrix.Figures{Participants: 1, VolunteerMinutes: 90})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := add(matrix.Figures{Participants: -1, VolunteerMinutes: -90}); err != nil {
			t.Fatal(err)
		}
		var day, n, minutes int64
		if err := srv.DB.R.QueryRow(`SELECT period, participants, volunteer_minutes FROM matrix_facts WHERE node_id = $1 AND grain = 'd'`, park).
			Scan(&day, &n, &minutes); err != nil {
			t.Fatal(err)
		}
		if day != 20221116 || n != 39 || minutes != 39*90 {
			t.Errorf("cell = day %d, %d participants, %d minutes; want 20221116, 39, %d", day, n, minutes, 39*90)
		}
		for grain, period := range map[string]int64{"m": 202211, "y": 2022} {
			if err := srv.DB.R.QueryRow(`SELECT participants FROM matrix_facts WHERE node_id = $1 AND grain = $2 AND period = $3`, park, grain, period).
				Scan(&n); err != nil || n != 39 {
				t.Errorf("grain %s: %d participants, %v; want 39", grain, n, err)
			}
		}
		err = srv.DB.Tx(ctx, func(tx *db.Tx) error {
			return matrix.Add(ctx, tx, matrix.Fact{Place: place, Function: "leisure", At: at, Figures: matrix.Figures{Activities: 1}})
		})
		if err == nil {
			t.Error("a fact with an unknown function was added")
		}
	})
}
