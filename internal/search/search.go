// Package search builds the text a list's q parameter matches, the same
// way on SQLite and PostgreSQL: each searchable row keeps one column of
// lower-cased, width-folded text (its name and other searchable fields)
// followed by its name in pinyin, spelled out and as initials, so "齿轮",
// "chengda" and "cdcl" all find 成达齿轮. Queries are a LIKE on that column,
// with no function applied per row.
package search

import (
	"strings"
	"unicode"

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

// Where returns "col LIKE $n ESCAPE '\'" for the query q, adding its
// pattern to a. col holds keys made by Key.
func Where(col, q string, a *db.Args) string {
	return col + " LIKE " + a.Add(db.Like(Normalize(q))) + ` ESCAPE '\'`
}
