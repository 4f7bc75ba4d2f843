package main

import (
	"fmt"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/pflag"
	"golang.org/x/term"
	"k8s.io/kubernetes/pkg/scheduler/apis/config"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/manifests"
	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/inprocess"
)

// inputs are the flags every simulation command shares.
type inputs struct {
	clusterFile    string
	profileFile    string
	priceFile      string
	backendFile    string
	seed           int64
	until          time.Duration
	noProgress     bool
	prices         *cost.Catalog
	backends       *backends.Catalog
	schedulerCfg   *config.KubeSchedulerConfiguration
	schedulerCfgAt string
}

func (in *inputs) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&in.clusterFile, "cluster", "", "cluster file (YAML; default: the embedded minimal cluster, 1 control plane + 3 m5.xlarge workers + 1 ACI virtual node)")
	fs.StringVar(&in.profileFile, "profile", "", "KubeSchedulerConfiguration file (default: the shipped "+manifests.SchedulerConfigFile+")")
	fs.StringVar(&in.priceFile, "price-catalog", "", "price catalog file (default: the embedded one)")
	fs.StringVar(&in.backendFile, "backend-catalog", "", "backend catalog file with overrides of the embedded one")
	fs.Int64Var(&in.seed, "seed", 1, "seed of the random parts (cold starts, pod name suffixes); same inputs and seed give identical output")
	fs.DurationVar(&in.until, "until", 0, "stop at this simulated time, e.g. 6h, at most 744h (default: the last event or pod completion)")
	fs.BoolVar(&in.noProgress, "no-progress", false, "never show a progress bar")
}

// load reads the catalogs and the scheduler configuration.
func (in *inputs) load() error {
	if err := checkUntil(in.until); err != nil {
		return err
	}
	var err error
	in.prices = cost.Default()
	if in.priceFile != "" {
		if in.prices, err = cost.LoadFile(in.priceFile); err != nil {
			return err
		}
	}
	in.backends = backends.Default()
	if in.backendFile != "" {
		o, err := backends.LoadFile(in.backendFile)
		if err != nil {
			return err
		}
		if in.backends, err = in.backends.WithOverrides(o); err != nil {
			return fmt.Errorf("%s: %w", in.backendFile, err)
		}
	}
	if in.profileFile == "" {
		in.schedulerCfgAt = manifests.SchedulerConfigFile
		in.schedulerCfg, err = inprocess.LoadConfig(manifests.SchedulerConfig(), in.schedulerCfgAt)
	} else {
		in.schedulerCfgAt = in.profileFile
		in.schedulerCfg, err = inprocess.LoadConfigFile(in.profileFile)
	}
	return err
}

// cluster parses and builds a cluster file, or the default one.
func (in *inputs) cluster(path string) (*cluster.Cluster, error) {
	f := cluster.Default()
	if path != "" {
		var err error
		if f, err = cluster.ParseFile(path); err != nil {
			return nil, err
		}
	}
	return f.Build(in.prices, in.backends)
}

// profile picks a profile of the loaded configuration.
func (in *inputs) profile(name string) (*config.KubeSchedulerProfile, error) {
	p, err := inprocess.Profile(in.schedulerCfg, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", in.schedulerCfgAt, err)
	}
	return p, nil
}

// progress returns a callback that shows a progress bar over total bytes
// on stderr once a run has taken more than two seconds, if stderr is a
// terminal; done removes it.
func (in *inputs) progress(what string, total int64) (update func(int64), done func()) {
	if in.noProgress || total <= 0 || !term.IsTerminal(int(os.Stderr.Fd())) {
		return nil, func() {}
	}
	start := time.Now()
	var bar *progressbar.ProgressBar
	update = func(n int64) {
		if bar == nil {
			if time.Since(start) < 2*time.Second {
				return
			}
			bar = progressbar.NewOptions64(total, progressbar.OptionSetDescription(what),
				progressbar.OptionSetWriter(os.Stderr), progressbar.OptionShowBytes(true),
				progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish(),
				progressbar.OptionThrottle(100*time.Millisecond))
		}
		_ = bar.Set64(n)
	}
	return update, func() {
		if bar != nil {
			_ = bar.Finish()
		}
	}
}
