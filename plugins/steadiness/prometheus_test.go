package steadiness

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/clock"

	"github.com/spillway-dev/spillway/plugins/apis/config"
	schedv1 "github.com/spillway-dev/spillway/plugins/apis/config/v1"
	"github.com/spillway-dev/spillway/plugins/internal/workload"
	"github.com/spillway-dev/spillway/plugins/plugintesting/promtest"
)

// TestPrometheusHistoryAfterRestart: a scheduler that has just started (an
// empty in-cluster window) takes a Deployment's base from the weeks of
// kube-state-metrics a real Prometheus holds, through the real plugin
// factory, args and background refresher.
func TestPrometheusHistoryAfterRestart(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Minute)
	history := promtest.AfternoonTriples(now)
	url := promtest.Start(t, promtest.OpenMetrics(promtest.Series{
		Metric: "kube_deployment_status_replicas",
		Labels: map[string]string{"namespace": "default", "deployment": "web", "job": "kube-state-metrics"},
		Points: history,
	}))
	const window = 48 * time.Hour
	for _, tt := range []struct {
		percentile int32
		wantBase   int
	}{
		{50, 2}, // the afternoons are 5 of 24 hours
		{90, 6}, // more than 10% of the time at 6
	} {
		args := defaultArgs()
		args.Window = metav1.Duration{Duration: window}
		args.BasePercentile = tt.percentile
		args.History.Prometheus = &config.PrometheusHistory{
			URL: url, Query: schedv1.DefaultPrometheusQuery, Step: metav1.Duration{Duration: time.Minute},
			RefreshInterval: metav1.Duration{Duration: time.Minute}, MaxQueriesPerInterval: 10,
			Timeout: metav1.Duration{Duration: 10 * time.Second}, MaxResponseBytes: 8 << 20,
		}
		ctx, cancel := context.WithCancel(context.Background())
		p, err := New(ctx, args, nil)
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		pl := p.(*Steadiness)
		pod := replica("web", "new")
		var s *preScoreState
		deadline := time.Now().Add(30 * time.Second)
		for s = pl.classify(ctx, pod); s.baseFrom != fromSource && time.Now().Before(deadline); s = pl.classify(ctx, pod) {
			time.Sleep(50 * time.Millisecond) // the first ask queues the owner; the refresher fetches it
		}
		cancel()
		if s.baseFrom != fromSource {
			t.Fatalf("p%d: base still from %q after 30s, want it from Prometheus", tt.percentile, s.baseFrom)
		}
		at := clock.RealClock{}.Now()
		want := workload.PercentileOf(history, at.Add(-window), at, tt.percentile)
		if s.base != tt.wantBase || s.base != want {
			t.Errorf("p%d: base = %d, want %d (the percentile of the backfilled history: %d)", tt.percentile, s.base, tt.wantBase, want)
		}
		if s.class != Steady || s.reason != "history" {
			t.Errorf("p%d: first replica after a restart is %s (%s), want steady by history", tt.percentile, s.class, s.reason)
		}
		// The same restart without the source: nothing to go on but priors.
		thin, err := NewWithClock(context.Background(), args, nil, clock.RealClock{})
		if err != nil {
			t.Fatal(err)
		}
		if c := thin.classify(context.Background(), pod); c.class != Neutral || c.baseFrom != fromCluster {
			t.Errorf("p%d without the source: %s from %s, want neutral from the (empty) cluster window", tt.percentile, c.class, c.baseFrom)
		}
	}
}
