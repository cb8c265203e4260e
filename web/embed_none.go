//go:build !ui

// Package web embeds the built console (web/dist) when the binary is built
// with -tags ui. Without the tag the binary serves the API alone, so
// `go build ./cmd/tongxin` works on a clean clone with no front-end build.
package web

import "io/fs"

// Dist returns nil: this binary was built without the console.
func Dist() fs.FS { return nil }
