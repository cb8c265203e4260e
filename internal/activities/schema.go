// Package activities holds activities and volunteering: campaigns, activities with their posts, sign-ups with capacity and waitlist, check-in codes, credited hours and their corrections, certificates and calendar feeds. Every change that moves a figure of the 3.14π matrix adds its fact in the same transaction (see counts.go).
package activities

import (
	"embed"
	"io/fs"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations holds the activities tables.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err)
	}
	return sub
}
