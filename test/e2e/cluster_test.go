package e2e

import (
	"context"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"
)

// The cluster of the tests: a tainted control plane, three m5.xlarge
// workers and the ACI virtual node of manifests/examples.
const (
	spillwayScheduler   = "spillway"
	aciNodeName         = "virtual-node-aci-linux"
	controlPlaneName    = "control-plane"
	virtualKubeletTaint = "virtual-kubelet.io/provider"
	instanceTypeLabel   = "node.kubernetes.io/instance-type"
	pauseImage          = "pause:3.10" // never pulled: no kubelet runs
)

var workerNames = []string{"worker-1", "worker-2", "worker-3"}

// readyNode is a Ready node with the given allocatable (capacity alike).
func readyNode(name, cpu, memory, pods string, labels map[string]string, taints ...v1.Taint) *v1.Node {
	res := v1.ResourceList{
		v1.ResourceCPU:    resource.MustParse(cpu),
		v1.ResourceMemory: resource.MustParse(memory),
		v1.ResourcePods:   resource.MustParse(pods),
	}
	l := map[string]string{"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}
	for k, v := range labels {
		l[k] = v
	}
	return &v1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: l},
		Spec:       v1.NodeSpec{Taints: taints},
		Status: v1.NodeStatus{
			Capacity: res, Allocatable: res,
			Conditions: []v1.NodeCondition{{Type: v1.NodeReady, Status: v1.ConditionTrue, Reason: "KubeletReady"}},
		},
	}
}

// workerNode is a worker VM: an m5.xlarge, 4 CPU and 16 GiB.
func workerNode(name string) *v1.Node {
	return readyNode(name, "4", "16Gi", "110", map[string]string{instanceTypeLabel: "m5.xlarge"})
}

// controlPlaneNode is the control plane VM, tainted NoSchedule as kubeadm
// taints it.
func controlPlaneNode() *v1.Node {
	return readyNode(controlPlaneName, "4", "16Gi", "110",
		map[string]string{instanceTypeLabel: "m5.xlarge", "node-role.kubernetes.io/control-plane": ""},
		v1.Taint{Key: "node-role.kubernetes.io/control-plane", Effect: v1.TaintEffectNoSchedule})
}

// aciNode is manifests/examples/virtual-node-aci.yaml, Ready.
func aciNode(t testing.TB, e *env) *v1.Node {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(e.root, "manifests", "examples", "virtual-node-aci.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var n v1.Node
	if err := yaml.UnmarshalStrict(data, &n); err != nil {
		t.Fatalf("virtual-node-aci.yaml: %v", err)
	}
	if n.Name != aciNodeName {
		t.Fatalf("virtual-node-aci.yaml names node %q, want %q", n.Name, aciNodeName)
	}
	n.Status.Conditions = append(n.Status.Conditions, v1.NodeCondition{Type: v1.NodeReady, Status: v1.ConditionTrue, Reason: "KubeletReady"})
	return &n
}

// createNodes creates the nodes with their status (nodes, unlike most
// objects, take their status on create).
func createNodes(ctx context.Context, t testing.TB, api *apiServer, nodes ...*v1.Node) {
	t.Helper()
	for _, n := range nodes {
		if _, err := api.client.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{}); err != nil {
			t.Fatalf("creating node %s: %v", n.Name, err)
		}
	}
}

// createNamespace creates a namespace for one scenario's objects.
func createNamespace(ctx context.Context, t testing.TB, api *apiServer, name string) string {
	t.Helper()
	ns := &v1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if _, err := api.client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	return name
}

// podOption changes a pod built by newPod.
type podOption func(*v1.Pod)

// newPod is a pod for the spillway scheduler with one container requesting
// cpu and memory.
func newPod(namespace, name, cpu, memory string, opts ...podOption) *v1.Pod {
	p := &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, Labels: map[string]string{}, Annotations: map[string]string{}},
		Spec: v1.PodSpec{
			SchedulerName: spillwayScheduler,
			Containers: []v1.Container{{Name: "app", Image: pauseImage, Resources: v1.ResourceRequirements{
				Requests: v1.ResourceList{v1.ResourceCPU: resource.MustParse(cpu), v1.ResourceMemory: resource.MustParse(memory)},
			}}},
		},
	}
	for _, o := range opts {
		o(p)
	}
	return p
}

// tolerateVirtualKubelet lets a pod onto virtual-kubelet nodes: the opt-in
// to serverless capacity.
func tolerateVirtualKubelet(p *v1.Pod) {
	p.Spec.Tolerations = append(p.Spec.Tolerations, v1.Toleration{Key: virtualKubeletTaint, Operator: v1.TolerationOpExists, Effect: v1.TaintEffectNoSchedule})
}

// tolerateEverything is what many DaemonSets' pods carry.
func tolerateEverything(p *v1.Pod) {
	p.Spec.Tolerations = append(p.Spec.Tolerations, v1.Toleration{Operator: v1.TolerationOpExists})
}

// withScheduler sets the pod's schedulerName.
func withScheduler(name string) podOption {
	return func(p *v1.Pod) { p.Spec.SchedulerName = name }
}

// withHostPath mounts a hostPath volume.
func withHostPath(path string) podOption {
	return func(p *v1.Pod) {
		p.Spec.Volumes = append(p.Spec.Volumes, v1.Volume{Name: "host", VolumeSource: v1.VolumeSource{HostPath: &v1.HostPathVolumeSource{Path: path}}})
		p.Spec.Containers[0].VolumeMounts = append(p.Spec.Containers[0].VolumeMounts, v1.VolumeMount{Name: "host", MountPath: path, ReadOnly: true})
	}
}

// pinnedTo requires the node by name, as the DaemonSet controller pins
// each of its pods to its node.
func pinnedTo(node string) podOption {
	return func(p *v1.Pod) {
		p.Spec.Affinity = &v1.Affinity{NodeAffinity: &v1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &v1.NodeSelector{
			NodeSelectorTerms: []v1.NodeSelectorTerm{{MatchFields: []v1.NodeSelectorRequirement{{
				Key: metav1.ObjectNameField, Operator: v1.NodeSelectorOpIn, Values: []string{node},
			}}}},
		}}}
	}
}

// controlledBy makes an object the pod's controller.
func controlledBy(apiVersion, kind, name string, uid types.UID) podOption {
	return func(p *v1.Pod) {
		p.OwnerReferences = append(p.OwnerReferences, metav1.OwnerReference{
			APIVersion: apiVersion, Kind: kind, Name: name, UID: uid,
			Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true),
		})
	}
}

// createPods creates the pods in order and returns them as created.
func createPods(ctx context.Context, t testing.TB, api *apiServer, pods ...*v1.Pod) []*v1.Pod {
	t.Helper()
	created := make([]*v1.Pod, len(pods))
	for i, p := range pods {
		got, err := api.client.CoreV1().Pods(p.Namespace).Create(ctx, p, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("creating pod %s/%s: %v", p.Namespace, p.Name, err)
		}
		created[i] = got
	}
	return created
}

// deletePods deletes the pods at once and waits until they are gone (no
// kubelet runs, so nothing has to stop).
func deletePods(ctx context.Context, t testing.TB, api *apiServer, pods ...*v1.Pod) {
	t.Helper()
	for _, p := range pods {
		err := api.client.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Fatal(err)
		}
	}
	err := wait.PollUntilContextTimeout(ctx, pollInterval, pollTimeout, true, func(ctx context.Context) (bool, error) {
		for _, p := range pods {
			if _, err := api.client.CoreV1().Pods(p.Namespace).Get(ctx, p.Name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("waiting for pods to be deleted: %v", err)
	}
}

// deployment stands for a Deployment while no controller-manager runs: the
// Deployment and its current ReplicaSet exist as objects, and the test
// creates the ReplicaSet's pods itself, named, labelled and owned as the
// ReplicaSet controller makes them.
type deployment struct {
	api      *apiServer
	rs       *appsv1.ReplicaSet
	template v1.PodTemplateSpec
	replicas int
}

// createDeployment creates a Deployment with no replicas yet and its
// ReplicaSet <name>-<pod-template-hash>.
func createDeployment(ctx context.Context, t testing.TB, api *apiServer, namespace, name string, spec v1.PodSpec) *deployment {
	t.Helper()
	labels := map[string]string{"app": name}
	tmpl := v1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec}
	deploy, err := api.client.AppsV1().Deployments(namespace).Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](0),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: tmpl,
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating Deployment %s: %v", name, err)
	}

	h := fnv.New32a()
	_, _ = fmt.Fprintf(h, "%s/%s", namespace, name)
	hash := rand.SafeEncodeString(fmt.Sprint(h.Sum32()))
	rsTmpl := *tmpl.DeepCopy()
	rsTmpl.Labels["pod-template-hash"] = hash
	rs, err := api.client.AppsV1().ReplicaSets(namespace).Create(ctx, &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: namespace, Name: name + "-" + hash, Labels: rsTmpl.Labels,
			OwnerReferences: []metav1.OwnerReference{{
				APIVersion: "apps/v1", Kind: "Deployment", Name: deploy.Name, UID: deploy.UID,
				Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true),
			}},
		},
		Spec: appsv1.ReplicaSetSpec{
			Replicas: ptr.To[int32](0),
			Selector: &metav1.LabelSelector{MatchLabels: rsTmpl.Labels},
			Template: rsTmpl,
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating ReplicaSet of %s: %v", name, err)
	}
	return &deployment{api: api, rs: rs, template: rsTmpl}
}

// scaleTo sets the replicas of the Deployment and its ReplicaSet and creates
// the new replicas' pods, in order, as one batch. It returns the new pods.
func (d *deployment) scaleTo(ctx context.Context, t testing.TB, replicas int) []*v1.Pod {
	t.Helper()
	ns := d.rs.Namespace
	deployName := d.rs.OwnerReferences[0].Name
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		deploy, err := d.api.client.AppsV1().Deployments(ns).Get(ctx, deployName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		deploy.Spec.Replicas = ptr.To(int32(replicas))
		_, err = d.api.client.AppsV1().Deployments(ns).Update(ctx, deploy, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("scaling Deployment %s: %v", deployName, err)
	}
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		rs, err := d.api.client.AppsV1().ReplicaSets(ns).Get(ctx, d.rs.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		rs.Spec.Replicas = ptr.To(int32(replicas))
		_, err = d.api.client.AppsV1().ReplicaSets(ns).Update(ctx, rs, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatalf("scaling ReplicaSet %s: %v", d.rs.Name, err)
	}

	var pods []*v1.Pod
	for i := d.replicas; i < replicas; i++ {
		tmpl := d.template.DeepCopy()
		pods = append(pods, &v1.Pod{
			ObjectMeta: metav1.ObjectMeta{
				Namespace: ns, Name: fmt.Sprintf("%s-r%03d", d.rs.Name, i), Labels: tmpl.Labels, Annotations: tmpl.Annotations,
				OwnerReferences: []metav1.OwnerReference{{
					APIVersion: "apps/v1", Kind: "ReplicaSet", Name: d.rs.Name, UID: d.rs.UID,
					Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true),
				}},
			},
			Spec: tmpl.Spec,
		})
	}
	d.replicas = replicas
	return createPods(ctx, t, d.api, pods...)
}

// waitBound waits until every pod is bound to a node and returns the pods.
func waitBound(ctx context.Context, t testing.TB, api *apiServer, sched *schedulerProcess, pods []*v1.Pod) []*v1.Pod {
	t.Helper()
	return waitPods(ctx, t, api, sched, pods, "bound to a node", func(p *v1.Pod) bool { return p.Spec.NodeName != "" })
}

// waitUnschedulable waits until the scheduler has marked every pod
// unschedulable (PodScheduled False, reason Unschedulable) and returns the
// pods. A pod bound meanwhile fails the test.
func waitUnschedulable(ctx context.Context, t testing.TB, api *apiServer, sched *schedulerProcess, pods []*v1.Pod) []*v1.Pod {
	t.Helper()
	got := waitPods(ctx, t, api, sched, pods, "marked unschedulable", func(p *v1.Pod) bool {
		return p.Spec.NodeName != "" || scheduledCondition(p).Reason == v1.PodReasonUnschedulable
	})
	for _, p := range got {
		if p.Spec.NodeName != "" {
			t.Errorf("pod %s went to %s, want it Pending", p.Name, p.Spec.NodeName)
		}
	}
	return got
}

func waitPods(ctx context.Context, t testing.TB, api *apiServer, sched *schedulerProcess, pods []*v1.Pod, what string, done func(*v1.Pod) bool) []*v1.Pod {
	t.Helper()
	got := make([]*v1.Pod, len(pods))
	err := wait.PollUntilContextTimeout(ctx, pollInterval, pollTimeout, true, func(ctx context.Context) (bool, error) {
		if err := sched.alive(); err != nil {
			return false, err
		}
		all := true
		for i, p := range pods {
			cur, err := api.client.CoreV1().Pods(p.Namespace).Get(ctx, p.Name, metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			got[i] = cur
			all = all && done(cur)
		}
		return all, nil
	})
	if err != nil {
		t.Fatalf("waiting for pods to be %s: %v\n%s", what, err, describePods(got))
	}
	t.Logf("placements:\n%s", describePods(got))
	return got
}

// scheduledCondition returns the pod's PodScheduled condition (zero if none).
func scheduledCondition(p *v1.Pod) v1.PodCondition {
	for _, c := range p.Status.Conditions {
		if c.Type == v1.PodScheduled {
			return c
		}
	}
	return v1.PodCondition{}
}

// describePods says where each pod went, or why it is pending.
func describePods(pods []*v1.Pod) string {
	var b strings.Builder
	for _, p := range pods {
		switch {
		case p == nil:
			b.WriteString("  (not read yet)\n")
		case p.Spec.NodeName != "":
			fmt.Fprintf(&b, "  %s/%s -> %s\n", p.Namespace, p.Name, p.Spec.NodeName)
		default:
			c := scheduledCondition(p)
			fmt.Fprintf(&b, "  %s/%s Pending (%s %s: %s)\n", p.Namespace, p.Name, c.Status, c.Reason, c.Message)
		}
	}
	return b.String()
}

// countByNode counts bound pods per node.
func countByNode(pods []*v1.Pod) map[string]int {
	n := map[string]int{}
	for _, p := range pods {
		n[p.Spec.NodeName]++
	}
	return n
}

// nodesOf lists the distinct nodes of the pods, sorted.
func nodesOf(pods []*v1.Pod) []string {
	var names []string
	for n := range countByNode(pods) {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
