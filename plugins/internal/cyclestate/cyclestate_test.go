package cyclestate

import (
	"strings"
	"testing"

	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler/framework"
)

type mine struct{ n int }

func (m *mine) Clone() fwk.StateData { return m }

type other struct{}

func (o *other) Clone() fwk.StateData { return o }

func TestRead(t *testing.T) {
	state := framework.NewCycleState()
	if _, err := Read[*mine](state, "k", "P"); err == nil || !strings.Contains(err.Error(), "P: reading cycle state") {
		t.Errorf("missing key: err = %v", err)
	}
	state.Write("k", &other{})
	if _, err := Read[*mine](state, "k", "P"); err == nil || !strings.Contains(err.Error(), "*cyclestate.other") {
		t.Errorf("wrong type: err = %v", err)
	}
	state.Write("k", &mine{n: 7})
	if got, err := Read[*mine](state, "k", "P"); err != nil || got.n != 7 {
		t.Errorf("Read = %v, %v; want n=7", got, err)
	}
}
