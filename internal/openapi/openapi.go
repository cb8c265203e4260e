// Package openapi assembles the OpenAPI 3.1 document of the HTTP API. The
// document is written by hand (the contract is designed, not generated):
// base.yaml holds the conventions, the shared components and the system
// endpoints; each domain brings a fragment with its paths and components.
// Build merges them and adds to every API operation the answers every
// operation can give (400, 401, 403, 413, 415, 500), so fragments list
// only their own.
package openapi

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	yaml "go.yaml.in/yaml/v4"
)

//go:embed base.yaml
var base []byte

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// Build returns the document as JSON: base.yaml with fragments merged in.
// A path, component or tag defined twice is an error.
func Build(fragments ...[]byte) ([]byte, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(base, &doc); err != nil {
		return nil, fmt.Errorf("openapi: base.yaml: %w", err)
	}
	for i, f := range fragments {
		var frag map[string]any
		if err := yaml.Unmarshal(f, &frag); err != nil {
			return nil, fmt.Errorf("openapi: fragment %d: %w", i, err)
		}
		if err := merge(doc, frag); err != nil {
			return nil, fmt.Errorf("openapi: fragment %d: %w", i, err)
		}
	}
	addCommonResponses(doc)
	return json.Marshal(doc)
}

func merge(doc, frag map[string]any) error {
	for key, v := range frag {
		switch key {
		case "paths":
			if err := mergeMap(doc, "paths", v); err != nil {
				return err
			}
		case "components":
			comps, _ := doc["components"].(map[string]any)
			fc, ok := v.(map[string]any)
			if !ok || comps == nil {
				return fmt.Errorf("components is not a map")
			}
			for kind, defs := range fc {
				if err := mergeMap(comps, kind, defs); err != nil {
					return fmt.Errorf("components.%w", err)
				}
			}
		case "tags":
			tags, _ := doc["tags"].([]any)
			more, _ := v.([]any)
			doc["tags"] = append(tags, more...)
		default:
			return fmt.Errorf("unexpected key %q (a fragment holds paths, components and tags)", key)
		}
	}
	return nil
}

// mergeMap adds the entries of v to parent[key], refusing duplicates.
func mergeMap(parent map[string]any, key string, v any) error {
	add, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s is not a map", key)
	}
	into, _ := parent[key].(map[string]any)
	if into == nil {
		into = map[string]any{}
		parent[key] = into
	}
	for k, x := range add {
		if _, dup := into[k]; dup {
			return fmt.Errorf("%s: %q defined twice", key, k)
		}
		into[k] = x
	}
	return nil
}

func ref(name string) map[string]any {
	return map[string]any{"$ref": "#/components/responses/" + name}
}

// addCommonResponses gives every /api/v1/ operation the answers the edge,
// the kit and the sign-in middleware can give whatever the route.
func addCommonResponses(doc map[string]any) {
	paths, _ := doc["paths"].(map[string]any)
	names := make([]string, 0, len(paths))
	for p := range paths {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		if !strings.HasPrefix(p, "/api/v1/") {
			continue
		}
		item, _ := paths[p].(map[string]any)
		for _, m := range methods {
			op, ok := item[m].(map[string]any)
			if !ok {
				continue
			}
			rs, _ := op["responses"].(map[string]any)
			if rs == nil {
				rs = map[string]any{}
				op["responses"] = rs
			}
			add := func(status, name string) {
				if _, ok := rs[status]; !ok {
					rs[status] = ref(name)
				}
			}
			add("400", "BadRequest")
			add("500", "Internal")
			if sec, ok := op["security"].([]any); !ok || len(sec) > 0 {
				add("401", "Unauthorized")
				add("403", "Forbidden")
			}
			if _, ok := op["requestBody"]; ok {
				add("413", "TooLarge")
				add("415", "UnsupportedMedia")
			}
			if takesIdempotencyKey(op) {
				// The key's own answers (package idem): its first request
				// still running, or the key sent with another request.
				add("409", "Conflict")
				add("422", "Unprocessable")
			}
		}
	}
}

func takesIdempotencyKey(op map[string]any) bool {
	ps, _ := op["parameters"].([]any)
	for _, p := range ps {
		if m, ok := p.(map[string]any); ok && m["$ref"] == "#/components/parameters/IdempotencyKey" {
			return true
		}
	}
	return false
}
