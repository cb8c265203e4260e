// Package mediation is labour-dispute mediation (职工法律服务基地): cases with their parties and agents, the status workflow and timeline, conflict checks, hearings without double-booking, the statutory clock, settlement agreements with signatures and payments, and the figures.
package mediation

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
