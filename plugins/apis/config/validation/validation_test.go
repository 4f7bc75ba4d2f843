package validation

import (
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/spillway-dev/spillway/plugins/apis/config"
)

func validBurstCost() config.BurstCostArgs {
	return config.BurstCostArgs{VMPricing: "OnDemand", VMMarginalCostFactor: 0.1, PackingFactor: 1,
		StartupPenaltyUSDPerMinute: 0.01, DefaultHorizon: metav1.Duration{Duration: time.Hour}, MinObservedLifetimes: 3,
		ObservedLifetimesRetention: metav1.Duration{Duration: 24 * time.Hour}}
}

func validSteadiness() config.SteadinessArgs {
	return config.SteadinessArgs{Window: metav1.Duration{Duration: time.Hour}, BasePercentile: 50,
		MinHistory: metav1.Duration{Duration: 5 * time.Minute}, VMHeadroomPercent: 80, LongRunningJob: metav1.Duration{Duration: time.Hour}}
}

func TestValidateBurstCostArgs(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*config.BurstCostArgs)
		wantErr []string
	}{
		{"defaults are valid", func(*config.BurstCostArgs) {}, nil},
		{"zero marginal cost is allowed", func(a *config.BurstCostArgs) { a.VMMarginalCostFactor = 0 }, nil},
		{"negative marginal factor", func(a *config.BurstCostArgs) { a.VMMarginalCostFactor = -1 }, []string{"args.vmMarginalCostFactor"}},
		{"marginal factor over 1", func(a *config.BurstCostArgs) { a.VMMarginalCostFactor = 1.5 }, []string{"args.vmMarginalCostFactor"}},
		{"unknown pricing", func(a *config.BurstCostArgs) { a.VMPricing = "Cheap" }, []string{"args.vmPricing", "OnDemand"}},
		{"negative packing", func(a *config.BurstCostArgs) { a.PackingFactor = -0.5 }, []string{"args.packingFactor"}},
		{"negative penalty", func(a *config.BurstCostArgs) { a.StartupPenaltyUSDPerMinute = -1 }, []string{"args.startupPenaltyUSDPerMinute"}},
		{"zero horizon", func(a *config.BurstCostArgs) { a.DefaultHorizon.Duration = 0 }, []string{"args.defaultHorizon"}},
		{"no lifetimes", func(a *config.BurstCostArgs) { a.MinObservedLifetimes = 0 }, []string{"args.minObservedLifetimes"}},
		{"retention under a minute", func(a *config.BurstCostArgs) { a.ObservedLifetimesRetention.Duration = 30 * time.Second },
			[]string{"args.observedLifetimesRetention", "30s"}},
		{"retention of a minute", func(a *config.BurstCostArgs) { a.ObservedLifetimesRetention.Duration = time.Minute }, nil},
		{"retention of 30 days", func(a *config.BurstCostArgs) { a.ObservedLifetimesRetention.Duration = 720 * time.Hour }, nil},
		{"retention over 30 days", func(a *config.BurstCostArgs) { a.ObservedLifetimesRetention.Duration = 721 * time.Hour },
			[]string{"args.observedLifetimesRetention"}},
		{"every error is reported", func(a *config.BurstCostArgs) { a.PackingFactor, a.MinObservedLifetimes = -1, -1 },
			[]string{"args.packingFactor", "args.minObservedLifetimes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := validBurstCost()
			tt.change(&a)
			check(t, ValidateBurstCostArgs(field.NewPath("args"), &a), tt.wantErr)
		})
	}
}

func TestValidateSteadinessArgs(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*config.SteadinessArgs)
		wantErr []string
	}{
		{"defaults are valid", func(*config.SteadinessArgs) {}, nil},
		{"percentile 150", func(a *config.SteadinessArgs) { a.BasePercentile = 150 }, []string{"args.basePercentile"}},
		{"percentile 0", func(a *config.SteadinessArgs) { a.BasePercentile = 0 }, []string{"args.basePercentile"}},
		{"headroom 101", func(a *config.SteadinessArgs) { a.VMHeadroomPercent = 101 }, []string{"args.vmHeadroomPercent"}},
		{"zero window", func(a *config.SteadinessArgs) { a.Window.Duration = 0 }, []string{"args.window"}},
		{"minHistory longer than the window", func(a *config.SteadinessArgs) { a.MinHistory.Duration = 2 * time.Hour }, []string{"args.minHistory"}},
		{"zero longRunningJob", func(a *config.SteadinessArgs) { a.LongRunningJob.Duration = 0 }, []string{"args.longRunningJob"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := validSteadiness()
			tt.change(&a)
			check(t, ValidateSteadinessArgs(field.NewPath("args"), &a), tt.wantErr)
		})
	}
}

func check(t *testing.T, err error, want []string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want one naming %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not name %q", err, w)
		}
	}
}
