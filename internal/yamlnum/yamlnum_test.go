package yamlnum

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFind(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want *NonFinite
	}{
		{"finite numbers", "a: 1\nb: [1.5, -2e3]\n", nil},
		{"not YAML", "a: [\n", nil},
		{"a string that says nan", "a: \".nan\"\n", nil},
		{"NaN in a list of maps", "serverless:\n- name: aci\n  vcpuHourUSD: .nan\n", &NonFinite{"serverless[0].vcpuHourUSD", 3, ".nan"}},
		{"minus infinity under a map key", "fallback:\n  OnDemand: {vcpuHourUSD: -.Inf}\n", &NonFinite{"fallback.OnDemand.vcpuHourUSD", 2, "-.Inf"}},
		{"beyond float64 is a string to YAML", "a:\n  b: 1e999\n", nil},
		{"an odd key", "m:\n  \"a b\": .INF\n", &NonFinite{`m["a b"]`, 2, ".INF"}},
		{"the first of two", "x: .nan\ny: .inf\n", &NonFinite{"x", 1, ".nan"}},
		{"at its anchor, not its alias", "a: &v .nan\nb: *v\n", &NonFinite{"a", 1, ".nan"}},
		{"a billion laughs in no time", "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\ni: [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\nz: .nan\n", &NonFinite{"z", 10, ".nan"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Find([]byte(tt.doc))
			var gotp *NonFinite
			if ok {
				gotp = &got
			}
			if diff := cmp.Diff(tt.want, gotp); diff != "" {
				t.Errorf("Find (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzFind: any input is walked without a panic, in time, and what is
// found is a float spelled as NaN or an infinity, on a line of the input.
func FuzzFind(f *testing.F) {
	f.Add([]byte("serverless:\n- name: aci\n  vcpuHourUSD: .nan\n"))
	f.Add([]byte("a: &a [1, .inf]\nb: [*a, *a]\nc: {\"k k\": -.Inf}\n"))
	f.Add([]byte("a: [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		nf, ok := Find(data)
		if !ok {
			return
		}
		if finite(nf.Value) || nf.Line < 1 || nf.Line > strings.Count(string(data), "\n")+strings.Count(string(data), "\r")+1 {
			t.Fatalf("Find = %+v", nf)
		}
	})
}
