package validation

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// TestValidateScoreWeights: a negative weight at multiPoint or score is
// refused with its field path as written, whichever the plugin; 0
// (kube-scheduler's "default 1") and positive weights pass, as do weights
// at other points and documents that are not a scheduler configuration.
func TestValidateScoreWeights(t *testing.T) {
	const head = "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
	tests := []struct {
		name string
		doc  string
		want []string // field paths refused
	}{
		{"no profiles", head, nil},
		{"not a scheduler configuration", "apiVersion: v1\nkind: ConfigMap\n", nil},
		{"not YAML", "{{{", nil},
		{"shipped weights", head + `profiles:
- schedulerName: spillway
  plugins:
    multiPoint:
      enabled: [{name: ServerlessFit}, {name: BurstCost, weight: 5}, {name: Steadiness, weight: 10}, {name: X, weight: 0}]
`, nil},
		{"negative multiPoint BurstCost", head + `profiles:
- schedulerName: default-scheduler
- schedulerName: spillway
  plugins:
    multiPoint:
      enabled: [{name: ServerlessFit}, {name: BurstCost, weight: -5}]
`, []string{"profiles[1].plugins.multiPoint.enabled[1].weight"}},
		{"negative score weight of an in-tree plugin", head + `profiles:
- plugins:
    score:
      enabled: [{name: NodeResourcesFit, weight: -1}]
`, []string{"profiles[0].plugins.score.enabled[0].weight"}},
		{"weights outside score are not read", head + `profiles:
- plugins:
    filter:
      enabled: [{name: ServerlessFit, weight: -1}]
`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateScoreWeights([]byte(tt.doc))
			var got []string
			if err != nil {
				for _, e := range err.(interface{ Errors() []error }).Errors() {
					got = append(got, e.(*field.Error).Field)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("refused fields (-want +got):\n%s\nerror: %v", diff, err)
			}
		})
	}
}
