package whatif

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/kubernetes/pkg/scheduler/apis/config"
	"k8s.io/utils/clock"

	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/inprocess"
)

// The vm-first baseline, built by the real framework, scores with the
// stock plugins but the three that spread or balance, packs the VMs, and
// filters with ServerlessFit.
func TestVMFirstProfile(t *testing.T) {
	p, err := VMFirstProfile()
	if err != nil {
		t.Fatal(err)
	}
	s, err := inprocess.New(context.Background(), p, clock.RealClock{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	plugins := s.Framework().ListPlugins()
	names := func(set config.PluginSet) []string {
		var out []string
		for _, pl := range set.Enabled {
			out = append(out, pl.Name)
		}
		slices.Sort(out)
		return out
	}
	if got := names(plugins.Score); !cmp.Equal(got, []string{"InterPodAffinity", "NodeAffinity", "NodeResourcesFit", "TaintToleration", "VolumeBinding"}) {
		t.Errorf("score plugins = %q", got)
	}
	if got := names(plugins.Filter); !slices.Contains(got, "ServerlessFit") || !slices.Contains(got, "NodeResourcesFit") {
		t.Errorf("filter plugins = %q, want ServerlessFit and NodeResourcesFit among them", got)
	}
	var strategy *config.ScoringStrategy
	for _, pc := range p.PluginConfig {
		if a, ok := pc.Args.(*config.NodeResourcesFitArgs); ok {
			strategy = a.ScoringStrategy
		}
	}
	want := &config.ScoringStrategy{Type: config.MostAllocated, Resources: []config.ResourceSpec{{Name: "cpu", Weight: 1}, {Name: "memory", Weight: 1}}}
	if diff := cmp.Diff(want, strategy); diff != "" {
		t.Errorf("NodeResourcesFit scoring strategy (-want +got):\n%s", diff)
	}
}

// vm-first comes right after spillway, on the same cluster, so that a
// report compares the two first.
func TestDefaultScenariosOrder(t *testing.T) {
	s := defaults(t)
	var got []string
	for _, x := range s {
		got = append(got, x.Name)
	}
	want := []string{"spillway", "vm-first", "default-burst", "no-virtual", "vms-for-peak", "serverless-only"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("scenarios (-want +got):\n%s", diff)
	}
	if s[1].Cluster != s[0].Cluster || s[1].Cluster == (*cluster.File)(nil) {
		t.Error("vm-first does not run spillway's cluster")
	}
}
