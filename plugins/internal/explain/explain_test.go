package explain

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/cache"
	"k8s.io/client-go/util/flowcontrol"
	"k8s.io/kubernetes/pkg/scheduler/framework"
)

type refusals []string

func (r refusals) Refusals() []string { return r }

func TestMessage(t *testing.T) {
	burst := &Note{Class: "burst", ClassSource: "history"}
	refused := &Note{Class: "steady", ClassSource: "kind", Refused: refusals{"aci cannot run this pod: InitContainers: the pod has init container \"setup\""}}
	cases := []struct {
		name string
		p    Placement
		n    *Note
		want string
	}{
		{"serverless against a VM", Placement{Node: "virtual-node-aci-linux", Backend: "aci", USD: 0.05512, Priced: true, Seconds: 3600, HorizonSource: "defaultHorizon", AltBackend: BackendVM, AltUSD: 0.0061}, burst,
			"placed on aci (node virtual-node-aci-linux): expected $0.0551 for 1h0m0s (defaultHorizon) against $0.0061 on a VM; steadiness: burst (history)"},
		{"serverless, no VM feasible", Placement{Node: "aci-1", Backend: "aci", USD: 0.01, Priced: true, Seconds: 600}, nil,
			"placed on aci (node aci-1): expected $0.0100 for 10m0s, no VM could take it"},
		{"VM, refused by a backend", Placement{Node: "worker-1", Backend: BackendVM, USD: 0.002, Priced: true, Seconds: 90, HorizonSource: "annotation"}, refused,
			"placed on a VM (node worker-1): expected $0.0020 for 1m30s (annotation); steadiness: steady (kind); kept off serverless: aci cannot run this pod: InitContainers: the pod has init container \"setup\""},
		{"VM against another backend", Placement{Node: "worker-1", Backend: BackendVM, USD: 0.002, Priced: true, Seconds: 60, AltBackend: "fargate", AltUSD: 0.02}, refused,
			"placed on a VM (node worker-1): expected $0.0020 for 1m0s against $0.0200 on fargate; steadiness: steady (kind); kept off serverless: aci cannot run this pod: InitContainers: the pod has init container \"setup\""},
		{"unpriced", Placement{Node: "aci-1", Backend: "aci"}, &Note{}, "placed on aci (node aci-1)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Message(&tc.p, tc.n)); diff != "" {
				t.Errorf("Message (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOfSharesTheNote(t *testing.T) {
	state := framework.NewCycleState()
	Of(state).SetClass("burst", "kind")
	Of(state).SetRefusals(refusals{"x"})
	n := Of(state)
	if n.Class != "burst" || !n.HasRefusals() {
		t.Errorf("the second and third Of did not return the first note: %+v", n)
	}
	if Of(nil) == nil {
		t.Error("Of(nil) = nil")
	}
	if Peek(framework.NewCycleState()) != nil || Peek(state) != n || Peek(nil).HasRefusals() {
		t.Error("Peek does not return the cycle's note, or nil without one")
	}
}

// fakeEvents records Eventf calls.
type fakeEvents struct{ got []string }

func (e *fakeEvents) Eventf(regarding runtime.Object, _ runtime.Object, eventtype, reason, action, note string, args ...interface{}) {
	e.got = append(e.got, fmt.Sprintf("%s %s %s %s: %s", regarding.(*v1.Pod).Name, eventtype, reason, action, fmt.Sprintf(note, args...)))
}

func TestRecorder(t *testing.T) {
	pod := func(name string) *v1.Pod {
		return &v1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: k8stypes.UID("uid-" + name)}}
	}
	serverless := &Placement{Node: "aci-1", Backend: "aci", USD: 0.01, Priced: true, Seconds: 60}
	vm := &Placement{Node: "w-1", Backend: BackendVM, USD: 0.001, Priced: true, Seconds: 60}
	e := &fakeEvents{}
	r := &Recorder{rec: e, seen: cache.NewLRUExpireCache(100), limiter: flowcontrol.NewFakeAlwaysRateLimiter()}
	ctx := context.Background()
	r.Placed(ctx, pod("a"), serverless, nil)
	r.Placed(ctx, pod("a"), serverless, nil)                                              // same pod, same reason: once
	r.Placed(ctx, pod("b"), vm, &Note{})                                                  // VM, nothing refused: no Event
	r.Placed(ctx, pod("c"), vm, &Note{Refused: refusals{"aci cannot run this pod: GPU"}}) // VM, refused
	want := []string{
		"a Normal SpillwayServerless Scheduling: placed on aci (node aci-1): expected $0.0100 for 1m0s, no VM could take it",
		"c Normal SpillwayServerlessRefused Scheduling: placed on a VM (node w-1): expected $0.0010 for 1m0s; kept off serverless: aci cannot run this pod: GPU",
	}
	if diff := cmp.Diff(want, e.got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}

	// The overall limit: a burst of 100 events, then none until tokens
	// come back.
	e.got = nil
	limited := &Recorder{rec: e, seen: cache.NewLRUExpireCache(1000), limiter: flowcontrol.NewTokenBucketRateLimiterWithClock(eventsPerSecond, eventBurst, frozenClock{})}
	for i := range 300 {
		limited.Placed(ctx, pod(fmt.Sprint(i)), serverless, nil)
	}
	if len(e.got) != eventBurst {
		t.Errorf("%d events for 300 pods at once, want the burst of %d", len(e.got), eventBurst)
	}

	// nil and zero recorders log only.
	var none *Recorder
	none.Placed(ctx, pod("d"), serverless, nil)
	(&Recorder{}).Placed(ctx, pod("d"), serverless, nil)
}
