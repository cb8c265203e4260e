package testenv

import (
	"io/fs"
	"strconv"
	"strings"
	"testing/fstest"
)

// Through returns sources holding only their migrations up to and
// including version: a database migrated with them is one an earlier
// release left, for an upgrade test to fill and migrate the rest of the
// way.
func Through(version int, sources ...fs.FS) []fs.FS {
	out := make([]fs.FS, 0, len(sources))
	for _, src := range sources {
		kept := fstest.MapFS{}
		entries, err := fs.ReadDir(src, ".")
		if err != nil {
			panic(err)
		}
		for _, e := range entries {
			v, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
			if err != nil || v > version {
				continue
			}
			b, err := fs.ReadFile(src, e.Name())
			if err != nil {
				panic(err)
			}
			kept[e.Name()] = &fstest.MapFile{Data: b}
		}
		out = append(out, kept)
	}
	return out
}
