package tune

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/kubernetes/pkg/scheduler/apis/config"
	utilclock "k8s.io/utils/clock"

	"github.com/spillway-dev/spillway/simulator/inprocess"
	"github.com/spillway-dev/spillway/simulator/whatif"
)

// enabled lists a built profile's plugins at one extension point.
func enabled(t *testing.T, p *config.KubeSchedulerProfile, point func(*config.Plugins) config.PluginSet) []string {
	t.Helper()
	s, err := inprocess.New(context.Background(), p, utilclock.RealClock{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, pl := range point(s.Framework().ListPlugins()).Enabled {
		out = append(out, pl.Name)
	}
	slices.Sort(out)
	return out
}

// The neutral corner of the default space turns BurstCost and Steadiness
// off (weight 0: out of the emitted profile) and scores and filters as
// the vm-first baseline does.
func TestNeutralCornerIsVMFirst(t *testing.T) {
	r, err := newRunner(options(t, smallTrace, DefaultSpec()))
	if err != nil {
		t.Fatal(err)
	}
	pt, ok := r.neutralPoint()
	if !ok {
		t.Fatal("the default space has no neutral corner")
	}
	c, err := r.base.build(pt)
	if err != nil {
		t.Fatal(err)
	}
	if !c.neutral || strings.Contains(string(c.yaml), "name: BurstCost\n      weight") || strings.Contains(string(c.yaml), "name: Steadiness\n      weight") {
		t.Errorf("neutral %v; emitted profile:\n%s", c.neutral, c.yaml)
	}
	vm, err := whatif.VMFirstProfile()
	if err != nil {
		t.Fatal(err)
	}
	for name, point := range map[string]func(*config.Plugins) config.PluginSet{
		"score":    func(p *config.Plugins) config.PluginSet { return p.Score },
		"filter":   func(p *config.Plugins) config.PluginSet { return p.Filter },
		"preScore": func(p *config.Plugins) config.PluginSet { return p.PreScore },
		"reserve":  func(p *config.Plugins) config.PluginSet { return p.Reserve },
	} {
		if diff := cmp.Diff(enabled(t, vm, point), enabled(t, c.profile, point)); diff != "" {
			t.Errorf("%s plugins (-vm-first +neutral):\n%s", name, diff)
		}
	}
	fit := func(p *config.KubeSchedulerProfile) *config.ScoringStrategy {
		a, err := pluginArgs[*config.NodeResourcesFitArgs](p, "NodeResourcesFit")
		if err != nil {
			t.Fatal(err)
		}
		return a.ScoringStrategy
	}
	if diff := cmp.Diff(fit(vm), fit(c.profile)); diff != "" {
		t.Errorf("NodeResourcesFit scoring (-vm-first +neutral):\n%s", diff)
	}
	// A weight range above 0 keeps the plugins on: no neutral corner.
	s := DefaultSpec()
	s.Space.SteadinessWeight = &IntRange{1, 20}
	r, err = newRunner(options(t, smallTrace, s))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.neutralPoint(); ok {
		t.Error("a space with steadinessWeight >= 1 has a neutral corner")
	}
}

// The neutral corner always runs on the whole training span, schedules
// exactly as the vm-first reference does there, and the tuned result is
// never worse than it.
func TestTunedNeverLosesToVMFirst(t *testing.T) {
	s := smallSpec()
	s.Search.Samples = 3
	s.Search.RefineRounds = -1
	res, err := Run(context.Background(), options(t, thresholdTrace(t), s))
	if err != nil {
		t.Fatal(err)
	}
	var neutral, ref *Evaluation
	for i, e := range res.Evaluations {
		switch {
		case e.Stage == StageNeutral:
			neutral = &res.Evaluations[i]
		case e.Name == "vm-first" && e.Stage == StageTraining:
			ref = &res.Evaluations[i]
		}
	}
	if neutral == nil || ref == nil {
		t.Fatalf("neutral %v, vm-first on the training span %v: want both", neutral, ref)
	}
	if neutral.UntilS != res.TrainS {
		t.Errorf("neutral ran to %v s, want the training span %v s", neutral.UntilS, res.TrainS)
	}
	if diff := cmp.Diff(ref.Metrics, neutral.Metrics); diff != "" {
		t.Errorf("neutral corner against vm-first on the training span (-vm-first +neutral):\n%s", diff)
	}
	if better(neutral, &res.Best) {
		t.Errorf("the tuner returned %s (%+v), worse than the neutral corner (%+v)", res.Best.Name, res.Best.Metrics, neutral.Metrics)
	}
}
