// Package burstcost implements the BurstCost plugin: it scores every
// feasible node by what running the pod there is expected to cost, so paid-
// for VMs win until they are full and the cheapest serverless backend
// takes the overflow.
package burstcost

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	batchlisters "k8s.io/client-go/listers/batch/v1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework"
	"k8s.io/utils/clock"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/plugins/apis/config"
	"github.com/spillway-dev/spillway/plugins/apis/config/validation"
	"github.com/spillway-dev/spillway/plugins/internal/catalogs"
	"github.com/spillway-dev/spillway/plugins/internal/cyclestate"
	"github.com/spillway-dev/spillway/plugins/internal/explain"
	"github.com/spillway-dev/spillway/plugins/internal/podprofile"
	"github.com/spillway-dev/spillway/plugins/internal/workload"
)

// Name is the plugin's name in a scheduler profile.
const Name = "BurstCost"

const stateKey fwk.StateKey = Name

// instanceTypeLabel names a node's instance type, the key to its price.
const instanceTypeLabel = "node.kubernetes.io/instance-type"

// BurstCost scores nodes by the expected cost of running the pod on them.
type BurstCost struct {
	handle   framework.Handle
	args     config.BurstCostArgs
	pricing  cost.PricingOption
	backends *backends.Catalog
	// current is the price catalog in use; the background refresh and
	// file reload swap it, PreScore loads it once per pod.
	current atomic.Pointer[priced]
	// base is the catalog a refresh starts from: priceCatalogFile's last
	// good version, or the embedded catalog.
	base    atomic.Pointer[cost.Catalog]
	history *workload.Tracker
	jobs    batchlisters.JobLister
	// recorder explains placements on the pods (Events) and carries the
	// metrics' profile label.
	recorder *explain.Recorder
}

var (
	_ framework.PreScorePlugin = &BurstCost{}
	_ framework.ScorePlugin    = &BurstCost{}
	_ framework.ReservePlugin  = &BurstCost{}
	_ framework.PostBindPlugin = &BurstCost{}
)

// New builds the plugin from its args; bad args or unreadable catalogs fail
// the scheduler's start. It starts the background reload of
// priceCatalogFile and the price refresh (when configured), which stop
// with ctx.
func New(ctx context.Context, obj runtime.Object, h framework.Handle) (framework.Plugin, error) {
	pl, err := NewWithClock(ctx, obj, h, clock.RealClock{})
	if err != nil {
		return nil, err
	}
	pl.startBackground(ctx, clock.RealClock{})
	return pl, nil
}

// NewWithClock is New with the clock that times pod lifetimes (the
// simulator passes its virtual clock).
func NewWithClock(_ context.Context, obj runtime.Object, h framework.Handle, clk clock.PassiveClock) (*BurstCost, error) {
	args, ok := obj.(*config.BurstCostArgs)
	if !ok {
		return nil, fmt.Errorf("%s: want args of type BurstCostArgs, got %T", Name, obj)
	}
	if err := validation.ValidateBurstCostArgs(nil, args); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	prices, err := catalogs.Prices(args.PriceCatalogFile)
	if err != nil {
		return nil, fmt.Errorf("%s: priceCatalogFile: %w", Name, err)
	}
	bc, err := catalogs.Backends(args.BackendCatalogFile)
	if err != nil {
		return nil, fmt.Errorf("%s: backendCatalogFile: %w", Name, err)
	}
	pl := &BurstCost{handle: h, args: *args, backends: bc, history: workload.NewLifetimeTracker(clk, args.ObservedLifetimesRetention.Duration),
		recorder: explain.NewRecorder(h)}
	pl.pricing, _ = cost.ParsePricingOption(args.VMPricing) // validated above
	p, err := newPriced(prices, bc, catalogOrigin(args.PriceCatalogFile), catalogDate(prices))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	pl.current.Store(p)
	pl.base.Store(prices)
	if h != nil && h.SharedInformerFactory() != nil {
		f := h.SharedInformerFactory()
		if _, err := f.Core().V1().Pods().Informer().AddEventHandler(pl.history.Handler()); err != nil {
			return nil, fmt.Errorf("%s: watching pods: %w", Name, err)
		}
		pl.jobs = f.Batch().V1().Jobs().Lister()
	}
	return pl, nil
}

// Name returns the plugin's name.
func (pl *BurstCost) Name() string { return Name }

// preScoreState is what PreScore works out once per pod.
type preScoreState struct {
	// prices is the catalog every cost of this cycle is worked out with.
	prices   *priced
	horizon  horizon
	cpuMilli int64
	memBytes int64
	// runToCompletion is true for a pod that ends when its work is done
	// (a Job's, a bare pod): a cold start delays its end and is billed on
	// top of T. A controller's replica ends when it is scaled away, so
	// its lifetime T already spans any cold start.
	runToCompletion bool
	// virtualUSD[i] is the cost on the catalog's i-th backend.
	virtualUSD []float64
	// normalized holds the final scores (set by NormalizeScore) for the
	// placement log.
	normalized framework.NodeScoreList
	// placed is the explanation of the chosen node (set by Reserve).
	placed *placement
}

// Clone returns the state itself: the scheduling cycle that owns it is the
// only writer.
func (s *preScoreState) Clone() fwk.StateData { return s }

// PreScore works out the pod's expected lifetime and size and its bill on
// every serverless backend.
func (pl *BurstCost) PreScore(ctx context.Context, state fwk.CycleState, pod *v1.Pod, _ []fwk.NodeInfo) *fwk.Status {
	state.Write(stateKey, pl.estimate(ctx, state, pod))
	return nil
}

// estimate works out what PreScore keeps for a pod.
func (pl *BurstCost) estimate(ctx context.Context, state fwk.CycleState, pod *v1.Pod) *preScoreState {
	profile := podprofile.Of(state, pod)
	p := pl.current.Load()
	key, owned := workload.OwnerOf(pod)
	s := &preScoreState{
		prices:          p,
		horizon:         pl.expectedLifetime(ctx, pod, key, owned),
		cpuMilli:        profile.CPUMilli,
		memBytes:        profile.MemoryBytes,
		runToCompletion: !owned || key.Kind == workload.KindJob,
		virtualUSD:      make([]float64, len(pl.backends.Backends)),
	}
	for i := range pl.backends.Backends {
		s.virtualUSD[i] = pl.virtualCost(&pl.backends.Backends[i], p.serverless[i], s)
	}
	return s
}

// virtualCost is the pod's cost on backend b. A backend without a per-pod
// bill is priced like an on-demand VM slice of the pod's size at the
// catalog's fallback rate; a pod that fits none of a backend's shapes costs
// +Inf (ServerlessFit keeps it off that backend anyway).
func (pl *BurstCost) virtualCost(b *backends.Backend, sp *cost.ServerlessPrice, s *preScoreState) float64 {
	startup := b.StartupSeconds.P50
	billed := s.horizon.seconds
	if s.runToCompletion {
		billed += startup
	}
	var bill float64
	if sp == nil {
		bill, _ = s.prices.catalog.VMHourlyUSD("", s.cpuMilli, s.memBytes, cost.OnDemand)
		bill *= billed / 3600
	} else {
		b, err := sp.Bill(s.cpuMilli, s.memBytes, billed, false)
		if err != nil {
			return math.Inf(1)
		}
		bill = b.USD
	}
	return serverlessUSD(bill, startup, pl.args.StartupPenaltyUSDPerMinute)
}

func readState(state fwk.CycleState) (*preScoreState, error) {
	return cyclestate.Read[*preScoreState](state, stateKey, Name)
}

// Score returns the pod's expected cost on the node in nano-USD; lower is
// better until NormalizeScore turns it around.
func (pl *BurstCost) Score(_ context.Context, state fwk.CycleState, _ *v1.Pod, nodeInfo fwk.NodeInfo) (int64, *fwk.Status) {
	s, err := readState(state)
	if err != nil {
		return 0, fwk.AsStatus(err)
	}
	usd, _ := pl.nodeCost(s, nodeInfo)
	return toRaw(usd), nil
}

// nodeCost is the pod's expected cost on a node, and the node's backend
// (nil for a VM).
func (pl *BurstCost) nodeCost(s *preScoreState, nodeInfo fwk.NodeInfo) (float64, *backends.Backend) {
	node := nodeInfo.Node()
	if b := pl.backends.ForNode(node); b != nil {
		if i := pl.backendIndex(b); i >= 0 {
			return s.virtualUSD[i], b
		}
		return math.Inf(1), b
	}
	alloc, used := nodeInfo.GetAllocatable(), nodeInfo.GetRequested()
	hourly, _ := s.prices.catalog.VMHourlyUSD(node.Labels[instanceTypeLabel], alloc.GetMilliCPU(), alloc.GetMemory(), pl.pricing)
	share := vmShare(s.cpuMilli, s.memBytes, alloc.GetMilliCPU(), alloc.GetMemory())
	free := freeAfter(s.cpuMilli, s.memBytes, used.GetMilliCPU(), used.GetMemory(), alloc.GetMilliCPU(), alloc.GetMemory())
	return vmMarginalUSD(hourly, s.horizon.seconds, share, pl.args.VMMarginalCostFactor, pl.args.PackingFactor, free), nil
}

func (pl *BurstCost) backendIndex(b *backends.Backend) int {
	for i := range pl.backends.Backends {
		if &pl.backends.Backends[i] == b {
			return i
		}
	}
	return -1
}

// ScoreExtensions returns the plugin itself, for NormalizeScore.
func (pl *BurstCost) ScoreExtensions() framework.ScoreExtensions { return pl }

// NormalizeScore maps costs to scores on a log scale (see normalize).
func (pl *BurstCost) NormalizeScore(_ context.Context, state fwk.CycleState, _ *v1.Pod, scores framework.NodeScoreList) *fwk.Status {
	normalize(scores)
	if s, err := readState(state); err == nil {
		s.normalized = scores
	}
	return nil
}

// logger returns the context's logger named after the plugin.
func logger(ctx context.Context) klog.Logger {
	return klog.LoggerWithName(klog.FromContext(ctx), Name)
}
