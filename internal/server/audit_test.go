package server_test

import (
	"net/url"
	"testing"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/testenv"
)

func TestAuditLog(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn)
		wuli, andong := f.park("五里园", "wuli"), f.park("安东园", "andong")
		resp, err := f.admin.Do(ctx, "PATCH", "/api/v1/parks/"+wuli.ID, map[string]string{"name": "五里园区"}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		reqID := resp.Header.Get("X-Request-ID")
		l, err := f.admin.Audit(ctx, url.Values{"entity_id": {wuli.ID}})
		if err != nil || l.Total != 2 {
			t.Fatalf("entries of the park: %+v %v", l, err)
		}
		e := l.Items[0] // newest first
		if e.Action != "update" || e.Entity != "park" || e.ActorName != "admin" || e.RequestID != reqID || e.ClientAddr != "127.0.0.1" {
			t.Fatalf("entry %+v", e)
		}
		change, _ := e.Summary["name"].(map[string]any)
		if change["from"] != "五里园" || change["to"] != "五里园区" {
			t.Fatalf("summary %+v", e.Summary)
		}
		adminID := userID(t, f, "admin")
		byActor, err := f.admin.Audit(ctx, url.Values{"actor_id": {adminID}})
		if err != nil || byActor.Total < 3 {
			t.Fatalf("by actor %+v %v", byActor.Total, err)
		}
		today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
		inDay, err := f.admin.Audit(ctx, url.Values{"from": {today}, "to": {today}, "entity_id": {wuli.ID}})
		if err != nil || inDay.Total != 2 {
			t.Fatalf("today: %d %v", inDay.Total, err)
		}
		past, err := f.admin.Audit(ctx, url.Values{"to": {"2020-01-01"}})
		if err != nil || past.Total != 0 {
			t.Fatalf("before 2020: %d %v", past.Total, err)
		}
		_, err = f.admin.Audit(ctx, url.Values{"from": {"yesterday"}})
		wantStatus(t, err, 400)

		// An auditor of one park sees that park's entries only.
		aud := f.user("andong-auditor", access.Auditor, andong.ID)
		l, err = aud.Audit(ctx, nil)
		if err != nil || l.Total == 0 {
			t.Fatalf("auditor: %+v %v", l, err)
		}
		for _, e := range l.Items {
			if e.ParkID == nil || *e.ParkID != andong.ID {
				t.Fatalf("auditor of 安东园 sees %+v", e)
			}
		}
		// Auditors read; they do not write.
		_, err = aud.UpdatePark(ctx, andong.ID, map[string]string{"name": "x"}, 0)
		wantStatus(t, err, 403)

		// The log is append-only: the database refuses updates.
		if _, err := f.srv.DB.W.Exec("UPDATE audit_log SET action = 'forged'"); err == nil {
			t.Fatal("audit_log accepted an UPDATE")
		}
		// Pruning removes entries past the retention, and only those.
		total := f.count("audit_log")
		f.srv.DB.Now = func() time.Time { return time.Now().Add(f.srv.App.Cfg.AuditRetention + time.Hour) }
		f.srv.App.PruneOnce(ctx)
		f.srv.DB.Now = time.Now
		if n := f.count("audit_log"); n != 0 || total == 0 {
			t.Fatalf("after pruning: %d of %d left", n, total)
		}
		// The sessions expired too in that future; sign in again.
		if _, err := f.admin.Login(ctx, "admin", testenv.AdminPassword); err != nil {
			t.Fatal(err)
		}
		f.park("食品园", "food")
		f.srv.App.PruneOnce(ctx)
		if n := f.count("audit_log"); n != 2 { // the login and the park
			t.Fatalf("pruning removed fresh entries: %d left", n)
		}
	})
}
