package steadiness

import (
	"context"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/component-base/metrics"
	"k8s.io/component-base/metrics/legacyregistry"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/spillway-dev/spillway/plugins/internal/explain"
)

var (
	classifications = metrics.NewCounterVec(&metrics.CounterOpts{
		Namespace:      "spillway",
		Name:           "steadiness_classifications_total",
		Help:           "Pods Steadiness classified as they were placed, by profile, class (steady, burst) and source (annotation, history, kind, longRunningJob).",
		StabilityLevel: metrics.ALPHA,
	}, []string{"profile", "class", "source"})
	historyUp = metrics.NewGaugeVec(&metrics.GaugeOpts{
		Namespace:      "spillway",
		Name:           "steadiness_history_source_up",
		Help:           "1 when Steadiness's outside history source (history.prometheus) answered its last refresh round, 0 while it fails (the last good data stays in use), by profile and source.",
		StabilityLevel: metrics.ALPHA,
	}, []string{"profile", "source"})
	registerMetrics sync.Once
)

// RegisterMetrics registers the plugin's metrics with the component-base
// legacy registry (served on the scheduler's /metrics).
func RegisterMetrics() {
	registerMetrics.Do(func() { legacyregistry.MustRegister(classifications, historyUp) })
}

// healthEvery is how often the history source's health gauge is updated.
const healthEvery = 10 * time.Second

// reportHealth keeps the history source's gauge up to date until ctx is
// done.
func (pl *Steadiness) reportHealth(ctx context.Context, src interface{ Healthy() bool }, source string) {
	g := historyUp.WithLabelValues(pl.profile, source)
	t := time.NewTicker(healthEvery)
	defer t.Stop()
	for {
		if src.Healthy() {
			g.Set(1)
		} else {
			g.Set(0)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// observe counts the classification of a pod being placed and leaves it
// in the cycle's explanation note, for the Event on the pod.
func (pl *Steadiness) observe(ctx context.Context, state fwk.CycleState, pod *v1.Pod) {
	s, err := readState(state)
	if err != nil {
		// A single feasible node skips PreScore.
		s = pl.classify(ctx, pod)
	}
	classifications.WithLabelValues(pl.profile, string(s.class), s.reason).Inc()
	explain.Of(state).SetClass(string(s.class), s.reason)
}
