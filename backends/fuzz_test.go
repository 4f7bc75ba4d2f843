package backends

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func FuzzLoad(f *testing.F) {
	f.Add(defaultYAML)
	f.Add([]byte(baseYAML))
	f.Add([]byte(baseYAML + secondBackend))
	if js, err := json.Marshal(Default()); err == nil {
		f.Add(js)
	}
	f.Add([]byte("backends: [{name: a, limits: {maxCPU: 1e400}}]"))
	f.Add([]byte("{apiVersion: spillway.dev/v1alpha1, kind: BackendCatalog, updated: 2026-01-02}"))
	nodes := nodeCases()
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Load(data, "fuzz")
		if err != nil {
			if c != nil {
				t.Fatal("Load returned a catalog and an error")
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Load accepted a catalog that does not validate: %v", err)
		}
		p := NewPodProfile(testPod())
		for _, n := range nodes {
			if b := c.ForNode(n); b != nil {
				b.Admit(&p)
				b.AdmitQuota(&p, 0)
			}
		}
		c.VirtualTaints()
		js, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		c2, err := Load(js, "re-encoded")
		if err != nil {
			t.Fatalf("the re-encoded catalog does not load: %v\n%s", err, js)
		}
		if diff := cmp.Diff(c, c2, catalogCmp); diff != "" {
			t.Fatalf("re-encoding changed the catalog (-first +second):\n%s", diff)
		}
		if _, err := Default().WithOverrides(c); err != nil {
			// Overrides of a valid catalog by a valid one can only clash on
			// duplicate names, which replacement rules out.
			t.Fatalf("WithOverrides: %v", err)
		}
	})
}

func FuzzPodProfile(f *testing.F) {
	yes := true
	for _, p := range []*v1.Pod{
		testPod(),
		testPod(ownedByDaemonSet, hostPathVolume, privilegedInit, gpuLimit, livenessProbe, preStop),
		testPod(withResources("6", "17Gi"), hostNetwork, hostPort, pvcVolume),
		testPod(func(p *v1.Pod) {
			p.Spec.Overhead = v1.ResourceList{v1.ResourceCPU: resource.MustParse("1")}
			p.Spec.Resources = &v1.ResourceRequirements{Requests: v1.ResourceList{v1.ResourceCPU: resource.MustParse("3")}}
			p.Spec.EphemeralContainers = []v1.EphemeralContainer{{EphemeralContainerCommon: v1.EphemeralContainerCommon{
				Name: "debug", SecurityContext: &v1.SecurityContext{Privileged: &yes}}}}
			p.Spec.Volumes = append(p.Spec.Volumes, v1.Volume{Name: "empty"})
		}),
	} {
		js, err := json.Marshal(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(js)
	}
	f.Add([]byte(`{"spec":{"containers":[{"name":"a","resources":{"requests":{"cpu":"1e3","memory":"-1"}}}]}}`))
	c := Default()
	f.Fuzz(func(t *testing.T, data []byte) {
		var pod v1.Pod
		if err := json.Unmarshal(data, &pod); err != nil {
			return
		}
		p := NewPodProfile(&pod)
		if len(p.Volumes) != len(pod.Spec.Volumes) {
			t.Fatalf("%d volume refs for %d volumes", len(p.Volumes), len(pod.Spec.Volumes))
		}
		for i := range c.Backends {
			b := &c.Backends[i]
			if v := b.Admit(&p); v != nil {
				if v.Backend != b.Name || v.Error() == "" {
					t.Fatalf("bad violation %+v", v)
				}
				if f := v.Rule.Feature(); f != 0 && p.Features&f == 0 {
					t.Fatalf("%s refused for %s, which the profile lacks (%v)", b.Name, v.Rule, p.Features)
				}
			}
			b.AdmitQuota(&p, 0)
		}
	})
}
