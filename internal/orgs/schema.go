// Package orgs holds the party organisations (党组织): the working committee, committees, general branches, branches and joint branches, as a tree of scope nodes.
package orgs

import (
	"embed"
	"io/fs"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations holds this domain's tables.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err)
	}
	return sub
}
