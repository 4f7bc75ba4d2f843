package explain

import (
	"context"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/cache"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/flowcontrol"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/scheduler/framework"
)

// Event reasons.
const (
	// ReasonServerless: the pod was placed on a virtual node.
	ReasonServerless = "SpillwayServerless"
	// ReasonRefused: the pod was placed on a VM while at least one
	// serverless backend refused it.
	ReasonRefused = "SpillwayServerlessRefused"
)

// Rate limits: at most one explanation per pod and reason in perPodTTL
// (a pod retried after its binding failed is not explained twice), and
// eventsPerSecond overall, with a burst of eventBurst, so that a burst of
// thousands of pods does not flood the API server with Events. Explanations
// over the limit are still logged.
const (
	perPodTTL       = 10 * time.Minute
	seenSize        = 8192
	eventsPerSecond = 10
	eventBurst      = 100
)

// Recorder emits explanations. The zero value and nil are valid and emit
// nothing but the log.
type Recorder struct {
	rec     events.EventRecorder
	limiter flowcontrol.RateLimiter
	seen    *cache.LRUExpireCache
	// Profile is the scheduler profile, in the log.
	Profile string
}

// NewRecorder returns a recorder on the framework's event recorder (nil in
// the simulator, which emits only the log).
func NewRecorder(h framework.Handle) *Recorder {
	r := &Recorder{Profile: ProfileName(h), seen: cache.NewLRUExpireCache(seenSize),
		limiter: flowcontrol.NewTokenBucketRateLimiter(eventsPerSecond, eventBurst)}
	if h != nil {
		r.rec = h.EventRecorder()
	}
	return r
}

// ProfileName is the name of the profile the handle's framework runs
// (the metrics' profile label); "" when it does not say.
func ProfileName(h framework.Handle) string {
	if p, ok := h.(interface{ ProfileName() string }); ok {
		return p.ProfileName()
	}
	return ""
}

// Placed explains a binding: an Event on the pod when it went serverless,
// or went to a VM while a serverless backend refused it; the same line at
// V(2) in the log.
func (r *Recorder) Placed(ctx context.Context, pod *v1.Pod, p *Placement, n *Note) {
	reason := ReasonServerless
	if !p.Serverless() {
		if !n.HasRefusals() {
			return
		}
		reason = ReasonRefused
	}
	msg := Message(p, n)
	if l := klog.FromContext(ctx).V(2); l.Enabled() {
		l.Info("Spillway placement", "pod", klog.KObj(pod), "profile", r.profile(), "reason", reason, "explanation", msg)
	}
	if r == nil || r.rec == nil || r.seen == nil || r.limiter == nil || pod == nil {
		return
	}
	key := string(pod.UID) + "/" + reason
	if _, ok := r.seen.Get(key); ok {
		return
	}
	if !r.limiter.TryAccept() {
		return
	}
	r.seen.Add(key, struct{}{}, perPodTTL)
	r.rec.Eventf(pod, nil, v1.EventTypeNormal, reason, "Scheduling", "%s", msg)
}

func (r *Recorder) profile() string {
	if r == nil {
		return ""
	}
	return r.Profile
}

// HasRefusals reports whether ServerlessFit refused the pod on some backend.
func (n *Note) HasRefusals() bool {
	if n == nil {
		return false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.Refused != nil && len(n.Refused.Refusals()) > 0
}

func durationOf(s float64) time.Duration {
	return time.Duration(s * float64(time.Second)).Round(time.Second)
}
