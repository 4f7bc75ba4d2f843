// Package importers holds what the trace importers share. The importers
// themselves are its subpackages: azurefunctions and alibaba.
package importers

import (
	"sort"

	v1 "k8s.io/api/core/v1"

	"github.com/spillway-dev/spillway/backends"
)

// VirtualNodeTolerations tolerates the taint of every virtual node the
// default backend catalog knows (key Exists, any effect), so that imported
// pods may burst to serverless capacity. Whether they do is the scheduler
// profile's decision; the importers' Options can replace these.
func VirtualNodeTolerations() []v1.Toleration {
	seen := map[string]bool{}
	var out []v1.Toleration
	for _, t := range backends.Default().VirtualTaints() {
		if !seen[t.Key] {
			seen[t.Key] = true
			out = append(out, v1.Toleration{Key: t.Key, Operator: v1.TolerationOpExists})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
