// Package servicenet is the service network (服务网): service points, the service catalogue, service requests with their workflow, SLA and escalation, photos, and the API keys Open311 clients use.
package servicenet

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
