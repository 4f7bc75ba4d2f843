package inprocess

import (
	"context"
	"fmt"
	"sort"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/apis/config"
	"k8s.io/kubernetes/pkg/scheduler/backend/cache"
	"k8s.io/kubernetes/pkg/scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework/plugins"
	frameworkruntime "k8s.io/kubernetes/pkg/scheduler/framework/runtime"
	"k8s.io/kubernetes/pkg/scheduler/metrics"
	"k8s.io/utils/clock"

	spillway "github.com/spillway-dev/spillway/plugins"
	"github.com/spillway-dev/spillway/plugins/steadiness"
)

var registerMetrics sync.Once

// Scheduler schedules pods one at a time through a real framework over an
// in-memory cluster. It is not safe for concurrent use.
type Scheduler struct {
	fw        framework.Framework
	cache     cache.Cache
	snapshot  *cache.Snapshot
	observers []spillway.PodObserver
	historied []historyUser
	logger    klog.Logger
	informers informers.SharedInformerFactory
	sampling  *nodeSampling // nil: every node is filtered
}

// Result is the outcome of scheduling one pod.
type Result struct {
	// Node is where the pod was bound; "" when it is unschedulable.
	Node string
	// Reasons says, when Node is "", why each rejecting plugin rejected,
	// with how many nodes it rejected, e.g. "3 Insufficient cpu".
	Reasons []string
	// Scores holds every feasible node's scores, best first (empty when
	// only one node was feasible and scoring was skipped).
	Scores []framework.NodePluginScores
}

// New builds the framework of profile with the in-tree plugins, Spillway's
// (timed by clk) and extra, like kube-scheduler does, but with a fake
// client: nothing is sent to an API server.
func New(ctx context.Context, profile *config.KubeSchedulerProfile, clk clock.PassiveClock, extra frameworkruntime.Registry) (*Scheduler, error) {
	registerMetrics.Do(metrics.Register)
	s := &Scheduler{logger: klog.FromContext(ctx), snapshot: cache.NewEmptySnapshot()}
	s.cache = cache.New(ctx, 0, nil)
	registry := plugins.NewInTreeRegistry()
	own := spillway.SpillwayWithClock(clk, func(p framework.Plugin) {
		if o, ok := p.(spillway.PodObserver); ok {
			s.observers = append(s.observers, o)
		}
		if h, ok := p.(historyUser); ok {
			s.historied = append(s.historied, h)
		}
	})
	for _, r := range []frameworkruntime.Registry{own, extra} {
		if err := registry.Merge(r); err != nil {
			return nil, err
		}
	}
	client := fake.NewClientset()
	s.informers = informers.NewSharedInformerFactory(client, 0)
	fw, err := frameworkruntime.NewFramework(ctx, registry, profile,
		frameworkruntime.WithClientSet(client),
		frameworkruntime.WithInformerFactory(s.informers),
		frameworkruntime.WithSnapshotSharedLister(s.snapshot),
		frameworkruntime.WithPodNominator(noNominations{}),
		frameworkruntime.WithWaitingPods(frameworkruntime.NewWaitingPodsMap()),
		frameworkruntime.WithParallelism(1),
	)
	if err != nil {
		return nil, fmt.Errorf("profile %q: %w", profile.SchedulerName, err)
	}
	s.fw = fw
	return s, nil
}

// historyUser is a plugin that reads an outside history source
// (Steadiness).
type historyUser interface {
	UseHistory(steadiness.HistorySource)
}

// UseHistory gives src to every plugin of the profile that reads an outside
// replica-count history, in the role Prometheus plays for a real
// scheduler. Call it before scheduling.
func (s *Scheduler) UseHistory(src steadiness.HistorySource) {
	for _, h := range s.historied {
		h.UseHistory(src)
	}
}

// AddObject adds a workload object that plugins look up through listers:
// a ReplicaSet, StatefulSet, ReplicationController, Service or Job. (The
// default topology spread finds a pod's siblings through the ReplicaSet
// or StatefulSet that selects it; BurstCost reads a Job's deadline.)
func (s *Scheduler) AddObject(obj runtime.Object) error {
	var inf toolscache.SharedIndexInformer
	switch obj.(type) {
	case *appsv1.ReplicaSet:
		inf = s.informers.Apps().V1().ReplicaSets().Informer()
	case *appsv1.StatefulSet:
		inf = s.informers.Apps().V1().StatefulSets().Informer()
	case *v1.ReplicationController:
		inf = s.informers.Core().V1().ReplicationControllers().Informer()
	case *v1.Service:
		inf = s.informers.Core().V1().Services().Informer()
	case *batchv1.Job:
		inf = s.informers.Batch().V1().Jobs().Informer()
	default:
		return fmt.Errorf("inprocess: AddObject: unsupported %T", obj)
	}
	return inf.GetIndexer().Add(obj)
}

// AddNode adds a node to the cluster.
func (s *Scheduler) AddNode(node *v1.Node) { s.cache.AddNode(s.logger, node) }

// AddPod adds a pod that is already bound (spec.nodeName set).
func (s *Scheduler) AddPod(pod *v1.Pod) error {
	if err := s.cache.AddPod(s.logger, pod); err != nil {
		return err
	}
	s.observe(pod)
	return nil
}

// RemovePod removes a bound pod (deleted or finished); the plugins record
// its end.
func (s *Scheduler) RemovePod(pod *v1.Pod) error {
	if err := s.cache.RemovePod(s.logger, pod); err != nil {
		return err
	}
	for _, o := range s.observers {
		o.ForgetPod(pod)
	}
	return nil
}

func (s *Scheduler) observe(pod *v1.Pod) {
	for _, o := range s.observers {
		o.ObservePod(pod)
	}
}

// Schedule runs one scheduling cycle and, on success, binds the pod in the
// in-memory cluster and returns it bound. Every node is filtered (no
// sampling), in the snapshot's order; ties go to the node whose name sorts
// first, so the outcome is deterministic.
func (s *Scheduler) Schedule(ctx context.Context, pod *v1.Pod) (Result, *v1.Pod, error) {
	if err := s.cache.UpdateSnapshot(s.logger, s.snapshot); err != nil {
		return Result{}, nil, err
	}
	state := framework.NewCycleState()
	feasible, reasons, err := s.filter(ctx, state, pod)
	if err != nil || len(feasible) == 0 {
		return Result{Reasons: reasons}, nil, err
	}
	var res Result
	if len(feasible) == 1 {
		res.Node = feasible[0].Node().Name
	} else {
		if st := s.fw.RunPreScorePlugins(ctx, state, pod, feasible); !st.IsSuccess() {
			return Result{}, nil, st.AsError()
		}
		scores, st := s.fw.RunScorePlugins(ctx, state, pod, feasible)
		if !st.IsSuccess() {
			return Result{}, nil, st.AsError()
		}
		sort.SliceStable(scores, func(i, j int) bool {
			if scores[i].TotalScore != scores[j].TotalScore {
				return scores[i].TotalScore > scores[j].TotalScore
			}
			return scores[i].Name < scores[j].Name
		})
		res.Node, res.Scores = scores[0].Name, scores
	}
	bound, err := s.bind(ctx, state, pod, res.Node)
	if err != nil {
		return Result{}, nil, err
	}
	return res, bound, nil
}

// filter runs PreFilter and Filter and returns the feasible nodes, or the
// rejection reasons with their node counts.
func (s *Scheduler) filter(ctx context.Context, state fwk.CycleState, pod *v1.Pod) ([]fwk.NodeInfo, []string, error) {
	all, err := s.snapshot.NodeInfos().List()
	if err != nil {
		return nil, nil, err
	}
	pre, st, _ := s.fw.RunPreFilterPlugins(ctx, state, pod)
	if st.Code() == fwk.Error {
		return nil, nil, st.AsError()
	}
	if !st.IsSuccess() {
		return nil, []string{st.Message()}, nil
	}
	counts := map[string]int{}
	var feasible []fwk.NodeInfo
	want, start := len(all), 0
	if s.sampling != nil {
		want, start = s.sampling.numFeasibleNodesToFind(len(all)), s.sampling.next
	}
	processed := 0
	for i := range all {
		if len(feasible) >= want {
			break
		}
		processed++
		ni := all[(start+i)%len(all)]
		if pre != nil && !pre.AllNodes() && !pre.NodeNames.Has(ni.Node().Name) {
			counts["node(s) excluded by PreFilter"]++
			continue
		}
		st := s.fw.RunFilterPluginsWithNominatedPods(ctx, state, pod, ni)
		switch {
		case st.IsSuccess():
			feasible = append(feasible, ni)
		case st.Code() == fwk.Error:
			return nil, nil, st.AsError()
		default:
			for _, r := range st.Reasons() {
				counts[r]++
			}
		}
	}
	if s.sampling != nil && len(all) > 0 {
		s.sampling.next = (start + processed) % len(all)
	}
	reasons := make([]string, 0, len(counts))
	for r, n := range counts {
		reasons = append(reasons, fmt.Sprintf("%d %s", n, r))
	}
	sort.Strings(reasons)
	return feasible, reasons, nil
}

// bind assumes the pod on the node, runs Reserve and Permit, then records
// the binding (in place of PreBind and Bind, which call the API) and runs
// PostBind.
func (s *Scheduler) bind(ctx context.Context, state fwk.CycleState, pod *v1.Pod, node string) (*v1.Pod, error) {
	bound := pod.DeepCopy()
	bound.Spec.NodeName = node
	if err := s.cache.AssumePod(s.logger, bound); err != nil {
		return nil, err
	}
	fail := func(st *fwk.Status) (*v1.Pod, error) {
		s.fw.RunReservePluginsUnreserve(ctx, state, bound, node)
		_ = s.cache.ForgetPod(s.logger, bound)
		return nil, st.AsError()
	}
	if st := s.fw.RunReservePluginsReserve(ctx, state, bound, node); !st.IsSuccess() {
		return fail(st)
	}
	if st := s.fw.RunPermitPlugins(ctx, state, bound, node); !st.IsSuccess() {
		// A waiting Permit (gangs) has nobody to release it here.
		return fail(st)
	}
	if err := s.cache.FinishBinding(s.logger, bound); err != nil {
		return nil, err
	}
	if err := s.cache.AddPod(s.logger, bound); err != nil {
		return nil, err
	}
	s.fw.RunPostBindPlugins(ctx, state, bound, node)
	s.observe(bound)
	return bound, nil
}
