package backends

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
	"weak"

	v1 "k8s.io/api/core/v1"
)

// backendName is ForNode's answer as a name ("" for a dedicated node).
func backendName(c *Catalog, n *v1.Node) string {
	if b := c.ForNode(n); b != nil {
		return b.Name
	}
	return ""
}

// The memo answers per node object: a node's next version (a new object,
// as an informer delivers it) is classified afresh, and asking again gives
// the same answer as a fresh catalog.
func TestForNodeFollowsNewVersions(t *testing.T) {
	c := Default()
	versions := []struct {
		node *v1.Node
		want string
	}{
		{vmNode(), ""},
		{aciNode(), "aci"},
		{vmNode(), ""},
		{node(map[string]string{"eks.amazonaws.com/compute-type": "fargate"}), "fargate"},
	}
	for i, v := range versions {
		v.node.Name = "same-name" // one node, relabelled from version to version
		for range 3 {
			if got := backendName(c, v.node); got != v.want {
				t.Errorf("version %d: ForNode = %q, want %q", i, got, v.want)
			}
		}
		if got, fresh := backendName(c, v.node), backendName(Default(), v.node); got != fresh {
			t.Errorf("version %d: ForNode = %q, a fresh catalog says %q", i, got, fresh)
		}
	}
}

// ForNode from many goroutines at once, on more nodes than the memo has
// entries, gives every node its own answer (run with -race).
func TestForNodeConcurrent(t *testing.T) {
	c := Default()
	nodes := make([]*v1.Node, memoEntries+500)
	want := make([]string, len(nodes))
	for i := range nodes {
		if i%7 == 0 {
			nodes[i], want[i] = aciNode(), "aci"
		} else {
			nodes[i] = vmNode()
		}
		nodes[i].Name = fmt.Sprintf("node-%d", i)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 3 * len(nodes) {
				i := (k*7919 + g*131) % len(nodes)
				if got := backendName(c, nodes[i]); got != want[i] {
					errs <- fmt.Sprintf("%s: ForNode = %q, want %q", nodes[i].Name, got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// A cluster of 5,000 nodes, the most kube-scheduler supports, fits in the
// memo: after one pass over its nodes, nearly all are remembered (a
// direct-mapped table of 8,192 slots kept three quarters of them; the rest
// clashed and evicted each other on every pass).
func TestForNodeMemoHoldsALargeCluster(t *testing.T) {
	c := Default()
	nodes := make([]*v1.Node, 5000)
	for i := range nodes {
		nodes[i] = vmNode()
		nodes[i].Name = fmt.Sprintf("node-%d", i)
		c.ForNode(nodes[i])
	}
	missed := 0
	for _, n := range nodes {
		if _, ok := c.idx.memo.get(n); !ok {
			missed++
		}
	}
	if missed > len(nodes)/50 {
		t.Errorf("%d of %d nodes are not remembered after a pass; want at most 2%% (about 1%% expected)", missed, len(nodes))
	}
}

// The memo keeps a node alive only until a miss after maxAge starts a new
// table: a node the caller lets go of is then freed.
func TestForNodeLetsGoOfOldNodes(t *testing.T) {
	c := Default()
	clock := c.idx.memo.table.Load().born
	c.idx.memo.now = func() time.Time { return clock }
	n := aciNode()
	c.ForNode(n)
	w := weak.Make(n)
	n = nil
	clock = clock.Add(memoMaxAge)
	c.ForNode(vmNode())        // a miss a whole maxAge later: a new table
	defer runtime.KeepAlive(c) // the memo lives as long as its catalog
	for range 20 {
		runtime.GC()
		if w.Value() == nil {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Error("a node ForNode saw before the memo's new table is still alive after the caller dropped it")
}

func BenchmarkForNode(b *testing.B) {
	c := Default()
	nodes := []*v1.Node{vmNode(), aciNode()}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.ForNode(nodes[i%2])
		i++
	}
}

// BenchmarkForNodeCluster asks about each node of a cluster in turn, as
// Filter and Score do: allocs/op is the share of the asks that miss the
// memo (a miss stores one entry).
func BenchmarkForNodeCluster(b *testing.B) {
	for _, n := range []int{500, 5000} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			c := Default()
			nodes := make([]*v1.Node, n)
			for i := range nodes {
				nodes[i] = vmNode()
				nodes[i].Name = fmt.Sprintf("node-%d", i)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				c.ForNode(nodes[i%n])
				i++
			}
		})
	}
}
