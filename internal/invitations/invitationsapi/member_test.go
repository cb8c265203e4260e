package invitationsapi_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"tongxin/internal/client"
	"tongxin/internal/kit"
	"tongxin/internal/testenv"
)

// An invited account sees its own people record and is refused
// everything else: every scoped route of every domain, whatever ids it
// names (its own record, its enterprise, another person …), answers 403
// and changes nothing.
func TestMemberSeesOnlyTheirOwnRecords(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		worker := w.worker(t)
		me, err := worker.MyPerson(ctx)
		if err != nil || me.ID != w.linxiao.ID || me.Name != "林晓" || me.EnterpriseID == nil || *me.EnterpriseID != w.entW {
			t.Fatalf("own record: %+v %v", me, err)
		}
		// The ids a worker might try: their own record, a colleague's,
		// their enterprise, park, zone and branch.
		ids := []string{w.linxiao.ID, w.chenmin.ID, w.entW, w.wuli.ID, w.srv.ZoneID, w.branchA}
		before := w.counts()
		tried := 0
		for _, d := range w.srv.App.Domains {
			for _, rt := range d.Routes {
				if rt.Access != kit.Scoped {
					continue
				}
				for _, id := range ids {
					path := kit.Path(rt.Path, everyWildcard(rt.Path, id, map[string]string{"month": "2024-05"}))
					var body any
					if rt.Method != "GET" && rt.Method != "DELETE" {
						body = json.RawMessage(`{}`)
					}
					_, err := worker.Do(ctx, rt.Method, path, body, nil, nil)
					if client.StatusOf(err) != 403 {
						t.Errorf("%s %s: %v, want 403", rt.Method, path, err)
					}
					tried++
					if !strings.Contains(rt.Path, "{") {
						break
					}
				}
			}
		}
		if tried < 40 {
			t.Fatalf("only %d requests tried", tried)
		}
		if after := w.counts(); after[0] != before[0] || after[1] != before[1] {
			t.Fatalf("refused requests changed %v → %v", before, after)
		}
		// The lists a console would show: all refused by name.
		for _, path := range []string{"/api/v1/enterprises", "/api/v1/orgs", "/api/v1/people", "/api/v1/people/" + w.chenmin.ID,
			"/api/v1/people/" + w.linxiao.ID, "/api/v1/stations", "/api/v1/alliances", "/api/v1/workshops", "/api/v1/users",
			"/api/v1/audit", "/api/v1/reports/coverage", "/api/v1/reports/org-warnings", "/api/v1/invitations", "/api/v1/parks"} {
			_, err := worker.Do(ctx, "GET", path, nil, nil, nil)
			if st := client.StatusOf(err); st != 403 && st != 404 {
				t.Errorf("GET %s: %v, want 403/404", path, err)
			}
		}
		// The session shows the member role on the own record and no
		// permission anywhere.
		s, err := worker.Session(ctx)
		if err != nil || s.Self == nil || s.Self.PersonID != w.linxiao.ID || len(s.Permissions) != 0 {
			t.Fatalf("session: %+v %v", s, err)
		}
	})
}

// everyWildcard names every wildcard of path with id (a route may name
// several rows: {id}, {signup_id}, {person_id} …), except those given.
func everyWildcard(path, id string, given map[string]string) map[string]string {
	v := map[string]string{}
	for _, m := range regexp.MustCompile(`\{([a-z_]+)\}`).FindAllStringSubmatch(path, -1) {
		v[m[1]] = id
	}
	for k, x := range given {
		v[k] = x
	}
	return v
}
