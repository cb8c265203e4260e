package auditapi_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"tongxin/internal/access"
	"tongxin/internal/db"
	"tongxin/internal/testenv"
)

var ctx = context.Background()

func TestAuditLog(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		wuli, andong := srv.Park("五里园", "wuli"), srv.Park("安东园", "andong")
		resp, err := admin.Do(ctx, "PATCH", "/api/v1/parks/"+wuli.ID, map[string]string{"name": "五里园区"}, nil,
			http.Header{"X-Request-Id": {"client-chosen-id-1"}})
		if err != nil {
			t.Fatal(err)
		}
		reqID := resp.Header.Get("X-Request-ID")
		if reqID == "client-chosen-id-1" || reqID == "" {
			t.Fatalf("the server answered with the client's request id %q", reqID)
		}
		l, err := admin.Audit(ctx, url.Values{"entity_id": {wuli.ID}})
		if err != nil || l.Total != 2 {
			t.Fatalf("entries of the park: %+v %v", l, err)
		}
		e := l.Items[0] // newest first
		if e.Action != "update" || e.Entity != "park" || e.ActorName != "admin" || e.RequestID != reqID ||
			e.ClientRequestID != "client-chosen-id-1" || e.ClientAddr != "127.0.0.1" || e.ScopeID == nil || *e.ScopeID != wuli.ID {
			t.Fatalf("entry %+v", e)
		}
		change, _ := e.Summary["name"].(map[string]any)
		if change["from"] != "五里园" || change["to"] != "五里园区" {
			t.Fatalf("summary %+v", e.Summary)
		}
		byActor, err := admin.Audit(ctx, url.Values{"actor_id": {srv.UserID("admin")}})
		if err != nil || byActor.Total < 3 {
			t.Fatalf("by actor %+v %v", byActor.Total, err)
		}
		today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
		inDay, err := admin.Audit(ctx, url.Values{"from": {today}, "to": {today}, "entity_id": {wuli.ID}})
		if err != nil || inDay.Total != 2 {
			t.Fatalf("today: %d %v", inDay.Total, err)
		}
		past, err := admin.Audit(ctx, url.Values{"to": {"2020-01-01"}})
		if err != nil || past.Total != 0 {
			t.Fatalf("before 2020: %d %v", past.Total, err)
		}
		_, err = admin.Audit(ctx, url.Values{"from": {"yesterday"}})
		testenv.WantStatus(t, err, 400)
		// Paging newest first goes through every entry once.
		seen := map[string]bool{}
		q := url.Values{"limit": {"2"}}
		for {
			page, err := admin.Audit(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range page.Items {
				if seen[e.ID] {
					t.Fatalf("entry %s twice", e.ID)
				}
				seen[e.ID] = true
			}
			if page.NextCursor == nil {
				if len(seen) != page.Total {
					t.Fatalf("paged %d of %d", len(seen), page.Total)
				}
				break
			}
			q.Set("cursor", *page.NextCursor)
		}

		// An auditor of one park sees that park's entries only.
		aud := srv.User("andong-auditor", access.Auditor, andong.ID)
		l, err = aud.Audit(ctx, nil)
		if err != nil || l.Total == 0 {
			t.Fatalf("auditor: %+v %v", l, err)
		}
		for _, e := range l.Items {
			if e.ScopeID == nil || *e.ScopeID != andong.ID {
				t.Fatalf("auditor of 安东园 sees %+v", e)
			}
		}
		// Auditors read; they do not write.
		_, err = aud.UpdatePark(ctx, andong.ID, map[string]string{"name": "x"}, 0)
		testenv.WantStatus(t, err, 403)
		// Members read no audit at all.
		_, err = srv.User("member", access.Member, srv.ZoneID).Audit(ctx, nil)
		testenv.WantStatus(t, err, 403)
	})
}

// The application's own connection can neither change nor empty the log:
// only entries past the retention can be deleted.
func TestAuditLogResistsTheApplication(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		srv.Park("五里园", "wuli")
		n := srv.Count("audit_log")
		for _, stmt := range []string{
			"UPDATE audit_log SET action = 'forged'",
			"DELETE FROM audit_log",
			"DELETE FROM audit_log WHERE entity = 'park'",
			"DELETE FROM audit_retention",
			"UPDATE audit_retention SET retention_us = 1",
		} {
			if _, err := srv.DB.W.Exec(stmt); err == nil {
				t.Errorf("the database accepted %q", stmt)
			}
		}
		if srv.DB.Dialect == db.Postgres {
			if _, err := srv.DB.W.Exec("TRUNCATE audit_log"); err == nil {
				t.Error("the database accepted TRUNCATE audit_log")
			}
		}
		if got := srv.Count("audit_log"); got != n {
			t.Fatalf("audit entries %d → %d", n, got)
		}
	})
}

func TestPruneDeletesOnlyEntriesPastTheRetention(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		srv.Park("五里园", "wuli")
		keep := srv.App.Cfg.AuditRetention
		old := time.Now().Add(-keep - 3*time.Hour)
		err := srv.DB.Tx(ctx, func(tx *db.Tx) error {
			for i := 0; i < 3; i++ {
				if _, err := tx.Exec(`INSERT INTO audit_log (id, zone_id, scope_path, at, actor_name, client_addr, request_id, entity, entity_id, action, summary)
					VALUES ($1, $2, $3, $4, 'system', '', '', 'park', 'old', 'update', '{}')`,
					uuid.Must(uuid.NewV7()).String(), srv.ZoneID, "/"+srv.ZoneID+"/", db.Micros(old)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		total := srv.Count("audit_log")
		srv.App.PruneOnce(ctx)
		if n := srv.Count("audit_log"); n != total-3 || srv.Count("audit_log", "entity_id = 'old'") != 0 {
			t.Fatalf("after pruning: %d of %d left", n, total)
		}
		if strings.Contains(srv.Log.String(), `"level":"ERROR"`) {
			t.Fatalf("pruning logged an error:\n%s", srv.Log.String())
		}
	})
}
