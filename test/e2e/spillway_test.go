package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	fixtures "github.com/spillway-dev/spillway/plugins/plugintesting"
)

const aciNode = "virtual-node-aci-linux"

// TestSpillwaySchedulerOnARealAPIServer runs the built scheduler with
// manifests/scheduler-config.yaml against a real kube-apiserver holding the
// minimal cluster (a tainted control plane, three workers) and an ACI
// virtual node, and walks through the placements the profile promises.
func TestSpillwaySchedulerOnARealAPIServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a kube-apiserver and builds the scheduler")
	}
	bin := buildScheduler(t)
	restCfg := startAPIServer(t)
	client := kubernetes.NewForConfigOrDie(restCfg)
	ctx := context.Background()
	for _, n := range fixtures.MinimalCluster() {
		if _, err := client.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	shipped, err := os.ReadFile(filepath.Join(moduleRoot(t), "manifests", "scheduler-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sched := startScheduler(t, bin, writeConfig(t, shipped, writeKubeconfig(t, restCfg)))

	create := func(t *testing.T, pods ...*v1.Pod) []*v1.Pod {
		t.Helper()
		for _, p := range pods {
			p.UID = ""
			if _, err := client.CoreV1().Pods(p.Namespace).Create(ctx, p, metav1.CreateOptions{}); err != nil {
				t.Fatalf("creating %s: %v", p.Name, err)
			}
		}
		return pods
	}
	web := func(from, to int) []*v1.Pod {
		var pods []*v1.Pod
		for i := from; i < to; i++ {
			pods = append(pods, fixtures.Pod(fmt.Sprintf("web-%d", i), "1", "2Gi", fixtures.TolerateVirtualKubelet, fixtures.OwnedBy("Deployment", "web")))
		}
		return pods
	}

	// The steps share the cluster and run in order.
	t.Run("a pod without the toleration goes to a VM", func(t *testing.T) {
		nodes, _ := waitScheduled(ctx, t, client, sched, create(t, fixtures.Pod("plain-0", "1", "1Gi")))
		if !strings.HasPrefix(nodes[0], "worker-") {
			t.Errorf("plain-0 went to %q, want a worker", nodes[0])
		}
	})
	t.Run("a steady Deployment fills the VMs first", func(t *testing.T) {
		nodes, _ := waitScheduled(ctx, t, client, sched, create(t, web(0, 11)...))
		for i, n := range nodes {
			if !strings.HasPrefix(n, "worker-") {
				t.Errorf("web-%d went to %q, want a worker (all: %v)", i, n, nodes)
			}
		}
	})
	t.Run("scaled past the VMs, the extra replicas go to the virtual node", func(t *testing.T) {
		nodes, _ := waitScheduled(ctx, t, client, sched, create(t, web(11, 15)...))
		for i, n := range nodes {
			if n != aciNode {
				t.Errorf("web-%d went to %q, want %s", 11+i, n, aciNode)
			}
		}
	})
	t.Run("a pod without the toleration stays pending when the VMs are full", func(t *testing.T) {
		nodes, msgs := waitScheduled(ctx, t, client, sched, create(t, fixtures.Pod("plain-1", "1", "1Gi")))
		if nodes[0] != "" || !strings.Contains(msgs[0], "Insufficient cpu") {
			t.Errorf("plain-1: node %q, message %q; want pending for lack of cpu", nodes[0], msgs[0])
		}
	})
	t.Run("manifests apply with a server-side dry run", func(t *testing.T) {
		applyManifestsDryRun(ctx, t, restCfg)
	})
	t.Run("pods the backend cannot run never go to the virtual node", func(t *testing.T) {
		// A DaemonSet's pod for the virtual node, pinned there as the
		// DaemonSet controller pins it and tolerating everything.
		ds := fixtures.Pod("agent-vk", "100m", "64Mi", fixtures.TolerateEverything, fixtures.OwnedBy("DaemonSet", "agent"))
		ds.Spec.Affinity = &v1.Affinity{NodeAffinity: &v1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &v1.NodeSelector{
			NodeSelectorTerms: []v1.NodeSelectorTerm{{MatchFields: []v1.NodeSelectorRequirement{{Key: "metadata.name", Operator: v1.NodeSelectorOpIn, Values: []string{aciNode}}}}},
		}}}
		pods := create(t,
			ds,
			fixtures.Pod("hostpath", "100m", "64Mi", fixtures.TolerateVirtualKubelet, fixtures.HostPath),
			fixtures.Pod("too-big", "6", "8Gi", fixtures.TolerateVirtualKubelet),
		)
		nodes, msgs := waitScheduled(ctx, t, client, sched, pods)
		for i, want := range []string{"aci cannot run this pod: DaemonSetPod", "aci cannot run this pod: HostPathVolume", "aci cannot run this pod: MaxCPU"} {
			if nodes[i] != "" {
				t.Errorf("%s went to %q, want pending", pods[i].Name, nodes[i])
			}
			if !strings.Contains(msgs[i], want) {
				t.Errorf("%s: PodScheduled message %q lacks %q", pods[i].Name, msgs[i], want)
			}
		}
	})
}

// TestWriteConfigTo checks that the scheduler prints the defaulted args of
// the shipped profile and refuses invalid args at start, naming the field.
func TestWriteConfigTo(t *testing.T) {
	bin := buildScheduler(t)
	root := moduleRoot(t)
	shipped, err := os.ReadFile(filepath.Join(root, "manifests", "scheduler-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// Nothing is contacted before the config is written or rejected.
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte("apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\ncontexts: [{name: c, context: {cluster: c}}]\ncurrent-context: c\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		replace  [2]string // in the shipped config
		wantOK   bool
		wantText []string
	}{
		{"shipped config", [2]string{}, true, []string{"kind: BurstCostArgs", "vmMarginalCostFactor: 0.1", "kind: SteadinessArgs", "vmHeadroomPercent: 80", "kind: ServerlessFitArgs"}},
		{"negative marginal cost", [2]string{"vmMarginalCostFactor: 0.1", "vmMarginalCostFactor: -1"}, false, []string{"BurstCost", "vmMarginalCostFactor"}},
		{"typo", [2]string{"defaultHorizon: 1h", "defaultHorizn: 1h"}, false, []string{"decoding args for plugin BurstCost", "unknown field", "defaultHorizn"}},
		{"percentile out of range", [2]string{"basePercentile: 50", "basePercentile: 150"}, false, []string{"Steadiness", "basePercentile"}},
		{"unknown pricing option", [2]string{"vmPricing: OnDemand", "vmPricing: Cheap"}, false, []string{"vmPricing", "Cheap"}},
		{"missing backend catalog", [2]string{`backendCatalogFile: ""`, `backendCatalogFile: /nonexistent/backends.yaml`}, false, []string{"backendCatalogFile", "/nonexistent/backends.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := string(shipped)
			if tt.replace[0] != "" {
				if !strings.Contains(cfg, tt.replace[0]) {
					t.Fatalf("the shipped config no longer contains %q", tt.replace[0])
				}
				cfg = strings.Replace(cfg, tt.replace[0], tt.replace[1], 1)
			}
			dir := t.TempDir()
			cfgFile, outFile := filepath.Join(dir, "config.yaml"), filepath.Join(dir, "out.yaml")
			if err := os.WriteFile(cfgFile, []byte(withKubeconfig(t, []byte(cfg), kubeconfig)), 0o600); err != nil {
				t.Fatal(err)
			}
			output, err := runScheduler(bin, "--config="+cfgFile, "--secure-port=0", "--write-config-to="+outFile)
			if tt.wantOK != (err == nil) {
				t.Fatalf("exit error %v, want success=%v; output:\n%s", err, tt.wantOK, output)
			}
			text := output
			if tt.wantOK {
				data, err := os.ReadFile(outFile)
				if err != nil {
					t.Fatal(err)
				}
				text = string(data)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(text, w) {
					t.Errorf("output lacks %q:\n%s", w, text)
				}
			}
		})
	}
}
