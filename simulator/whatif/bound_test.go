package whatif

import (
	"fmt"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/report"
	"github.com/spillway-dev/spillway/simulator/trace"
)

// handCluster has round prices for by-hand sums: a control plane and two
// workers of 2 CPU and 4 GiB at $0.0001/s each (VMs $0.0003/s), and, with
// virtual, an ACI node at $0.001 per vCPU-second and $0.0001 per
// GiB-second that takes at most 4 CPU per pod.
func handCluster(virtual bool) *cluster.Cluster {
	node := func(name, cpu, mem string, taints ...v1.Taint) *v1.Node {
		return &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: v1.NodeSpec{Taints: taints},
			Status: v1.NodeStatus{Allocatable: v1.ResourceList{v1.ResourceCPU: resource.MustParse(cpu), v1.ResourceMemory: resource.MustParse(mem)}}}
	}
	c := &cluster.Cluster{Dedicated: []cluster.Dedicated{
		{Node: node("cp", "2", "4Gi", v1.Taint{Key: "node-role.kubernetes.io/control-plane", Effect: v1.TaintEffectNoSchedule}), HourlyUSD: 0.36},
		{Node: node("w1", "2", "4Gi"), HourlyUSD: 0.36, Workload: true},
		{Node: node("w2", "2", "4Gi"), HourlyUSD: 0.36, Workload: true},
	}}
	if virtual {
		four := resource.MustParse("4")
		c.Virtual = []cluster.Virtual{{
			Node:    node("aci", "1000", "4Ti", v1.Taint{Key: "virtual-kubelet.io/provider", Value: "azure", Effect: v1.TaintEffectNoSchedule}),
			Backend: &backends.Backend{Name: "aci", Limits: backends.Limits{MaxCPU: &four}},
			Price:   &cost.ServerlessPrice{Name: "aci", VCPUHourUSD: 3.6, GiBHourUSD: 0.36, GranularitySeconds: 1, Shape: cost.ShapeRule{CPUStepMilli: 1, MemoryStepMiB: 1}},
		}}
	}
	return c
}

// podJSON is a pod manifest requesting cpu and mem; tolerant pods
// tolerate the virtual node.
func podJSON(name, cpu, mem string, tolerant bool) string {
	tol := ""
	if tolerant {
		tol = `,"tolerations":[{"key":"virtual-kubelet.io/provider","operator":"Exists","effect":"NoSchedule"}]`
	}
	return fmt.Sprintf(`{"metadata":{"name":%q},"spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":%q,"memory":%q}}}]%s}}`, name, cpu, mem, tol)
}

func scale(at float64, name, kind string, replicas int, template string, runFor ...float64) string {
	s := fmt.Sprintf(`{"at":%v,"op":"scale","workload":"default/%s","kind":%q,"replicas":%d`, at, name, kind, replicas)
	if template != "" {
		s += `,"template":` + template
	}
	if len(runFor) > 0 {
		s += fmt.Sprintf(`,"runFor":%v`, runFor[0])
	}
	return s + "}"
}

func create(at float64, pod string, runFor ...float64) string {
	s := fmt.Sprintf(`{"at":%v,"op":"create","pod":%s`, at, pod)
	if len(runFor) > 0 {
		s += fmt.Sprintf(`,"runFor":%v`, runFor[0])
	}
	return s + "}"
}

// The bound by hand. VMs cost $0.0003/s; the workers hold 4 CPU and
// 8 GiB; a serverless pod costs $0.001 per CPU-s and $0.0001 per GiB-s.
func TestFluidOracle(t *testing.T) {
	small := podJSON("small", "1", "1Gi", true)
	big := podJSON("big", "2", "2Gi", true)
	tests := []struct {
		name    string
		lines   []string
		until   float64
		noVirt  bool
		want    report.Bound // TotalUSD is DedicatedUSD + ServerlessUSD
		wantErr string
	}{{
		name:  "under capacity: VMs only",
		lines: []string{scale(0, "d", "Deployment", 2, small), scale(100, "d", "Deployment", 0, "")},
		want:  report.Bound{DedicatedUSD: 0.03, SpanS: 100, Pods: 2, PeakCPUMilli: 2000, PeakMemBytes: 2 << 30},
	}, {
		// 6 CPU and 6 GiB on 4 CPU and 8 GiB: the 2 CPU left over bring
		// their 2 GiB along (CPU and memory packed apart would say $0.20).
		name:  "over on CPU: the pods left over pay their memory too",
		lines: []string{scale(0, "d", "Deployment", 6, small), scale(100, "d", "Deployment", 0, "")},
		want:  report.Bound{DedicatedUSD: 0.03, ServerlessUSD: (2*0.001 + 2*0.0001) * 100, SpanS: 100, Pods: 6, PeakCPUMilli: 6000, PeakMemBytes: 6 << 30},
	}, {
		name:   "no virtual node: the excess is not priced",
		lines:  []string{scale(0, "d", "Deployment", 6, small), scale(100, "d", "Deployment", 0, "")},
		noVirt: true,
		want:   report.Bound{DedicatedUSD: 0.03, SpanS: 100, Pods: 6, PeakCPUMilli: 6000, PeakMemBytes: 6 << 30},
	}, {
		name:  "until cuts the span",
		lines: []string{scale(0, "d", "Deployment", 6, small), scale(100, "d", "Deployment", 0, "")},
		until: 50,
		want:  report.Bound{DedicatedUSD: 0.015, ServerlessUSD: (2*0.001 + 2*0.0001) * 50, SpanS: 50, Pods: 6, PeakCPUMilli: 6000, PeakMemBytes: 6 << 30},
	}, {
		// 2 x (2 CPU, 0.5 GiB) and 2 x (0.5 CPU, 4 GiB): 5 CPU, 9 GiB.
		// The VMs take all 4 CPU and all 8 GiB (77% of the CPU-heavy
		// pods, 90% of the memory-heavy ones); 1 CPU and 1 GiB are left.
		name: "mixed shapes pack both resources",
		lines: []string{
			scale(0, "cpu", "Deployment", 2, podJSON("c", "2", "512Mi", true)),
			scale(0, "mem", "Deployment", 2, podJSON("m", "500m", "4Gi", true)),
			scale(100, "cpu", "Deployment", 0, ""),
		},
		want: report.Bound{DedicatedUSD: 0.03, ServerlessUSD: (1*0.001 + 1*0.0001) * 100, SpanS: 100, Pods: 4, PeakCPUMilli: 5000, PeakMemBytes: 9 << 30},
	}, {
		// 3 pods of 2 CPU and 1 GiB for 50 s: 2 CPU and 1 GiB left over.
		name:  "a Job's pods run from its scale event for runFor; the span ends with them",
		lines: []string{scale(0, "j", "Job", 3, podJSON("j", "2", "1Gi", true), 50)},
		want:  report.Bound{DedicatedUSD: 0.015, ServerlessUSD: (2*0.001 + 1*0.0001) * 50, SpanS: 50, Pods: 3, PeakCPUMilli: 6000, PeakMemBytes: 3 << 30},
	}, {
		// 3 CPU fits no 2-CPU worker: serverless for its 10 s.
		name:  "a pod too big for a worker is serverless",
		lines: []string{create(0, podJSON("p", "3", "1Gi", true), 10)},
		want:  report.Bound{DedicatedUSD: 0.003, ServerlessUSD: (3*0.001 + 1*0.0001) * 10, SpanS: 10, Pods: 1, PeakCPUMilli: 3000, PeakMemBytes: 1 << 30},
	}, {
		name:  "a pod over the backend's limit fits nowhere and is left out",
		lines: []string{create(0, podJSON("p", "5", "1Gi", true), 10)},
		want:  report.Bound{DedicatedUSD: 0.003, SpanS: 10, Pods: 1, PodsNowhere: 1},
	}, {
		name:  "a pod that does not tolerate the virtual node fits nowhere",
		lines: []string{create(0, podJSON("p", "3", "1Gi", false), 10)},
		want:  report.Bound{DedicatedUSD: 0.003, SpanS: 10, Pods: 1, PodsNowhere: 1},
	}, {
		name:  "a deleted bare pod stops costing",
		lines: []string{create(0, podJSON("p", "3", "1Gi", true)), `{"at":20,"op":"delete","name":"default/p"}`},
		want:  report.Bound{DedicatedUSD: 0.006, ServerlessUSD: (3*0.001 + 1*0.0001) * 20, SpanS: 20, Pods: 1, PeakCPUMilli: 3000, PeakMemBytes: 1 << 30},
	}, {
		// [0,10): 4 small fit. [10,20): +2 big, 8 CPU/8 GiB, 4 and 4
		// left over. [20,30): down to 5, the newest (a big one) leaves: 6
		// CPU/6 GiB, 2 and 2 left over. Removing the oldest would leave 3
		// small and 2 big, 7 CPU.
		name: "scale-down removes the newest replicas; a new template applies to new replicas",
		lines: []string{
			scale(0, "d", "Deployment", 4, small),
			scale(10, "d", "Deployment", 6, big),
			scale(20, "d", "Deployment", 5, ""),
			scale(30, "d", "Deployment", 0, ""),
		},
		want: report.Bound{DedicatedUSD: 0.009, ServerlessUSD: 4*0.0011*10 + 2*0.0011*10, SpanS: 30, Pods: 6, PeakCPUMilli: 8000, PeakMemBytes: 8 << 30},
	}, {
		// One 3-CPU pod [0,10), a second [5,15); at 12, one finished, so
		// 3 completions need one more pod [12,22), not two.
		name: "a Job runs only the completions it has not done",
		lines: []string{
			scale(0, "j", "Job", 1, podJSON("j", "3", "1Gi", true), 10),
			scale(5, "j", "Job", 2, "", 10),
			scale(12, "j", "Job", 3, "", 10),
		},
		want: report.Bound{DedicatedUSD: 0.0066, ServerlessUSD: 3 * 0.0031 * 10, SpanS: 22, Pods: 3, PeakCPUMilli: 6000, PeakMemBytes: 2 << 30},
	}, {
		name:    "a bad trace names its line",
		lines:   []string{create(0, podJSON("p", "1", "1Gi", true)), `{"at":1,"op":"nope"}`},
		wantErr: "hand.jsonl:2: op: want create",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FluidOracle(strings.NewReader(strings.Join(tt.lines, "\n")+"\n"), "hand.jsonl", handCluster(!tt.noVirt), tt.until)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want.TotalUSD = tt.want.DedicatedUSD + tt.want.ServerlessUSD
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// The joint packing of CPU and memory, against a hand-worked knapsack.
func TestFluidOnVMs(t *testing.T) {
	const gi = 1 << 30
	tests := []struct {
		name               string
		shapes             [][3]int64 // cpu milli, mem bytes, count
		allocCPU, allocMem int64
		cpu, mem           float64
	}{
		{"nothing", nil, 4000, 8 * gi, 0, 0},
		{"all fits", [][3]int64{{1000, gi, 3}}, 4000, 8 * gi, 3000, 3 * gi},
		{"one mix, CPU binds", [][3]int64{{1000, gi, 6}}, 4000, 8 * gi, 4000, 4 * gi},
		{"one mix, memory binds", [][3]int64{{1000, 4 * gi, 3}}, 4000, 8 * gi, 2000, 8 * gi},
		{"two mixes, both bind", [][3]int64{{2000, gi / 2, 2}, {500, 4 * gi, 2}}, 4000, 8 * gi, 4000, 8 * gi},
		// Memory-free pods first on the lower chain: 4 CPU, no memory.
		{"pods without memory or without CPU", [][3]int64{{1000, 0, 5}, {0, 3 * gi, 4}}, 4000, 8 * gi, 4000, 8 * gi},
		// Memory binds before CPU: 16 GiB of 1:4 pods, but only 8: 2 CPU.
		{"memory-heavy only", [][3]int64{{1000, 4 * gi, 4}}, 4000, 8 * gi, 2000, 8 * gi},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ss shapeSet
			for _, s := range tt.shapes {
				ss.add(s[0], s[1], s[2])
			}
			cpu, mem := ss.fluidOnVMs(tt.allocCPU, tt.allocMem)
			if math.Abs(cpu-tt.cpu) > 1e-6 || math.Abs(mem-tt.mem) > 1e-3 {
				t.Errorf("got %v CPU, %v bytes; want %v, %v", cpu, mem, tt.cpu, tt.mem)
			}
		})
	}
}

// shapeSet keeps only the requests that are running.
func TestShapeSetForgets(t *testing.T) {
	var ss shapeSet
	ss.add(1000, 1, 2)
	ss.add(2000, 1, 1)
	ss.add(1000, 1, -2)
	if len(ss.s) != 1 || ss.s[0].cpuMilli != 2000 {
		t.Errorf("set = %+v, want only the 2000m request", ss.s)
	}
}

// The walk keeps only what is running: a long stream of short-lived bare
// pods and Jobs leaves nothing behind, and never holds more than the pods
// running at once.
func TestWalkConstantMemory(t *testing.T) {
	pr, pw := io.Pipe()
	go func() {
		for i := range 20000 {
			at := float64(i)
			if i%2 == 0 {
				fmt.Fprintln(pw, create(at, podJSON(fmt.Sprintf("p%d", i), "100m", "64Mi", true), 3))
			} else {
				fmt.Fprintln(pw, scale(at, fmt.Sprintf("j%d", i), "Job", 2, podJSON("j", "100m", "64Mi", true), 3))
			}
		}
		pw.Close()
	}()
	w := newWalker(newPricing(handCluster(true)).shapeOf, nil)
	most := 0
	r := newTraceReader(pr)
	span, err := w.walk(r, 0, func(_, _ float64) {
		most = max(most, len(w.bare)+len(w.workloads)+len(w.ends))
	})
	if err != nil {
		t.Fatal(err)
	}
	if span != 19999+3 || len(w.bare)+len(w.workloads)+len(w.ends) != 0 || most > 20 {
		t.Errorf("span %v, %d bare pods, %d workloads and %d ends left, at most %d held; want 20002, none left, at most 20", span, len(w.bare), len(w.workloads), len(w.ends), most)
	}
}

func newTraceReader(r io.Reader) *trace.Reader { return trace.NewReader(r, "stream") }

// Above maxShapesFluid distinct requests at once the bound packs CPU and
// memory separately: min(C, A_cpu) and min(M, A_mem) stay on the VMs.
func TestFluidOracleManyShapes(t *testing.T) {
	var lines []string
	n := maxShapesFluid + 1
	var cpuSum, memSum float64
	for i := range n {
		// All requests differ, and each fits a 2-CPU worker.
		cpu, mem := 1+i%2000, 1+i/2000
		cpuSum, memSum = cpuSum+float64(cpu), memSum+float64(mem)
		lines = append(lines, create(0, podJSON(fmt.Sprintf("p%d", i), fmt.Sprintf("%dm", cpu), fmt.Sprintf("%dMi", mem), true), 10))
	}
	got, err := FluidOracle(strings.NewReader(strings.Join(lines, "\n")+"\n"), "many.jsonl", handCluster(true), 0)
	if err != nil {
		t.Fatal(err)
	}
	if memSum > 8*1024 {
		t.Fatalf("the pods ask %v MiB: the test wants memory to fit", memSum)
	}
	want := 10 * (cpuSum - 4000) / 1000 * 0.001 // the CPU above the workers' 4
	if math.Abs(got.ServerlessUSD-want) > 1e-9 {
		t.Errorf("serverless $%v, want $%v", got.ServerlessUSD, want)
	}
}
