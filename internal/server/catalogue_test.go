package server_test

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"tongxin/internal/apperr"
	"tongxin/internal/i18n"
	"tongxin/internal/testenv"
)

// moduleRoot is the directory holding go.mod.
func moduleRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// goSources returns the text of every non-test Go file of the module.
func goSources(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	root := moduleRoot(t)
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || d.Name() == "web") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[p] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The server's catalogue, as assembled from every domain, holds the same
// ids in both languages, and every id the code names or builds.
func TestServerCatalogueIsComplete(t *testing.T) {
	testenv.Start(t, testenv.Engines(t)[0].DSN) // assembles the domains' catalogues
	zh, en := i18n.IDs("zh-CN"), i18n.IDs("en")
	if !slices.Equal(zh, en) {
		t.Fatalf("catalogues differ:\nzh-CN only: %v\nen only: %v", minus(zh, en), minus(en, zh))
	}
	has := map[string]bool{}
	for _, id := range zh {
		has[id] = true
	}
	want := map[string]string{} // id → where it comes from
	for _, c := range apperr.Codes {
		want["problem."+string(c)+".title"] = "apperr.Codes"
		want["problem."+string(c)+".detail"] = "apperr.Codes"
	}
	literal := regexp.MustCompile(`"((?:problem|console)\.[a-z_]+(?:\.[a-z_]+)*)"`)
	// Field errors: the code is a literal even when the field is not;
	// a literal field needs its label.
	fieldErr := regexp.MustCompile(`(?:\.Add|apperr\.Field|apperr\.BadField|BadField|Field)\(\s*("([A-Za-z_.-]+)"|[A-Za-z_.]+)\s*,\s*"([a-z_]+)"`)
	structErr := regexp.MustCompile(`Field:\s*"([A-Za-z_.-]+)",\s*Code:\s*"([a-z_]+)"`)
	for file, src := range goSources(t) {
		rel, _ := filepath.Rel(moduleRoot(t), file)
		for _, m := range literal.FindAllStringSubmatch(src, -1) {
			if !strings.HasSuffix(m[1], ".") {
				want[m[1]] = rel
			}
		}
		for _, m := range fieldErr.FindAllStringSubmatch(src, -1) {
			want["field_error."+m[3]] = rel
			if m[2] != "" {
				want["field."+m[2]] = rel
			}
		}
		for _, m := range structErr.FindAllStringSubmatch(src, -1) {
			want["field."+m[1]] = rel
			want["field_error."+m[2]] = rel
		}
	}
	if len(want) < 40 {
		t.Fatalf("found only %d ids in the sources: the patterns have gone stale", len(want))
	}
	var missing []string
	for id, where := range want {
		if !has[id] {
			missing = append(missing, id+" (from "+where+")")
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Fatalf("ids missing from the catalogue:\n  %s", strings.Join(missing, "\n  "))
	}
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
