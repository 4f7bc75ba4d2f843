package scheme_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/spillway-dev/spillway/plugins/apis/config"
	v1 "github.com/spillway-dev/spillway/plugins/apis/config/v1"
)

func TestSteadinessHistoryDecoding(t *testing.T) {
	steadiness := func(h config.SteadinessHistory) *config.SteadinessArgs {
		return &config.SteadinessArgs{
			Window: metav1.Duration{Duration: time.Hour}, BasePercentile: 50, MinHistory: metav1.Duration{Duration: 5 * time.Minute},
			VMHeadroomPercent: 100, LongRunningJob: metav1.Duration{Duration: time.Hour}, History: h,
		}
	}
	tests := []struct {
		name    string
		args    string
		want    *config.SteadinessArgs
		wantErr string
	}{
		{
			name: "prometheus with only a url gets every default",
			args: "      history:\n        prometheus:\n          url: http://prometheus:9090\n",
			want: steadiness(config.SteadinessHistory{Prometheus: &config.PrometheusHistory{
				URL: "http://prometheus:9090", Query: v1.DefaultPrometheusQuery, Step: metav1.Duration{Duration: time.Minute},
				RefreshInterval: metav1.Duration{Duration: 5 * time.Minute}, MaxQueriesPerInterval: 100,
				Timeout: metav1.Duration{Duration: 10 * time.Second}, MaxResponseBytes: 8 << 20,
			}}),
		},
		{
			name: "every field set",
			args: "      history:\n        prometheus:\n          url: https://thanos:10902\n          query: 'sum(x{ns=\"{{.Namespace}}\"})'\n" +
				"          step: 5m\n          refreshInterval: 1m\n          maxQueriesPerInterval: 7\n          timeout: 3s\n          maxResponseBytes: 4096\n",
			want: steadiness(config.SteadinessHistory{Prometheus: &config.PrometheusHistory{
				URL: "https://thanos:10902", Query: `sum(x{ns="{{.Namespace}}"})`, Step: metav1.Duration{Duration: 5 * time.Minute},
				RefreshInterval: metav1.Duration{Duration: time.Minute}, MaxQueriesPerInterval: 7,
				Timeout: metav1.Duration{Duration: 3 * time.Second}, MaxResponseBytes: 4096,
			}}),
		},
		{name: "empty history is no source", args: "      history: {}\n", want: steadiness(config.SteadinessHistory{})},
		{name: "typo in prometheus", args: "      history:\n        prometheus:\n          uri: http://x\n", wantErr: `unknown field "history.prometheus.uri"`},
		{name: "unknown source", args: "      history:\n        graphite: {}\n", wantErr: `unknown field "history.graphite"`},
		{name: "bad duration", args: "      history:\n        prometheus:\n          step: often\n", wantErr: `invalid duration "often"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := decode(t, header+"  pluginConfig:\n  - name: Steadiness\n    args:\n"+tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("decode error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, argsOf(t, cfg, "spillway", "Steadiness")); diff != "" {
				t.Errorf("args (-want +got):\n%s", diff)
			}
		})
	}
}
