// Package search builds the text a list's q parameter matches, the same
// way on SQLite and PostgreSQL: each searchable row keeps one column of
// lower-cased, width-folded text (its name and other searchable fields)
// followed by its name in pinyin, spelled out and as initials, so "齿轮",
// "chengda" and "cdcl" all find 成达齿轮.
//
// The keys are indexed by their n-grams in the table search_grams, kept by
// triggers in the transaction that writes a key (see the migration): a
// query (Match) takes its candidates from the postings of its rarest grams
// and applies the exact LIKE on the key to them only, so a search reads a
// few hundred index entries instead of every key of the table.
package search

import (
	"context"
	"embed"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
	"golang.org/x/text/width"

	"tongxin/internal/db"
)

// sep separates the parts of a key; a query never holds it (page.Parse
// refuses control characters), so a match never spans two parts.
const sep = "\x1f"

var args = func() pinyin.Args {
	a := pinyin.NewArgs()
	a.Style = pinyin.Normal
	return a
}()

// Normalize folds s the way keys are folded: full-width forms to their
// narrow forms, lower case, and no spaces.
func Normalize(s string) string {
	s = strings.ToLower(width.Fold.String(s))
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// Key returns the search text of a row whose display name is name and
// whose other searchable texts are more (address, industry, codes …).
func Key(name string, more ...string) string {
	full, initials := Pinyin(name)
	parts := []string{Normalize(name)}
	for _, m := range more {
		if m != "" {
			parts = append(parts, Normalize(m))
		}
	}
	parts = append(parts, full, initials)
	return strings.Join(parts, sep)
}

// Pinyin spells s in toneless pinyin, whole and as initials. Letters and
// digits that are not Han characters are kept (lower-cased) in both, so
// "361度" is "361du" and "361d".
func Pinyin(s string) (full, initials string) {
	var f, i strings.Builder
	for _, r := range width.Fold.String(s) {
		switch {
		case unicode.Is(unicode.Han, r):
			py := pinyin.SinglePinyin(r, args)
			if len(py) == 0 || py[0] == "" {
				continue
			}
			f.WriteString(py[0])
			i.WriteByte(py[0][0])
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			c := unicode.ToLower(r)
			f.WriteRune(c)
			i.WriteRune(c)
		}
	}
	return f.String(), i.String()
}

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations holds the gram index and the triggers that keep it.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err)
	}
	return sub
}

// Grams returns the distinct grams of the query q (normalised) that every
// key matching it holds, the way the triggers cut keys: its two-character
// grams, or for a query of one character beyond ASCII that character. A
// query of one ASCII character has none: nearly every key holds it (pinyin
// and initials), so an index would not narrow the search.
func Grams(q string) []string {
	r := []rune(Normalize(q))
	var gs []string
	switch {
	case len(r) == 1 && r[0] > unicode.MaxASCII:
		gs = []string{string(r)}
	case len(r) >= 2:
		for i := 0; i+1 < len(r); i++ {
			if g := string(r[i : i+2]); !slices.Contains(gs, g) {
				gs = append(gs, g)
			}
		}
	}
	return gs
}

// Bounds of a query's use of the index. probeLimit bounds the count of
// each gram's postings read fresh for every query (a count that reaches it
// means "common"); maxProbed bounds how many of q's grams are used. The
// rarest drives, every other is looked up by primary key per candidate, so
// only rows holding all of them are read from the table.
const (
	probeLimit = 1000
	maxProbed  = 8
)

// common caches the exact posting counts of common grams (those reaching
// probeLimit), which only order them: a stale count costs time, never a
// result. Keyed by the querier, so two databases in one process (tests)
// do not share counts.
var common = struct {
	sync.Mutex
	m map[commonKey]commonCount
}{m: map[commonKey]commonCount{}}

type commonKey struct {
	q         db.Querier
	tbl, gram string
}

type commonCount struct {
	n  int
	at time.Time
}

// commonTTL is how long an exact count of a common gram is reused.
const commonTTL = 10 * time.Minute

func commonCountOf(ctx context.Context, dbq db.Querier, table, gram string) (int, error) {
	k := commonKey{dbq, table, gram}
	common.Lock()
	c, ok := common.m[k]
	common.Unlock()
	if ok && time.Since(c.at) < commonTTL {
		return c.n, nil
	}
	var n int
	if err := dbq.QueryRowContext(ctx, "SELECT COUNT(*) FROM search_grams WHERE tbl = $1 AND gram = $2", table, gram).Scan(&n); err != nil {
		return 0, err
	}
	common.Lock()
	if len(common.m) > 100_000 {
		clear(common.m)
	}
	common.m[k] = commonCount{n, time.Now()}
	common.Unlock()
	return n, nil
}

// Match returns the predicate of the rows of table (its id column id, its
// key column key; both may be qualified) whose key contains the query q,
// adding its arguments to a. The caller puts it beside its scope
// predicate, as it would any other filter.
//
// It reads the posting counts of q's grams first, bounded by probeLimit
// (the common ones are ordered by a cached exact count), and takes as
// candidates the rows that hold every gram, the rarest driving. When a
// gram has no posting at all, nothing can match: "1=0". When q is a gram
// itself (two characters, or one beyond ASCII), holding it is matching
// it, and the candidates are the answer; otherwise the exact LIKE on the
// key decides among them.
func Match(ctx context.Context, dbq db.Querier, table, id, key, q string, a *db.Args) (string, error) {
	like := func() string { return key + " LIKE " + a.Add(db.Like(Normalize(q))) + ` ESCAPE '\'` }
	gs := Grams(q)
	if len(gs) == 0 {
		return like(), nil
	}
	if len(gs) > maxProbed {
		// Any grams of q narrow correctly; spread the probed ones over it.
		picked := make([]string, maxProbed)
		for i := range picked {
			picked[i] = gs[i*(len(gs)-1)/(maxProbed-1)]
		}
		gs = picked
	}
	var pa db.Args
	t := pa.Add(table)
	cols := make([]string, len(gs))
	for i, g := range gs {
		cols[i] = "(SELECT COUNT(*) FROM (SELECT 1 FROM search_grams WHERE tbl = " + t + " AND gram = " + pa.Add(g) +
			" LIMIT " + strconv.Itoa(probeLimit) + ") x)"
	}
	counts := make([]int, len(gs))
	dest := make([]any, len(gs))
	for i := range counts {
		dest[i] = &counts[i]
	}
	if err := dbq.QueryRowContext(ctx, "SELECT "+strings.Join(cols, ", "), pa...).Scan(dest...); err != nil {
		return "", err
	}
	if slices.Contains(counts, 0) {
		return "1=0", nil
	}
	if slices.Min(counts) >= probeLimit {
		for i, g := range gs {
			n, err := commonCountOf(ctx, dbq, table, g)
			if err != nil {
				return "", err
			}
			counts[i] = max(n, probeLimit)
		}
	}
	order := make([]int, len(gs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return counts[x] - counts[y] })
	ta := a.Add(table)
	sub := "SELECT g0.row_id FROM search_grams g0"
	for j, i := range order[1:] {
		g := "g" + strconv.Itoa(j+1)
		sub += " JOIN search_grams " + g + " ON " + g + ".tbl = g0.tbl AND " + g + ".gram = " + a.Add(gs[i]) + " AND " + g + ".row_id = g0.row_id"
	}
	sub += " WHERE g0.tbl = " + ta + " AND g0.gram = " + a.Add(gs[order[0]])
	if utf8.RuneCountInString(Normalize(q)) <= 2 {
		return id + " IN (" + sub + ")", nil
	}
	return "(" + id + " IN (" + sub + ") AND " + like() + ")", nil
}
