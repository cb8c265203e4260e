// Package openapi serves the OpenAPI 3.1 document of the HTTP API. The
// document is written by hand in openapi.yaml (the contract is designed, not
// generated) and converted to JSON once at start.
package openapi

import (
	_ "embed"
	"encoding/json"
	"fmt"

	yaml "go.yaml.in/yaml/v4"
)

//go:embed openapi.yaml
var source []byte

// JSON returns the document as JSON.
func JSON() ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(source, &doc); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	return json.Marshal(doc)
}
