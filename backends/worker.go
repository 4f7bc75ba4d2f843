package backends

import v1 "k8s.io/api/core/v1"

// TakesWorkloads reports whether a dedicated node runs ordinary workloads:
// schedulable and without a NoSchedule or NoExecute taint (a control
// plane, a node being drained or reserved for something else does not).
// It says nothing of virtual nodes: ask ForNode first.
func TakesWorkloads(n *v1.Node) bool {
	if n == nil || n.Spec.Unschedulable {
		return false
	}
	for _, t := range n.Spec.Taints {
		if t.Effect == v1.TaintEffectNoSchedule || t.Effect == v1.TaintEffectNoExecute {
			return false
		}
	}
	return true
}
