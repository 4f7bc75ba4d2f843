package plugins_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"

	fixtures "github.com/spillway-dev/spillway/plugins/plugintesting"
)

const aciNode = "virtual-node-aci-linux"

// cluster is an in-process scheduler over the minimal cluster, built from a
// profile of a KubeSchedulerConfiguration file.
type cluster struct{ *fixtures.Cluster }

func newCluster(t *testing.T, configFile, profile string, nodes ...*v1.Node) *cluster {
	t.Helper()
	return newClusterFromConfig(t, mustRead(t, configFile), configFile, profile, nodes...)
}

func newClusterFromConfig(t *testing.T, config, source, profile string, nodes ...*v1.Node) *cluster {
	t.Helper()
	if len(nodes) == 0 {
		nodes = fixtures.MinimalCluster()
	}
	return &cluster{fixtures.NewClusterForProfile(t, config, source, profile, nodes...)}
}

func (c *cluster) schedule(pod *v1.Pod) (string, []string) { return c.Schedule(pod) }

// scheduleAll schedules pods in order and returns their nodes.
func (c *cluster) scheduleAll(pods ...*v1.Pod) []string {
	c.T.Helper()
	nodes := make([]string, len(pods))
	for i, p := range pods {
		nodes[i], _ = c.schedule(p)
	}
	return nodes
}

func replicas(owner string, from, to int, cpu, mem string, opts ...fixtures.PodOption) []*v1.Pod {
	var pods []*v1.Pod
	for i := from; i < to; i++ {
		pods = append(pods, fixtures.Pod(fmt.Sprintf("%s-%d", owner, i), cpu, mem, opts...))
	}
	return pods
}

func count(nodes []string, pred func(string) bool) int {
	n := 0
	for _, node := range nodes {
		if pred(node) {
			n++
		}
	}
	return n
}

func isVM(n string) bool      { return strings.HasPrefix(n, "worker-") }
func isVirtual(n string) bool { return n == aciNode }

const manifest = "../manifests/scheduler-config.yaml"

func TestSteadyDeploymentFillsVMsThenOverflows(t *testing.T) {
	c := newCluster(t, manifest, "spillway")
	web := []fixtures.PodOption{fixtures.TolerateVirtualKubelet, fixtures.OwnedBy("Deployment", "web")}
	first := c.scheduleAll(replicas("web", 0, 12, "1", "2Gi", web...)...)
	if got := count(first, isVM); got != 12 {
		t.Fatalf("first 12 replicas: %d on the workers, want all 12; placements %v", got, first)
	}
	extra := c.scheduleAll(replicas("web", 12, 16, "1", "2Gi", web...)...)
	if got := count(extra, isVirtual); got != 4 {
		t.Errorf("replicas 13-16: %d on the virtual node, want 4; placements %v", got, extra)
	}
}

// What users get today: the default profile rates the virtual node's
// 10000 CPUs as the emptiest node and sends pods there with VMs idle.
func TestDefaultProfileSendsPodsToTheVirtualNodeEarly(t *testing.T) {
	c := newCluster(t, manifest, "default-scheduler")
	pods := replicas("web", 0, 12, "1", "2Gi", fixtures.TolerateVirtualKubelet, fixtures.Scheduler("default-scheduler"))
	got := c.scheduleAll(pods...)
	if count(got, isVirtual) == 0 {
		t.Errorf("the default profile kept all 12 pods on the VMs (%v); this test documents that it does not", got)
	}
}

func TestRefusedPodsNeverGoToTheVirtualNode(t *testing.T) {
	c := newCluster(t, manifest, "spillway")
	// Fill the workers with pods that cannot go serverless, and the control
	// plane (which a DaemonSet tolerating everything could use).
	if got := count(c.scheduleAll(replicas("filler", 0, 12, "1", "1Gi")...), isVM); got != 12 {
		t.Fatalf("filler pods on the workers: %d, want 12", got)
	}
	c.Bind(fixtures.Pod("control-plane-filler", "4", "1Gi"), "control-plane")
	tests := []struct {
		name       string
		pod        *v1.Pod
		wantReason string
	}{
		{"DaemonSet pod tolerating everything", fixtures.Pod("ds", "100m", "64Mi", fixtures.TolerateEverything, fixtures.OwnedBy("DaemonSet", "agent")),
			"aci cannot run this pod: DaemonSetPod"},
		{"hostPath volume", fixtures.Pod("hp", "100m", "64Mi", fixtures.TolerateVirtualKubelet, fixtures.HostPath),
			"aci cannot run this pod: HostPathVolume"},
		{"over ACI's 4 CPU per pod", fixtures.Pod("big", "6", "8Gi", fixtures.TolerateVirtualKubelet),
			"aci cannot run this pod: MaxCPU"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node, reasons := c.schedule(tt.pod)
			if node != "" {
				t.Fatalf("scheduled to %s, want unschedulable", node)
			}
			if !strings.Contains(strings.Join(reasons, "\n"), tt.wantReason) {
				t.Errorf("reasons %q do not contain %q", reasons, tt.wantReason)
			}
		})
	}
	// The same cluster still takes a pod the backend can run.
	if node, reasons := c.schedule(fixtures.Pod("ok", "100m", "64Mi", fixtures.TolerateVirtualKubelet)); node != aciNode {
		t.Errorf("a plain tolerating pod went to %q (%v), want %s", node, reasons, aciNode)
	}
}

func TestPodWithoutTolerationStaysOnVMs(t *testing.T) {
	c := newCluster(t, manifest, "spillway")
	got := c.scheduleAll(replicas("plain", 0, 12, "1", "1Gi")...)
	if n := count(got, isVM); n != 12 {
		t.Fatalf("%d of 12 pods on the workers: %v", n, got)
	}
	node, reasons := c.schedule(fixtures.Pod("plain-12", "1", "1Gi"))
	if node != "" {
		t.Fatalf("13th pod went to %s, want pending", node)
	}
	if !strings.Contains(strings.Join(reasons, " "), "Insufficient cpu") {
		t.Errorf("reasons %q lack Insufficient cpu", reasons)
	}
}

// headroomProfile is the shipped profile set to hold VM headroom back for
// steady pods (Steadiness at weight 10, vmHeadroomPercent 80), as the
// profile shipped before the decision-quality suite did: the plugin's
// mechanics, which the shipped weights leave to breaking ties.
func headroomProfile(t *testing.T) *cluster {
	t.Helper()
	cfg := mustRead(t, manifest)
	for old, repl := range map[string]string{
		"          - name: Steadiness\n            weight: 1\n": "          - name: Steadiness\n            weight: 10\n",
		"          vmHeadroomPercent: 100\n":                    "          vmHeadroomPercent: 80\n",
	} {
		if !strings.Contains(cfg, old) {
			t.Fatalf("%s no longer contains %q", manifest, old)
		}
		cfg = strings.Replace(cfg, old, repl, 1)
	}
	return newClusterFromConfig(t, cfg, manifest+" (headroom 80%, Steadiness weight 10)", "spillway")
}

// TestShippedProfileFillsTheVMsFirst: under the shipped weights a burst
// pod keeps a paid-for VM while one has room; only the overflow goes
// serverless.
func TestShippedProfileFillsTheVMsFirst(t *testing.T) {
	c := newCluster(t, manifest, "spillway")
	c.scheduleAll(replicas("base", 0, 8, "1", "1Gi")...)
	burst := []fixtures.PodOption{fixtures.TolerateVirtualKubelet, fixtures.Annotate("spillway.dev/steadiness", "burst")}
	got := c.scheduleAll(replicas("burst", 0, 6, "1", "1Gi", burst...)...)
	if vm := count(got, isVM); vm != 4 {
		t.Errorf("burst pods on VMs: %d, want the 4 that fit in 12 CPUs beside 8 (placements %v)", vm, got)
	}
	if virtual := count(got, isVirtual); virtual != 2 {
		t.Errorf("burst pods serverless: %d, want the 2 that overflow (placements %v)", virtual, got)
	}
}

func TestBurstPodsGoServerlessPastTheHeadroom(t *testing.T) {
	c := headroomProfile(t)
	// 8 of the workers' 12 CPUs requested: 67%.
	c.scheduleAll(replicas("base", 0, 8, "1", "1Gi")...)
	burst := []fixtures.PodOption{fixtures.TolerateVirtualKubelet, fixtures.Annotate("spillway.dev/steadiness", "burst")}
	steady := []fixtures.PodOption{fixtures.TolerateVirtualKubelet, fixtures.Annotate("spillway.dev/steadiness", "steady")}
	steps := []struct {
		pod  *v1.Pod
		want func(string) bool
		why  string
	}{
		{fixtures.Pod("burst-0", "1", "1Gi", burst...), isVM, "9/12 = 75% < 80% headroom: cost decides, the VM"},
		{fixtures.Pod("burst-1", "1", "1Gi", burst...), isVirtual, "10/12 = 83% > 80%: serverless"},
		{fixtures.Pod("steady-0", "1", "1Gi", steady...), isVM, "steady pods stay on VMs past the headroom"},
		{fixtures.Pod("neutral-0", "500m", "1Gi", fixtures.TolerateVirtualKubelet), isVM, "neutral pods go by cost"},
	}
	for _, st := range steps {
		if node, _ := c.schedule(st.pod); !st.want(node) {
			t.Errorf("%s went to %q: %s", st.pod.Name, node, st.why)
		}
	}
}

func TestReplicasAboveTheObservedBaseBurst(t *testing.T) {
	c := headroomProfile(t)
	web := []fixtures.PodOption{fixtures.TolerateVirtualKubelet, fixtures.OwnedBy("Deployment", "web")}
	if got := count(c.scheduleAll(replicas("web", 0, 6, "1", "1Gi", web...)...), isVM); got != 6 {
		t.Fatalf("base replicas on VMs: %d, want 6", got)
	}
	c.Clock.Step(10 * time.Minute) // past minHistory: the base of 6 is known
	got := c.scheduleAll(replicas("web", 6, 12, "1", "1Gi", web...)...)
	// Replicas 7-9 burst below the headroom (u = 7/12 .. 9/12): VMs.
	// Replicas 10-12 burst at u = 10/12 > 80%: serverless.
	want := []string{"vm", "vm", "vm", "virtual", "virtual", "virtual"}
	for i, node := range got {
		if class := map[bool]string{true: "vm", false: "virtual"}[isVM(node)]; class != want[i] {
			t.Errorf("replica %d went to %s, want %s (placements %v)", 7+i, node, want[i], got)
		}
	}
	// A StatefulSet pod is steady by its kind: it takes the last VM room.
	if node, _ := c.schedule(fixtures.Pod("db-0", "1", "1Gi", fixtures.TolerateVirtualKubelet, fixtures.OwnedBy("StatefulSet", "db"))); !isVM(node) {
		t.Errorf("StatefulSet pod went to %q, want a worker", node)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
