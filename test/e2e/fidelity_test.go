package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/kubernetes/pkg/scheduler/apis/config"
	"k8s.io/utils/ptr"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/simulator"
	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/inprocess"
	"github.com/spillway-dev/spillway/simulator/trace"
)

// fidelityClusterYAML is the cluster of TestFidelity, as a simulator cluster
// file: the tainted control plane, three workers that differ a little in
// allocatable (so that no two of them score alike, and kube-scheduler's
// random choice between equal scores never comes into play) and one ACI
// virtual node. The node names are the test's own: no other test of the
// package makes nodes of these names, and the test refuses to start while
// other nodes exist (see checkNoOtherNodes).
const fidelityClusterYAML = `
apiVersion: spillway.dev/v1alpha1
kind: SimulatedCluster
pricing: OnDemand
nodeGroups:
- name: fidelity-control-plane
  instanceType: m5.xlarge
  count: 1
  labels:
    node-role.kubernetes.io/control-plane: ""
  taints:
  - {key: node-role.kubernetes.io/control-plane, effect: NoSchedule}
- name: fidelity-worker-a
  instanceType: m5.xlarge
  count: 1
  allocatable: {cpu: "4", memory: 16Gi}
- name: fidelity-worker-b
  instanceType: m5.xlarge
  count: 1
  allocatable: {cpu: 3900m, memory: 15872Mi}
- name: fidelity-worker-c
  instanceType: m5.xlarge
  count: 1
  allocatable: {cpu: 3800m, memory: 15Gi}
virtualNodes:
- name: fidelity-aci
  backend: aci
  startupSeconds: {p50: 0, p95: 0}
`

// fidelityPodTimeout bounds the wait for the real scheduler's decision on
// one pod; fidelityPoll is how often the pod is read meanwhile.
const (
	fidelityPodTimeout = 20 * time.Second
	fidelityPoll       = 25 * time.Millisecond
)

// fidelityRuns counts the runs of TestFidelity in this process (-count):
// each uses a namespace of its own.
var fidelityRuns int

// TestFidelity is the simulator's acceptance test against the real thing:
// for the same cluster, profile (manifests/scheduler-config.yaml, profile
// spillway) and pod order, the simulator's bindings equal those of the built
// spillway-scheduler running against a real kube-apiserver.
//
// The workload is 100 pods created one at a time, 1 s apart in the trace,
// never deleted: a mix of sizes (100m to 1.5 CPU), some tolerating the
// virtual-kubelet taint, some annotated burst or steady, replicas of two
// Deployments (pods owned by a ReplicaSet with a pod-template-hash label, as
// Steadiness and BurstCost read owners) and four pods that fit nowhere.
// The VMs fill up, then pods go to ACI or stay Pending. On the real side each pod is created only once the scheduler has
// decided on the previous one (bound, or marked Unschedulable), so that it
// sees the same order as the simulator.
//
// Time: the plugins' windows (Steadiness minHistory 5m, window 1h; BurstCost
// horizon 1h) are far longer than the trace (100 simulated seconds) and than
// the real run (seconds), so every workload is "young" on both sides and
// wall time against virtual time makes no difference.
//
// Isolation: the package's tests run one after another (none is parallel)
// and share one API server; TestScheduling removes its nodes, pods and the
// scheduler's lease when it ends. This test uses node names and a namespace
// of its own, checks that no other node exists before it starts (a
// scheduler sees every node of the cluster), and removes its pods, nodes,
// workload objects and the lease when it ends.
func TestFidelity(t *testing.T) {
	e := setup(t)
	api := e.apiServer(t)
	ctx := t.Context()
	start := time.Now()

	cf, err := cluster.Parse([]byte(fidelityClusterYAML), "fidelity cluster")
	if err != nil {
		t.Fatal(err)
	}
	cl, err := cf.Build(cost.Default(), backends.Default())
	if err != nil {
		t.Fatal(err)
	}
	configFile := filepath.Join(e.root, "manifests", "scheduler-config.yaml")
	cfg, err := inprocess.LoadConfigFile(configFile)
	if err != nil {
		t.Fatal(err)
	}
	profile, err := inprocess.Profile(cfg, spillwayScheduler)
	if err != nil {
		t.Fatal(err)
	}

	fidelityRuns++
	ns := fmt.Sprintf("fidelity-%d", fidelityRuns)
	checkNoOtherNodes(ctx, t, api)
	createNamespace(ctx, t, api, ns)
	nodes := cl.Nodes()
	var owners []fidelityOwner
	// Registered before the scheduler starts, so it runs after it stopped.
	t.Cleanup(func() { cleanUpFidelity(t, api, ns, nodes, owners) })

	// The Deployments and their ReplicaSets exist in the API server, as in
	// a cluster; the test creates their pods itself (no controller runs).
	// That the ReplicaSets exist makes the real scheduler spread their
	// replicas; the simulator publishes the ReplicaSet a created pod names.
	for _, d := range []string{"web", "api"} {
		dep := createDeployment(ctx, t, api, ns, d, v1.PodSpec{
			SchedulerName: spillwayScheduler,
			Containers:    []v1.Container{{Name: "app", Image: pauseImage}},
		})
		owners = append(owners, fidelityOwner{
			deployment: d, replicaSet: dep.rs.Name, uid: dep.rs.UID,
			hash: dep.rs.Labels["pod-template-hash"],
		})
	}
	pods := fidelityWorkload(ns, owners)

	// The simulator.
	simStart := time.Now()
	sim, decisions := simulateFidelity(ctx, t, cl, profile, pods)
	simWall := time.Since(simStart)
	if ties := tiedDecisions(decisions); len(ties) > 0 {
		// kube-scheduler picks at random among the best-scored nodes, the
		// simulator the first by name: with a tie the comparison below would
		// be a coin toss. The workload and the cluster are chosen so that
		// there is none; a change of either (or of the profile) that
		// introduces one must change them again.
		t.Fatalf("the simulator saw tied best scores, the real scheduler would choose at random:\n%s", strings.Join(ties, "\n"))
	}

	// The real scheduler.
	createNodesReady(ctx, t, api, nodes)
	kubeconfig := api.writeKubeconfig(t, schedulerToken(ctx, t, e, api))
	config, err := os.ReadFile(configFile)
	if err != nil {
		t.Fatal(err)
	}
	sched := startScheduler(ctx, t, e, config, kubeconfig)
	realStart := time.Now()
	real := make(map[string]*v1.Pod, len(pods))
	for _, p := range pods {
		real[p.Namespace+"/"+p.Name] = scheduleOneReal(ctx, t, api, sched, p)
	}
	realWall := time.Since(realStart)

	// The comparison.
	classes := map[string]string{}
	for _, d := range cl.Dedicated {
		classes[d.Node.Name] = "VM"
	}
	for _, v := range cl.Virtual {
		classes[v.Node.Name] = v.Backend.Name
	}
	class := func(node string) string {
		if node == "" {
			return "Pending"
		}
		if c, ok := classes[node]; ok {
			return c
		}
		return "unknown node " + node
	}
	var sameNode, sameClass, choices int
	var diffs []string
	perClass := map[string]int{}
	for _, p := range pods {
		key := p.Namespace + "/" + p.Name
		simNode, realNode := sim[key], real[key].Spec.NodeName
		perClass[class(realNode)]++
		if d := lastDecision(decisions, key); d != nil && len(d.Scores) > 1 {
			choices++
		}
		if class(simNode) == class(realNode) {
			sameClass++
		}
		if simNode == realNode {
			sameNode++
			continue
		}
		diffs = append(diffs, fmt.Sprintf("  %s: simulator %s, real %s%s\n    simulator's scores: %s",
			key, orPending(simNode), orPending(realNode), realReason(real[key]), scoresOf(decisions, key)))
	}
	n := len(pods)
	t.Logf("fidelity: %d/%d same node, %d/%d same class (real: %v; %d placements chose among several feasible nodes); simulator %v, real scheduler %v, test %v",
		sameNode, n, sameClass, n, perClass, choices, simWall.Round(time.Millisecond), realWall.Round(time.Millisecond),
		time.Since(start).Round(time.Millisecond))
	share := func(k int) string { return fmt.Sprintf("%.3f", float64(k)/float64(n)) }
	recordResult(t, "fidelity", "pods", n, "same_node", share(sameNode), "same_class", share(sameClass),
		"real_vm", share(perClass["VM"]), "real_aci", share(perClass["aci"]), "real_pending", share(perClass["Pending"]),
		"sim_s", fmt.Sprintf("%.2f", simWall.Seconds()), "real_s", fmt.Sprintf("%.1f", realWall.Seconds()))
	// Every pod on the same node. (Two differences were found this way and
	// fixed: the simulator did not publish ReplicaSets to the plugins'
	// listers, so kube-scheduler's default topology spreading never applied;
	// and BurstCost stretched a few percent of VM packing difference over
	// its whole score range, which overruled that spreading.)
	if sameNode != n || sameClass != n {
		t.Errorf("the simulator placed %d of %d pods on another node than spillway-scheduler (%d in another class):\n%s",
			n-sameNode, n, n-sameClass, strings.Join(diffs, "\n"))
	}
	// Both sides must actually have exercised every outcome.
	for _, c := range []string{"VM", "aci", "Pending"} {
		if perClass[c] == 0 {
			t.Errorf("no pod ended %s: the workload no longer covers every outcome (%v)", c, perClass)
		}
	}
	if lines := sched.logLines("forbidden"); len(lines) > 0 {
		t.Errorf("the API server refused the scheduler:\n%s", strings.Join(lines, "\n"))
	}
}

// fidelityOwner is a Deployment of the workload and its ReplicaSet.
type fidelityOwner struct {
	deployment, replicaSet, hash string
	uid                          types.UID
}

// fidelityWorkload returns the pods of TestFidelity in creation order. It
// is fixed (a seeded generator): the same pods every run. Most pods are
// small, so that the VMs fill up over the first half and most placements
// are a choice between several nodes; some carry the Steadiness and
// expected-duration annotations, so that both Spillway scoring plugins
// change their minds along the way (burst pods leave the VMs past the
// headroom threshold, short pods are cheaper on ACI).
func fidelityWorkload(ns string, owners []fidelityOwner) []*v1.Pod {
	rng := rand.New(rand.NewPCG(20260105, 7))
	cpus := []int64{100, 100, 150, 200, 200, 250, 300, 400, 500, 750, 1000, 1500}
	replicas := map[string]int{}
	replica := func(o fidelityOwner, cpu, memory string, opts ...podOption) *v1.Pod {
		i := replicas[o.deployment]
		replicas[o.deployment]++
		opts = append(opts, func(p *v1.Pod) {
			p.Labels["app"] = o.deployment
			p.Labels["pod-template-hash"] = o.hash
			p.OwnerReferences = []metav1.OwnerReference{{
				APIVersion: "apps/v1", Kind: "ReplicaSet", Name: o.replicaSet, UID: o.uid,
				Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true),
			}}
		})
		return newPod(ns, fmt.Sprintf("%s-r%03d", o.replicaSet, i), cpu, memory, opts...)
	}
	annotate := func(k, v string) podOption { return func(p *v1.Pod) { p.Annotations[k] = v } }
	var pods []*v1.Pod
	// First, replicas on empty workers: where kube-scheduler's default
	// topology spreading decides (round robin), which the simulator must
	// reproduce by publishing the ReplicaSets to the plugins' listers.
	for i := 0; i < 6; i++ {
		pods = append(pods, replica(owners[0], "300m", "600Mi", tolerateVirtualKubelet), replica(owners[1], "200m", "400Mi"))
	}
	for i := 0; i < 100; i++ {
		name := fmt.Sprintf("p%03d", i)
		switch {
		case i%6 == 2: // web: may go serverless, no class of its own
			pods = append(pods, replica(owners[0], "300m", "600Mi", tolerateVirtualKubelet))
		case i%9 == 4: // api: VMs only
			pods = append(pods, replica(owners[1], "200m", "400Mi"))
		case i == 45 || i == 77 || i == 95: // bigger than any VM, VMs only
			pods = append(pods, newPod(ns, name+"-huge", "6", "8Gi"))
		case i == 60: // bigger than any VM and than ACI's 4 CPU per pod
			pods = append(pods, newPod(ns, name+"-huge-burst", "6", "8Gi", tolerateVirtualKubelet))
		default:
			cpu := cpus[rng.IntN(len(cpus))]
			memMi := cpu * int64(1+rng.IntN(4)) * 1024 / 1000
			var opts []podOption
			switch rng.IntN(5) {
			case 0, 1: // VMs only
			case 2:
				opts = append(opts, tolerateVirtualKubelet)
				name += "-any"
			case 3:
				opts = append(opts, tolerateVirtualKubelet, annotate("spillway.dev/steadiness", "burst"),
					annotate("spillway.dev/expected-duration", "10m"))
				name += "-burst"
			case 4:
				opts = append(opts, tolerateVirtualKubelet, annotate("spillway.dev/steadiness", "steady"),
					annotate("spillway.dev/expected-duration", "4h"))
				name += "-steady"
			}
			pods = append(pods, newPod(ns, name, fmt.Sprintf("%dm", cpu), fmt.Sprintf("%dMi", memMi), opts...))
		}
	}
	return pods
}

// simulateFidelity runs the workload through the simulator, one pod a
// second, and returns where each pod ended ("" if nowhere) and every
// decision.
func simulateFidelity(ctx context.Context, t testing.TB, cl *cluster.Cluster, profile *config.KubeSchedulerProfile, pods []*v1.Pod) (map[string]string, []simulator.Decision) {
	t.Helper()
	var tr bytes.Buffer
	w := trace.NewWriter(&tr)
	for i, p := range pods {
		if err := w.Write(trace.Event{At: float64(i), Op: trace.OpCreate, Pod: p.DeepCopy()}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := simulator.Run(ctx, simulator.Config{
		Trace: &tr, TraceName: "fidelity", Cluster: cl, Profile: profile, Seed: 1, Decisions: &out,
	}); err != nil {
		t.Fatalf("simulator: %v", err)
	}
	var decisions []simulator.Decision
	placed := map[string]string{}
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var d simulator.Decision
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatalf("decision %q: %v", sc.Text(), err)
		}
		decisions = append(decisions, d)
		if d.Node != "" {
			placed[d.Pod] = d.Node
		}
		for _, r := range d.Reasons {
			if strings.Contains(r, "refused by its backend") {
				// kube-scheduler has no such second opinion: the
				// comparison holds only if the profile never asks ACI for
				// what it refuses.
				t.Errorf("simulator: %s: %s", d.Pod, r)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return placed, decisions
}

// tiedDecisions lists the simulator's placements where the best total
// score was shared by several nodes.
func tiedDecisions(decisions []simulator.Decision) []string {
	var ties []string
	for _, d := range decisions {
		if d.Node == "" || len(d.Scores) < 2 || d.Scores[0].Total != d.Scores[1].Total {
			continue
		}
		ties = append(ties, fmt.Sprintf("  %s (attempt %d) -> %s: %s", d.Pod, d.Attempt, d.Node, formatScores(d.Scores)))
	}
	return ties
}

// lastDecision returns the simulator's last decision on the pod, or nil.
func lastDecision(decisions []simulator.Decision, pod string) *simulator.Decision {
	for i := len(decisions) - 1; i >= 0; i-- {
		if decisions[i].Pod == pod {
			return &decisions[i]
		}
	}
	return nil
}

// scoresOf returns the simulator's scores for the pod's last decision.
func scoresOf(decisions []simulator.Decision, pod string) string {
	d := lastDecision(decisions, pod)
	switch {
	case d == nil:
		return "no decision"
	case d.Node == "":
		return "unschedulable: " + strings.Join(d.Reasons, "; ")
	case len(d.Scores) == 0:
		return "the only feasible node"
	}
	return formatScores(d.Scores)
}

func formatScores(scores []simulator.NodeScore) string {
	var parts []string
	for _, s := range scores {
		plugins := make([]string, 0, len(s.Plugins))
		for p, v := range s.Plugins {
			plugins = append(plugins, fmt.Sprintf("%s=%d", p, v))
		}
		slices.Sort(plugins)
		parts = append(parts, fmt.Sprintf("%s %d (%s)", s.Node, s.Total, strings.Join(plugins, " ")))
	}
	return strings.Join(parts, "; ")
}

func orPending(node string) string {
	if node == "" {
		return "Pending"
	}
	return node
}

// realReason is the real scheduler's PodScheduled message of a pending pod.
func realReason(p *v1.Pod) string {
	if p.Spec.NodeName != "" {
		return ""
	}
	return fmt.Sprintf(" (%s)", scheduledCondition(p).Message)
}

// scheduleOneReal creates the pod and waits until the scheduler bound it
// or marked it unschedulable, and returns it as it then is.
func scheduleOneReal(ctx context.Context, t testing.TB, api *apiServer, sched *schedulerProcess, pod *v1.Pod) *v1.Pod {
	t.Helper()
	if _, err := api.client.CoreV1().Pods(pod.Namespace).Create(ctx, pod.DeepCopy(), metav1.CreateOptions{}); err != nil {
		t.Fatalf("creating pod %s/%s: %v", pod.Namespace, pod.Name, err)
	}
	deadline := time.Now().Add(fidelityPodTimeout)
	for {
		if err := sched.alive(); err != nil {
			t.Fatal(err)
		}
		cur, err := api.client.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if cur.Spec.NodeName != "" || scheduledCondition(cur).Reason == v1.PodReasonUnschedulable {
			return cur
		}
		if time.Now().After(deadline) {
			t.Fatalf("spillway-scheduler decided nothing on %s/%s within %v:\n%s", pod.Namespace, pod.Name, fidelityPodTimeout, describePods([]*v1.Pod{cur}))
		}
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(fidelityPoll):
		}
	}
}

// createNodesReady creates the simulator's nodes, exactly, in the API
// server, and then sets their status (allocatable, Ready) with an update of
// the status subresource, as a kubelet would.
func createNodesReady(ctx context.Context, t testing.TB, api *apiServer, nodes []*v1.Node) {
	t.Helper()
	for _, n := range nodes {
		n = n.DeepCopy()
		n.UID = "" // the API server assigns it
		created, err := api.client.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("creating node %s: %v", n.Name, err)
		}
		created.Status = *n.Status.DeepCopy()
		for i := range created.Status.Conditions {
			c := &created.Status.Conditions[i]
			if c.Type == v1.NodeReady {
				c.Reason = "KubeletReady"
				c.LastHeartbeatTime, c.LastTransitionTime = metav1.Now(), metav1.Now()
			}
		}
		if _, err := api.client.CoreV1().Nodes().UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
			t.Fatalf("setting the status of node %s: %v", n.Name, err)
		}
	}
}

// checkNoOtherNodes fails the test if nodes are left over in the API
// server (by a test that did not clean up): the real scheduler would see
// them, the simulator not.
func checkNoOtherNodes(ctx context.Context, t testing.TB, api *apiServer) {
	t.Helper()
	list, err := api.client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) > 0 {
		var names []string
		for _, n := range list.Items {
			names = append(names, n.Name)
		}
		t.Fatalf("nodes left over by another test: %v", names)
	}
}

// cleanUpFidelity deletes what TestFidelity made: pods, workload objects,
// nodes and the scheduler's lease (no namespace controller runs to delete
// the namespace, which stays, empty).
func cleanUpFidelity(t testing.TB, api *apiServer, ns string, nodes []*v1.Node, owners []fidelityOwner) {
	ctx, cancel := context.WithTimeout(context.Background(), pollTimeout)
	defer cancel()
	now := metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}
	if err := api.client.CoreV1().Pods(ns).DeleteCollection(ctx, now, metav1.ListOptions{}); err != nil {
		t.Errorf("cleaning up the pods of %s: %v", ns, err)
	}
	for _, o := range owners {
		if err := api.client.AppsV1().ReplicaSets(ns).Delete(ctx, o.replicaSet, now); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("cleaning up ReplicaSet %s: %v", o.replicaSet, err)
		}
		if err := api.client.AppsV1().Deployments(ns).Delete(ctx, o.deployment, now); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("cleaning up Deployment %s: %v", o.deployment, err)
		}
	}
	for _, n := range nodes {
		if err := api.client.CoreV1().Nodes().Delete(ctx, n.Name, now); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("cleaning up node %s: %v", n.Name, err)
		}
	}
	err := api.client.CoordinationV1().Leases("kube-system").Delete(ctx, "spillway-scheduler", now)
	if err != nil && !apierrors.IsNotFound(err) {
		t.Errorf("cleaning up the lease: %v", err)
	}
}
