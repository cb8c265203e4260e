package server_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Every Element Plus component a console template uses is registered in
// web/src/shared/element.js, and every Vant component a phone template
// uses in web/src/shared/vant.js (one place each, so the bundle carries
// just those): a tag that is not renders as nothing, and only a browser
// would notice.
func TestConsoleComponentsAreRegistered(t *testing.T) {
	for _, kit := range []struct {
		file, prefix, tag string // tag: the kebab-case prefix of its tags
		min               int
	}{
		{"element.js", "El", "el", 20},
		{"vant.js", "", "van", 5},
	} {
		t.Run(kit.file, func(t *testing.T) { checkRegistered(t, kit.file, kit.prefix, kit.tag, kit.min) })
	}
}

func checkRegistered(t *testing.T, file, prefix, tag string, min int) {
	root := filepath.Join(moduleRoot(t), "web", "src")
	b, err := os.ReadFile(filepath.Join(root, "shared", file))
	if err != nil {
		t.Fatal(err)
	}
	list := regexp.MustCompile(`(?s)const components = \[(.*?)\]`).FindSubmatch(b)
	if list == nil {
		t.Fatalf("%s: no components list", file)
	}
	registered := regexp.MustCompile(prefix+`[A-Z][A-Za-z]+`).FindAllString(string(list[1]), -1)
	if len(registered) < min {
		t.Fatalf("found %d registered components: the pattern has gone stale", len(registered))
	}
	kebab := regexp.MustCompile(`<` + tag + `-([a-z-]+)`)
	pascal := regexp.MustCompile(`<(` + prefix + `[A-Z][A-Za-z]+)`)
	var missing []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".vue") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var used []string
		for _, m := range kebab.FindAllStringSubmatch(string(src), -1) {
			name := prefix
			for _, part := range strings.Split(m[1], "-") {
				name += strings.ToUpper(part[:1]) + part[1:]
			}
			used = append(used, name)
		}
		if prefix != "" {
			for _, m := range pascal.FindAllStringSubmatch(string(src), -1) {
				used = append(used, m[1])
			}
		}
		for _, name := range used {
			if !slices.Contains(registered, name) {
				rel, _ := filepath.Rel(root, path)
				missing = append(missing, rel+": "+name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(missing)
	missing = slices.Compact(missing)
	if len(missing) > 0 {
		t.Fatalf("components used but not registered in web/src/shared/%s:\n  %s", file, strings.Join(missing, "\n  "))
	}
}
