// Package steadiness implements the Steadiness plugin: it tells each pod's
// workload's steady base from its burst, sends the base to the VMs and the
// burst to serverless nodes once the VMs run short of headroom.
package steadiness

import (
	"context"
	"fmt"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework"
	"k8s.io/utils/clock"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/plugins/apis/config"
	"github.com/spillway-dev/spillway/plugins/apis/config/validation"
	"github.com/spillway-dev/spillway/plugins/internal/catalogs"
	"github.com/spillway-dev/spillway/plugins/internal/cyclestate"
	"github.com/spillway-dev/spillway/plugins/internal/explain"
	"github.com/spillway-dev/spillway/plugins/internal/podhints"
	"github.com/spillway-dev/spillway/plugins/internal/podprofile"
	"github.com/spillway-dev/spillway/plugins/internal/workload"
)

// Name is the plugin's name in a scheduler profile.
const Name = "Steadiness"

const stateKey fwk.StateKey = Name

// Steadiness scores VMs against virtual nodes by the pod's place in its
// workload: steady base, burst, or neutral.
type Steadiness struct {
	handle   framework.Handle
	args     config.SteadinessArgs
	backends *backends.Catalog
	history  *workload.Tracker
	clock    clock.PassiveClock
	source   HistorySource // nil: the in-cluster window only
	profile  string        // the metrics' profile label
}

var (
	_ framework.PreScorePlugin = &Steadiness{}
	_ framework.ScorePlugin    = &Steadiness{}
	_ framework.ReservePlugin  = &Steadiness{}
)

// New builds the plugin from its args; bad args fail the scheduler's start.
// With history.prometheus set it starts the Prometheus history source, which
// refreshes in the background until ctx is done.
func New(ctx context.Context, obj runtime.Object, h framework.Handle) (framework.Plugin, error) {
	pl, err := NewWithClock(ctx, obj, h, clock.RealClock{})
	if err != nil {
		return nil, err
	}
	if err := pl.startPrometheus(ctx, obj.(*config.SteadinessArgs)); err != nil {
		return nil, err
	}
	return pl, nil
}

// NewWithClock is New with the clock of the replica-count history (the
// simulator passes its virtual clock). It starts no outside history source
// (history.prometheus is ignored): see UseHistory.
func NewWithClock(_ context.Context, obj runtime.Object, h framework.Handle, clk clock.PassiveClock) (*Steadiness, error) {
	args, ok := obj.(*config.SteadinessArgs)
	if !ok {
		return nil, fmt.Errorf("%s: want args of type SteadinessArgs, got %T", Name, obj)
	}
	if err := validation.ValidateSteadinessArgs(nil, args); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	bc, err := catalogs.Backends(args.BackendCatalogFile)
	if err != nil {
		return nil, fmt.Errorf("%s: backendCatalogFile: %w", Name, err)
	}
	pl := &Steadiness{handle: h, args: *args, backends: bc, history: workload.NewTracker(clk, args.Window.Duration), clock: clk,
		profile: explain.ProfileName(h)}
	if h != nil && h.SharedInformerFactory() != nil {
		pods := h.SharedInformerFactory().Core().V1().Pods().Informer()
		if _, err := pods.AddEventHandler(pl.history.Handler()); err != nil {
			return nil, fmt.Errorf("%s: watching pods: %w", Name, err)
		}
	}
	return pl, nil
}

// Name returns the plugin's name.
func (pl *Steadiness) Name() string { return Name }

// ObservePod records a pod's state in the replica-count history.
func (pl *Steadiness) ObservePod(pod *v1.Pod) { pl.history.Observe(pod) }

// ForgetPod records that a pod was deleted.
func (pl *Steadiness) ForgetPod(pod *v1.Pod) { pl.history.Forget(pod) }

type preScoreState struct {
	class       Class
	reason      string
	owner       workload.Key
	count, base int
	baseFrom    string
	vmUtil      float64
	vm, virtual int64
}

// Clone returns the state itself: it is not changed after PreScore.
func (s *preScoreState) Clone() fwk.StateData { return s }

// PreScore classifies the pod and, for a burst pod, measures how full the
// VMs are.
func (pl *Steadiness) PreScore(ctx context.Context, state fwk.CycleState, pod *v1.Pod, _ []fwk.NodeInfo) *fwk.Status {
	s := pl.classify(ctx, pod)
	if s.class == Burst {
		nodes, err := pl.handle.SnapshotSharedLister().NodeInfos().List()
		if err != nil {
			return fwk.AsStatus(fmt.Errorf("%s: listing nodes: %w", Name, err))
		}
		s.vmUtil = pl.vmUtilisation(nodes, podprofile.Of(state, pod))
	}
	s.vm, s.virtual = nodeScores(s.class, s.vmUtil, float64(pl.args.VMHeadroomPercent)/100)
	state.Write(stateKey, s)
	return nil
}

func (pl *Steadiness) classify(ctx context.Context, pod *v1.Pod) *preScoreState {
	override, err := podhints.SteadinessOverride(pod)
	if err != nil {
		logger(ctx).V(2).Info("Ignoring a malformed hint", "pod", klog.KObj(pod), "err", err)
	}
	expected, _, _, err := podhints.ExpectedDuration(pod)
	if err != nil {
		logger(ctx).V(2).Info("Ignoring a malformed hint", "pod", klog.KObj(pod), "err", err)
	}
	key, _ := workload.OwnerOf(pod)
	count := pl.history.Count(key)
	base, observed, from := pl.base(key)
	class, reason := classify(classInput{
		override: override, kind: key.Kind, count: count, base: base, observed: observed,
		expected: expected, minHistory: pl.args.MinHistory.Duration, longJob: pl.args.LongRunningJob.Duration,
	})
	return &preScoreState{class: class, reason: reason, owner: key, count: count, base: base, baseFrom: from}
}

// vmUtilisation is the requested share of the dedicated nodes that take
// ordinary workloads (schedulable, no NoSchedule or NoExecute taint), with
// the pod added.
func (pl *Steadiness) vmUtilisation(nodes []fwk.NodeInfo, p *backends.PodProfile) float64 {
	var reqCPU, reqMem, allocCPU, allocMem int64
	for _, ni := range nodes {
		n := ni.Node()
		if !backends.TakesWorkloads(n) || pl.backends.ForNode(n) != nil {
			continue
		}
		alloc, req := ni.GetAllocatable(), ni.GetRequested()
		allocCPU += alloc.GetMilliCPU()
		allocMem += alloc.GetMemory()
		reqCPU += req.GetMilliCPU()
		reqMem += req.GetMemory()
	}
	return utilisation(reqCPU+p.CPUMilli, reqMem+p.MemoryBytes, allocCPU, allocMem)
}

func readState(state fwk.CycleState) (*preScoreState, error) {
	return cyclestate.Read[*preScoreState](state, stateKey, Name)
}

// Score returns the VM or virtual-node score that PreScore worked out.
func (pl *Steadiness) Score(_ context.Context, state fwk.CycleState, _ *v1.Pod, nodeInfo fwk.NodeInfo) (int64, *fwk.Status) {
	s, err := readState(state)
	if err != nil {
		return 0, fwk.AsStatus(err)
	}
	if pl.backends.ForNode(nodeInfo.Node()) != nil {
		return s.virtual, nil
	}
	return s.vm, nil
}

// ScoreExtensions returns nil: scores are already in [0, 100].
func (pl *Steadiness) ScoreExtensions() framework.ScoreExtensions { return nil }

// Reserve counts the pod as its workload's newest replica right away, so
// the next replica of a burst sees it, and logs the decision at V(4).
func (pl *Steadiness) Reserve(ctx context.Context, state fwk.CycleState, pod *v1.Pod, nodeName string) *fwk.Status {
	pl.observe(ctx, state, pod)
	if l := verbose(ctx, 4); l.Enabled() {
		s, err := readState(state)
		if err != nil {
			// A single feasible node skips PreScore: classify for the log.
			s = pl.classify(ctx, pod)
		}
		l.Info("Placed pod", "pod", klog.KObj(pod), "node", nodeName, "class", s.class, "reason", s.reason,
			"owner", s.owner.String(), "replica", s.count+1, "base", s.base, "baseFrom", s.baseFrom, "vmUtilisation", s.vmUtil,
			"vmScore", s.vm, "virtualScore", s.virtual)
	}
	pl.history.Assume(pod)
	return nil
}

// Unreserve takes back the count of a pod whose placement failed.
func (pl *Steadiness) Unreserve(_ context.Context, _ fwk.CycleState, pod *v1.Pod, _ string) {
	pl.history.Unassume(pod)
}

func logger(ctx context.Context) klog.Logger {
	return klog.LoggerWithName(klog.FromContext(ctx), Name)
}

// verbose is logger(ctx).V(v), named only when v is enabled: naming a
// logger allocates, and Reserve asks on every pod.
func verbose(ctx context.Context, v int) klog.Logger {
	l := klog.FromContext(ctx).V(v)
	if l.Enabled() {
		l = klog.LoggerWithName(l, Name)
	}
	return l
}
