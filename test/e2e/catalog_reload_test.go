package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"

	"github.com/spillway-dev/spillway/cost"
)

// reloadConfig is a profile where BurstCost alone scores, reading its
// prices from a file it checks every second.
const reloadConfig = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
leaderElection:
  leaderElect: true
  resourceNamespace: kube-system
  resourceName: spillway-scheduler
profiles:
- schedulerName: spillway
  plugins:
    multiPoint:
      enabled: [{name: ServerlessFit}]
    preScore:
      enabled: [{name: BurstCost}]
    score:
      disabled: [{name: "*"}]
      enabled: [{name: BurstCost, weight: 1}]
    reserve:
      enabled: [{name: BurstCost}]
    postBind:
      enabled: [{name: BurstCost}]
  pluginConfig:
  - name: BurstCost
    args:
      priceCatalogFile: %s
      priceCatalogReloadInterval: 1s
`

// catalogReloadRuns counts the runs of TestCatalogReload in this process.
var catalogReloadRuns int

// TestCatalogReload replaces the price catalog file under the running
// spillway-scheduler binary: a new valid catalog is picked up and its
// prices decide the next placement; a broken one is rejected with its file
// and line in the log, the last good catalog stays in use and scheduling
// goes on.
func TestCatalogReload(t *testing.T) {
	e := setup(t)
	api := e.apiServer(t)
	ctx := t.Context()
	catalogReloadRuns++
	ns := fmt.Sprintf("reload-%d", catalogReloadRuns)
	namespaces := []string{createNamespace(ctx, t, api, ns)}
	nodes := []*v1.Node{workerNode("worker-1"), aciNode(t, e)}
	createNodes(ctx, t, api, nodes...)
	t.Cleanup(func() { cleanUpCluster(t, api, nodes, &namespaces) })

	kubeconfig := api.writeKubeconfig(t, schedulerToken(ctx, t, e, api))

	// The catalog is replaced as a ConfigMap volume or 'spillway prices
	// refresh' replaces it: a new file renamed over the old one.
	prices := filepath.Join(t.TempDir(), "prices.yaml")
	replaceFile := func(data []byte) {
		t.Helper()
		if err := os.WriteFile(prices+".new", data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(prices+".new", prices); err != nil {
			t.Fatal(err)
		}
	}
	embedded := string(cost.DefaultYAML())
	const m5 = "hourlyUSD: {OnDemand: 0.192, Reserved: 0.121, Spot: 0.072}"
	if !strings.Contains(embedded, m5) {
		t.Fatalf("the embedded catalog no longer prices m5.xlarge as %q", m5)
	}
	replaceFile([]byte(embedded))
	sched := startScheduler(ctx, t, e, []byte(fmt.Sprintf(reloadConfig, prices)), kubeconfig)

	place := func(t *testing.T, name string) string {
		t.Helper()
		pods := waitBound(ctx, t, api, sched, createPods(ctx, t, api,
			newPod(ns, name, "1", "2Gi", withScheduler(spillwayScheduler), tolerateVirtualKubelet)))
		return pods[0].Spec.NodeName
	}
	waitLog := func(t *testing.T, what string) string {
		t.Helper()
		deadline := time.Now().Add(pollTimeout)
		for {
			if lines := sched.logLines(what); len(lines) > 0 {
				return lines[0]
			}
			if err := sched.alive(); err != nil {
				t.Fatalf("spillway-scheduler exited: %v", err)
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %q in the scheduler's log after %v", what, pollTimeout)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"with the embedded prices the paid-for VM wins", func(t *testing.T) {
			if got := place(t, "before"); got != "worker-1" {
				t.Errorf("pod before went to %q, want worker-1", got)
			}
		}},
		{"a new catalog pricing the VM at $500/h sends the next pod to ACI", func(t *testing.T) {
			replaceFile([]byte(strings.Replace(embedded, m5, "hourlyUSD: {OnDemand: 500}", 1)))
			line := waitLog(t, "Loaded the new price catalog file")
			if !strings.Contains(line, prices) {
				t.Errorf("the reload log line does not name the file: %s", line)
			}
			if got := place(t, "after-reload"); got != aciNodeName {
				t.Errorf("pod after-reload went to %q, want %s", got, aciNodeName)
			}
		}},
		{"a broken catalog is rejected, named by file and line, the last good one kept", func(t *testing.T) {
			broken := strings.Replace(embedded, "vcpuHourUSD: 0.04048", "vcpuHourUsd: 0.04048", 1)
			replaceFile([]byte(broken))
			line := waitLog(t, "Rejected the new price catalog file")
			for _, want := range []string{prices + `: serverless[0].vcpuHourUsd: unknown field`, "(line 26)", "keeping the last good catalog"} {
				if !strings.Contains(line, want) {
					t.Errorf("rejection log line lacks %q: %s", want, line)
				}
			}
			// Still the $500 VM of the last good catalog, not the file's.
			if got := place(t, "after-broken"); got != aciNodeName {
				t.Errorf("pod after-broken went to %q, want %s (the last good catalog)", got, aciNodeName)
			}
			if n := len(sched.logLines("Rejected the new price catalog file")); n != 1 {
				t.Errorf("the rejection was logged %d times; want once", n)
			}
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			t.Fatalf("stopping: the next steps build on %q", s.name)
		}
	}
	if err := sched.alive(); err != nil {
		t.Errorf("spillway-scheduler exited: %v", err)
	}
}

// TestPriceRefreshServerDown starts the real binary with priceRefresh
// pointed at a price list server that is down: the failure is logged (once:
// the interval is an hour), nothing waits for it, and pods are scheduled
// with the last good (here the file's) catalog.
func TestPriceRefreshServerDown(t *testing.T) {
	e := setup(t)
	api := e.apiServer(t)
	ctx := t.Context()
	catalogReloadRuns++
	ns := fmt.Sprintf("refresh-down-%d", catalogReloadRuns)
	namespaces := []string{createNamespace(ctx, t, api, ns)}
	nodes := []*v1.Node{workerNode("worker-1"), aciNode(t, e)}
	createNodes(ctx, t, api, nodes...)
	t.Cleanup(func() { cleanUpCluster(t, api, nodes, &namespaces) })
	kubeconfig := api.writeKubeconfig(t, schedulerToken(ctx, t, e, api))

	port, err := freePort() // nothing listens there
	if err != nil {
		t.Fatal(err)
	}
	prices := filepath.Join(t.TempDir(), "prices.yaml")
	if err := os.WriteFile(prices, cost.DefaultYAML(), 0o644); err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(reloadConfig, prices) + fmt.Sprintf(`      priceRefresh:
        interval: 1h
        timeout: 2s
        aws: {region: us-east-1, endpoint: "http://127.0.0.1:%d"}
`, port)
	sched := startScheduler(ctx, t, e, []byte(config), kubeconfig)
	pods := waitBound(ctx, t, api, sched, createPods(ctx, t, api,
		newPod(ns, "while-down", "1", "2Gi", withScheduler(spillwayScheduler), tolerateVirtualKubelet)))
	if got := pods[0].Spec.NodeName; got != "worker-1" {
		t.Errorf("pod while-down went to %q, want worker-1", got)
	}
	deadline := time.Now().Add(pollTimeout)
	for len(sched.logLines("Price refresh failed")) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no refresh failure in the log after %v", pollTimeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	line := sched.logLines("Price refresh failed")[0]
	for _, want := range []string{"connection refused", "scheduling goes on with the last good catalog", prices} {
		if !strings.Contains(line, want) {
			t.Errorf("refresh failure log line lacks %q: %s", want, line)
		}
	}
	if n := len(sched.logLines("Price refresh failed")); n != 1 {
		t.Errorf("the failure was logged %d times within the interval; want once", n)
	}
	if err := sched.alive(); err != nil {
		t.Errorf("spillway-scheduler exited: %v", err)
	}
}
