package workload

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func ownedPod(kind, name string, labels map[string]string) *v1.Pod {
	p := &v1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p", Labels: labels}}
	if kind != "" {
		p.OwnerReferences = []metav1.OwnerReference{{Kind: kind, Name: name, Controller: ptr.To(true)}}
	}
	return p
}

func TestOwnerOf(t *testing.T) {
	tests := []struct {
		name   string
		pod    *v1.Pod
		want   Key
		wantOK bool
	}{
		{"deployment via replicaset", ownedPod("ReplicaSet", "web-5d4f8c", map[string]string{"pod-template-hash": "5d4f8c"}),
			Key{"ns", KindDeployment, "web"}, true},
		{"bare replicaset", ownedPod("ReplicaSet", "web", nil), Key{"ns", KindReplicaSet, "web"}, true},
		{"hash label that is not the suffix", ownedPod("ReplicaSet", "web-abc", map[string]string{"pod-template-hash": "zzz"}),
			Key{"ns", KindReplicaSet, "web-abc"}, true},
		{"statefulset", ownedPod("StatefulSet", "db", nil), Key{"ns", KindStatefulSet, "db"}, true},
		{"job", ownedPod("Job", "etl", nil), Key{"ns", KindJob, "etl"}, true},
		{"bare pod", ownedPod("", "", nil), Key{"ns", KindPod, "p"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := OwnerOf(tt.pod)
			if diff := cmp.Diff(tt.want, got); diff != "" || ok != tt.wantOK {
				t.Errorf("OwnerOf() ok=%v (want %v), key (-want +got):\n%s", ok, tt.wantOK, diff)
			}
		})
	}
}

func TestOwnerOfIgnoresNonControllerRefs(t *testing.T) {
	p := ownedPod("", "", nil)
	p.OwnerReferences = []metav1.OwnerReference{{Kind: "ConfigMap", Name: "x"}}
	if got, ok := OwnerOf(p); ok || got.Kind != KindPod {
		t.Errorf("OwnerOf() = %v, %v; want the pod itself, false", got, ok)
	}
}
