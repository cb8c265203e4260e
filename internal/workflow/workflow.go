// Package workflow holds what the domains' state machines (service
// requests, mediation cases) share.
package workflow

import "slices"

// Next returns, for each state of machine (state → action → step), the
// actions it allows in the order of actions. Each state's slice is clipped,
// so that callers may share it: an append copies.
func Next[Step any](machine map[string]map[string]Step, actions []string) map[string][]string {
	m := make(map[string][]string, len(machine))
	for state, allowed := range machine {
		next := []string{}
		for _, a := range actions {
			if _, ok := allowed[a]; ok {
				next = append(next, a)
			}
		}
		m[state] = slices.Clip(next)
	}
	return m
}
