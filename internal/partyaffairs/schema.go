// Package partyaffairs is the party's own work in the zone's organisations
// (党务): monthly dues by the bands of after-tax pay, term elections
// (换届) and the record of each, member development from application to
// full membership; the party-building brands of one enterprise, one brand
// (一企一品) with their practices and yearly evaluations; and the innovation
// log (创新举措) — the π of 3.14π — searchable and reported, and counted in
// the matrix.
package partyaffairs

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
