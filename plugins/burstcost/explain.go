package burstcost

import (
	"context"
	"math"
	"sync"

	v1 "k8s.io/api/core/v1"
	"k8s.io/component-base/metrics"
	"k8s.io/component-base/metrics/legacyregistry"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/spillway-dev/spillway/plugins/internal/explain"
)

// BackendVM is the backend label of placements on dedicated VMs.
const BackendVM = explain.BackendVM

var (
	placements = metrics.NewCounterVec(&metrics.CounterOpts{
		Namespace:      "spillway",
		Name:           "placements_total",
		Help:           "Pods bound by a profile with BurstCost, by profile and backend (vm for dedicated nodes).",
		StabilityLevel: metrics.ALPHA,
	}, []string{"profile", "backend"})
	estimatedSpend = metrics.NewCounterVec(&metrics.CounterOpts{
		Namespace:      "spillway",
		Name:           "estimated_spend_usd_total",
		Help:           "BurstCost's cost estimate of the pods it placed, over their expected lifetimes, by profile and backend (USD; marginal cost for VMs).",
		StabilityLevel: metrics.ALPHA,
	}, []string{"profile", "backend"})
	registerMetrics sync.Once
)

// RegisterMetrics registers the plugin's metrics with the component-base
// legacy registry (served on the scheduler's /metrics). The refresh
// failure counters start at 0, so that a rate or an alert on them has a
// series before the first failure.
func RegisterMetrics() {
	registerMetrics.Do(func() {
		legacyregistry.MustRegister(placements, estimatedSpend, catalogAge, catalogFailures)
		catalogFailures.WithLabelValues("refresh").Add(0)
		catalogFailures.WithLabelValues("file").Add(0)
	})
}

// placement explains why the pod went where it went.
type placement struct {
	node    string
	backend string
	usd     float64
	score   int64
	// alt is the cheapest feasible node of the other kind (set only when
	// the placement is explained on the pod).
	altBackend string
	altUSD     float64
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
	if p.backend != BackendVM || explain.Peek(state).HasRefusals() {
		p.altBackend, p.altUSD = pl.alternative(s, p.backend != BackendVM)
	}
	s.placed = p
	return nil
}

// alternative is the cheapest scored (feasible) node of the other kind: a
// VM when the pod went serverless, a serverless backend when it went to a
// VM; "" when there was none.
func (pl *BurstCost) alternative(s *preScoreState, wantVM bool) (string, float64) {
	lister := pl.handle.SnapshotSharedLister().NodeInfos()
	best, bestUSD := "", math.Inf(1)
	for _, ns := range s.normalized {
		ni, err := lister.Get(ns.Name)
		if err != nil {
			continue
		}
		usd, b := pl.nodeCost(s, ni)
		if (b == nil) != wantVM || usd >= bestUSD {
			continue
		}
		best, bestUSD = BackendVM, usd
		if b != nil {
			best = b.Name
		}
	}
	return best, bestUSD
}

// Unreserve forgets the explanation of a placement that failed.
func (pl *BurstCost) Unreserve(_ context.Context, state fwk.CycleState, _ *v1.Pod, _ string) {
	if s, err := readState(state); err == nil {
		s.placed = nil
	}
}

// PostBind counts the placement in the metrics, explains it on the pod
// (an Event when it went serverless or a serverless backend refused it)
// and in the log at V(2), and logs the scores at V(4).
func (pl *BurstCost) PostBind(ctx context.Context, state fwk.CycleState, pod *v1.Pod, _ string) {
	s, err := readState(state)
	if err != nil || s.placed == nil {
		return
	}
	p := s.placed
	rec := pl.recorder
	placements.WithLabelValues(rec.Profile, p.backend).Inc()
	estimatedSpend.WithLabelValues(rec.Profile, p.backend).Add(p.usd)
	rec.Placed(ctx, pod, &explain.Placement{Node: p.node, Backend: p.backend, USD: p.usd, Priced: true,
		Seconds: s.horizon.seconds, HorizonSource: s.horizon.source, AltBackend: p.altBackend, AltUSD: p.altUSD}, explain.Peek(state))
	if l := klog.FromContext(ctx).V(4); l.Enabled() {
		// Checked first: naming the logger and boxing the values allocate.
		klog.LoggerWithName(l, Name).Info("Placed pod", "pod", klog.KObj(pod), "node", p.node, "backend", p.backend,
			"score", p.score, "estimatedUSD", p.usd, "expectedSeconds", s.horizon.seconds, "horizonSource", s.horizon.source)
	}
}
