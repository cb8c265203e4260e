package db

import (
	"strconv"
	"strings"
)

// Args accumulates query arguments and hands out their $N placeholders, so
// queries built from optional filters stay plain SQL.
type Args []any

// Add appends v and returns its placeholder.
func (a *Args) Add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// In appends every value and returns "$i, $j, …". It panics on an empty
// list: an empty IN must be handled by the caller (it means "nothing").
func (a *Args) In(vs []string) string {
	if len(vs) == 0 {
		panic("db: Args.In with an empty list")
	}
	ps := make([]string, len(vs))
	for i, v := range vs {
		ps[i] = a.Add(v)
	}
	return strings.Join(ps, ", ")
}

// Equals returns " AND col = $n" for each column and value of pairs
// (column, value, column, value …) whose value is not "": a list's
// optional equality filters, in the order given, so that one set of
// filters is always one statement text (prepared once, not once per
// order a map happens to iterate in).
func (a *Args) Equals(pairs ...string) string {
	if len(pairs)%2 != 0 {
		panic("db: Args.Equals with an odd number of arguments")
	}
	var b strings.Builder
	for i := 0; i < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			b.WriteString(" AND " + pairs[i] + " = " + a.Add(pairs[i+1]))
		}
	}
	return b.String()
}

// Like escapes s for a LIKE pattern with ESCAPE '\' and wraps it in %…%.
func Like(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + strings.ToLower(r.Replace(s)) + "%"
}
