// Package etag is the version precondition of PATCH and DELETE as the
// domain sees it: the If-Match header (RFC 9110 §13.1.1) against a
// resource's version, whose entity tag is "<version>".
package etag

import (
	"strconv"
	"strings"

	"tongxin/internal/apperr"
)

// Match is a parsed If-Match. The zero Match (no header) matches anything.
type Match struct {
	set      bool
	any      bool  // "*"
	versions []int // strong tags; weak tags never match (strong comparison)
}

// Parse reads an If-Match header value ("" when absent). Returns EINVALID
// (field If-Match) when it is not "*" or a list of entity tags.
func Parse(h string) (Match, error) {
	h = strings.TrimSpace(h)
	if h == "" {
		return Match{}, nil
	}
	m := Match{set: true}
	if h == "*" {
		m.any = true
		return m, nil
	}
	bad := apperr.BadField("If-Match", "invalid_format")
	for _, t := range strings.Split(h, ",") {
		t = strings.TrimSpace(t)
		weak := strings.HasPrefix(t, "W/")
		t = strings.TrimPrefix(t, "W/")
		if len(t) < 2 || t[0] != '"' || t[len(t)-1] != '"' || strings.Contains(t[1:len(t)-1], `"`) {
			return Match{}, bad
		}
		if weak {
			continue // RFC 9110: If-Match uses the strong comparison; a weak tag never matches
		}
		if n, err := strconv.Atoi(t[1 : len(t)-1]); err == nil && n > 0 {
			m.versions = append(m.versions, n)
		}
	}
	return m, nil
}

// OK reports whether a resource at version satisfies the precondition.
func (m Match) OK(version int) bool {
	if !m.set || m.any {
		return true
	}
	for _, v := range m.versions {
		if v == version {
			return true
		}
	}
	return false
}

// Check returns EPRECONDITION (412) when a resource at version does not
// satisfy the precondition.
func (m Match) Check(version int) error {
	if m.OK(version) {
		return nil
	}
	return apperr.New(apperr.PreconditionFailed, "problem.stale_version", "Version", version)
}

// Exactly returns the precondition "the resource is at version" (for
// callers that hold the version themselves, such as tools and tests).
func Exactly(version int) Match { return Match{set: true, versions: []int{version}} }
