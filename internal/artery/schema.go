// Package artery is Pillar 2, the artery of the real economy (大动脉):
// industry chains and their segments, research institutes, listings of
// needs and offers, the ranking that proposes partners for a listing,
// matches brokered between them and the cooperation projects they become.
package artery

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
