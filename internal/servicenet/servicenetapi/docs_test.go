package servicenetapi_test

import (
	"os"
	"strings"
	"testing"

	"tongxin/internal/servicenet"
)

// The workflow table is written once, in the code: the README and the
// OpenAPI description show exactly what servicenet.WorkflowTable renders.
func TestDocsShowTheWorkflowTable(t *testing.T) {
	table := servicenet.WorkflowTable()
	for _, f := range []string{"../../../README.md", "openapi.yaml"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); strings.HasPrefix(l, "| ") && strings.Contains(l, "409") || strings.HasPrefix(l, "| state \\ action") ||
				(strings.HasPrefix(l, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |")) {
				lines = append(lines, l)
			}
		}
		if got := strings.Join(lines, "\n") + "\n"; got != table {
			t.Errorf("%s does not show the workflow table; it should read:\n%s\nit reads:\n%s", f, table, got)
		}
	}
	// Every pair is in the table exactly once: allowed or 409.
	for _, s := range servicenet.States {
		if _, ok := servicenet.Workflow[s]; !ok {
			t.Errorf("state %s has no row", s)
		}
		for a, st := range servicenet.Workflow[s] {
			if !strings.Contains(strings.Join(servicenet.Actions, " "), a) || !strings.Contains(strings.Join(servicenet.States, " "), st.Next) {
				t.Errorf("%s → %s: unknown action or state", s, a)
			}
		}
	}
}
