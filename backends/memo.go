package backends

import (
	"hash/maphash"
	"math/rand/v2"
	"sync/atomic"
	"time"

	v1 "k8s.io/api/core/v1"
)

// A catalog's node memo holds memoBuckets x memoWays entries: about three
// times the nodes of the largest cluster kube-scheduler supports (5,000).
// A node can take any of its bucket's ways, so 5,000 nodes fit with only
// the few buckets that draw more than memoWays of them left to share
// (about 1% of the asks miss); with one way per bucket (direct-mapped)
// nearly half of 5,000 nodes would clash and keep evicting each other.
const (
	memoBuckets = 4096
	memoWays    = 4
	memoEntries = memoBuckets * memoWays
)

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
// It is a set-associative table: a hash of the node's address picks a
// bucket, and the node's entry is in one of the bucket's ways. Safe for
// concurrent use without locks (Filter and Score run in parallel). On a
// miss ForNode works the answer out and takes a free way, or a random one
// when the bucket is full. Entries hold their node, so a miss after the
// table has been in use for maxAge starts a new, empty one: a node version
// or a deleted node stays alive at most that long after it was last new
// to the memo.
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
	born    time.Time
	buckets [memoBuckets][memoWays]atomic.Pointer[memoEntry]
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

func (m *nodeMemo) bucket(t *memoTable, node *v1.Node) *[memoWays]atomic.Pointer[memoEntry] {
	return &t.buckets[maphash.Comparable(m.seed, node)%memoBuckets]
}

// get returns the backend index remembered for node, if any.
func (m *nodeMemo) get(node *v1.Node) (backend int, ok bool) {
	b := m.bucket(m.table.Load(), node)
	for i := range b {
		if e := b[i].Load(); e != nil && e.node == node {
			return e.backend, true
		}
	}
	return 0, false
}

// put remembers the backend index of node, in a new table if the current
// one is older than maxAge.
func (m *nodeMemo) put(node *v1.Node, backend int) {
	t := m.table.Load()
	if now := m.now(); now.Sub(t.born) >= m.maxAge {
		m.table.CompareAndSwap(t, &memoTable{born: now})
		t = m.table.Load()
	}
	e := &memoEntry{node: node, backend: backend}
	b := m.bucket(t, node)
	for i := range b {
		if b[i].Load() == nil && b[i].CompareAndSwap(nil, e) {
			return
		}
	}
	// Racing puts may leave the same node in two ways: harmless, get
	// finds either.
	b[rand.IntN(memoWays)].Store(e)
}
