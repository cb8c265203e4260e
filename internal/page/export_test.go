package page

// SetCountMode makes Rows count the rows on every page ("before": the
// behaviour before this file knew better), count on every page but from a
// Counter when there is one ("always"), never ("never": the page alone,
// the floor) or as it does ("needed"), for the benchmark's before/after in
// one run. Not safe while lists run.
func SetCountMode(m string) {
	countMode = map[string]int{"needed": countNeeded, "always": countAlways, "never": countNever, "before": countRows}[m]
}
