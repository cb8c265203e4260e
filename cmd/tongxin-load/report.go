package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

func openSQL(dsn string) (*sql.DB, error) { return sql.Open(driverOf(dsn), sqlDSN(dsn)) }

// The throughput targets of issue 11, which raised issue 10's (50% of
// either ceiling): a get by id at least 80% of the primary-key ceiling,
// a filtered list of 50 at least 70% of the page ceiling.
const (
	getTarget  = 0.8
	listTarget = 0.7
)

// rate fills in the ratios to the ceilings and checks the targets.
func (r *Result) rate() {
	var pk, pg, pkCPU, pgCPU []float64
	for _, s := range r.Stats {
		if s.Group != "ceiling" {
			continue
		}
		if strings.Contains(s.Phase, "primary-key") {
			pk, pkCPU = append(pk, s.RPS), append(pkCPU, s.CPU)
		} else {
			pg, pgCPU = append(pg, s.RPS), append(pgCPU, s.CPU)
		}
	}
	r.CeilingPKRPS, r.CeilingPage = mean(pk), mean(pg)
	r.CeilingPKCPU, r.CeilingPageCPU = mean(pkCPU), mean(pgCPU)
	for i := range r.Stats {
		s := &r.Stats[i]
		// A run of chosen phases (--phases) may have measured no ceiling:
		// then there is no ratio (not an infinite one).
		switch {
		case s.TurnCeilingRPS > 0 && (s.Group == "get" || s.Group == "list"):
			// Measured in turns with the phase (inTurns).
			s.Ratio, s.Ceiling = s.RPS/s.TurnCeilingRPS, map[string]string{"get": "primary-key", "list": "page"}[s.Group]+" in turns"
			s.CPURatio = ratio(s.CPU, s.TurnCeilingCPU)
		case s.Group == "get" && r.CeilingPKRPS > 0:
			s.Ratio, s.Ceiling = s.RPS/r.CeilingPKRPS, "primary-key"
			s.CPURatio = ratio(s.CPU, r.CeilingPKCPU)
		case s.Group == "list" && r.CeilingPage > 0:
			s.Ratio, s.Ceiling = s.RPS/r.CeilingPage, "page"
			s.CPURatio = ratio(s.CPU, r.CeilingPageCPU)
		}
	}
	add := func(name, want, got string, ok bool) {
		r.Targets = append(r.Targets, Target{name, want, got, ok})
	}
	for _, s := range r.Stats {
		switch s.Group {
		case "get":
			if s.Ceiling != "" {
				add(s.Endpoint+": req/s", fmt.Sprintf("≥ %.0f%% of the primary-key ceiling", 100*getTarget), fmt.Sprintf("%.0f%%", 100*s.Ratio), s.Ratio >= getTarget)
			}
			add(s.Endpoint+": p99", "< 25 ms", fmt.Sprintf("%.1f ms", s.P99), s.P99 < 25)
		case "list":
			if s.Ceiling != "" {
				add(s.Endpoint+": req/s", fmt.Sprintf("≥ %.0f%% of the page ceiling", 100*listTarget), fmt.Sprintf("%.0f%%", 100*s.Ratio), s.Ratio >= listTarget)
			}
			add(s.Endpoint+": p99", "< 25 ms", fmt.Sprintf("%.1f ms", s.P99), s.P99 < 25)
		case "search":
			add(s.Endpoint+": p50", "< 20 ms", fmt.Sprintf("%.1f ms", s.P50), s.P50 < 20)
		case "matrix":
			add(s.Endpoint+": p50", "< 10 ms", fmt.Sprintf("%.1f ms", s.P50), s.P50 < 10)
		case "signups":
			add("sign-ups/s (the scale-write branch's target)", "≥ 2,000/s", fmt.Sprintf("%.0f/s", s.RPS), s.RPS >= 2000)
		case "requests":
			if s.Endpoint == "POST /api/v1/service-requests" {
				add("service requests created/s (the scale-write branch's target; half the phase is actions)", "≥ 1,500/s", fmt.Sprintf("%.0f/s", s.RPS), s.RPS >= 1500)
			}
		}
	}
	errs := 0
	for _, s := range r.Stats {
		errs += s.Errors
	}
	add("errors other than 409", "0", fmt.Sprint(errs), errs == 0)
	add("capacity never exceeded (DB check after the run)", "0 overbooked", fmt.Sprintf("%d overbooked (%d registered in the run)", r.Overbooked, r.Registered), r.Overbooked == 0)
	add("start-up to ready", "< 1 s", joinF(r.StartupMS, "%.0f ms"), slices.Max(r.StartupMS) < 1000)
	add("server resident memory (peak VmRSS sampled / VmHWM)", "< 250 MB", joinF(r.RSSPeakMB, "%.0f")+" / "+joinF(r.RSSHWMMB, "%.0f MB"), slices.Max(r.RSSHWMMB) < 250)
}

func ratio(x, y float64) float64 {
	if y == 0 {
		return 0
	}
	return x / y
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t / float64(len(xs))
}

func joinF(xs []float64, f string) string {
	var s []string
	for _, x := range xs {
		s = append(s, fmt.Sprintf(f, x))
	}
	return strings.Join(s, ", ")
}

func (r *Result) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Load benchmark — %s\n\n", r.Engine)
	fmt.Fprintf(&b, "%s · scale %s (seed %d) · %d clients · %d replica(s) · %d CPUs · %.0f s per phase · generation %.1f s%s\n\n",
		r.Started.Format("2006-01-02 15:04 MST"), r.Scale, r.Seed, r.Clients, r.Replicas, r.CPUs, r.PhaseSeconds, r.GenSeconds, map[bool]string{true: " (cached)"}[r.GenCached])
	fmt.Fprintf(&b, "Ceilings: primary-key read %.0f req/s, page of 50 %.0f req/s (bare Go handlers, same engine and driver, same client; the mean of the first and last phases). A ratio \"in turns\" is to the ceiling measured in slices alternating with the phase's own (--turns), so that both see the same moments of the shared machine.\n\n", r.CeilingPKRPS, r.CeilingPage)
	b.WriteString("Server CPU: the server's CPU time per request of the phase (every replica; in a ceiling phase the ceiling's process; on PostgreSQL with every postgres process of the machine), and that over the same ceiling's.\n\n")
	b.WriteString("| phase | endpoint | req/s | p50 ms | p95 ms | p99 ms | errors | 409 | ratio | server CPU µs/req |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, s := range r.Stats {
		ratio, cpu := "", ""
		if s.Ratio > 0 {
			ratio = fmt.Sprintf("%.0f%% of %s", 100*s.Ratio, s.Ceiling)
			if s.TurnCeilingRPS > 0 {
				ratio += fmt.Sprintf(" (%.0f req/s)", s.TurnCeilingRPS)
			}
		}
		if s.CPU > 0 {
			cpu = fmt.Sprintf("%.0f", s.CPU)
		}
		if s.CPURatio > 0 {
			cpu += fmt.Sprintf(" (%.2f× ceiling)", s.CPURatio)
		}
		ph := s.Group
		if s.Group == "ceiling" {
			ph, s.Endpoint = "ceiling", strings.TrimPrefix(s.Phase, "ceiling: ")
		}
		fmt.Fprintf(&b, "| %s | %s | %.0f | %.1f | %.1f | %.1f | %d | %d | %s | %s |\n", ph, strings.ReplaceAll(s.Endpoint, "|", "\\|"), s.RPS, s.P50, s.P95, s.P99, s.Errors, s.Conflicts, ratio, cpu)
	}
	b.WriteString("\n| target | want | got | |\n| --- | --- | --- | --- |\n")
	for _, t := range r.Targets {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", t.Name, t.Want, t.Got, map[bool]string{true: "met", false: "**missed**"}[t.OK])
	}
	var samples []string
	for _, s := range r.Stats {
		for _, x := range s.Samples {
			samples = append(samples, "- "+s.Endpoint+": "+x)
		}
	}
	if len(samples) > 0 {
		b.WriteString("\nError samples:\n\n" + strings.Join(samples, "\n") + "\n")
	}
	if len(r.DBPool) > 0 {
		b.WriteString("\nDatabase pools, principal lookups (hit: remembered; bypass: read, the cache not trusted) and dashboard answers (hit: reused; miss: computed; shared: waited for a computation under way) after the run:\n\n```\n" + strings.Join(r.DBPool, "\n") + "\n```\n")
	}
	for _, n := range r.Notes {
		b.WriteString("\nNote: " + n + "\n")
	}
	return b.String()
}

// write saves the result as load-<engine>[-rN].json and .md and prints
// the table.
func (r *Result) write(dir string) error {
	name := "load-" + r.Engine
	if r.Replicas > 1 {
		name += fmt.Sprintf("-%dreplicas", r.Replicas)
	}
	j, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	md := r.markdown()
	fmt.Println(md)
	if err := os.WriteFile(filepath.Join(dir, name+".json"), append(j, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s and .md\n", filepath.Join(dir, name+".json"))
	return os.WriteFile(filepath.Join(dir, name+".md"), []byte(md), 0o644)
}
