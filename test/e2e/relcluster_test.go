package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
)

// The reliability tests run the built scheduler, with the configuration of
// manifests/, on the cluster of relCluster: a tainted control plane, three
// 4-CPU workers (110 pods each) and two virtual nodes of different backends,
// ACI (manifests/examples/virtual-node-aci.yaml) and a Fargate node as
// virtual-kubelet's AWS Fargate provider registers it; fakeKubelet starts
// the pods bound to them.

// fargateNodeName is the Fargate virtual node of the reliability tests.
const fargateNodeName = "virtual-node-fargate"

// fargateNode is a virtual-kubelet node of the Fargate backend: the label
// that names Fargate compute and virtual-kubelet's taint with provider aws.
func fargateNode() *v1.Node {
	return readyNode(fargateNodeName, "1000", "4Ti", "5000",
		map[string]string{"type": "virtual-kubelet", "eks.amazonaws.com/compute-type": "fargate"},
		v1.Taint{Key: virtualKubeletTaint, Value: "aws", Effect: v1.TaintEffectNoSchedule})
}

// relCluster is one reliability test's cluster, namespace, kubelets and the
// scheduler's identity (manifests/rbac.yaml).
type relCluster struct {
	e          *env
	api        *apiServer
	ns         string
	nodes      []*v1.Node
	kubelet    *fakeKubelet
	kubeconfig string // the scheduler's ServiceAccount, straight to the API server
	token      string
	config     []byte // manifests/scheduler-config.yaml
	// creator creates pods at once (a client of its own, not rate limited
	// as the tests' shared one).
	creator kubernetes.Interface
}

// relRuns counts the reliability tests' runs: each gets a namespace of
// its own (no namespace controller deletes namespaces).
var relRuns atomic.Int32

// newRelCluster creates the nodes, a namespace for the test's pods, the
// scheduler's RBAC and starts the kubelets. Everything is removed when the
// test ends, after the schedulers it starts have stopped.
func newRelCluster(t *testing.T, name string) *relCluster {
	t.Helper()
	e := setup(t)
	api := e.apiServer(t)
	ctx := t.Context()
	checkNoOtherNodes(ctx, t, api)
	c := &relCluster{e: e, api: api, ns: fmt.Sprintf("%s-%d", name, relRuns.Add(1))}
	c.nodes = []*v1.Node{controlPlaneNode(), aciNode(t, e), fargateNode()}
	for _, w := range workerNames {
		c.nodes = append(c.nodes, workerNode(w))
	}
	createNamespace(ctx, t, api, c.ns)
	createNodes(ctx, t, api, c.nodes...)
	// Registered first, so it runs last: after the schedulers and the
	// kubelets have stopped.
	t.Cleanup(func() {
		namespaces := []string{c.ns}
		cleanUpCluster(t, api, c.nodes, &namespaces)
	})

	c.token = schedulerToken(ctx, t, e, api)
	c.kubeconfig = api.writeKubeconfig(t, c.token)
	var err error
	if c.config, err = os.ReadFile(filepath.Join(e.root, "manifests", "scheduler-config.yaml")); err != nil {
		t.Fatal(err)
	}
	cfg := restclient.CopyConfig(api.config)
	cfg.QPS, cfg.Burst = 1000, 1000
	if c.creator, err = kubernetes.NewForConfig(cfg); err != nil {
		t.Fatal(err)
	}
	c.kubelet = startKubelet(ctx, t, api, c.ns, c.nodes)
	return c
}

// leaseHolder returns the holder of the scheduler's lease ("" if none).
func (c *relCluster) leaseHolder(ctx context.Context) string {
	lease, err := c.api.client.CoordinationV1().Leases("kube-system").Get(ctx, "spillway-scheduler", metav1.GetOptions{})
	if err != nil || lease.Spec.HolderIdentity == nil {
		return ""
	}
	return *lease.Spec.HolderIdentity
}

// waitNewLeader waits until the lease has a holder other than old and
// returns it.
func (c *relCluster) waitNewLeader(ctx context.Context, t *testing.T, old string, timeout time.Duration, candidates ...*schedulerProcess) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, s := range candidates {
			if err := s.alive(); err != nil {
				t.Fatal(err)
			}
		}
		if h := c.leaseHolder(ctx); h != "" && h != old {
			return h
		}
		if time.Now().After(deadline) {
			t.Fatalf("no scheduler took the lease from %q within %v", old, timeout)
		}
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// burstJob creates a Job object (no controller runs for it) and returns n
// of its pods, not created: 10m CPU and 16 MiB each, allowed onto virtual
// nodes, as a batch of work fanned out at once.
func (c *relCluster) burstJob(ctx context.Context, t *testing.T, name string, n int) []*v1.Pod {
	t.Helper()
	spec := newPod("", "", "10m", "16Mi", tolerateVirtualKubelet).Spec
	spec.RestartPolicy = v1.RestartPolicyNever
	job, err := c.api.client.BatchV1().Jobs(c.ns).Create(ctx, &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Namespace: c.ns, Name: name},
		Spec: batchv1.JobSpec{
			Parallelism: ptr.To(int32(n)), Completions: ptr.To(int32(n)),
			Template: v1.PodTemplateSpec{Spec: spec},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating Job %s: %v", name, err)
	}
	pods := make([]*v1.Pod, n)
	for i := range pods {
		p := newPod(c.ns, fmt.Sprintf("%s-%04d", name, i), "10m", "16Mi", tolerateVirtualKubelet,
			controlledBy("batch/v1", "Job", job.Name, job.UID))
		p.Spec.RestartPolicy = v1.RestartPolicyNever
		for k, v := range job.Spec.Template.Labels {
			p.Labels[k] = v
		}
		pods[i] = p
	}
	return pods
}

// createAtOnce creates the pods from 16 goroutines and returns when all
// are created.
func (c *relCluster) createAtOnce(ctx context.Context, t *testing.T, pods []*v1.Pod) {
	t.Helper()
	if err := c.create(ctx, pods); err != nil {
		t.Fatal(err)
	}
}

// createInBackground starts creating the pods as createAtOnce does and
// returns a function that waits until all are created.
func (c *relCluster) createInBackground(ctx context.Context, t *testing.T, pods []*v1.Pod) (wait func()) {
	done := make(chan error, 1)
	go func() { done <- c.create(ctx, pods) }()
	return func() {
		t.Helper()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func (c *relCluster) create(ctx context.Context, pods []*v1.Pod) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(pods))
	next := atomic.Int64{}
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(pods) || ctx.Err() != nil {
					return
				}
				if _, err := c.creator.CoreV1().Pods(c.ns).Create(ctx, pods[i], metav1.CreateOptions{}); err != nil {
					errs <- fmt.Errorf("creating pod %s: %w", pods[i].Name, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs // nil if none
}

// checkAllBoundOnce lists the namespace's pods and checks that every one of
// want exists (none lost), is bound to the node the kubelet first saw it
// on (none bound twice), and that no node was given more than it holds. It
// returns the pods per node.
func (c *relCluster) checkAllBoundOnce(ctx context.Context, t *testing.T, want []*v1.Pod) map[string]int {
	t.Helper()
	list, err := c.api.client.CoreV1().Pods(c.ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*v1.Pod{}
	for i := range list.Items {
		byName[list.Items[i].Name] = &list.Items[i]
	}
	perNode := map[string]int{}
	var lost, pending, moved []string
	for _, w := range want {
		p, ok := byName[w.Name]
		switch {
		case !ok:
			lost = append(lost, w.Name)
		case p.Spec.NodeName == "":
			pending = append(pending, fmt.Sprintf("%s (%s)", p.Name, scheduledCondition(p).Message))
		case c.kubelet.nodeOf(p.UID) != p.Spec.NodeName:
			moved = append(moved, fmt.Sprintf("%s on %s, first seen on %q", p.Name, p.Spec.NodeName, c.kubelet.nodeOf(p.UID)))
		default:
			perNode[p.Spec.NodeName]++
		}
	}
	for what, names := range map[string][]string{"lost": lost, "left pending although they fit": pending, "moved": moved} {
		if len(names) > 0 {
			t.Errorf("%d pods %s: %v", len(names), what, names[:min(len(names), 10)])
		}
	}
	c.kubelet.checkViolations(t)
	return perNode
}

// checkSchedulerLog fails the test if the scheduler's log shows the API server
// refusing it a permission, or a panic.
func checkSchedulerLog(t *testing.T, scheds ...*schedulerProcess) {
	t.Helper()
	for i, s := range scheds {
		for _, what := range []string{"forbidden", "panic"} {
			if lines := s.logLines(what); len(lines) > 0 {
				t.Errorf("scheduler %d logged %q:\n%s", i, what, lines[:min(len(lines), 5)])
			}
		}
	}
}

// vmAndVirtual sums pods per node class.
func vmAndVirtual(perNode map[string]int) (vms, virtual int) {
	for n, k := range perNode {
		if slices.Contains(workerNames, n) || n == controlPlaneName {
			vms += k
		} else {
			virtual += k
		}
	}
	return vms, virtual
}
