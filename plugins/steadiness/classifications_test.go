package steadiness_test

import (
	"testing"

	"k8s.io/component-base/metrics/legacyregistry"

	fixtures "github.com/spillway-dev/spillway/plugins/plugintesting"
	"github.com/spillway-dev/spillway/plugins/steadiness"
)

// classifications returns spillway_steadiness_classifications_total by
// "profile/class/source".
func classifications(t *testing.T) map[string]float64 {
	t.Helper()
	families, err := legacyregistry.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "spillway_steadiness_classifications_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			l := map[string]string{}
			for _, p := range m.GetLabel() {
				l[p.GetName()] = p.GetValue()
			}
			out[l["profile"]+"/"+l["class"]+"/"+l["source"]] = m.GetCounter().GetValue()
		}
	}
	return out
}

// TestClassificationsAreCounted: each placed pod is counted once, by
// profile, class and the source of its class.
func TestClassificationsAreCounted(t *testing.T) {
	steadiness.RegisterMetrics()
	c := fixtures.NewCluster(t, fixtures.OnlyScorer("Steadiness", ""), fixtures.Worker("worker-1"), fixtures.ACINode("aci"))
	before := classifications(t)
	for _, p := range []struct {
		name string
		opts []fixtures.PodOption
	}{
		{"declared-burst", []fixtures.PodOption{fixtures.Annotate("spillway.dev/steadiness", "burst")}},
		{"declared-steady", []fixtures.PodOption{fixtures.Annotate("spillway.dev/steadiness", "steady")}},
		{"bare", nil},
	} {
		if got, why := c.Schedule(fixtures.Pod(p.name, "100m", "128Mi", append(p.opts, fixtures.TolerateVirtualKubelet)...)); got == "" {
			t.Fatalf("%s was not placed: %v", p.name, why)
		}
	}
	after := classifications(t)
	for key, want := range map[string]float64{"spillway/burst/annotation": 1, "spillway/steady/annotation": 1} {
		if d := after[key] - before[key]; d != want {
			t.Errorf("%s grew by %v, want %v (all: %v)", key, d, want, after)
		}
	}
	var total float64
	for k, v := range after {
		total += v - before[k]
	}
	if total != 3 {
		t.Errorf("%v classifications counted for 3 placements: %v", total, after)
	}
}
