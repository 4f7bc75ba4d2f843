package tune

import (
	"os"
	"path/filepath"
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/kubernetes/pkg/scheduler/apis/config"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/inprocess"
	"github.com/spillway-dev/spillway/simulator/trace"
)

// smallTrace is two hours of the 10-function Azure set (the what-if
// package's test trace).
const smallTrace = "../whatif/testdata/azure10-2h.jsonl"

func shippedConfig(t testing.TB) *config.KubeSchedulerConfiguration {
	t.Helper()
	cfg, err := inprocess.LoadConfigFile("../../manifests/scheduler-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func options(t testing.TB, path string, s *Spec) Options {
	t.Helper()
	return Options{TracePath: path, Spec: s, Config: shippedConfig(t), Prices: cost.Default(), Backends: backends.Default(), Seed: 1}
}

// smallSpec is a quick search of the default space.
func smallSpec() *Spec {
	s := DefaultSpec()
	s.Search.Samples = 5
	s.Search.RefineRounds = 1
	return s
}

// oneWorker is the minimal cluster with a single m5.xlarge worker.
func oneWorker(t testing.TB) *cluster.File {
	t.Helper()
	f, err := cluster.Parse([]byte(`apiVersion: spillway.dev/v1alpha1
kind: SimulatedCluster
nodeGroups:
- name: control-plane
  instanceType: m5.xlarge
  count: 1
  taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]
- name: worker
  instanceType: m5.xlarge
  count: 1
virtualNodes:
- name: virtual-node-aci-linux
  backend: aci
`), "one-worker")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// template is a 1-CPU pod that tolerates the virtual node, of the given
// Steadiness class.
func template(class string) *v1.Pod {
	return &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{"spillway.dev/steadiness": class}},
		Spec: v1.PodSpec{
			Containers: []v1.Container{{Name: "app", Image: "app", Resources: v1.ResourceRequirements{
				Requests: v1.ResourceList{v1.ResourceCPU: resource.MustParse("1"), v1.ResourceMemory: resource.MustParse("1Gi")}}}},
			Tolerations: []v1.Toleration{{Key: "virtual-kubelet.io/provider", Operator: v1.TolerationOpExists, Effect: v1.TaintEffectNoSchedule}},
		},
	}
}

// writeTrace writes events as a trace file in a test directory.
func writeTrace(t testing.TB, events []trace.Event) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := trace.NewWriter(f)
	for _, ev := range events {
		if err := w.Write(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func scale(at float64, workload string, n int32, tmpl *v1.Pod) trace.Event {
	return trace.Event{At: at, Op: trace.OpScale, Workload: workload, Kind: trace.Deployment, Replicas: &n, Template: tmpl}
}

// readDir reads every file of dir by name.
func readDir(t testing.TB, dir string) map[string]string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}
