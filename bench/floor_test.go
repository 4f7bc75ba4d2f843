package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/apis/config"
	"k8s.io/kubernetes/pkg/scheduler/framework"
	frameworkruntime "k8s.io/kubernetes/pkg/scheduler/framework/runtime"

	"github.com/spillway-dev/spillway/plugins/burstcost"
	"github.com/spillway-dev/spillway/plugins/serverlessfit"
	"github.com/spillway-dev/spillway/plugins/steadiness"
	"github.com/spillway-dev/spillway/simulator/inprocess"
)

// The floor: Spillway's profile with each of its three plugins replaced by
// one that implements the same extension points and does nothing. Its
// pods/s against the default profile's is what the framework charges for
// three more plugins and the profile's other changes (MostAllocated, no
// BalancedAllocation score); Spillway's against it is the cost of
// Spillway's own code.

// noopPrefix names a plugin's stand-in.
const noopPrefix = "Noop"

// floorProfileName is the floor profile's schedulerName.
const floorProfileName = "spillway-noop-plugins"

// floorProfile returns a copy of the spillway profile with Spillway's
// plugins replaced by their stand-ins, and the registry of the stand-ins.
func floorProfile(spillway *config.KubeSchedulerProfile) (*config.KubeSchedulerProfile, frameworkruntime.Registry) {
	p := spillway.DeepCopy()
	p.SchedulerName = floorProfileName
	ours := map[string]bool{serverlessfit.Name: true, burstcost.Name: true, steadiness.Name: true}
	for _, set := range []*config.PluginSet{&p.Plugins.MultiPoint, &p.Plugins.PreFilter, &p.Plugins.Filter,
		&p.Plugins.PreScore, &p.Plugins.Score, &p.Plugins.Reserve, &p.Plugins.PostBind} {
		for i := range set.Enabled {
			if ours[set.Enabled[i].Name] {
				set.Enabled[i].Name = noopPrefix + set.Enabled[i].Name
			}
		}
	}
	var args []config.PluginConfig
	for _, c := range p.PluginConfig {
		if !ours[c.Name] {
			args = append(args, c)
		}
	}
	p.PluginConfig = args
	named := func(pl framework.Plugin) frameworkruntime.PluginFactory {
		return func(context.Context, runtime.Object, framework.Handle) (framework.Plugin, error) { return pl, nil }
	}
	return p, frameworkruntime.Registry{
		noopPrefix + serverlessfit.Name: named(noopFit{}),
		noopPrefix + burstcost.Name:     named(noopCost{}),
		noopPrefix + steadiness.Name:    named(noopSteadiness{}),
	}
}

// noopFit has ServerlessFit's extension points.
type noopFit struct{}

var (
	_ framework.PreFilterPlugin = noopFit{}
	_ framework.FilterPlugin    = noopFit{}
)

func (noopFit) Name() string { return noopPrefix + serverlessfit.Name }
func (noopFit) PreFilter(context.Context, fwk.CycleState, *v1.Pod, []fwk.NodeInfo) (*framework.PreFilterResult, *fwk.Status) {
	return nil, nil
}
func (noopFit) PreFilterExtensions() framework.PreFilterExtensions                        { return nil }
func (noopFit) Filter(context.Context, fwk.CycleState, *v1.Pod, fwk.NodeInfo) *fwk.Status { return nil }

// noopCost has BurstCost's extension points.
type noopCost struct{}

var (
	_ framework.PreScorePlugin = noopCost{}
	_ framework.ScorePlugin    = noopCost{}
	_ framework.ReservePlugin  = noopCost{}
	_ framework.PostBindPlugin = noopCost{}
)

func (noopCost) Name() string { return noopPrefix + burstcost.Name }
func (noopCost) PreScore(context.Context, fwk.CycleState, *v1.Pod, []fwk.NodeInfo) *fwk.Status {
	return nil
}
func (noopCost) Score(context.Context, fwk.CycleState, *v1.Pod, fwk.NodeInfo) (int64, *fwk.Status) {
	return 0, nil
}
func (c noopCost) ScoreExtensions() framework.ScoreExtensions { return c }
func (noopCost) NormalizeScore(context.Context, fwk.CycleState, *v1.Pod, framework.NodeScoreList) *fwk.Status {
	return nil
}
func (noopCost) Reserve(context.Context, fwk.CycleState, *v1.Pod, string) *fwk.Status { return nil }
func (noopCost) Unreserve(context.Context, fwk.CycleState, *v1.Pod, string)           {}
func (noopCost) PostBind(context.Context, fwk.CycleState, *v1.Pod, string)            {}

// noopSteadiness has Steadiness's extension points.
type noopSteadiness struct{}

var (
	_ framework.PreScorePlugin = noopSteadiness{}
	_ framework.ScorePlugin    = noopSteadiness{}
	_ framework.ReservePlugin  = noopSteadiness{}
)

func (noopSteadiness) Name() string { return noopPrefix + steadiness.Name }
func (noopSteadiness) PreScore(context.Context, fwk.CycleState, *v1.Pod, []fwk.NodeInfo) *fwk.Status {
	return nil
}
func (noopSteadiness) Score(context.Context, fwk.CycleState, *v1.Pod, fwk.NodeInfo) (int64, *fwk.Status) {
	return 0, nil
}
func (noopSteadiness) ScoreExtensions() framework.ScoreExtensions { return nil }
func (noopSteadiness) Reserve(context.Context, fwk.CycleState, *v1.Pod, string) *fwk.Status {
	return nil
}
func (noopSteadiness) Unreserve(context.Context, fwk.CycleState, *v1.Pod, string) {}

// The floor profile is Spillway's profile with every Spillway plugin
// swapped for its stand-in and nothing else changed, and it schedules.
func TestFloorProfile(t *testing.T) {
	_, cfg := setup(t)
	spillway, err := inprocess.Profile(cfg, "spillway")
	if err != nil {
		t.Fatal(err)
	}
	floor, registry := floorProfile(spillway)
	names := func(p *config.KubeSchedulerProfile) (out []string) {
		for _, pl := range p.Plugins.MultiPoint.Enabled {
			out = append(out, fmt.Sprintf("%s:%d", strings.TrimPrefix(pl.Name, noopPrefix), pl.Weight))
		}
		return out
	}
	if diff := cmp.Diff(names(spillway), names(floor)); diff != "" {
		t.Errorf("floor's plugins and weights, stand-ins unnamed (-spillway +floor):\n%s", diff)
	}
	for _, pl := range []string{serverlessfit.Name, burstcost.Name, steadiness.Name} {
		if _, ok := registry[noopPrefix+pl]; !ok {
			t.Errorf("no stand-in registered for %s", pl)
		}
	}
	w, _ := setup(t)
	c := newBenchCluster(t, cfg, floorProfileName, w.Throughput[0], w.Deployments)
	for range 5 {
		if !c.scheduleNext(t) {
			t.Fatal("the floor profile found no node for a pod")
		}
	}
}
