package servicenet

import (
	"fmt"
	"strings"

	"tongxin/internal/workflow"
)

// Request states (API.md).
const (
	Submitted  = "submitted"
	Accepted   = "accepted"
	Assigned   = "assigned"
	InProgress = "in_progress"
	Resolved   = "resolved"
	Closed     = "closed"
	Rejected   = "rejected"
)

// States lists every state, in workflow order.
var States = []string{Submitted, Accepted, Assigned, InProgress, Resolved, Closed, Rejected}

// Actions lists every action a caller may post.
var Actions = []string{"accept", "assign", "start", "resolve", "close", "reject", "reopen", "rate"}

// Who may take a step.
const (
	// Staff steps need service_request.work over the request's point.
	Staff = "staff"
	// Party steps may be taken by the staff or by whoever filed the
	// request (closing it, reopening it, rating it).
	Party = "party"
)

// Step is one allowed transition.
type Step struct {
	Next string // the state after the step
	By   string // Staff or Party
}

// Workflow is the request workflow: for each state, the actions allowed
// in it and where each leads. Every other (state, action) pair is refused
// with ECONFLICT. It is the one source of the rules: the service applies
// it, the README and the OpenAPI description render it (WorkflowTable),
// and the tests walk every pair.
//
// Two steps carry a rule beyond the table: reject needs a note (the
// reason), and rate (1–5) is allowed once, after the request is resolved.
var Workflow = map[string]map[string]Step{
	Submitted: {
		"accept": {Accepted, Staff},
		"assign": {Assigned, Staff},
		"reject": {Rejected, Staff},
	},
	Accepted: {
		"assign": {Assigned, Staff},
		"start":  {InProgress, Staff},
		"reject": {Rejected, Staff},
	},
	Assigned: {
		"assign": {Assigned, Staff}, // hand it to someone else
		"start":  {InProgress, Staff},
		"reject": {Rejected, Staff},
	},
	InProgress: {
		"assign":  {InProgress, Staff}, // hand it over while it is worked
		"resolve": {Resolved, Staff},
	},
	Resolved: {
		"close":  {Closed, Party},
		"reopen": {Accepted, Party}, // back to the point's queue, with a new deadline
		"rate":   {Resolved, Party},
	},
	Closed: {
		"rate": {Closed, Party},
	},
	Rejected: {},
}

// Open reports whether a request in state is still being worked: the SLA
// clock runs and Open311 calls it "open".
func Open(state string) bool {
	switch state {
	case Resolved, Closed, Rejected:
		return false
	}
	return true
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
// across): the README and the OpenAPI description show exactly this.
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
				who := ""
				if st.By == Party {
					who = " (staff or requester)"
				}
				fmt.Fprintf(&b, " → %s%s |", st.Next, who)
			} else {
				b.WriteString(" 409 |")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
