package workshopsapi_test

import (
	"context"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/testenv"
)

var ctx = context.Background()

// world: Andong park with 成达齿轮 (its branch, a member and a worker) and
// 恒毅机械 (its branch and a worker); Wuli park with 盼盼饮料 and its
// branch; another zone with an enterprise and a person.
type world struct {
	srv                          *testenv.Server
	admin                        *client.Client
	andong, wuli                 client.Park
	chengda, hengyi, panpan      string
	chengdaOrg, hengyiOrg, wuOrg string
	member, worker, hengyiWorker string // people: of 成达 (a party member of its branch, a worker), of 恒毅
	panpanWorker                 string
	otherZone, otherPerson       string
}

func newWorld(t *testing.T, dsn string) world {
	srv := testenv.Start(t, dsn)
	w := world{srv: srv, admin: srv.Admin(), andong: srv.Park("安东园", "andong"), wuli: srv.Park("五里园", "wuli")}
	w.chengda, w.hengyi = srv.Enterprise(w.andong.ID, "成达齿轮"), srv.Enterprise(w.andong.ID, "恒毅机械")
	w.panpan = srv.Enterprise(w.wuli.ID, "盼盼饮料")
	w.chengdaOrg = srv.Org(w.chengda, w.andong.ID, "成达齿轮党支部", "branch", w.chengda)
	w.hengyiOrg = srv.Org(w.hengyi, w.andong.ID, "恒毅机械党支部", "branch", w.hengyi)
	w.wuOrg = srv.Org(w.panpan, w.wuli.ID, "盼盼饮料党支部", "branch", w.panpan)
	w.member = srv.Person(srv.ZoneID, "陈明", w.chengda, w.chengdaOrg, "full")
	w.worker = srv.Person(srv.ZoneID, "林华", w.chengda, "", "")
	w.hengyiWorker = srv.Person(srv.ZoneID, "王强", w.hengyi, w.hengyiOrg, "full")
	w.panpanWorker = srv.Person(srv.ZoneID, "李娜", w.panpan, w.wuOrg, "full")
	w.otherZone = srv.Zone("另一开发区")
	w.otherPerson = srv.Person(w.otherZone, "他区人员", "", "", "")
	return w
}

// yuan turns yuan into fen.
func yuan(y int64) int64 { return y * 100 }

// The article's 成达齿轮 workshop: from about 5 million yuan a month to
// about 20 million within a year. Twelve months go in out of order, one
// PUT each with the workshop's version, and come back in month order,
// rising, to the fen.
func TestWorkshopOutputSeriesRoundTrip(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		ws, err := w.admin.CreateWorkshop(ctx, map[string]any{"enterprise_id": w.chengda, "org_id": w.chengdaOrg, "name": "成达齿轮红色车间",
			"member_ids": []string{w.worker, w.member, w.member}})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{w.member, w.worker}
		slices.Sort(want)
		if ws.EnterpriseName != "成达齿轮" || ws.OrgID == nil || *ws.OrgID != w.chengdaOrg || ws.MemberCount != 2 ||
			!slices.Equal(ws.MemberIDs, want) || len(ws.Outputs) != 0 || ws.Version != 1 || ws.ZoneID != w.srv.ZoneID {
			t.Fatalf("created %+v", ws)
		}
		var series []client.WorkshopOutput
		for i := int64(0); i < 12; i++ {
			month := time.Date(2021, time.November+time.Month(i), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
			series = append(series, client.WorkshopOutput{Month: month, OutputFen: yuan(5_000_000 + i*15_000_000/11)})
		}
		version := ws.Version
		for _, i := range rand.New(rand.NewPCG(1, 2)).Perm(12) {
			got, err := w.admin.SetWorkshopOutput(ctx, ws.ID, series[i].Month, map[string]int64{"output_fen": series[i].OutputFen}, version)
			if err != nil || got.Version != version+1 {
				t.Fatalf("setting %s: %+v %v", series[i].Month, got, err)
			}
			version = got.Version
		}
		got, err := w.admin.GetWorkshop(ctx, ws.ID)
		if err != nil || !slices.Equal(got.Outputs, series) || got.Version != 13 {
			t.Fatalf("series came back as %+v (%v), want %+v", got.Outputs, err, series)
		}
		if got.Outputs[0].OutputFen != 500_000_000 || got.Outputs[11].OutputFen != 2_000_000_000 {
			t.Fatalf("ends %d, %d", got.Outputs[0].OutputFen, got.Outputs[11].OutputFen)
		}
		for i := 1; i < 12; i++ {
			if got.Outputs[i].OutputFen <= got.Outputs[i-1].OutputFen {
				t.Fatalf("not rising at %s", got.Outputs[i].Month)
			}
		}
		// The list carries the series too.
		l, err := w.admin.ListWorkshops(ctx, url.Values{"enterprise_id": {w.chengda}})
		if err != nil || l.Total != 1 || !slices.Equal(l.Items[0].Outputs, series) {
			t.Fatalf("list %+v %v", l, err)
		}
		// Correcting a month replaces it; the same value again changes nothing.
		fixed, err := w.admin.SetWorkshopOutput(ctx, ws.ID, "2022-03", map[string]int64{"output_fen": yuan(11_000_000)}, 13)
		if err != nil || fixed.Version != 14 || fixed.Outputs[4].OutputFen != yuan(11_000_000) || len(fixed.Outputs) != 12 {
			t.Fatalf("correcting %+v %v", fixed, err)
		}
		same, err := w.admin.SetWorkshopOutput(ctx, ws.ID, "2022-03", map[string]int64{"output_fen": yuan(11_000_000)}, 14)
		if err != nil || same.Version != 14 {
			t.Fatalf("same value: %+v %v", same, err)
		}
		_, err = w.admin.SetWorkshopOutput(ctx, ws.ID, "2022-04", map[string]int64{"output_fen": 1}, 13)
		testenv.WantStatus(t, err, 412)
		testenv.WantStatus(t, w.admin.DeleteWorkshopOutput(ctx, ws.ID, "2022-03", 13), 412)
		status, hdr, _ := testenv.Raw(t, w.admin, "DELETE", "/api/v1/workshops/"+ws.ID+"/outputs/2022-03", "", map[string]string{"If-Match": `"14"`})
		if status != 204 || hdr.Get("ETag") != `"15"` {
			t.Fatalf("deleting a month: %d ETag %q", status, hdr.Get("ETag"))
		}
		testenv.WantStatus(t, w.admin.DeleteWorkshopOutput(ctx, ws.ID, "2022-03", 15), 404)
		if n := w.srv.Count("workshop_outputs", "workshop_id = $1", ws.ID); n != 11 {
			t.Fatalf("%d outputs stored", n)
		}
		// This month is allowed (not the future).
		thisMonth := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01")
		if _, err := w.admin.SetWorkshopOutput(ctx, ws.ID, thisMonth, map[string]int64{"output_fen": 0}, 15); err != nil {
			t.Fatalf("this month: %v", err)
		}
		for _, action := range []string{"create", "set_output", "delete_output"} {
			if w.srv.Count("audit_log", "entity = 'workshop' AND entity_id = $1 AND action = $2", ws.ID, action) == 0 {
				t.Fatalf("no %s audit entry", action)
			}
		}
	})
}

func TestWorkshopCRUD(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		ws, err := w.admin.CreateWorkshop(ctx, map[string]any{"enterprise_id": w.chengda, "name": "成达齿轮红色车间", "member_ids": []string{w.member}})
		if err != nil || ws.OrgID != nil {
			t.Fatalf("create %+v %v", ws, err)
		}
		other, err := w.admin.CreateWorkshop(ctx, map[string]any{"enterprise_id": w.panpan, "org_id": w.wuOrg, "name": "盼盼饮料灌装红色车间"})
		if err != nil {
			t.Fatal(err)
		}
		_, hdr, _ := testenv.Raw(t, w.admin, "GET", "/api/v1/workshops/"+ws.ID, "", nil)
		if hdr.Get("ETag") != `"1"` {
			t.Fatalf("ETag %q", hdr.Get("ETag"))
		}
		up, err := w.admin.UpdateWorkshop(ctx, ws.ID, map[string]any{"name": "成达齿轮精工红色车间", "org_id": w.chengdaOrg,
			"member_ids": []string{w.worker}}, 1)
		if err != nil || up.Version != 2 || up.OrgID == nil || !slices.Equal(up.MemberIDs, []string{w.worker}) || up.MemberCount != 1 {
			t.Fatalf("update %+v %v", up, err)
		}
		up, err = w.admin.UpdateWorkshop(ctx, ws.ID, map[string]any{"org_id": nil, "member_ids": []string{}}, 2)
		if err != nil || up.Version != 3 || up.OrgID != nil || len(up.MemberIDs) != 0 {
			t.Fatalf("clearing %+v %v", up, err)
		}
		up, err = w.admin.UpdateWorkshop(ctx, ws.ID, map[string]any{"org_id": w.chengdaOrg}, 3)
		if err != nil || up.Version != 4 {
			t.Fatal(err)
		}
		_, err = w.admin.UpdateWorkshop(ctx, ws.ID, map[string]any{"name": "x"}, 3)
		testenv.WantStatus(t, err, 412)
		for q, ids := range map[string][]string{
			"park_id=" + w.andong.ID:     {ws.ID},
			"park_id=" + w.wuli.ID:       {other.ID},
			"org_id=" + w.chengdaOrg:     {ws.ID},
			"enterprise_id=" + w.panpan:  {other.ID},
			"q=" + url.QueryEscape("齿轮"): {ws.ID},
			"q=cdcl":                     {ws.ID},
			"q=chengda":                  {ws.ID},
			"q=" + url.QueryEscape("红色"): {ws.ID, other.ID},
			"q=hscj":                     {ws.ID, other.ID},
			"q=" + url.QueryEscape("纺织"): {},
		} {
			vals, _ := url.ParseQuery(q)
			l, err := w.admin.ListWorkshops(ctx, vals)
			if err != nil || l.Total != len(ids) || !sameIDs(l.Items, ids) {
				t.Fatalf("%s: %d (%v), want %v", q, l.Total, err, ids)
			}
		}
		if _, err := w.admin.SetWorkshopOutput(ctx, ws.ID, "2022-01", map[string]int64{"output_fen": 1}, 4); err != nil {
			t.Fatal(err)
		}
		testenv.WantStatus(t, w.admin.DeleteWorkshop(ctx, ws.ID, 4), 412)
		if err := w.admin.DeleteWorkshop(ctx, ws.ID, 5); err != nil {
			t.Fatal(err)
		}
		_, err = w.admin.GetWorkshop(ctx, ws.ID)
		testenv.WantStatus(t, err, 404)
		if w.srv.Count("workshop_members", "workshop_id = $1", ws.ID)+w.srv.Count("workshop_outputs", "workshop_id = $1", ws.ID) != 0 ||
			w.srv.Count("people") != 5 {
			t.Fatal("delete left members or outputs, or took people")
		}
		if w.srv.Count("audit_log", "entity = 'workshop' AND entity_id = $1 AND action = 'delete'", ws.ID) != 1 {
			t.Fatal("delete not audited")
		}
	})
}

func sameIDs(items []client.Workshop, ids []string) bool {
	var got []string
	for _, x := range items {
		got = append(got, x.ID)
	}
	slices.Sort(got)
	want := slices.Clone(ids)
	slices.Sort(want)
	return slices.Equal(got, want)
}

func TestWorkshopBadInputChangesNothing(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		ws, err := w.admin.CreateWorkshop(ctx, map[string]any{"enterprise_id": w.chengda, "org_id": w.chengdaOrg, "name": "成达齿轮红色车间",
			"member_ids": []string{w.member}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.admin.SetWorkshopOutput(ctx, ws.ID, "2022-01", map[string]int64{"output_fen": yuan(5_000_000)}, 1); err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/workshops/" + ws.ID
		out := path + "/outputs/"
		next := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 1, 0).Format("2006-01")
		ent := `"enterprise_id":"` + w.chengda + `",`
		counts := func() [4]int {
			return [4]int{w.srv.Count("workshops"), w.srv.Count("workshop_members"), w.srv.Count("workshop_outputs"), w.srv.Count("audit_log")}
		}
		before := counts()
		cases := []struct {
			name, method, path, body string
			status                   int
			field, code              string
		}{
			{"missing enterprise", "POST", "/api/v1/workshops", `{"name":"车间"}`, 422, "enterprise_id", "required"},
			{"unknown enterprise", "POST", "/api/v1/workshops", `{"enterprise_id":"nope","name":"车间"}`, 422, "enterprise_id", "unknown_value"},
			{"park as enterprise", "POST", "/api/v1/workshops", `{"enterprise_id":"` + w.andong.ID + `","name":"车间"}`, 422, "enterprise_id", "unknown_value"},
			{"missing name", "POST", "/api/v1/workshops", `{` + ent + `"name":""}`, 422, "name", "required"},
			{"long name", "POST", "/api/v1/workshops", `{` + ent + `"name":"` + strings.Repeat("车", 101) + `"}`, 422, "name", "too_long"},
			{"unknown org", "POST", "/api/v1/workshops", `{` + ent + `"org_id":"nope","name":"车间"}`, 422, "org_id", "unknown_value"},
			{"org of another park", "POST", "/api/v1/workshops", `{` + ent + `"org_id":"` + w.wuOrg + `","name":"车间"}`, 422, "org_id", "unrelated_org"},
			{"enterprise as org", "POST", "/api/v1/workshops", `{` + ent + `"org_id":"` + w.chengda + `","name":"车间"}`, 422, "org_id", "unknown_value"},
			{"member of another enterprise", "POST", "/api/v1/workshops", `{` + ent + `"name":"车间","member_ids":["` + w.member + `","` + w.hengyiWorker + `"]}`, 422, "member_ids", "not_of_enterprise"},
			{"member of another zone", "POST", "/api/v1/workshops", `{` + ent + `"name":"车间","member_ids":["` + w.otherPerson + `"]}`, 422, "member_ids", "unknown_value"},
			{"unknown member", "POST", "/api/v1/workshops", `{` + ent + `"name":"车间","member_ids":["nope"]}`, 422, "member_ids", "unknown_value"},
			{"member id not text", "POST", "/api/v1/workshops", `{` + ent + `"name":"车间","member_ids":[1]}`, 400, "member_ids.0", "wrong_type"},
			{"outputs in create", "POST", "/api/v1/workshops", `{` + ent + `"name":"车间","outputs":[]}`, 400, "outputs", "unknown_field"},
			{"patch enterprise", "PATCH", path, `{"enterprise_id":"` + w.hengyi + `"}`, 400, "enterprise_id", "unknown_field"},
			{"patch outputs", "PATCH", path, `{"outputs":[{"month":"2022-02","output_fen":1}]}`, 400, "outputs", "unknown_field"},
			{"patch org of another park", "PATCH", path, `{"org_id":"` + w.wuOrg + `"}`, 422, "org_id", "unrelated_org"},
			{"patch unknown org", "PATCH", path, `{"org_id":"nope"}`, 422, "org_id", "unknown_value"},
			{"patch member of another enterprise", "PATCH", path, `{"member_ids":["` + w.panpanWorker + `"]}`, 422, "member_ids", "not_of_enterprise"},
			{"patch empty name", "PATCH", path, `{"name":" "}`, 422, "name", "required"},
			{"month 13", "PUT", out + "2022-13", `{"output_fen":1}`, 422, "month", "invalid_format"},
			{"month 00", "PUT", out + "2022-00", `{"output_fen":1}`, 422, "month", "invalid_format"},
			{"month one digit", "PUT", out + "2022-1", `{"output_fen":1}`, 422, "month", "invalid_format"},
			{"month without dash", "PUT", out + "202201", `{"output_fen":1}`, 422, "month", "invalid_format"},
			{"a date, not a month", "PUT", out + "2022-01-05", `{"output_fen":1}`, 422, "month", "invalid_format"},
			{"month in letters", "PUT", out + "abcd-ef", `{"output_fen":1}`, 422, "month", "invalid_format"},
			{"next month", "PUT", out + next, `{"output_fen":1}`, 422, "month", "future_month"},
			{"far future", "PUT", out + "2999-01", `{"output_fen":1}`, 422, "month", "future_month"},
			{"negative output", "PUT", out + "2022-02", `{"output_fen":-1}`, 422, "output_fen", "out_of_range"},
			{"output over the limit", "PUT", out + "2022-02", `{"output_fen":10000000000001}`, 422, "output_fen", "out_of_range"},
			{"missing output", "PUT", out + "2022-02", `{}`, 422, "output_fen", "required"},
			{"null output", "PUT", out + "2022-02", `{"output_fen":null}`, 422, "output_fen", "required"},
			{"fractional fen", "PUT", out + "2022-02", `{"output_fen":1.5}`, 400, "output_fen", "wrong_type"},
			{"output as text", "PUT", out + "2022-02", `{"output_fen":"100"}`, 400, "output_fen", "wrong_type"},
			{"yuan instead of fen", "PUT", out + "2022-02", `{"output_yuan":100}`, 400, "output_yuan", "unknown_field"},
			{"delete a malformed month", "DELETE", out + "2022-1", ``, 422, "month", "invalid_format"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				status, _, body := testenv.Raw(t, w.admin, tc.method, tc.path, tc.body, map[string]string{"Content-Type": "application/json"})
				if status != tc.status || !strings.Contains(body, `"field":"`+tc.field+`","code":"`+tc.code+`"`) {
					t.Fatalf("status %d, want %d %s/%s: %s", status, tc.status, tc.field, tc.code, body)
				}
			})
		}
		if got := counts(); got != before {
			t.Fatalf("bad input changed rows: %v → %v", before, got)
		}
		if got, err := w.admin.GetWorkshop(ctx, ws.ID); err != nil || got.Version != 2 || len(got.Outputs) != 1 || got.MemberCount != 1 {
			t.Fatalf("bad input changed the workshop: %+v %v", got, err)
		}
		// The largest value is accepted, and zero.
		for _, fen := range []int64{10_000_000_000_000, 0} {
			if _, err := w.admin.SetWorkshopOutput(ctx, ws.ID, "2022-02", map[string]int64{"output_fen": fen}, 0); err != nil {
				t.Fatalf("%d fen: %v", fen, err)
			}
		}
	})
}

func TestWorkshopScope(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		ws, err := w.admin.CreateWorkshop(ctx, map[string]any{"enterprise_id": w.chengda, "org_id": w.chengdaOrg, "name": "成达齿轮红色车间",
			"member_ids": []string{w.member, w.worker}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.admin.SetWorkshopOutput(ctx, ws.ID, "2022-01", map[string]int64{"output_fen": 1}, 1); err != nil {
			t.Fatal(err)
		}
		untouched := func(t *testing.T) {
			t.Helper()
			if got, err := w.admin.GetWorkshop(ctx, ws.ID); err != nil || got.Version != 2 || len(got.Outputs) != 1 {
				t.Fatalf("out-of-scope writes changed the workshop: %+v %v", got, err)
			}
		}
		invisible := func(t *testing.T, c *client.Client, who string) {
			t.Helper()
			for _, q := range []string{"", "齿轮", "cdcl"} {
				l, err := c.ListWorkshops(ctx, url.Values{"q": {q}})
				if err != nil || slices.ContainsFunc(l.Items, func(x client.Workshop) bool { return x.ID == ws.ID }) {
					t.Fatalf("%s lists it (q=%q): %v", who, q, err)
				}
			}
			_, err := c.GetWorkshop(ctx, ws.ID)
			testenv.WantStatus(t, err, 404)
			_, err = c.UpdateWorkshop(ctx, ws.ID, map[string]any{"name": "x"}, 0)
			testenv.WantStatus(t, err, 404)
			_, err = c.SetWorkshopOutput(ctx, ws.ID, "2022-02", map[string]int64{"output_fen": 9}, 0)
			testenv.WantStatus(t, err, 404)
			testenv.WantStatus(t, c.DeleteWorkshopOutput(ctx, ws.ID, "2022-01", 0), 404)
			testenv.WantStatus(t, c.DeleteWorkshop(ctx, ws.ID, 0), 404)
			untouched(t)
		}

		wa := w.srv.User("wuli-admin", access.ParkAdmin, w.wuli.ID)
		invisible(t, wa, "another park's admin")
		_, err = wa.CreateWorkshop(ctx, map[string]any{"enterprise_id": w.chengda, "name": "越界车间"})
		testenv.WantStatus(t, err, 422)
		_, err = wa.CreateWorkshop(ctx, map[string]any{"enterprise_id": w.panpan, "name": "越界车间", "member_ids": []string{w.member}})
		testenv.WantStatus(t, err, 422)
		if p := testenv.Problem(err); len(p.Errors) != 1 || p.Errors[0].Code != "unknown_value" {
			t.Fatalf("another park's person: %+v", p)
		}

		ws2 := w.srv.User("wuli-secretary", access.OrgSecretary, w.wuOrg)
		invisible(t, ws2, "a secretary of another branch")
		_, err = ws2.CreateWorkshop(ctx, map[string]any{"enterprise_id": w.chengda, "org_id": w.wuOrg, "name": "越界车间"})
		testenv.WantStatus(t, err, 422)

		oz := w.srv.UserIn("oz-admin", w.otherZone, access.ZoneAdmin, w.otherZone)
		invisible(t, oz, "another zone's admin")
		_, err = oz.CreateWorkshop(ctx, map[string]any{"enterprise_id": w.chengda, "name": "越界车间"})
		testenv.WantStatus(t, err, 422)

		// Readers without the right to manage get 403 on writes.
		reader := w.srv.User("andong-member", access.Member, w.andong.ID)
		if _, err := reader.GetWorkshop(ctx, ws.ID); err != nil {
			t.Fatal(err)
		}
		_, err = reader.SetWorkshopOutput(ctx, ws.ID, "2022-02", map[string]int64{"output_fen": 9}, 0)
		testenv.WantStatus(t, err, 403)
		_, err = reader.UpdateWorkshop(ctx, ws.ID, map[string]any{"name": "x"}, 0)
		testenv.WantStatus(t, err, 403)
		untouched(t)

		// The branch's secretary manages their workshop: output, members
		// they can see (their party members), and a new workshop of the
		// enterprise their branch covers.
		sec := w.srv.User("chengda-secretary", access.OrgSecretary, w.chengdaOrg)
		got, err := sec.SetWorkshopOutput(ctx, ws.ID, "2022-02", map[string]int64{"output_fen": yuan(6_000_000)}, 2)
		if err != nil || got.Version != 3 {
			t.Fatalf("secretary recording output: %+v %v", got, err)
		}
		// The worker (no party member) is out of the secretary's sight but stays a member.
		got, err = sec.UpdateWorkshop(ctx, ws.ID, map[string]any{"name": "成达齿轮精工车间", "member_ids": []string{w.member, w.worker}}, 3)
		if err != nil || got.MemberCount != 2 {
			t.Fatalf("secretary keeping members: %+v %v", got, err)
		}
		mine, err := sec.CreateWorkshop(ctx, map[string]any{"enterprise_id": w.chengda, "org_id": w.chengdaOrg, "name": "成达齿轮二车间",
			"member_ids": []string{w.member}})
		if err != nil {
			t.Fatalf("secretary creating: %v", err)
		}
		_, err = sec.CreateWorkshop(ctx, map[string]any{"enterprise_id": w.chengda, "org_id": w.chengdaOrg, "name": "成达齿轮三车间",
			"member_ids": []string{w.worker}})
		testenv.WantStatus(t, err, 422)
		_, err = sec.CreateWorkshop(ctx, map[string]any{"enterprise_id": w.chengda, "name": "无支部车间"})
		testenv.WantStatus(t, err, 422)
		if p := testenv.Problem(err); len(p.Errors) != 1 || p.Errors[0].Field != "enterprise_id" {
			t.Fatalf("a secretary without their branch: %+v", p)
		}
		if err := sec.DeleteWorkshop(ctx, mine.ID, 1); err != nil {
			t.Fatal(err)
		}
		l, err := sec.ListWorkshops(ctx, nil)
		if err != nil || l.Total != 1 || l.Items[0].ID != ws.ID {
			t.Fatalf("secretary lists %+v %v", l, err)
		}
		// An administrator of the enterprise's park manages.
		pa := w.srv.User("andong-admin", access.ParkAdmin, w.andong.ID)
		if _, err := pa.SetWorkshopOutput(ctx, ws.ID, "2022-03", map[string]int64{"output_fen": yuan(7_000_000)}, 0); err != nil {
			t.Fatal(err)
		}
	})
}
