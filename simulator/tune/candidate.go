package tune

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	configv1 "k8s.io/kube-scheduler/config/v1"
	"k8s.io/kubernetes/pkg/scheduler/apis/config"
	"k8s.io/kubernetes/pkg/scheduler/apis/config/scheme"

	spcfg "github.com/spillway-dev/spillway/plugins/apis/config"
	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/inprocess"
)

// base is what every candidate starts from: the user's configuration and
// cluster file.
type base struct {
	cfg           *config.KubeSchedulerConfiguration
	schedulerName string
	cluster       *cluster.File
	params        []param
}

// candidate is one built configuration: the whole KubeSchedulerConfiguration
// as a file, decoded again, and its cluster.
type candidate struct {
	yaml    []byte
	profile *config.KubeSchedulerProfile
	cluster *cluster.File
	// neutral: the point turned every Spillway score plugin off, and the
	// profile scores as the vm-first baseline does.
	neutral bool
}

// build applies pt to a copy of the user's configuration (the tuned
// profile's multiPoint weights and pluginConfig args) and cluster (the
// first worker group's instance type and count), encodes the configuration
// as kube-scheduler's v1 file and decodes and validates it again, as
// kube-scheduler does with --config.
func (b *base) build(pt []float64) (*candidate, error) {
	cfg := b.cfg.DeepCopy()
	prof, err := inprocess.Profile(cfg, b.schedulerName)
	if err != nil {
		return nil, err
	}
	cf := *b.cluster
	cf.NodeGroups = append([]cluster.NodeGroup(nil), b.cluster.NodeGroups...)
	turnedOff := false
	for d, p := range b.params {
		v := pt[d]
		switch p.name {
		case ParamBurstCostWeight, ParamSteadinessWeight:
			if err := setWeight(prof, pluginOf(p.name), int32(v)); err != nil {
				return nil, err
			}
			turnedOff = turnedOff || v == 0
		case ParamVMHeadroomPercent, ParamBasePercentile, ParamWindow:
			a, err := pluginArgs[*spcfg.SteadinessArgs](prof, "Steadiness")
			if err != nil {
				return nil, err
			}
			switch p.name {
			case ParamVMHeadroomPercent:
				a.VMHeadroomPercent = int32(v)
			case ParamBasePercentile:
				a.BasePercentile = int32(v)
			default:
				a.Window = seconds(v)
				// minHistory must stay within the window.
				a.MinHistory.Duration = min(a.MinHistory.Duration, a.Window.Duration)
			}
		case ParamDefaultHorizon:
			a, err := pluginArgs[*spcfg.BurstCostArgs](prof, "BurstCost")
			if err != nil {
				return nil, err
			}
			a.DefaultHorizon = seconds(v)
		case ParamWorkerType, ParamWorkerCount:
			i := workerGroup(&cf)
			if i < 0 {
				return nil, fmt.Errorf("space.%s: the cluster has no worker group (a node group without a NoSchedule or NoExecute taint)", p.name)
			}
			if p.name == ParamWorkerType {
				cf.NodeGroups[i].InstanceType = p.choices[int(v)]
			} else {
				cf.NodeGroups[i].Count = int(v)
			}
		}
	}
	neutral := turnedOff && !scoresWithSpillway(prof)
	if neutral {
		if err := scoreLikeVMFirst(prof); err != nil {
			return nil, err
		}
	}
	data, err := EncodeConfig(cfg)
	if err != nil {
		return nil, err
	}
	again, err := inprocess.LoadConfig(data, "tuned configuration")
	if err != nil {
		return nil, err
	}
	if prof, err = inprocess.Profile(again, b.schedulerName); err != nil {
		return nil, err
	}
	return &candidate{yaml: data, profile: prof, cluster: &cf, neutral: neutral}, nil
}

func seconds(v float64) metav1.Duration {
	return metav1.Duration{Duration: time.Duration(v) * time.Second}
}

func pluginOf(param string) string {
	if param == ParamBurstCostWeight {
		return "BurstCost"
	}
	return "Steadiness"
}

// setWeight sets the weight of a plugin enabled in the profile's
// multiPoint (or, failing that, score) extension point. Weight 0 turns the
// plugin off: kube-scheduler wants a weight of at least 1, so it is taken
// out of every extension point of the profile (its pluginConfig stays,
// unused).
func setWeight(p *config.KubeSchedulerProfile, plugin string, w int32) error {
	found := false
	for _, set := range []*config.PluginSet{&p.Plugins.MultiPoint, &p.Plugins.Score} {
		for i := range set.Enabled {
			if set.Enabled[i].Name == plugin {
				set.Enabled[i].Weight = w
				found = true
				break
			}
		}
		if found {
			break
		}
	}
	if !found {
		return fmt.Errorf("profile %s does not enable %s in multiPoint or score: its weight cannot be tuned", p.SchedulerName, plugin)
	}
	if w == 0 {
		for _, set := range pluginSets(p) {
			set.Enabled = slices.DeleteFunc(set.Enabled, func(e config.Plugin) bool { return e.Name == plugin })
		}
	}
	return nil
}

// pluginSets are every extension point of the profile.
func pluginSets(p *config.KubeSchedulerProfile) []*config.PluginSet {
	pl := p.Plugins
	return []*config.PluginSet{&pl.MultiPoint, &pl.PreEnqueue, &pl.QueueSort, &pl.PreFilter, &pl.Filter, &pl.PostFilter,
		&pl.PreScore, &pl.Score, &pl.Reserve, &pl.Permit, &pl.PreBind, &pl.Bind, &pl.PostBind}
}

// spillwayScorers are Spillway's score plugins, the ones a weight of 0
// turns off.
var spillwayScorers = []string{"BurstCost", "Steadiness"}

// scoresWithSpillway is whether the profile still enables one of
// Spillway's score plugins.
func scoresWithSpillway(p *config.KubeSchedulerProfile) bool {
	for _, set := range []*config.PluginSet{&p.Plugins.MultiPoint, &p.Plugins.Score} {
		for _, e := range set.Enabled {
			if slices.Contains(spillwayScorers, e.Name) {
				return true
			}
		}
	}
	return false
}

// vmFirstScoreOff are the score plugins the vm-first baseline disables.
var vmFirstScoreOff = []string{"NodeResourcesBalancedAllocation", "PodTopologySpread", "ImageLocality"}

// scoreLikeVMFirst makes a profile whose Spillway score plugins are off
// score as the vm-first what-if baseline does (whatif.VMFirstYAML): the
// neutral corner of the space. NodeResourcesFit scores MostAllocated on
// cpu and memory, weight 1, and NodeResourcesBalancedAllocation,
// PodTopologySpread and ImageLocality are disabled as score plugins.
// Filters (ServerlessFit among them) are kept.
func scoreLikeVMFirst(p *config.KubeSchedulerProfile) error {
	for _, name := range vmFirstScoreOff {
		if !slices.ContainsFunc(p.Plugins.Score.Disabled, func(e config.Plugin) bool { return e.Name == name || e.Name == "*" }) {
			p.Plugins.Score.Disabled = append(p.Plugins.Score.Disabled, config.Plugin{Name: name})
		}
		p.Plugins.Score.Enabled = slices.DeleteFunc(p.Plugins.Score.Enabled, func(e config.Plugin) bool { return e.Name == name })
	}
	a, err := pluginArgs[*config.NodeResourcesFitArgs](p, "NodeResourcesFit")
	if err != nil {
		return err
	}
	a.ScoringStrategy = &config.ScoringStrategy{Type: config.MostAllocated,
		Resources: []config.ResourceSpec{{Name: "cpu", Weight: 1}, {Name: "memory", Weight: 1}}}
	return nil
}

// pluginArgs returns the profile's args of plugin, of type T.
func pluginArgs[T runtime.Object](p *config.KubeSchedulerProfile, plugin string) (T, error) {
	var zero T
	for i := range p.PluginConfig {
		if p.PluginConfig[i].Name != plugin {
			continue
		}
		a, ok := p.PluginConfig[i].Args.(T)
		if !ok {
			return zero, fmt.Errorf("profile %s: pluginConfig %s: args are %T, want %T", p.SchedulerName, plugin, p.PluginConfig[i].Args, zero)
		}
		return a, nil
	}
	return zero, fmt.Errorf("profile %s has no pluginConfig for %s: is the plugin enabled?", p.SchedulerName, plugin)
}

// workerGroup is the index of the first node group that takes workloads.
func workerGroup(f *cluster.File) int {
	for i, g := range f.NodeGroups {
		ok := true
		for _, t := range g.Taints {
			if t.Effect == "NoSchedule" || t.Effect == "NoExecute" {
				ok = false
			}
		}
		if ok {
			return i
		}
	}
	return -1
}

// EncodeConfig writes cfg as a kubescheduler.config.k8s.io/v1 YAML file,
// with every default filled in, as kube-scheduler's --write-config-to does.
func EncodeConfig(cfg *config.KubeSchedulerConfiguration) ([]byte, error) {
	info, ok := runtime.SerializerInfoForMediaType(scheme.Codecs.SupportedMediaTypes(), runtime.ContentTypeYAML)
	if !ok {
		return nil, fmt.Errorf("no YAML encoder for the scheduler configuration")
	}
	var buf bytes.Buffer
	if err := scheme.Codecs.EncoderForVersion(info.Serializer, configv1.SchemeGroupVersion).Encode(cfg, &buf); err != nil {
		return nil, fmt.Errorf("encoding the scheduler configuration: %w", err)
	}
	return buf.Bytes(), nil
}
