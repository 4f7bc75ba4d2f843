// Package backends describes the serverless backends that can sit behind a
// virtual node (Azure Container Instances, AWS Fargate, Liqo, Admiralty,
// interLink, any other virtual-kubelet provider): how to recognise their
// nodes, which pod features each one refuses, how large a pod may be, and how
// long a pod takes to start there.
//
// The facts live in data, not code: an embedded, dated catalog with sources
// per backend (catalog.yaml, see Default), which a cluster can extend or
// correct with its own file (LoadFile and WithOverrides). Prices are not part
// of it: Backend.Pricing names the entry of the cost catalog to use.
//
// The hot paths, Catalog.ForNode and Backend.Admit (for an admitted pod), do
// not allocate.
package backends

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"

	"k8s.io/apimachinery/pkg/api/resource"
)

// APIVersion and Kind identify a backend catalog file.
const (
	APIVersion = "spillway.dev/v1alpha1"
	Kind       = "BackendCatalog"
)

// GenericBackend is the name of the catalog's catch-all entry for virtual
// nodes of providers it does not know. WithOverrides inserts new backends
// before it, so that a specific entry always beats the generic one.
const GenericBackend = "virtual-kubelet"

// Catalog lists the serverless backends a cluster may use. Treat a Catalog
// and its Backends as read-only once built by Load, Default or WithOverrides:
// they carry a precomputed index that is not updated on mutation.
type Catalog struct {
	// APIVersion must be "spillway.dev/v1alpha1".
	APIVersion string `json:"apiVersion"`
	// Kind must be "BackendCatalog".
	Kind string `json:"kind"`
	// Updated is the date (YYYY-MM-DD) the facts were last checked.
	Updated string `json:"updated"`
	// Backends in detection order: the first backend with a matching node
	// wins, so the generic "virtual-kubelet" entry comes last.
	Backends []Backend `json:"backends"`

	idx *index // built by Load, Default and WithOverrides
}

// Backend is one kind of serverless capacity reached through virtual nodes.
type Backend struct {
	// Name identifies the backend: "aci", "fargate", "liqo", "admiralty",
	// "interlink", "virtual-kubelet" (generic, last). A DNS label, unique.
	Name string `json:"name"`
	// DisplayName is for humans.
	DisplayName string `json:"displayName"`
	// Sources say where the facts below come from (at least one).
	Sources []string `json:"sources"`
	// Notes records caveats and assumptions.
	Notes string `json:"notes,omitempty"`
	// Detect says how to recognise the backend's virtual nodes: a node
	// belongs to the backend if ANY matcher matches.
	Detect []NodeMatcher `json:"detect"`
	// Pricing names the serverless entry of the cost catalog ("aci",
	// "fargate"); empty when the backend has no per-pod bill (e.g. liqo: a
	// peer cluster).
	Pricing string `json:"pricing"`
	// Limits on the size of one pod and of all pods together.
	Limits Limits `json:"limits"`
	// Refuses lists the pod features this backend cannot run (feature rules
	// only: DaemonSetPod .. HostAliases).
	Refuses []Rule `json:"refuses"`
	// AllowedVolumes, if set, lists the only volume types the backend
	// accepts; a pod with any other volume is refused (RuleUnsupportedVolume).
	AllowedVolumes []VolumeType `json:"allowedVolumes,omitempty"`
	// StartupSeconds is the cold start, from binding to running.
	StartupSeconds Latency `json:"startupSeconds"`

	rules *rules // precomputed by the catalog index; nil for hand-built values
}

// NodeMatcher recognises a virtual node by labels and/or a taint. Both, when
// set, must match. A matcher needs at least one of them.
type NodeMatcher struct {
	// Labels must all be present on the node with these values.
	Labels map[string]string `json:"labels,omitempty"`
	// Taint must be carried by the node.
	Taint *TaintMatcher `json:"taint,omitempty"`
}

// TaintMatcher matches one node taint.
type TaintMatcher struct {
	// Key of the taint.
	Key string `json:"key"`
	// Value of the taint; empty matches any value.
	Value string `json:"value,omitempty"`
	// Effect of the taint (NoSchedule, PreferNoSchedule, NoExecute); empty
	// matches any effect.
	Effect string `json:"effect,omitempty"`
}

// Limits bound the CPU and memory a backend accepts. Nil means no limit.
type Limits struct {
	// MaxCPU per pod (ACI 4, Fargate 16).
	MaxCPU *resource.Quantity `json:"maxCPU,omitempty"`
	// MaxMemory per pod (ACI 16Gi, Fargate 120Gi).
	MaxMemory *resource.Quantity `json:"maxMemory,omitempty"`
	// QuotaCPU for all pods on the backend's nodes together (ACI's default
	// regional quota is 100 cores). Checked by Backend.AdmitQuota.
	QuotaCPU *resource.Quantity `json:"quotaCPU,omitempty"`
}

// Latency is a start-up time distribution in seconds.
type Latency struct {
	// P50 is the median, in seconds.
	P50 float64 `json:"p50"`
	// P95 is the 95th percentile, in seconds; at least P50.
	P95 float64 `json:"p95"`
}

// Rule names a reason a backend may refuse a pod. Validate rejects unknown
// rules.
type Rule string

// The rules. DaemonSetPod .. HostAliases are pod features a backend lists in
// Refuses, checked by Admit in this order; UnsupportedVolume follows from
// AllowedVolumes, MaxCPU and MaxMemory from Limits (checked by Admit after the
// features and volumes), QuotaCPU from Limits (checked by AdmitQuota).
const (
	RuleDaemonSetPod          Rule = "DaemonSetPod"          // a controller ownerReference of Kind DaemonSet
	RuleHostPath              Rule = "HostPathVolume"        // a hostPath volume
	RulePersistentVolumeClaim Rule = "PersistentVolumeClaim" // a persistentVolumeClaim volume
	RulePrivileged            Rule = "Privileged"            // any container (also init, ephemeral) with securityContext.privileged
	RuleHostNetwork           Rule = "HostNetwork"           // spec.hostNetwork
	RuleHostPort              Rule = "HostPort"              // any container port with hostPort != 0
	RuleHostPIDOrIPC          Rule = "HostPIDOrIPC"          // spec.hostPID or spec.hostIPC
	RuleGPU                   Rule = "GPU"                   // a non-zero GPU request or limit, see IsGPUResource
	RuleInitContainers        Rule = "InitContainers"        // any init container (sidecars included)
	RuleProbes                Rule = "Probes"                // any liveness, readiness or startup probe
	RuleLifecycleHooks        Rule = "LifecycleHooks"        // any postStart or preStop hook
	RuleHostAliases           Rule = "HostAliases"           // spec.hostAliases
	RuleUnsupportedVolume     Rule = "UnsupportedVolume"     // a volume type outside AllowedVolumes
	RuleMaxCPU                Rule = "MaxCPU"                // CPU request above Limits.MaxCPU
	RuleMaxMemory             Rule = "MaxMemory"             // memory request above Limits.MaxMemory
	RuleQuotaCPU              Rule = "QuotaCPU"              // CPU request beyond what is left of Limits.QuotaCPU
)

// VolumeType is the JSON name of the v1.VolumeSource field that is set:
// "emptyDir", "secret", "configMap", "projected", "downwardAPI", "gitRepo",
// "azureFile", "nfs", "csi", "hostPath", "persistentVolumeClaim",
// "ephemeral", ... See VolumeTypes.
type VolumeType string

//go:embed catalog.yaml
var defaultYAML []byte

var defaultCatalog = sync.OnceValue(func() *Catalog {
	c, err := Load(defaultYAML, "catalog.yaml (embedded)")
	if err != nil {
		panic(fmt.Sprintf("backends: the embedded catalog is invalid: %v", err))
	}
	return c
})

// Default returns a fresh copy of the embedded catalog (catalog.yaml).
func Default() *Catalog { return defaultCatalog().clone() }

// DefaultYAML returns a copy of the embedded catalog file, a starting point
// for a cluster's own catalog.
func DefaultYAML() []byte { return slices.Clone(defaultYAML) }

// Load parses a catalog in YAML or JSON, strictly: unknown fields, duplicate
// keys and wrongly typed values are errors, and the result must pass
// Validate. Every error names source and the field path, for example
// `backends.yaml: backends[2].refuses[0]: unknown rule "Priviledged"`; several
// problems are joined with errors.Join.
func Load(data []byte, source string) (*Catalog, error) {
	c, errs := decodeCatalog(data)
	if len(errs) == 0 {
		errs = c.validate()
	}
	if len(errs) > 0 {
		for _, e := range errs {
			e.Source = source
		}
		return nil, joinErrors(errs)
	}
	c.reindex()
	return c, nil
}

// LoadFile reads and loads a catalog file; errors name the path.
func LoadFile(path string) (*Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("backends: %w", err)
	}
	return Load(data, path)
}

// Backend returns the backend with this name.
func (c *Catalog) Backend(name string) (*Backend, bool) {
	if c == nil {
		return nil, false
	}
	if i := c.indexOf(name); i >= 0 {
		return &c.Backends[i], true
	}
	return nil, false
}

// WithOverrides returns a new catalog: backends in o replace the same-named
// ones of c in place (keeping c's order); backends with new names are
// inserted, in o's order, before c's generic "virtual-kubelet" fallback (or
// appended if c has none), so that specific beats generic. Updated becomes
// the later of the two dates. The result is validated; c and o are not
// modified.
func (c *Catalog) WithOverrides(o *Catalog) (*Catalog, error) {
	if c == nil {
		return nil, errors.New("backends: WithOverrides on a nil catalog")
	}
	out := c.clone()
	if o != nil {
		for i := range o.Backends {
			b := o.Backends[i].clone()
			if j := out.indexOf(b.Name); j >= 0 {
				out.Backends[j] = b
				continue
			}
			at := out.indexOf(GenericBackend)
			if at < 0 {
				at = len(out.Backends)
			}
			out.Backends = slices.Insert(out.Backends, at, b)
		}
		if o.Updated > out.Updated {
			out.Updated = o.Updated
		}
	}
	if errs := out.validate(); len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	out.reindex()
	return out, nil
}

func (c *Catalog) indexOf(name string) int {
	for i := range c.Backends {
		if c.Backends[i].Name == name {
			return i
		}
	}
	return -1
}

// clone returns a deep copy with a fresh index.
func (c *Catalog) clone() *Catalog {
	out := &Catalog{APIVersion: c.APIVersion, Kind: c.Kind, Updated: c.Updated}
	if c.Backends != nil {
		out.Backends = make([]Backend, len(c.Backends))
		for i := range c.Backends {
			out.Backends[i] = c.Backends[i].clone()
		}
	}
	out.reindex()
	return out
}

func (b *Backend) clone() Backend {
	out := *b
	out.rules = nil
	out.Sources = slices.Clone(b.Sources)
	out.Refuses = slices.Clone(b.Refuses)
	out.AllowedVolumes = slices.Clone(b.AllowedVolumes)
	if b.Detect != nil {
		out.Detect = make([]NodeMatcher, len(b.Detect))
		for i, m := range b.Detect {
			if m.Labels != nil {
				out.Detect[i].Labels = make(map[string]string, len(m.Labels))
				for k, v := range m.Labels {
					out.Detect[i].Labels[k] = v
				}
			}
			if m.Taint != nil {
				t := *m.Taint
				out.Detect[i].Taint = &t
			}
		}
	}
	out.Limits = Limits{MaxCPU: copyQuantity(b.Limits.MaxCPU), MaxMemory: copyQuantity(b.Limits.MaxMemory), QuotaCPU: copyQuantity(b.Limits.QuotaCPU)}
	return out
}

func copyQuantity(q *resource.Quantity) *resource.Quantity {
	if q == nil {
		return nil
	}
	c := q.DeepCopy()
	return &c
}
