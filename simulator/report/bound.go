package report

import "fmt"

// Bound is the fluid-oracle lower bound of a what-if run's cost: what the
// trace's demand costs on the cluster with perfect packing, no waiting and
// no cold start (whatif.FluidOracle computes it). The report shows it as
// its own row, and each scenario's ratio to min(bound, serverless-only).
type Bound struct {
	// TotalUSD = DedicatedUSD + ServerlessUSD.
	TotalUSD      float64 `json:"total_usd"`
	DedicatedUSD  float64 `json:"dedicated_usd"`
	ServerlessUSD float64 `json:"serverless_usd"`
	// SpanS is the span the VMs are billed for, in seconds.
	SpanS float64 `json:"span_s"`
	// Pods is how many pods the trace creates; PodsNowhere how many of
	// them no worker and no virtual node can run (left out of the bound).
	Pods        int64 `json:"pods"`
	PodsNowhere int64 `json:"pods_nowhere"`
	// PeakCPUMilli and PeakMemBytes are the most the pods the trace wants
	// running at once request (pods that fit nowhere left out), each at
	// its own instant.
	PeakCPUMilli int64 `json:"peak_cpu_milli"`
	PeakMemBytes int64 `json:"peak_mem_bytes"`
}

// BoundName names the bound's row in the comparison.
const BoundName = "fluid-oracle bound"

// ServerlessOnlyName is the scenario the bound is paired with: no
// scenario needs to cost less than the cheaper of the two to be as good
// as it gets.
const ServerlessOnlyName = "serverless-only"

// reference is what "vs bound" divides by: the lower of the bound and
// the serverless-only scenario's total, and which one it is. ok is false
// when the report has no bound.
func reference(r Report) (usd float64, name string, ok bool) {
	if r.Bound == nil {
		return 0, "", false
	}
	usd, name = r.Bound.TotalUSD, BoundName
	for _, s := range r.Scenarios {
		if s.Name == ServerlessOnlyName && s.Result.Summary.Cost.TotalUSD < usd {
			usd, name = s.Result.Summary.Cost.TotalUSD, s.Name
		}
	}
	return usd, name, true
}

// vsBound is a total's ratio to the reference, e.g. "1.071×".
func vsBound(total, ref float64) string {
	if ref <= 0 {
		if total <= 0 {
			return "1.000×"
		}
		return "n/a"
	}
	return fmt.Sprintf("%.3f×", total/ref)
}

// boundRow is the bound's row of the comparison table, in its columns.
func boundRow(r Report, head []string) []string {
	b := r.Bound
	ref, _, _ := reference(r)
	row := make([]string, len(head))
	for i, h := range head {
		switch h {
		case "Scenario":
			row[i] = BoundName
		case "Total $":
			row[i] = fmtUSD(b.TotalUSD)
		case "VMs $":
			row[i] = fmtUSD(b.DedicatedUSD)
		case "Serverless $":
			row[i] = fmtUSD(b.ServerlessUSD)
		case "vs first":
			row[i] = pctChange(b.TotalUSD, r.Scenarios[0].Result.Summary.Cost.TotalUSD)
		case "vs bound":
			row[i] = vsBound(b.TotalUSD, ref)
		case "Unscheduled":
			row[i] = fmtInt(b.PodsNowhere)
		default:
			row[i] = "—"
		}
	}
	return row
}

// boundNote explains the bound's row and the "vs bound" column.
func boundNote(r Report) string {
	ref, name, ok := reference(r)
	if !ok {
		return ""
	}
	return fmt.Sprintf("The %s is what no schedule can beat on this cluster: the VMs for the whole span, "+
		"and the demand above the workers' allocatable (CPU and memory packed together, pods split at will) "+
		"paid per second at the cheapest serverless rates, with no waiting and no cold start; "+
		"its Unscheduled counts the pods no worker or backend can run, left out. "+
		"vs bound divides each total by the lower of the bound and %s: %s (%s).",
		BoundName, ServerlessOnlyName, fmtUSD(ref), name)
}

// boundVerdict is the verdict's sentence on the bound for the chosen
// scenario best.
func boundVerdict(r Report, best Scenario) string {
	ref, name, ok := reference(r)
	switch {
	case !ok:
		return ""
	case name == BoundName:
		return fmt.Sprintf(" It costs %s the fluid-oracle lower bound (%s), the least any schedule could pay on this cluster.",
			vsBound(best.Result.Summary.Cost.TotalUSD, ref), fmtUSD(ref))
	case best.Name == name:
		return fmt.Sprintf(" It costs less than the fluid-oracle bound of the cluster with its workers (%s): at these prices the workers cannot pay for themselves, even perfectly packed.",
			fmtUSD(r.Bound.TotalUSD))
	}
	return fmt.Sprintf(" It costs %s %s (%s), which costs less than the fluid-oracle bound of the cluster with its workers (%s).",
		vsBound(best.Result.Summary.Cost.TotalUSD, ref), name, fmtUSD(ref), fmtUSD(r.Bound.TotalUSD))
}
