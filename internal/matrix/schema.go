package matrix

import (
	"embed"
	"io/fs"

	"tongxin/internal/i18n"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations holds the matrix's fact table.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err)
	}
	return sub
}

//go:embed locales/*.json
var locales embed.FS

// Locales holds the matrix's messages.
func Locales() fs.FS { return i18n.Dir(locales) }
