package backends

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// podOpt changes a pod built by testPod.
type podOpt func(*v1.Pod)

// testPod is a plain web pod that every default backend accepts: one
// container "web" requesting 1 CPU and 2Gi, and the volumes a typical pod has.
func testPod(opts ...podOpt) *v1.Pod {
	p := &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "default"},
		Spec: v1.PodSpec{
			Containers: []v1.Container{{
				Name:      "web",
				Image:     "nginx",
				Ports:     []v1.ContainerPort{{ContainerPort: 80}},
				Resources: requests("1", "2Gi"),
			}},
			Volumes: []v1.Volume{
				{Name: "config", VolumeSource: v1.VolumeSource{ConfigMap: &v1.ConfigMapVolumeSource{}}},
				{Name: "token", VolumeSource: v1.VolumeSource{Projected: &v1.ProjectedVolumeSource{}}},
				{Name: "tmp", VolumeSource: v1.VolumeSource{EmptyDir: &v1.EmptyDirVolumeSource{}}},
				{Name: "creds", VolumeSource: v1.VolumeSource{Secret: &v1.SecretVolumeSource{}}},
			},
		},
	}
	for _, o := range opts {
		o(p)
	}
	return p
}

func requests(cpu, mem string) v1.ResourceRequirements {
	return v1.ResourceRequirements{Requests: v1.ResourceList{
		v1.ResourceCPU: resource.MustParse(cpu), v1.ResourceMemory: resource.MustParse(mem)}}
}

func withResources(cpu, mem string) podOpt {
	return func(p *v1.Pod) { p.Spec.Containers[0].Resources = requests(cpu, mem) }
}

func withVolume(name string, src v1.VolumeSource) podOpt {
	return func(p *v1.Pod) { p.Spec.Volumes = append(p.Spec.Volumes, v1.Volume{Name: name, VolumeSource: src}) }
}

func withInit(c v1.Container) podOpt {
	return func(p *v1.Pod) { p.Spec.InitContainers = append(p.Spec.InitContainers, c) }
}

func ownedByDaemonSet(p *v1.Pod) {
	yes := true
	p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "DaemonSet", Name: "fluentd", Controller: &yes}}
}

func hostPathVolume(p *v1.Pod) {
	withVolume("data", v1.VolumeSource{HostPath: &v1.HostPathVolumeSource{Path: "/var/data"}})(p)
}

func pvcVolume(p *v1.Pod) {
	withVolume("data", v1.VolumeSource{PersistentVolumeClaim: &v1.PersistentVolumeClaimVolumeSource{ClaimName: "data"}})(p)
}

func privilegedInit(p *v1.Pod) {
	yes := true
	withInit(v1.Container{Name: "setup", SecurityContext: &v1.SecurityContext{Privileged: &yes}})(p)
}

func plainInit(p *v1.Pod) { withInit(v1.Container{Name: "setup", Image: "busybox"})(p) }

func hostNetwork(p *v1.Pod) { p.Spec.HostNetwork = true }

func hostPort(p *v1.Pod) { p.Spec.Containers[0].Ports[0].HostPort = 8080 }

func gpuLimit(p *v1.Pod) {
	p.Spec.Containers = append(p.Spec.Containers, v1.Container{Name: "train", Resources: v1.ResourceRequirements{
		Limits: v1.ResourceList{"nvidia.com/gpu": resource.MustParse("1")}}})
}

func livenessProbe(p *v1.Pod) {
	p.Spec.Containers[0].LivenessProbe = &v1.Probe{ProbeHandler: v1.ProbeHandler{HTTPGet: &v1.HTTPGetAction{Path: "/healthz"}}}
}

func readinessProbe(p *v1.Pod) {
	p.Spec.Containers[0].ReadinessProbe = &v1.Probe{ProbeHandler: v1.ProbeHandler{TCPSocket: &v1.TCPSocketAction{}}}
}

func startupProbe(p *v1.Pod) {
	p.Spec.Containers[0].StartupProbe = &v1.Probe{ProbeHandler: v1.ProbeHandler{Exec: &v1.ExecAction{Command: []string{"true"}}}}
}

func preStop(p *v1.Pod) {
	p.Spec.Containers[0].Lifecycle = &v1.Lifecycle{PreStop: &v1.LifecycleHandler{Sleep: &v1.SleepAction{Seconds: 5}}}
}

func TestAdmit(t *testing.T) {
	c := Default()
	type want struct{ Rule, Detail string }
	cases := []struct {
		name    string
		backend string
		pod     *v1.Pod
		want    *want
	}{
		{"allowed pod on aci", "aci", testPod(), nil},
		{"allowed pod on fargate", "fargate", testPod(), nil},
		{"allowed pod on generic", "virtual-kubelet", testPod(), nil},
		{"daemonset pod on aci", "aci", testPod(ownedByDaemonSet), &want{"DaemonSetPod", `owned by DaemonSet "fluentd"`}},
		{"daemonset pod on liqo", "liqo", testPod(ownedByDaemonSet), &want{"DaemonSetPod", `owned by DaemonSet "fluentd"`}},
		{"hostPath on aci", "aci", testPod(hostPathVolume), &want{"HostPathVolume", `volume "data" is hostPath`}},
		{"hostPath on fargate", "fargate", testPod(hostPathVolume), &want{"HostPathVolume", `volume "data" is hostPath`}},
		{"hostPath on liqo", "liqo", testPod(hostPathVolume), nil},
		{"pvc on aci", "aci", testPod(pvcVolume), &want{"PersistentVolumeClaim", `volume "data" is persistentVolumeClaim`}},
		{"pvc on fargate", "fargate", testPod(pvcVolume), nil},
		{"privileged init container on fargate", "fargate", testPod(privilegedInit), &want{"Privileged", `init container "setup" is privileged`}},
		{"privileged init container on aci: Privileged comes before InitContainers", "aci", testPod(privilegedInit), &want{"Privileged", `init container "setup" is privileged`}},
		{"hostNetwork on fargate", "fargate", testPod(hostNetwork), &want{"HostNetwork", "the pod sets hostNetwork"}},
		{"hostNetwork on interlink", "interlink", testPod(hostNetwork), &want{"HostNetwork", "the pod sets hostNetwork"}},
		{"hostPort on fargate", "fargate", testPod(hostPort), &want{"HostPort", `container "web" uses hostPort 8080`}},
		{"hostPID on aci", "aci", testPod(func(p *v1.Pod) { p.Spec.HostPID = true }), &want{"HostPIDOrIPC", "the pod sets hostPID"}},
		{"GPU limit on fargate", "fargate", testPod(gpuLimit), &want{"GPU", `container "train" asks for 1 nvidia.com/gpu`}},
		{"GPU limit on liqo", "liqo", testPod(gpuLimit), nil},
		{"zero GPU is no GPU", "fargate", testPod(func(p *v1.Pod) {
			p.Spec.Containers[0].Resources.Limits = v1.ResourceList{"nvidia.com/gpu": resource.MustParse("0")}
		}), nil},
		{"init containers on aci", "aci", testPod(plainInit), &want{"InitContainers", `the pod has init container "setup"`}},
		{"init containers on fargate", "fargate", testPod(plainInit), nil},
		{"liveness and readiness probes on aci", "aci", testPod(livenessProbe, readinessProbe), nil},
		{"startup probe on aci", "aci", testPod(startupProbe), nil},
		{"probes on fargate", "fargate", testPod(livenessProbe, readinessProbe), nil},
		{"preStop hook on aci", "aci", testPod(preStop), &want{"LifecycleHooks", `container "web" has a preStop hook`}},
		{"hostAliases on aci", "aci", testPod(func(p *v1.Pod) { p.Spec.HostAliases = []v1.HostAlias{{IP: "10.0.0.1"}} }), &want{"HostAliases", "the pod sets hostAliases"}},
		{"features before volumes", "aci", testPod(hostPathVolume, ownedByDaemonSet), &want{"DaemonSetPod", `owned by DaemonSet "fluentd"`}},
		{"nfs on aci", "aci", testPod(withVolume("shared", v1.VolumeSource{NFS: &v1.NFSVolumeSource{Server: "nfs", Path: "/"}})),
			&want{"UnsupportedVolume", `volume "shared" is nfs; aci accepts only emptyDir, secret, configMap, projected, gitRepo, azureFile`}},
		{"downwardAPI on aci", "aci", testPod(withVolume("meta", v1.VolumeSource{DownwardAPI: &v1.DownwardAPIVolumeSource{}})),
			&want{"UnsupportedVolume", `volume "meta" is downwardAPI; aci accepts only emptyDir, secret, configMap, projected, gitRepo, azureFile`}},
		{"azureFile on aci", "aci", testPod(withVolume("share", v1.VolumeSource{AzureFile: &v1.AzureFileVolumeSource{}})), nil},
		{"nfs on fargate", "fargate", testPod(withVolume("shared", v1.VolumeSource{NFS: &v1.NFSVolumeSource{}})), nil},
		{"volumes before size", "aci", testPod(withResources("8", "2Gi"), withVolume("shared", v1.VolumeSource{NFS: &v1.NFSVolumeSource{}})),
			&want{"UnsupportedVolume", `volume "shared" is nfs; aci accepts only emptyDir, secret, configMap, projected, gitRepo, azureFile`}},
		{"6 CPU on aci", "aci", testPod(withResources("6", "2Gi")), &want{"MaxCPU", "requests 6 CPU, limit is 4"}},
		{"exactly 4 CPU on aci", "aci", testPod(withResources("4", "2Gi")), nil},
		{"6 CPU on fargate", "fargate", testPod(withResources("6", "2Gi")), nil},
		{"overhead counts", "aci", testPod(withResources("4", "2Gi"), func(p *v1.Pod) {
			p.Spec.Overhead = v1.ResourceList{v1.ResourceCPU: resource.MustParse("250m")}
		}), &want{"MaxCPU", "requests 4.25 CPU, limit is 4"}},
		{"largest init container counts", "fargate", testPod(withInit(v1.Container{Name: "big", Resources: requests("20", "1Gi")})),
			&want{"MaxCPU", "requests 20 CPU, limit is 16"}},
		{"exactly 16Gi on aci", "aci", testPod(withResources("1", "16Gi")), nil},
		{"16Gi + 1Mi on aci", "aci", testPod(withResources("1", "16385Mi")), &want{"MaxMemory", "requests 16385Mi memory, limit is 16Gi"}},
		{"16Gi + 1 byte on aci", "aci", testPod(withResources("1", "17179869185")), &want{"MaxMemory", "requests 17179869185 memory, limit is 16Gi"}},
		{"CPU before memory", "aci", testPod(withResources("5", "20Gi")), &want{"MaxCPU", "requests 5 CPU, limit is 4"}},
		{"121Gi on fargate", "fargate", testPod(withResources("16", "121Gi")), &want{"MaxMemory", "requests 121Gi memory, limit is 120Gi"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, ok := c.Backend(tc.backend)
			if !ok {
				t.Fatalf("no backend %q", tc.backend)
			}
			p := NewPodProfile(tc.pod)
			var got *want
			if v := b.Admit(&p); v != nil {
				if v.Backend != tc.backend {
					t.Errorf("Violation.Backend = %q, want %q", v.Backend, tc.backend)
				}
				got = &want{string(v.Rule), v.Detail}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Admit (-want +got):\n%s", diff)
			}
		})
	}
}

// TestProbesRuleStillRefuses checks that a catalog entry listing Probes (an
// override for a provider that drops them) still refuses a pod with one; the
// default entries no longer list it.
func TestProbesRuleStillRefuses(t *testing.T) {
	c, err := Load([]byte(strings.Replace(baseYAML, "[DaemonSetPod]", "[DaemonSetPod, Probes]", 1)), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := c.Backend("a")
	p := NewPodProfile(testPod(readinessProbe))
	want := &Violation{Backend: "a", Rule: RuleProbes, Detail: `container "web" has a readinessProbe`}
	if diff := cmp.Diff(want, a.Admit(&p)); diff != "" {
		t.Errorf("Admit (-want +got):\n%s", diff)
	}
	for _, b := range Default().Backends {
		if slices.Contains(b.Refuses, RuleProbes) {
			t.Errorf("default backend %s refuses Probes; no default backend should", b.Name)
		}
	}
}

func TestViolationError(t *testing.T) {
	c := Default()
	aci, _ := c.Backend("aci")
	p := NewPodProfile(testPod(hostPathVolume))
	v := aci.Admit(&p)
	if v == nil {
		t.Fatal("aci admitted a hostPath pod")
	}
	want := `aci cannot run this pod: HostPathVolume: volume "data" is hostPath`
	if diff := cmp.Diff(want, v.Error()); diff != "" {
		t.Errorf("Error() (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("fargate cannot run this pod: GPU", (&Violation{Backend: "fargate", Rule: RuleGPU}).Error()); diff != "" {
		t.Errorf("Error() without detail (-want +got):\n%s", diff)
	}
}

func TestAdmitQuota(t *testing.T) {
	c := Default()
	aci, _ := c.Backend("aci")
	fargate, _ := c.Backend("fargate")
	p := NewPodProfile(testPod(withResources("2", "4Gi")))
	cases := []struct {
		name string
		b    *Backend
		used int64
		want *Violation
	}{
		{"empty", aci, 0, nil},
		{"at the quota", aci, 98000, nil},
		{"over the quota", aci, 98001, &Violation{Backend: "aci", Rule: RuleQuotaCPU,
			Detail: "requests 2 CPU, 98.001 of the 100 CPU quota already in use"}},
		{"already over", aci, 150000, &Violation{Backend: "aci", Rule: RuleQuotaCPU,
			Detail: "requests 2 CPU, 150 of the 100 CPU quota already in use"}},
		{"negative usage counts as none", aci, -5, nil},
		{"no quota", fargate, 1 << 62, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.b.AdmitQuota(&p, tc.used)); diff != "" {
				t.Errorf("AdmitQuota (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAdmitAllocs(t *testing.T) {
	c := Default()
	p := NewPodProfile(testPod())
	for _, b := range c.Backends {
		if v := b.Admit(&p); v != nil {
			t.Fatalf("%s refuses the test pod: %v", b.Name, v)
		}
		if allocs := testing.AllocsPerRun(200, func() { b.Admit(&p); b.AdmitQuota(&p, 1000) }); allocs != 0 {
			t.Errorf("%s: Admit+AdmitQuota allocate %v times per call, want 0", b.Name, allocs)
		}
	}
	// A Backend built by hand (no precomputed rules) does not allocate either.
	aci, _ := c.Backend("aci")
	bare := aci.clone()
	if allocs := testing.AllocsPerRun(200, func() { bare.Admit(&p) }); allocs != 0 {
		t.Errorf("hand-built backend: Admit allocates %v times per call, want 0", allocs)
	}
}

func TestNewPodProfile(t *testing.T) {
	yes := true
	pod := testPod(ownedByDaemonSet, hostPathVolume, pvcVolume, privilegedInit, hostNetwork, hostPort, gpuLimit, livenessProbe, preStop,
		func(p *v1.Pod) {
			p.Spec.HostIPC = true
			p.Spec.HostAliases = []v1.HostAlias{{IP: "10.0.0.1"}, {IP: "10.0.0.2"}}
			p.Spec.EphemeralContainers = []v1.EphemeralContainer{{EphemeralContainerCommon: v1.EphemeralContainerCommon{
				Name: "debug", SecurityContext: &v1.SecurityContext{Privileged: &yes}}}}
		})
	p := NewPodProfile(pod)
	type summary struct {
		Features    string
		Volumes     []VolumeRef
		CPUMilli    int64
		MemoryBytes int64
		Sites       map[Rule]FeatureSite
	}
	got := summary{Features: p.Features.String(), Volumes: p.Volumes, CPUMilli: p.CPUMilli, MemoryBytes: p.MemoryBytes, Sites: map[Rule]FeatureSite{}}
	for _, r := range FeatureRules() {
		if s, ok := p.Site(r); ok {
			got.Sites[r] = s
		}
	}
	want := summary{
		Features: "DaemonSetPod|HostPathVolume|PersistentVolumeClaim|Privileged|HostNetwork|HostPort|HostPIDOrIPC|GPU|InitContainers|Probes|LifecycleHooks|HostAliases",
		Volumes: []VolumeRef{{"config", "configMap"}, {"token", "projected"}, {"tmp", "emptyDir"}, {"creds", "secret"},
			{"data", "hostPath"}, {"data", "persistentVolumeClaim"}},
		CPUMilli:    1000,
		MemoryBytes: 2 << 30,
		Sites: map[Rule]FeatureSite{
			RuleDaemonSetPod:          {Kind: "DaemonSet", Name: "fluentd"},
			RuleHostPath:              {Kind: "volume", Name: "data", What: "hostPath"},
			RulePersistentVolumeClaim: {Kind: "volume", Name: "data", What: "persistentVolumeClaim"},
			RulePrivileged:            {Kind: "init container", Name: "setup"},
			RuleHostNetwork:           {What: "hostNetwork"},
			RuleHostPort:              {Kind: "container", Name: "web", What: "hostPort", Value: 8080},
			RuleHostPIDOrIPC:          {What: "hostIPC"},
			RuleGPU:                   {Kind: "container", Name: "train", What: "nvidia.com/gpu", Value: 1},
			RuleInitContainers:        {Kind: "init container", Name: "setup", Value: 1},
			RuleProbes:                {Kind: "container", Name: "web", What: "livenessProbe"},
			RuleLifecycleHooks:        {Kind: "container", Name: "web", What: "preStop"},
			RuleHostAliases:           {What: "hostAliases", Value: 2},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NewPodProfile (-want +got):\n%s", diff)
	}

	// Each feature alone: exactly its bit.
	for _, tc := range []struct {
		rule Rule
		opt  podOpt
	}{
		{RuleDaemonSetPod, ownedByDaemonSet}, {RuleHostPath, hostPathVolume}, {RulePersistentVolumeClaim, pvcVolume},
		{RuleHostNetwork, hostNetwork}, {RuleHostPort, hostPort}, {RuleGPU, gpuLimit}, {RuleInitContainers, plainInit},
		{RuleProbes, livenessProbe}, {RuleLifecycleHooks, preStop},
	} {
		if got := NewPodProfile(testPod(tc.opt)).Features; got != tc.rule.Feature() {
			t.Errorf("%s alone: features %v, want %v", tc.rule, got, tc.rule.Feature())
		}
	}
	if got := NewPodProfile(testPod()).Features; got != 0 {
		t.Errorf("plain pod: features %v, want none", got)
	}
	// A non-controller DaemonSet owner does not make a DaemonSet pod.
	notController := testPod(ownedByDaemonSet, func(p *v1.Pod) { p.OwnerReferences[0].Controller = nil })
	if NewPodProfile(notController).Features.Has(RuleDaemonSetPod) {
		t.Error("a non-controller DaemonSet owner reference counted as a DaemonSet pod")
	}
	if got := NewPodProfile(nil); !reflect.DeepEqual(got, PodProfile{}) {
		t.Errorf("NewPodProfile(nil) = %+v, want zero", got)
	}
}

// Every v1.VolumeSource field is recognised, under its json name.
func TestVolumeTypes(t *testing.T) {
	vt := reflect.TypeFor[v1.VolumeSource]()
	var want, got []VolumeType
	for i := range vt.NumField() {
		f := vt.Field(i)
		var vs v1.VolumeSource
		reflect.ValueOf(&vs).Elem().Field(i).Set(reflect.New(f.Type.Elem()))
		name := f.Tag.Get("json")
		name = name[:len(name)-len(",omitempty")]
		want = append(want, VolumeType(name))
		got = append(got, volumeTypeOf(&vs))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("volumeTypeOf (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, VolumeTypes()); diff != "" {
		t.Errorf("VolumeTypes (-want +got):\n%s", diff)
	}
	for _, t2 := range []VolumeType{"emptyDir", "secret", "configMap", "projected", "downwardAPI", "gitRepo", "azureFile", "nfs", "csi", "hostPath", "persistentVolumeClaim", "ephemeral"} {
		if !slices.Contains(VolumeTypes(), t2) {
			t.Errorf("VolumeTypes lacks %q", t2)
		}
	}
	if got := volumeTypeOf(&v1.VolumeSource{}); got != "" {
		t.Errorf("empty VolumeSource: type %q, want empty", got)
	}
}

func TestIsGPUResource(t *testing.T) {
	got := map[v1.ResourceName]bool{}
	for _, r := range []v1.ResourceName{"nvidia.com/gpu", "amd.com/gpu", "gpu.intel.com/i915", "gpu.intel.com/xe", "nvidia.com/mig-1g.5gb", "cpu", "memory", "nvidia.com/gpu.shared", "example.com/gpu"} {
		got[r] = IsGPUResource(r)
	}
	want := map[v1.ResourceName]bool{"nvidia.com/gpu": true, "amd.com/gpu": true, "gpu.intel.com/i915": true, "gpu.intel.com/xe": true,
		"nvidia.com/mig-1g.5gb": true, "cpu": false, "memory": false, "nvidia.com/gpu.shared": false, "example.com/gpu": false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("IsGPUResource (-want +got):\n%s", diff)
	}
}
