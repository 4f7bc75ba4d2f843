package serverlessfit_test

import (
	"fmt"
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/component-base/metrics/legacyregistry"

	fixtures "github.com/spillway-dev/spillway/plugins/plugintesting"
	"github.com/spillway-dev/spillway/plugins/serverlessfit"
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

// TestProbesMayGoToACI: a typical Deployment pod, with liveness, readiness
// and startup probes, is placed on the ACI virtual node (the only node),
// and a pod ACI does refuse (an init container) is kept off it.
func TestProbesMayGoToACI(t *testing.T) {
	withProbes := func(p *v1.Pod) {
		c := &p.Spec.Containers[0]
		c.LivenessProbe = &v1.Probe{ProbeHandler: v1.ProbeHandler{HTTPGet: &v1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}}}
		c.ReadinessProbe = &v1.Probe{ProbeHandler: v1.ProbeHandler{HTTPGet: &v1.HTTPGetAction{Path: "/ready", Port: intstr.FromInt32(8080)}}}
		c.StartupProbe = &v1.Probe{ProbeHandler: v1.ProbeHandler{TCPSocket: &v1.TCPSocketAction{Port: intstr.FromInt32(8080)}}}
	}
	withInit := func(p *v1.Pod) { p.Spec.InitContainers = []v1.Container{{Name: "migrate", Image: "app"}} }
	cases := []struct {
		name     string
		opts     []fixtures.PodOption
		wantNode string
		wantWhy  string
	}{
		{"probes", []fixtures.PodOption{withProbes}, "aci-1", ""},
		{"probes and an init container", []fixtures.PodOption{withProbes, withInit}, "", "aci cannot run this pod: InitContainers"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := fixtures.NewCluster(t, filterOnly, fixtures.ACINode("aci-1"))
			pod := fixtures.Pod("web", "1", "2Gi", append([]fixtures.PodOption{fixtures.OwnedBy("Deployment", "web"), fixtures.TolerateVirtualKubelet}, tc.opts...)...)
			got, reasons := c.Schedule(pod)
			if got != tc.wantNode {
				t.Fatalf("placed on %q, want %q (reasons %q)", got, tc.wantNode, reasons)
			}
			if r := strings.Join(reasons, "\n"); !strings.Contains(r, tc.wantWhy) {
				t.Errorf("reasons %q do not contain %q", reasons, tc.wantWhy)
			}
		})
	}
}

// TestRefusalsAreCounted: an attempt refused by ACI is counted by profile,
// backend and rule.
func TestRefusalsAreCounted(t *testing.T) {
	serverlessfit.RegisterMetrics()
	c := fixtures.NewCluster(t, filterOnly, fixtures.ACINode("aci-1"))
	counter := func() float64 {
		families, err := legacyregistry.DefaultGatherer.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range families {
			if f.GetName() != "spillway_serverless_refusals_total" {
				continue
			}
			for _, m := range f.GetMetric() {
				l := map[string]string{}
				for _, p := range m.GetLabel() {
					l[p.GetName()] = p.GetValue()
				}
				if l["profile"] == "spillway" && l["backend"] == "aci" && l["rule"] == "HostPathVolume" {
					return m.GetCounter().GetValue()
				}
			}
		}
		return 0
	}
	before := counter()
	if got, _ := c.Schedule(fixtures.Pod("logs", "1", "1Gi", fixtures.HostPath, fixtures.TolerateVirtualKubelet)); got != "" {
		t.Fatalf("a hostPath pod went to %s", got)
	}
	if d := counter() - before; d != 1 {
		t.Errorf("spillway_serverless_refusals_total{profile=spillway,backend=aci,rule=HostPathVolume} grew by %v, want 1", d)
	}
}
