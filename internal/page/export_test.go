package page

// SetCountMode makes Rows count on every page ("always", the behaviour
// before the first page could stand for its total), never ("never": the
// page alone, the floor) or as it does ("needed"), for the benchmark's
// before/after in one run. Not safe while lists run.
func SetCountMode(m string) {
	countMode = map[string]int{"needed": countNeeded, "always": countAlways, "never": countNever}[m]
}
