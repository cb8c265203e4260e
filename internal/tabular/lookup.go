package tabular

import "strings"

// Lookup finds what a cell names among rows known beforehand (the parks a
// caller may import into, say): by id, else by code (any case), else by
// name. Several matches are the caller's to report as ambiguous.
type Lookup[T any] struct {
	byID           map[string]T
	byCode, byName map[string][]T
}

// NewLookup returns an empty Lookup.
func NewLookup[T any]() *Lookup[T] {
	return &Lookup[T]{byID: map[string]T{}, byCode: map[string][]T{}, byName: map[string][]T{}}
}

// Add makes v findable by id, code and name (each skipped when "").
func (l *Lookup[T]) Add(v T, id, code, name string) {
	if id != "" {
		l.byID[id] = v
	}
	if code != "" {
		code = strings.ToLower(code)
		l.byCode[code] = append(l.byCode[code], v)
	}
	if name != "" {
		l.byName[name] = append(l.byName[name], v)
	}
}

// Find returns what ref may name: the value with that id, else those with
// that code, else those with that name.
func (l *Lookup[T]) Find(ref string) []T {
	if v, ok := l.byID[ref]; ok {
		return []T{v}
	}
	if vs := l.byCode[strings.ToLower(ref)]; len(vs) > 0 {
		return vs
	}
	return l.byName[ref]
}
