// Package podhints reads the hints a pod gives Spillway through its
// annotations and spec.
package podhints

import (
	"fmt"
	"time"

	v1 "k8s.io/api/core/v1"
)

// Annotations a pod (or its template) may carry.
const (
	// ExpectedDurationAnnotation is how long the pod is expected to run, as
	// a Go duration ("90s", "2h").
	ExpectedDurationAnnotation = "spillway.dev/expected-duration"
	// SteadinessAnnotation overrides the steadiness estimate: "steady" or
	// "burst".
	SteadinessAnnotation = "spillway.dev/steadiness"
)

// Steadiness override values.
const (
	Steady = "steady"
	Burst  = "burst"
)

// ExpectedDuration returns the pod's own estimate of its lifetime: the
// annotation, else spec.activeDeadlineSeconds. ok is false when the pod
// gives none; err reports an annotation that does not parse (the caller
// falls back as if it were absent).
func ExpectedDuration(pod *v1.Pod) (d time.Duration, source string, ok bool, err error) {
	if s, has := pod.Annotations[ExpectedDurationAnnotation]; has {
		d, perr := time.ParseDuration(s)
		switch {
		case perr != nil:
			err = fmt.Errorf("annotation %s=%q: %w", ExpectedDurationAnnotation, s, perr)
		case d <= 0:
			err = fmt.Errorf("annotation %s=%q: must be positive", ExpectedDurationAnnotation, s)
		default:
			return d, "annotation", true, nil
		}
	}
	if ads := pod.Spec.ActiveDeadlineSeconds; ads != nil && *ads > 0 {
		return time.Duration(*ads) * time.Second, "activeDeadlineSeconds", true, err
	}
	return 0, "", false, err
}

// SteadinessOverride returns the pod's steadiness annotation ("steady",
// "burst" or "" when absent); err reports any other value.
func SteadinessOverride(pod *v1.Pod) (string, error) {
	s, has := pod.Annotations[SteadinessAnnotation]
	if !has {
		return "", nil
	}
	if s != Steady && s != Burst {
		return "", fmt.Errorf("annotation %s=%q: want %q or %q", SteadinessAnnotation, s, Steady, Burst)
	}
	return s, nil
}
