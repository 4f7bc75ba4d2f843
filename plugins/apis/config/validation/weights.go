package validation

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"
	schedv1 "k8s.io/kube-scheduler/config/v1"
	"k8s.io/kubernetes/pkg/scheduler/apis/config/scheme"
)

// ValidateScoreWeights refuses a negative weight of a plugin enabled at the
// score or multiPoint extension point of any profile of a
// KubeSchedulerConfiguration document (YAML or JSON), naming the field as
// written, before kube-scheduler's defaults add the default plugins
// (profiles[1].plugins.multiPoint.enabled[1].weight), and the plugin. A
// document that does not decode as a v1 KubeSchedulerConfiguration is left
// to the caller's loader to report: nil.
//
// kube-scheduler 1.34 does not check these weights: its config validation
// checks only extenders' weights and some in-tree args' weights, and the
// framework turns a weight of 0 into 1 and guards the total against
// overflow, but multiplies a score by a negative weight as given, which
// turns the plugin's preference upside down (a BurstCost weight of -5
// sends every pod to the dearest node). spillway-scheduler runs this at
// start, and the simulator when it loads a profile, so both refuse such a
// configuration.
func ValidateScoreWeights(data []byte) error {
	// The deserializer neither defaults nor converts: the plugins are
	// those of the document, at their indexes.
	obj, _, err := scheme.Codecs.UniversalDeserializer().Decode(data, nil, nil)
	if err != nil {
		return nil
	}
	cfg, ok := obj.(*schedv1.KubeSchedulerConfiguration)
	if !ok {
		return nil
	}
	var errs field.ErrorList
	for i := range cfg.Profiles {
		p := &cfg.Profiles[i]
		if p.Plugins == nil {
			continue
		}
		name := "default-scheduler"
		if p.SchedulerName != nil {
			name = *p.SchedulerName
		}
		path := field.NewPath("profiles").Index(i).Child("plugins")
		for _, set := range []struct {
			name    string
			plugins []schedv1.Plugin
		}{
			{"multiPoint", p.Plugins.MultiPoint.Enabled},
			{"score", p.Plugins.Score.Enabled},
		} {
			for j, pl := range set.plugins {
				if pl.Weight != nil && *pl.Weight < 0 {
					errs = append(errs, field.Invalid(path.Child(set.name, "enabled").Index(j).Child("weight"), *pl.Weight,
						fmt.Sprintf("%s in profile %q: must not be negative (a score is multiplied by its weight; 0 means 1; disable the plugin to turn it off)", pl.Name, name)))
				}
			}
		}
	}
	return errs.ToAggregate()
}
