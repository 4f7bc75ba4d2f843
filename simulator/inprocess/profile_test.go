package inprocess

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const spillwayOnly = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: spillway
  plugins:
    score:
      disabled: [{name: NodeResourcesBalancedAllocation}]
`

func TestProfile(t *testing.T) {
	withDefault := strings.Replace(spillwayOnly, "profiles:\n", "profiles:\n- schedulerName: default-scheduler\n  plugins: {score: {disabled: [{name: ImageLocality}]}}\n", 1)
	cases := []struct {
		name, config, profile string
		wantDisabled          []string // score plugins the profile disables
		wantErr               string
	}{
		{"named profile", spillwayOnly, "spillway", []string{"NodeResourcesBalancedAllocation"}, ""},
		{"default-scheduler absent: the stock profile", spillwayOnly, "default-scheduler", nil, ""},
		{"default-scheduler present: the file's", withDefault, "default-scheduler", []string{"ImageLocality"}, ""},
		{"unknown profile", spillwayOnly, "other", nil, `no profile with schedulerName "other" (have ["spillway"])`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := LoadConfig([]byte(tc.config), "t.yaml")
			if err != nil {
				t.Fatal(err)
			}
			p, err := Profile(cfg, tc.profile)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var disabled []string
			for _, pl := range p.Plugins.Score.Disabled {
				disabled = append(disabled, pl.Name)
			}
			if diff := cmp.Diff(tc.wantDisabled, disabled); diff != "" {
				t.Errorf("%s: disabled scorers (-want +got):\n%s", p.SchedulerName, diff)
			}
			if p.SchedulerName != tc.profile {
				t.Errorf("schedulerName %q, want %q", p.SchedulerName, tc.profile)
			}
		})
	}
}
