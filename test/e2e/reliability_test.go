package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// placeTimeout bounds the wait for a burst's pods to be bound: generous, for
// a loaded 2-core machine under -race (the API server runs in the test).
const placeTimeout = 5 * time.Minute

// TestBurst creates 2,000 pods of a Job at once and checks that the
// scheduler binds every one exactly once, none beyond what its node holds
// (the kubelets would reject it), and that all run; it records the time to
// place the burst and the throughput.
func TestBurst(t *testing.T) {
	const n = 2000
	c := newRelCluster(t, "burst")
	ctx := t.Context()
	sched := startScheduler(ctx, t, c.e, c.config, c.kubeconfig)
	pods := c.burstJob(ctx, t, "burst", n)

	start := time.Now()
	c.createAtOnce(ctx, t, pods)
	created := time.Since(start)
	got := c.kubelet.waitCounts(ctx, t, "every pod is bound", placeTimeout, sched, func(k kubeletCounts) bool { return k.bound >= n })
	placed := got.lastBound.Sub(start)
	c.kubelet.waitCounts(ctx, t, "every pod runs", placeTimeout, sched, func(k kubeletCounts) bool { return k.running >= n })
	running := time.Since(start)

	perNode := c.checkAllBoundOnce(ctx, t, pods)
	vms, virtual := vmAndVirtual(perNode)
	t.Logf("pods per node: %v", perNode)
	// Small pods: the VMs fill up to their 110 pods each (packed, cheapest),
	// the rest goes serverless.
	if want := 3 * 110; vms != want {
		t.Errorf("%d pods on the VMs, want %d (three workers of 110 pods)", vms, want)
	}
	if perNode[controlPlaneName] > 0 {
		t.Errorf("%d pods on the tainted control plane", perNode[controlPlaneName])
	}
	checkSchedulerLog(t, sched)
	recordResult(t, "burst", "pods", n, "create_s", created.Seconds(), "place_s", placed.Seconds(),
		"pods_per_s", float64(n)/placed.Seconds(), "all_running_s", running.Seconds(), "on_vms", vms, "serverless", virtual)
}

// TestRestartMidBurst kills the scheduler (SIGKILL) once about half of a
// burst is bound and starts a new one: it waits for the dead one's lease to
// expire, rebuilds its state from the informers (where the dead one bound
// pods), and binds the rest. No pod may be lost, bound twice, left pending
// or placed beyond what its node holds.
func TestRestartMidBurst(t *testing.T) {
	const n = 1000
	c := newRelCluster(t, "restart")
	ctx := t.Context()
	first := startScheduler(ctx, t, c.e, c.config, c.kubeconfig)
	holder := c.leaseHolder(ctx)
	pods := c.burstJob(ctx, t, "restart", n)

	start := time.Now()
	created := c.createInBackground(ctx, t, pods)
	c.kubelet.waitCounts(ctx, t, "half the burst is bound", placeTimeout, first, func(k kubeletCounts) bool { return k.bound >= n/2 })
	first.kill()
	killed := time.Now()
	before := c.kubelet.counts().bound
	t.Logf("killed the scheduler with %d of %d pods bound", before, n)

	second := launchScheduler(ctx, t, c.e, c.config, c.kubeconfig, schedulerOptions{standby: true})
	c.waitNewLeader(ctx, t, holder, 2*time.Minute, second)
	leading := time.Now()
	created()
	if before > n*9/10 {
		t.Fatalf("killed the scheduler only with %d of %d pods bound: too late to test a restart mid-burst", before, n)
	}
	t.Logf("the new scheduler on the lease:\n%s", strings.Join(second.logLines("acquire"), "\n"))
	c.kubelet.waitCounts(ctx, t, "every pod is bound", placeTimeout, second, func(k kubeletCounts) bool { return k.bound >= n })
	done := c.kubelet.counts().lastBound

	perNode := c.checkAllBoundOnce(ctx, t, pods)
	if vms, _ := vmAndVirtual(perNode); vms != 3*110 {
		t.Errorf("%d pods on the VMs, want 330: the new scheduler did not see what the old one placed (%v)", vms, perNode)
	}
	if got := c.kubelet.boundBetween(killed.Add(time.Second), time.Now().Add(time.Hour)); got == 0 {
		t.Errorf("the new scheduler bound no pod")
	}
	checkSchedulerLog(t, second)
	recordResult(t, "restart", "pods", n, "bound_before_kill", before,
		"lease_takeover_s", leading.Sub(killed).Seconds(),
		"recovery_s", done.Sub(killed).Seconds(), "total_s", done.Sub(start).Seconds())
}

// deleteNow deletes a pod at once (no kubelet has to stop it).
func deleteNow(ctx context.Context, t *testing.T, api *apiServer, p *v1.Pod) {
	t.Helper()
	err := api.client.CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
}
