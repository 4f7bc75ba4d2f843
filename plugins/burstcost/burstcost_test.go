package burstcost_test

import (
	"fmt"
	"testing"
	"time"

	fixtures "github.com/spillway-dev/spillway/plugins/plugintesting"
)

func TestPackingFactorFillsTheFullerVM(t *testing.T) {
	for _, tt := range []struct {
		packing string
		want    string
	}{
		{"1", "worker-2"}, // the fuller VM is cheaper at the margin
		{"0", "worker-1"}, // all VMs cost the same: the tie goes by name
	} {
		t.Run("packingFactor="+tt.packing, func(t *testing.T) {
			c := fixtures.NewCluster(t, fixtures.OnlyScorer("BurstCost", "      packingFactor: "+tt.packing+"\n"),
				fixtures.Worker("worker-1"), fixtures.Worker("worker-2"), fixtures.ACINode("aci"))
			c.Bind(fixtures.Pod("running", "2", "4Gi"), "worker-2")
			if got, _ := c.Schedule(fixtures.Pod("new", "1", "2Gi", fixtures.TolerateVirtualKubelet)); got != tt.want {
				t.Errorf("pod went to %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSunkVMBeatsServerless(t *testing.T) {
	c := fixtures.NewCluster(t, fixtures.OnlyScorer("BurstCost", ""), fixtures.Worker("worker-1"), fixtures.ACINode("aci"))
	c.Bind(fixtures.Pod("running", "3", "4Gi"), "worker-1")
	// The VM has 1 CPU left: the pod's marginal cost there is a tenth of a
	// quarter of $0.192/h, against ACI's bill for 1 vCPU and 2 GiB.
	if got, _ := c.Schedule(fixtures.Pod("new", "1", "2Gi", fixtures.TolerateVirtualKubelet)); got != "worker-1" {
		t.Errorf("pod went to %q, want worker-1", got)
	}
	// At full price (marginal factor 1) an empty VM's slice, $0.192/4 =
	// $0.048/h, still beats ACI's 1 vCPU / 2 GiB, about $0.055/h.
	c = fixtures.NewCluster(t, fixtures.OnlyScorer("BurstCost", "      vmMarginalCostFactor: 1\n"), fixtures.Worker("worker-1"), fixtures.ACINode("aci"))
	if got, _ := c.Schedule(fixtures.Pod("new", "1", "2Gi", fixtures.TolerateVirtualKubelet)); got != "worker-1" {
		t.Errorf("at full VM price the pod went to %q, want worker-1", got)
	}
}

// Fargate rounds a 4 CPU / 8 GiB pod up to 4 vCPU / 9 GiB but its vCPU is
// cheaper than ACI's, so over an hour Fargate is cheaper; a two-minute pod
// pays Fargate's longer cold start and 1-minute minimum and is cheaper on
// ACI. The expected lifetime flips the choice.
func TestExpectedLifetimeChoosesTheBackend(t *testing.T) {
	for _, tt := range []struct {
		duration string
		want     string
	}{
		{"1h", "fargate"},
		{"2m", "aci"},
	} {
		t.Run(tt.duration, func(t *testing.T) {
			c := fixtures.NewCluster(t, fixtures.OnlyScorer("BurstCost", ""), fixtures.ACINode("aci"), fixtures.FargateNode("fargate"))
			pod := fixtures.Pod("job", "4", "8Gi", fixtures.TolerateVirtualKubelet, fixtures.TolerateFargate,
				fixtures.Annotate("spillway.dev/expected-duration", tt.duration))
			if got, _ := c.Schedule(pod); got != tt.want {
				t.Errorf("a %s pod went to %q, want %q", tt.duration, got, tt.want)
			}
		})
	}
}

// TestObservedLifetimesReplaceTheDefaultHorizon: once three pods of a Job
// have finished after two minutes each, its next pod is expected to be
// short and ACI (per-second billing) beats Fargate (one-minute minimum,
// cheaper per hour). That holds whether the pods ran alongside another
// one or one after another (the Job had no pod between them), until the
// Job has had no pod for longer than observedLifetimesRetention.
func TestObservedLifetimesReplaceTheDefaultHorizon(t *testing.T) {
	tests := []struct {
		name       string
		args       string
		sequential bool          // etl-0 ends first: the Job has no pod between the others
		idle       time.Duration // before the last pod, with no pod of the Job running
		want       string
	}{
		{"alongside a running pod", "", false, 0, "aci"},
		{"one after another", "", true, 0, "aci"},
		{"one after another, then idle for an hour", "", true, time.Hour, "aci"},
		{"one after another, then idle beyond the retention", "      observedLifetimesRetention: 10m\n", true, 11 * time.Minute, "fargate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixtures.NewCluster(t, fixtures.OnlyScorer("BurstCost", "      minObservedLifetimes: 3\n"+tt.args), fixtures.ACINode("aci"), fixtures.FargateNode("fargate"))
			job := []fixtures.PodOption{fixtures.TolerateVirtualKubelet, fixtures.TolerateFargate, fixtures.OwnedBy("Job", "etl")}
			// With the default horizon (1h) the big pod is cheaper on Fargate.
			first := fixtures.Pod("etl-0", "4", "8Gi", job...)
			got, _ := c.Schedule(first)
			if got != "fargate" {
				t.Fatalf("first pod went to %q, want fargate", got)
			}
			first.Spec.NodeName = got // as bound
			if tt.sequential {
				if err := c.Sched.RemovePod(first); err != nil {
					t.Fatal(err)
				}
			}
			// Three pods of the same Job finish after two minutes each...
			for i := 1; i <= 3; i++ {
				p := fixtures.Pod(fmt.Sprintf("etl-%d", i), "4", "8Gi", job...)
				c.Bind(p, "aci")
				c.Clock.Step(2 * time.Minute)
				if err := c.Sched.RemovePod(p); err != nil {
					t.Fatal(err)
				}
			}
			c.Clock.Step(tt.idle)
			// ...so the next one is expected to be short, and ACI wins.
			if got, _ := c.Schedule(fixtures.Pod("etl-4", "4", "8Gi", job...)); got != tt.want {
				t.Errorf("after three 2-minute lifetimes the pod went to %q, want %q", got, tt.want)
			}
		})
	}
}
