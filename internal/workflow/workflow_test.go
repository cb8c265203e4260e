package workflow_test

import (
	"slices"
	"testing"

	"tongxin/internal/workflow"
)

func TestNextFollowsTheActionsOrder(t *testing.T) {
	machine := map[string]map[string]string{
		"open":   {"close": "closed", "assign": "assigned"},
		"closed": {},
	}
	next := workflow.Next(machine, []string{"assign", "start", "close"})
	if !slices.Equal(next["open"], []string{"assign", "close"}) || next["closed"] == nil || len(next["closed"]) != 0 {
		t.Fatalf("next = %q", next)
	}
	grown := append(next["open"], "x")
	if &grown[0] == &next["open"][0] || len(next["open"]) != 2 {
		t.Fatal("an append changed the shared slice")
	}
}
