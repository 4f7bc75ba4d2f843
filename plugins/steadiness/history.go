package steadiness

import (
	"context"
	"fmt"
	"time"

	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	"github.com/spillway-dev/spillway/plugins/apis/config"
	"github.com/spillway-dev/spillway/plugins/internal/promhistory"
	"github.com/spillway-dev/spillway/plugins/internal/workload"
)

// Owner names a workload (its controller, ReplicaSets folded into their
// Deployment), for HistorySource implementations outside plugins/.
type Owner = workload.Key

// Point is a replica count recorded at a time; it holds until the next.
type Point = workload.Point

// HistorySource gives workloads' replica-count history recorded outside
// the scheduler (Prometheus, or in the simulator the trace's own past), so
// a restarted scheduler knows what the workload did before it started.
type HistorySource interface {
	// History returns owner's replica counts over [start, end], oldest
	// first (the first point may predate start: it is the one in force
	// then), and whether the source has any; the caller does not change
	// them. It must not block: the plugin calls it from PreScore.
	History(owner workload.Key, start, end time.Time) ([]workload.Point, bool)
}

// Names of where a base came from, in the V(4) log.
const (
	fromSource  = "source"
	fromCluster = "cluster"
)

// UseHistory makes src the plugin's history source, ahead of the in-cluster
// window (which stays the fallback for owners src has nothing for). Call it
// before scheduling starts; the simulator passes the trace's history.
func (pl *Steadiness) UseHistory(src HistorySource) { pl.source = src }

// startPrometheus starts the Prometheus history source the args configure,
// if any, refreshing in the background until ctx is done.
func (pl *Steadiness) startPrometheus(ctx context.Context, args *config.SteadinessArgs) error {
	p := args.History.Prometheus
	if p == nil {
		return nil
	}
	src, err := promhistory.NewSource(*p, args.Window.Duration, clock.RealClock{})
	if err != nil {
		return fmt.Errorf("%s: history.prometheus: %w", Name, err)
	}
	go src.Run(klog.NewContext(ctx, logger(ctx)))
	go pl.reportHealth(ctx, src, "prometheus")
	pl.source = src
	return nil
}

// BaseOf returns what the plugin takes as owner's steady base now, how
// long the owner has been observed and where the base came from ("source"
// or "cluster"), as PreScore works it out.
func (pl *Steadiness) BaseOf(owner Owner) (base int, observed time.Duration, from string) {
	return pl.base(owner)
}

// base returns the owner's steady base, how long it has been observed
// (at most the window) and where that came from: the history source when it
// has data for the owner, else the in-cluster window.
func (pl *Steadiness) base(key workload.Key) (base int, observed time.Duration, from string) {
	if pl.source != nil && key.Kind != workload.KindPod {
		now := pl.clock.Now()
		start := now.Add(-pl.args.Window.Duration)
		if pts, ok := pl.source.History(key, start, now); ok && len(pts) > 0 && !pts[0].At.After(now) {
			observed = min(now.Sub(pts[0].At), pl.args.Window.Duration)
			return workload.PercentileOf(pts, start, now, pl.args.BasePercentile), observed, fromSource
		}
	}
	base, observed = pl.history.Base(key, pl.args.BasePercentile)
	return base, observed, fromCluster
}
