// Package plugins lists Spillway's scheduler plugins and the
// scheduler-plugins ones compiled in beside them.
package plugins

import (
	"context"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/kubernetes/cmd/kube-scheduler/app"
	"k8s.io/kubernetes/pkg/scheduler/framework"
	frameworkruntime "k8s.io/kubernetes/pkg/scheduler/framework/runtime"
	"k8s.io/utils/clock"
	"sigs.k8s.io/scheduler-plugins/pkg/capacityscheduling"
	"sigs.k8s.io/scheduler-plugins/pkg/coscheduling"
	"sigs.k8s.io/scheduler-plugins/pkg/networkaware/networkoverhead"
	"sigs.k8s.io/scheduler-plugins/pkg/networkaware/topologicalsort"
	"sigs.k8s.io/scheduler-plugins/pkg/noderesources"
	"sigs.k8s.io/scheduler-plugins/pkg/noderesourcetopology"
	"sigs.k8s.io/scheduler-plugins/pkg/preemptiontoleration"
	"sigs.k8s.io/scheduler-plugins/pkg/trimaran/loadvariationriskbalancing"
	"sigs.k8s.io/scheduler-plugins/pkg/trimaran/lowriskovercommitment"
	"sigs.k8s.io/scheduler-plugins/pkg/trimaran/peaks"
	"sigs.k8s.io/scheduler-plugins/pkg/trimaran/targetloadpacking"

	// The args types of both plugin sets, for strict decoding and defaults.
	_ "github.com/spillway-dev/spillway/plugins/apis/config/scheme"
	_ "sigs.k8s.io/scheduler-plugins/apis/config/scheme"

	"github.com/spillway-dev/spillway/plugins/burstcost"
	"github.com/spillway-dev/spillway/plugins/serverlessfit"
	"github.com/spillway-dev/spillway/plugins/steadiness"
)

// Spillway returns the registry of Spillway's own plugins.
func Spillway() frameworkruntime.Registry {
	return frameworkruntime.Registry{
		serverlessfit.Name: serverlessfit.New,
		burstcost.Name:     burstcost.New,
		steadiness.Name:    steadiness.New,
	}
}

// SchedulerPlugins returns the registry of the scheduler-plugins plugins
// compiled into spillway-scheduler (Coscheduling for gangs of batch pods,
// CapacityScheduling, Trimaran, ...). Some need a kubeconfig or a metrics
// source to start; they are only built when a profile enables them.
func SchedulerPlugins() frameworkruntime.Registry {
	return frameworkruntime.Registry{
		capacityscheduling.Name:         capacityscheduling.New,
		coscheduling.Name:               coscheduling.New,
		loadvariationriskbalancing.Name: loadvariationriskbalancing.New,
		networkoverhead.Name:            networkoverhead.New,
		topologicalsort.Name:            topologicalsort.New,
		noderesources.AllocatableName:   noderesources.NewAllocatable,
		noderesourcetopology.Name:       noderesourcetopology.New,
		preemptiontoleration.Name:       preemptiontoleration.New,
		targetloadpacking.Name:          targetloadpacking.New,
		lowriskovercommitment.Name:      lowriskovercommitment.New,
		peaks.Name:                      peaks.New,
	}
}

// SchedulerOptions registers both registries with kube-scheduler's command
// and Spillway's metrics with its registry.
func SchedulerOptions() []app.Option {
	burstcost.RegisterMetrics()
	serverlessfit.RegisterMetrics()
	steadiness.RegisterMetrics()
	var opts []app.Option
	for _, r := range []frameworkruntime.Registry{Spillway(), SchedulerPlugins()} {
		for name, factory := range r {
			opts = append(opts, app.WithPlugin(name, factory))
		}
	}
	return opts
}

// PodObserver is implemented by plugins that learn from the cluster's pods
// (replica counts, lifetimes). In a scheduler their pod informer feeds them;
// an in-process driver without informers calls these instead.
type PodObserver interface {
	// ObservePod records a pod's current state (bound, finished, ...).
	ObservePod(pod *v1.Pod)
	// ForgetPod records that a pod was deleted.
	ForgetPod(pod *v1.Pod)
}

// SpillwayWithClock is Spillway's registry with plugins timed by clk (the
// simulator's virtual clock). Each plugin built is passed to built, if set.
func SpillwayWithClock(clk clock.PassiveClock, built func(framework.Plugin)) frameworkruntime.Registry {
	report := func(p framework.Plugin, err error) (framework.Plugin, error) {
		if err == nil && built != nil {
			built(p)
		}
		return p, err
	}
	return frameworkruntime.Registry{
		serverlessfit.Name: func(ctx context.Context, obj runtime.Object, h framework.Handle) (framework.Plugin, error) {
			return report(serverlessfit.New(ctx, obj, h))
		},
		burstcost.Name: func(ctx context.Context, obj runtime.Object, h framework.Handle) (framework.Plugin, error) {
			return report(burstcost.NewWithClock(ctx, obj, h, clk))
		},
		steadiness.Name: func(ctx context.Context, obj runtime.Object, h framework.Handle) (framework.Plugin, error) {
			return report(steadiness.NewWithClock(ctx, obj, h, clk))
		},
	}
}
