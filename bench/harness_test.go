package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/kubernetes/pkg/scheduler/apis/config"
	frameworkruntime "k8s.io/kubernetes/pkg/scheduler/framework/runtime"
	clocktesting "k8s.io/utils/clock/testing"

	pt "github.com/spillway-dev/spillway/plugins/plugintesting"
	"github.com/spillway-dev/spillway/simulator/inprocess"
)

// root is the module root, from this package's directory.
const root = ".."

var (
	loadOnce  sync.Once
	workloads *Workloads
	schedCfg  *config.KubeSchedulerConfiguration
	loadErr   error
)

// setup returns bench/workloads.yaml and manifests/scheduler-config.yaml.
func setup(tb testing.TB) (*Workloads, *config.KubeSchedulerConfiguration) {
	tb.Helper()
	loadOnce.Do(func() {
		if workloads, loadErr = LoadWorkloads("workloads.yaml"); loadErr != nil {
			return
		}
		schedCfg, loadErr = inprocess.LoadConfigFile(filepath.Join(root, "manifests", "scheduler-config.yaml"))
	})
	if loadErr != nil {
		tb.Fatal(loadErr)
	}
	return workloads, schedCfg
}

// quietContext is a context with klog's default logger: the plugins log
// at V(2) and up, which it drops, as a scheduler at the default -v does.
func quietContext(tb testing.TB) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	return ctx
}

// podTemplateHash is what plugintesting.OwnedBy gives a Deployment's pods.
const podTemplateHash = "5d4f8c9b7"

// benchCluster is an in-process scheduler over a control plane, workers
// and an ACI node, with the pods of a few Deployments.
type benchCluster struct {
	ctx       context.Context
	sched     *inprocess.Scheduler
	clock     *clocktesting.FakeClock
	nodes     []*v1.Node
	templates []*v1.Pod
	live      []*v1.Pod // bound pods, oldest first (a ring from head)
	head      int
	seq       int
}

// newBenchCluster builds profile over size's cluster and binds its live
// pods round robin over the workers.
func newBenchCluster(tb testing.TB, cfg *config.KubeSchedulerConfiguration, profile string, size ClusterSize, deployments int) *benchCluster {
	tb.Helper()
	var extra frameworkruntime.Registry
	prof, err := inprocess.Profile(cfg, profile)
	if profile == floorProfileName {
		// Spillway's profile with stand-ins for its plugins (floor_test.go).
		if prof, err = inprocess.Profile(cfg, "spillway"); err == nil {
			prof, extra = floorProfile(prof)
		}
	}
	if err != nil {
		tb.Fatal(err)
	}
	c := &benchCluster{ctx: quietContext(tb), clock: clocktesting.NewFakeClock(pt.Start)}
	if c.sched, err = inprocess.New(c.ctx, prof, c.clock, extra); err != nil {
		tb.Fatal(err)
	}
	if size.SampleNodes {
		c.sched.SampleNodes(0)
	}
	c.nodes = append(c.nodes, pt.ControlPlane("control-plane"))
	for i := range size.Workers {
		c.nodes = append(c.nodes, pt.Worker(fmt.Sprintf("worker-%04d", i+1)))
	}
	c.nodes = append(c.nodes, pt.ACINode("virtual-node-aci-linux"))
	for _, n := range c.nodes {
		c.sched.AddNode(n)
	}
	cpus := []string{"100m", "250m", "500m"}
	for d := range deployments {
		name := fmt.Sprintf("app-%02d", d)
		rs := &appsv1.ReplicaSet{
			ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name + "-" + podTemplateHash, UID: types.UID("ReplicaSet-" + name + "-" + podTemplateHash)},
			Spec: appsv1.ReplicaSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{
				"app": name, "pod-template-hash": podTemplateHash,
			}}},
		}
		if err := c.sched.AddObject(rs); err != nil {
			tb.Fatal(err)
		}
		p := pt.Pod(name, cpus[d%len(cpus)], "512Mi", pt.TolerateVirtualKubelet, pt.OwnedBy("Deployment", name), pt.Scheduler(profile))
		p.Labels["app"] = name
		c.templates = append(c.templates, p)
	}
	for i := range size.Workers * size.LivePodsPerWorker {
		p := c.newPod()
		p.Spec.NodeName = c.nodes[1+i%size.Workers].Name
		if err := c.sched.AddPod(p); err != nil {
			tb.Fatal(err)
		}
		c.live = append(c.live, p)
	}
	return c
}

// newPod is the next pod of the Deployments, round robin.
func (c *benchCluster) newPod() *v1.Pod {
	t := c.templates[c.seq%len(c.templates)]
	p := t.DeepCopy()
	p.Name = fmt.Sprintf("%s-%s-%07d", t.Name, podTemplateHash, c.seq)
	p.UID = types.UID("pod-" + p.Name)
	p.CreationTimestamp = metav1.NewTime(c.clock.Now())
	c.seq++
	return p
}

// scheduleNext schedules one new pod, one second after the last; when it
// is bound, the oldest live pod leaves. It reports whether the pod was
// bound.
func (c *benchCluster) scheduleNext(tb testing.TB) bool {
	c.clock.Step(time.Second)
	res, bound, err := c.sched.Schedule(c.ctx, c.newPod())
	if err != nil {
		tb.Fatal(err)
	}
	if res.Node == "" {
		return false
	}
	if len(c.live) == 0 {
		return true
	}
	old := c.live[c.head]
	if err := c.sched.RemovePod(old); err != nil {
		tb.Fatal(err)
	}
	c.live[c.head] = bound
	c.head = (c.head + 1) % len(c.live)
	return true
}
