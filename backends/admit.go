package backends

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// Violation says why a backend cannot run a pod.
type Violation struct {
	Backend string // backend name
	Rule    Rule
	Detail  string // e.g. `volume "data" is hostPath`, `requests 6 CPU, limit is 4`
}

// Error returns e.g. `aci cannot run this pod: HostPathVolume: volume "data" is hostPath`.
func (v *Violation) Error() string {
	s := v.Backend + " cannot run this pod: " + string(v.Rule)
	if v.Detail != "" {
		s += ": " + v.Detail
	}
	return s
}

// rules is a backend's Refuses, AllowedVolumes and Limits in the form Admit
// checks without allocating.
type rules struct {
	refuse          Features
	restrictVolumes bool
	allowed         uint64 // bit i: volumeTypes[i] is allowed
	hasMaxCPU       bool
	hasMaxMemory    bool
	hasQuotaCPU     bool
	maxCPUMilli     int64
	maxMemoryBytes  int64
	quotaCPUMilli   int64
}

func compileRules(b *Backend) rules {
	var r rules
	for _, rule := range b.Refuses {
		r.refuse |= rule.Feature()
	}
	if len(b.AllowedVolumes) > 0 {
		r.restrictVolumes = true
		for _, t := range b.AllowedVolumes {
			if i, ok := volumeTypeIndex[t]; ok {
				r.allowed |= 1 << i
			}
		}
	}
	if q := b.Limits.MaxCPU; q != nil {
		r.hasMaxCPU, r.maxCPUMilli = true, q.MilliValue()
	}
	if q := b.Limits.MaxMemory; q != nil {
		r.hasMaxMemory, r.maxMemoryBytes = true, q.Value()
	}
	if q := b.Limits.QuotaCPU; q != nil {
		r.hasQuotaCPU, r.quotaCPUMilli = true, q.MilliValue()
	}
	return r
}

// compiled returns the precomputed rules, or computes them for a Backend that
// did not come from a catalog (no allocation either way).
func (b *Backend) compiled() rules {
	if b.rules != nil {
		return *b.rules
	}
	return compileRules(b)
}

func (r *rules) allows(t VolumeType) bool {
	i, ok := volumeTypeIndex[t]
	return ok && r.allowed&(1<<i) != 0
}

// Admit returns the first reason this backend cannot run the pod, or nil.
// The order is fixed: the refused features in FeatureRules order
// (DaemonSetPod, HostPathVolume, PersistentVolumeClaim, Privileged,
// HostNetwork, HostPort, HostPIDOrIPC, GPU, InitContainers, Probes,
// LifecycleHooks, HostAliases), then the volumes in spec order against
// AllowedVolumes (UnsupportedVolume), then MaxCPU, then MaxMemory. The quota
// is checked separately by AdmitQuota. No allocation when the pod is admitted.
func (b *Backend) Admit(p *PodProfile) *Violation {
	if b == nil || p == nil {
		return nil
	}
	r := b.compiled()
	if hit := p.Features & r.refuse; hit != 0 {
		i := bits.TrailingZeros32(uint32(hit))
		return &Violation{Backend: b.Name, Rule: featureRules[i], Detail: p.featureDetail(i)}
	}
	if r.restrictVolumes {
		for i := range p.Volumes {
			if v := &p.Volumes[i]; !r.allows(v.Type) {
				return &Violation{Backend: b.Name, Rule: RuleUnsupportedVolume, Detail: b.volumeDetail(v)}
			}
		}
	}
	if r.hasMaxCPU && p.CPUMilli > r.maxCPUMilli {
		return &Violation{Backend: b.Name, Rule: RuleMaxCPU,
			Detail: fmt.Sprintf("requests %s CPU, limit is %s", formatCPU(p.CPUMilli), formatCPU(r.maxCPUMilli))}
	}
	if r.hasMaxMemory && p.MemoryBytes > r.maxMemoryBytes {
		return &Violation{Backend: b.Name, Rule: RuleMaxMemory,
			Detail: fmt.Sprintf("requests %s memory, limit is %s", formatBytes(p.MemoryBytes), formatBytes(r.maxMemoryBytes))}
	}
	return nil
}

// AdmitQuota checks the backend's CPU quota (Limits.QuotaCPU) given the CPU,
// in milli-cores, already requested by the pods on its nodes: the pod is
// admitted while used + its request stays within the quota. Nil when the
// backend has no quota.
func (b *Backend) AdmitQuota(p *PodProfile, usedCPUMilli int64) *Violation {
	if b == nil || p == nil {
		return nil
	}
	r := b.compiled()
	if !r.hasQuotaCPU {
		return nil
	}
	used := max(usedCPUMilli, 0)
	if p.CPUMilli > r.quotaCPUMilli-used {
		return &Violation{Backend: b.Name, Rule: RuleQuotaCPU,
			Detail: fmt.Sprintf("requests %s CPU, %s of the %s CPU quota already in use",
				formatCPU(p.CPUMilli), formatCPU(used), formatCPU(r.quotaCPUMilli))}
	}
	return nil
}

func (p *PodProfile) featureDetail(i int) string {
	s := p.Sites[i]
	where := "the pod"
	if s.Kind != "" && s.Name != "" {
		where = fmt.Sprintf("%s %q", s.Kind, s.Name)
	}
	switch i {
	case fDaemonSetPod:
		if s.Name != "" {
			return fmt.Sprintf("owned by DaemonSet %q", s.Name)
		}
		return "owned by a DaemonSet"
	case fHostPath, fPersistentVolumeClaim:
		if s.Name != "" {
			return fmt.Sprintf("volume %q is %s", s.Name, s.What)
		}
		return "the pod has a " + string(featureRules[i]) + " volume"
	case fPrivileged:
		return where + " is privileged"
	case fHostPort:
		return fmt.Sprintf("%s uses hostPort %d", where, s.Value)
	case fGPU:
		if s.What != "" {
			return fmt.Sprintf("%s asks for %d %s", where, s.Value, s.What)
		}
		return where + " asks for a GPU"
	case fInitContainers:
		if s.Value > 1 {
			return fmt.Sprintf("the pod has %d init containers (first %q)", s.Value, s.Name)
		}
		return fmt.Sprintf("the pod has init container %q", s.Name)
	case fProbes:
		return fmt.Sprintf("%s has a %s", where, orDefault(s.What, "probe"))
	case fLifecycleHooks:
		return fmt.Sprintf("%s has a %s hook", where, orDefault(s.What, "lifecycle"))
	default: // HostNetwork, HostPIDOrIPC, HostAliases
		return "the pod sets " + orDefault(s.What, string(featureRules[i]))
	}
}

func (b *Backend) volumeDetail(v *VolumeRef) string {
	accepted := make([]string, len(b.AllowedVolumes))
	for i, t := range b.AllowedVolumes {
		accepted[i] = string(t)
	}
	what := "is " + string(v.Type)
	if v.Type == "" {
		what = "has no recognised source"
	}
	return fmt.Sprintf("volume %q %s; %s accepts only %s", v.Name, what, b.Name, strings.Join(accepted, ", "))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// formatCPU prints milli-cores as cores: 6000 -> "6", 4500 -> "4.5".
func formatCPU(milli int64) string {
	return strconv.FormatFloat(float64(milli)/1000, 'f', -1, 64)
}

// formatBytes prints bytes as a binary quantity: "16Gi", "17179869185".
func formatBytes(n int64) string {
	return resource.NewQuantity(n, resource.BinarySI).String()
}
