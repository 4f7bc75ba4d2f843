package trace

import (
	"fmt"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// The bounds of a trace's numbers. A trace over them is refused at the
// line that breaks one, before the simulator allocates anything for it:
// they keep the per-minute series, the pods of a scale and the sums of
// requests within memory and int64 whatever a trace says.
const (
	// MaxSeconds bounds at and runFor (and the simulator's --until): 31
	// days, the longest public cluster traces. A run then spans at most
	// 62 days, 89,280 rows of the per-minute series.
	MaxSeconds = 31 * 24 * 3600
	// MaxReplicas bounds a scale event's replicas (a pod of the simulator
	// takes a few KiB; 100,000 of them about 350 MB).
	MaxReplicas = 100_000
)

// The bounds of one container's (or the pod's) requests and limits: no
// VM or serverless backend comes near them, and 150,000 pods (Kubernetes'
// documented limit of a cluster) of the largest still sum within int64.
var (
	MaxCPU    = resource.MustParse("10k")  // 10,000 cores
	MaxMemory = resource.MustParse("16Ti") // and ephemeral-storage
	// MaxOtherQuantity bounds every other resource (extended resources,
	// hugepages).
	MaxOtherQuantity = resource.MustParse("1Pi")
)

// maxOf is the bound of one resource.
func maxOf(name v1.ResourceName) resource.Quantity {
	switch name {
	case v1.ResourceCPU:
		return MaxCPU
	case v1.ResourceMemory, v1.ResourceEphemeralStorage:
		return MaxMemory
	}
	return MaxOtherQuantity
}

// validateSeconds checks at or runFor: finite, 0..MaxSeconds.
func validateSeconds(field string, v float64) error {
	if !(v >= 0 && v <= MaxSeconds) { // also NaN and ±Inf
		return fmt.Errorf("%s: want a number of seconds 0..%d (31 days, the bound of a trace), got %v", field, MaxSeconds, v)
	}
	return nil
}

// validateName checks a namespace (a DNS label) and a name (a DNS
// subdomain), as the API server checks a pod's or a workload's.
func validateName(field, namespace, name string) error {
	if namespace != "" {
		if errs := validation.IsDNS1123Label(namespace); len(errs) > 0 {
			return fmt.Errorf("%s: namespace %q: %s", field, namespace, errs[0])
		}
	}
	if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
		return fmt.Errorf("%s: name %q: %s", field, name, errs[0])
	}
	return nil
}

// validatePod checks a pod (or template) as the API server would the parts
// the simulator uses: its namespace and name when hasName, and every
// container's requests and limits (non-negative, within the bounds above,
// requests at most limits).
func validatePod(field string, pod *v1.Pod, hasName bool) error {
	if hasName {
		if err := validateName(field+".metadata", pod.Namespace, pod.Name); err != nil {
			return err
		}
	} else if pod.Namespace != "" {
		if errs := validation.IsDNS1123Label(pod.Namespace); len(errs) > 0 {
			return fmt.Errorf("%s.metadata.namespace: %q: %s", field, pod.Namespace, errs[0])
		}
	}
	if err := validateLabels(field+".metadata.labels", pod.Labels); err != nil {
		return err
	}
	check := func(path string, rr v1.ResourceRequirements) error {
		for _, list := range []struct {
			name string
			l    v1.ResourceList
		}{{"requests", rr.Requests}, {"limits", rr.Limits}} {
			for res, q := range list.l {
				at := fmt.Sprintf("%s.resources.%s[%s]", path, list.name, res)
				if q.Sign() < 0 {
					return fmt.Errorf("%s: must be greater than or equal to 0, got %s", at, q.String())
				}
				if bound := maxOf(res); q.Cmp(bound) > 0 {
					return fmt.Errorf("%s: %s is over the bound %s", at, q.String(), bound.String())
				}
			}
		}
		for res, req := range rr.Requests {
			if lim, ok := rr.Limits[res]; ok && req.Cmp(lim) > 0 {
				return fmt.Errorf("%s.resources.requests[%s]: %s must be less than or equal to the limit %s", path, res, req.String(), lim.String())
			}
		}
		return nil
	}
	spec := field + ".spec"
	for i, c := range pod.Spec.InitContainers {
		if err := check(fmt.Sprintf("%s.initContainers[%d]", spec, i), c.Resources); err != nil {
			return err
		}
	}
	for i, c := range pod.Spec.Containers {
		if err := check(fmt.Sprintf("%s.containers[%d]", spec, i), c.Resources); err != nil {
			return err
		}
	}
	if r := pod.Spec.Resources; r != nil {
		if err := check(spec, *r); err != nil {
			return err
		}
	}
	for res, q := range pod.Spec.Overhead {
		if q.Sign() < 0 || q.Cmp(maxOf(res)) > 0 {
			bound := maxOf(res)
			return fmt.Errorf("%s.overhead[%s]: want 0..%s, got %s", spec, res, bound.String(), q.String())
		}
	}
	return nil
}

// validateRef checks "NAMESPACE/NAME" as a DNS label and a DNS subdomain.
func validateRef(field, ref string) error {
	ns, name, err := SplitName(ref)
	if err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	return validateName(field, ns, name)
}

// validateLabels checks label keys (qualified names) and values, as the
// API server does.
func validateLabels(field string, labels map[string]string) error {
	for k, v := range labels {
		if errs := validation.IsQualifiedName(k); len(errs) > 0 {
			return fmt.Errorf("%s: key %q: %s", field, k, errs[0])
		}
		if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
			return fmt.Errorf("%s[%s]: value %q: %s", field, k, v, errs[0])
		}
	}
	return nil
}
