package serverlessfit_test

import (
	"fmt"
	"strings"
	"testing"

	fixtures "github.com/spillway-dev/spillway/plugins/plugintesting"
)

const filterOnly = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
leaderElection: {leaderElect: false}
profiles:
- schedulerName: spillway
  plugins:
    multiPoint: {enabled: [{name: ServerlessFit}]}
`

func TestQuotaCountsPodsOnTheBackend(t *testing.T) {
	c := fixtures.NewCluster(t, filterOnly, fixtures.ACINode("aci-1"), fixtures.ACINode("aci-2"))
	// ACI's regional quota is 100 vCPU across all its nodes: 96 in use.
	for i := 0; i < 24; i++ {
		c.Bind(fixtures.Pod(fmt.Sprintf("running-%d", i), "4", "1Gi"), []string{"aci-1", "aci-2"}[i%2])
	}
	if got, reasons := c.Schedule(fixtures.Pod("fits", "4", "1Gi", fixtures.TolerateVirtualKubelet)); got == "" {
		t.Fatalf("a pod that brings the quota to exactly 100 was refused: %v", reasons)
	}
	got, reasons := c.Schedule(fixtures.Pod("over", "100m", "1Gi", fixtures.TolerateVirtualKubelet))
	if got != "" {
		t.Fatalf("a pod over the quota went to %s", got)
	}
	if r := strings.Join(reasons, "\n"); !strings.Contains(r, "2 aci cannot run this pod: QuotaCPU") {
		t.Errorf("reasons %q do not say both ACI nodes are over quota", reasons)
	}
}

func TestVMsAreNeverFiltered(t *testing.T) {
	c := fixtures.NewCluster(t, filterOnly, fixtures.Worker("worker-1"))
	// Everything the serverless backends refuse, on a plain VM.
	pod := fixtures.Pod("ds", "6", "64Gi", fixtures.HostPath, fixtures.TolerateEverything, fixtures.OwnedBy("DaemonSet", "agent"))
	_, reasons := c.Schedule(pod)
	for _, r := range reasons {
		if strings.Contains(r, "cannot run this pod") {
			t.Errorf("ServerlessFit rejected a VM: %q", r)
		}
	}
}
