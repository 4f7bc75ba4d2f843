package backends

import (
	"hash/maphash"
	"sync/atomic"
	"time"

	v1 "k8s.io/api/core/v1"
)

// memoSlots is the size of a catalog's node memo: more than the nodes of
// any cluster kube-scheduler supports (5,000), so that slots rarely clash.
const memoSlots = 8192

// memoMaxAge is how long a memo table is used before a miss starts a new
// one: what bounds the old node versions and deleted nodes it keeps alive
// to those seen in that time.
const memoMaxAge = time.Minute

// nodeMemo remembers ForNode's answer per node object. The scheduler asks
// about every node several times per pod (ServerlessFit's Filter, both
// Score plugins, the quota and utilisation sums) and node objects are
// never changed in place (an update is a new object), so the answer for
// an object holds as long as it lives.
//
// It is a direct-mapped table indexed by a hash of the node's address,
// safe for concurrent use without locks (Filter and Score run in
// parallel). A clash is a miss: ForNode works the answer out and takes
// the slot. Entries hold their node, so a miss after the table has been in
// use for maxAge starts a new, empty one: a node version or a deleted node
// stays alive at most that long after it was last new to the memo.
// (Weak pointers would keep nothing alive, but their Value waits for the
// garbage collector's mark termination and checks the heap span: in the
// benchmarks they made the lookups dearer than working the answer out.)
type nodeMemo struct {
	seed   maphash.Seed
	maxAge time.Duration
	now    func() time.Time
	table  atomic.Pointer[memoTable]
}

type memoTable struct {
	born  time.Time
	slots [memoSlots]atomic.Pointer[memoEntry]
}

type memoEntry struct {
	node    *v1.Node
	backend int // index in Catalog.Backends; -1: a dedicated node
}

func newNodeMemo() *nodeMemo {
	m := &nodeMemo{seed: maphash.MakeSeed(), maxAge: memoMaxAge, now: time.Now}
	m.table.Store(&memoTable{born: m.now()})
	return m
}

func (m *nodeMemo) slot(t *memoTable, node *v1.Node) *atomic.Pointer[memoEntry] {
	return &t.slots[maphash.Comparable(m.seed, node)%memoSlots]
}

// get returns the backend index remembered for node, if any.
func (m *nodeMemo) get(node *v1.Node) (backend int, ok bool) {
	e := m.slot(m.table.Load(), node).Load()
	if e == nil || e.node != node {
		return 0, false
	}
	return e.backend, true
}

// put remembers the backend index of node, in a new table if the current
// one is older than maxAge.
func (m *nodeMemo) put(node *v1.Node, backend int) {
	t := m.table.Load()
	if now := m.now(); now.Sub(t.born) >= m.maxAge {
		m.table.CompareAndSwap(t, &memoTable{born: now})
		t = m.table.Load()
	}
	m.slot(t, node).Store(&memoEntry{node: node, backend: backend})
}
