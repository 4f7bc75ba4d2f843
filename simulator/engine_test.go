package simulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/trace"
)

func scaleWeb(at, replicas int, withTemplate bool) string {
	tmpl := ""
	if withTemplate {
		tmpl = `,"template":` + pod("web", "1", "1Gi", tolerateAll)
	}
	return fmt.Sprintf(`{"at":%d,"op":"scale","workload":"default/web","kind":"Deployment","replicas":%d%s}`, at, replicas, tmpl)
}

// A ReplicaSet scaled down removes the newest replicas first, so the burst
// (placed last, on the virtual node) leaves first.
func TestScaleDownRemovesNewestFirst(t *testing.T) {
	e := run(t, defaultCluster(t), "spillway", lines(
		scaleWeb(0, 4, true),
		scaleWeb(600, 14, false),
		scaleWeb(1200, 4, false),
	), 1, nil)
	w := e.workloads["default/web"]
	if w == nil {
		t.Fatal("workload default/web is gone")
	}
	var got []int64
	for _, p := range w.live {
		got = append(got, p.seq)
	}
	if diff := cmp.Diff([]int64{1, 2, 3, 4}, got); diff != "" {
		t.Errorf("replicas left after scaling 14 -> 4, by creation order (-want +got):\n%s", diff)
	}
}

// A StatefulSet removes its highest ordinals and reuses them when it grows.
func TestStatefulSetOrdinals(t *testing.T) {
	ss := func(at, n int, tmpl bool) string {
		s := fmt.Sprintf(`{"at":%d,"op":"scale","workload":"db/pg","kind":"StatefulSet","replicas":%d`, at, n)
		if tmpl {
			s += `,"template":` + pod("pg", "100m", "128Mi")
		}
		return s + "}"
	}
	e := run(t, defaultCluster(t), "spillway", lines(ss(0, 3, true), ss(60, 1, false), ss(120, 2, false)), 1, nil)
	var got []string
	for _, p := range e.workloads["db/pg"].live {
		got = append(got, p.key)
	}
	if diff := cmp.Diff([]string{"db/pg-0", "db/pg-1"}, got); diff != "" {
		t.Errorf("StatefulSet pods (-want +got):\n%s", diff)
	}
}

// Every pod of the trace is counted exactly once, however it ends.
func TestConservation(t *testing.T) {
	noVirtual := buildCluster(t, `apiVersion: spillway.dev/v1alpha1
kind: SimulatedCluster
nodeGroups:
- {name: worker, instanceType: m5.xlarge, count: 1}
`)
	tests := []struct {
		name  string
		trace string
		want  PodSummary
	}{{
		name: "finished, deleted, still running, never placed",
		trace: lines(
			`{"at":0,"op":"create","pod":`+pod("a", "3", "1Gi")+`,"runFor":60}`,
			`{"at":0,"op":"create","pod":`+pod("b", "3", "1Gi")+`}`, // waits for a
			`{"at":1,"op":"create","pod":`+pod("c", "3", "1Gi")+`}`, // never fits
			`{"at":2,"op":"create","pod":`+pod("d", "3", "1Gi")+`}`, // deleted while pending
			`{"at":3,"op":"delete","name":"default/d"}`,
			`{"at":100,"op":"create","pod":`+pod("e", "100m", "1Gi")+`,"runFor":5}`,
		),
		want: PodSummary{Total: 5, Dedicated: 3, Unscheduled: 2, ServerlessByBackend: map[string]int64{}},
	}, {
		name: "a Job runs its completions and replaces a deleted pod",
		trace: lines(
			`{"at":0,"op":"scale","workload":"batch/etl","kind":"Job","replicas":3,"runFor":30,"template":`+pod("etl", "1", "1Gi")+`}`,
			`{"at":10,"op":"delete","name":"batch/etl-PLACEHOLDER"}`,
		),
		want: PodSummary{Total: 4, Dedicated: 4, ServerlessByBackend: map[string]int64{}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := tt.trace
			if strings.Contains(tr, "PLACEHOLDER") {
				// Pod names of a Job are random: learn the first one.
				tr = strings.Replace(tr, "etl-PLACEHOLDER", firstJobPod(t, noVirtual, tr), 1)
			}
			e := run(t, noVirtual, "spillway", tr, 1, nil)
			r := e.result()
			if diff := cmp.Diff(tt.want, r.Summary.Pods); diff != "" {
				t.Errorf("pods (-want +got):\n%s", diff)
			}
			if p := r.Summary.Pods; p.Dedicated+p.Serverless+p.Unscheduled != p.Total {
				t.Errorf("%d on VMs + %d serverless + %d unscheduled != %d pods", p.Dedicated, p.Serverless, p.Unscheduled, p.Total)
			}
		})
	}
}

// firstJobPod runs the first line of tr for 5 s and returns the name of
// the first pod the Job made (names are random, from the seed).
func firstJobPod(t *testing.T, c *cluster.Cluster, tr string) string {
	t.Helper()
	cfg := Config{Trace: strings.NewReader(strings.SplitAfterN(tr, "\n", 2)[0]), TraceName: "trace.jsonl",
		Cluster: c, Profile: profile(t, "spillway"), Seed: 1, Until: 5}
	e, err := newEngine(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, w := range e.workloads {
		return w.live[0].pod.Name
	}
	t.Fatal("the Job made no pod")
	return ""
}

// A pod that does not fit waits in the queue and is placed when capacity
// frees up, after its backoff: its start latency counts the wait.
func TestPendingPodWaitsForCapacity(t *testing.T) {
	c := buildCluster(t, `apiVersion: spillway.dev/v1alpha1
kind: SimulatedCluster
nodeGroups:
- {name: worker, instanceType: m5.xlarge, count: 1}
`)
	e := run(t, c, "spillway", lines(
		`{"at":0,"op":"create","pod":`+pod("a", "3", "1Gi")+`,"runFor":100}`,
		`{"at":0.5,"op":"create","pod":`+pod("b", "3", "1Gi")+`,"runFor":10}`,
	), 1, nil)
	r := e.result()
	// b failed at 0.5 s and once more is not needed: a leaves at 100 s, b's
	// 1 s backoff has long expired, so it is placed at once.
	if got, want := r.Summary.StartLatency.Max, 99.5; got != want {
		t.Errorf("max start latency = %v s, want %v s", got, want)
	}
	if got, want := r.Summary.Sim.SimulatedS, 110.0; got != want {
		t.Errorf("span = %v s, want %v s", got, want)
	}
}

// Errors in the meaning of an event name the trace file and line.
func TestTraceErrorsNameTheLine(t *testing.T) {
	tests := []struct {
		name, trace, want string
	}{
		{"delete of an unknown pod", lines(`{"at":0,"op":"create","pod":`+pod("a", "1", "1Gi")+`}`, `{"at":1,"op":"delete","name":"default/b"}`),
			"trace.jsonl:2: delete: no pod default/b is alive"},
		{"duplicate create", lines(`{"at":0,"op":"create","pod":`+pod("a", "1", "1Gi")+`}`, `{"at":1,"op":"create","pod":`+pod("a", "1", "1Gi")+`}`),
			"trace.jsonl:2: create: pod default/a already exists"},
		{"first scale without template", lines(`{"at":0,"op":"scale","workload":"d/w","kind":"Deployment","replicas":1}`),
			"trace.jsonl:1: scale: workload d/w appears for the first time without a template"},
		{"kind changes", lines(scaleWeb(0, 1, true), `{"at":1,"op":"scale","workload":"default/web","kind":"StatefulSet","replicas":1}`),
			"trace.jsonl:2: scale: workload default/web is a Deployment, not a StatefulSet"},
		{"syntax", lines(scaleWeb(0, 1, true), `{"at":1,"op":"scale",`), "trace.jsonl:2: "},
		{"time goes back", lines(scaleWeb(5, 1, true), scaleWeb(4, 1, false)), "trace.jsonl:2: at: 4 is before the previous event's 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), Config{Trace: strings.NewReader(tt.trace), TraceName: "trace.jsonl",
				Cluster: defaultCluster(t), Profile: profile(t, "spillway")})
			var te *trace.Error
			if !errors.As(err, &te) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want a *trace.Error containing %q", err, tt.want)
			}
		})
	}
}

// The same trace and seed give byte-identical outputs, whatever
// GOMAXPROCS; another seed changes the cold starts.
func TestDeterminism(t *testing.T) {
	tr := lines(scaleWeb(0, 4, true), scaleWeb(60, 20, false), scaleWeb(300, 6, false),
		`{"at":301,"op":"create","pod":`+pod("x", "500m", "1Gi", tolerateAll)+`,"runFor":77}`,
		scaleWeb(400, 16, false), scaleWeb(900, 2, false))
	outputs := func(seed int64, procs int) string {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		var dec, out bytes.Buffer
		e := run(t, defaultCluster(t), "spillway", tr, seed, &dec)
		r := e.result()
		if err := WriteSummary(&out, r.Summary); err != nil {
			t.Fatal(err)
		}
		if err := WriteSeries(&out, r); err != nil {
			t.Fatal(err)
		}
		return out.String() + dec.String()
	}
	first := outputs(7, 1)
	if diff := cmp.Diff(first, outputs(7, 2)); diff != "" {
		t.Errorf("GOMAXPROCS 1 vs 2 (-1 +2):\n%s", diff)
	}
	if first == outputs(8, 1) {
		t.Error("seeds 7 and 8 gave identical outputs; the seed is not used")
	}
}

// A Deployment scaled to zero keeps its template for when it comes back.
func TestScaleToZeroAndBack(t *testing.T) {
	e := run(t, defaultCluster(t), "spillway", lines(scaleWeb(0, 2, true), scaleWeb(60, 0, false), scaleWeb(120, 3, false)), 1, nil)
	if got := len(e.workloads["default/web"].live); got != 3 {
		t.Errorf("web has %d replicas, want 3", got)
	}
}

// A virtual node refuses what its backend refuses, whatever the profile:
// the stock profile has no ServerlessFit, ACI still caps a pod at 4 CPU
// and the account at 100 CPU.
func TestVirtualNodeEnforcesBackendLimits(t *testing.T) {
	var tr []string
	tr = append(tr, `{"at":0,"op":"create","pod":`+pod("huge", "4500m", "1Gi", tolerateAll)+`}`)
	for i := 0; i < 30; i++ {
		tr = append(tr, fmt.Sprintf(`{"at":1,"op":"create","pod":%s}`, pod(fmt.Sprintf("p%02d", i), "4", "4Gi", tolerateAll)))
	}
	e := run(t, defaultCluster(t), "default-scheduler", lines(tr...), 1, nil)
	r := e.result()
	// ACI holds 25 pods of 4 CPU (its 100-CPU quota). The stock profile
	// keeps choosing the node with the most free capacity, ACI, which keeps
	// refusing: the rest wait while the workers stay empty.
	want := PodSummary{Total: 31, Serverless: 25, Unscheduled: 6, ServerlessByBackend: map[string]int64{"aci": 25}}
	if diff := cmp.Diff(want, r.Summary.Pods); diff != "" {
		t.Errorf("pods (-want +got):\n%s", diff)
	}
	if r.Summary.Sim.BackendRefusals == 0 {
		t.Error("no backend refusal was counted")
	}
}

// Replicas spread over the workers as kube-scheduler's default topology
// spreading does in a real cluster under the stock profile (Spillway's
// profile turns it off to pack the VMs) (it finds siblings through their
// ReplicaSet, which the simulator publishes), both for scaled workloads
// and for created pods that name their ReplicaSet.
func TestReplicasSpreadByDefault(t *testing.T) {
	owned := func(i int) string {
		return fmt.Sprintf(`{"at":%d,"op":"create","pod":{"metadata":{"name":"api-5d8f-%d","labels":{"app":"api","pod-template-hash":"5d8f"},`+
			`"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"api-5d8f","uid":"u1","controller":true}]},`+
			`"spec":{"containers":[{"name":"c","image":"i","resources":{"requests":{"cpu":"100m","memory":"128Mi"}}}]}}}`, i, i)
	}
	tr := []string{`{"at":0,"op":"scale","workload":"default/web","kind":"Deployment","replicas":12,"template":` +
		`{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"i","resources":{"requests":{"cpu":"100m","memory":"128Mi"}}}]}}}`}
	for i := 1; i <= 12; i++ {
		tr = append(tr, owned(i))
	}
	e := run(t, defaultCluster(t), stockProfile, lines(tr...), 1, nil)
	for _, app := range []string{"web", "api"} {
		per := map[string]int{}
		for _, p := range e.pods {
			if p.pod.Labels["app"] == app {
				per[p.node.name]++
			}
		}
		if diff := cmp.Diff(map[string]int{"worker-1": 4, "worker-2": 4, "worker-3": 4}, per); diff != "" {
			t.Errorf("%s replicas per node (-want +got):\n%s", app, diff)
		}
	}
}
