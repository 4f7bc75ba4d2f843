package e2e

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// steadinessMinHistory and steadinessWindow replace the shipped minHistory
// (5m) and window (1h) in TestSteadinessAfterRestart, so that a workload
// earns a trusted base within the test.
const (
	steadinessMinHistory = 15 * time.Second
	steadinessWindow     = 10 * time.Minute
)

// TestSteadinessAfterRestart checks that Steadiness's estimate is rebuilt
// from the informers after the scheduler restarts: the replica-count
// history lives in the process, so the new one starts from the replicas it
// lists, and once it has watched them for minHistory it must have the same
// base as before (the 8 steady replicas): a lost base replica's replacement
// goes back to a VM, and replicas beyond the base go serverless while the
// VMs are past the headroom threshold (80%), although a VM has room.
//
// The configuration is manifests/scheduler-config.yaml with Steadiness's
// minHistory and window shortened (steadinessMinHistory, steadinessWindow)
// and set to hold VM headroom back (weight 10, vmHeadroomPercent 80): the
// shipped weights leave Steadiness to break ties, and this tests its
// estimate, not the shipped trade-off.
func TestSteadinessAfterRestart(t *testing.T) {
	c := newRelCluster(t, "steady-restart")
	ctx := t.Context()
	config := replace(c.config, "minHistory: 5m", fmt.Sprintf("minHistory: %v", steadinessMinHistory))(t)
	config = replace(config, "window: 1h", fmt.Sprintf("window: %v", steadinessWindow))(t)
	config = replace(config, "- name: Steadiness\n            weight: 1\n", "- name: Steadiness\n            weight: 10\n")(t)
	config = replace(config, "vmHeadroomPercent: 100", "vmHeadroomPercent: 80")(t)
	first := startScheduler(ctx, t, c.e, config, c.kubeconfig)
	holder := c.leaseHolder(ctx)

	// 8 steady replicas of 1 CPU: two thirds of the three workers' 12 CPUs.
	web := createDeployment(ctx, t, c.api, c.ns, "web", webPodSpec())
	base := waitBound(ctx, t, c.api, first, web.scaleTo(ctx, t, 8))
	if got := nodesOf(base); !subset(got, workerNames) {
		t.Fatalf("the 8 replicas went to %v, want workers only", got)
	}
	// Two bare pods of 1 CPU that only VMs take: the VMs are at 10 of 12
	// CPUs (83%), past the headroom threshold.
	fillers := waitBound(ctx, t, c.api, first, createPods(ctx, t, c.api,
		newPod(c.ns, "filler-1", "1", "1Gi"), newPod(c.ns, "filler-2", "1", "1Gi")))
	if got := nodesOf(fillers); !subset(got, workerNames) {
		t.Fatalf("the fillers went to %v, want workers", got)
	}

	first.kill()
	killed := time.Now()
	second := launchScheduler(ctx, t, c.e, config, c.kubeconfig, schedulerOptions{standby: true})
	started := time.Now()
	c.waitNewLeader(ctx, t, holder, 2*time.Minute, second)
	// The history is the new process's own: it must have watched the
	// replicas for minHistory before it trusts their base.
	if wait := time.Until(started.Add(steadinessMinHistory + 2*time.Second)); wait > 0 {
		time.Sleep(wait)
	}
	rebuilt := time.Since(killed)

	// A base replica is lost (its node failed, say) and replaced: replica
	// 8 of a base of 8 is steady, and goes to a VM.
	deleteNow(ctx, t, c.api, base[0])
	replacement := base[0].DeepCopy()
	replacement.ObjectMeta = metav1.ObjectMeta{Namespace: c.ns, Name: web.rs.Name + "-replacement",
		Labels: base[0].Labels, OwnerReferences: base[0].OwnerReferences}
	replacement.Spec.NodeName = ""
	replacement.Status = v1.PodStatus{}
	got := waitBound(ctx, t, c.api, second, createPods(ctx, t, c.api, replacement))
	if n := got[0].Spec.NodeName; !slices.Contains(workerNames, n) {
		t.Errorf("the replacement of a base replica went to %s, want a worker", n)
	}
	baseAfter := checkPlaced(t, second, got[0], "steady", 8)

	// Replicas 9 and 10 are burst: serverless, since the VMs are past the
	// headroom threshold (a worker has 1 CPU free for one of them).
	burst := waitBound(ctx, t, c.api, second, web.scaleTo(ctx, t, 10))
	for _, p := range burst {
		if n := p.Spec.NodeName; n != aciNodeName && n != fargateNodeName {
			t.Errorf("burst replica %s went to %s, want a virtual node", p.Name, n)
		}
		if b := checkPlaced(t, second, p, "burst", 8); b != baseAfter {
			baseAfter = -1 // not the same estimate throughout
		}
	}
	checkSchedulerLog(t, second)
	recordResult(t, "steadiness_restart", "steady_replicas", 8, "base_after", baseAfter,
		"burst_serverless", countVirtual(burst),
		"rebuilt_after_s", rebuilt.Seconds(), "min_history_s", steadinessMinHistory.Seconds())
}

// steadinessLogger matches Steadiness's logger name (BurstCost logs a
// "Placed pod" line too).
var steadinessLogger = regexp.MustCompile(`logger="[^"]*Steadiness"`)

// placedLine matches the fields of Steadiness's "Placed pod" log line.
var placedLine = regexp.MustCompile(`class="?(\w+)"? reason="?(\w+)"? .*\bbase=(\d+)`)

// checkPlaced checks Steadiness's log of the placement of p (-v=4): its
// class, from the history (not a prior), with the given base.
func checkPlaced(t *testing.T, s *schedulerProcess, p *v1.Pod, class string, base int) int {
	t.Helper()
	want := fmt.Sprintf(`pod="%s/%s"`, p.Namespace, p.Name)
	var line string
	deadline := time.Now().Add(30 * time.Second)
	for line == "" && time.Now().Before(deadline) {
		for _, l := range s.logLines(`"Placed pod"`) {
			if strings.Contains(l, want) && steadinessLogger.MatchString(l) {
				line = l
			}
		}
		if line == "" {
			time.Sleep(200 * time.Millisecond) // klog flushes every few seconds
		}
	}
	m := placedLine.FindStringSubmatch(line)
	if m == nil {
		t.Errorf("no Steadiness log of %s's placement (%q); log lines of Steadiness:\n%s", p.Name, want, strings.Join(s.logLines("Placed pod"), "\n"))
		return -1
	}
	gotBase, _ := strconv.Atoi(m[3])
	if m[1] != class || m[2] != "history" || gotBase != base {
		t.Errorf("%s: Steadiness says class %s (%s) base %d, want %s (history) base %d:\n%s", p.Name, m[1], m[2], gotBase, class, base, line)
	}
	return gotBase
}

func subset(got, of []string) bool {
	for _, g := range got {
		if !slices.Contains(of, g) {
			return false
		}
	}
	return true
}

// countVirtual counts the pods on virtual nodes.
func countVirtual(pods []*v1.Pod) int {
	n := 0
	for _, p := range pods {
		if p.Spec.NodeName == aciNodeName || p.Spec.NodeName == fargateNodeName {
			n++
		}
	}
	return n
}
