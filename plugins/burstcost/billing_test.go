package burstcost

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	testingclock "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"
)

// TestColdStartIsBilledOnTopOnlyForRunToCompletionPods: a Job's pod (and
// a bare pod) ends when its work is done, so a serverless cold start
// delays its end and is billed on top of its expected run; a replica of a
// Deployment or StatefulSet ends when it is scaled away, so its lifetime
// already spans the cold start. Before, every pod was billed T + cold
// start, which overpriced serverless replicas.
func TestColdStartIsBilledOnTopOnlyForRunToCompletionPods(t *testing.T) {
	pl, err := NewWithClock(context.Background(), testArgs(""), nil, testingclock.NewFakePassiveClock(time.Unix(0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	aci := -1
	for i, b := range pl.backends.Backends {
		if b.Name == "aci" {
			aci = i
		}
	}
	if aci < 0 {
		t.Fatal("no aci backend in the embedded catalog")
	}
	sp := pl.current.Load().serverless[aci]
	startup := pl.backends.Backends[aci].StartupSeconds.P50
	bill := func(seconds float64) float64 {
		b, err := sp.Bill(1000, 2<<30, seconds, false)
		if err != nil {
			t.Fatal(err)
		}
		return b.USD + startup/60*testArgs("").StartupPenaltyUSDPerMinute
	}
	pod := func(ownerKind, ownerName string) *v1.Pod {
		p := &v1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "default", UID: "p",
				Annotations: map[string]string{"spillway.dev/expected-duration": "10m"}},
			Spec: v1.PodSpec{Containers: []v1.Container{{Name: "c", Resources: v1.ResourceRequirements{
				Requests: v1.ResourceList{v1.ResourceCPU: resource.MustParse("1"), v1.ResourceMemory: resource.MustParse("2Gi")},
			}}}},
		}
		if ownerKind != "" {
			p.OwnerReferences = []metav1.OwnerReference{{Kind: ownerKind, Name: ownerName, UID: "o", Controller: ptr.To(true)}}
		}
		return p
	}
	for _, tc := range []struct {
		name string
		pod  *v1.Pod
		want float64
	}{
		{"Job pod", pod("Job", "j"), bill(600 + startup)},
		{"bare pod", pod("", ""), bill(600 + startup)},
		{"Deployment replica", pod("ReplicaSet", "d-5d4f8c9b7"), bill(600)},
		{"StatefulSet replica", pod("StatefulSet", "s"), bill(600)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := pl.estimate(context.Background(), nil, tc.pod).virtualUSD[aci]
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateApprox(1e-12, 0)); diff != "" {
				t.Errorf("ACI cost (-want +got):\n%s", diff)
			}
		})
	}
}
