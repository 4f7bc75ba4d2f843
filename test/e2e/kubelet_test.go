package e2e

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/retry"
	"k8s.io/client-go/util/workqueue"

	"github.com/spillway-dev/spillway/backends"
)

// coldStartScale shrinks the backends' cold starts (catalog p50: ACI 25 s,
// Fargate 60 s) to test time: 1 s and 2.4 s.
const coldStartScale = 1.0 / 25

// fakeKubelet plays the kubelets of a test's nodes: it watches the pods of
// one namespace and, once one is bound, admits it as the node's kubelet
// would (the pod must fit the node's allocatable pods, CPU and memory next
// to the pods already admitted there) and marks it Running and Ready,
// right away on a VM and after its backend's cold start (from the backends
// catalog, scaled by coldStartScale) on a virtual node.
//
// It also watches for what must never happen: a pod that changes node once
// bound (bound twice), or a pod that its node could not admit (the
// scheduler lost track of what it had placed). Both are violations, which
// checkViolations reports.
type fakeKubelet struct {
	client    kubernetes.Interface
	lister    cache.Indexer
	queue     workqueue.TypedDelayingInterface[types.NamespacedName]
	coldStart map[string]time.Duration
	alloc     map[string]v1.ResourceList

	mu         sync.Mutex
	pods       map[types.UID]*podRecord
	used       map[string]*nodeUse
	violations []string
	bound      int
	running    int
	lastBound  time.Time
}

// podRecord is what the kubelet saw of one pod.
type podRecord struct {
	key       types.NamespacedName
	node      string
	boundAt   time.Time
	runningAt time.Time
	queued    bool
	admitted  bool
	cpu, mem  int64
}

// nodeUse is what the kubelet of a node has admitted.
type nodeUse struct{ pods, cpu, mem int64 }

// startKubelet starts the kubelets of nodes for the pods of namespace; they
// stop when the test ends.
func startKubelet(ctx context.Context, t *testing.T, api *apiServer, namespace string, nodes []*v1.Node) *fakeKubelet {
	t.Helper()
	cfg := restclient.CopyConfig(api.config)
	cfg.QPS, cfg.Burst = 500, 1000
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	catalog := backends.Default()
	k := &fakeKubelet{
		client:    client,
		queue:     workqueue.NewTypedDelayingQueue[types.NamespacedName](),
		coldStart: map[string]time.Duration{},
		alloc:     map[string]v1.ResourceList{},
		pods:      map[types.UID]*podRecord{},
		used:      map[string]*nodeUse{},
	}
	for _, n := range nodes {
		k.alloc[n.Name] = n.Status.Allocatable
		k.used[n.Name] = &nodeUse{}
		if b := catalog.ForNode(n); b != nil {
			k.coldStart[n.Name] = time.Duration(b.StartupSeconds.P50 * coldStartScale * float64(time.Second))
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	factory := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithNamespace(namespace))
	inf := factory.Core().V1().Pods().Informer()
	k.lister = inf.GetIndexer()
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { k.observe(obj) },
		UpdateFunc: func(_, obj any) { k.observe(obj) },
		DeleteFunc: func(obj any) {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			if p, ok := obj.(*v1.Pod); ok {
				k.release(p)
			}
		},
	}); err != nil {
		t.Fatal(err)
	}
	factory.Start(ctx.Done())
	var workers sync.WaitGroup
	for range 4 {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for k.work(ctx) {
			}
		}()
	}
	t.Cleanup(func() {
		cancel()
		k.queue.ShutDown()
		workers.Wait()
		factory.Shutdown()
	})
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		t.Fatal("the kubelet's pod informer did not sync")
	}
	return k
}

// observe records a bound pod and queues its start.
func (k *fakeKubelet) observe(obj any) {
	p, ok := obj.(*v1.Pod)
	if !ok || p.Spec.NodeName == "" {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	r := k.pods[p.UID]
	if r == nil {
		req := podRequests(p)
		r = &podRecord{key: types.NamespacedName{Namespace: p.Namespace, Name: p.Name}, node: p.Spec.NodeName, boundAt: time.Now(),
			cpu: req.Cpu().MilliValue(), mem: req.Memory().Value()}
		k.pods[p.UID] = r
		k.bound++
		k.lastBound = r.boundAt
	} else if r.node != p.Spec.NodeName {
		k.violations = append(k.violations, fmt.Sprintf("pod %s bound to %s, then to %s", r.key, r.node, p.Spec.NodeName))
	}
	if p.Status.Phase == v1.PodRunning && r.runningAt.IsZero() {
		r.runningAt = time.Now()
		k.running++
	}
	if !r.queued && p.Status.Phase == v1.PodPending {
		r.queued = true
		k.queue.AddAfter(r.key, k.coldStart[r.node])
	}
}

// release gives back what a deleted pod held on its node.
func (k *fakeKubelet) release(p *v1.Pod) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if r := k.pods[p.UID]; r != nil && r.admitted {
		u := k.used[r.node]
		u.pods--
		u.cpu -= r.cpu
		u.mem -= r.mem
		r.admitted = false
	}
}

// work starts one queued pod; false when the queue is shut down.
func (k *fakeKubelet) work(ctx context.Context) bool {
	key, shutdown := k.queue.Get()
	if shutdown {
		return false
	}
	defer k.queue.Done(key)
	obj, exists, err := k.lister.GetByKey(key.String())
	if err != nil || !exists {
		return true
	}
	p := obj.(*v1.Pod)
	phase, reason := v1.PodRunning, ""
	k.mu.Lock()
	r := k.pods[p.UID]
	if r != nil && !r.admitted {
		if reason = k.admit(r); reason == "" {
			r.admitted = true
		} else {
			phase = v1.PodFailed
			k.violations = append(k.violations, fmt.Sprintf("pod %s: the kubelet of %s would reject it: %s", r.key, r.node, reason))
		}
	}
	k.mu.Unlock()
	if r == nil {
		return true
	}
	// As a kubelet does, it keeps trying through conflicts and an API
	// server slow to answer (a loaded machine): any error but NotFound.
	backoff := wait.Backoff{Steps: 10, Duration: 100 * time.Millisecond, Factor: 2, Cap: 5 * time.Second}
	err = retry.OnError(backoff, func(err error) bool { return !apierrors.IsNotFound(err) && ctx.Err() == nil }, func() error {
		cur, err := k.client.CoreV1().Pods(key.Namespace).Get(ctx, key.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		setStatus(cur, phase, reason)
		_, err = k.client.CoreV1().Pods(key.Namespace).UpdateStatus(ctx, cur, metav1.UpdateOptions{})
		return err
	})
	if err != nil && !apierrors.IsNotFound(err) && ctx.Err() == nil {
		k.mu.Lock()
		k.violations = append(k.violations, fmt.Sprintf("pod %s: setting its status: %v", key, err))
		k.mu.Unlock()
	}
	return true
}

// admit checks that the pod fits next to those admitted on its node, as
// the kubelet's admission does, and counts it; "" if it fits, else the
// kubelet's reason. The caller holds k.mu.
func (k *fakeKubelet) admit(r *podRecord) string {
	alloc, u := k.alloc[r.node], k.used[r.node]
	if alloc == nil {
		return "NodeNotFound"
	}
	switch {
	case u.pods+1 > alloc.Pods().Value():
		return "OutOfpods"
	case u.cpu+r.cpu > alloc.Cpu().MilliValue():
		return "OutOfcpu"
	case u.mem+r.mem > alloc.Memory().Value():
		return "OutOfmemory"
	}
	u.pods++
	u.cpu += r.cpu
	u.mem += r.mem
	return ""
}

// setStatus sets the status that a kubelet reports for a started (or
// rejected) pod.
func setStatus(p *v1.Pod, phase v1.PodPhase, reason string) {
	now := metav1.Now()
	p.Status.Phase = phase
	p.Status.StartTime = &now
	if phase == v1.PodFailed {
		p.Status.Reason, p.Status.Message = reason, "Pod was rejected by the (test's) kubelet: "+reason
		return
	}
	p.Status.HostIP, p.Status.PodIP = "10.0.0.1", "10.244.0.1"
	conds := []v1.PodCondition{}
	for _, c := range p.Status.Conditions {
		if c.Type == v1.PodScheduled {
			conds = append(conds, c)
		}
	}
	for _, ct := range []v1.PodConditionType{v1.PodReadyToStartContainers, v1.PodInitialized, v1.ContainersReady, v1.PodReady} {
		conds = append(conds, v1.PodCondition{Type: ct, Status: v1.ConditionTrue, LastTransitionTime: now})
	}
	p.Status.Conditions = conds
	p.Status.ContainerStatuses = nil
	for _, c := range p.Spec.Containers {
		p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, v1.ContainerStatus{
			Name: c.Name, Image: c.Image, ImageID: "docker-pullable://" + c.Image, ContainerID: "containerd://" + string(p.UID),
			Ready: true, Started: ptrTrue(), State: v1.ContainerState{Running: &v1.ContainerStateRunning{StartedAt: now}},
		})
	}
}

func ptrTrue() *bool { b := true; return &b }

// podRequests sums the containers' requests.
func podRequests(p *v1.Pod) v1.ResourceList {
	sum := v1.ResourceList{v1.ResourceCPU: resource.Quantity{}, v1.ResourceMemory: resource.Quantity{}}
	for _, c := range p.Spec.Containers {
		for _, r := range []v1.ResourceName{v1.ResourceCPU, v1.ResourceMemory} {
			q := sum[r]
			q.Add(c.Resources.Requests[r])
			sum[r] = q
		}
	}
	return sum
}

// kubeletCounts is a snapshot of what the kubelet has seen.
type kubeletCounts struct {
	bound, running int
	lastBound      time.Time
}

func (k *fakeKubelet) counts() kubeletCounts {
	k.mu.Lock()
	defer k.mu.Unlock()
	return kubeletCounts{bound: k.bound, running: k.running, lastBound: k.lastBound}
}

// waitCounts waits until done holds for the kubelet's counts, for at most
// timeout; sched, if not nil, must stay alive meanwhile.
func (k *fakeKubelet) waitCounts(ctx context.Context, t *testing.T, what string, timeout time.Duration, sched *schedulerProcess, done func(kubeletCounts) bool) kubeletCounts {
	t.Helper()
	var c kubeletCounts
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, timeout, true, func(context.Context) (bool, error) {
		if sched != nil {
			if err := sched.alive(); err != nil {
				return false, err
			}
		}
		c = k.counts()
		return done(c), nil
	})
	if err != nil {
		t.Fatalf("waiting until %s: %v (bound %d, running %d)\n%s", what, err, c.bound, c.running, k.describeViolations())
	}
	return c
}

// boundBetween counts the pods first seen bound in [from, to).
func (k *fakeKubelet) boundBetween(from, to time.Time) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := 0
	for _, r := range k.pods {
		if !r.boundAt.Before(from) && r.boundAt.Before(to) {
			n++
		}
	}
	return n
}

// nodeOf returns the node the kubelet saw the pod bound to.
func (k *fakeKubelet) nodeOf(uid types.UID) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	if r := k.pods[uid]; r != nil {
		return r.node
	}
	return ""
}

func (k *fakeKubelet) describeViolations() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.violations) == 0 {
		return "no violation"
	}
	v := append([]string(nil), k.violations...)
	sort.Strings(v)
	if len(v) > 20 {
		v = append(v[:20], fmt.Sprintf("... and %d more", len(v)-20))
	}
	return "violations:\n  " + strings.Join(v, "\n  ")
}

// checkViolations fails the test if a pod was bound twice or rejected by
// its node.
func (k *fakeKubelet) checkViolations(t *testing.T) {
	t.Helper()
	k.mu.Lock()
	n := len(k.violations)
	k.mu.Unlock()
	if n > 0 {
		t.Errorf("%d pods were bound twice or could not be admitted by their node:\n%s", n, k.describeViolations())
	}
}
