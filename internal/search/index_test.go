package search_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"tongxin/internal/client"
	"tongxin/internal/db"
	"tongxin/internal/search"
	"tongxin/internal/testenv"
)

// names lists the people of the tests: close names, pinyin that collide,
// and names whose parts would join into a query across the separator.
var names = []string{"王伟", "王伟明", "王小伟", "汪伟", "王文", "张三", "李娜", "陈杰", "刘洋", "欧阳娜娜", "Anna 李"}

// keyGrams is the reference cut of a key: what the triggers must have
// written for it, computed in Go.
func keyGrams(key string) []string {
	var gs []string
	for _, part := range strings.Split(key, "\x1f") {
		r := []rune(part)
		for i := range r {
			if i+1 < len(r) {
				gs = append(gs, string(r[i:i+2]))
			}
			if r[i] > unicode.MaxASCII {
				gs = append(gs, string(r[i]))
			}
		}
	}
	sort.Strings(gs)
	return slices.Compact(gs)
}

// checkIndex fails unless the grams of every row of table are exactly
// those of its key, and no gram names a row that is not there.
func checkIndex(t *testing.T, d *db.DB, table string) {
	t.Helper()
	ctx := context.Background()
	want := map[string][]string{}
	err := db.Each(ctx, d.R, "SELECT id, search_key FROM "+table, nil, func(s db.Scanner) error {
		var id, key string
		if err := s.Scan(&id, &key); err != nil {
			return err
		}
		want[id] = keyGrams(key)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	err = db.Each(ctx, d.R, "SELECT row_id, gram FROM search_grams WHERE tbl = $1 ORDER BY row_id, gram", db.Args{table}, func(s db.Scanner) error {
		var id, g string
		if err := s.Scan(&id, &g); err != nil {
			return err
		}
		got[id] = append(got[id], g)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for id, w := range want {
		if !slices.Equal(got[id], w) {
			t.Errorf("%s %s: grams %q, want %q", table, id, got[id], w)
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("%s: grams of %s, which is not there", table, id)
		}
	}
}

func search1(t *testing.T, c *client.Client, q string) (names []string, total int) {
	t.Helper()
	l, err := c.ListPeople(context.Background(), url.Values{"q": {q}, "limit": {"100"}})
	if err != nil {
		t.Fatalf("q=%q: %v", q, err)
	}
	for _, p := range l.Items {
		names = append(names, p.Name)
	}
	sort.Strings(names)
	if l.Total != len(l.Items) {
		t.Errorf("q=%q: total %d for %d items", q, l.Total, len(l.Items))
	}
	return names, l.Total
}

func TestSearchThroughTheIndex(t *testing.T) {
	testenv.EachParallel(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		ctx := context.Background()
		east, west := srv.Park("东园", "east"), srv.Park("西园", "west")
		eastEnt, westEnt := srv.Enterprise(east.ID, "东园齿轮"), srv.Enterprise(west.ID, "西园纺织")
		ids := map[string]string{}
		for i, n := range names {
			ent := eastEnt
			if i%2 == 1 {
				ent = westEnt
			}
			ids[n] = srv.Person(srv.ZoneID, n, ent, "", "")
		}
		admin := srv.Admin()
		checkIndex(t, srv.DB, "people")
		checkIndex(t, srv.DB, "enterprises")

		for _, c := range []struct {
			q    string
			want []string
		}{
			{"王伟", []string{"王伟", "王伟明"}},            // two Chinese characters
			{"伟明", []string{"王伟明"}},                  // the end of a name
			{"wangwei", []string{"王伟", "王伟明", "汪伟"}}, // pinyin (汪 is wang too)
			{"WangWei", []string{"王伟", "王伟明", "汪伟"}}, // folded
			{"ｗａｎｇ ｗｅｉ", []string{"王伟", "王伟明", "汪伟"}},
			{"ww", []string{"王伟", "王伟明", "王文", "汪伟"}}, // initials
			{"wwm", []string{"王伟明"}},
			{"wxw", []string{"王小伟"}},
			{"伟", []string{"王伟", "王伟明", "王小伟", "汪伟"}}, // one Chinese character
			{"娜", []string{"李娜", "欧阳娜娜"}},
			{"娜娜", []string{"欧阳娜娜"}},
			{"anna", []string{"Anna 李"}}, // not 李娜 (lina) nor 欧阳娜娜 (ouyangnana … "nana")
			{"nana", []string{"欧阳娜娜"}},
			{"三z", nil},    // 张三 + zhangsan: across the separator
			{"sanzs", nil}, // zhangsan + zs
			{"zhangsanzs", nil},
			{"伟明w", nil},
			{"王伟明王", nil},
			{"%", nil},
			{"_", nil},
		} {
			sort.Strings(c.want)
			got, total := search1(t, admin, c.q)
			if !slices.Equal(got, c.want) || total != len(c.want) {
				t.Errorf("q=%q: %q (total %d), want %q", c.q, got, total, c.want)
			}
		}
		// One ASCII character has no gram: the plain LIKE answers it.
		if got, _ := search1(t, admin, "j"); !slices.Equal(got, []string{"陈杰"}) {
			t.Errorf("q=j: %q, want 陈杰 (chenjie, cj)", got)
		}

		// The caller's scope still applies: the east park's admin sees
		// only the people of the east park's enterprise.
		eastAdmin := srv.User("east-admin", "park_admin", east.ID)
		if got, total := search1(t, eastAdmin, "王伟"); !slices.Equal(got, []string{"王伟"}) || total != 1 {
			t.Errorf("east admin q=王伟: %q (total %d), want [王伟]", got, total)
		}
		if got, _ := search1(t, eastAdmin, "ww"); !slices.Equal(got, []string{"王伟", "王文"}) {
			t.Errorf("east admin q=ww: %q, want [王伟 王文]", got)
		}

		// Renaming re-indexes: the old name is no longer found, the new one is.
		p, err := admin.GetPerson(ctx, ids["王伟"], false)
		if err != nil {
			t.Fatal(err)
		}
		p, err = admin.UpdatePerson(ctx, p.ID, map[string]any{"name": "赵敏"}, p.Version)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := search1(t, admin, "王伟"); !slices.Equal(got, []string{"王伟明"}) {
			t.Errorf("after the rename, q=王伟: %q, want [王伟明]", got)
		}
		for _, q := range []string{"赵敏", "zhaomin", "zm", "敏"} {
			if got, _ := search1(t, admin, q); !slices.Equal(got, []string{"赵敏"}) {
				t.Errorf("after the rename, q=%s: %q, want [赵敏]", q, got)
			}
		}
		if n := srv.Count("search_grams", "row_id = $1 AND gram = $2", p.ID, "王伟"); n != 0 {
			t.Errorf("the old name's gram is still indexed (%d)", n)
		}
		checkIndex(t, srv.DB, "people")

		// Deleting removes the row's grams.
		if err := admin.DeletePerson(ctx, p.ID, p.Version); err != nil {
			t.Fatal(err)
		}
		if n := srv.Count("search_grams", "row_id = $1", p.ID); n != 0 {
			t.Errorf("%d grams left of a deleted person", n)
		}
		if got, _ := search1(t, admin, "赵敏"); len(got) != 0 {
			t.Errorf("q=赵敏 after the delete: %q", got)
		}
		checkIndex(t, srv.DB, "people")

		// Enterprises go through the same index (name, USCC, industry, address).
		l, err := admin.ListEnterprises(ctx, url.Values{"q": {"齿轮"}})
		if err != nil {
			t.Fatal(err)
		}
		if l.Total != 1 || len(l.Items) != 1 || l.Items[0].ID != eastEnt {
			t.Errorf("enterprises q=齿轮: %+v", l)
		}
	})
}

// TestMatchIsTheLike compares, on every searchable table the generator
// fills, the rows Match selects with those of the plain LIKE on the key,
// for many substrings of real keys (each part, across parts, one and two
// characters, pinyin and initials) and for strings that match nothing.
func TestMatchIsTheLike(t *testing.T) {
	testenv.EachParallel(t, func(t *testing.T, dsn string) {
		srv := testenv.Start(t, dsn)
		ctx := context.Background()
		park := srv.Park("东园", "east")
		var ents []string
		for i := range 40 {
			name := fmt.Sprintf("%s%s%d", []string{"鸿盛", "成达", "晋江", "安东", "恒安"}[i%5], []string{"齿轮", "纺织", "食品", "机械"}[i%4], i)
			ents = append(ents, srv.Enterprise(park.ID, name))
		}
		sur, given := []rune("王李张刘陈杨黄赵吴周欧阳"), []rune("伟敏静丽强磊军洋勇艳杰娜涛明超秀霞平刚桂英")
		rnd := rand.New(rand.NewPCG(1, 2))
		for i := range 300 {
			n := string(sur[rnd.IntN(len(sur))]) + string(given[rnd.IntN(len(given))])
			if i%3 == 0 {
				n += string(given[rnd.IntN(len(given))])
			}
			srv.Person(srv.ZoneID, n, ents[i%len(ents)], "", "")
		}
		for _, table := range []string{"people", "enterprises"} {
			checkIndex(t, srv.DB, table)
			var keys []string
			if err := db.Each(ctx, srv.DB.R, "SELECT search_key FROM "+table, nil, func(s db.Scanner) error {
				var k string
				keys = append(keys, k)
				return s.Scan(&keys[len(keys)-1])
			}); err != nil {
				t.Fatal(err)
			}
			queries := []string{"zzq", "齿轮厂", "x", "轮安", "王王", "a", "王"}
			for range 300 {
				k := []rune(keys[rnd.IntN(len(keys))])
				i := rnd.IntN(len(k))
				j := min(len(k), i+1+rnd.IntN(6))
				q := strings.ReplaceAll(string(k[i:j]), "\x1f", "")
				if strings.TrimSpace(q) != "" {
					queries = append(queries, q)
				}
			}
			for _, q := range queries {
				var a db.Args
				m, err := search.Match(ctx, srv.DB.R, table, "id", "search_key", q, &a)
				if err != nil {
					t.Fatal(err)
				}
				var b db.Args
				like := "search_key LIKE " + b.Add(db.Like(search.Normalize(q))) + ` ESCAPE '\'`
				got, want := ids(t, srv.DB, table, m, a), ids(t, srv.DB, table, like, b)
				if !slices.Equal(got, want) {
					t.Errorf("%s q=%q: Match selects %d rows, LIKE %d", table, q, len(got), len(want))
				}
			}
		}
	})
}

func ids(t *testing.T, d *db.DB, table, where string, a db.Args) []string {
	t.Helper()
	var out []string
	if err := db.Each(context.Background(), d.R, "SELECT id FROM "+table+" WHERE "+where+" ORDER BY id", a, func(s db.Scanner) error {
		var id string
		out = append(out, id)
		return s.Scan(&out[len(out)-1])
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGrams(t *testing.T) {
	for q, want := range map[string][]string{
		"王伟":      {"王伟"},
		"王":       {"王"},
		"w":       nil,
		"":        nil,
		"wangwei": {"wa", "an", "ng", "gw", "we", "ei"},
		"anan":    {"an", "na"},
		"Ａ Ｂ":     {"ab"},
	} {
		if got := search.Grams(q); !slices.Equal(got, want) {
			t.Errorf("Grams(%q) = %q, want %q", q, got, want)
		}
	}
}

// TestEverySearchKeyIsIndexed fails when a table has a search_key column
// but no triggers keeping its grams: Match would find none of its rows.
func TestEverySearchKeyIsIndexed(t *testing.T) {
	testenv.EachParallel(t, func(t *testing.T, dsn string) {
		d := testenv.OpenDB(t, dsn)
		ctx := context.Background()
		tablesQ := `SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name = 'search_key') ORDER BY 1`
		triggersQ := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = $1 AND name IN ($2, $3, $4)`
		if d.Dialect == db.Postgres {
			tablesQ = `SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'search_key' ORDER BY 1`
			triggersQ = `SELECT COUNT(DISTINCT trigger_name) FROM information_schema.triggers WHERE event_object_table = $1 AND trigger_name IN ($2, $3, $4)`
		}
		var tables []string
		if err := db.Each(ctx, d.R, tablesQ, nil, func(s db.Scanner) error {
			var n string
			tables = append(tables, n)
			return s.Scan(&tables[len(tables)-1])
		}); err != nil {
			t.Fatal(err)
		}
		if len(tables) < 15 {
			t.Fatalf("only %d tables with a search key: %q", len(tables), tables)
		}
		for _, tb := range tables {
			want, names := 3, db.Args{tb, tb + "_search_insert", tb + "_search_update", tb + "_search_delete"}
			if d.Dialect == db.Postgres {
				want, names = 2, db.Args{tb, tb + "_search_write", tb + "_search_update", tb + "_search_write"}
			}
			var n int
			if err := d.R.QueryRowContext(ctx, triggersQ, names...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != want {
				t.Errorf("%s has a search_key but %d of the %d triggers that index it", tb, n, want)
			}
		}
	})
}
