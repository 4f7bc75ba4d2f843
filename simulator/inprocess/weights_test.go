package inprocess

import (
	"os"
	"strings"
	"testing"
)

// TestLoadConfigWeights: the simulator refuses a profile whose Score
// plugin has a negative weight, naming the field, as spillway-scheduler
// does at start (kube-scheduler's own validation lets it through).
func TestLoadConfigWeights(t *testing.T) {
	shipped, err := os.ReadFile("../../manifests/scheduler-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, old, new string
		wantErr        []string // nil: accepted
	}{
		{"shipped", "", "", nil},
		{"zero weight means 1", "weight: 5", "weight: 0", nil},
		{"negative multiPoint BurstCost", "weight: 5", "weight: -5",
			[]string{"config.yaml: ", "profiles[0].plugins.multiPoint.enabled[1].weight", "-5", "BurstCost", "must not be negative"}},
		{"negative multiPoint Steadiness", "name: Steadiness\n            weight: 1\n", "name: Steadiness\n            weight: -1\n",
			[]string{"profiles[0].plugins.multiPoint.enabled[2].weight", "Steadiness"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := string(shipped)
			if tt.old != "" {
				if !strings.Contains(data, tt.old) {
					t.Fatalf("scheduler-config.yaml has no %q", tt.old)
				}
				data = strings.Replace(data, tt.old, tt.new, 1)
			}
			cfg, err := LoadConfig([]byte(data), "config.yaml")
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("LoadConfig: %v", err)
				}
				if _, err := Profile(cfg, "spillway"); err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("LoadConfig accepted the configuration")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error lacks %q: %v", w, err)
				}
			}
		})
	}
}
