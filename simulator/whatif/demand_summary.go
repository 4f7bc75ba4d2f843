package whatif

import (
	"fmt"
	"math"
	"os"

	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/report"
)

// Capacity is what a cluster can run at once: its workers' allocatable
// and its serverless backends' CPU quota.
type Capacity struct {
	WorkersCPUMilli, WorkersMemBytes int64
	// QuotaCPUMilli is the sum of the CPU quotas of the virtual nodes'
	// backends; -1 when a backend has none (no bound), 0 with no virtual
	// node.
	QuotaCPUMilli int64
}

// CapacityOf sums the cluster's workers and serverless quotas.
func CapacityOf(c *cluster.Cluster) Capacity {
	var out Capacity
	for _, d := range c.Dedicated {
		if d.Workload {
			a := d.Node.Status.Allocatable
			out.WorkersCPUMilli += a.Cpu().MilliValue()
			out.WorkersMemBytes += a.Memory().Value()
		}
	}
	seen := map[string]bool{}
	for _, v := range c.Virtual {
		if seen[v.Backend.Name] || out.QuotaCPUMilli < 0 {
			continue
		}
		seen[v.Backend.Name] = true
		if q := v.Backend.Limits.QuotaCPU; q != nil {
			out.QuotaCPUMilli += q.MilliValue()
		} else {
			out.QuotaCPUMilli = -1
		}
	}
	return out
}

// DemandText says the trace's peak demand (from the bound's walk) against
// the cluster's capacity, and, as a second value, a warning when the
// peak CPU is above the workers' allocatable plus the serverless quota or
// the peak memory above the workers' allocatable with no virtual node
// (most pods would then wait, and a run can take very long): scale the
// trace (import --request-scale, --max-replicas) or the cluster.
func DemandText(b report.Bound, c Capacity) (summary, warning string) {
	gi := func(v int64) string { return fmt.Sprintf("%.1f GiB", float64(v)/(1<<30)) }
	cores := func(v int64) string { return fmt.Sprintf("%.1f CPU", float64(v)/1000) }
	quota := "no serverless quota"
	switch {
	case c.QuotaCPUMilli > 0:
		quota = "a serverless quota of " + cores(c.QuotaCPUMilli)
	case c.QuotaCPUMilli == 0:
		quota = "no serverless capacity"
	}
	summary = fmt.Sprintf("Peak demand: %s and %s at once; the workers hold %s and %s, with %s.",
		cores(b.PeakCPUMilli), gi(b.PeakMemBytes), cores(c.WorkersCPUMilli), gi(c.WorkersMemBytes), quota)
	if b.PodsNowhere > 0 {
		summary += fmt.Sprintf(" %d pods fit no worker and no backend.", b.PodsNowhere)
	}
	capCPU := math.Inf(1)
	if c.QuotaCPUMilli >= 0 {
		capCPU = float64(c.WorkersCPUMilli + c.QuotaCPUMilli)
	}
	over := ""
	switch {
	case float64(b.PeakCPUMilli) > capCPU:
		over = fmt.Sprintf("its peak CPU is %.1fx the workers' allocatable plus the serverless quota", float64(b.PeakCPUMilli)/capCPU)
	case c.QuotaCPUMilli == 0 && b.PeakMemBytes > c.WorkersMemBytes:
		over = fmt.Sprintf("its peak memory is %.1fx the workers' allocatable", float64(b.PeakMemBytes)/float64(c.WorkersMemBytes))
	}
	if over != "" {
		warning = "Warning: the trace does not fit the cluster: " + over +
			", so pods will wait and a simulation may take long. Scale the trace (import --request-scale, --max-replicas) or the cluster."
	}
	return summary, warning
}

// DemandOf is DemandText for the trace file at path on cluster file f
// (nil: the default cluster), built with o's catalogs.
func DemandOf(o Options, f *cluster.File) (summary, warning string, err error) {
	if f == nil {
		f = cluster.Default()
	}
	c, err := f.Build(o.Prices, o.Backends)
	if err != nil {
		return "", "", err
	}
	tf, err := os.Open(o.TracePath)
	if err != nil {
		return "", "", err
	}
	defer tf.Close()
	b, err := FluidOracle(tf, o.TracePath, c, o.Until)
	if err != nil {
		return "", "", err
	}
	s, w := DemandText(b, CapacityOf(c))
	return s, w, nil
}

// FluidOracleFile is FluidOracle on the trace file at path.
func FluidOracleFile(path string, c *cluster.Cluster, until float64) (report.Bound, error) {
	f, err := os.Open(path)
	if err != nil {
		return report.Bound{}, err
	}
	defer f.Close()
	return FluidOracle(f, path, c, until)
}
