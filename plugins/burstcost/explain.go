package burstcost

import (
	"context"
	"sync"

	v1 "k8s.io/api/core/v1"
	"k8s.io/component-base/metrics"
	"k8s.io/component-base/metrics/legacyregistry"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
)

// BackendVM is the backend label of placements on dedicated VMs.
const BackendVM = "vm"

var (
	placements = metrics.NewCounterVec(&metrics.CounterOpts{
		Namespace:      "spillway",
		Name:           "placements_total",
		Help:           "Pods bound by a profile with BurstCost, by backend (vm for dedicated nodes).",
		StabilityLevel: metrics.ALPHA,
	}, []string{"backend"})
	estimatedSpend = metrics.NewCounterVec(&metrics.CounterOpts{
		Namespace:      "spillway",
		Name:           "estimated_spend_usd_total",
		Help:           "BurstCost's cost estimate of the pods it placed, over their expected lifetimes, by backend (USD; marginal cost for VMs).",
		StabilityLevel: metrics.ALPHA,
	}, []string{"backend"})
	registerMetrics sync.Once
)

// RegisterMetrics registers the plugin's metrics with the component-base
// legacy registry (served on the scheduler's /metrics).
func RegisterMetrics() {
	registerMetrics.Do(func() { legacyregistry.MustRegister(placements, estimatedSpend, catalogAge, catalogFailures) })
}

// placement explains why the pod went where it went.
type placement struct {
	node    string
	backend string
	usd     float64
	score   int64
}

// Reserve works out the chosen node's cost estimate for the placement log
// and metrics, while the scheduling cycle's snapshot is still valid.
func (pl *BurstCost) Reserve(ctx context.Context, state fwk.CycleState, pod *v1.Pod, nodeName string) *fwk.Status {
	s, err := readState(state)
	if err != nil {
		// A single feasible node skips PreScore and Score (often the
		// overflow to a virtual node): estimate now.
		s = pl.estimate(ctx, state, pod)
		state.Write(stateKey, s)
	}
	nodeInfo, err := pl.handle.SnapshotSharedLister().NodeInfos().Get(nodeName)
	if err != nil {
		return nil
	}
	usd, b := pl.nodeCost(s, nodeInfo)
	p := &placement{node: nodeName, backend: BackendVM, usd: usd, score: -1}
	if b != nil {
		p.backend = b.Name
	}
	for _, ns := range s.normalized {
		if ns.Name == nodeName {
			p.score = ns.Score
			break
		}
	}
	s.placed = p
	return nil
}

// Unreserve forgets the explanation of a placement that failed.
func (pl *BurstCost) Unreserve(_ context.Context, state fwk.CycleState, _ *v1.Pod, _ string) {
	if s, err := readState(state); err == nil {
		s.placed = nil
	}
}

// PostBind logs the placement at verbosity 4 and counts it in the metrics.
func (pl *BurstCost) PostBind(ctx context.Context, state fwk.CycleState, pod *v1.Pod, _ string) {
	s, err := readState(state)
	if err != nil || s.placed == nil {
		return
	}
	p := s.placed
	placements.WithLabelValues(p.backend).Inc()
	estimatedSpend.WithLabelValues(p.backend).Add(p.usd)
	if l := klog.FromContext(ctx).V(4); l.Enabled() {
		// Checked first: naming the logger and boxing the values allocate.
		klog.LoggerWithName(l, Name).Info("Placed pod", "pod", klog.KObj(pod), "node", p.node, "backend", p.backend,
			"score", p.score, "estimatedUSD", p.usd, "expectedSeconds", s.horizon.seconds, "horizonSource", s.horizon.source)
	}
}
