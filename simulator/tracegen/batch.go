package tracegen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/spillway-dev/spillway/simulator/trace"
)

// BatchOptions shape a generated batch trace: Jobs that arrive in bursts
// of many pods, with heavy-tailed durations.
//
// Bursts start with probability BurstsPerHour/60 each minute. A burst
// launches 1-JobsPerBurst Jobs at once; each Job runs 1-16 pods in
// parallel, all of one size drawn from a mix of shapes (CPU-heavy,
// balanced and memory-heavy, 250m to 2 CPU), for a duration drawn from a
// Pareto distribution with scale MinRun and shape Alpha, capped at
// MaxRun: most Jobs are short, a few run for hours. Everything is drawn
// from one generator seeded by Seed, so a seed is a trace.
type BatchOptions struct {
	Duration      time.Duration // simulated length, >= 1 minute
	Seed          int64
	BurstsPerHour float64       // expected bursts per hour, > 0 and <= 60
	JobsPerBurst  int           // most Jobs a burst launches, >= 1
	MinRun        time.Duration // Pareto scale of a Job's duration, > 0
	MaxRun        time.Duration // cap of a Job's duration, >= MinRun
	Alpha         float64       // Pareto shape, > 0 (smaller: heavier tail)
	Namespace     string
}

// DefaultBatchOptions is a day of bursts of Jobs that, on average, keep
// the minimal cluster's three workers busy and overflow in the bursts.
func DefaultBatchOptions() BatchOptions {
	return BatchOptions{Duration: 24 * time.Hour, Seed: 1, BurstsPerHour: 4, JobsPerBurst: 8,
		MinRun: 3 * time.Minute, MaxRun: 6 * time.Hour, Alpha: 1.3, Namespace: "batch"}
}

// Validate rejects options that make no sense, naming the field.
func (o BatchOptions) Validate() error {
	switch {
	case o.Duration < time.Minute:
		return fmt.Errorf("duration: want >= 1m, got %s", o.Duration)
	case !(o.BurstsPerHour > 0 && o.BurstsPerHour <= 60):
		return fmt.Errorf("burstsPerHour: want 0 < burstsPerHour <= 60, got %v", o.BurstsPerHour)
	case o.JobsPerBurst < 1 || o.JobsPerBurst > 1000:
		return fmt.Errorf("jobsPerBurst: want 1..1000, got %d", o.JobsPerBurst)
	case o.MinRun <= 0:
		return fmt.Errorf("minRun: want > 0, got %s", o.MinRun)
	case o.MaxRun < o.MinRun:
		return fmt.Errorf("maxRun: want >= minRun (%s), got %s", o.MinRun, o.MaxRun)
	case !(o.Alpha > 0 && o.Alpha <= 10):
		return fmt.Errorf("alpha: want 0 < alpha <= 10, got %v", o.Alpha)
	case o.Namespace == "":
		return fmt.Errorf("namespace: required")
	}
	return nil
}

// batchShapes are the pod sizes a Job draws from: CPU-heavy, balanced
// (the m5 family's 4 GiB per CPU) and memory-heavy.
var batchShapes = []struct {
	milliCPU, memMiB int64
}{
	{250, 512}, {500, 1024}, {1000, 1024}, {2000, 2048}, // CPU-heavy
	{500, 2048}, {1000, 4096}, // balanced
	{250, 2048}, {500, 4096}, {1000, 8192}, // memory-heavy
}

// GenerateBatch writes a batch trace to w and returns the number of
// events.
func GenerateBatch(o BatchOptions, w *trace.Writer) (int64, error) {
	if err := o.Validate(); err != nil {
		return 0, err
	}
	rng := rand.New(rand.NewPCG(uint64(o.Seed), 0xba7c4))
	var n int64
	jobs := 0
	minutes := int(o.Duration / time.Minute)
	for m := 0; m < minutes; m++ {
		if rng.Float64() >= o.BurstsPerHour/60 {
			continue
		}
		for range 1 + rng.IntN(o.JobsPerBurst) {
			jobs++
			ev := batchJob(o, rng, jobs, float64(m*60))
			if err := w.Write(ev); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, w.Flush()
}

// batchJob draws one Job launched at at.
func batchJob(o BatchOptions, rng *rand.Rand, i int, at float64) trace.Event {
	shape := batchShapes[rng.IntN(len(batchShapes))]
	// Pareto: MinRun / U^(1/alpha), U uniform in (0, 1].
	run := o.MinRun.Seconds() / math.Pow(1-rng.Float64(), 1/o.Alpha)
	run = math.Round(min(run, o.MaxRun.Seconds()))
	name := fmt.Sprintf("job-%d", i)
	template := &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": "batch"}},
		Spec: v1.PodSpec{
			RestartPolicy: v1.RestartPolicyNever,
			Containers: []v1.Container{{Name: "work", Image: "registry.example/batch:1", Resources: v1.ResourceRequirements{
				Requests: v1.ResourceList{
					v1.ResourceCPU:    *resource.NewMilliQuantity(shape.milliCPU, resource.DecimalSI),
					v1.ResourceMemory: *resource.NewQuantity(shape.memMiB<<20, resource.BinarySI),
				},
			}}},
			Tolerations: []v1.Toleration{{Key: "virtual-kubelet.io/provider", Operator: v1.TolerationOpExists, Effect: v1.TaintEffectNoSchedule}},
		},
	}
	return trace.Event{At: at, Op: trace.OpScale, Workload: o.Namespace + "/" + name, Kind: trace.Job,
		Replicas: ptr.To(int32(1 + rng.IntN(16))), RunFor: &run, Template: template}
}
