package tune

import (
	"context"
	"testing"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/simulator/inprocess"
)

func TestSmoke(t *testing.T) {
	cfg, err := inprocess.LoadConfigFile("../../manifests/scheduler-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := DefaultSpec()
	s.Search.Samples = 6
	s.Search.RefineRounds = 1
	res, err := Run(context.Background(), Options{TracePath: "../whatif/testdata/azure10-2h.jsonl", Spec: s, Config: cfg,
		Prices: cost.Default(), Backends: backends.Default(), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Evaluations {
		t.Logf("%d %s %s %v %+v", e.ID, e.Name, e.Stage, e.Params, e.Metrics)
	}
	t.Logf("%s", res.BestConfig)
}
