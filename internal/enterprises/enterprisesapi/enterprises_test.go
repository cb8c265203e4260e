package enterprisesapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/testenv"
)

var ctx = context.Background()

// badCheck returns uscc with a wrong (but allowed) check character.
func badCheck(uscc string) string {
	last := uscc[17]
	for _, c := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
		if byte(c) != last {
			return uscc[:17] + string(c)
		}
	}
	panic("unreachable")
}

func create(t *testing.T, c *client.Client, body map[string]any) client.Enterprise {
	t.Helper()
	e, err := c.CreateEnterprise(ctx, body)
	if err != nil {
		t.Fatalf("create %v: %v", body, err)
	}
	return e
}

func TestEnterpriseCRUD(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		park := srv.Park("五里园", "wuli")
		uscc := testenv.USCC()
		e := create(t, admin, map[string]any{"park_id": park.ID, "name": " 成达齿轮 ", "uscc": " " + strings.ToLower(uscc) + " ",
			"industry": "装备制造", "address": "五里工业区 8 号", "location": map[string]float64{"lat": 24.781, "lng": 118.552},
			"employees": 320, "rd_staff": 40, "monthly_output_fen": 1200000000})
		if e.ZoneID != srv.ZoneID || e.ParkID != park.ID || e.ParkName != "五里园" || e.Name != "成达齿轮" || e.USCC != uscc ||
			e.Industry != "装备制造" || e.Location == nil || e.Location.Lat != 24.781 || e.Location.Lng != 118.552 ||
			e.Employees != 320 || e.RDStaff != 40 || e.MonthlyOutputFen == nil || *e.MonthlyOutputFen != 1200000000 ||
			e.Sample || e.HasPartyOrg || e.Version != 1 {
			t.Fatalf("created %+v", e)
		}
		if n := srv.Count("scope_nodes", "id = $1 AND kind = 'enterprise' AND parent_id = $2", e.ID, park.ID); n != 1 {
			t.Fatalf("scope node: %d", n)
		}
		_, hdr, _ := testenv.Raw(t, admin, "GET", "/api/v1/enterprises/"+e.ID, "", nil)
		if hdr.Get("ETag") != `"1"` {
			t.Fatalf("ETag %q", hdr.Get("ETag"))
		}
		got, err := admin.GetEnterprise(ctx, e.ID)
		if err != nil || got.Name != e.Name || got.Location == nil {
			t.Fatalf("get %+v %v", got, err)
		}

		// Partial update: null clears location and output; the rest stays.
		up, err := admin.UpdateEnterprise(ctx, e.ID, map[string]any{"name": "成达齿轮有限公司", "location": nil, "monthly_output_fen": nil}, 1)
		if err != nil || up.Version != 2 || up.Name != "成达齿轮有限公司" || up.Location != nil || up.MonthlyOutputFen != nil ||
			up.Industry != "装备制造" || up.Employees != 320 || up.USCC != uscc {
			t.Fatalf("update %+v %v", up, err)
		}
		if n := srv.Count("scope_nodes", "id = $1 AND name = $2", e.ID, "成达齿轮有限公司"); n != 1 {
			t.Fatal("the scope node was not renamed")
		}
		// Absent fields (and null for a plain field) leave the row as it is.
		same, err := admin.UpdateEnterprise(ctx, e.ID, map[string]any{"industry": nil}, 2)
		if err != nil || same.Version != 2 || same.Industry != "装备制造" {
			t.Fatalf("empty update %+v %v", same, err)
		}
		// The search key follows the new name and texts.
		if l, _ := admin.ListEnterprises(ctx, url.Values{"q": {"有限"}}); l.Total != 1 {
			t.Fatalf("search after rename: %d", l.Total)
		}
		_, err = admin.UpdateEnterprise(ctx, e.ID, map[string]any{"name": "stale"}, 1)
		testenv.WantStatus(t, err, 412)
		if n := srv.Count("audit_log", "entity = 'enterprise' AND entity_id = $1", e.ID); n != 2 {
			t.Fatalf("%d audit entries, want create and update", n)
		}
		testenv.WantStatus(t, admin.DeleteEnterprise(ctx, e.ID, 1), 412)
		if err := admin.DeleteEnterprise(ctx, e.ID, 2); err != nil {
			t.Fatal(err)
		}
		_, err = admin.GetEnterprise(ctx, e.ID)
		testenv.WantStatus(t, err, 404)
		if srv.Count("scope_nodes", "id = $1", e.ID) != 0 || srv.Count("enterprises") != 0 {
			t.Fatal("the row or its node outlived the delete")
		}
		if n := srv.Count("audit_log", "entity = 'enterprise' AND entity_id = $1 AND action = 'delete'", e.ID); n != 1 {
			t.Fatal("delete not audited")
		}
		testenv.WantStatus(t, admin.DeleteEnterprise(ctx, e.ID, 0), 404)

		// The same Idempotency-Key creates once and answers the first response again.
		body := map[string]any{"park_id": park.ID, "name": "信泰", "uscc": testenv.USCC()}
		idem := http.Header{"Idempotency-Key": {"enterprise-create-1"}}
		var first, again client.Enterprise
		if _, err := admin.Do(ctx, "POST", "/api/v1/enterprises", body, &first, idem); err != nil {
			t.Fatal(err)
		}
		resp, err := admin.Do(ctx, "POST", "/api/v1/enterprises", body, &again, idem)
		if err != nil || again.ID != first.ID || resp.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %+v %v", again, err)
		}
		if n := srv.Count("enterprises"); n != 1 {
			t.Fatalf("%d enterprises after a replay", n)
		}
	})
}

func TestEnterpriseBadInputChangesNothing(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		park, other := srv.Park("五里园", "wuli"), srv.Park("安东园", "andong")
		existing := create(t, admin, map[string]any{"park_id": park.ID, "name": "恒毅机械", "uscc": testenv.USCC(), "employees": 50, "rd_staff": 5})
		otherZone := srv.Zone("另一开发区")
		var foreignPark string
		if err := srv.DB.R.QueryRow(`SELECT id FROM scope_nodes WHERE zone_id = $1 AND kind = 'zone'`, otherZone).Scan(&foreignPark); err != nil {
			t.Fatal(err)
		}
		good := testenv.USCC()
		body := func(kv ...any) string {
			m := map[string]any{"park_id": park.ID, "name": "海纳机械", "uscc": good}
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] == "-" {
					delete(m, kv[i].(string))
				} else {
					m[kv[i].(string)] = kv[i+1]
				}
			}
			b, _ := json.Marshal(m)
			return string(b)
		}
		en := "/api/v1/enterprises"
		one := en + "/" + existing.ID
		cases := []struct {
			name, method, path, body string
			status                   int
			field, code, text        string
		}{
			{"missing name", "POST", en, body("name", "-"), 422, "name", "required", "名称不能为空"},
			{"long name", "POST", en, body("name", strings.Repeat("企", 101)), 422, "name", "too_long", "100"},
			{"control chars in name", "POST", en, body("name", "海纳\u202e机械"), 422, "name", "control_chars", "控制"},
			{"missing uscc", "POST", en, body("uscc", "-"), 422, "uscc", "required", "统一社会信用代码不能为空"},
			{"short uscc", "POST", en, body("uscc", good[:17]), 422, "uscc", "length", "应为 18 位，当前为 17 位"},
			{"long uscc", "POST", en, body("uscc", good+"1"), 422, "uscc", "length", "当前为 19 位"},
			{"uscc with O", "POST", en, body("uscc", good[:10]+"O"+good[11:]), 422, "uscc", "charset", "不含 I、O、Z、S、V"},
			{"uscc with Chinese", "POST", en, body("uscc", "统"+good[1:]), 422, "uscc", "charset", "大写英文字母"},
			{"uscc check digit", "POST", en, body("uscc", badCheck(good)), 422, "uscc", "check_digit", "校验位不正确"},
			{"uscc check digit en", "POST", en, body("uscc", strings.ToLower(badCheck(good))), 422, "uscc", "check_digit", "check character"},
			{"duplicate uscc", "POST", en, body("uscc", existing.USCC), 409, "uscc", "taken", existing.USCC},
			{"duplicate uscc lower case", "POST", en, body("uscc", " "+strings.ToLower(existing.USCC)), 409, "uscc", "taken", "已有"},
			{"missing park", "POST", en, body("park_id", "-"), 422, "park_id", "required", "园区不能为空"},
			{"unknown park", "POST", en, body("park_id", "nope"), 422, "park_id", "unknown_value", "园区不存在"},
			{"zone as park", "POST", en, body("park_id", srv.ZoneID), 422, "park_id", "unknown_value", ""},
			{"other zone's node", "POST", en, body("park_id", foreignPark), 422, "park_id", "unknown_value", ""},
			{"zone_id not the park's", "POST", en, body("zone_id", otherZone), 422, "zone_id", "unknown_value", ""},
			{"long industry", "POST", en, body("industry", strings.Repeat("业", 51)), 422, "industry", "too_long", "50"},
			{"long address", "POST", en, body("address", strings.Repeat("址", 201)), 422, "address", "too_long", "200"},
			{"lat out of range", "POST", en, body("location", map[string]any{"lat": 91, "lng": 118}), 422, "location.lat", "out_of_range", "纬度"},
			{"lng out of range", "POST", en, body("location", map[string]any{"lat": 24, "lng": -180.5}), 422, "location.lng", "out_of_range", "经度"},
			{"lat without lng", "POST", en, body("location", map[string]any{"lat": 24}), 422, "location.lng", "required", "经度不能为空"},
			{"lng without lat", "POST", en, body("location", map[string]any{"lng": 118}), 422, "location.lat", "required", ""},
			{"location unknown member", "POST", en, body("location", map[string]any{"lat": 1, "lng": 1, "alt": 3}), 400, "location.alt", "unknown_field", ""},
			{"location as text", "POST", en, body("location", "24,118"), 400, "location", "wrong_type", ""},
			{"negative employees", "POST", en, body("employees", -1), 422, "employees", "out_of_range", "0 到 1000000"},
			{"too many employees", "POST", en, body("employees", 1000001), 422, "employees", "out_of_range", ""},
			{"fractional employees", "POST", en, body("employees", 1.5), 400, "employees", "wrong_type", ""},
			{"employees as text", "POST", en, body("employees", "12"), 400, "employees", "wrong_type", ""},
			{"negative rd staff", "POST", en, body("rd_staff", -3), 422, "rd_staff", "out_of_range", ""},
			{"rd staff above employees", "POST", en, body("employees", 10, "rd_staff", 11), 422, "rd_staff", "exceeds_employees", "10 人"},
			{"negative output", "POST", en, body("monthly_output_fen", -1), 422, "monthly_output_fen", "negative", "月产值不能为负数"},
			{"sample is read-only", "POST", en, body("sample", true), 400, "sample", "unknown_field", ""},
			{"has_party_org is read-only", "POST", en, body("has_party_org", true), 400, "has_party_org", "unknown_field", ""},
			{"patch rd staff above stored employees", "PATCH", one, `{"rd_staff":51}`, 422, "rd_staff", "exceeds_employees", "50"},
			{"patch employees below stored rd staff", "PATCH", one, `{"employees":4}`, 422, "rd_staff", "exceeds_employees", "4"},
			{"patch bad uscc", "PATCH", one, `{"uscc":"` + badCheck(existing.USCC) + `"}`, 422, "uscc", "check_digit", ""},
			{"patch empty name", "PATCH", one, `{"name":" "}`, 422, "name", "required", ""},
			{"patch unknown park", "PATCH", one, `{"park_id":"nope"}`, 422, "park_id", "unknown_value", ""},
			{"patch empty park", "PATCH", one, `{"park_id":""}`, 422, "park_id", "required", ""},
			{"patch half location", "PATCH", one, `{"location":{"lat":3}}`, 422, "location.lng", "required", ""},
			{"patch negative output", "PATCH", one, `{"monthly_output_fen":-5}`, 422, "monthly_output_fen", "negative", ""},
			{"patch missing", "PATCH", en + "/nope", `{"name":"x"}`, 404, "", "", "不存在"},
			{"patch missing before validation", "PATCH", en + "/nope", `{"name":""}`, 404, "", "", ""},
			{"bad has_party_org", "GET", en + "?has_party_org=yes", ``, 400, "has_party_org", "invalid_format", "是否建有党组织"},
			{"bad limit", "GET", en + "?limit=0", ``, 400, "limit", "out_of_range", ""},
		}
		enterprises, audits, nodes := srv.Count("enterprises"), srv.Count("audit_log"), srv.Count("scope_nodes")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				hdr := map[string]string{"Content-Type": "application/json"}
				if strings.HasSuffix(tc.name, " en") {
					hdr["Accept-Language"] = "en"
				}
				status, _, answer := testenv.Raw(t, admin, tc.method, tc.path, tc.body, hdr)
				if status != tc.status {
					t.Fatalf("status %d, want %d: %s", status, tc.status, answer)
				}
				if tc.field != "" && !strings.Contains(answer, `"field":"`+tc.field+`","code":"`+tc.code+`"`) {
					t.Fatalf("answer lacks %s/%s: %s", tc.field, tc.code, answer)
				}
				if !strings.Contains(answer, tc.text) {
					t.Fatalf("answer lacks %q: %s", tc.text, answer)
				}
			})
		}
		if srv.Count("enterprises") != enterprises || srv.Count("audit_log") != audits || srv.Count("scope_nodes") != nodes {
			t.Fatal("bad input changed rows")
		}
		if got, err := admin.GetEnterprise(ctx, existing.ID); err != nil || got.Version != 1 || got.ParkID != park.ID {
			t.Fatalf("bad input changed the enterprise: %+v %v", got, err)
		}
		// Every error is reported at once.
		status, _, answer := testenv.Raw(t, admin, "POST", en, body("name", "", "uscc", "X", "employees", -1, "park_id", other.ID+"x"),
			map[string]string{"Content-Type": "application/json"})
		for _, f := range []string{"name", "uscc", "employees", "park_id"} {
			if status != 422 || !strings.Contains(answer, `"field":"`+f+`"`) {
				t.Fatalf("all errors at once: %d lacks %s: %s", status, f, answer)
			}
		}
	})
}

func TestEnterpriseUSCCUniquePerZone(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		a, b := srv.Park("五里园", "wuli"), srv.Park("安东园", "andong")
		uscc := testenv.USCC()
		first := create(t, admin, map[string]any{"park_id": a.ID, "name": "信泰", "uscc": uscc})
		// Taken anywhere in the zone, in another park too, however typed.
		_, err := admin.CreateEnterprise(ctx, map[string]any{"park_id": b.ID, "name": "信泰二厂", "uscc": strings.ToLower(uscc)})
		testenv.WantStatus(t, err, 409)
		if p := testenv.Problem(err); len(p.Errors) != 1 || p.Errors[0].Field != "uscc" || p.Errors[0].Code != "taken" {
			t.Fatalf("problem %+v", p)
		}
		second := create(t, admin, map[string]any{"park_id": b.ID, "name": "冠达星", "uscc": testenv.USCC()})
		_, err = admin.UpdateEnterprise(ctx, second.ID, map[string]any{"uscc": uscc}, 1)
		testenv.WantStatus(t, err, 409)
		// Another zone may hold the same code.
		oz := srv.Zone("另一开发区")
		ozAdmin := srv.UserIn("oz-admin", oz, access.ZoneAdmin, oz)
		op, err := ozAdmin.CreatePark(ctx, map[string]string{"name": "他园", "code": "other"})
		if err != nil {
			t.Fatal(err)
		}
		if e, err := ozAdmin.CreateEnterprise(ctx, map[string]any{"park_id": op.ID, "name": "信泰", "uscc": uscc}); err != nil || e.ZoneID != oz {
			t.Fatalf("same USCC in another zone: %+v %v", e, err)
		}
		if got, _ := admin.GetEnterprise(ctx, first.ID); got.Version != 1 {
			t.Fatal("conflicts changed the first enterprise")
		}

		// Twenty at once with one fresh code: exactly one is created.
		fresh := testenv.USCC()
		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses := map[int]int{}
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, err := admin.CreateEnterprise(ctx, map[string]any{"park_id": a.ID, "name": fmt.Sprintf("并发企业 %d", i), "uscc": fresh})
				mu.Lock()
				statuses[client.StatusOf(err)]++
				mu.Unlock()
			}(i)
		}
		wg.Wait()
		if statuses[0] != 1 || statuses[409] != 19 {
			t.Fatalf("statuses %v, want one success and 19 conflicts", statuses)
		}
		if n := srv.Count("enterprises", "uscc = $1", fresh); n != 1 {
			t.Fatalf("%d rows with the code", n)
		}
		if n := srv.Count("scope_nodes", "kind = 'enterprise'"); n != srv.Count("enterprises") {
			t.Fatalf("%d enterprise nodes for %d enterprises: a refused create left its node", n, srv.Count("enterprises"))
		}
	})
}

func ids(l client.List[client.Enterprise]) []string {
	var out []string
	for _, e := range l.Items {
		out = append(out, e.Name)
	}
	return out
}

func TestEnterpriseScope(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		wuli, andong := srv.Park("五里园", "wuli"), srv.Park("安东园", "andong")
		mine := create(t, admin, map[string]any{"park_id": andong.ID, "name": "盼盼饮料", "uscc": testenv.USCC()})
		theirs := create(t, admin, map[string]any{"park_id": wuli.ID, "name": "盼盼食品", "uscc": testenv.USCC()})
		pa := srv.User("andong-admin", access.ParkAdmin, andong.ID)

		l, err := pa.ListEnterprises(ctx, nil)
		if err != nil || l.Total != 1 || l.Items[0].ID != mine.ID {
			t.Fatalf("park admin lists %v %v", ids(l), err)
		}
		for _, q := range []string{"盼盼", "panpan", "pp"} {
			if l, err := pa.ListEnterprises(ctx, url.Values{"q": {q}}); err != nil || l.Total != 1 || l.Items[0].ID != mine.ID {
				t.Fatalf("park admin searching %s: %v %v", q, ids(l), err)
			}
		}
		if l, _ := pa.ListEnterprises(ctx, url.Values{"park_id": {wuli.ID}}); l.Total != 0 {
			t.Fatal("the park filter widened the scope")
		}
		if l, _ := pa.ListEnterprises(ctx, url.Values{"uscc": {theirs.USCC}}); l.Total != 0 {
			t.Fatal("the uscc filter reveals another park's enterprise")
		}
		_, err = pa.GetEnterprise(ctx, theirs.ID)
		testenv.WantStatus(t, err, 404)
		_, err = pa.UpdateEnterprise(ctx, theirs.ID, map[string]any{"name": "x"}, 0)
		testenv.WantStatus(t, err, 404)
		testenv.WantStatus(t, pa.DeleteEnterprise(ctx, theirs.ID, 0), 404)
		// Creating in another park, or moving there, names park_id like an unknown park.
		_, err = pa.CreateEnterprise(ctx, map[string]any{"park_id": wuli.ID, "name": "x", "uscc": testenv.USCC()})
		testenv.WantStatus(t, err, 422)
		if p := testenv.Problem(err); p.Errors[0].Field != "park_id" || p.Errors[0].Code != "unknown_value" {
			t.Fatalf("problem %+v", p)
		}
		_, err = pa.UpdateEnterprise(ctx, mine.ID, map[string]any{"park_id": wuli.ID}, 0)
		testenv.WantStatus(t, err, 422)
		// In their own park they manage.
		own := create(t, pa, map[string]any{"park_id": andong.ID, "name": "好来屋", "uscc": testenv.USCC()})
		if _, err := pa.UpdateEnterprise(ctx, own.ID, map[string]any{"employees": 12}, 1); err != nil {
			t.Fatal(err)
		}
		if err := pa.DeleteEnterprise(ctx, own.ID, 2); err != nil {
			t.Fatal(err)
		}

		// A partner granted on one enterprise reads it, and nothing else, and changes nothing.
		partner := srv.User("partner", access.Partner, mine.ID)
		if l, err := partner.ListEnterprises(ctx, nil); err != nil || l.Total != 1 || l.Items[0].ID != mine.ID {
			t.Fatalf("partner lists %v %v", ids(l), err)
		}
		if _, err := partner.GetEnterprise(ctx, mine.ID); err != nil {
			t.Fatal(err)
		}
		_, err = partner.UpdateEnterprise(ctx, mine.ID, map[string]any{"name": "x"}, 0)
		testenv.WantStatus(t, err, 403)
		testenv.WantStatus(t, partner.DeleteEnterprise(ctx, mine.ID, 0), 403)
		_, err = partner.GetEnterprise(ctx, theirs.ID)
		testenv.WantStatus(t, err, 404)
		_, err = partner.CreateEnterprise(ctx, map[string]any{"park_id": andong.ID, "name": "x", "uscc": testenv.USCC()})
		testenv.WantStatus(t, err, 403)

		// A member of the park reads but may not change.
		member := srv.User("member", access.Member, andong.ID)
		if _, err := member.GetEnterprise(ctx, mine.ID); err != nil {
			t.Fatal(err)
		}
		_, err = member.UpdateEnterprise(ctx, mine.ID, map[string]any{"name": "x"}, 0)
		testenv.WantStatus(t, err, 403)
		_, err = member.GetEnterprise(ctx, theirs.ID)
		testenv.WantStatus(t, err, 404)

		// Another zone's administrator sees none of this zone.
		oz := srv.Zone("另一开发区")
		ozAdmin := srv.UserIn("oz-admin", oz, access.ZoneAdmin, oz)
		if l, err := ozAdmin.ListEnterprises(ctx, url.Values{"q": {"盼盼"}}); err != nil || l.Total != 0 {
			t.Fatalf("other zone admin sees %v %v", ids(l), err)
		}
		_, err = ozAdmin.GetEnterprise(ctx, mine.ID)
		testenv.WantStatus(t, err, 404)
		_, err = ozAdmin.UpdateEnterprise(ctx, mine.ID, map[string]any{"name": "x"}, 0)
		testenv.WantStatus(t, err, 404)
		testenv.WantStatus(t, ozAdmin.DeleteEnterprise(ctx, mine.ID, 0), 404)
		_, err = ozAdmin.CreateEnterprise(ctx, map[string]any{"park_id": andong.ID, "name": "x", "uscc": testenv.USCC()})
		testenv.WantStatus(t, err, 422)

		nobody := srv.User("nobody", "", "")
		_, err = nobody.ListEnterprises(ctx, nil)
		testenv.WantStatus(t, err, 403)
		for _, e := range []client.Enterprise{mine, theirs} {
			if got, err := admin.GetEnterprise(ctx, e.ID); err != nil || got.Version != 1 {
				t.Fatalf("out-of-scope writes changed %s: %+v %v", e.Name, got, err)
			}
		}
	})
}

func TestEnterpriseFiltersAndSearch(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		wuli, andong := srv.Park("五里园", "wuli"), srv.Park("安东园", "andong")
		mk := func(park, name, industry, address string) client.Enterprise {
			return create(t, admin, map[string]any{"park_id": park, "name": name, "uscc": testenv.USCC(), "industry": industry, "address": address})
		}
		chengda := mk(wuli.ID, "成达齿轮", "装备制造", "五里工业区")
		haina := mk(wuli.ID, "海纳机械", "装备制造", "五里工业区")
		panpan := mk(andong.ID, "盼盼饮料", "食品", "安东园区")
		mk(andong.ID, "红晟鞋业", "鞋服", "安东园区")
		srv.Org(wuli.ID, wuli.ID, "成达齿轮党支部", "branch", chengda.ID)
		srv.Org(andong.ID, andong.ID, "安东联合党支部", "joint_branch", panpan.ID)

		names := func(q url.Values) string {
			t.Helper()
			l, err := admin.ListEnterprises(ctx, q)
			if err != nil {
				t.Fatalf("%v: %v", q, err)
			}
			if l.Total != len(l.Items) {
				t.Fatalf("%v: total %d, items %d", q, l.Total, len(l.Items))
			}
			return strings.Join(ids(l), ",")
		}
		for q, want := range map[string]string{
			"park_id=" + wuli.ID:                       "成达齿轮,海纳机械",
			"industry=装备制造":                            "成达齿轮,海纳机械",
			"industry=装备":                              "",
			"has_party_org=true":                       "成达齿轮,盼盼饮料",
			"has_party_org=false":                      "海纳机械,红晟鞋业",
			"has_party_org=false&park_id=" + andong.ID: "红晟鞋业",
			"uscc=" + strings.ToLower(haina.USCC):      "海纳机械",
			"q=齿轮":                                     "成达齿轮",
			"q=cdcl":                                   "成达齿轮",
			"q=CDCL":                                   "成达齿轮",
			"q=chengda":                                "成达齿轮",
			"q=安东":                                     "盼盼饮料,红晟鞋业",
			"q=食品":                                     "盼盼饮料",
			"q=" + haina.USCC[8:14]:                    "海纳机械",
			"q=%25":                                    "",
			"q=机械&has_party_org=true":                  "",
		} {
			v, _ := url.ParseQuery(q)
			if got := names(v); got != want {
				t.Errorf("%s: %s, want %s", q, got, want)
			}
		}
		e, err := admin.GetEnterprise(ctx, chengda.ID)
		if err != nil || !e.HasPartyOrg {
			t.Fatalf("has_party_org on get: %+v %v", e, err)
		}
		// And on each row of a list.
		all, err := admin.ListEnterprises(ctx, url.Values{})
		if err != nil || len(all.Items) != 4 {
			t.Fatalf("list: %v %v", ids(all), err)
		}
		for _, e := range all.Items {
			if want := e.Name == "成达齿轮" || e.Name == "盼盼饮料"; e.HasPartyOrg != want {
				t.Errorf("%s listed with has_party_org %v", e.Name, e.HasPartyOrg)
			}
		}
		// Paging: the cursor walks the filtered set.
		l, err := admin.ListEnterprises(ctx, url.Values{"limit": {"3"}})
		if err != nil || len(l.Items) != 3 || l.Total != 4 || l.NextCursor == nil {
			t.Fatalf("page 1: %v %v", ids(l), err)
		}
		l, err = admin.ListEnterprises(ctx, url.Values{"limit": {"3"}, "cursor": {*l.NextCursor}})
		if err != nil || len(l.Items) != 1 || l.NextCursor != nil {
			t.Fatalf("page 2: %v %v", ids(l), err)
		}
	})
}

func TestEnterpriseMove(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		wuli, andong := srv.Park("五里园", "wuli"), srv.Park("安东园", "andong")
		e := create(t, admin, map[string]any{"park_id": wuli.ID, "name": "佶龙机械", "uscc": testenv.USCC()})
		person := srv.Person(srv.ZoneID, "张三", e.ID, "", "")
		oldAdmin := srv.User("wuli-admin", access.ParkAdmin, wuli.ID)
		newAdmin := srv.User("andong-admin", access.ParkAdmin, andong.ID)
		partner := srv.User("partner", access.Partner, e.ID)
		_, err := newAdmin.GetEnterprise(ctx, e.ID)
		testenv.WantStatus(t, err, 404)

		moved, err := admin.UpdateEnterprise(ctx, e.ID, map[string]any{"park_id": andong.ID}, 1)
		if err != nil || moved.ParkID != andong.ID || moved.ParkName != "安东园" || moved.Version != 2 {
			t.Fatalf("move: %+v %v", moved, err)
		}
		_, err = oldAdmin.GetEnterprise(ctx, e.ID)
		testenv.WantStatus(t, err, 404)
		if l, _ := oldAdmin.ListEnterprises(ctx, nil); l.Total != 0 {
			t.Fatal("the old park's administrator still lists it")
		}
		if got, err := newAdmin.GetEnterprise(ctx, e.ID); err != nil || got.ParkID != andong.ID {
			t.Fatalf("new park admin: %+v %v", got, err)
		}
		// The partner's grant on the enterprise follows it.
		if _, err := partner.GetEnterprise(ctx, e.ID); err != nil {
			t.Fatalf("partner after the move: %v", err)
		}
		var path string
		if err := srv.DB.R.QueryRow(`SELECT path FROM scope_nodes WHERE id = $1`, e.ID).Scan(&path); err != nil {
			t.Fatal(err)
		}
		if want := "/" + srv.ZoneID + "/" + andong.ID + "/" + e.ID + "/"; path != want {
			t.Fatalf("node path %s, want %s", path, want)
		}
		// The new park's administrator may move it on (within their scope only).
		_, err = newAdmin.UpdateEnterprise(ctx, e.ID, map[string]any{"park_id": wuli.ID}, 2)
		testenv.WantStatus(t, err, 422)
		if n := srv.Count("people", "id = $1 AND enterprise_id = $2", person, e.ID); n != 1 {
			t.Fatal("the person lost their enterprise")
		}
		if n := srv.Count("audit_log", "entity = 'enterprise' AND action = 'update' AND entity_id = $1", e.ID); n != 1 {
			t.Fatal("move not audited")
		}
	})
}

func TestEnterpriseDeleteRefusedWhileReferenced(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		park := srv.Park("五里园", "wuli")
		withPerson := create(t, admin, map[string]any{"park_id": park.ID, "name": "泉森木业", "uscc": testenv.USCC()})
		withOrg := create(t, admin, map[string]any{"park_id": park.ID, "name": "漫林意居", "uscc": testenv.USCC()})
		srv.Person(srv.ZoneID, "李四", withPerson.ID, "", "")
		srv.Person(srv.ZoneID, "王五", withPerson.ID, "", "")
		srv.Org(park.ID, park.ID, "漫林意居党支部", "branch", withOrg.ID)

		err := admin.DeleteEnterprise(ctx, withPerson.ID, 1)
		testenv.WantStatus(t, err, 409)
		if p := testenv.Problem(err); !strings.Contains(p.Detail, "人员 2 名") {
			t.Fatalf("detail %q", p.Detail)
		}
		err = admin.DeleteEnterprise(ctx, withOrg.ID, 1)
		testenv.WantStatus(t, err, 409)
		if p := testenv.Problem(err); !strings.Contains(p.Detail, "党组织 1 个") {
			t.Fatalf("detail %q", p.Detail)
		}
		if srv.Count("enterprises") != 2 || srv.Count("scope_nodes", "kind = 'enterprise'") != 2 {
			t.Fatal("a refused delete removed something")
		}
		if n := srv.Count("audit_log", "entity = 'enterprise' AND action = 'delete'"); n != 0 {
			t.Fatal("a refused delete was audited")
		}
		// Grants on a deleted enterprise go with it, audited.
		free := create(t, admin, map[string]any{"park_id": park.ID, "name": "渔家翁", "uscc": testenv.USCC()})
		srv.User("partner", access.Partner, free.ID)
		if err := admin.DeleteEnterprise(ctx, free.ID, 1); err != nil {
			t.Fatal(err)
		}
		if srv.Count("grants", "scope_id = $1", free.ID) != 0 || srv.Count("audit_log", "entity = 'grant' AND action = 'delete'") != 1 {
			t.Fatal("the grant on the deleted enterprise was not removed and audited")
		}
	})
}

// has_party_org is a count kept on the enterprise's row (migration 0400):
// after organisations created, given other enterprises, deleted through
// the API and rows of org_enterprises written by hand, every enterprise's
// count is its rows there, on both engines, and the get, the list and the
// filter say so.
func TestPartyOrgsKeptOnTheRow(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		park := srv.Park("五里园", "wuli")
		var ents []string
		for _, name := range []string{"成达齿轮", "海纳机械", "盼盼饮料", "红晟鞋业"} {
			ents = append(ents, create(t, admin, map[string]any{"park_id": park.ID, "name": name, "uscc": testenv.USCC()}).ID)
		}
		check := func(step string, want ...int) {
			t.Helper()
			for i, id := range ents {
				var kept, rows int
				if err := srv.DB.R.QueryRow(`SELECT party_orgs, (SELECT COUNT(*) FROM org_enterprises WHERE enterprise_id = $1) FROM enterprises WHERE id = $1`,
					id).Scan(&kept, &rows); err != nil {
					t.Fatal(err)
				}
				if kept != rows || rows != want[i] {
					t.Fatalf("%s: enterprise %d keeps %d organisations, has %d, want %d", step, i, kept, rows, want[i])
				}
				e, err := admin.GetEnterprise(ctx, id)
				if err != nil || e.HasPartyOrg != (rows > 0) {
					t.Fatalf("%s: enterprise %d: has_party_org %v (%v) with %d organisations", step, i, e.HasPartyOrg, err, rows)
				}
			}
			for _, has := range []bool{true, false} {
				l, err := admin.ListEnterprises(ctx, url.Values{"has_party_org": {strconv.FormatBool(has)}, "park_id": {park.ID}})
				if err != nil {
					t.Fatal(err)
				}
				var got, expected []string
				for _, e := range l.Items {
					got = append(got, e.ID)
					if e.HasPartyOrg != has {
						t.Fatalf("%s: %s listed under has_party_org=%v with %v", step, e.Name, has, e.HasPartyOrg)
					}
				}
				for i, id := range ents {
					if (want[i] > 0) == has {
						expected = append(expected, id)
					}
				}
				if !slices.Equal(got, expected) {
					t.Fatalf("%s: has_party_org=%v lists %v, want %v", step, has, got, expected)
				}
			}
		}
		check("none", 0, 0, 0, 0)
		committee, err := admin.CreateOrg(ctx, map[string]any{"park_id": park.ID, "name": "五里园党委", "kind": "committee"})
		if err != nil {
			t.Fatal(err)
		}
		joint, err := admin.CreateOrg(ctx, map[string]any{"parent_id": committee.ID, "name": "五里联合党支部", "kind": "joint_branch",
			"enterprise_ids": []string{ents[0], ents[1]}, "founded_on": "2021-07-01"})
		if err != nil {
			t.Fatal(err)
		}
		branch, err := admin.CreateOrg(ctx, map[string]any{"parent_id": committee.ID, "name": "成达党支部", "kind": "branch",
			"enterprise_ids": []string{ents[0]}, "founded_on": "2022-07-01"})
		if err != nil {
			t.Fatal(err)
		}
		check("created", 2, 1, 0, 0)
		if joint, err = admin.UpdateOrg(ctx, joint.ID, map[string]any{"enterprise_ids": []string{ents[1], ents[2]}}, joint.Version); err != nil {
			t.Fatal(err)
		}
		check("given other enterprises", 1, 1, 1, 0)
		if err := admin.DeleteOrg(ctx, branch.ID, branch.Version); err != nil {
			t.Fatal(err)
		}
		check("deleted", 0, 1, 1, 0)
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO org_enterprises (org_id, enterprise_id, zone_id) VALUES ($1, $2, $3)`, []any{joint.ID, ents[3], srv.ZoneID}},
			{`UPDATE org_enterprises SET enterprise_id = $1 WHERE org_id = $2 AND enterprise_id = $3`, []any{ents[0], joint.ID, ents[1]}},
			{`DELETE FROM org_enterprises WHERE org_id = $1 AND enterprise_id = $2`, []any{joint.ID, ents[2]}},
		} {
			if _, err := srv.DB.W.Exec(q.sql, q.args...); err != nil {
				t.Fatalf("%s: %v", q.sql, err)
			}
		}
		check("written by hand", 1, 0, 0, 1)
	})
}
