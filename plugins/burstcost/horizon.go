package burstcost

import (
	"context"

	v1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"

	"github.com/spillway-dev/spillway/plugins/internal/podhints"
	"github.com/spillway-dev/spillway/plugins/internal/workload"
)

// Where an expected lifetime came from, as logged.
const (
	sourceJobDeadline = "job.activeDeadlineSeconds"
	sourceObserved    = "observedLifetimes"
	sourceDefault     = "defaultHorizon"
)

// horizon is a pod's expected lifetime and where the estimate came from.
type horizon struct {
	seconds float64
	source  string
}

// expectedLifetime estimates how long the pod will run, from the first of:
// the spillway.dev/expected-duration annotation, the pod's
// activeDeadlineSeconds, its Job's activeDeadlineSeconds, the median
// lifetime of the owner's recently finished pods (once there are
// minObservedLifetimes of them), and the defaultHorizon arg. key is the
// pod's owner (workload.OwnerOf), owned false for a bare pod.
func (pl *BurstCost) expectedLifetime(ctx context.Context, pod *v1.Pod, key workload.Key, owned bool) horizon {
	d, src, ok, err := podhints.ExpectedDuration(pod)
	if err != nil {
		logger(ctx).V(2).Info("Ignoring a malformed hint", "pod", klog.KObj(pod), "err", err)
	}
	if ok {
		return horizon{d.Seconds(), src}
	}
	if owned && key.Kind == workload.KindJob && pl.jobs != nil {
		if job, err := pl.jobs.Jobs(key.Namespace).Get(key.Name); err == nil {
			if ads := job.Spec.ActiveDeadlineSeconds; ads != nil && *ads > 0 {
				return horizon{float64(*ads), sourceJobDeadline}
			}
		}
	}
	if owned {
		if median, n := pl.history.MedianLifetime(key); n >= int(pl.args.MinObservedLifetimes) && median > 0 {
			return horizon{median.Seconds(), sourceObserved}
		}
	}
	return horizon{pl.args.DefaultHorizon.Duration.Seconds(), sourceDefault}
}

// ObservePod records a pod's state in the lifetime history.
func (pl *BurstCost) ObservePod(pod *v1.Pod) { pl.history.Observe(pod) }

// ForgetPod records a deleted pod's lifetime.
func (pl *BurstCost) ForgetPod(pod *v1.Pod) { pl.history.Forget(pod) }
