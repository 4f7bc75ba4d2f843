package bench

import (
	"context"
	"io"
	"runtime"
	"testing"

	"k8s.io/klog/v2"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/simulator/inprocess"
	"github.com/spillway-dev/spillway/simulator/tune"
)

// tunerTrace is two hours of the 10-function Azure Functions set.
const tunerTrace = "../simulator/whatif/testdata/azure10-2h.jsonl"

// tunerSamples is how many configurations one iteration evaluates.
const tunerSamples = 8

// BenchmarkTunerEvaluate measures the tuner's throughput: Latin-hypercube
// samples of the default space, each built as a KubeSchedulerConfiguration
// (encoded, decoded, validated) and simulated over the whole trace, on
// GOMAXPROCS parallel workers. It reports configurations evaluated per
// second (configs/s) and per core-second.
func BenchmarkTunerEvaluate(b *testing.B) {
	klog.SetOutput(io.Discard)
	klog.LogToStderr(false)
	cfg, err := inprocess.LoadConfigFile("../manifests/scheduler-config.yaml")
	if err != nil {
		b.Fatal(err)
	}
	spec := tune.DefaultSpec()
	spec.Search.Samples = tunerSamples
	spec.Search.FirstRung = 1
	spec.Search.Holdout = -1
	o := tune.Options{TracePath: tunerTrace, Spec: spec, Config: cfg, Prices: cost.Default(), Backends: backends.Default(), Seed: 1}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		o.Seed = int64(i + 1)
		evals, err := tune.RunShard(context.Background(), o, 0, 1)
		if err != nil {
			b.Fatal(err)
		}
		if len(evals) != tunerSamples {
			b.Fatalf("evaluated %d configurations, want %d", len(evals), tunerSamples)
		}
	}
	secs := b.Elapsed().Seconds()
	configs := float64(b.N * tunerSamples)
	b.ReportMetric(configs/secs, "configs/s")
	b.ReportMetric(configs/secs/float64(runtime.GOMAXPROCS(0)), "configs/core-s")
}
