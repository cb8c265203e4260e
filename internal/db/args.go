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

// Like escapes s for a LIKE pattern with ESCAPE '\' and wraps it in %…%.
func Like(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + strings.ToLower(r.Replace(s)) + "%"
}
