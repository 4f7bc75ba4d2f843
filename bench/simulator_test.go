package bench

import (
	"bytes"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/simulator"
	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/importers/azurefunctions"
	"github.com/spillway-dev/spillway/simulator/inprocess"
	"github.com/spillway-dev/spillway/simulator/trace"
	"github.com/spillway-dev/spillway/simulator/tracegen"
)

// BenchmarkSimulatorSpeed replays each trace of workloads.yaml through the
// simulator (loop=simulator, one op = one whole run) on the minimal
// cluster under the spillway profile, and the bare framework cycle on the
// same pods (loop=bare, one op = one scheduling decision): the trace's pod
// templates round robin through the same framework and cluster, with
// livePods pods bound, no simulation around it. bound is the share of
// decisions that placed the pod (failed cycles are cheaper).
func BenchmarkSimulatorSpeed(b *testing.B) {
	w, cfg := setup(b)
	prof, err := inprocess.Profile(cfg, "spillway")
	if err != nil {
		b.Fatal(err)
	}
	cl := minimalCluster(b)
	for _, tr := range w.Simulator {
		data := traceData(b, tr)
		b.Run(fmt.Sprintf("trace=%s/loop=simulator", tr.Name), func(b *testing.B) {
			var attempts, placed int64
			var simulated, wall, inCycle, inRemoval float64
			var peak uint64
			for range b.N {
				b.StopTimer()
				debug.FreeOSMemory()
				stop := samplePeakMemory(&peak)
				b.StartTimer()
				res, err := simulator.Run(quietContext(b), simulator.Config{
					Trace: bytes.NewReader(data), TraceName: tr.Name, Cluster: cl, Profile: prof, Seed: 1,
				})
				b.StopTimer()
				stop()
				if err != nil {
					b.Fatal(err)
				}
				attempts += res.Summary.Sim.SchedulingAttempts
				placed += res.Summary.Pods.Dedicated + res.Summary.Pods.Serverless
				simulated += res.Summary.Sim.SimulatedS
				wall += res.Summary.Sim.WallS
				inCycle += res.FrameworkWall.Seconds()
				inRemoval += res.RemovalWall.Seconds()
				b.StartTimer()
			}
			b.ReportMetric(float64(attempts)/wall, "decisions/s")
			b.ReportMetric(simulated/wall, "sim-s/wall-s")
			b.ReportMetric(wall/float64(b.N), "wall-s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
			b.ReportMetric(float64(placed)/float64(attempts), "bound")
			// The same decisions with no simulation around them: the
			// run's wall time inside the framework's cycles.
			b.ReportMetric(float64(attempts)/inCycle, "cycle-decisions/s")
			b.ReportMetric(inCycle/wall, "cycle-share")
			// The framework's other part: removing the pods that leave
			// (the scheduler cache's and the plugins' event handlers).
			// The rest, 1 - cycle-share - removal-share, is the
			// simulator's own.
			b.ReportMetric(inRemoval/wall, "removal-share")
		})
		b.Run(fmt.Sprintf("trace=%s/loop=bare", tr.Name), func(b *testing.B) {
			templates := podTemplates(b, data, tr.Name)
			sched, err := inprocess.New(quietContext(b), prof, clocktesting.NewFakePassiveClock(simulator.Epoch), nil)
			if err != nil {
				b.Fatal(err)
			}
			for _, n := range cl.Nodes() {
				sched.AddNode(n)
			}
			ctx := quietContext(b)
			live := make([]*v1.Pod, 0, tr.LivePods)
			head := 0
			placed := 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				p := templates[i%len(templates)].DeepCopy()
				p.Name = fmt.Sprintf("%s-%07d", p.Name, i)
				p.UID = types.UID(p.Namespace + "/" + p.Name)
				_, bound, err := sched.Schedule(ctx, p)
				if err != nil {
					b.Fatal(err)
				}
				if bound == nil {
					continue
				}
				placed++
				if len(live) < tr.LivePods {
					live = append(live, bound)
					continue
				}
				if err := sched.RemovePod(live[head]); err != nil {
					b.Fatal(err)
				}
				live[head] = bound
				head = (head + 1) % len(live)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
			b.ReportMetric(float64(placed)/float64(b.N), "bound")
		})
	}
}

// minimalCluster is simulator/cluster/default.yaml, built.
func minimalCluster(tb testing.TB) *cluster.Cluster {
	tb.Helper()
	cl, err := cluster.Default().Build(cost.Default(), backends.Default())
	if err != nil {
		tb.Fatal(err)
	}
	return cl
}

var (
	tracesMu sync.Mutex
	traces   = map[string][]byte{}
)

// traceData converts or generates a trace of workloads.yaml (once per
// process).
func traceData(tb testing.TB, tr SimulatorTrace) []byte {
	tb.Helper()
	tracesMu.Lock()
	defer tracesMu.Unlock()
	if data, ok := traces[tr.Name]; ok {
		return data
	}
	var buf bytes.Buffer
	w := trace.NewWriter(&buf)
	if tr.Generated != nil {
		o := tracegen.DefaultOptions()
		o.Workloads, o.Duration, o.Seed = tr.Generated.Workloads, tr.Generated.Duration, tr.Generated.Seed
		if tr.Generated.RequestScale != 0 {
			o.RequestScale = tr.Generated.RequestScale
		}
		if _, err := tracegen.Generate(o, w); err != nil {
			tb.Fatalf("%s: %v", tr.Name, err)
		}
	} else {
		o := azurefunctions.DefaultOptions()
		o.TargetConcurrency = tr.TargetConcurrency
		p := filepath.Join(root, tr.AzureFunctions)
		if _, err := azurefunctions.ConvertFiles(p+"-invocations.csv", p+"-durations.csv", p+"-memory.csv", o, w); err != nil {
			tb.Fatalf("%s: %v", tr.Name, err)
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	traces[tr.Name] = buf.Bytes()
	return buf.Bytes()
}

// podTemplates returns the pods a trace creates and the templates it
// scales, in order, with the name of their workload.
func podTemplates(tb testing.TB, data []byte, source string) []*v1.Pod {
	tb.Helper()
	r := trace.NewReader(bytes.NewReader(data), source)
	seen := map[string]bool{}
	var pods []*v1.Pod
	for {
		ev, err := r.Next()
		if err != nil {
			break
		}
		p := ev.Pod
		if ev.Template != nil && !seen[ev.Workload] {
			seen[ev.Workload] = true
			p = ev.Template.DeepCopy()
			p.Namespace, p.Name, _ = trace.SplitName(ev.Workload)
		}
		if p != nil {
			if p.Namespace == "" {
				p.Namespace = "default"
			}
			pods = append(pods, p)
		}
	}
	if len(pods) == 0 {
		tb.Fatalf("%s: no pods", source)
	}
	return pods
}

// samplePeakMemory records in peak the most memory the Go runtime holds
// from the OS (all its classes but the heap it has released), sampled
// every 5 ms until stop is called.
func samplePeakMemory(peak *uint64) (stop func()) {
	samples := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	done, finished := make(chan struct{}), make(chan struct{})
	read := func() {
		metrics.Read(samples)
		if v := samples[0].Value.Uint64() - samples[1].Value.Uint64(); v > *peak {
			*peak = v
		}
	}
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				read()
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() { close(done); <-finished }
}
