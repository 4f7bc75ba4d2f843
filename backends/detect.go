package backends

import (
	"slices"

	v1 "k8s.io/api/core/v1"
)

// index is what ForNode needs, precomputed from Catalog.Backends.
type index struct {
	labelKeys []string            // one label key per label-only matcher: a node without any cannot match
	taintKeys map[string]struct{} // the taint key of every matcher with a taint
	matchers  [][]matcher         // per backend, in catalog order
	taints    []v1.Taint          // distinct detection taints, see VirtualTaints
	memo      *nodeMemo           // ForNode's answers per node object
}

type matcher struct {
	labels []labelPair // sorted by key
	taint  *TaintMatcher
}

type labelPair struct{ key, value string }

// reindex rebuilds the detection index and every backend's compiled rules.
func (c *Catalog) reindex() {
	ix := &index{taintKeys: map[string]struct{}{}, matchers: make([][]matcher, len(c.Backends))}
	// A matcher needs all its labels, so the prefilter needs only one of its
	// keys: the one most matchers share (fewest lookups per node).
	uses := map[string]int{}
	for i := range c.Backends {
		for _, m := range c.Backends[i].Detect {
			for k := range m.Labels {
				uses[k]++
			}
		}
	}
	for i := range c.Backends {
		b := &c.Backends[i]
		r := compileRules(b)
		b.rules = &r
		for _, m := range b.Detect {
			cm := matcher{taint: m.Taint}
			best := ""
			for _, k := range sortedKeys(m.Labels) {
				cm.labels = append(cm.labels, labelPair{k, m.Labels[k]})
				if best == "" || uses[k] > uses[best] {
					best = k
				}
			}
			if m.Taint != nil {
				ix.taintKeys[m.Taint.Key] = struct{}{}
			} else if best != "" && !slices.Contains(ix.labelKeys, best) {
				ix.labelKeys = append(ix.labelKeys, best)
			}
			ix.matchers[i] = append(ix.matchers[i], cm)
		}
	}
	ix.taints = collectTaints(c.Backends)
	ix.memo = newNodeMemo()
	c.idx = ix
}

func collectTaints(backends []Backend) []v1.Taint {
	var taints []v1.Taint
	for i := range backends {
		for _, m := range backends[i].Detect {
			if t := m.Taint; t != nil {
				vt := v1.Taint{Key: t.Key, Value: t.Value, Effect: v1.TaintEffect(t.Effect)}
				if !slices.Contains(taints, vt) {
					taints = append(taints, vt)
				}
			}
		}
	}
	return taints
}

// ForNode returns the backend whose virtual nodes look like this node (the
// first in catalog order with a matching matcher), or nil for a dedicated
// node (a VM). The answer is remembered per node object (nodeMemo), as
// node objects are not changed in place: treat a node passed here as
// read-only, as the scheduler treats its informers' objects. It allocates
// only the first time it sees a node object; otherwise a node carrying
// none of the label and taint keys the catalog's matchers use is rejected
// after a few map lookups.
func (c *Catalog) ForNode(node *v1.Node) *Backend {
	if c == nil || node == nil {
		return nil
	}
	ix := c.idx
	if ix == nil || len(ix.matchers) != len(c.Backends) {
		return c.scan(node) // hand-built catalog: no index
	}
	i, ok := ix.memo.get(node)
	if !ok {
		i = ix.match(node)
		ix.memo.put(node, i)
	}
	if i < 0 {
		return nil
	}
	return &c.Backends[i]
}

// match returns the index of the node's backend, or -1.
func (ix *index) match(node *v1.Node) int {
	if !ix.mayMatch(node) {
		return -1
	}
	for i, ms := range ix.matchers {
		for j := range ms {
			if ms[j].matches(node) {
				return i
			}
		}
	}
	return -1
}

func (ix *index) mayMatch(node *v1.Node) bool {
	for _, k := range ix.labelKeys {
		if _, ok := node.Labels[k]; ok {
			return true
		}
	}
	for i := range node.Spec.Taints {
		if _, ok := ix.taintKeys[node.Spec.Taints[i].Key]; ok {
			return true
		}
	}
	return false
}

func (m *matcher) matches(node *v1.Node) bool {
	if len(m.labels) == 0 && m.taint == nil {
		return false
	}
	for _, l := range m.labels {
		if v, ok := node.Labels[l.key]; !ok || v != l.value {
			return false
		}
	}
	return m.taint == nil || hasTaint(node, m.taint)
}

func hasTaint(node *v1.Node, t *TaintMatcher) bool {
	for i := range node.Spec.Taints {
		nt := &node.Spec.Taints[i]
		if nt.Key == t.Key && (t.Value == "" || nt.Value == t.Value) && (t.Effect == "" || string(nt.Effect) == t.Effect) {
			return true
		}
	}
	return false
}

// Matches reports whether the node matches this matcher.
func (m *NodeMatcher) Matches(node *v1.Node) bool {
	if node == nil || (len(m.Labels) == 0 && m.Taint == nil) {
		return false
	}
	for k, want := range m.Labels {
		if v, ok := node.Labels[k]; !ok || v != want {
			return false
		}
	}
	return m.Taint == nil || hasTaint(node, m.Taint)
}

func (c *Catalog) scan(node *v1.Node) *Backend {
	for i := range c.Backends {
		for j := range c.Backends[i].Detect {
			if c.Backends[i].Detect[j].Matches(node) {
				return &c.Backends[i]
			}
		}
	}
	return nil
}

// VirtualTaints returns the distinct taints the catalog's matchers look for,
// in catalog order, so that callers can tell whether a pod tolerates some
// virtual node at all. An empty Value or Effect means "any" (as in
// TaintMatcher): for such taints use ToleratesVirtualTaint rather than
// v1.Toleration.ToleratesTaint. Backends recognised by labels alone add
// nothing here. The slice is the caller's.
func (c *Catalog) VirtualTaints() []v1.Taint {
	if c == nil {
		return nil
	}
	if c.idx == nil {
		return collectTaints(c.Backends)
	}
	return slices.Clone(c.idx.taints)
}

// ToleratesVirtualTaint reports whether the tolerations tolerate at least one
// taint in VirtualTaints, treating an empty taint Value or Effect as "any":
// that is, whether the pod could be placed on some tainted virtual node.
func (c *Catalog) ToleratesVirtualTaint(tolerations []v1.Toleration) bool {
	if c == nil || len(tolerations) == 0 {
		return false
	}
	var taints []v1.Taint
	if c.idx != nil {
		taints = c.idx.taints
	} else {
		taints = collectTaints(c.Backends)
	}
	for i := range tolerations {
		for j := range taints {
			if mayTolerate(&tolerations[i], &taints[j]) {
				return true
			}
		}
	}
	return false
}

// mayTolerate is v1.Toleration.ToleratesTaint with an empty taint Value or
// Effect standing for any value or effect.
func mayTolerate(t *v1.Toleration, taint *v1.Taint) bool {
	if t.Effect != "" && taint.Effect != "" && t.Effect != taint.Effect {
		return false
	}
	if t.Key == "" {
		return t.Operator == v1.TolerationOpExists // tolerates everything
	}
	if t.Key != taint.Key {
		return false
	}
	switch t.Operator {
	case v1.TolerationOpExists:
		return true
	case "", v1.TolerationOpEqual:
		return taint.Value == "" || t.Value == taint.Value
	}
	return false
}
