// Package circle is the 15-minute living circle (15分钟便民生活圈): the facilities around the parks, the categories each circle requires (GB 50180-2018), the walking network, what lies within a walk of a place and where a category is missing.
package circle

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
