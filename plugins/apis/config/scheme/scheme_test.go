package scheme_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	schedconfig "k8s.io/kubernetes/pkg/scheduler/apis/config"
	kubeschedulerscheme "k8s.io/kubernetes/pkg/scheduler/apis/config/scheme"
	schedv1 "k8s.io/kubernetes/pkg/scheduler/apis/config/v1"

	"github.com/spillway-dev/spillway/plugins/apis/config"
	_ "github.com/spillway-dev/spillway/plugins/apis/config/scheme"
)

func decode(t *testing.T, data string) (*schedconfig.KubeSchedulerConfiguration, error) {
	t.Helper()
	obj, _, err := kubeschedulerscheme.Codecs.UniversalDecoder().Decode([]byte(data), nil, nil)
	if err != nil {
		return nil, err
	}
	return obj.(*schedconfig.KubeSchedulerConfiguration), nil
}

func argsOf(t *testing.T, cfg *schedconfig.KubeSchedulerConfiguration, profile, plugin string) runtime.Object {
	t.Helper()
	for _, p := range cfg.Profiles {
		if p.SchedulerName != profile {
			continue
		}
		for _, pc := range p.PluginConfig {
			if pc.Name == plugin {
				return pc.Args
			}
		}
	}
	t.Fatalf("profile %q has no args for %s", profile, plugin)
	return nil
}

const header = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
leaderElection:
  leaderElect: false
profiles:
- schedulerName: spillway
  plugins:
    multiPoint:
      enabled:
      - name: ServerlessFit
      - name: BurstCost
      - name: Steadiness
`

var defaults = map[string]runtime.Object{
	"ServerlessFit": &config.ServerlessFitArgs{},
	"BurstCost": &config.BurstCostArgs{
		VMPricing: "OnDemand", VMMarginalCostFactor: 0.1, PackingFactor: 0, StartupPenaltyUSDPerMinute: 0.01,
		DefaultHorizon: metav1.Duration{Duration: time.Hour}, MinObservedLifetimes: 3,
		ObservedLifetimesRetention: metav1.Duration{Duration: 24 * time.Hour},
		PriceCatalogReloadInterval: metav1.Duration{Duration: time.Minute},
	},
	"Steadiness": &config.SteadinessArgs{
		Window: metav1.Duration{Duration: time.Hour}, BasePercentile: 50, MinHistory: metav1.Duration{Duration: 5 * time.Minute},
		VMHeadroomPercent: 100, LongRunningJob: metav1.Duration{Duration: time.Hour},
	},
}

func TestArgsDefaultedWhenOmitted(t *testing.T) {
	cfg, err := decode(t, header)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range defaults {
		if diff := cmp.Diff(want, argsOf(t, cfg, "spillway", name)); diff != "" {
			t.Errorf("%s args (-want +got):\n%s", name, diff)
		}
	}
}

func TestManifestProfileDecodesToDefaults(t *testing.T) {
	data, err := os.ReadFile("../../../../manifests/scheduler-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := decode(t, string(data))
	if err != nil {
		t.Fatalf("manifests/scheduler-config.yaml: %v", err)
	}
	// The shipped file spells every arg out; it must say the defaults.
	for name, want := range defaults {
		if diff := cmp.Diff(want, argsOf(t, cfg, "spillway", name)); diff != "" {
			t.Errorf("%s args in the manifest differ from the defaults (-want +got):\n%s", name, diff)
		}
	}
}

func TestArgsDecoding(t *testing.T) {
	tests := []struct {
		name    string
		args    string
		plugin  string
		want    runtime.Object
		wantErr string
	}{
		{
			name:   "explicit zero is kept, not defaulted",
			plugin: "BurstCost",
			args: `  - name: BurstCost
    args:
      vmMarginalCostFactor: 0
      packingFactor: 0
      vmPricing: Reserved
      defaultHorizon: 90s
      observedLifetimesRetention: 2h
`,
			want: &config.BurstCostArgs{
				VMPricing: "Reserved", StartupPenaltyUSDPerMinute: 0.01,
				DefaultHorizon: metav1.Duration{Duration: 90 * time.Second}, MinObservedLifetimes: 3,
				ObservedLifetimesRetention: metav1.Duration{Duration: 2 * time.Hour},
				PriceCatalogReloadInterval: metav1.Duration{Duration: time.Minute},
			},
		},
		{
			name:   "steadiness partial",
			plugin: "Steadiness",
			args: `  - name: Steadiness
    args:
      basePercentile: 20
      window: 6h
`,
			want: &config.SteadinessArgs{
				Window: metav1.Duration{Duration: 6 * time.Hour}, BasePercentile: 20, MinHistory: metav1.Duration{Duration: 5 * time.Minute},
				VMHeadroomPercent: 100, LongRunningJob: metav1.Duration{Duration: time.Hour},
			},
		},
		{
			name: "typo is a strict decoding error naming the field",
			args: `  - name: BurstCost
    args:
      defaultHorizn: 1h
`,
			wantErr: `unknown field "defaultHorizn"`,
		},
		{
			name: "wrong type names the field",
			args: `  - name: Steadiness
    args:
      basePercentile: "fifty"
`,
			wantErr: "basePercentile",
		},
		{
			name: "duplicate field",
			args: `  - name: ServerlessFit
    args:
      backendCatalogFile: a.yaml
      backendCatalogFile: b.yaml
`,
			wantErr: "backendCatalogFile",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := decode(t, header+"  pluginConfig:\n"+tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("decode error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, argsOf(t, cfg, "spillway", tt.plugin)); diff != "" {
				t.Errorf("args (-want +got):\n%s", diff)
			}
		})
	}
}

// What --write-config-to prints: the internal config encoded back to v1
// carries every Spillway arg with its value.
func TestArgsEncodeToV1(t *testing.T) {
	cfg, err := decode(t, header)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := runtime.SerializerInfoForMediaType(kubeschedulerscheme.Codecs.SupportedMediaTypes(), runtime.ContentTypeYAML)
	enc := kubeschedulerscheme.Codecs.EncoderForVersion(info.Serializer, schedv1.SchemeGroupVersion)
	var buf bytes.Buffer
	if err := enc.Encode(cfg, &buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kind: BurstCostArgs", "vmMarginalCostFactor: 0.1", "defaultHorizon: 1h0m0s",
		"kind: SteadinessArgs", "vmHeadroomPercent: 100", "kind: ServerlessFitArgs"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("encoded config lacks %q:\n%s", want, buf.String())
		}
	}
}
