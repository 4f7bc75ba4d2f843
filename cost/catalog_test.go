package cost

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"sigs.k8s.io/yaml"
)

func TestDefaultCatalogLoads(t *testing.T) {
	c, err := Load(defaultYAML, "catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"fargate", "aci", "cloudrun"} {
		if _, ok := c.Serverless(name); !ok {
			t.Errorf("no serverless price %q", name)
		}
	}
}

func TestVMHourlyUSD(t *testing.T) {
	tests := []struct {
		name      string
		instance  string
		cpuMilli  int64
		memBytes  int64
		opt       PricingOption
		want      float64
		wantKnown bool
	}{
		{"on demand", "m5.xlarge", 4000, 16 * gib, OnDemand, 0.192, true},
		{"reserved", "m5.xlarge", 4000, 16 * gib, Reserved, 0.121, true},
		{"spot", "m5.xlarge", 4000, 16 * gib, Spot, 0.072, true},
		{"no reserved price falls back to on demand", "Standard_D4s_v5", 4000, 16 * gib, Reserved, 0.192, true},
		{"unknown type: fallback rate × size", "c7.weird", 2000, 4 * gib, OnDemand, 2*0.0352 + 4*0.0032, false},
		{"unknown type, reserved rate", "", 4000, 16 * gib, Reserved, 4*0.0222 + 16*0.00202, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, known := Default().VMHourlyUSD(tt.instance, tt.cpuMilli, tt.memBytes, tt.opt)
			if math.Abs(got-tt.want) > 1e-12 || known != tt.wantKnown {
				t.Errorf("VMHourlyUSD() = %v, %v; want %v, %v", got, known, tt.want, tt.wantKnown)
			}
		})
	}
}

func TestParsePricingOption(t *testing.T) {
	for _, s := range []string{"OnDemand", "Reserved", "Spot"} {
		if got, err := ParsePricingOption(s); err != nil || string(got) != s {
			t.Errorf("ParsePricingOption(%q) = %q, %v", s, got, err)
		}
	}
	if _, err := ParsePricingOption("ondemand"); err == nil {
		t.Error("ParsePricingOption accepted a misspelling")
	}
}

// edit returns the default catalog's YAML with one substitution.
func edit(t *testing.T, from, to string) []byte {
	t.Helper()
	s := string(defaultYAML)
	if !strings.Contains(s, from) {
		t.Fatalf("the default catalog lacks %q", from)
	}
	return []byte(strings.Replace(s, from, to, 1))
}

func TestLoadErrorsNameSourceAndField(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want []string
	}{
		{"typo in a field name", edit(t, "vcpuHourUSD: 0.04048", "vcpuHourUsd: 0.04048"), []string{"prices.yaml", `unknown field "serverless[0].vcpuHourUsd"`}},
		{"negative price", edit(t, "vcpuHourUSD: 0.045", "vcpuHourUSD: -0.045"), []string{"prices.yaml: serverless[1].vcpuHourUSD: must be > 0"}},
		{"missing date", edit(t, `updated: "2026-11-22"`, ""), []string{"prices.yaml: updated:"}},
		{"wrong kind", edit(t, "kind: PriceCatalog", "kind: Prices"), []string{"prices.yaml: kind:"}},
		{"wrong apiVersion", edit(t, "apiVersion: spillway.dev/v1alpha1", "apiVersion: v1"), []string{"prices.yaml: apiVersion:"}},
		{"duplicate name", edit(t, "name: cloudrun", "name: aci"), []string{"prices.yaml: serverless[2].name: duplicate"}},
		{"combinations out of order", edit(t, "{vcpu: 0.5, minGiB: 1", "{vcpu: 0.1, minGiB: 1"), []string{"serverless[0].shape.combinations[2].vcpu"}},
		{"spot discount over 1", edit(t, "spotDiscount: 0\n", "spotDiscount: 1.5\n"), []string{"serverless[2].spotDiscount"}},
		{"unknown pricing option", edit(t, "Spot: 0.036", "Cheap: 0.036"), []string{"dedicated.instanceTypes[0].hourlyUSD.Cheap"}},
		{"no on-demand fallback", edit(t, "OnDemand: {vcpuHourUSD: 0.0352, gibHourUSD: 0.0032}", ""), []string{"dedicated.fallback.OnDemand: required"}},
		{"broken YAML names the line", []byte("apiVersion: spillway.dev/v1alpha1\nkind: [\n"), []string{"prices.yaml", "line"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.data, "prices.yaml")
			if err == nil {
				t.Fatal("Load accepted a broken catalog")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// FuzzLoad: Load never panics, and what it accepts validates and survives
// a round trip.
func FuzzLoad(f *testing.F) {
	f.Add(defaultYAML)
	f.Add([]byte("apiVersion: spillway.dev/v1alpha1\nkind: PriceCatalog\n"))
	f.Add([]byte("serverless: [{name: x, shape: {combinations: [{vcpu: 1, minGiB: 1, maxGiB: 1e9, stepGiB: 1e-9}]}}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Load(data, "fuzz.yaml")
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Load accepted an invalid catalog: %v", err)
		}
		out, err := yaml.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Load(out, "again.yaml")
		if err != nil {
			t.Fatalf("round trip: %v\n%s", err, out)
		}
		if diff := cmp.Diff(c, again, cmpopts.IgnoreUnexported(Catalog{}), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("round trip (-first +second):\n%s", diff)
		}
	})
}
