// Package tracegen generates synthetic native traces: many workloads with
// a steady base, a daily swing and random bursts, plus batch Jobs. It
// streams: events are written minute by minute, so memory depends on the
// number of workloads, not on the length of the trace.
//
// Workload i draws everything from a generator seeded by (Seed, i):
//   - a Deployment with a base of 1-4 replicas, a daily swing of up to
//     +-50% (peaking at a random hour), and bursts starting with
//     probability BurstPerHour/60 each minute, adding 2-10 replicas for
//     5-30 minutes;
//   - a request size from 100m/128Mi to 1 CPU/2Gi, times RequestScale;
//   - with probability JobShare, a Job instead, launched every 1-6 hours
//     with 1-8 pods of 2-30 minutes each.
//
// Every pod tolerates the virtual-kubelet taint, so it may burst to a
// virtual node; the profile decides whether it does.
package tracegen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/ptr"

	"github.com/spillway-dev/spillway/simulator/trace"
)

// Options shape a generated trace.
type Options struct {
	Workloads    int           // number of workloads, >= 1
	Duration     time.Duration // simulated length, >= 1 minute
	Seed         int64
	BurstPerHour float64 // expected bursts per workload per hour, >= 0
	JobShare     float64 // share of workloads that are Jobs, 0..1
	// RequestScale multiplies every pod's CPU and memory requests (at
	// least 1m and 1Mi), so that many workloads fit a small cluster;
	// 0 < RequestScale <= 10, 1 leaves them as drawn.
	RequestScale float64
	Namespace    string
}

// DefaultOptions is 100 workloads over a day.
func DefaultOptions() Options {
	return Options{Workloads: 100, Duration: 24 * time.Hour, Seed: 1, BurstPerHour: 0.5, JobShare: 0.2, RequestScale: 1, Namespace: "synthetic"}
}

// MaxWorkloads bounds Options.Workloads (they are all held at once).
const MaxWorkloads = 100_000

// maxDuration is a trace's bound on times.
const maxDuration = trace.MaxSeconds * time.Second

// Validate rejects options that make no sense, naming the field.
func (o Options) Validate() error {
	switch {
	case o.Workloads < 1 || o.Workloads > MaxWorkloads:
		return fmt.Errorf("workloads: want 1..%d, got %d", MaxWorkloads, o.Workloads)
	case o.Duration < time.Minute || o.Duration > maxDuration:
		return fmt.Errorf("duration: want 1m..%s (the bound of a trace's times), got %s", maxDuration, o.Duration)
	case !(o.BurstPerHour >= 0 && o.BurstPerHour <= 60):
		return fmt.Errorf("burstPerHour: want 0..60, got %v", o.BurstPerHour)
	case !(o.JobShare >= 0 && o.JobShare <= 1):
		return fmt.Errorf("jobShare: want 0..1, got %v", o.JobShare)
	case !(o.RequestScale > 0 && o.RequestScale <= 10):
		return fmt.Errorf("requestScale: want 0 < requestScale <= 10, got %v", o.RequestScale)
	case o.Namespace == "":
		return fmt.Errorf("namespace: required")
	case len(validation.IsDNS1123Label(o.Namespace)) > 0:
		return fmt.Errorf("namespace: %q: %s", o.Namespace, validation.IsDNS1123Label(o.Namespace)[0])
	}
	return nil
}

type workload struct {
	rng        *rand.Rand
	name       string
	job        bool
	template   *v1.Pod
	sent       bool
	base       float64
	swing      float64
	peakMinute float64
	burst      int
	burstLeft  int
	replicas   int32
	nextJob    int
	jobRuns    int
}

// Generate writes the trace to w and returns the number of events.
func Generate(o Options, w *trace.Writer) (int64, error) {
	if err := o.Validate(); err != nil {
		return 0, err
	}
	ws := make([]*workload, o.Workloads)
	for i := range ws {
		ws[i] = newWorkload(o, i)
	}
	var n int64
	minutes := int(o.Duration / time.Minute)
	for m := 0; m < minutes; m++ {
		at := float64(m * 60)
		for _, wl := range ws {
			ev, ok := wl.step(o, m, at)
			if !ok {
				continue
			}
			if err := w.Write(ev); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, w.Flush()
}

func newWorkload(o Options, i int) *workload {
	rng := rand.New(rand.NewPCG(uint64(o.Seed), uint64(i)))
	milliCPU := []int64{100, 250, 500, 1000}[rng.IntN(4)]
	memMiB := []int64{128, 256, 512, 1024, 2048}[rng.IntN(5)]
	cpu := resource.NewMilliQuantity(max(1, int64(math.Round(float64(milliCPU)*o.RequestScale))), resource.DecimalSI)
	mem := resource.NewQuantity(max(1, int64(math.Round(float64(memMiB)*o.RequestScale)))<<20, resource.BinarySI)
	wl := &workload{rng: rng, job: rng.Float64() < o.JobShare, base: float64(1 + rng.IntN(4)),
		swing: rng.Float64() * 0.5, peakMinute: float64(rng.IntN(1440))}
	if wl.job {
		wl.name = fmt.Sprintf("batch-%d", i)
		wl.nextJob = rng.IntN(360)
	} else {
		wl.name = fmt.Sprintf("svc-%d", i)
	}
	wl.template = &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: wl.name, Labels: map[string]string{"app": wl.name}},
		Spec: v1.PodSpec{
			Containers: []v1.Container{{Name: "app", Image: "registry.example/" + wl.name + ":1", Resources: v1.ResourceRequirements{
				Requests: v1.ResourceList{v1.ResourceCPU: *cpu, v1.ResourceMemory: *mem},
			}}},
			Tolerations: []v1.Toleration{{Key: "virtual-kubelet.io/provider", Operator: v1.TolerationOpExists, Effect: v1.TaintEffectNoSchedule}},
		},
	}
	return wl
}

// step returns the workload's event for minute m, if any.
func (wl *workload) step(o Options, m int, at float64) (trace.Event, bool) {
	ns := o.Namespace
	if wl.job {
		if m != wl.nextJob {
			return trace.Event{}, false
		}
		wl.jobRuns++
		wl.nextJob = m + 60 + wl.rng.IntN(300)
		runFor := float64(120 + wl.rng.IntN(1680))
		return trace.Event{At: at, Op: trace.OpScale, Workload: fmt.Sprintf("%s/%s-%d", ns, wl.name, wl.jobRuns),
			Kind: trace.Job, Replicas: ptr.To(int32(1 + wl.rng.IntN(8))), RunFor: &runFor, Template: wl.template}, true
	}
	if wl.burstLeft > 0 {
		wl.burstLeft--
	} else {
		wl.burst = 0
		if wl.rng.Float64() < o.BurstPerHour/60 {
			wl.burst, wl.burstLeft = 2+wl.rng.IntN(9), 5+wl.rng.IntN(26)
		}
	}
	daily := 1 + wl.swing*math.Cos(2*math.Pi*(float64(m)-wl.peakMinute)/1440)
	want := int32(math.Round(wl.base*daily)) + int32(wl.burst)
	if want == wl.replicas && wl.sent {
		return trace.Event{}, false
	}
	wl.replicas = want
	ev := trace.Event{At: at, Op: trace.OpScale, Workload: ns + "/" + wl.name, Kind: trace.Deployment, Replicas: ptr.To(want)}
	if !wl.sent {
		ev.Template, wl.sent = wl.template, true
	}
	return ev, true
}
