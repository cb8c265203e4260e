# Summarises `go test -bench` output of internal/e2e: requests per second
# of each benchmark, and each API benchmark as a ratio to /healthz (the
# bare handler) of the same engine in the same run.
/^Benchmark/ {
	for (i = 1; i < NF; i++) if ($(i + 1) == "req/s") {
		name = $1; sub(/-[0-9]+$/, "", name); rps[name] = $i
		printf "%-34s %10.0f req/s\n", name, $i
	}
}
END {
	for (n in rps) {
		split(n, part, "/")
		if (part[1] == "BenchmarkHealthz") continue
		h = rps["BenchmarkHealthz/" part[2]]
		if (h > 0) printf "%-34s %6.3f of healthz\n", n, rps[n] / h
	}
}
