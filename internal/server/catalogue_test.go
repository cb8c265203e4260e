package server_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"tongxin/internal/access"
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

// flatten turns nested catalogue JSON into dotted ids.
func flatten(prefix string, v any, out map[string]bool) {
	if m, ok := v.(map[string]any); ok {
		for k, x := range m {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, x, out)
		}
		return
	}
	out[prefix] = true
}

// consoleCatalogue reads the console's catalogue of lang: the shared file
// web/src/locales/<lang>.json and every domain's
// web/src/<domain>/locales/<lang>.json, merged as web/src/i18n.js merges
// them. An id defined in two files fails the test.
func consoleCatalogue(t *testing.T, lang string) map[string]bool {
	t.Helper()
	root := moduleRoot(t)
	files, err := filepath.Glob(filepath.Join(root, "web", "src", "*", "locales", lang+".json"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, filepath.Join(root, "web", "src", "locales", lang+".json"))
	out := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		ids := map[string]bool{}
		flatten("", v, ids)
		for id := range ids {
			if out[id] {
				t.Errorf("%s: %s is defined in another catalogue file too", f, id)
			}
			out[id] = true
		}
	}
	if len(out) == 0 {
		t.Fatalf("no console catalogue for %s", lang)
	}
	return out
}

// The console's catalogues hold the same ids in both languages, every id
// its source names, and every id it builds at run time: navigation groups
// and items, roles, node kinds, and the audit actions and entities the
// server records.
func TestConsoleCatalogueIsComplete(t *testing.T) {
	zh, en := consoleCatalogue(t, "zh-CN"), consoleCatalogue(t, "en")
	var diff []string
	for id := range zh {
		if !en[id] {
			diff = append(diff, "en lacks "+id)
		}
	}
	for id := range en {
		if !zh[id] {
			diff = append(diff, "zh-CN lacks "+id)
		}
	}
	slices.Sort(diff)
	if len(diff) > 0 {
		t.Fatalf("console catalogues differ:\n  %s", strings.Join(diff, "\n  "))
	}
	want := map[string]string{}
	root := moduleRoot(t)
	nav, err := os.ReadFile(filepath.Join(root, "web", "src", "layout", "nav.js"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`key: '(\w+)',\s*\n\s*items:`).FindAllStringSubmatch(string(nav), -1) {
		want["nav.groups."+m[1]] = "nav.js"
	}
	items := regexp.MustCompile(`\{ key: '(\w+)', path:`).FindAllStringSubmatch(string(nav), -1)
	for _, m := range items {
		want["nav.items."+m[1]] = "nav.js"
	}
	if len(items) < 10 {
		t.Fatalf("found %d navigation items: the pattern has gone stale", len(items))
	}
	for _, r := range access.Roles {
		want["roles."+r] = "access.Roles"
	}
	for _, k := range access.Kinds {
		want["kinds."+k] = "access.Kinds"
	}
	action := regexp.MustCompile(`Action:\s*"([a-z_]+)"`)
	entity := regexp.MustCompile(`Entity:\s*"([a-z_]+)"`)
	for file, src := range goSources(t) {
		for _, m := range action.FindAllStringSubmatch(src, -1) {
			want["audit.actions."+m[1]] = file
		}
		for _, m := range entity.FindAllStringSubmatch(src, -1) {
			want["audit.entities."+m[1]] = file
		}
	}
	used := regexp.MustCompile(`\bt[ec]?\(\s*'([A-Za-z0-9_.]+)'`)
	err = filepath.WalkDir(filepath.Join(root, "web", "src"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".vue") || strings.HasSuffix(p, ".js")) {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			want[m[1]] = p
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for id, where := range want {
		if !zh[id] {
			missing = append(missing, id+" (from "+where+")")
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Fatalf("ids missing from the console catalogues:\n  %s", strings.Join(missing, "\n  "))
	}
}
