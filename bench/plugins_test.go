package bench

import (
	"context"
	"fmt"
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/apis/config"
	"k8s.io/kubernetes/pkg/scheduler/framework"

	"github.com/spillway-dev/spillway/plugins/burstcost"
	"github.com/spillway-dev/spillway/plugins/serverlessfit"
	"github.com/spillway-dev/spillway/plugins/steadiness"
	"github.com/spillway-dev/spillway/simulator/inprocess"
)

// BenchmarkPluginCalls measures one call of each extension point of each
// Spillway plugin, built from the spillway profile's args, on the
// pluginCalls cluster of workloads.yaml: PreFilter and PreScore once per
// pod, Filter and Score once per node (round robin over the nodes).
// Steadiness's pod is a burst pod, its costliest case (PreScore adds up
// the VMs' utilisation).
func BenchmarkPluginCalls(b *testing.B) {
	w, cfg := setup(b)
	size := w.PluginCalls
	c := newBenchCluster(b, cfg, "spillway", size, w.Deployments)
	if err := c.sched.Sync(); err != nil {
		b.Fatal(err)
	}
	fw := c.sched.Framework()
	nodes, err := fw.SnapshotSharedLister().NodeInfos().List()
	if err != nil {
		b.Fatal(err)
	}
	prof, err := inprocess.Profile(cfg, "spillway")
	if err != nil {
		b.Fatal(err)
	}
	pod := c.newPod()
	pod.Annotations["spillway.dev/steadiness"] = "burst"
	name := func(plugin, call string) string {
		return fmt.Sprintf("nodes=%d/plugin=%s/call=%s", size.Nodes(), plugin, call)
	}

	sf, err := serverlessfit.New(c.ctx, argsOf(b, prof, serverlessfit.Name), fw)
	if err != nil {
		b.Fatal(err)
	}
	fit := sf.(*serverlessfit.ServerlessFit)
	bc, err := burstcost.NewWithClock(c.ctx, argsOf(b, prof, burstcost.Name), fw, c.clock)
	if err != nil {
		b.Fatal(err)
	}
	st, err := steadiness.NewWithClock(c.ctx, argsOf(b, prof, steadiness.Name), fw, c.clock)
	if err != nil {
		b.Fatal(err)
	}

	state := framework.NewCycleState()
	b.Run(name(serverlessfit.Name, "PreFilter"), func(b *testing.B) {
		callLoop(b, func(int) { fit.PreFilter(c.ctx, state, pod, nodes) })
	})
	fit.PreFilter(c.ctx, state, pod, nodes)
	b.Run(name(serverlessfit.Name, "Filter"), func(b *testing.B) {
		callLoop(b, func(i int) { fit.Filter(c.ctx, state, pod, nodes[i%len(nodes)]) })
	})
	scorers := []struct {
		name  string
		plug  framework.ScorePlugin
		pre   func(context.Context, fwk.CycleState, *v1.Pod, []fwk.NodeInfo) *fwk.Status
		norm  bool
		state fwk.CycleState
	}{
		{burstcost.Name, bc, bc.PreScore, true, framework.NewCycleState()},
		{steadiness.Name, st, st.PreScore, false, framework.NewCycleState()},
	}
	for _, s := range scorers {
		b.Run(name(s.name, "PreScore"), func(b *testing.B) {
			callLoop(b, func(int) { s.pre(c.ctx, s.state, pod, nodes) })
		})
		s.pre(c.ctx, s.state, pod, nodes)
		b.Run(name(s.name, "Score"), func(b *testing.B) {
			callLoop(b, func(i int) {
				if _, st := s.plug.Score(c.ctx, s.state, pod, nodes[i%len(nodes)]); !st.IsSuccess() {
					b.Fatal(st.AsError())
				}
			})
		})
	}
}

func callLoop(b *testing.B, call func(i int)) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		call(i)
	}
}

// argsOf returns the profile's (defaulted) args of a plugin.
func argsOf(tb testing.TB, prof *config.KubeSchedulerProfile, plugin string) runtime.Object {
	tb.Helper()
	for _, pc := range prof.PluginConfig {
		if pc.Name == plugin {
			return pc.Args
		}
	}
	tb.Fatalf("profile %q has no args for %s", prof.SchedulerName, plugin)
	return nil
}
