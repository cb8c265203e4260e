package server_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Domain packages hold types, rules and SQL and import nothing of the
// HTTP layer; their <domain>api packages serve them. A domain package is a
// folder of internal/ that has a <name>api folder inside.
func TestDomainPackagesDoNotImportHTTP(t *testing.T) {
	root := filepath.Join(moduleRoot(t), "internal")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	forbidden := []string{"net/http", "tongxin/internal/httpx", "tongxin/internal/kit", "tongxin/internal/idem"}
	domains := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, e.Name(), e.Name()+"api")); err != nil {
			continue
		}
		domains++
		files, err := filepath.Glob(filepath.Join(root, e.Name(), "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range ast.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, bad := range forbidden {
					if path == bad {
						t.Errorf("domain package %s imports %s (%s): HTTP belongs in %sapi", e.Name(), path, filepath.Base(f), e.Name())
					}
				}
			}
		}
	}
	if domains < 5 {
		t.Fatalf("found %d domains: the layout has changed, update this test", domains)
	}
}
