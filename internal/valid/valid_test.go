package valid

import (
	"strings"
	"testing"

	"tongxin/internal/apperr"
)

func TestName(t *testing.T) {
	for in, want := range map[string]string{
		"五里园":                    "",
		"  安东园  ":                "",
		"":                       "required",
		"   ":                    "required",
		"\u3000\u3000":           "required", // ideographic spaces only
		"\u200b\u200b":           "invisible",
		"\u200d\ufe0f":           "invisible",
		"\u0301":                 "invisible", // a combining mark alone
		"\u202e园":                "control_chars",
		"园\u2066区\u2069":         "control_chars",
		"园\x07":                  "control_chars",
		"五里\n园":                  "control_chars",
		strings.Repeat("园", 101): "too_long",
	} {
		var fs apperr.Fields
		s := in
		Name(&fs, "name", &s, 100)
		got := ""
		if len(fs) > 0 {
			got = fs[0].Code
		}
		if got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	var fs apperr.Fields
	Text(&fs, "note", "第一行\n第二行\t制表", 100)
	if len(fs) != 0 {
		t.Fatalf("free text with line breaks: %v", fs)
	}
}
