package backends

import (
	"fmt"
	"reflect"
	"strings"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	resourcehelper "k8s.io/component-helpers/resource"
)

// Feature indices: bit i of Features is featureRules[i]. The order is the
// order in which Admit checks them.
const (
	fDaemonSetPod = iota
	fHostPath
	fPersistentVolumeClaim
	fPrivileged
	fHostNetwork
	fHostPort
	fHostPIDOrIPC
	fGPU
	fInitContainers
	fProbes
	fLifecycleHooks
	fHostAliases
	numFeatures
)

var featureRules = [numFeatures]Rule{
	RuleDaemonSetPod, RuleHostPath, RulePersistentVolumeClaim, RulePrivileged,
	RuleHostNetwork, RuleHostPort, RuleHostPIDOrIPC, RuleGPU,
	RuleInitContainers, RuleProbes, RuleLifecycleHooks, RuleHostAliases,
}

// Features is a bitmask of the rule-relevant features a pod has: one bit per
// feature rule (DaemonSetPod .. HostAliases), see Rule.Feature.
type Features uint32

// Feature returns the bit of a feature rule, or 0 for the other rules
// (UnsupportedVolume, MaxCPU, MaxMemory, QuotaCPU) and unknown ones.
func (r Rule) Feature() Features {
	for i, fr := range featureRules {
		if fr == r {
			return 1 << i
		}
	}
	return 0
}

// FeatureRules returns the feature rules in the order Admit checks them.
func FeatureRules() []Rule { return append([]Rule(nil), featureRules[:]...) }

// Has reports whether the feature of rule r is present.
func (f Features) Has(r Rule) bool { b := r.Feature(); return b != 0 && f&b != 0 }

// String lists the features as rule names joined by "|", or "none".
func (f Features) String() string {
	var names []string
	for i, r := range featureRules {
		if f&(1<<i) != 0 {
			names = append(names, string(r))
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "|")
}

// PodProfile is what the rules need to know about a pod, computed once per
// pod by NewPodProfile.
type PodProfile struct {
	// Features present in the pod.
	Features Features
	// Volumes of the pod, name and type, in spec order.
	Volumes []VolumeRef
	// CPUMilli is the effective CPU request: component-helpers'
	// resource.PodRequests (max(sum of containers, largest init container),
	// plus overhead; pod-level requests when set).
	CPUMilli int64
	// MemoryBytes is the effective memory request, computed the same way.
	MemoryBytes int64
	// Sites[i] says where the feature with bit i was first found, for
	// messages; zero for absent features.
	Sites [numFeatures]FeatureSite
}

// FeatureSite says where in a pod a feature was found.
type FeatureSite struct {
	Kind  string // "container", "init container", "ephemeral container", "volume", "DaemonSet"; empty for pod-level fields
	Name  string // name of the container, volume or owning DaemonSet
	What  string // e.g. "livenessProbe", "preStop", "hostPID", a GPU resource name
	Value int64  // e.g. the hostPort, the GPU count, the number of init containers or host aliases
}

// VolumeRef is a pod volume's name and type.
type VolumeRef struct {
	Name string
	Type VolumeType // "" if no source is set
}

// Site returns where the feature of rule r was first found.
func (p *PodProfile) Site(r Rule) (FeatureSite, bool) {
	for i, fr := range featureRules {
		if fr == r {
			return p.Sites[i], p.Features&(1<<i) != 0
		}
	}
	return FeatureSite{}, false
}

func (p *PodProfile) mark(i int, s FeatureSite) {
	if p.Features&(1<<i) == 0 {
		p.Features |= 1 << i
		p.Sites[i] = s
	}
}

// NewPodProfile computes the profile of a pod. A nil pod has the zero profile.
func NewPodProfile(pod *v1.Pod) PodProfile {
	var p PodProfile
	if pod == nil {
		return p
	}
	for i := range pod.OwnerReferences {
		o := &pod.OwnerReferences[i]
		if o.Controller != nil && *o.Controller && o.Kind == "DaemonSet" {
			p.mark(fDaemonSetPod, FeatureSite{Kind: "DaemonSet", Name: o.Name})
		}
	}
	spec := &pod.Spec
	if spec.HostNetwork {
		p.mark(fHostNetwork, FeatureSite{What: "hostNetwork"})
	}
	if spec.HostPID {
		p.mark(fHostPIDOrIPC, FeatureSite{What: "hostPID"})
	} else if spec.HostIPC {
		p.mark(fHostPIDOrIPC, FeatureSite{What: "hostIPC"})
	}
	if n := len(spec.HostAliases); n > 0 {
		p.mark(fHostAliases, FeatureSite{What: "hostAliases", Value: int64(n)})
	}
	if n := len(spec.InitContainers); n > 0 {
		p.mark(fInitContainers, FeatureSite{Kind: "init container", Name: spec.InitContainers[0].Name, Value: int64(n)})
	}
	for i := range spec.Containers {
		c := &spec.Containers[i]
		p.scanContainer("container", c.Name, c.SecurityContext, c.Ports, c.LivenessProbe, c.ReadinessProbe, c.StartupProbe, c.Lifecycle, &c.Resources)
	}
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		p.scanContainer("init container", c.Name, c.SecurityContext, c.Ports, c.LivenessProbe, c.ReadinessProbe, c.StartupProbe, c.Lifecycle, &c.Resources)
	}
	for i := range spec.EphemeralContainers {
		c := &spec.EphemeralContainers[i].EphemeralContainerCommon
		p.scanContainer("ephemeral container", c.Name, c.SecurityContext, c.Ports, c.LivenessProbe, c.ReadinessProbe, c.StartupProbe, c.Lifecycle, &c.Resources)
	}
	if len(spec.Volumes) > 0 {
		p.Volumes = make([]VolumeRef, len(spec.Volumes))
		for i := range spec.Volumes {
			vol := &spec.Volumes[i]
			t := volumeTypeOf(&vol.VolumeSource)
			p.Volumes[i] = VolumeRef{Name: vol.Name, Type: t}
			switch t {
			case volumeHostPath:
				p.mark(fHostPath, FeatureSite{Kind: "volume", Name: vol.Name, What: string(t)})
			case volumePVC:
				p.mark(fPersistentVolumeClaim, FeatureSite{Kind: "volume", Name: vol.Name, What: string(t)})
			}
		}
	}
	p.CPUMilli, p.MemoryBytes = podRequests(pod)
	return p
}

// podRequests is the pod's CPU (milli) and memory (bytes) requests as
// component-helpers' resource.PodRequests works them out (what
// kube-scheduler charges a node). A pod with plain containers only (no
// init containers, overhead or pod-level requests) gets the same sum,
// added up in the same order, without the ResourceList maps PodRequests
// allocates: Spillway works the profile out for every pod it schedules.
func podRequests(pod *v1.Pod) (cpuMilli, memBytes int64) {
	spec := &pod.Spec
	if len(spec.InitContainers) > 0 || spec.Overhead != nil || resourcehelper.IsPodLevelRequestsSet(pod) {
		reqs := resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{})
		return reqs.Cpu().MilliValue(), reqs.Memory().Value()
	}
	var cpu, mem resource.Quantity
	for i := range spec.Containers {
		if q, ok := spec.Containers[i].Resources.Requests[v1.ResourceCPU]; ok {
			cpu.Add(q)
		}
		if q, ok := spec.Containers[i].Resources.Requests[v1.ResourceMemory]; ok {
			mem.Add(q)
		}
	}
	return cpu.MilliValue(), mem.Value()
}

func (p *PodProfile) scanContainer(kind, name string, sc *v1.SecurityContext, ports []v1.ContainerPort,
	live, ready, startup *v1.Probe, lc *v1.Lifecycle, res *v1.ResourceRequirements) {
	if sc != nil && sc.Privileged != nil && *sc.Privileged {
		p.mark(fPrivileged, FeatureSite{Kind: kind, Name: name})
	}
	for _, port := range ports {
		if port.HostPort != 0 {
			p.mark(fHostPort, FeatureSite{Kind: kind, Name: name, What: "hostPort", Value: int64(port.HostPort)})
			break
		}
	}
	switch {
	case live != nil:
		p.mark(fProbes, FeatureSite{Kind: kind, Name: name, What: "livenessProbe"})
	case ready != nil:
		p.mark(fProbes, FeatureSite{Kind: kind, Name: name, What: "readinessProbe"})
	case startup != nil:
		p.mark(fProbes, FeatureSite{Kind: kind, Name: name, What: "startupProbe"})
	}
	if lc != nil {
		if lc.PostStart != nil {
			p.mark(fLifecycleHooks, FeatureSite{Kind: kind, Name: name, What: "postStart"})
		} else if lc.PreStop != nil {
			p.mark(fLifecycleHooks, FeatureSite{Kind: kind, Name: name, What: "preStop"})
		}
	}
	if p.Features&(1<<fGPU) == 0 {
		if gpu, n := firstGPU(res.Limits); gpu != "" {
			p.mark(fGPU, FeatureSite{Kind: kind, Name: name, What: gpu, Value: n})
		} else if gpu, n := firstGPU(res.Requests); gpu != "" {
			p.mark(fGPU, FeatureSite{Kind: kind, Name: name, What: gpu, Value: n})
		}
	}
}

// firstGPU returns the alphabetically first GPU resource with a non-zero
// quantity, and that quantity.
func firstGPU(rl v1.ResourceList) (string, int64) {
	var name string
	var n int64
	for r, q := range rl {
		if IsGPUResource(r) && !q.IsZero() && (name == "" || string(r) < name) {
			name, n = string(r), q.Value()
		}
	}
	return name, n
}

// IsGPUResource reports whether an extended resource is a GPU:
// nvidia.com/gpu, nvidia.com/mig-* (MIG slices), amd.com/gpu and
// gpu.intel.com/*.
func IsGPUResource(name v1.ResourceName) bool {
	s := string(name)
	return s == "nvidia.com/gpu" || s == "amd.com/gpu" ||
		strings.HasPrefix(s, "nvidia.com/mig-") || strings.HasPrefix(s, "gpu.intel.com/")
}

const (
	volumeHostPath VolumeType = "hostPath"
	volumePVC      VolumeType = "persistentVolumeClaim"
)

// volumeTypes lists the json names of v1.VolumeSource's fields, in struct
// order; volumeFields holds the matching field indices.
var volumeTypes, volumeFields, volumeTypeIndex = func() ([]VolumeType, []int, map[VolumeType]int) {
	t := reflect.TypeFor[v1.VolumeSource]()
	var types []VolumeType
	var fields []int
	index := map[VolumeType]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Type.Kind() != reflect.Pointer || name == "" {
			continue
		}
		index[VolumeType(name)] = len(types)
		types = append(types, VolumeType(name))
		fields = append(fields, i)
	}
	if len(types) > 64 {
		panic(fmt.Sprintf("backends: %d volume types do not fit a 64-bit mask", len(types)))
	}
	if _, ok := index[volumeHostPath]; !ok {
		panic("backends: v1.VolumeSource has no hostPath")
	}
	if _, ok := index[volumePVC]; !ok {
		panic("backends: v1.VolumeSource has no persistentVolumeClaim")
	}
	return types, fields, index
}()

// VolumeTypes returns every volume type a catalog may name in
// allowedVolumes: the json names of the v1.VolumeSource fields.
func VolumeTypes() []VolumeType { return append([]VolumeType(nil), volumeTypes...) }

// volumeTypeOf returns the type of the first source set, or "".
func volumeTypeOf(vs *v1.VolumeSource) VolumeType {
	rv := reflect.ValueOf(vs).Elem()
	for i, fi := range volumeFields {
		if !rv.Field(fi).IsNil() {
			return volumeTypes[i]
		}
	}
	return ""
}
