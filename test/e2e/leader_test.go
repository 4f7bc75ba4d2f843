package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestLeaderElection runs two replicas of the scheduler with the leader
// election of manifests/scheduler-config.yaml (lease
// kube-system/spillway-scheduler, 15 s), as deployment.yaml's two replicas
// do. The second waits on standby while the first binds a burst; the first
// is killed (SIGKILL) halfway through, and the standby must take the lease
// and bind the rest: every pod bound once, none pending.
func TestLeaderElection(t *testing.T) {
	const n = 500
	c := newRelCluster(t, "leader")
	ctx := t.Context()
	leader := startScheduler(ctx, t, c.e, c.config, c.kubeconfig)
	holder := c.leaseHolder(ctx)
	standby := launchScheduler(ctx, t, c.e, c.config, c.kubeconfig, schedulerOptions{standby: true})
	pods := c.burstJob(ctx, t, "leader", n)

	start := time.Now()
	created := c.createInBackground(ctx, t, pods)
	c.kubelet.waitCounts(ctx, t, "half the burst is bound", placeTimeout, leader, func(k kubeletCounts) bool { return k.bound >= n/2 })
	if h := c.leaseHolder(ctx); h != holder {
		t.Fatalf("the lease went from %q to %q while the leader was alive", holder, h)
	}
	if err := standby.alive(); err != nil {
		t.Fatal(err)
	}
	leader.kill()
	killed := time.Now()
	before := c.kubelet.counts().bound
	t.Logf("killed the leader with %d of %d pods bound", before, n)

	newHolder := c.waitNewLeader(ctx, t, holder, 2*time.Minute, standby)
	took := time.Now()
	created()
	if before > n*9/10 {
		t.Fatalf("killed the leader only with %d of %d pods bound: too late to test a failover mid-burst", before, n)
	}
	c.kubelet.waitCounts(ctx, t, "every pod is bound", placeTimeout, standby, func(k kubeletCounts) bool { return k.bound >= n })
	done := c.kubelet.counts().lastBound

	c.checkAllBoundOnce(ctx, t, pods)
	if c.kubelet.boundBetween(took, time.Now().Add(time.Hour)) == 0 {
		t.Errorf("the new leader %s bound no pod", newHolder)
	}
	if !waitLogLine(standby, "successfully acquired lease kube-system/spillway-scheduler", 30*time.Second) {
		t.Errorf("the standby's log does not say it acquired the lease")
	}
	checkSchedulerLog(t, standby)
	recordResult(t, "failover", "pods", n, "bound_before_kill", before,
		"lease_takeover_s", took.Sub(killed).Seconds(),
		"recovery_s", done.Sub(killed).Seconds(), "total_s", done.Sub(start).Seconds())
}

// waitLogLine waits until the process's log has a line containing substr
// (klog flushes every few seconds).
func waitLogLine(p *schedulerProcess, substr string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		for _, l := range p.logLines(substr) {
			if strings.Contains(l, substr) {
				return true
			}
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(200 * time.Millisecond)
	}
}
