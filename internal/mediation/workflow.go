package mediation

import (
	"fmt"
	"strings"

	"tongxin/internal/workflow"
)

// Case states (the workflow): intake → accepted → scheduled → in
// mediation → settled | failed → referred to arbitration → closed; or
// withdrawn.
const (
	Intake      = "intake"
	Accepted    = "accepted"
	Scheduled   = "scheduled"
	InMediation = "in_mediation"
	Settled     = "settled"
	Failed      = "failed"
	Referred    = "referred"
	Closed      = "closed"
	Withdrawn   = "withdrawn"
)

// States lists every state, in workflow order.
var States = []string{Intake, Accepted, Scheduled, InMediation, Settled, Failed, Referred, Closed, Withdrawn}

// Actions lists every action of the workflow. "schedule" is taken by
// scheduling a hearing (POST …/hearings), "settle" needs an agreement
// signed by both sides, "refer" before failure needs the 15 days to have
// passed (Clock), "extend" is allowed once.
var Actions = []string{"accept", "schedule", "start", "settle", "fail", "refer", "extend", "close", "withdraw"}

// Who may take a step.
const (
	// Staff steps: the legal-service staff of the case's park.
	Staff = "staff"
	// Mediator steps: the staff, or the case's assigned mediator.
	Mediator = "mediator"
	// Applicant steps: the staff, or the applicant (withdrawing).
	Applicant = "applicant"
)

// Step is one allowed transition.
type Step struct {
	Next string
	By   string
}

// Workflow is the case workflow: for each state, the actions allowed in it
// and where each leads. Every other (state, action) pair is refused with
// ECONFLICT. It is the one source of the rules: the service applies it,
// the OpenAPI description and the README render it (WorkflowTable), and
// the tests walk every pair.
var Workflow = map[string]map[string]Step{
	Intake: {
		"accept":   {Accepted, Staff},
		"withdraw": {Withdrawn, Applicant},
	},
	Accepted: {
		"schedule": {Scheduled, Mediator},
		"refer":    {Referred, Mediator}, // only once the clock flags the case
		"withdraw": {Withdrawn, Applicant},
	},
	Scheduled: {
		"schedule": {Scheduled, Mediator}, // another hearing
		"start":    {InMediation, Mediator},
		"refer":    {Referred, Mediator}, // only once the clock flags the case
		"withdraw": {Withdrawn, Applicant},
	},
	InMediation: {
		"schedule": {InMediation, Mediator}, // a further (or separate) session
		"settle":   {Settled, Mediator},
		"fail":     {Failed, Mediator},
		"refer":    {Referred, Mediator}, // only once the clock flags the case
		"withdraw": {Withdrawn, Applicant},
	},
	Settled: {
		"close": {Closed, Mediator},
	},
	Failed: {
		"refer": {Referred, Mediator},
		"close": {Closed, Mediator},
	},
	Referred: {
		"extend": {Referred, Mediator}, // once: the arbitration deadline +15 days
		"close":  {Closed, Mediator},
	},
	Closed:    {},
	Withdrawn: {},
}

// Open reports whether a case is still in mediation: the 15-day clock
// applies to it.
func Open(state string) bool {
	switch state {
	case Intake, Accepted, Scheduled, InMediation:
		return true
	}
	return false
}

// NextActions are the actions Workflow allows from state, in Actions order.
// Every caller shares the state's slice (a list shows it on each row):
// read it, never change it; it is clipped, so an append copies.
func NextActions(state string) []string {
	if next, ok := nextActions[state]; ok {
		return next
	}
	return []string{}
}

var nextActions = workflow.Next(Workflow, Actions)

// WorkflowTable renders Workflow as a Markdown table (states down, actions
// across).
func WorkflowTable() string {
	var b strings.Builder
	b.WriteString("| state \\ action |")
	for _, a := range Actions {
		b.WriteString(" " + a + " |")
	}
	b.WriteString("\n| --- |")
	for range Actions {
		b.WriteString(" --- |")
	}
	b.WriteString("\n")
	for _, s := range States {
		fmt.Fprintf(&b, "| %s |", s)
		for _, a := range Actions {
			if st, ok := Workflow[s][a]; ok {
				fmt.Fprintf(&b, " → %s (%s) |", st.Next, st.By)
			} else {
				b.WriteString(" 409 |")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
