package e2e

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/spillway-dev/spillway/bench"
)

var realRounds = flag.Int("real-rounds", 2, "BenchmarkRealScheduler: rounds of every profile, interleaved")

// BenchmarkRealScheduler measures spillway-scheduler (the built binary,
// the spillway profile of manifests/scheduler-config.yaml and the stock
// default-scheduler profile in one process) against
// the in-process kube-apiserver, on the realScheduler cluster of
// bench/workloads.yaml: a control plane, the workers and the ACI node.
// Each round creates the pods for each profile in turn (20 Deployments'
// worth, tolerating the virtual node) and times from the first binding to
// the last, as an informer sees them: pods/s. The rounds alternate the profiles, so both see the same
// machine. Only with -bench; about a minute per round.
func BenchmarkRealScheduler(b *testing.B) {
	if testing.Short() {
		b.Skip("builds the scheduler and starts a kube-apiserver")
	}
	if setupErr != nil {
		b.Fatalf("setting up the end-to-end environment: %v", setupErr)
	}
	e, ctx := shared, b.Context()
	api := e.api
	w, err := bench.LoadWorkloads(filepath.Join(e.root, "bench", "workloads.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	checkNoOtherNodes(ctx, b, api)
	nodes := []*v1.Node{controlPlaneNode(), aciNode(b, e)}
	for i := range w.RealScheduler.Workers {
		nodes = append(nodes, workerNode(fmt.Sprintf("worker-%04d", i+1)))
	}
	var namespaces []string
	b.Cleanup(func() { cleanUpBench(b, api, nodes, namespaces) })
	fast := fastClient(b, api)
	createNodesParallel(ctx, b, fast, nodes)

	api.applyFile(ctx, b, filepath.Join(e.root, "manifests", "rbac.yaml"), false)
	waitAuthorized(ctx, b, api, "system:serviceaccount:kube-system:spillway-scheduler",
		authorizationv1.ResourceAttributes{Verb: "create", Resource: "pods", Subresource: "binding"})
	kubeconfig := api.writeKubeconfig(b, api.serviceAccountToken(ctx, b, "kube-system", "spillway-scheduler"))
	config, err := os.ReadFile(filepath.Join(e.root, "manifests", "scheduler-config.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	// kube-scheduler's default client rate (50 QPS) would be what is
	// measured; scheduler_perf lifts it the same way.
	config = withClientRate(b, config, 5000)
	// The shipped file has only the spillway profile (Spillway runs beside
	// the cluster's kube-scheduler); the baseline is the stock profile in
	// the same process.
	config = withStockProfile(b, config)
	startScheduler(ctx, b, e, config, kubeconfig, "-v=0")

	for round := range *realRounds {
		for _, profile := range w.Profiles {
			ns := fmt.Sprintf("bench-%d-%s", round, profile)
			namespaces = append(namespaces, ns)
			name := fmt.Sprintf("nodes=%d/pods=%d/profile=%s", len(nodes), w.RealScheduler.Pods, profile)
			b.Run(name, func(b *testing.B) {
				rate := scheduleBatch(ctx, b, api, fast, ns, profile, w.RealScheduler.Pods, w.Deployments)
				b.ReportMetric(rate, "pods/s")
				deleteAllPods(ctx, b, api, ns)
			})
		}
	}
}

// scheduleBatch creates n pods for profile in namespace ns and returns
// the pods bound per second from the first binding to the last.
func scheduleBatch(ctx context.Context, b *testing.B, api *apiServer, fast kubernetes.Interface, ns, profile string, n, deployments int) float64 {
	createNamespace(ctx, b, api, ns)
	var deps []*deployment
	for d := range deployments {
		deps = append(deps, createDeployment(ctx, b, api, ns, fmt.Sprintf("app-%02d", d), v1.PodSpec{
			Containers: []v1.Container{{Name: "app", Image: pauseImage}},
		}))
	}
	// An informer, as scheduler_perf uses, survives the API server closing
	// a watch that 5,000 fast updates overflow.
	bt := &boundTimes{bound: map[string]bool{}, n: n}
	allBound := make(chan struct{})
	factory := informers.NewSharedInformerFactoryWithOptions(fast, 0, informers.WithNamespace(ns))
	inf := factory.Core().V1().Pods().Informer()
	record := func(obj any) {
		if p, ok := obj.(*v1.Pod); ok && p.Spec.NodeName != "" && bt.add(p.Name) {
			close(allBound)
		}
	}
	if _, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc: record, UpdateFunc: func(_, obj any) { record(obj) },
	}); err != nil {
		b.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	factory.Start(stop)
	factory.WaitForCacheSync(stop)
	pods := make(chan *v1.Pod)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for p := range pods {
				if _, err := fast.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	go func() {
		defer close(pods)
		cpus := []string{"100m", "250m", "500m"}
		for i := range n {
			d := deps[i%len(deps)]
			p := newPod(ns, fmt.Sprintf("%s-%05d", d.rs.Name, i), cpus[i%len(cpus)], "512Mi", tolerateVirtualKubelet, withScheduler(profile),
				controlledBy("apps/v1", "ReplicaSet", d.rs.Name, d.rs.UID))
			p.Labels = d.template.Labels
			select {
			case pods <- p:
			case <-ctx.Done():
				return
			}
		}
	}()
	var first, last time.Time
	select {
	case err := <-errs:
		b.Fatalf("creating pods: %v", err)
	case <-ctx.Done():
		b.Fatal(ctx.Err())
	case <-allBound:
		first, last = bt.first, bt.last
	case <-time.After(5 * time.Minute):
		bt.mu.Lock()
		defer bt.mu.Unlock()
		b.Fatalf("%d of %d pods bound after 5 minutes", len(bt.bound), n)
	}
	wg.Wait()
	if n < 2 || !last.After(first) {
		return 0
	}
	return float64(n-1) / last.Sub(first).Seconds()
}

// boundTimes records when each pod was first seen bound.
type boundTimes struct {
	mu          sync.Mutex
	bound       map[string]bool
	n           int
	first, last time.Time
}

// add records pod as bound and reports whether it was the n-th.
func (bt *boundTimes) add(pod string) bool {
	bt.mu.Lock()
	defer bt.mu.Unlock()
	if bt.bound[pod] {
		return false
	}
	bt.bound[pod] = true
	bt.last = time.Now()
	if bt.first.IsZero() {
		bt.first = bt.last
	}
	return len(bt.bound) == bt.n
}

// deleteAllPods deletes the pods of ns and waits until they are gone, so
// that the next batch sees the same empty cluster.
func deleteAllPods(ctx context.Context, tb testing.TB, api *apiServer, ns string) {
	now := metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}
	if err := api.client.CoreV1().Pods(ns).DeleteCollection(ctx, now, metav1.ListOptions{}); err != nil {
		tb.Fatal(err)
	}
	err := wait.PollUntilContextTimeout(ctx, pollInterval, 2*pollTimeout, true, func(ctx context.Context) (bool, error) {
		list, err := api.client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{Limit: 1})
		return err == nil && len(list.Items) == 0, nil
	})
	if err != nil {
		tb.Fatalf("waiting for the pods of %s to be deleted: %v", ns, err)
	}
}

// withClientRate sets the scheduler's clientConnection qps and burst.
func withClientRate(tb testing.TB, config []byte, qps int) []byte {
	var m map[string]any
	if err := yaml.Unmarshal(config, &m); err != nil {
		tb.Fatal(err)
	}
	cc, _ := m["clientConnection"].(map[string]any)
	if cc == nil {
		cc = map[string]any{}
	}
	cc["qps"], cc["burst"] = qps, qps
	m["clientConnection"] = cc
	out, err := yaml.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// withStockProfile adds kube-scheduler's stock profile (default-scheduler,
// nothing changed) before the configuration's own profiles.
func withStockProfile(tb testing.TB, config []byte) []byte {
	var m map[string]any
	if err := yaml.Unmarshal(config, &m); err != nil {
		tb.Fatal(err)
	}
	profiles, _ := m["profiles"].([]any)
	m["profiles"] = append([]any{map[string]any{"schedulerName": v1.DefaultSchedulerName}}, profiles...)
	out, err := yaml.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// fastClient is the API server's superuser client without a rate limit.
func fastClient(tb testing.TB, api *apiServer) kubernetes.Interface {
	cfg := restclient.CopyConfig(api.config)
	cfg.QPS, cfg.Burst = 5000, 5000
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// createNodesParallel creates the nodes with their status, 8 at a time.
func createNodesParallel(ctx context.Context, tb testing.TB, c kubernetes.Interface, nodes []*v1.Node) {
	ch := make(chan *v1.Node)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range 8 {
		wg.Go(func() {
			for n := range ch {
				if _, err := c.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{}); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("creating node %s: %w", n.Name, err)
					}
					mu.Unlock()
				}
			}
		})
	}
	for _, n := range nodes {
		ch <- n
	}
	close(ch)
	wg.Wait()
	if firstErr != nil {
		tb.Fatal(firstErr)
	}
}

// cleanUpBench deletes the benchmark's pods, Deployments, ReplicaSets,
// nodes and the scheduler's lease (the namespaces stay, empty).
func cleanUpBench(tb testing.TB, api *apiServer, nodes []*v1.Node, namespaces []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*pollTimeout)
	defer cancel()
	now := metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}
	for _, ns := range namespaces {
		for _, del := range []func() error{
			func() error { return api.client.CoreV1().Pods(ns).DeleteCollection(ctx, now, metav1.ListOptions{}) },
			func() error {
				return api.client.AppsV1().ReplicaSets(ns).DeleteCollection(ctx, now, metav1.ListOptions{})
			},
			func() error {
				return api.client.AppsV1().Deployments(ns).DeleteCollection(ctx, now, metav1.ListOptions{})
			},
		} {
			if err := del(); err != nil && !apierrors.IsNotFound(err) {
				tb.Errorf("cleaning up %s: %v", ns, err)
			}
		}
	}
	if err := api.client.CoreV1().Nodes().DeleteCollection(ctx, now, metav1.ListOptions{}); err != nil {
		tb.Errorf("cleaning up the %d nodes: %v", len(nodes), err)
	}
	err := api.client.CoordinationV1().Leases("kube-system").Delete(ctx, "spillway-scheduler", now)
	if err != nil && !apierrors.IsNotFound(err) {
		tb.Errorf("cleaning up the lease: %v", err)
	}
}
