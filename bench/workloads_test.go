package bench

import (
	"strings"
	"testing"
)

// The shipped workloads decode and the harness schedules on every cluster
// size: a few pods per size and profile, without -bench.
func TestWorkloadsAndHarness(t *testing.T) {
	w, cfg := setup(t)
	for _, size := range append([]ClusterSize{w.PluginCalls}, w.Throughput[:1]...) {
		for _, profile := range w.Profiles {
			c := newBenchCluster(t, cfg, profile, size, w.Deployments)
			for range 5 {
				if !c.scheduleNext(t) {
					t.Fatalf("%s, %s: a pod found no node", size.Name, profile)
				}
			}
		}
	}
	if len(w.Simulator) == 0 || len(w.Targets) == 0 {
		t.Fatal("workloads.yaml has no simulator traces or no targets")
	}
}

// With sampling on, a cycle on 500 nodes stops at the 230 feasible nodes
// kube-scheduler would look for (adaptive: 50% - 500/125 = 46%).
func TestSampling(t *testing.T) {
	w, cfg := setup(t)
	size := ClusterSize{Workers: 498, SampleNodes: true}
	c := newBenchCluster(t, cfg, w.Profiles[0], size, w.Deployments)
	res, _, err := c.sched.Schedule(c.ctx, c.newPod())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Scores) != 230 {
		t.Errorf("scored %d nodes, want 230", len(res.Scores))
	}
}

func TestParseWorkloadsErrors(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"profiles: [a]\ndeployments: 1\nbogus: 1\n", "field bogus not found"},
		{"profiles: []\n", "profiles: want at least one"},
		{"profiles: [a]\ndeployments: 0\n", "deployments: want >= 1"},
		{"profiles: [a]\ndeployments: 1\npluginCalls: {workers: 0}\n", "pluginCalls: want workers >= 1"},
		{"profiles: [a]\ndeployments: 1\npluginCalls: {workers: 1}\nrealScheduler: {workers: 1, pods: 1}\nsimulator: [{name: x, livePods: 1}]\n", "exactly one of azureFunctions and generated"},
		{"profiles: [a]\ndeployments: 1\npluginCalls: {workers: 1}\nrealScheduler: {workers: 1, pods: 1}\ntargets: [{what: t, metric: m, benchmark: x}]\n", "min or max"},
	} {
		_, err := ParseWorkloads([]byte(tc.yaml), "w.yaml")
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "w.yaml") {
			t.Errorf("%q: got error %v, want one starting with w.yaml and containing %q", tc.yaml, err, tc.want)
		}
	}
}
