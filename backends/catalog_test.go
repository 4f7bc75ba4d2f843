package backends

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"
)

// catalogCmp compares catalogs by their exported content.
var catalogCmp = cmp.Options{
	cmpopts.IgnoreUnexported(Catalog{}, Backend{}),
	cmp.Comparer(func(a, b resource.Quantity) bool { return a.Cmp(b) == 0 }),
}

func TestDefault(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Default() does not validate: %v", err)
	}
	type entry struct {
		Name, Pricing string
		Refuses       int
		Volumes       int
	}
	var got []entry
	for _, b := range c.Backends {
		got = append(got, entry{b.Name, b.Pricing, len(b.Refuses), len(b.AllowedVolumes)})
	}
	want := []entry{
		{"aci", "aci", 11, 6},
		{"fargate", "fargate", 6, 0},
		{"liqo", "", 1, 0},
		{"admiralty", "", 1, 0},
		{"interlink", "", 4, 0},
		{"virtual-kubelet", "", 4, 0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("default catalog (-want +got):\n%s", diff)
	}
	aci, _ := c.Backend("aci")
	limits := map[string]string{"maxCPU": aci.Limits.MaxCPU.String(), "maxMemory": aci.Limits.MaxMemory.String(), "quotaCPU": aci.Limits.QuotaCPU.String()}
	if diff := cmp.Diff(map[string]string{"maxCPU": "4", "maxMemory": "16Gi", "quotaCPU": "100"}, limits); diff != "" {
		t.Errorf("aci limits (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Latency{P50: 25, P95: 60}, aci.StartupSeconds); diff != "" {
		t.Errorf("aci startupSeconds (-want +got):\n%s", diff)
	}
	for _, b := range c.Backends {
		if len(b.Sources) == 0 || b.DisplayName == "" || b.Notes == "" {
			t.Errorf("%s: sources, displayName and notes must be filled in", b.Name)
		}
	}
	if _, ok := c.Backend("nope"); ok {
		t.Error(`Backend("nope") found something`)
	}
	// Each call is a fresh copy.
	aci.Sources[0] = "changed"
	aci2, _ := Default().Backend("aci")
	if aci2.Sources[0] == "changed" {
		t.Error("Default() shares memory between calls")
	}
}

// Loading what a catalog marshals to gives the same catalog: the decoder
// knows every field.
func TestLoadRoundTrip(t *testing.T) {
	d := Default()
	js, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	ys, err := yaml.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"json": js, "yaml": ys} {
		c, err := Load(data, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(d, c, catalogCmp); diff != "" {
			t.Errorf("%s round trip (-want +got):\n%s", name, diff)
		}
	}
}

const baseYAML = `apiVersion: spillway.dev/v1alpha1
kind: BackendCatalog
updated: "2026-01-02"
backends:
- name: a
  displayName: A
  sources: [test]
  detect:
  - taint: {key: example.com/a}
  refuses: [DaemonSetPod]
  startupSeconds: {p50: 1, p95: 2}
`

const secondBackend = `- name: b
  displayName: B
  sources: [test]
  detect:
  - labels: {example.com/b: "true"}
  startupSeconds: {p50: 1, p95: 2}
`

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want []string // the error's lines start with these, in order
	}{
		{"unknown field", strings.Replace(baseYAML, "  displayName: A\n", "  displayName: A\n  colour: red\n", 1),
			[]string{"t.yaml: backends[0].colour: unknown field (known: allowedVolumes, detect, displayName, limits, name, notes, pricing, refuses, sources, startupSeconds)"}},
		{"unknown field in a matcher", strings.Replace(baseYAML, "{key: example.com/a}", "{key: example.com/a, effects: NoSchedule}", 1),
			[]string{"t.yaml: backends[0].detect[0].taint.effects: unknown field"}},
		{"unknown top-level field", baseYAML + "extra: 1\n", []string{"t.yaml: extra: unknown field"}},
		{"unknown rule", strings.Replace(baseYAML, "[DaemonSetPod]", "[DaemonSetPod, Priviledged]", 1),
			[]string{`t.yaml: backends[0].refuses[1]: unknown rule "Priviledged"`}},
		{"bad quantity", strings.Replace(baseYAML, "  refuses:", "  limits: {maxCPU: four}\n  refuses:", 1),
			[]string{`t.yaml: backends[0].limits.maxCPU: invalid quantity "four"`}},
		{"quantity of the wrong type", strings.Replace(baseYAML, "  refuses:", "  limits: {maxMemory: [1]}\n  refuses:", 1),
			[]string{`t.yaml: backends[0].limits.maxMemory: want a quantity`}},
		{"zero quantity", strings.Replace(baseYAML, "  refuses:", "  limits: {quotaCPU: 0}\n  refuses:", 1),
			[]string{`t.yaml: backends[0].limits.quotaCPU: want a positive quantity, got 0`}},
		{"missing name", strings.Replace(baseYAML, "- name: a\n", "- notes: nameless\n", 1),
			[]string{"t.yaml: backends[0].name: required"}},
		{"bad name", strings.Replace(baseYAML, "- name: a\n", "- name: A_1\n", 1),
			[]string{`t.yaml: backends[0].name: "A_1": `}},
		{"duplicate names", baseYAML + strings.Replace(secondBackend, "name: b", "name: a", 1),
			[]string{`t.yaml: backends[1].name: duplicate name "a" (also backends[0])`}},
		{"matcher with neither labels nor taint", strings.Replace(baseYAML, "  - taint: {key: example.com/a}\n", "  - {}\n", 1),
			[]string{"t.yaml: backends[0].detect[0]: a matcher needs labels or a taint"}},
		{"no matcher", strings.Replace(baseYAML, "  - taint: {key: example.com/a}\n", "", 1),
			[]string{"t.yaml: backends[0].detect: at least one matcher is required"}},
		{"bad taint effect", strings.Replace(baseYAML, "{key: example.com/a}", "{key: example.com/a, effect: NoScheduling}", 1),
			[]string{`t.yaml: backends[0].detect[0].taint.effect: want NoSchedule, PreferNoSchedule, NoExecute or empty (any), got "NoScheduling"`}},
		{"unquoted label value", strings.Replace(baseYAML, "  - taint: {key: example.com/a}\n", "  - labels: {managed: false}\n", 1),
			[]string{`t.yaml: backends[0].detect[0].labels["managed"]: want a string, got a boolean (quote it)`}},
		{"bad label key", strings.Replace(baseYAML, "  - taint: {key: example.com/a}\n", "  - labels: {\"a b\": x}\n", 1),
			[]string{`t.yaml: backends[0].detect[0].labels["a b"]: invalid label key`}},
		{"limit rule in refuses", strings.Replace(baseYAML, "[DaemonSetPod]", "[MaxCPU]", 1),
			[]string{"t.yaml: backends[0].refuses[0]: MaxCPU follows from limits.maxCPU: set that instead"}},
		{"duplicate rule", strings.Replace(baseYAML, "[DaemonSetPod]", "[DaemonSetPod, DaemonSetPod]", 1),
			[]string{`t.yaml: backends[0].refuses[1]: duplicate rule "DaemonSetPod"`}},
		{"unknown volume type", strings.Replace(baseYAML, "  refuses:", "  allowedVolumes: [emptyDir, hostpath]\n  refuses:", 1),
			[]string{`t.yaml: backends[0].allowedVolumes[1]: unknown volume type "hostpath"`}},
		{"hostPath allowed and refused", strings.Replace(baseYAML, "[DaemonSetPod]", "[HostPathVolume]\n  allowedVolumes: [hostPath]", 1),
			[]string{"t.yaml: backends[0].allowedVolumes[0]: hostPath is allowed here but refuses lists HostPathVolume"}},
		{"p95 below p50", strings.Replace(baseYAML, "{p50: 1, p95: 2}", "{p50: 3, p95: 2}", 1),
			[]string{"t.yaml: backends[0].startupSeconds.p95: want a finite number of seconds >= p50 (3), got 2"}},
		{"no sources", strings.Replace(baseYAML, "  sources: [test]\n", "", 1),
			[]string{"t.yaml: backends[0].sources: at least one source is required"}},
		{"bad apiVersion and date", strings.NewReplacer("v1alpha1", "v1", `"2026-01-02"`, `"2026-02-30"`).Replace(baseYAML),
			[]string{`t.yaml: apiVersion: want "spillway.dev/v1alpha1", got "spillway.dev/v1"`, `t.yaml: updated: want a date YYYY-MM-DD, got "2026-02-30"`}},
		{"no backends", strings.Split(baseYAML, "backends:")[0] + "backends: []\n", []string{"t.yaml: backends: at least one backend is required"}},
		{"several problems at once", baseYAML + strings.NewReplacer("name: b", "name: a", `{example.com/b: "true"}`, "{}").Replace(secondBackend),
			[]string{`t.yaml: backends[1].name: duplicate name "a"`, "t.yaml: backends[1].detect[0]: a matcher needs labels or a taint"}},
		{"NaN", strings.Replace(baseYAML, "{p50: 1, p95: 2}", "{p50: .nan, p95: 2}", 1),
			[]string{"t.yaml: backends[0].startupSeconds.p50: must be a finite number, got .nan (line "}},
		{"duplicate key", baseYAML + "kind: Other\n", []string{"t.yaml: not valid YAML"}},
		{"not YAML", "backends: [", []string{"t.yaml: not valid YAML"}},
		{"empty", "", []string{"t.yaml: empty catalog"}},
		{"a list", "- 1\n", []string{"t.yaml: want a map, got a list"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load([]byte(tc.yaml), "t.yaml")
			if err == nil {
				t.Fatalf("Load accepted:\n%s", tc.yaml)
			}
			if c != nil {
				t.Error("Load returned a catalog with an error")
			}
			lines := strings.Split(err.Error(), "\n")
			got := make([]string, len(lines))
			for i, l := range lines {
				got[i] = l
				if i < len(tc.want) && len(l) > len(tc.want[i]) {
					got[i] = l[:len(tc.want[i])]
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("error lines (-want +got):\n%s\nfull error:\n%v", diff, err)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Source != "t.yaml" {
				t.Errorf("error is not a *FieldError with the source: %#v", err)
			}
		})
	}
	if _, err := Load([]byte(baseYAML+secondBackend), "t.yaml"); err != nil {
		t.Errorf("the base catalog is invalid: %v", err)
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "backends.yaml")
	if err := os.WriteFile(good, []byte(baseYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Backend("a"); !ok {
		t.Error("backend a missing")
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(strings.Replace(baseYAML, "DaemonSetPod", "Priviledged", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = LoadFile(bad)
	if want := bad + `: backends[0].refuses[0]: unknown rule "Priviledged"`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("LoadFile error = %v, want prefix %q", err, want)
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("LoadFile of a missing file: %v", err)
	}
}

func TestWithOverrides(t *testing.T) {
	d := Default()
	o, err := Load([]byte(`apiVersion: spillway.dev/v1alpha1
kind: BackendCatalog
updated: "2027-03-04"
backends:
- name: foo
  displayName: Foo
  sources: [ours]
  detect: [{taint: {key: virtual-kubelet.io/provider, value: foo}}]
  startupSeconds: {p50: 1, p95: 2}
- name: aci
  displayName: ACI, Virtual Nodes v2
  sources: [ours]
  detect: [{taint: {key: virtual-kubelet.io/provider, value: azure}}]
  pricing: aci
  limits: {maxCPU: "4", maxMemory: 16Gi}
  refuses: [DaemonSetPod]
  startupSeconds: {p50: 20, p95: 40}
- name: bar
  displayName: Bar
  sources: [ours]
  detect: [{labels: {example.com/bar: "yes"}}]
  startupSeconds: {p50: 1, p95: 2}
`), "override.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.WithOverrides(o)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range c.Backends {
		names = append(names, b.Name)
	}
	if diff := cmp.Diff([]string{"aci", "fargate", "liqo", "admiralty", "interlink", "foo", "bar", "virtual-kubelet"}, names); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	aci, _ := c.Backend("aci")
	if aci.DisplayName != "ACI, Virtual Nodes v2" || aci.Limits.QuotaCPU != nil {
		t.Errorf("aci not replaced: %+v", aci)
	}
	p := NewPodProfile(testPod(plainInit))
	if v := aci.Admit(&p); v != nil {
		t.Errorf("replaced aci still refuses init containers: %v", v)
	}
	if c.Updated != "2027-03-04" {
		t.Errorf("Updated = %q, want the later date", c.Updated)
	}
	// d and o are untouched, and c shares nothing with them.
	if diff := cmp.Diff(Default(), d, catalogCmp); diff != "" {
		t.Errorf("WithOverrides changed its receiver (-want +got):\n%s", diff)
	}
	c.Backends[1].Sources[0] = "changed"
	if f, _ := d.Backend("fargate"); f.Sources[0] == "changed" {
		t.Error("the result shares memory with the receiver")
	}
	if b := c.ForNode(node(map[string]string{"example.com/bar": "yes"})); b == nil || b.Name != "bar" {
		t.Errorf("bar's node detected as %v", b)
	}

	// Replacing the generic entry keeps it in place, last.
	g, err := Load([]byte(strings.Replace(strings.Replace(baseYAML, "name: a", "name: virtual-kubelet", 1), "example.com/a", "virtual-kubelet.io/provider", 1)), "generic.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c2, err := d.WithOverrides(g)
	if err != nil {
		t.Fatal(err)
	}
	if last := c2.Backends[len(c2.Backends)-1]; last.Name != GenericBackend || last.DisplayName != "A" || len(c2.Backends) != len(d.Backends) {
		t.Errorf("generic override: last backend %+v of %d", last, len(c2.Backends))
	}
	// A nil override is a copy.
	c3, err := d.WithOverrides(nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d, c3, catalogCmp); diff != "" {
		t.Errorf("WithOverrides(nil) (-want +got):\n%s", diff)
	}
	// Without a generic entry, new backends are appended.
	base, err := Load([]byte(baseYAML), "base.yaml")
	if err != nil {
		t.Fatal(err)
	}
	two, err := Load([]byte(strings.Split(baseYAML, "backends:")[0]+"backends:\n"+secondBackend), "b.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c4, err := base.WithOverrides(two)
	if err != nil {
		t.Fatal(err)
	}
	if len(c4.Backends) != 2 || c4.Backends[1].Name != "b" {
		t.Errorf("append: %+v", c4.Backends)
	}
	// The result is validated.
	broken := o.clone()
	broken.Backends[0].Refuses = []Rule{"Nope"}
	if _, err := d.WithOverrides(broken); err == nil || !strings.Contains(err.Error(), `backends[5].refuses[0]: unknown rule "Nope"`) {
		t.Errorf("WithOverrides with an invalid backend: %v", err)
	}
}
