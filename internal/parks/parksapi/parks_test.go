package parksapi_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/testenv"
)

var ctx = context.Background()

func TestParksCRUD(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		p := srv.Park("五里园", "wuli")
		if p.ZoneID != srv.ZoneID || p.Version != 1 || p.Name != "五里园" {
			t.Fatalf("created %+v", p)
		}
		got, err := admin.GetPark(ctx, p.ID)
		if err != nil || got.ID != p.ID {
			t.Fatalf("get: %+v %v", got, err)
		}
		_, hdr, _ := testenv.Raw(t, admin, "GET", "/api/v1/parks/"+p.ID, "", nil)
		if hdr.Get("ETag") != `"1"` || hdr.Get("Cache-Control") != "no-store" {
			t.Fatalf("ETag %q, Cache-Control %q", hdr.Get("ETag"), hdr.Get("Cache-Control"))
		}
		up, err := admin.UpdatePark(ctx, p.ID, map[string]string{"name": "五里园区"}, 1)
		if err != nil || up.Version != 2 || up.Name != "五里园区" || up.Code != "wuli" {
			t.Fatalf("update: %+v %v", up, err)
		}
		_, err = admin.UpdatePark(ctx, p.ID, map[string]string{"name": "stale"}, 1)
		testenv.WantStatus(t, err, 412)
		if got, err := admin.GetPark(ctx, p.ID); err != nil || got.Name != "五里园区" {
			t.Fatalf("stale update changed the park: %+v %v", got, err)
		}
		testenv.WantStatus(t, admin.DeletePark(ctx, p.ID, 1), 412)
		if err := admin.DeletePark(ctx, p.ID, 2); err != nil {
			t.Fatal(err)
		}
		_, err = admin.GetPark(ctx, p.ID)
		testenv.WantStatus(t, err, 404)
		testenv.WantStatus(t, admin.DeletePark(ctx, p.ID, 0), 404)
		_, err = admin.GetPark(ctx, "not-an-id")
		testenv.WantStatus(t, err, 404)
	})
}

func TestParkBadInputChangesNothing(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		existing := srv.Park("安东园", "andong")
		parks, audits := srv.Count("parks"), srv.Count("audit_log")
		big := `{"name":"` + strings.Repeat("园", 400000) + `","code":"big"}`
		cases := []struct {
			name, method, path, body, lang string
			hdr                            map[string]string
			status                         int
			field, code, text              string
		}{
			{"malformed json", "POST", "/api/v1/parks", `{"name":`, "", nil, 400, "", "", "不是有效的 JSON"},
			{"empty body", "POST", "/api/v1/parks", ``, "", nil, 400, "", "", "请求体为空"},
			{"two objects", "POST", "/api/v1/parks", `{"name":"a","code":"a"}{}`, "", nil, 400, "", "", "只能包含一个"},
			{"array body", "POST", "/api/v1/parks", `[1]`, "", nil, 400, "", "", "JSON 对象"},
			{"unknown field", "POST", "/api/v1/parks", `{"name":"a","code":"a","colour":"red"}`, "", nil, 400, "colour", "unknown_field", "colour"},
			{"unknown field en", "POST", "/api/v1/parks", `{"name":"a","code":"a","colour":"red"}`, "en", nil, 400, "colour", "unknown_field", `Unknown field`},
			{"name in capitals", "POST", "/api/v1/parks", `{"NAME":"a","code":"a"}`, "", nil, 400, "NAME", "unknown_field", "NAME"},
			{"duplicate key", "POST", "/api/v1/parks", `{"name":"a","name":"b","code":"a"}`, "", nil, 400, "name", "duplicate_field", "重复"},
			{"wrong type", "POST", "/api/v1/parks", `{"name":5,"code":"a"}`, "", nil, 400, "name", "wrong_type", "字符串"},
			{"null name", "POST", "/api/v1/parks", `{"name":null,"code":"a"}`, "", nil, 422, "name", "required", "名称"},
			{"NUL in name", "POST", "/api/v1/parks", `{"name":"a\u0000b","code":"a"}`, "", nil, 400, "name", "invalid_text", "空字符"},
			{"invalid UTF-8", "POST", "/api/v1/parks", "{\"name\":\"a\xff\",\"code\":\"a\"}", "", nil, 400, "name", "invalid_text", "UTF-8"},
			{"invisible name", "POST", "/api/v1/parks", `{"name":"\u200b\u200b","code":"a"}`, "", nil, 422, "name", "invisible", "不可见"},
			{"direction override", "POST", "/api/v1/parks", `{"name":"\u202e园","code":"a"}`, "", nil, 422, "name", "control_chars", "控制"},
			{"missing name", "POST", "/api/v1/parks", `{"code":"a"}`, "", nil, 422, "name", "required", "名称不能为空"},
			{"missing name en", "POST", "/api/v1/parks", `{"code":"a"}`, "en", nil, 422, "name", "required", "Name is required"},
			{"long name", "POST", "/api/v1/parks", `{"name":"` + strings.Repeat("园", 101) + `","code":"a"}`, "", nil, 422, "name", "too_long", "100"},
			{"bad code", "POST", "/api/v1/parks", `{"name":"园","code":"a b"}`, "", nil, 422, "code", "code_format", "编码"},
			{"duplicate code", "POST", "/api/v1/parks", `{"name":"另一个","code":"andong"}`, "", nil, 409, "code", "taken", "andong"},
			{"foreign zone", "POST", "/api/v1/parks", `{"zone_id":"nope","name":"园","code":"zz"}`, "", nil, 422, "zone_id", "unknown_value", "开发区"},
			{"oversize", "POST", "/api/v1/parks", big, "", nil, 413, "", "", "1 MiB"},
			{"text/plain body", "POST", "/api/v1/parks", `{"name":"园","code":"tp"}`, "", map[string]string{"Content-Type": "text/plain"}, 415, "Content-Type", "want_json", "JSON"},
			{"csv file to a JSON route", "POST", "/api/v1/parks", "name,code\n园,c1\n", "", map[string]string{"Content-Type": "text/csv"}, 415, "Content-Type", "want_json", "JSON"},
			{"multipart to a JSON route", "POST", "/api/v1/parks", "--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx\r\n--b--\r\n", "", map[string]string{"Content-Type": "multipart/form-data; boundary=b"}, 415, "Content-Type", "want_json", "JSON"},
			{"form body", "POST", "/api/v1/parks", `name=x&code=y`, "", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, "Content-Type", "want_json", "JSON"},
			{"patch wrong type", "PATCH", "/api/v1/parks/" + existing.ID, `{"name":["x"]}`, "", nil, 400, "name", "wrong_type", "字符串"},
			{"patch unknown field", "PATCH", "/api/v1/parks/" + existing.ID, `{"nmae":"x"}`, "", nil, 400, "nmae", "unknown_field", "nmae"},
			{"patch empty name", "PATCH", "/api/v1/parks/" + existing.ID, `{"name":"  "}`, "", nil, 422, "name", "required", "名称"},
			{"patch stale", "PATCH", "/api/v1/parks/" + existing.ID, `{"name":"x"}`, "", map[string]string{"If-Match": `"7"`}, 412, "", "", "刷新"},
			{"patch weak etag", "PATCH", "/api/v1/parks/" + existing.ID, `{"name":"x"}`, "", map[string]string{"If-Match": `W/"1"`}, 412, "", "", "刷新"},
			{"patch bad if-match", "PATCH", "/api/v1/parks/" + existing.ID, `{"name":"x"}`, "", map[string]string{"If-Match": `abc`}, 400, "If-Match", "invalid_format", "If-Match"},
			{"patch missing", "PATCH", "/api/v1/parks/0", `{"name":"x"}`, "", nil, 404, "", "", "不存在"},
			{"bad limit", "GET", "/api/v1/parks?limit=500", ``, "", nil, 400, "limit", "out_of_range", "200"},
			{"bad cursor", "GET", "/api/v1/parks?cursor=!!!", ``, "", nil, 400, "cursor", "invalid_format", ""},
			{"no route", "GET", "/api/v1/nothing", ``, "", nil, 404, "", "", "没有这个接口"},
			{"wrong method", "PUT", "/api/v1/parks", `{}`, "", nil, 405, "", "", "不支持"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				hdr := map[string]string{"Content-Type": "application/json"}
				if tc.lang != "" {
					hdr["Accept-Language"] = tc.lang
				}
				for k, v := range tc.hdr {
					hdr[k] = v
				}
				status, h, body := testenv.Raw(t, admin, tc.method, tc.path, tc.body, hdr)
				if status != tc.status {
					t.Fatalf("status %d, want %d: %s", status, tc.status, body)
				}
				if !strings.HasPrefix(h.Get("Content-Type"), "application/problem+json") {
					t.Fatalf("content type %q", h.Get("Content-Type"))
				}
				if !strings.Contains(body, tc.text) {
					t.Fatalf("body lacks %q: %s", tc.text, body)
				}
				if tc.field != "" && !strings.Contains(body, `"field":"`+tc.field+`","code":"`+tc.code+`"`) {
					t.Fatalf("body lacks field %s/%s: %s", tc.field, tc.code, body)
				}
				if h.Get("X-Request-ID") == "" || h.Get("Cache-Control") != "no-store" {
					t.Fatalf("headers %v", h)
				}
				if tc.status == 405 && h.Get("Allow") != "GET, HEAD, POST" {
					t.Fatalf("Allow %q", h.Get("Allow"))
				}
			})
		}
		if got := srv.Count("parks"); got != parks {
			t.Fatalf("bad input changed parks: %d → %d", parks, got)
		}
		if got := srv.Count("audit_log"); got != audits {
			t.Fatalf("bad input wrote audit entries: %d → %d", audits, got)
		}
		if got, err := admin.GetPark(ctx, existing.ID); err != nil || got.Version != 1 || got.Name != "安东园" {
			t.Fatalf("bad input changed the park: %+v %v", got, err)
		}
	})
}

func TestParkListPagingAndSearch(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		names := []string{"五里园", "安东园", "食品园", "五里科技园", "安东食品园"}
		for i, n := range names {
			srv.Park(n, fmt.Sprintf("p%d", i))
		}
		var seen []string
		cursor := ""
		for pages := 0; ; pages++ {
			q := url.Values{"limit": {"2"}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			l, err := admin.ListParks(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if l.Total != 5 {
				t.Fatalf("total %d", l.Total)
			}
			for _, p := range l.Items {
				seen = append(seen, p.Name)
			}
			if l.NextCursor == nil {
				break
			}
			cursor = *l.NextCursor
			if pages > 5 {
				t.Fatal("paging does not end")
			}
		}
		if strings.Join(seen, ",") != strings.Join(names, ",") {
			t.Fatalf("pages gave %v", seen)
		}
		for q, want := range map[string]int{"安东": 2, "食品": 2, "五里": 2, "科技": 1, "P1": 1, "%": 0, "_": 0, "不存在": 0} {
			l, err := admin.ListParks(ctx, url.Values{"q": {q}})
			if err != nil || l.Total != want || len(l.Items) != want {
				t.Fatalf("q=%s: total %d items %d, want %d (%v)", q, l.Total, len(l.Items), want, err)
			}
		}
	})
}

func TestParkScope(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		wuli, andong := srv.Park("五里园", "wuli"), srv.Park("安东园", "andong")
		pa := srv.User("andong-admin", access.ParkAdmin, andong.ID)

		l, err := pa.ListParks(ctx, nil)
		if err != nil || l.Total != 1 || l.Items[0].ID != andong.ID {
			t.Fatalf("park admin lists %+v %v", l, err)
		}
		_, err = pa.GetPark(ctx, wuli.ID)
		testenv.WantStatus(t, err, 404)
		_, err = pa.UpdatePark(ctx, wuli.ID, map[string]string{"name": "x"}, 0)
		testenv.WantStatus(t, err, 404)
		testenv.WantStatus(t, pa.DeletePark(ctx, wuli.ID, 0), 403)
		if _, err := pa.UpdatePark(ctx, andong.ID, map[string]string{"name": "安东园（新）"}, 0); err != nil {
			t.Fatalf("park admin updating own park: %v", err)
		}
		testenv.WantStatus(t, pa.DeletePark(ctx, andong.ID, 0), 403)
		_, err = pa.CreatePark(ctx, map[string]string{"name": "新园", "code": "new"})
		testenv.WantStatus(t, err, 403)

		// A zone administrator of another zone sees none of this zone.
		other := srv.Zone("另一开发区")
		oz := srv.UserIn("oz-admin", other, access.ZoneAdmin, other)
		l, err = oz.ListParks(ctx, nil)
		if err != nil || l.Total != 0 {
			t.Fatalf("other zone admin sees %d parks (%v)", l.Total, err)
		}
		_, err = oz.GetPark(ctx, wuli.ID)
		testenv.WantStatus(t, err, 404)
		_, err = oz.UpdatePark(ctx, wuli.ID, map[string]string{"name": "x"}, 0)
		testenv.WantStatus(t, err, 404)
		testenv.WantStatus(t, oz.DeletePark(ctx, wuli.ID, 0), 404)
		_, err = oz.CreatePark(ctx, map[string]string{"zone_id": srv.ZoneID, "name": "x", "code": "x"})
		testenv.WantStatus(t, err, 422)
		created, err := oz.CreatePark(ctx, map[string]string{"name": "他园", "code": "wuli"})
		if err != nil || created.ZoneID != other {
			t.Fatalf("other zone admin creating in own zone (same code, other zone): %+v %v", created, err)
		}
		// A user with no grant at all sees nothing and may do nothing.
		nobody := srv.User("nobody", "", "")
		l, err = nobody.ListParks(ctx, nil)
		testenv.WantStatus(t, err, 403)
		_, err = nobody.CreatePark(ctx, map[string]string{"name": "x", "code": "x"})
		testenv.WantStatus(t, err, 403)
		if got, err := srv.Admin().GetPark(ctx, wuli.ID); err != nil || got.Version != 1 {
			t.Fatalf("out-of-scope writes changed the park: %+v %v", got, err)
		}
		if !strings.Contains(srv.Log.String(), `"msg":"access refused"`) {
			t.Fatal("refused access was not logged")
		}
	})
}

func TestConcurrentCreatesSameCode(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		admin := srv.Admin()
		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses := map[int]int{}
		for i := 0; i < 12; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, err := admin.CreatePark(ctx, map[string]string{"name": fmt.Sprintf("园%d", i), "code": "same"})
				mu.Lock()
				statuses[client.StatusOf(err)]++
				mu.Unlock()
			}(i)
		}
		wg.Wait()
		if statuses[0] != 1 || statuses[409] != 11 {
			t.Fatalf("statuses %v, want one success and 11 conflicts", statuses)
		}
		if n := srv.Count("parks"); n != 1 {
			t.Fatalf("%d parks", n)
		}
	})
}
