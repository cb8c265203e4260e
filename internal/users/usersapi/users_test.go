package usersapi_test

import (
	"context"
	"net/url"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/testenv"
)

var ctx = context.Background()

func TestGrants(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		wuli, andong := srv.Park("五里园", "wuli"), srv.Park("安东园", "andong")
		za := srv.User("zone-admin", access.ZoneAdmin, srv.ZoneID)
		u, err := za.CreateUser(ctx, map[string]string{"username": "worker", "password": testenv.UserPassword("worker"), "display_name": "职工"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = za.CreateUser(ctx, map[string]string{"username": "worker", "password": testenv.UserPassword("worker"), "display_name": "职工"})
		testenv.WantStatus(t, err, 409)
		_, err = za.CreateUser(ctx, map[string]string{"username": "w2", "password": "short", "display_name": ""})
		testenv.WantStatus(t, err, 422)
		if fs := testenv.Problem(err).Errors; len(fs) != 3 {
			t.Fatalf("want 3 field errors, got %+v", fs)
		}
		_, err = za.CreateUser(ctx, map[string]string{"username": "with-person", "password": testenv.UserPassword("x"), "display_name": "某人", "person_id": "p-1"})
		if p := testenv.Problem(err); client.StatusOf(err) != 422 || p.Errors[0].Field != "person_id" {
			t.Fatalf("a person_id naming no person: %v %+v", err, p.Errors)
		}
		other := srv.Zone("另一开发区")
		cases := []struct {
			name, role, scope string
			status            int
		}{
			{"platform admin is beyond a zone admin", access.PlatformAdmin, srv.ZoneID, 403},
			{"unknown role", "king", andong.ID, 422},
			{"unknown scope", access.ParkAdmin, "no-such-node", 422},
			{"another zone's node looks unknown", access.ZoneAdmin, other, 422},
			{"role does not fit the scope", access.ParkAdmin, srv.ZoneID, 422},
			{"park admin on a park", access.ParkAdmin, andong.ID, 201},
			{"the same grant again", access.ParkAdmin, andong.ID, 409},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := za.Grant(ctx, u.ID, tc.role, tc.scope)
				if got := client.StatusOf(err); got != tc.status && !(tc.status == 201 && got == 0) {
					t.Fatalf("status %d, want %d: %v", got, tc.status, err)
				}
			})
		}
		// A park administrator cannot manage users, let alone grant.
		pa := srv.User("park-admin", access.ParkAdmin, wuli.ID)
		_, err = pa.Grant(ctx, u.ID, access.ParkAdmin, wuli.ID)
		testenv.WantStatus(t, err, 403)
		// The grant works at once, and revoking it takes effect at once.
		w := srv.SignIn("worker")
		l, err := w.ListParks(ctx, nil)
		if err != nil || l.Total != 1 || l.Items[0].ID != andong.ID {
			t.Fatalf("worker sees %+v %v", l, err)
		}
		full, err := za.ListUsers(ctx, url.Values{"q": {"worker"}})
		if err != nil || full.Total != 1 || len(full.Items[0].Grants) != 1 {
			t.Fatalf("users %+v %v", full, err)
		}
		if err := za.Revoke(ctx, u.ID, full.Items[0].Grants[0].ID); err != nil {
			t.Fatal(err)
		}
		_, err = w.ListParks(ctx, nil)
		testenv.WantStatus(t, err, 403) // no grant left: no park.read anywhere
		testenv.WantStatus(t, za.Revoke(ctx, u.ID, full.Items[0].Grants[0].ID), 404)
		// Deleting a park removes the grants on it, each removal audited.
		g, err := za.Grant(ctx, u.ID, access.ParkAdmin, andong.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := za.DeletePark(ctx, andong.ID, 0); err != nil {
			t.Fatal(err)
		}
		if n := srv.Count("grants", "scope_id = $1", andong.ID); n != 0 {
			t.Fatalf("%d grants left on a deleted park", n)
		}
		if n := srv.Count("audit_log", "entity = 'grant' AND entity_id = $1 AND action = 'delete'", g.ID); n != 1 {
			t.Fatalf("the grant removed with its park was audited %d times", n)
		}
	})
}

// A zone administrator must not take over the platform: any action on a
// user needs the caller's rights to cover every grant that user holds.
func TestZoneAdminCannotActBeyondTheirRights(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		za := srv.User("zone-admin", access.ZoneAdmin, srv.ZoneID)
		adminID := srv.UserID("admin")
		adminUser, err := admin.GetUser(ctx, adminID)
		if err != nil {
			t.Fatal(err)
		}
		var adminsZoneGrant client.Grant
		for _, g := range adminUser.Grants {
			if g.Role == access.ZoneAdmin {
				adminsZoneGrant = g
			}
		}
		// A user of this zone who also holds a grant in another zone.
		other := srv.Zone("另一开发区")
		twoZones, err := admin.CreateUser(ctx, map[string]string{"username": "two-zones", "password": testenv.UserPassword("two-zones"), "display_name": "两区"})
		if err != nil {
			t.Fatal(err)
		}
		homeGrant, err := admin.Grant(ctx, twoZones.ID, access.Member, srv.ZoneID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.Grant(ctx, twoZones.ID, access.ZoneAdmin, other); err != nil {
			t.Fatal(err)
		}
		plain, err := admin.CreateUser(ctx, map[string]string{"username": "plain", "password": testenv.UserPassword("plain"), "display_name": "普通"})
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range []struct {
			name, id, grantID string
		}{{"platform admin", adminID, adminsZoneGrant.ID}, {"user with grants in another zone", twoZones.ID, homeGrant.ID}} {
			t.Run(target.name, func(t *testing.T) {
				testenv.WantStatus(t, za.ResetPassword(ctx, target.id, "Hijacked-pw-1"), 403)
				testenv.WantStatus(t, za.Revoke(ctx, target.id, target.grantID), 403)
				_, err := za.Grant(ctx, target.id, access.Member, srv.ZoneID)
				testenv.WantStatus(t, err, 403)
			})
		}
		if _, err := srv.Client().Login(ctx, "admin", testenv.AdminPassword); err != nil {
			t.Fatalf("admin's password changed: %v", err)
		}
		if _, err := srv.Client().Login(ctx, "two-zones", testenv.UserPassword("two-zones")); err != nil {
			t.Fatalf("two-zones' password changed: %v", err)
		}
		if n := srv.Count("grants", "user_id = $1", adminID); n != 2 {
			t.Fatalf("admin has %d grants left", n)
		}
		// Within their rights the zone administrator acts as before.
		if _, err := za.Grant(ctx, plain.ID, access.Auditor, srv.ZoneID); err != nil {
			t.Fatalf("granting auditor (held by a zone admin): %v", err)
		}
		if err := za.ResetPassword(ctx, plain.ID, "Reset-password-2"); err != nil {
			t.Fatal(err)
		}
		// Nobody grants a role whose rights they lack: a zone admin promoted
		// to platform_admin would be beyond them.
		_, err = za.Grant(ctx, plain.ID, access.PlatformAdmin, srv.ZoneID)
		testenv.WantStatus(t, err, 403)
	})
}

func TestResetPassword(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		w := srv.User("worker", access.Member, srv.ZoneID)
		other := srv.SignIn("worker")
		if _, err := w.Do(ctx, "POST", "/api/v1/auth/password", map[string]string{"current_password": testenv.UserPassword("worker"), "new_password": "New-password-1"}, nil, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := w.ListParks(ctx, nil); err != nil {
			t.Fatalf("own session must survive a password change: %v", err)
		}
		_, err := other.ListParks(ctx, nil)
		testenv.WantStatus(t, err, 401)
		// An administrator's reset ends every session of the user.
		id := srv.UserID("worker")
		if err := srv.Admin().ResetPassword(ctx, id, "Reset-password-2"); err != nil {
			t.Fatal(err)
		}
		_, err = w.ListParks(ctx, nil)
		testenv.WantStatus(t, err, 401)
		testenv.WantStatus(t, srv.Admin().ResetPassword(ctx, id, "password1"), 422)
		if _, err := srv.Client().Login(ctx, "worker", "Reset-password-2"); err != nil {
			t.Fatal(err)
		}
	})
}
