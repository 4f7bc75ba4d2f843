package simulator

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"k8s.io/kubernetes/pkg/scheduler/apis/config"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/inprocess"
)

const profileFile = "../manifests/scheduler-config.yaml"

// profile loads a profile of the shipped scheduler config, decoded and
// validated as kube-scheduler does.
// stockProfile names kube-scheduler's own default profile, as a cluster
// runs it with no configuration at all.
const stockProfile = "default-scheduler"

func profile(t testing.TB, name string) *config.KubeSchedulerProfile {
	t.Helper()
	var cfg *config.KubeSchedulerConfiguration
	var err error
	if name == stockProfile {
		cfg, err = inprocess.LoadConfig([]byte("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"), "kube-scheduler defaults")
	} else {
		cfg, err = inprocess.LoadConfigFile(profileFile)
	}
	if err != nil {
		t.Fatal(err)
	}
	p, err := inprocess.Profile(cfg, name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// buildCluster parses and builds a cluster file with the default catalogs.
func buildCluster(t testing.TB, yaml string) *cluster.Cluster {
	t.Helper()
	f, err := cluster.Parse([]byte(yaml), "cluster.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.Build(cost.Default(), backends.Default())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func defaultCluster(t testing.TB) *cluster.Cluster {
	return buildCluster(t, string(cluster.DefaultYAML()))
}

// lines joins trace lines.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

// run simulates a trace and returns the engine, to look inside.
func run(t testing.TB, c *cluster.Cluster, prof string, tr string, seed int64, decisions *bytes.Buffer) *engine {
	t.Helper()
	cfg := Config{Trace: strings.NewReader(tr), TraceName: "trace.jsonl", Cluster: c, Profile: profile(t, prof), Seed: seed}
	if decisions != nil {
		cfg.Decisions = decisions
	}
	e, err := newEngine(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e
}

// pod is a one-container pod manifest in JSON.
func pod(name, cpu, mem string, extra ...string) string {
	spec := `"containers":[{"name":"c","image":"i","resources":{"requests":{"cpu":"` + cpu + `","memory":"` + mem + `"}}}]`
	for _, x := range extra {
		spec += "," + x
	}
	return `{"metadata":{"name":"` + name + `"},"spec":{` + spec + `}}`
}

const (
	tolerateAll     = `"tolerations":[{"operator":"Exists"}]`
	tolerateFargate = `"tolerations":[{"key":"eks.amazonaws.com/compute-type","operator":"Exists"}]`
)
