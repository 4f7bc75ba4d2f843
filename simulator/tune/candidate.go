package tune

import (
	"bytes"
	"fmt"
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
	for d, p := range b.params {
		v := pt[d]
		switch p.name {
		case ParamBurstCostWeight, ParamSteadinessWeight:
			if err := setWeight(prof, pluginOf(p.name), int32(v)); err != nil {
				return nil, err
			}
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
	return &candidate{yaml: data, profile: prof, cluster: &cf}, nil
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
// multiPoint (or, failing that, score) extension point.
func setWeight(p *config.KubeSchedulerProfile, plugin string, w int32) error {
	for _, set := range []*config.PluginSet{&p.Plugins.MultiPoint, &p.Plugins.Score} {
		for i := range set.Enabled {
			if set.Enabled[i].Name == plugin {
				set.Enabled[i].Weight = w
				return nil
			}
		}
	}
	return fmt.Errorf("profile %s does not enable %s in multiPoint or score: its weight cannot be tuned", p.SchedulerName, plugin)
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
