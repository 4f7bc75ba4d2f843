package burstcost_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	dto "github.com/prometheus/client_model/go"
	"k8s.io/component-base/metrics/legacyregistry"

	"github.com/spillway-dev/spillway/plugins/burstcost"
	fixtures "github.com/spillway-dev/spillway/plugins/plugintesting"
)

// counters returns the value of a counter family by its backend label, in
// profile "spillway" (the fixtures' profile).
func counters(t *testing.T, name string) map[string]float64 {
	t.Helper()
	families, err := legacyregistry.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if label(m, "profile") == "spillway" {
				out[label(m, "backend")] = m.GetCounter().GetValue()
			}
		}
	}
	return out
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func TestPlacementsAreCountedByBackend(t *testing.T) {
	burstcost.RegisterMetrics()
	config := strings.Replace(fixtures.OnlyScorer("BurstCost", ""), "    reserve: {enabled: [{name: BurstCost}]}\n", "    reserve: {enabled: [{name: BurstCost}]}\n    postBind: {enabled: [{name: BurstCost}]}\n", 1)
	c := fixtures.NewCluster(t, config, fixtures.Worker("worker-1"), fixtures.ACINode("aci"))
	placedBefore, spendBefore := counters(t, "spillway_placements_total"), counters(t, "spillway_estimated_spend_usd_total")

	c.Bind(fixtures.Pod("running", "3", "4Gi"), "worker-1")
	if got, _ := c.Schedule(fixtures.Pod("on-vm", "1", "2Gi", fixtures.TolerateVirtualKubelet)); got != "worker-1" {
		t.Fatalf("first pod went to %q, want worker-1", got)
	}
	if got, _ := c.Schedule(fixtures.Pod("on-aci", "1", "2Gi", fixtures.TolerateVirtualKubelet)); got != "aci" {
		t.Fatalf("second pod went to %q, want aci (the worker is full)", got)
	}

	placed, spend := counters(t, "spillway_placements_total"), counters(t, "spillway_estimated_spend_usd_total")
	for _, backend := range []string{burstcost.BackendVM, "aci"} {
		if d := placed[backend] - placedBefore[backend]; d != 1 {
			t.Errorf("spillway_placements_total{backend=%q} grew by %v, want 1", backend, d)
		}
	}
	// One hour (the default horizon) of 1 vCPU / 2 GiB on ACI is about
	// $0.055; the VM's marginal cost is a fraction of that.
	vm, aci := spend[burstcost.BackendVM]-spendBefore[burstcost.BackendVM], spend["aci"]-spendBefore["aci"]
	if !(aci > 0.05 && aci < 0.07) || !(vm > 0 && vm < aci/5) {
		t.Errorf("estimated spend grew by $%v on the VM and $%v on ACI; want about $0.055 on ACI and much less on the VM", vm, aci)
	}
}

// TestRefreshFailuresStartAtZero: both sources have a sample before the
// first failure, so a rate or an alert on them has a series.
func TestRefreshFailuresStartAtZero(t *testing.T) {
	burstcost.RegisterMetrics()
	families, err := legacyregistry.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, f := range families {
		if f.GetName() == "spillway_price_catalog_refresh_failures_total" {
			for _, m := range f.GetMetric() {
				got[label(m, "source")] = true
			}
		}
	}
	if diff := cmp.Diff(map[string]bool{"refresh": true, "file": true}, got); diff != "" {
		t.Errorf("sources with a sample (-want +got):\n%s", diff)
	}
}
