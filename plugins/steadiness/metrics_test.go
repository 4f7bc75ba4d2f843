package steadiness

import (
	"context"
	"testing"
	"time"

	"k8s.io/component-base/metrics/testutil"
	"k8s.io/kubernetes/pkg/scheduler/framework"
)

type health bool

func (h health) Healthy() bool { return bool(h) }

// TestHistorySourceHealth: the gauge follows the source's health, with the
// profile and source labels.
func TestHistorySourceHealth(t *testing.T) {
	RegisterMetrics()
	for _, tc := range []struct {
		source  string
		healthy bool
		want    float64
	}{{"test-up", true, 1}, {"test-down", false, 0}} {
		pl := &Steadiness{}
		g := historyUp.WithLabelValues("", tc.source)
		g.Set(1 - tc.want) // so that the test sees the plugin set it
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { pl.reportHealth(ctx, health(tc.healthy), tc.source); close(done) }()
		deadline := time.Now().Add(10 * time.Second)
		for {
			v, err := testutil.GetGaugeMetricValue(g)
			if err != nil {
				t.Fatal(err)
			}
			if v == tc.want {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("%s: gauge %v after 10s, want %v", tc.source, v, tc.want)
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		<-done
	}
}

var _ framework.ReservePlugin = &Steadiness{}
