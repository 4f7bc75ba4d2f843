package serverlessfit

import (
	"sync"

	"k8s.io/component-base/metrics"
	"k8s.io/component-base/metrics/legacyregistry"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/spillway-dev/spillway/plugins/internal/explain"
)

var (
	refusals = metrics.NewCounterVec(&metrics.CounterOpts{
		Namespace:      "spillway",
		Name:           "serverless_refusals_total",
		Help:           "Scheduling attempts in which ServerlessFit found that a serverless backend cannot run the pod, by profile, backend and rule (e.g. aci, InitContainers).",
		StabilityLevel: metrics.ALPHA,
	}, []string{"profile", "backend", "rule"})
	registerMetrics sync.Once
)

// RegisterMetrics registers the plugin's metrics with the component-base
// legacy registry (served on the scheduler's /metrics).
func RegisterMetrics() {
	registerMetrics.Do(func() { legacyregistry.MustRegister(refusals) })
}

// observe counts the refusals of one scheduling attempt and, if there are
// any, leaves them in the cycle's explanation note for the Event on the
// pod (formatted only then).
func (pl *ServerlessFit) observe(state fwk.CycleState, s *preFilterState) {
	refused := false
	for i := range s.verdicts {
		if v := s.verdicts[i].violation; v != nil {
			refusals.WithLabelValues(pl.profile, v.Backend, string(v.Rule)).Inc()
			refused = true
		}
	}
	if refused {
		explain.Of(state).SetRefusals(s)
	}
}

// Refusals returns one line per backend that refused the pod.
func (s *preFilterState) Refusals() []string {
	var out []string
	for i := range s.verdicts {
		if v := s.verdicts[i].violation; v != nil {
			out = append(out, v.Error())
		}
	}
	return out
}
