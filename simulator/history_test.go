package simulator

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/spillway-dev/spillway/plugins/apis/config"
	schedv1 "github.com/spillway-dev/spillway/plugins/apis/config/v1"
	"github.com/spillway-dev/spillway/plugins/plugintesting/promtest"
	"github.com/spillway-dev/spillway/plugins/steadiness"
)

func TestTraceHistoryRecordsTheTracesReplicaCounts(t *testing.T) {
	tmpl := `,"template":` + pod("web", "100m", "128Mi")
	tr := lines(
		fmt.Sprintf(`{"at":0,"op":"scale","workload":"default/web","kind":"Deployment","replicas":2%s}`, tmpl),
		`{"at":0,"op":"scale","workload":"batch/etl","kind":"Job","replicas":3,"runFor":30,"template":`+pod("etl", "1", "1Gi")+`}`,
		`{"at":600,"op":"scale","workload":"default/web","kind":"Deployment","replicas":6}`,
		`{"at":600,"op":"scale","workload":"default/web","kind":"Deployment","replicas":5}`,
		`{"at":1200,"op":"scale","workload":"default/web","kind":"Deployment","replicas":2}`,
	)
	cfg := Config{Trace: strings.NewReader(tr), TraceName: "trace.jsonl", Cluster: defaultCluster(t), Profile: profile(t, "spillway"), TraceHistory: true}
	e, err := newEngine(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	sec := func(s int) time.Time { return Epoch.Add(time.Duration(s) * time.Second) }
	web := steadiness.Owner{Namespace: "default", Kind: "Deployment", Name: "web"}
	got, ok := e.history.History(web, sec(0), sec(2000))
	want := []steadiness.Point{{At: sec(0), Count: 2}, {At: sec(600), Count: 5}, {At: sec(1200), Count: 2}}
	if diff := cmp.Diff(want, got); !ok || diff != "" {
		t.Errorf("web's history (ok=%v) (-want +got):\n%s", ok, diff)
	}
	// As of second 900 the future is not known: only what came before.
	got, _ = e.history.History(web, sec(0), sec(900))
	if diff := cmp.Diff(want[:2], got); diff != "" {
		t.Errorf("web's history up to 900 s (-want +got):\n%s", diff)
	}
	if _, ok := e.history.History(steadiness.Owner{Namespace: "batch", Kind: "Job", Name: "etl"}, sec(0), sec(2000)); ok {
		t.Error("a Job has a history; want none (kube-state-metrics' replicas are Deployments' and StatefulSets')")
	}
}

func TestTraceHistoryKeepsOnlyKeep(t *testing.T) {
	h := NewTraceHistory(time.Hour)
	o := steadiness.Owner{Namespace: "a", Kind: "Deployment", Name: "b"}
	for m := 0; m <= 180; m += 30 {
		h.Record(o, Epoch.Add(time.Duration(m)*time.Minute), m)
	}
	got, _ := h.History(o, Epoch, Epoch.Add(4*time.Hour))
	want := []steadiness.Point{{At: Epoch.Add(120 * time.Minute), Count: 120}, {At: Epoch.Add(150 * time.Minute), Count: 150}, {At: Epoch.Add(180 * time.Minute), Count: 180}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("history kept (-want +got):\n%s", diff)
	}
}

// TestTraceHistoryMatchesPrometheus: the same series gives Steadiness the
// same base through a real Prometheus (history.prometheus) and through the
// simulator's trace history, so the plugin behaves the same in both.
func TestTraceHistoryMatchesPrometheus(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Minute)
	series := promtest.AfternoonTriples(now)
	url := promtest.Start(t, promtest.OpenMetrics(promtest.Series{
		Metric: "kube_deployment_status_replicas",
		Labels: map[string]string{"namespace": "shop", "deployment": "web"},
		Points: series,
	}))
	traceHistory := NewTraceHistory(TraceHistoryKeep)
	web := steadiness.Owner{Namespace: "shop", Kind: "Deployment", Name: "web"}
	for _, p := range series {
		traceHistory.Record(web, p.At, p.Count)
	}
	for _, pct := range []int32{50, 79, 80, 90} {
		args := &config.SteadinessArgs{Window: metav1.Duration{Duration: 48 * time.Hour}, BasePercentile: pct,
			MinHistory: metav1.Duration{Duration: 5 * time.Minute}, VMHeadroomPercent: 80, LongRunningJob: metav1.Duration{Duration: time.Hour}}
		simArgs := args.DeepCopy()
		args.History.Prometheus = &config.PrometheusHistory{URL: url, Query: schedv1.DefaultPrometheusQuery,
			Step: metav1.Duration{Duration: time.Minute}, RefreshInterval: metav1.Duration{Duration: time.Minute}, MaxQueriesPerInterval: 10,
			Timeout: metav1.Duration{Duration: 10 * time.Second}, MaxResponseBytes: 8 << 20}
		ctx, cancel := context.WithCancel(context.Background())
		p, err := steadiness.New(ctx, args, nil)
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		real := p.(*steadiness.Steadiness)
		deadline := time.Now().Add(30 * time.Second)
		promBase, _, from := real.BaseOf(web)
		for ; from != "source" && time.Now().Before(deadline); promBase, _, from = real.BaseOf(web) {
			time.Sleep(50 * time.Millisecond)
		}
		cancel()
		if from != "source" {
			t.Fatalf("p%d: no base from Prometheus after 30s", pct)
		}
		sim, err := steadiness.NewWithClock(context.Background(), simArgs, nil, testingclock.NewFakePassiveClock(time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		sim.UseHistory(traceHistory)
		simBase, _, simFrom := sim.BaseOf(web)
		if simFrom != "source" || simBase != promBase {
			t.Errorf("p%d: base %d from Prometheus, %d from the trace history (%s); want the same", pct, promBase, simBase, simFrom)
		}
	}
}
