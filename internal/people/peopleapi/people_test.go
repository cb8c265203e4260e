package peopleapi_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"tongxin/internal/access"
	"tongxin/internal/client"
	"tongxin/internal/ident"
	"tongxin/internal/testenv"
)

var ctx = context.Background()

// The canonical example of GB 11643 (a woman born 1949-12-31).
const womanID = "11010519491231002X"

var rnd = rand.New(rand.NewPCG(3, 5))

// manID returns a fresh valid ID number of a man born in 1990.
func manID() string {
	return ident.NewIDNumber(rnd, "350582", time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC), true)
}

// world is a zone with two parks, an enterprise and a branch in each.
type world struct {
	srv              *testenv.Server
	wuli, andong     client.Park
	entW, entA       string // enterprises of 五里园 and 安东园
	branchW, branchA string // branches of each park, covering its enterprise
	subBranchW       string // a branch under branchW
}

func newWorld(t *testing.T, dsn string) *world {
	srv := testenv.Start(t, dsn)
	w := &world{srv: srv, wuli: srv.Park("五里园", "wuli"), andong: srv.Park("安东园", "andong")}
	w.entW = srv.Enterprise(w.wuli.ID, "恒毅机械")
	w.entA = srv.Enterprise(w.andong.ID, "盼盼饮料")
	w.branchW = srv.Org(w.wuli.ID, w.wuli.ID, "恒毅机械党支部", "branch", w.entW)
	w.branchA = srv.Org(w.andong.ID, w.andong.ID, "盼盼饮料党支部", "branch", w.entA)
	w.subBranchW = srv.Org(w.branchW, w.wuli.ID, "恒毅机械第二党支部", "branch")
	return w
}

func member(org, status, joined string) map[string]string {
	return map[string]string{"org_id": org, "status": status, "joined_on": joined}
}

func TestPeopleCRUD(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		admin := w.srv.Admin()
		p, err := admin.CreatePerson(ctx, map[string]any{"name": " 林晓红 ", "phone": "+86 138-0013-8000", "id_number": strings.ToLower(womanID),
			"enterprise_id": w.entW, "party": member(w.branchW, "full", "2015-07-01"), "tags": []string{"志愿者", "调解员"}})
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != "林晓红" || p.Gender != "female" || p.ZoneID != w.srv.ZoneID || p.Version != 1 ||
			p.EnterpriseID == nil || *p.EnterpriseID != w.entW || p.EnterpriseName != "恒毅机械" || p.OrgName != "恒毅机械党支部" ||
			p.Party == nil || p.Party.Status != "full" || p.Party.OrgID != w.branchW || p.Party.JoinedOn != "2015-07-01" ||
			strings.Join(p.Tags, ",") != "志愿者,调解员" {
			t.Fatalf("created %+v %+v", p, p.Party)
		}
		if p.Phone != "138****8000" || p.IDNumber != "1101**********002X" {
			t.Fatalf("not masked: %q %q", p.Phone, p.IDNumber)
		}
		_, hdr, _ := testenv.Raw(t, admin, "GET", "/api/v1/people/"+p.ID, "", nil)
		if hdr.Get("ETag") != `"1"` {
			t.Fatalf("ETag %q", hdr.Get("ETag"))
		}
		up, err := admin.UpdatePerson(ctx, p.ID, map[string]any{"name": "林晓虹", "party": member(w.branchW, "full", "2016-07-01"),
			"tags": []string{"志愿者"}}, 1)
		if err != nil || up.Version != 2 || up.Name != "林晓虹" || up.Party.JoinedOn != "2016-07-01" || len(up.Tags) != 1 ||
			up.Phone != "138****8000" || up.Gender != "female" {
			t.Fatalf("update: %+v %v", up, err)
		}
		if n := w.srv.Count("person_tags", "person_id = $1", p.ID); n != 1 {
			t.Fatalf("%d tags stored", n)
		}
		_, err = admin.UpdatePerson(ctx, p.ID, map[string]any{"name": "stale"}, 1)
		testenv.WantStatus(t, err, 412)
		// A PATCH changing nothing is no new version.
		same, err := admin.UpdatePerson(ctx, p.ID, map[string]any{"name": "林晓虹"}, 2)
		if err != nil || same.Version != 2 {
			t.Fatalf("no-op update: %+v %v", same, err)
		}
		// Clearing: phone, enterprise; null party ends the membership.
		cl, err := admin.UpdatePerson(ctx, p.ID, map[string]any{"phone": "", "enterprise_id": "", "party": nil}, 2)
		if err != nil || cl.Phone != "" || cl.EnterpriseID != nil || cl.Party != nil || cl.Version != 3 {
			t.Fatalf("clearing: %+v %v", cl, err)
		}
		var raw struct{ idx any }
		if err := w.srv.DB.R.QueryRow(`SELECT phone_index FROM people WHERE id = $1`, p.ID).Scan(&raw.idx); err != nil || raw.idx != nil {
			t.Fatalf("phone index after clearing: %v %v", raw.idx, err)
		}
		testenv.WantStatus(t, admin.DeletePerson(ctx, p.ID, 2), 412)
		if err := admin.DeletePerson(ctx, p.ID, 3); err != nil {
			t.Fatal(err)
		}
		_, err = admin.GetPerson(ctx, p.ID, false)
		testenv.WantStatus(t, err, 404)
		if w.srv.Count("person_tags", "person_id = $1", p.ID) != 0 {
			t.Fatal("tags outlived the person")
		}
		for _, action := range []string{"create", "update", "delete"} {
			if w.srv.Count("audit_log", "entity = 'person' AND entity_id = $1 AND action = $2", p.ID, action) == 0 {
				t.Fatalf("no audit entry for %s", action)
			}
		}
	})
}

// A person shows their enterprise's and organisation's current names: a
// rename shows at once on the person, in a get and in a list, and so does
// a move to another enterprise or organisation, or leaving one. (The names
// are columns of the row, kept by triggers, migration 0210.)
func TestPersonShowsCurrentNames(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		admin := w.srv.Admin()
		p, err := admin.CreatePerson(ctx, map[string]any{"name": "赵敏", "enterprise_id": w.entW, "party": member(w.branchW, "full", "2015-07-01")})
		if err != nil {
			t.Fatal(err)
		}
		other, err := admin.CreatePerson(ctx, map[string]any{"name": "钱进", "enterprise_id": w.entA})
		if err != nil {
			t.Fatal(err)
		}
		shows := func(step, enterprise, org string) {
			t.Helper()
			got, err := admin.GetPerson(ctx, p.ID, false)
			if err != nil {
				t.Fatal(err)
			}
			if got.EnterpriseName != enterprise || got.OrgName != org {
				t.Errorf("%s: get shows %q / %q, want %q / %q", step, got.EnterpriseName, got.OrgName, enterprise, org)
			}
			list, err := admin.ListPeople(ctx, url.Values{"q": {"赵敏"}})
			if err != nil || len(list.Items) != 1 {
				t.Fatalf("%s: list %+v %v", step, list.Items, err)
			}
			if l := list.Items[0]; l.EnterpriseName != enterprise || l.OrgName != org {
				t.Errorf("%s: list shows %q / %q, want %q / %q", step, l.EnterpriseName, l.OrgName, enterprise, org)
			}
		}
		shows("created", "恒毅机械", "恒毅机械党支部")

		ent, err := admin.GetEnterprise(ctx, w.entW)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.UpdateEnterprise(ctx, w.entW, map[string]any{"name": "恒毅重工"}, ent.Version); err != nil {
			t.Fatal(err)
		}
		shows("enterprise renamed", "恒毅重工", "恒毅机械党支部")

		org, err := admin.GetOrg(ctx, w.branchW)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.UpdateOrg(ctx, w.branchW, map[string]any{"name": "恒毅重工党支部"}, org.Version); err != nil {
			t.Fatal(err)
		}
		shows("organisation renamed", "恒毅重工", "恒毅重工党支部")

		if _, err := admin.TransferPerson(ctx, p.ID, map[string]any{"to_org_id": w.branchA, "on_date": "2024-04-01"}); err != nil {
			t.Fatal(err)
		}
		shows("transferred", "恒毅重工", "盼盼饮料党支部")
		cur, err := admin.GetPerson(ctx, p.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.UpdatePerson(ctx, p.ID, map[string]any{"enterprise_id": w.entA}, cur.Version); err != nil {
			t.Fatal(err)
		}
		shows("moved", "盼盼饮料", "盼盼饮料党支部")

		if _, err := admin.UpdatePerson(ctx, p.ID, map[string]any{"enterprise_id": "", "party": nil}, cur.Version+1); err != nil {
			t.Fatal(err)
		}
		shows("left both", "", "")

		// Nobody else's name moved with them.
		if got, err := admin.GetPerson(ctx, other.ID, false); err != nil || got.EnterpriseName != "盼盼饮料" {
			t.Errorf("the other person: %q %v", got.EnterpriseName, err)
		}
		// And over the whole database, every row agrees with its names.
		if n := w.srv.Count("people", `enterprise_name <> COALESCE((SELECT e.name FROM enterprises e WHERE e.id = people.enterprise_id), '')
			OR org_name <> COALESCE((SELECT o.name FROM orgs o WHERE o.id = people.org_id), '')`); n != 0 {
			t.Errorf("%d people whose names disagree with their enterprise's or organisation's", n)
		}
	})
}

// A person's tags are read from their row (migration 0230), kept from
// person_tags by triggers: set, replaced, cleared through the API, and
// written straight into person_tags as the generator's bulk load does.
func TestPersonShowsCurrentTags(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		admin := w.srv.Admin()
		p, err := admin.CreatePerson(ctx, map[string]any{"name": "孙丽", "enterprise_id": w.entW, "tags": []string{"调解员", "志愿者"}})
		if err != nil {
			t.Fatal(err)
		}
		other, err := admin.CreatePerson(ctx, map[string]any{"name": "周强", "enterprise_id": w.entW, "tags": []string{"志愿者"}})
		if err != nil {
			t.Fatal(err)
		}
		shows := func(step string, want ...string) {
			t.Helper()
			got, err := admin.GetPerson(ctx, p.ID, false)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got.Tags, ",") != strings.Join(want, ",") {
				t.Errorf("%s: get shows %q, want %q", step, got.Tags, want)
			}
			list, err := admin.ListPeople(ctx, url.Values{"enterprise_id": {w.entW}})
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range list.Items {
				if l.ID == p.ID && strings.Join(l.Tags, ",") != strings.Join(want, ",") {
					t.Errorf("%s: list shows %q, want %q", step, l.Tags, want)
				}
			}
		}
		shows("created", "志愿者", "调解员")

		if _, err := admin.UpdatePerson(ctx, p.ID, map[string]any{"tags": []string{"网格员", "调解员"}}, 1); err != nil {
			t.Fatal(err)
		}
		shows("replaced", "网格员", "调解员")

		if _, err := w.srv.DB.W.Exec(`INSERT INTO person_tags (person_id, zone_id, tag) VALUES ($1, $2, $3)`, p.ID, w.srv.ZoneID, "楼栋长"); err != nil {
			t.Fatal(err)
		}
		shows("inserted into person_tags", "楼栋长", "网格员", "调解员")
		if _, err := w.srv.DB.W.Exec(`UPDATE person_tags SET tag = $1 WHERE person_id = $2 AND tag = $3`, "志愿者", p.ID, "楼栋长"); err != nil {
			t.Fatal(err)
		}
		shows("updated in person_tags", "志愿者", "网格员", "调解员")
		if _, err := w.srv.DB.W.Exec(`DELETE FROM person_tags WHERE person_id = $1 AND tag = $2`, p.ID, "网格员"); err != nil {
			t.Fatal(err)
		}
		shows("deleted from person_tags", "志愿者", "调解员")

		if _, err := admin.UpdatePerson(ctx, p.ID, map[string]any{"tags": []string{}}, 2); err != nil {
			t.Fatal(err)
		}
		shows("cleared")
		// The tag filter still reads person_tags.
		if list, err := admin.ListPeople(ctx, url.Values{"tag": {"志愿者"}}); err != nil || len(list.Items) != 1 || list.Items[0].ID != other.ID {
			t.Errorf("tag filter: %+v %v", list.Items, err)
		}
		// Nobody else's tags moved, and every row agrees with person_tags.
		if got, err := admin.GetPerson(ctx, other.ID, false); err != nil || strings.Join(got.Tags, ",") != "志愿者" {
			t.Errorf("the other person: %q %v", got.Tags, err)
		}
		if n := w.srv.Count("people", `tags <> COALESCE((SELECT string_agg(t.tag, $1 ORDER BY t.tag) FROM person_tags t WHERE t.person_id = people.id), '')`, "\x1f"); n != 0 {
			t.Errorf("%d people whose tags disagree with person_tags", n)
		}
	})
}

// Personal data is stored only sealed: no column of the row holds the
// phone or the ID number (nor their digits' tell-tale runs), the sealed
// values name the key, and the audit log never holds them either.
func TestPersonalDataAtRest(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		admin := w.srv.Admin()
		id := manID()
		p, err := admin.CreatePerson(ctx, map[string]any{"name": "陈建国", "phone": "13912345678", "id_number": id, "enterprise_id": w.entW})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.UpdatePerson(ctx, p.ID, map[string]any{"phone": "13787654321"}, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := admin.GetPerson(ctx, p.ID, true); err != nil {
			t.Fatal(err)
		}
		secrets := []string{"13912345678", "13787654321", id, id[6:14] + id[14:]}
		for _, table := range []string{"people", "audit_log", "party_transfers", "person_tags"} {
			rows, err := w.srv.DB.R.Query("SELECT * FROM " + table)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				for i, v := range vals {
					s := fmt.Sprint(v)
					if b, ok := v.([]byte); ok {
						s = string(b)
					}
					for _, secret := range secrets {
						if strings.Contains(s, secret) {
							t.Fatalf("%s.%s holds %s in clear: %s", table, cols[i], secret, s)
						}
					}
				}
			}
			rows.Close()
		}
		var phoneSealed, idSealed, phoneIndex, idIndex string
		if err := w.srv.DB.R.QueryRow(`SELECT phone_sealed, id_sealed, phone_index, id_index FROM people WHERE id = $1`, p.ID).
			Scan(&phoneSealed, &idSealed, &phoneIndex, &idIndex); err != nil {
			t.Fatal(err)
		}
		keyID := w.srv.App.Keys.KeyID()
		if !strings.HasPrefix(phoneSealed, keyID+".") || !strings.HasPrefix(idSealed, keyID+".") {
			t.Fatalf("sealed values do not name the key %s: %s %s", keyID, phoneSealed, idSealed)
		}
		if got, err := w.srv.App.Keys.Open(phoneSealed); err != nil || got != "13787654321" {
			t.Fatalf("sealed phone opens to %q %v", got, err)
		}
		if phoneIndex != w.srv.App.Keys.Index("phone", "13787654321") || idIndex != w.srv.App.Keys.Index("id_number", id) {
			t.Fatal("blind indexes are not of the normalised values")
		}
	})
}

func TestRevealIsAllowedForSomeAndAudited(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		admin := w.srv.Admin()
		mem, err := admin.CreatePerson(ctx, map[string]any{"name": "王志强", "phone": "13800001111", "id_number": womanID, "gender": "",
			"enterprise_id": w.entW, "party": member(w.branchW, "full", "2010-01-01")})
		if err != nil {
			t.Fatal(err)
		}
		worker, err := admin.CreatePerson(ctx, map[string]any{"name": "李工人", "phone": "13800002222", "enterprise_id": w.entW})
		if err != nil {
			t.Fatal(err)
		}
		audits := func() int { return w.srv.Count("audit_log", "action = 'reveal'") }

		got, err := admin.GetPerson(ctx, mem.ID, true)
		if err != nil || got.Phone != "13800001111" || got.IDNumber != womanID {
			t.Fatalf("zone admin reveal: %+v %v", got, err)
		}
		if audits() != 1 {
			t.Fatalf("%d reveal entries", audits())
		}
		var summary string
		if err := w.srv.DB.R.QueryRow(`SELECT summary FROM audit_log WHERE action = 'reveal' AND entity_id = $1`, mem.ID).Scan(&summary); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(summary, `"phone"`) || !strings.Contains(summary, `"id_number"`) || strings.Contains(summary, "13800001111") {
			t.Fatalf("reveal summary %s", summary)
		}
		// Plain reads are masked and not audited.
		if got, _ := admin.GetPerson(ctx, mem.ID, false); got.Phone != "138****1111" || audits() != 1 {
			t.Fatalf("plain read: %q, %d entries", got.Phone, audits())
		}

		// The branch secretary reveals their member, not the non-member
		// worker (whom they cannot even see).
		sec := w.srv.User("sec-w", access.OrgSecretary, w.branchW)
		if got, err := sec.GetPerson(ctx, mem.ID, true); err != nil || got.Phone != "13800001111" {
			t.Fatalf("secretary reveal: %+v %v", got, err)
		}
		_, err = sec.GetPerson(ctx, worker.ID, true)
		testenv.WantStatus(t, err, 404)
		if audits() != 2 {
			t.Fatalf("%d reveal entries", audits())
		}

		// A park administrator reads masked and may not reveal.
		pa := w.srv.User("pa-w", access.ParkAdmin, w.wuli.ID)
		if got, err := pa.GetPerson(ctx, mem.ID, false); err != nil || got.Phone != "138****1111" {
			t.Fatalf("park admin read: %+v %v", got, err)
		}
		_, err = pa.GetPerson(ctx, mem.ID, true)
		testenv.WantStatus(t, err, 403)
		l, err := pa.ListPeople(ctx, url.Values{"reveal": {"true"}})
		testenv.WantStatus(t, err, 403)
		if len(l.Items) != 0 || audits() != 2 {
			t.Fatalf("a refused reveal showed %d people, %d entries", len(l.Items), audits())
		}
		_, err = pa.ListPeople(ctx, url.Values{"reveal": {"yes"}})
		testenv.WantStatus(t, err, 400)

		// A list reveal by the zone administrator: one entry per person.
		l, err = admin.ListPeople(ctx, url.Values{"reveal": {"true"}})
		if err != nil || l.Total != 2 {
			t.Fatalf("list reveal: %+v %v", l, err)
		}
		for _, it := range l.Items {
			if strings.Contains(it.Phone, "*") {
				t.Fatalf("list reveal masked %+v", it)
			}
		}
		if audits() != 4 {
			t.Fatalf("%d reveal entries after a list reveal of 2", audits())
		}
		// A secretary who also administers a park may read its workers but
		// not reveal them: a page holding one is refused whole.
		both := w.srv.User("both", access.OrgSecretary, w.branchW)
		if _, err := admin.Grant(ctx, w.srv.UserID("both"), access.ParkAdmin, w.wuli.ID); err != nil {
			t.Fatal(err)
		}
		both = w.srv.SignIn("both")
		_, err = both.ListPeople(ctx, url.Values{"reveal": {"true"}})
		testenv.WantStatus(t, err, 403)
		if l, err := both.ListPeople(ctx, url.Values{"reveal": {"true"}, "is_member": {"true"}}); err != nil || l.Total != 1 || l.Items[0].Phone != "13800001111" {
			t.Fatalf("reveal of members only: %+v %v", l, err)
		}
		// The audit log answers masked summaries only.
		entries, err := admin.Audit(ctx, url.Values{"entity_id": {mem.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries.Items) == 0 {
			t.Fatal("no audit entries for the member")
		}
		for _, e := range entries.Items {
			if s := fmt.Sprint(e.Summary); strings.Contains(s, "13800001111") || strings.Contains(s, womanID) {
				t.Fatalf("audit entry holds personal data: %v", e.Summary)
			}
		}
	})
}

func TestExactLookupAndSearch(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		admin := w.srv.Admin()
		id := manID()
		for _, b := range []map[string]any{
			{"name": "张伟", "phone": "13800138000", "id_number": womanID, "gender": "female", "enterprise_id": w.entW, "tags": []string{"志愿者"}},
			{"name": "张伟民", "phone": "13900139000", "id_number": id, "enterprise_id": w.entA, "party": member(w.branchA, "probationary", time.Now().AddDate(0, -6, 0).Format(time.DateOnly))},
			{"name": "欧阳娜娜", "enterprise_id": w.entW, "party": member(w.subBranchW, "full", "2001-07-01"), "tags": []string{"志愿者", "党建指导员"}},
		} {
			if _, err := admin.CreatePerson(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		names := func(q url.Values) string {
			t.Helper()
			l, err := admin.ListPeople(ctx, q)
			if err != nil {
				t.Fatalf("%v: %v", q, err)
			}
			var n []string
			for _, p := range l.Items {
				n = append(n, p.Name)
			}
			if l.Total != len(n) {
				t.Fatalf("%v: total %d, items %d", q, l.Total, len(n))
			}
			return strings.Join(n, ",")
		}
		for q, want := range map[string]string{
			"phone=13800138000":                     "张伟",
			"phone=%2B86+138+0013+8000":             "张伟",
			"phone=0086-13900139000":                "张伟民",
			"phone=13700000000":                     "",
			"id_number=" + strings.ToLower(womanID): "张伟",
			"id_number=+" + id + "+":                "张伟民",
			"q=张伟":                                  "张伟,张伟民",
			"q=欧阳":                                  "欧阳娜娜",
			"q=zw":                                  "张伟,张伟民",
			"q=zwm":                                 "张伟民",
			"q=ouyang":                              "欧阳娜娜",
			"q=oynn":                                "欧阳娜娜",
			"q=138":                                 "",
			"q=%25":                                 "",
			"is_member=true":                        "张伟民,欧阳娜娜",
			"is_member=false":                       "张伟",
			"tag=志愿者":                               "张伟,欧阳娜娜",
			"tag=党建指导员":                             "欧阳娜娜",
			"enterprise_id=" + w.entW:               "张伟,欧阳娜娜",
			"org_id=" + w.branchW:                   "欧阳娜娜",
			"org_id=" + w.subBranchW:                "欧阳娜娜",
			"org_id=" + w.branchA:                   "张伟民",
			"org_id=" + w.entW:                      "",
			"park_id=" + w.wuli.ID:                  "张伟,欧阳娜娜",
			"park_id=" + w.andong.ID:                "张伟民",
			"park_id=nope":                          "",
			"park_id=" + w.andong.ID + "&q=zw":      "张伟民",
		} {
			v, err := url.ParseQuery(q)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(v); got != want {
				t.Errorf("%s: %q, want %q", q, got, want)
			}
		}
		for q, field := range map[string]string{
			"phone=12345":                  "phone",
			"phone=23800138000":            "phone",
			"id_number=110105194912310021": "id_number",
			"id_number=abc":                "id_number",
			"is_member=yes":                "is_member",
		} {
			v, _ := url.ParseQuery(q)
			_, err := admin.ListPeople(ctx, v)
			if client.StatusOf(err) != 400 || testenv.Problem(err).Errors[0].Field != field {
				t.Errorf("%s: %v %+v", q, err, testenv.Problem(err).Errors)
			}
		}
	})
}

func TestPersonBadInputChangesNothing(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		admin := w.srv.Admin()
		other := w.srv.Zone("另一开发区")
		_ = other
		existing, err := admin.CreatePerson(ctx, map[string]any{"name": "已有", "id_number": womanID, "enterprise_id": w.entW,
			"party": member(w.branchW, "full", "2012-01-01")})
		if err != nil {
			t.Fatal(err)
		}
		badCheck := womanID[:17] + "1"
		badBirth := "110105194913310020" // month 13
		recent := time.Now().AddDate(0, -3, 0).Format(time.DateOnly)
		old := time.Now().AddDate(-2, -1, 0).Format(time.DateOnly)
		tomorrow := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
		longTags := `["a","b","c","d","e","f","g","h","i","j","k"]`
		e := `"enterprise_id":"` + w.entW + `"`
		cases := []struct {
			name, method, path, body string
			status                   int
			field, code              string
		}{
			{"missing name", "POST", "/api/v1/people", `{` + e + `}`, 422, "name", "required"},
			{"long name", "POST", "/api/v1/people", `{"name":"` + strings.Repeat("林", 51) + `",` + e + `}`, 422, "name", "too_long"},
			{"bad gender", "POST", "/api/v1/people", `{"name":"a","gender":"m",` + e + `}`, 422, "gender", "invalid_choice"},
			{"gender mismatch", "POST", "/api/v1/people", `{"name":"a","gender":"male","id_number":"` + womanID + `",` + e + `}`, 422, "gender", "gender_mismatch"},
			{"short mobile", "POST", "/api/v1/people", `{"name":"a","phone":"1380013800",` + e + `}`, 422, "phone", "invalid_mobile"},
			{"landline", "POST", "/api/v1/people", `{"name":"a","phone":"0595-85661234",` + e + `}`, 422, "phone", "invalid_mobile"},
			{"mobile starting 12", "POST", "/api/v1/people", `{"name":"a","phone":"12800138000",` + e + `}`, 422, "phone", "invalid_mobile"},
			{"mobile with letters", "POST", "/api/v1/people", `{"name":"a","phone":"1380013800a",` + e + `}`, 422, "phone", "invalid_mobile"},
			{"id check digit", "POST", "/api/v1/people", `{"name":"a","id_number":"` + badCheck + `",` + e + `}`, 422, "id_number", "check_digit"},
			{"id check digit x", "POST", "/api/v1/people", `{"name":"a","id_number":"` + womanID[:17] + `0",` + e + `}`, 422, "id_number", "check_digit"},
			{"id birth date", "POST", "/api/v1/people", `{"name":"a","id_number":"` + badBirth + `",` + e + `}`, 422, "id_number", "birth_date"},
			{"id 15 digits", "POST", "/api/v1/people", `{"name":"a","id_number":"110105491231002",` + e + `}`, 422, "id_number", "format"},
			{"duplicate id", "POST", "/api/v1/people", `{"name":"a","id_number":"` + strings.ToLower(womanID) + `",` + e + `}`, 409, "id_number", "taken"},
			{"unknown enterprise", "POST", "/api/v1/people", `{"name":"a","enterprise_id":"nope"}`, 422, "enterprise_id", "unknown_value"},
			{"unknown zone", "POST", "/api/v1/people", `{"name":"a","zone_id":"nope",` + e + `}`, 422, "zone_id", "unknown_value"},
			{"enterprise of another zone", "POST", "/api/v1/people", `{"name":"a","zone_id":"` + other + `",` + e + `}`, 422, "enterprise_id", "unknown_value"},
			{"party without org", "POST", "/api/v1/people", `{"name":"a","party":{"status":"full","org_id":"","joined_on":"2020-01-01"}}`, 422, "party.org_id", "required"},
			{"party unknown org", "POST", "/api/v1/people", `{"name":"a","party":{"status":"full","org_id":"` + w.entW + `","joined_on":"2020-01-01"}}`, 422, "party.org_id", "unknown_value"},
			{"party bad status", "POST", "/api/v1/people", `{"name":"a","party":{"status":"formal","org_id":"` + w.branchW + `","joined_on":"2020-01-01"}}`, 422, "party.status", "invalid_choice"},
			{"party bad date", "POST", "/api/v1/people", `{"name":"a","party":{"status":"full","org_id":"` + w.branchW + `","joined_on":"2020-02-30"}}`, 422, "party.joined_on", "invalid_date"},
			{"party future date", "POST", "/api/v1/people", `{"name":"a","party":{"status":"full","org_id":"` + w.branchW + `","joined_on":"` + tomorrow + `"}}`, 422, "party.joined_on", "in_future"},
			{"probation too long", "POST", "/api/v1/people", `{"name":"a","party":{"status":"probationary","org_id":"` + w.branchW + `","joined_on":"` + old + `"}}`, 422, "party.joined_on", "probation_too_long"},
			{"party unknown field", "POST", "/api/v1/people", `{"name":"a","party":{"status":"full","org":"x"}}`, 400, "party.org", "unknown_field"},
			{"party wrong type", "POST", "/api/v1/people", `{"name":"a","party":{"status":1}}`, 400, "party.status", "wrong_type"},
			{"too many tags", "POST", "/api/v1/people", `{"name":"a",` + e + `,"tags":` + longTags + `}`, 422, "tags", "too_many"},
			{"long tag", "POST", "/api/v1/people", `{"name":"a",` + e + `,"tags":["` + strings.Repeat("标", 21) + `"]}`, 422, "tags", "too_long"},
			{"duplicate tag", "POST", "/api/v1/people", `{"name":"a",` + e + `,"tags":["志愿者"," 志愿者"]}`, 422, "tags", "duplicate_tag"},
			{"blank tag", "POST", "/api/v1/people", `{"name":"a",` + e + `,"tags":[" "]}`, 422, "tags", "required"},
			{"tag not a string", "POST", "/api/v1/people", `{"name":"a",` + e + `,"tags":[1]}`, 400, "tags.0", "wrong_type"},
			{"patch gender mismatch", "PATCH", "/api/v1/people/" + existing.ID, `{"gender":"male"}`, 422, "gender", "gender_mismatch"},
			{"patch bad id", "PATCH", "/api/v1/people/" + existing.ID, `{"id_number":"` + badCheck + `"}`, 422, "id_number", "check_digit"},
			{"patch bad phone", "PATCH", "/api/v1/people/" + existing.ID, `{"phone":"138"}`, 422, "phone", "invalid_mobile"},
			{"patch org", "PATCH", "/api/v1/people/" + existing.ID, `{"party":{"status":"full","org_id":"` + w.branchA + `","joined_on":"2012-01-01"}}`, 422, "party.org_id", "use_transfer"},
			{"patch probation too long", "PATCH", "/api/v1/people/" + existing.ID, `{"party":{"status":"probationary","org_id":"` + w.branchW + `","joined_on":"` + old + `"}}`, 422, "party.joined_on", "probation_too_long"},
			{"patch party wrong type", "PATCH", "/api/v1/people/" + existing.ID, `{"party":"x"}`, 400, "party", "wrong_type"},
			{"patch party NUL", "PATCH", "/api/v1/people/" + existing.ID, `{"party":{"status":"a\u0000"}}`, 400, "party.status", "invalid_text"},
			{"patch unknown enterprise", "PATCH", "/api/v1/people/" + existing.ID, `{"enterprise_id":"nope"}`, 422, "enterprise_id", "unknown_value"},
			{"patch empty name", "PATCH", "/api/v1/people/" + existing.ID, `{"name":" "}`, 422, "name", "required"},
		}
		people, tags, audits := w.srv.Count("people"), w.srv.Count("person_tags"), w.srv.Count("audit_log")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				status, _, body := testenv.Raw(t, admin, tc.method, tc.path, tc.body, map[string]string{"Content-Type": "application/json"})
				if status != tc.status {
					t.Fatalf("status %d, want %d: %s", status, tc.status, body)
				}
				if !strings.Contains(body, `"field":"`+tc.field+`","code":"`+tc.code+`"`) {
					t.Fatalf("body lacks %s/%s: %s", tc.field, tc.code, body)
				}
			})
		}
		if w.srv.Count("people") != people || w.srv.Count("person_tags") != tags || w.srv.Count("audit_log") != audits {
			t.Fatal("bad input changed something")
		}
		if got, err := admin.GetPerson(ctx, existing.ID, false); err != nil || got.Version != 1 {
			t.Fatalf("bad input changed the person: %+v %v", got, err)
		}
		// A probationary member who joined recently is normal.
		if _, err := admin.CreatePerson(ctx, map[string]any{"name": "预备", "party": member(w.branchW, "probationary", recent)}); err != nil {
			t.Fatalf("recent probationary member: %v", err)
		}
		// Gender follows from the ID number when not given.
		p, err := admin.CreatePerson(ctx, map[string]any{"name": "男", "id_number": manID(), "enterprise_id": w.entA})
		if err != nil || p.Gender != "male" {
			t.Fatalf("derived gender: %+v %v", p, err)
		}
	})
}

// Twenty simultaneous creates with one ID number: exactly one is created.
func TestConcurrentCreatesSameIDNumber(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		admin := w.srv.Admin()
		id := manID()
		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses := map[int]int{}
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				body := map[string]any{"name": fmt.Sprintf("重号%d", i), "id_number": id, "enterprise_id": w.entW}
				if i%2 == 1 {
					body["id_number"] = strings.ToLower(" " + id)
				}
				_, err := admin.CreatePerson(ctx, body)
				mu.Lock()
				statuses[client.StatusOf(err)]++
				mu.Unlock()
			}(i)
		}
		wg.Wait()
		if statuses[0] != 1 || statuses[409] != 19 {
			t.Fatalf("statuses %v, want one success and 19 conflicts", statuses)
		}
		if n := w.srv.Count("people"); n != 1 {
			t.Fatalf("%d people", n)
		}
		// The same number in another zone is another person.
		other := w.srv.Zone("另一开发区")
		oz := w.srv.UserIn("oz-admin", other, access.ZoneAdmin, other)
		if _, err := oz.CreatePerson(ctx, map[string]any{"name": "同号", "id_number": id}); err != nil {
			t.Fatalf("same ID number in another zone: %v", err)
		}
	})
}

// A user linked to a person reads their own record, whatever their grants.
func TestMyRecord(t *testing.T) {
	testenv.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		admin := w.srv.Admin()
		p, err := admin.CreatePerson(ctx, map[string]any{"name": "党员甲", "phone": "13800001234", "enterprise_id": w.entW,
			"party": member(w.branchW, "full", "2011-07-01")})
		if err != nil {
			t.Fatal(err)
		}
		unlinked := w.srv.User("member-b", access.Member, w.branchW)
		_, err = unlinked.MyPerson(ctx)
		testenv.WantStatus(t, err, 404)
		// An account names a person of its own zone only.
		other := w.srv.Zone("另一开发区")
		_, err = admin.CreateUser(ctx, map[string]string{"username": "elsewhere", "password": testenv.UserPassword("elsewhere"),
			"display_name": "别处", "person_id": p.ID, "zone_id": other})
		if pr := testenv.Problem(err); client.StatusOf(err) != 422 || pr.Errors[0].Field != "person_id" {
			t.Fatalf("an account of another zone naming the person: %v %+v", err, pr.Errors)
		}
		u, err := admin.CreateUser(ctx, map[string]string{"username": "member-a", "password": testenv.UserPassword("member-a"),
			"display_name": "党员甲", "person_id": p.ID})
		if err != nil || u.PersonID == nil || *u.PersonID != p.ID {
			t.Fatalf("linking an account: %+v %v", u, err)
		}
		if _, err := admin.Grant(ctx, u.ID, access.Member, w.branchW); err != nil {
			t.Fatal(err)
		}
		me := w.srv.SignIn("member-a")
		got, err := me.MyPerson(ctx)
		if err != nil || got.ID != p.ID || got.Phone != "138****1234" {
			t.Fatalf("own record: %+v %v", got, err)
		}
		// A member reads no one else, not even themselves by id.
		_, err = me.GetPerson(ctx, p.ID, false)
		testenv.WantStatus(t, err, 403)
		_, err = me.ListPeople(ctx, nil)
		testenv.WantStatus(t, err, 403)
		// A person with an account is not deleted from under it.
		testenv.WantStatus(t, admin.DeletePerson(ctx, p.ID, 0), 409)
		_, err = w.srv.Client().MyPerson(ctx)
		testenv.WantStatus(t, err, 401)
	})
}
