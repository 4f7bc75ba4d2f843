package cost

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"sigs.k8s.io/yaml"
)

const gib = 1 << 30

// TestDefault guards the embedded catalog: it loads, validates, is dated,
// and has the backends the other packages name.
func TestDefault(t *testing.T) {
	c, err := Load(defaultYAML, "catalog.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := Default().Validate(); err != nil {
		t.Errorf("Default() does not validate: %v", err)
	}
	if diff := cmp.Diff(c, Default(), cmpopts.IgnoreUnexported(Catalog{})); diff != "" {
		t.Errorf("Default() differs from the embedded file (-file +Default):\n%s", diff)
	}
	if _, err := time.Parse(time.DateOnly, Default().Updated); err != nil {
		t.Errorf("updated: %v", err)
	}
	for _, name := range []string{"fargate", "aci", "cloudrun"} {
		if _, ok := Default().Serverless(name); !ok {
			t.Errorf("no serverless price %q", name)
		}
	}
	for _, name := range []string{"m5.large", "m5.xlarge", "m5.2xlarge", "m6i.xlarge", "Standard_D2s_v5", "Standard_D4s_v5", "Standard_D8s_v5"} {
		if _, ok := Default().InstanceType(name); !ok {
			t.Errorf("no instance type %q", name)
		}
	}
	y := DefaultYAML()
	y[0] = 'X'
	if defaultYAML[0] == 'X' {
		t.Error("DefaultYAML returned the embedded slice, not a copy")
	}
}

func TestParsePricingOption(t *testing.T) {
	for _, s := range []string{"OnDemand", "Reserved", "Spot"} {
		if got, err := ParsePricingOption(s); err != nil || string(got) != s {
			t.Errorf("ParsePricingOption(%q) = %q, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "ondemand", "spot", "OnDemand "} {
		if _, err := ParsePricingOption(s); err == nil {
			t.Errorf("ParsePricingOption(%q) accepted", s)
		}
	}
}

// edit returns the default catalog's text with replacements: from, to,
// from, to...; each from must occur exactly once.
func edit(t *testing.T, fromTo ...string) []byte {
	t.Helper()
	s := string(defaultYAML)
	for i := 0; i+1 < len(fromTo); i += 2 {
		if n := strings.Count(s, fromTo[i]); n != 1 {
			t.Fatalf("the default catalog has %d of %q, want 1", n, fromTo[i])
		}
		s = strings.Replace(s, fromTo[i], fromTo[i+1], 1)
	}
	return []byte(s)
}

// lineOf is the 1-based line of the first occurrence of s in data.
func lineOf(t *testing.T, data []byte, s string) int {
	t.Helper()
	i := strings.Index(string(data), s)
	if i < 0 {
		t.Fatalf("%q not in the catalog", s)
	}
	return strings.Count(string(data[:i]), "\n") + 1
}

func TestLoadErrors(t *testing.T) {
	type want struct {
		path, msg string
		at        string // text that starts on the reported line; "" = no line
		off       int    // lines after at's
	}
	tests := []struct {
		name string
		data []byte
		want []want
	}{
		{"unknown field: a typo in a field name", edit(t, "vcpuHourUSD: 0.04048", "vcpuHourUsd: 0.04048"),
			[]want{{"serverless[0].vcpuHourUsd", `unknown field, did you mean "vcpuHourUSD"?`, "vcpuHourUsd", 0}}},
		{"unknown field lists the known ones", edit(t, "  minimumBilledSeconds: 60", "  minimumSeconds: 60"),
			[]want{{"serverless[0].minimumSeconds", "unknown field (known: gibHourUSD, granularitySeconds, minimumBilledSeconds,", "minimumSeconds", 0}}},
		{"NaN price", edit(t, "vcpuHourUSD: 0.045", "vcpuHourUSD: .nan"),
			[]want{{"serverless[1].vcpuHourUSD", "must be a finite number, got .nan", ".nan", 0}}},
		{"infinite price in a map", edit(t, "vcpuHourUSD: 0.03335", "vcpuHourUSD: -.Inf"),
			[]want{{"dedicated.fallback.OnDemand.vcpuHourUSD", "must be a finite number, got -.Inf", "-.Inf", 0}}},
		{"infinite vCPU in a list", edit(t, "{vcpu: 16,", "{vcpu: .inf,"),
			[]want{{"serverless[0].shape.combinations[7].vcpu", "must be a finite number, got .inf", ".inf", 0}}},
		{"negative price", edit(t, "vcpuHourUSD: 0.045", "vcpuHourUSD: -0.045"),
			[]want{{"serverless[1].vcpuHourUSD", "must be > 0", "-0.045", 0}}},
		{"zero memory price", edit(t, "gibHourUSD: 0.009", "gibHourUSD: 0"),
			[]want{{"serverless[2].gibHourUSD", "must be > 0", "gibHourUSD: 0\n", 0}}},
		{"missing updated date", edit(t, "updated: \"2026-11-22\"\n", ""),
			[]want{{"updated", "required", "", 0}}},
		{"updated not a date", edit(t, `updated: "2026-11-22"`, `updated: "22/11/2026"`),
			[]want{{"updated", "must be a date YYYY-MM-DD", "22/11/2026", 0}}},
		{"wrong apiVersion", edit(t, "apiVersion: spillway.dev/v1alpha1", "apiVersion: spillway.dev/v1"),
			[]want{{"apiVersion", `must be "spillway.dev/v1alpha1", got "spillway.dev/v1"`, "apiVersion: spillway.dev/v1\n", 0}}},
		{"wrong kind", edit(t, "kind: PriceCatalog", "kind: BackendCatalog"),
			[]want{{"kind", `must be "PriceCatalog"`, "kind: BackendCatalog", 0}}},
		{"other currency", edit(t, "currency: USD", "currency: EUR"),
			[]want{{"currency", `must be "USD"`, "currency: EUR", 0}}},
		{"duplicate serverless name", edit(t, "name: cloudrun", "name: aci"),
			[]want{{"serverless[2].name", `duplicate name "aci"`, "name: aci\n  sources:\n  - \"Google", 0}}},
		{"duplicate instance type", edit(t, "name: m5.2xlarge", "name: m5.xlarge"),
			[]want{{"dedicated.instanceTypes[2].name", `duplicate name "m5.xlarge"`, "name: m5.xlarge\n    provider: aws\n    vcpu: 8", 0}}},
		{"combinations not in ascending vCPU order", edit(t, "{vcpu: 0.5, minGiB: 1", "{vcpu: 0.2, minGiB: 1"),
			[]want{{"serverless[0].shape.combinations[2].vcpu", "ascending vCPU order: 0.2 after 0.25", "{vcpu: 0.2, ", 0}}},
		{"memory ranges of one vCPU overlap", edit(t, "{vcpu: 0.25, minGiB: 1, maxGiB: 2", "{vcpu: 0.25, minGiB: 0.5, maxGiB: 2"),
			[]want{{"serverless[0].shape.combinations[1].minGiB", "must be above the previous combination's maxGiB 0.5", "minGiB: 0.5, maxGiB: 2", 0}}},
		{"maxGiB off the steps", edit(t, "maxGiB: 60, stepGiB: 4", "maxGiB: 62, stepGiB: 4"),
			[]want{{"serverless[0].shape.combinations[6].maxGiB", "must be minGiB plus a whole number of stepGiB", "maxGiB: 62", 0}}},
		{"vCPU finer than a millicore", edit(t, "{vcpu: 16,", "{vcpu: 16.0001,"),
			[]want{{"serverless[0].shape.combinations[7].vcpu", "whole number of millicores", "16.0001", 0}}},
		{"step rounding with combinations", edit(t, "    memoryOverheadMiB: 256", "    memoryOverheadMiB: 256\n    cpuStepMilli: 10"),
			[]want{{"serverless[0].shape.cpuStepMilli", "not allowed with combinations", "cpuStepMilli: 10", 0}}},
		{"no step rule", edit(t, "    cpuStepMilli: 1\n", ""),
			[]want{{"serverless[2].shape.cpuStepMilli", "must be between 1 and", "shape:\n    memoryStepMiB: 1", 0}}},
		{"spotDiscount above 1", edit(t, "spotDiscount: 0.7", "spotDiscount: 1.5"),
			[]want{{"serverless[1].spotDiscount", "must be between 0 and 1, got 1.5", "spotDiscount: 1.5", 0}}},
		{"granularity 0", edit(t, "  granularitySeconds: 1\n  spotDiscount: 0.7", "  granularitySeconds: 0\n  spotDiscount: 0.7"),
			[]want{{"serverless[1].granularitySeconds", "must be between 1", "granularitySeconds: 0", 0}}},
		{"fractional seconds", edit(t, "minimumBilledSeconds: 60", "minimumBilledSeconds: 60.5"),
			[]want{{"serverless[0].minimumBilledSeconds", "must be a whole number, got 60.5", "60.5", 0}}},
		{"price as text", edit(t, "vcpuHourUSD: 0.0864", "vcpuHourUSD: cheap"),
			[]want{{"serverless[2].vcpuHourUSD", "must be a number, got a string", "cheap", 0}}},
		{"no sources", edit(t, "  - \"Google Cloud Run pricing, tier 1 regions, request-based billing: $0.000024 per vCPU-second ($0.0864 per vCPU-hour), $0.0000025 per GiB-second ($0.009 per GiB-hour)\"\n", ""),
			[]want{{"serverless[2].sources", "at least one source", "name: cloudrun", 1}}},
		{"unknown pricing option", edit(t, "Spot: 0.036", "Cheap: 0.036"),
			[]want{{"dedicated.instanceTypes[0].hourlyUSD.Cheap", `unknown pricing option "Cheap"`, "Cheap", 0}}},
		{"reserved above on demand", edit(t, "Reserved: 0.121, Spot: 0.072", "Reserved: 0.5, Spot: 0.072"),
			[]want{{"dedicated.instanceTypes[1].hourlyUSD.Reserved", "must not be above the OnDemand price", "Reserved: 0.5", 0}}},
		{"no on-demand price", edit(t, "hourlyUSD: {OnDemand: 0.384}", "hourlyUSD: {}"),
			[]want{{"dedicated.instanceTypes[6].hourlyUSD.OnDemand", "required", "hourlyUSD: {}", 0}}},
		{"no on-demand fallback", edit(t, "    OnDemand: {vcpuHourUSD: 0.03335, gibHourUSD: 0.003662}\n", ""),
			[]want{{"dedicated.fallback.OnDemand", "required", "fallback:", 0}}},
		{"several problems at once", edit(t, "kind: PriceCatalog", "kind: Prices", "gibHourUSD: 0.009", "gibHourUSD: -1", "Spot: 0.144", "Spot: 1"),
			[]want{{"kind", "must be", "kind: Prices", 0}, {"serverless[2].gibHourUSD", "must be > 0", "gibHourUSD: -1", 0},
				{"dedicated.instanceTypes[2].hourlyUSD.Spot", "must not be above the OnDemand price 0.384, got 1", "Spot: 1", 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.data, "prices.yaml")
			if err == nil {
				t.Fatal("Load accepted a broken catalog")
			}
			got := fieldErrors(err)
			for _, e := range got {
				if e.Source != "prices.yaml" || !strings.HasPrefix(e.Error(), "prices.yaml: ") {
					t.Errorf("error %q is not prefixed with the source", e)
				}
			}
			for _, w := range tt.want {
				e := findError(got, w.path, w.msg)
				if e == nil {
					t.Errorf("no error at %q containing %q in:\n%v", w.path, w.msg, err)
					continue
				}
				wantLine := 0
				if w.at != "" {
					wantLine = lineOf(t, tt.data, w.at) + w.off
				}
				if e.Line != wantLine {
					t.Errorf("%q: line %d, want %d", e, e.Line, wantLine)
				}
				if w.path != "" && !strings.Contains(e.Error(), "prices.yaml: "+w.path+": ") {
					t.Errorf("%q does not read source: path: message", e)
				}
			}
		})
	}
}

// fieldErrors unpacks Load's joined errors, each of which must be a
// *FieldError.
func fieldErrors(err error) []*FieldError {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	var out []*FieldError
	for _, e := range errs {
		var fe *FieldError
		if errors.As(e, &fe) {
			out = append(out, fe)
		} else {
			out = append(out, &FieldError{Msg: "NOT A *FieldError: " + e.Error()})
		}
	}
	return out
}

func findError(errs []*FieldError, path, msg string) *FieldError {
	for _, e := range errs {
		if e.Path == path && strings.Contains(e.Msg, msg) {
			return e
		}
	}
	return nil
}

func TestLoadSyntaxErrorsGiveTheLine(t *testing.T) {
	for _, tt := range []struct {
		name, data string
		line       int
	}{
		{"unclosed flow sequence", "apiVersion: spillway.dev/v1alpha1\nkind: PriceCatalog\nserverless: [\n", 3},
		{"duplicate key", "apiVersion: spillway.dev/v1alpha1\nkind: PriceCatalog\nkind: PriceCatalog\n", 3},
		{"tab indentation", "apiVersion: a\ndedicated:\n\tfallback: {}\n", 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load([]byte(tt.data), "prices.yaml")
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FieldError", err)
			}
			if !strings.HasPrefix(err.Error(), "prices.yaml: invalid YAML: ") || fe.Line != tt.line {
				t.Errorf("error %q (line %d), want prices.yaml: invalid YAML: ... (line %d)", err, fe.Line, tt.line)
			}
		})
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "prices.yaml")
	if err := os.WriteFile(good, DefaultYAML(), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Default(), c, cmpopts.IgnoreUnexported(Catalog{})); diff != "" {
		t.Errorf("LoadFile (-Default +file):\n%s", diff)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, edit(t, "gibHourUSD: 0.009", "gibHourUSD: -1"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(bad); err == nil || !strings.HasPrefix(err.Error(), bad+": serverless[2].gibHourUSD: must be > 0") {
		t.Errorf("LoadFile(bad) = %v", err)
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("LoadFile(missing) = %v", err)
	}
}

// A Catalog built in code, not by Load, has no indexes: lookups still work.
func TestLookupsWithoutLoad(t *testing.T) {
	c := &Catalog{
		ServerlessPrices: []ServerlessPrice{{Name: "a"}, {Name: "b"}},
		Dedicated:        DedicatedPrices{InstanceTypes: []InstanceType{{Name: "x", HourlyUSD: map[PricingOption]float64{OnDemand: 1}}}},
	}
	if p, ok := c.Serverless("b"); !ok || p != &c.ServerlessPrices[1] {
		t.Errorf("Serverless(b) = %v, %v", p, ok)
	}
	if _, ok := c.Serverless("c"); ok {
		t.Error("Serverless(c) found")
	}
	if usd, known := c.VMHourlyUSD("x", 0, 0, Spot); usd != 1 || !known {
		t.Errorf("VMHourlyUSD(x) = %v, %v", usd, known)
	}
}

func TestValidateWithoutSource(t *testing.T) {
	c := *Default()
	c.Currency = "EUR"
	err := c.Validate()
	if err == nil || err.Error() != `currency: must be "USD" (the only currency supported), got "EUR"` {
		t.Errorf("Validate() = %v", err)
	}
}

// FuzzLoad: Load never panics; a catalog it accepts validates, survives a
// round trip through YAML unchanged, and bills without panics or
// non-finite prices.
func FuzzLoad(f *testing.F) {
	f.Add(defaultYAML)
	f.Add([]byte("apiVersion: spillway.dev/v1alpha1\nkind: PriceCatalog\nupdated: \"2026-01-01\"\ncurrency: USD\ndedicated: {fallback: {OnDemand: {vcpuHourUSD: 1, gibHourUSD: 1}}}\n"))
	f.Add([]byte("serverless: [{name: x, shape: {combinations: [{vcpu: 1, minGiB: 1, maxGiB: 1e9, stepGiB: 1e-9}]}}]"))
	f.Add([]byte("serverless: [{name: x, vcpuHourUsd: 1}]\nkind: [\n"))
	f.Add([]byte("dedicated: {fallback: {\"a.b\": {}}, instanceTypes: [{hourlyUSD: {Spot: x}}]}"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Load(data, "fuzz.yaml")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml: ") {
				t.Fatalf("error without the source: %v", err)
			}
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
			t.Fatalf("the round trip does not load: %v\n%s", err, out)
		}
		if !cmp.Equal(c, again, cmpopts.IgnoreUnexported(Catalog{}), cmpopts.EquateEmpty()) {
			t.Errorf("round trip (-first +second):\n%s", cmp.Diff(c, again, cmpopts.IgnoreUnexported(Catalog{}), cmpopts.EquateEmpty()))
		}
		for i := range c.ServerlessPrices {
			p := &c.ServerlessPrices[i]
			for _, r := range [][2]int64{{0, 0}, {250, gib / 2}, {4000, 16 * gib}, {1 << 62, 1 << 62}} {
				if b, err := p.Bill(r[0], r[1], 3600, true); err == nil && !(b.USD >= 0 && b.USD < 1e300) {
					t.Errorf("%s: Bill(%d, %d) = %+v", p.Name, r[0], r[1], b)
				}
			}
		}
		for _, opt := range []PricingOption{OnDemand, Reserved, Spot} {
			if usd, _ := c.VMHourlyUSD("unlisted", 1<<62, 1<<62, opt); !(usd > 0 && usd < 1e300) {
				t.Errorf("VMHourlyUSD(unlisted, %s) = %v", opt, usd)
			}
		}
	})
}
