// Package serverlessfit implements the ServerlessFit plugin: it keeps a pod
// off every virtual node whose serverless backend cannot run it.
package serverlessfit

import (
	"context"
	"fmt"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/plugins/apis/config"
	"github.com/spillway-dev/spillway/plugins/apis/config/validation"
	"github.com/spillway-dev/spillway/plugins/internal/catalogs"
	"github.com/spillway-dev/spillway/plugins/internal/cyclestate"
	"github.com/spillway-dev/spillway/plugins/internal/explain"
	"github.com/spillway-dev/spillway/plugins/internal/podprofile"
)

// Name is the plugin's name in a scheduler profile.
const Name = "ServerlessFit"

const stateKey fwk.StateKey = Name

// ServerlessFit filters out virtual nodes whose backend refuses the pod: a
// feature the backend cannot run (DaemonSet pod, hostPath, privileged, ...),
// a size over its per-pod limit, or a CPU request over its remaining quota.
type ServerlessFit struct {
	catalog *backends.Catalog
	profile string // the metrics' profile label
}

var (
	_ framework.PreFilterPlugin   = &ServerlessFit{}
	_ framework.FilterPlugin      = &ServerlessFit{}
	_ framework.EnqueueExtensions = &ServerlessFit{}
)

// New builds the plugin from its args; bad args or an unreadable catalog
// fail the scheduler's start.
func New(_ context.Context, obj runtime.Object, h framework.Handle) (framework.Plugin, error) {
	args, ok := obj.(*config.ServerlessFitArgs)
	if !ok {
		return nil, fmt.Errorf("%s: want args of type ServerlessFitArgs, got %T", Name, obj)
	}
	if err := validation.ValidateServerlessFitArgs(nil, args); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	c, err := catalogs.Backends(args.BackendCatalogFile)
	if err != nil {
		return nil, fmt.Errorf("%s: backendCatalogFile: %w", Name, err)
	}
	return &ServerlessFit{catalog: c, profile: explain.ProfileName(h)}, nil
}

// NewWithCatalog builds the plugin around an already loaded catalog.
func NewWithCatalog(c *backends.Catalog) *ServerlessFit { return &ServerlessFit{catalog: c} }

// Name returns the plugin's name.
func (pl *ServerlessFit) Name() string { return Name }

// verdict is what PreFilter decided for one backend.
type verdict struct {
	backend   *backends.Backend
	violation *backends.Violation // nil: the backend can run the pod
}

type preFilterState struct {
	verdicts []verdict
}

// Clone returns the state itself: it is never changed after PreFilter.
func (s *preFilterState) Clone() fwk.StateData { return s }

func (s *preFilterState) violation(b *backends.Backend) *backends.Violation {
	for i := range s.verdicts {
		if s.verdicts[i].backend == b {
			return s.verdicts[i].violation
		}
	}
	return nil
}

// PreFilter judges the pod once per backend: its features and size, and
// the backend's CPU quota against what pods on its nodes already request.
func (pl *ServerlessFit) PreFilter(_ context.Context, state fwk.CycleState, pod *v1.Pod, nodes []fwk.NodeInfo) (*framework.PreFilterResult, *fwk.Status) {
	profile := podprofile.Of(state, pod)
	s := &preFilterState{verdicts: make([]verdict, len(pl.catalog.Backends))}
	var quotaUsed []int64
	for i := range pl.catalog.Backends {
		b := &pl.catalog.Backends[i]
		s.verdicts[i] = verdict{backend: b, violation: b.Admit(profile)}
		if s.verdicts[i].violation == nil && b.Limits.QuotaCPU != nil {
			if quotaUsed == nil {
				quotaUsed = pl.cpuInUseByBackend(nodes)
			}
			s.verdicts[i].violation = b.AdmitQuota(profile, quotaUsed[i])
		}
	}
	state.Write(stateKey, s)
	pl.observe(state, s)
	return nil, nil
}

// cpuInUseByBackend sums the CPU (milli) requested on each backend's nodes,
// indexed like the catalog's backends.
func (pl *ServerlessFit) cpuInUseByBackend(nodes []fwk.NodeInfo) []int64 {
	used := make([]int64, len(pl.catalog.Backends))
	for _, ni := range nodes {
		b := pl.catalog.ForNode(ni.Node())
		if b == nil {
			continue
		}
		for i := range pl.catalog.Backends {
			if &pl.catalog.Backends[i] == b {
				used[i] += ni.GetRequested().GetMilliCPU()
				break
			}
		}
	}
	return used
}

// PreFilterExtensions returns nil: quota use is not re-simulated for
// preemption victims.
func (pl *ServerlessFit) PreFilterExtensions() framework.PreFilterExtensions { return nil }

// Filter rejects a virtual node whose backend cannot run the pod. The
// reason names the backend, the rule and the detail, e.g.
// `aci cannot run this pod: HostPathVolume: volume "data" is hostPath`.
func (pl *ServerlessFit) Filter(_ context.Context, state fwk.CycleState, _ *v1.Pod, nodeInfo fwk.NodeInfo) *fwk.Status {
	b := pl.catalog.ForNode(nodeInfo.Node())
	if b == nil {
		return nil
	}
	s, err := cyclestate.Read[*preFilterState](state, stateKey, Name)
	if err != nil {
		return fwk.AsStatus(err)
	}
	v := s.violation(b)
	if v == nil {
		return nil
	}
	if v.Rule == backends.RuleQuotaCPU {
		// Frees up as pods on the backend finish.
		return fwk.NewStatus(fwk.Unschedulable, v.Error())
	}
	return fwk.NewStatus(fwk.UnschedulableAndUnresolvable, v.Error())
}

// EventsToRegister: a new or relabelled node may be a VM or another
// backend; a deleted pod frees quota.
func (pl *ServerlessFit) EventsToRegister(_ context.Context) ([]fwk.ClusterEventWithHint, error) {
	return []fwk.ClusterEventWithHint{
		{Event: fwk.ClusterEvent{Resource: fwk.Node, ActionType: fwk.Add | fwk.UpdateNodeLabel | fwk.UpdateNodeTaint}},
		{Event: fwk.ClusterEvent{Resource: fwk.Pod, ActionType: fwk.Delete}},
	}, nil
}
