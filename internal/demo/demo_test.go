package demo_test

import (
	"context"
	"net/url"
	"testing"

	"tongxin/internal/demo"
	"tongxin/internal/testenv"
)

func TestDemoLoadsOnceAndScopesTheParkAdmin(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		srv := testenv.Start(t, dsn)
		for i, want := range []bool{true, false} {
			loaded, err := demo.Load(ctx, srv.DB, testenv.Passwords(), srv.ZoneID, testenv.AdminPassword)
			if err != nil || loaded != want {
				t.Fatalf("load %d: loaded=%v err=%v", i, loaded, err)
			}
		}
		admin := srv.Admin()
		all, err := admin.ListParks(ctx, nil)
		if err != nil || all.Total != len(demo.Parks) {
			t.Fatalf("admin sees %d parks (%v)", all.Total, err)
		}
		andong, err := srv.Client().As(ctx, "andong", testenv.AdminPassword)
		if err != nil {
			t.Fatal(err)
		}
		l, err := andong.ListParks(ctx, url.Values{})
		if err != nil || l.Total != 1 || l.Items[0].Name != "安东园" {
			t.Fatalf("andong sees %+v (%v)", l.Items, err)
		}
	})
}
