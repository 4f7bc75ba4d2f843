package backends

import (
	"hash/maphash"
	"sync/atomic"
	"weak"

	v1 "k8s.io/api/core/v1"
)

// memoSlots is the size of a catalog's node memo: more than the nodes of
// any cluster kube-scheduler supports (5,000), so that slots rarely clash.
const memoSlots = 8192

// nodeMemo remembers ForNode's answer per node object. The scheduler asks
// about every node several times per pod (ServerlessFit's Filter, both
// Score plugins, the quota and utilisation sums) and node objects are
// never changed in place (an update is a new object), so the answer for
// an object holds as long as it lives.
//
// It is a direct-mapped table indexed by a hash of the node's address,
// safe for concurrent use without locks (Filter and Score run in
// parallel). Entries hold their node weakly: the memo keeps no node alive,
// so deleted nodes and old versions cost nothing once the scheduler's
// cache lets go of them. A clash or a freed node is a miss: ForNode works
// the answer out and takes the slot.
type nodeMemo struct {
	seed  maphash.Seed
	slots [memoSlots]atomic.Pointer[memoEntry]
}

type memoEntry struct {
	node    weak.Pointer[v1.Node]
	backend int // index in Catalog.Backends; -1: a dedicated node
}

func newNodeMemo() *nodeMemo { return &nodeMemo{seed: maphash.MakeSeed()} }

func (m *nodeMemo) slot(node *v1.Node) *atomic.Pointer[memoEntry] {
	return &m.slots[maphash.Comparable(m.seed, node)%memoSlots]
}

// get returns the backend index remembered for node, if any.
func (m *nodeMemo) get(node *v1.Node) (backend int, ok bool) {
	e := m.slot(node).Load()
	if e == nil || e.node.Value() != node {
		return 0, false
	}
	return e.backend, true
}

// put remembers the backend index of node.
func (m *nodeMemo) put(node *v1.Node, backend int) {
	m.slot(node).Store(&memoEntry{node: weak.Make(node), backend: backend})
}
