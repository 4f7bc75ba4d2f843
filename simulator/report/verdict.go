package report

import (
	"fmt"
	"math"
	"strings"
)

// Objectives are what a scenario must meet to be called the cheapest: a
// scenario that is cheap because pods wait for hours, or never start, is
// not a way to run the workload.
type Objectives struct {
	// P99StartLatencyS bounds the p99 start latency of the pods that
	// started, in seconds; 0: no bound.
	P99StartLatencyS float64 `json:"p99_start_latency_s,omitempty"`
	// MaxUnscheduled bounds the pods never placed; negative: the fewest
	// any scenario leaves plus 1% of the scenario's pods (the pods no
	// scenario can place do not count against one).
	MaxUnscheduled int64 `json:"max_unscheduled"`
}

// DefaultObjectives are spillway whatif's: p99 start latency at most
// 5 minutes, and no more pods unscheduled than the fewest any scenario
// leaves plus 1% of the pods.
func DefaultObjectives() Objectives {
	return Objectives{P99StartLatencyS: 300, MaxUnscheduled: -1}
}

// String says the objectives in words.
func (o Objectives) String() string {
	var parts []string
	if o.P99StartLatencyS > 0 {
		parts = append(parts, fmt.Sprintf("p99 start latency at most %s s", fmtSec(o.P99StartLatencyS)))
	}
	if o.MaxUnscheduled >= 0 {
		parts = append(parts, fmt.Sprintf("at most %s pods unscheduled", fmtInt(o.MaxUnscheduled)))
	} else {
		parts = append(parts, "no more pods unscheduled than the fewest any scenario leaves plus 1% of the pods")
	}
	return joinAnd(parts)
}

// objectives are the report's, or the unscheduled rule alone.
func (r Report) objectives() Objectives {
	if r.Objectives != nil {
		return *r.Objectives
	}
	return Objectives{MaxUnscheduled: -1}
}

// misses lists the objectives scenario s misses, in words; none: it
// meets them. minUnsched is the fewest pods any scenario leaves.
func (o Objectives) misses(s Scenario, minUnsched int64) []string {
	var out []string
	sum := s.Result.Summary
	if o.P99StartLatencyS > 0 {
		switch {
		case !computeStats(s).started && sum.Pods.Total > 0:
			out = append(out, "no pod started")
		case computeStats(s).started && sum.StartLatency.P99 > o.P99StartLatencyS:
			out = append(out, fmt.Sprintf("p99 start latency %s s > %s s", fmtSec(sum.StartLatency.P99), fmtSec(o.P99StartLatencyS)))
		}
	}
	limit := float64(o.MaxUnscheduled)
	if o.MaxUnscheduled < 0 {
		limit = float64(minUnsched) + 0.01*float64(sum.Pods.Total)
	}
	if float64(sum.Pods.Unscheduled) > limit {
		out = append(out, fmt.Sprintf("%s pods unscheduled > %s", fmtInt(sum.Pods.Unscheduled), fmtInt(int64(math.Floor(limit)))))
	}
	return out
}

// Verdict is one paragraph computed from the data: the cheapest scenario
// among those that meet the objectives, what it saves against each other
// one, how its p99 start latency compares, and which scenarios were left
// out for missing which objective.
func Verdict(r Report) string {
	if len(r.Scenarios) == 0 {
		return ""
	}
	obj := r.objectives()
	minUnsched, fewest := r.Scenarios[0].Result.Summary.Pods.Unscheduled, 0
	for i, s := range r.Scenarios {
		if n := s.Result.Summary.Pods.Unscheduled; n < minUnsched {
			minUnsched, fewest = n, i
		}
	}
	missed := make([][]string, len(r.Scenarios))
	best, cheapest := -1, 0
	var left []string
	for i, s := range r.Scenarios {
		cost := s.Result.Summary.Cost.TotalUSD
		if cost < r.Scenarios[cheapest].Result.Summary.Cost.TotalUSD {
			cheapest = i
		}
		if missed[i] = obj.misses(s, minUnsched); len(missed[i]) > 0 {
			left = append(left, fmt.Sprintf("%s (%s: %s)", s.Name, fmtUSD(cost), strings.Join(missed[i], ", ")))
			continue
		}
		if best < 0 || cost < r.Scenarios[best].Result.Summary.Cost.TotalUSD {
			best = i
		}
	}
	var sb strings.Builder
	if best < 0 {
		c := r.Scenarios[cheapest]
		fmt.Fprintf(&sb, "No scenario meets the objectives (%s). The least costly, %s at %s, misses %s.",
			obj, c.Name, fmtUSD(c.Result.Summary.Cost.TotalUSD), joinAnd(missed[cheapest]))
		if len(r.Scenarios) > 1 {
			fmt.Fprintf(&sb, " Each scenario and what it misses: %s.", joinAnd(left))
		}
		return sb.String()
	}
	b := r.Scenarios[best]
	bs := b.Result.Summary
	if len(r.Scenarios) == 1 {
		fmt.Fprintf(&sb, "Only one scenario: %s costs %s with a p99 start latency of %s.",
			b.Name, fmtUSD(bs.Cost.TotalUSD), p99Text(b))
		sb.WriteString(unschedText(r, best, fewest, minUnsched))
		sb.WriteString(boundVerdict(r, b))
		return sb.String()
	}
	var saves, worse, same []string
	for i, o := range r.Scenarios {
		if i == best || len(missed[i]) > 0 {
			continue
		}
		ot := o.Result.Summary.Cost.TotalUSD
		d := ot - bs.Cost.TotalUSD
		if math.Round(d*100) == 0 {
			same = append(same, o.Name)
		} else {
			saves = append(saves, fmt.Sprintf("%s (%s) vs %s", fmtUSD(d), fmtPct(100*d/ot), o.Name))
		}
		if computeStats(b).started && computeStats(o).started &&
			math.Round(bs.StartLatency.P99*10) > math.Round(o.Result.Summary.StartLatency.P99*10) {
			worse = append(worse, fmt.Sprintf("%s (%s s)", o.Name, fmtSec(o.Result.Summary.StartLatency.P99)))
		}
	}
	if len(left) > 0 {
		fmt.Fprintf(&sb, "%s is the cheapest scenario that meets the objectives (%s), at %s", b.Name, obj, fmtUSD(bs.Cost.TotalUSD))
	} else {
		fmt.Fprintf(&sb, "%s is the cheapest scenario at %s", b.Name, fmtUSD(bs.Cost.TotalUSD))
	}
	if len(saves) > 0 {
		fmt.Fprintf(&sb, ": it saves %s", joinAnd(saves))
	}
	if len(same) > 0 {
		fmt.Fprintf(&sb, "; it costs the same as %s", joinAnd(same))
	}
	fmt.Fprintf(&sb, ". Its p99 start latency (%s) ", p99Text(b))
	switch {
	case !computeStats(b).started:
		sb.WriteString("cannot be compared.")
	case len(worse) == 0:
		sb.WriteString("is no worse than that of any other scenario that meets the objectives.")
	default:
		fmt.Fprintf(&sb, "is worse than that of %s.", joinAnd(worse))
	}
	sb.WriteString(unschedText(r, best, fewest, minUnsched))
	if len(left) > 0 {
		fmt.Fprintf(&sb, " Left out for missing an objective: %s.", joinAnd(left))
	}
	sb.WriteString(boundVerdict(r, b))
	return sb.String()
}

// unschedText says how many pods the chosen scenario leaves unscheduled,
// against the fewest any scenario leaves, without contradicting itself.
func unschedText(r Report, best, fewest int, minUnsched int64) string {
	n := r.Scenarios[best].Result.Summary.Pods.Unscheduled
	switch {
	case n == 0:
		return ""
	case len(r.Scenarios) == 1:
		return fmt.Sprintf(" It leaves %s pods unscheduled.", fmtInt(n))
	case n == minUnsched:
		return fmt.Sprintf(" It leaves %s pods unscheduled, as few as any scenario.", fmtInt(n))
	}
	return fmt.Sprintf(" It leaves %s pods unscheduled; %s leaves the fewest, %s.", fmtInt(n), r.Scenarios[fewest].Name, fmtInt(minUnsched))
}
