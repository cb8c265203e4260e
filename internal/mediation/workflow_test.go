package mediation

import (
	"os"
	"strings"
	"testing"
)

// The OpenAPI description of the actions route shows WorkflowTable as it
// is; TONGXIN_PRINT_WORKFLOW=1 prints it to paste.
func TestWorkflowTableIsDocumented(t *testing.T) {
	if os.Getenv("TONGXIN_PRINT_WORKFLOW") != "" {
		t.Log("\n" + WorkflowTable())
	}
	doc, err := os.ReadFile("mediationapi/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(WorkflowTable()), "\n") {
		if !strings.Contains(string(doc), "        "+line+"\n") {
			t.Errorf("openapi.yaml lacks the workflow row %q", line)
		}
	}
}

// Every state has a row, every step leads to a known state, and the only
// terminal states are closed and withdrawn.
func TestWorkflowIsClosed(t *testing.T) {
	for _, s := range States {
		steps, ok := Workflow[s]
		if !ok {
			t.Fatalf("no row for %s", s)
		}
		for a, st := range steps {
			if _, ok := Workflow[st.Next]; !ok {
				t.Errorf("%s --%s--> unknown %s", s, a, st.Next)
			}
		}
		if len(steps) == 0 && s != Closed && s != Withdrawn {
			t.Errorf("%s is a dead end", s)
		}
	}
}

func TestCapital(t *testing.T) {
	for fen, want := range map[int64]string{
		0: "零元整", 5: "伍分", 105: "壹元零伍分", 1234560: "壹万贰仟叁佰肆拾伍元陆角整", 10000000: "壹拾万元整", 100500: "壹仟零伍元整",
		1000100: "壹万零壹元整", 10050000: "壹拾万零伍佰元整", 3800000: "叁万捌仟元整", 100000000000: "壹拾亿元整", 2030: "贰拾元叁角整",
	} {
		if got := Capital(fen); got != want {
			t.Errorf("Capital(%d) = %s, want %s", fen, got, want)
		}
	}
	if Yuan(1234560) != "12345.60" || Yuan(5) != "0.05" {
		t.Error("Yuan")
	}
}
