// Package valid holds the checks every domain applies to text a person
// types: names and free text that must be visible, free of control
// characters and of direction overrides (which can make a name display as
// something else), and of bounded length.
package valid

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"tongxin/internal/apperr"
)

// Name trims *s and checks it as a required one-line name of at most max
// characters: required, too_long, control_chars, invisible.
func Name(fs *apperr.Fields, field string, s *string, max int) {
	*s = strings.TrimSpace(*s)
	switch {
	case *s == "":
		fs.Add(field, "required")
	case strings.ContainsAny(*s, "\t\n\r"):
		fs.Add(field, "control_chars")
	default:
		Text(fs, field, *s, max)
	}
}

// Text checks optional free text of at most max characters (no control
// characters but tab and newline, no direction overrides, and something
// visible when not empty).
func Text(fs *apperr.Fields, field, s string, max int) {
	if s == "" {
		return
	}
	switch {
	case !utf8.ValidString(s) || strings.IndexFunc(s, forbidden) >= 0:
		fs.Add(field, "control_chars")
	case strings.IndexFunc(s, visible) < 0:
		fs.Add(field, "invisible")
	case utf8.RuneCountInString(s) > max:
		fs.Add(field, "too_long", "Max", max)
	}
}

// forbidden is a control character (other than tab and newline) or a
// bidirectional embedding, override or isolate.
func forbidden(r rune) bool {
	if r == '\t' || r == '\n' {
		return false
	}
	switch {
	case unicode.IsControl(r):
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	}
	return false
}

// visible is a character that draws something: a letter, digit,
// punctuation or symbol (not a space, a format character such as U+200B,
// or a combining mark on its own).
func visible(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
}

// UniqueIDs drops repeated ids, keeping the first of each, and checks that
// at most max remain (too_many).
func UniqueIDs(fs *apperr.Fields, field string, ids []string, max int) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) > max {
		fs.Add(field, "too_many", "Max", max)
	}
	return out
}
