package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"
)

// TestScheduling runs the built scheduler with manifests/scheduler-config.yaml,
// as the ServiceAccount of manifests/rbac.yaml, against the minimal cluster
// (a tainted control plane, three 4-CPU workers) and the ACI virtual node,
// and walks through what the spillway profile promises. The steps share the
// cluster and the scheduler and run in order: each starts from the nodes'
// state the previous one left.
func TestScheduling(t *testing.T) {
	e := setup(t)
	api := e.apiServer(t)
	ctx := t.Context()

	// Each run (-count) uses namespaces of its own and leaves no pod, node
	// or lease behind (no namespace controller runs to delete namespaces).
	schedulingRuns++
	var namespaces []string
	namespace := func(t *testing.T, base string) string {
		name := fmt.Sprintf("%s-%d", base, schedulingRuns)
		if !slices.Contains(namespaces, name) {
			namespaces = append(namespaces, createNamespace(ctx, t, api, name))
		}
		return name
	}
	nodes := []*v1.Node{controlPlaneNode(), aciNode(t, e)}
	for _, w := range workerNames {
		nodes = append(nodes, workerNode(w))
	}
	createNodes(ctx, t, api, nodes...)
	// Registered before the scheduler starts, so it runs after it stopped.
	t.Cleanup(func() { cleanUpCluster(t, api, nodes, &namespaces) })

	// The scheduler runs with exactly the permissions of manifests/rbac.yaml.
	kubeconfig := api.writeKubeconfig(t, schedulerToken(ctx, t, e, api))
	config, err := os.ReadFile(filepath.Join(e.root, "manifests", "scheduler-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sched := startScheduler(ctx, t, e, config, kubeconfig)

	var web *deployment // the steady Deployment, scaled over two steps
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"a default-scheduler pod is left to the cluster's own scheduler", func(t *testing.T) {
			// Spillway runs beside kube-scheduler (scheduler-config.yaml has
			// only the spillway profile): it binds the spillway pod created
			// after the default-scheduler one and leaves that one alone.
			ns := namespace(t, "smoke")
			pods := createPods(ctx, t, api,
				newPod(ns, "smoke-default", "100m", "64Mi", withScheduler(v1.DefaultSchedulerName)),
				newPod(ns, "smoke", "100m", "64Mi"))
			bound := waitBound(ctx, t, api, sched, pods[1:])
			if n := bound[0].Spec.NodeName; !slices.Contains(workerNames, n) {
				t.Errorf("pod smoke went to %q, want a worker", n)
			}
			other, err := api.client.CoreV1().Pods(ns).Get(ctx, "smoke-default", metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if other.Spec.NodeName != "" || scheduledCondition(other).Type != "" {
				t.Errorf("spillway-scheduler acted on a default-scheduler pod: node %q, condition %+v", other.Spec.NodeName, scheduledCondition(other))
			}
			deletePods(ctx, t, api, pods...)
		}},
		{"a pod without the toleration goes to a VM", func(t *testing.T) {
			ns := namespace(t, "plain")
			pods := waitBound(ctx, t, api, sched, createPods(ctx, t, api, newPod(ns, "plain-room", "1", "2Gi")))
			if n := pods[0].Spec.NodeName; !slices.Contains(workerNames, n) {
				t.Errorf("pod plain-room went to %q, want a worker", n)
			}
			deletePods(ctx, t, api, pods...)
		}},
		{"a steady Deployment of 12 replicas fills the three workers first", func(t *testing.T) {
			ns := namespace(t, "steady")
			web = createDeployment(ctx, t, api, ns, "web", webPodSpec())
			pods := waitBound(ctx, t, api, sched, web.scaleTo(ctx, t, 12))
			want := map[string]int{"worker-1": 4, "worker-2": 4, "worker-3": 4}
			if diff := cmp.Diff(want, countByNode(pods)); diff != "" {
				t.Errorf("replicas per node (-want +got):\n%s", diff)
			}
		}},
		{"scaled to 16, the 4 extra replicas go to the virtual node", func(t *testing.T) {
			pods := waitBound(ctx, t, api, sched, web.scaleTo(ctx, t, 16))
			if got := nodesOf(pods); !slices.Equal(got, []string{aciNodeName}) {
				t.Errorf("the 4 extra replicas went to %v, want all on %s", got, aciNodeName)
			}
		}},
		{"a pod without the toleration stays Pending when the VMs are full", func(t *testing.T) {
			pods := waitUnschedulable(ctx, t, api, sched, createPods(ctx, t, api, newPod(namespace(t, "plain"), "plain-full", "1", "2Gi")))
			msg := scheduledCondition(pods[0]).Message
			// The control plane and the virtual node by their taints, the
			// three workers for lack of CPU.
			for _, want := range []string{"0/5 nodes are available", "2 node(s) had untolerated taint(s)", "3 Insufficient cpu"} {
				if !strings.Contains(msg, want) {
					t.Errorf("plain-full: PodScheduled message %q lacks %q", msg, want)
				}
			}
		}},
		{"pods that ACI cannot run never go to the virtual node", func(t *testing.T) {
			ns := namespace(t, "refused")
			agent := createDaemonSet(ctx, t, api, ns, "node-agent")
			tests := []struct {
				pod  *v1.Pod
				rule string
			}{
				// A DaemonSet's pod for the virtual node, pinned there as the
				// DaemonSet controller pins it, tolerating everything.
				{newPod(ns, "node-agent-vk", "100m", "64Mi", tolerateEverything, pinnedTo(aciNodeName),
					controlledBy("apps/v1", "DaemonSet", agent.Name, agent.UID)), "DaemonSetPod"},
				{newPod(ns, "hostpath", "100m", "64Mi", tolerateVirtualKubelet, withHostPath("/var/log")), "HostPathVolume"},
				// Over ACI's 4 CPU per container group; bigger than a worker too.
				{newPod(ns, "six-cpu", "6", "8Gi", tolerateVirtualKubelet), "MaxCPU"},
			}
			var pods []*v1.Pod
			for _, tt := range tests {
				pods = append(pods, tt.pod)
			}
			pods = waitUnschedulable(ctx, t, api, sched, createPods(ctx, t, api, pods...))
			for i, tt := range tests {
				msg := scheduledCondition(pods[i]).Message
				if want := "aci cannot run this pod: " + tt.rule + ": "; !strings.Contains(msg, want) {
					t.Errorf("%s: PodScheduled message %q lacks %q", tt.pod.Name, msg, want)
				}
			}
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			t.Fatalf("stopping: the next steps build on %q", s.name)
		}
	}

	if lines := sched.logLines("forbidden"); len(lines) > 0 {
		t.Errorf("the API server refused the scheduler (is a rule missing from manifests/rbac.yaml?):\n%s", strings.Join(lines, "\n"))
	}
}

// schedulingRuns counts the runs of TestScheduling in this process.
var schedulingRuns int

// cleanUpCluster deletes what a run of TestScheduling leaves: its pods, the
// nodes and the scheduler's lease (the stopped scheduler does not release it,
// and the next one would wait for it to expire).
func cleanUpCluster(t testing.TB, api *apiServer, nodes []*v1.Node, namespaces *[]string) {
	ctx, cancel := context.WithTimeout(context.Background(), pollTimeout)
	defer cancel()
	now := metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}
	for _, ns := range *namespaces {
		if err := api.client.CoreV1().Pods(ns).DeleteCollection(ctx, now, metav1.ListOptions{}); err != nil {
			t.Errorf("cleaning up the pods of %s: %v", ns, err)
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

// webPodSpec is the steady Deployment's pod: 1 CPU, 2 GiB, for the spillway
// scheduler, allowed onto virtual nodes.
func webPodSpec() v1.PodSpec {
	p := newPod("", "", "1", "2Gi", tolerateVirtualKubelet)
	return p.Spec
}

// createDaemonSet creates a DaemonSet object (no controller runs for it).
func createDaemonSet(ctx context.Context, t testing.TB, api *apiServer, namespace, name string) *appsv1.DaemonSet {
	t.Helper()
	labels := map[string]string{"app": name}
	spec := newPod("", "", "100m", "64Mi", tolerateEverything).Spec
	ds, err := api.client.AppsV1().DaemonSets(namespace).Create(ctx, &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: v1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating DaemonSet %s: %v", name, err)
	}
	return ds
}

// waitAuthorized waits until RBAC allows user everything listed (new
// bindings reach the authorizer's cache within moments).
func waitAuthorized(ctx context.Context, t testing.TB, api *apiServer, user string, attrs ...authorizationv1.ResourceAttributes) {
	t.Helper()
	var denied string
	err := wait.PollUntilContextTimeout(ctx, pollInterval, pollTimeout, true, func(ctx context.Context) (bool, error) {
		for _, a := range attrs {
			sar, err := api.client.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{
				Spec: authorizationv1.SubjectAccessReviewSpec{
					User: user, Groups: []string{"system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"},
					ResourceAttributes: &a,
				},
			}, metav1.CreateOptions{})
			if err != nil {
				return false, err
			}
			if !sar.Status.Allowed {
				denied = fmt.Sprintf("%+v: %s", a, sar.Status.Reason)
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("RBAC does not allow %s what manifests/rbac.yaml grants: %v (%s)", user, err, denied)
	}
}

// TestWriteConfig runs `spillway-scheduler --config ... --write-config-to`,
// which needs no API server: the shipped configuration is accepted and its
// Spillway args come out as written there, which are the defaults; invalid
// args stop the binary at start with the field named.
func TestWriteConfig(t *testing.T) {
	e := setup(t)
	shipped, err := os.ReadFile(filepath.Join(e.root, "manifests", "scheduler-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	shippedArgs := spillwayArgs(t, shipped)
	for _, plugin := range spillwayPlugins {
		if _, ok := shippedArgs[plugin]; !ok {
			t.Fatalf("scheduler-config.yaml has no args for %s in the spillway profile", plugin)
		}
	}
	// The scheduler builds its clients, but contacts nothing, before it
	// writes the configuration or rejects it.
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: "https://127.0.0.1:1"}}]
contexts: [{name: none, context: {cluster: none}}]
current-context: none
`), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		config  func(t *testing.T) []byte
		wantErr []string // nil: success, and the args come out as shipped
	}{
		{"shipped", func(*testing.T) []byte { return shipped }, nil},
		{"Spillway args left out get their defaults", func(t *testing.T) []byte { return withoutSpillwayArgs(t, shipped) }, nil},
		{"negative vmMarginalCostFactor", replace(shipped, "vmMarginalCostFactor: 0.1", "vmMarginalCostFactor: -1"),
			[]string{"BurstCost", "vmMarginalCostFactor"}},
		{"typo defaultHorizn", replace(shipped, "defaultHorizon: 1h", "defaultHorizn: 1h"),
			[]string{"BurstCost", "unknown field", "defaultHorizn"}},
		{"basePercentile over 100", replace(shipped, "basePercentile: 50", "basePercentile: 150"),
			[]string{"Steadiness", "basePercentile"}},
		{"unknown vmPricing", replace(shipped, "vmPricing: OnDemand", "vmPricing: Cheap"),
			[]string{"vmPricing", "Cheap"}},
		{"history.prometheus without a url", replace(shipped, "longRunningJob: 1h", "longRunningJob: 1h\n          history:\n            prometheus: {step: 1m}"),
			[]string{"Steadiness", "history.prometheus.url", "Required"}},
		{"negative multiPoint weight", replace(shipped, "weight: 5", "weight: -5"),
			[]string{"profiles[0].plugins.multiPoint.enabled[1].weight", "BurstCost", "must not be negative"}},
		{"missing backend catalog", replace(shipped, `backendCatalogFile: ""`, `backendCatalogFile: /nonexistent/backends.yaml`),
			[]string{"backendCatalogFile", "/nonexistent/backends.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfgFile, outFile := filepath.Join(dir, "config.yaml"), filepath.Join(dir, "effective.yaml")
			cfg, err := withKubeconfig(tt.config(t), kubeconfig)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(cfgFile, cfg, 0o600); err != nil {
				t.Fatal(err)
			}
			output, err := runBinary(t.Context(), e.bin, "--config="+cfgFile, "--secure-port=0", "--write-config-to="+outFile)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("spillway-scheduler accepted the config; output:\n%s", output)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(output, w) {
						t.Errorf("the error output lacks %q:\n%s", w, output)
					}
				}
				if strings.Contains(output, "panic") {
					t.Errorf("spillway-scheduler panicked:\n%s", output)
				}
				return
			}
			if err != nil {
				t.Fatalf("spillway-scheduler: %v; output:\n%s", err, output)
			}
			written, err := os.ReadFile(outFile)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(shippedArgs, spillwayArgs(t, written)); diff != "" {
				t.Errorf("the Spillway args of the effective config differ from scheduler-config.yaml's (-shipped +effective):\n%s", diff)
			}
		})
	}
}

// replace returns a config function that replaces old (which must be in
// config) by new.
func replace(config []byte, old, new string) func(t *testing.T) []byte {
	return func(t *testing.T) []byte {
		t.Helper()
		if !strings.Contains(string(config), old) {
			t.Fatalf("scheduler-config.yaml no longer contains %q", old)
		}
		return []byte(strings.Replace(string(config), old, new, 1))
	}
}

var spillwayPlugins = []string{"ServerlessFit", "BurstCost", "Steadiness"}

// spillwayArgs returns the args of the Spillway plugins in the spillway
// profile of a KubeSchedulerConfiguration, without apiVersion and kind.
func spillwayArgs(t testing.TB, config []byte) map[string]map[string]any {
	t.Helper()
	var cfg struct {
		Profiles []struct {
			SchedulerName string `json:"schedulerName"`
			PluginConfig  []struct {
				Name string         `json:"name"`
				Args map[string]any `json:"args"`
			} `json:"pluginConfig"`
		} `json:"profiles"`
	}
	if err := yaml.Unmarshal(config, &cfg); err != nil {
		t.Fatal(err)
	}
	args := map[string]map[string]any{}
	for _, p := range cfg.Profiles {
		if p.SchedulerName != spillwayScheduler {
			continue
		}
		for _, pc := range p.PluginConfig {
			if slices.Contains(spillwayPlugins, pc.Name) {
				delete(pc.Args, "apiVersion")
				delete(pc.Args, "kind")
				for k, v := range pc.Args {
					// "1h" and "1h0m0s" are the same metav1.Duration.
					if s, ok := v.(string); ok {
						if d, err := time.ParseDuration(s); err == nil {
							pc.Args[k] = d
						}
					}
				}
				args[pc.Name] = pc.Args
			}
		}
	}
	return args
}

// withoutSpillwayArgs drops the Spillway plugins' pluginConfig entries.
func withoutSpillwayArgs(t testing.TB, config []byte) []byte {
	t.Helper()
	var cfg map[string]any
	if err := yaml.Unmarshal(config, &cfg); err != nil {
		t.Fatal(err)
	}
	profiles, _ := cfg["profiles"].([]any)
	for _, p := range profiles {
		p := p.(map[string]any)
		if p["schedulerName"] != spillwayScheduler {
			continue
		}
		pcs, _ := p["pluginConfig"].([]any)
		p["pluginConfig"] = slices.DeleteFunc(pcs, func(pc any) bool {
			name, _ := pc.(map[string]any)["name"].(string)
			return slices.Contains(spillwayPlugins, name)
		})
	}
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestManifests checks manifests/: the Deployment mounts the ConfigMap
// where its --config points, and every file applies with a server-side dry
// run against the API server. The kustomize overlays, which generate the
// ConfigMap from scheduler-config.yaml, are TestKustomizeOverlays'.
func TestManifests(t *testing.T) {
	root, err := findModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "manifests")

	t.Run("the Deployment mounts the ConfigMap where --config points", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join(dir, "deployment.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var d appsv1.Deployment
		if err := yaml.UnmarshalStrict(data, &d); err != nil {
			t.Fatal(err)
		}
		spec := d.Spec.Template.Spec
		if spec.ServiceAccountName != "spillway-scheduler" {
			t.Errorf("serviceAccountName %q, want the one of rbac.yaml, spillway-scheduler", spec.ServiceAccountName)
		}
		mounts := map[string]string{} // volume name -> mount path
		for _, m := range spec.Containers[0].VolumeMounts {
			mounts[m.Name] = m.MountPath
		}
		var configPath string
		for _, v := range spec.Volumes {
			if v.ConfigMap != nil && v.ConfigMap.Name == "spillway-scheduler-config" {
				configPath = filepath.Join(mounts[v.Name], "scheduler-config.yaml")
			}
		}
		if want := "--config=" + configPath; configPath == "" || !slices.Contains(spec.Containers[0].Command, want) {
			t.Errorf("command %q lacks %q (the ConfigMap's key where it is mounted)", spec.Containers[0].Command, want)
		}
	})

	t.Run("every manifest applies with a server-side dry run", func(t *testing.T) {
		api := setup(t).apiServer(t)
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || filepath.Ext(path) != ".yaml" || d.Name() == "scheduler-config.yaml" || d.Name() == "kustomization.yaml" {
				return err // read by the scheduler and by kustomize, not API objects
			}
			rel, _ := filepath.Rel(dir, path)
			t.Run(rel, func(t *testing.T) {
				api.applyFile(t.Context(), t, path, true)
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
