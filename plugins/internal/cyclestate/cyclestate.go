// Package cyclestate reads a plugin's typed data from a scheduling cycle's
// state.
package cyclestate

import (
	"fmt"

	fwk "k8s.io/kube-scheduler/framework"
)

// Read returns the data plugin wrote under key, as a T.
func Read[T fwk.StateData](state fwk.CycleState, key fwk.StateKey, plugin string) (T, error) {
	var zero T
	data, err := state.Read(key)
	if err != nil {
		return zero, fmt.Errorf("%s: reading cycle state: %w", plugin, err)
	}
	t, ok := data.(T)
	if !ok {
		return zero, fmt.Errorf("%s: cycle state has type %T, want %T", plugin, data, zero)
	}
	return t, nil
}
