package cluster

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
)

// MaxNodesPerGroup bounds a node group's count, and MaxNodes the nodes of
// a cluster in all, dedicated and virtual: the simulator holds every node
// and scores each against every pod (30 groups of 10,000 ran past 300 s at
// 1.6 GB), and a file that asks for more is surely a typo.
const (
	MaxNodesPerGroup = 10000
	MaxNodes         = 20000
)

// MaxStartupSeconds bounds a virtual node's startupSeconds (an hour; the
// catalog's slowest backend starts in 10 minutes at p95).
const MaxStartupSeconds = 3600

// MaxAllocatable bounds a node's allocatable: far above any VM or virtual
// node (ACI advertises 10,000 CPU and 4 TiB), so that sums over the nodes
// stay within int64.
var MaxAllocatable = map[string]resource.Quantity{
	"cpu":    resource.MustParse("100k"),
	"memory": resource.MustParse("1Pi"),
	"pods":   resource.MustParse("1M"),
}

// Cluster is a built cluster: node objects with what each costs.
type Cluster struct {
	Dedicated []Dedicated
	Virtual   []Virtual
}

// Dedicated is one VM.
type Dedicated struct {
	Node      *v1.Node
	Group     string
	HourlyUSD float64
	// Workload is false for a node tainted NoSchedule or NoExecute (the
	// control plane): it is billed but left out of utilisation.
	Workload bool
}

// Virtual is one virtual node.
type Virtual struct {
	Node    *v1.Node
	Backend *backends.Backend
	// Price bills the backend's pods; nil for a backend without a per-pod
	// bill (a peer cluster).
	Price *cost.ServerlessPrice
	// Startup is the cold start, from binding to running.
	Startup Latency
}

// Nodes returns every node, dedicated first, in file order.
func (c *Cluster) Nodes() []*v1.Node {
	out := make([]*v1.Node, 0, len(c.Dedicated)+len(c.Virtual))
	for _, d := range c.Dedicated {
		out = append(out, d.Node)
	}
	for _, v := range c.Virtual {
		out = append(out, v.Node)
	}
	return out
}

// DedicatedHourlyUSD is what all the VMs cost per hour.
func (c *Cluster) DedicatedHourlyUSD() float64 {
	var sum float64
	for _, d := range c.Dedicated {
		sum += d.HourlyUSD
	}
	return sum
}

// Build checks the file against the price and backend catalogs and builds
// the nodes. Errors name the file, line and field.
func (f *File) Build(prices *cost.Catalog, bcat *backends.Catalog) (*Cluster, error) {
	var errs []error
	bad := func(path, format string, args ...any) { errs = append(errs, f.errorf(path, format, args...)) }
	if f.APIVersion != APIVersion {
		bad("apiVersion", "want %q, got %q", APIVersion, f.APIVersion)
	}
	if f.Kind != Kind {
		bad("kind", "want %q, got %q", Kind, f.Kind)
	}
	pricing := cost.OnDemand
	if f.Pricing != "" {
		p, err := cost.ParsePricingOption(f.Pricing)
		if err != nil {
			bad("pricing", "%v", err)
		}
		pricing = p
	}
	if len(f.NodeGroups) == 0 {
		bad("nodeGroups", "at least one node group is required")
	}
	names := map[string]string{}
	claim := func(path, name string) {
		if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
			bad(path, "node name %q: %s", name, errs[0])
		} else if prev, dup := names[name]; dup {
			bad(path, "node %q is also made by %s", name, prev)
		}
		names[name] = path
	}
	// The total first: nothing is built for a cluster over it.
	total := len(f.VirtualNodes)
	for i := range f.NodeGroups {
		if n := f.NodeGroups[i].Count; n >= 1 && n <= MaxNodesPerGroup {
			if total += n; total > MaxNodes {
				bad(fmt.Sprintf("nodeGroups[%d].count", i), "%d brings the cluster to %d nodes or more, over %d in all (MaxNodes, dedicated and virtual)", n, total, MaxNodes)
				return nil, errors.Join(errs...)
			}
		}
	}
	c := &Cluster{}
	for i := range f.NodeGroups {
		g := &f.NodeGroups[i]
		p := fmt.Sprintf("nodeGroups[%d]", i)
		if g.Count < 1 || g.Count > MaxNodesPerGroup {
			bad(p+".count", "want 1..%d, got %d", MaxNodesPerGroup, g.Count)
			continue
		}
		opt := pricing
		if g.Pricing != "" {
			o, err := cost.ParsePricingOption(g.Pricing)
			if err != nil {
				bad(p+".pricing", "%v", err)
			}
			opt = o
		}
		it, ok := prices.InstanceType(g.InstanceType)
		if !ok {
			bad(p+".instanceType", "%q is not in the price catalog", g.InstanceType)
			continue
		}
		hourly, ok := it.HourlyUSD[opt]
		if !ok {
			bad(p+".pricing", "the price catalog has no %s price for %s", opt, it.Name)
			continue
		}
		alloc, err := allocatable(g.Allocatable, map[string]string{
			"cpu":    strconv.FormatInt(int64(math.Round(it.VCPU*1000)), 10) + "m",
			"memory": strconv.FormatInt(int64(math.Round(it.MemoryGiB*1024)), 10) + "Mi",
			"pods":   "110",
		})
		if err != nil {
			bad(p+".allocatable", "%v", err)
			continue
		}
		taints, err := taintList(g.Taints)
		if err != nil {
			bad(p+".taints", "%v", err)
			continue
		}
		if err := labelsValid(g.Labels); err != nil {
			bad(p+".labels", "%v", err)
			continue
		}
		labels := map[string]string{"node.kubernetes.io/instance-type": it.Name, "spillway.dev/node-group": g.Name}
		for k, v := range g.Labels {
			labels[k] = v
		}
		workload := true
		for _, t := range taints {
			if t.Effect == v1.TaintEffectNoSchedule || t.Effect == v1.TaintEffectNoExecute {
				workload = false
			}
		}
		for n := 1; n <= g.Count; n++ {
			name := g.Name
			if g.Count > 1 {
				name = fmt.Sprintf("%s-%d", g.Name, n)
			}
			claim(p+".name", name)
			c.Dedicated = append(c.Dedicated, Dedicated{
				Node: node(name, alloc, labels, taints), Group: g.Name, HourlyUSD: hourly, Workload: workload,
			})
		}
	}
	for i := range f.VirtualNodes {
		vn := &f.VirtualNodes[i]
		p := fmt.Sprintf("virtualNodes[%d]", i)
		b, ok := bcat.Backend(vn.Backend)
		if !ok {
			bad(p+".backend", "%q is not in the backend catalog", vn.Backend)
			continue
		}
		var price *cost.ServerlessPrice
		if b.Pricing != "" {
			if price, ok = prices.Serverless(b.Pricing); !ok {
				bad(p+".backend", "backend %q is priced as %q, which the price catalog lacks", b.Name, b.Pricing)
				continue
			}
		}
		alloc, err := allocatable(vn.Allocatable, map[string]string{"cpu": "1000", "memory": "4Ti", "pods": "5000"})
		if err != nil {
			bad(p+".allocatable", "%v", err)
			continue
		}
		labels, taints := detectable(b)
		if err := labelsValid(vn.Labels); err != nil {
			bad(p+".labels", "%v", err)
			continue
		}
		if vn.Labels != nil {
			labels = map[string]string{}
			for k, v := range vn.Labels {
				labels[k] = v
			}
		}
		if vn.Taints != nil {
			if taints, err = taintList(vn.Taints); err != nil {
				bad(p+".taints", "%v", err)
				continue
			}
		}
		claim(p+".name", vn.Name)
		n := node(vn.Name, alloc, labels, taints)
		if got := bcat.ForNode(n); got == nil || got.Name != b.Name {
			what := "no backend"
			if got != nil {
				what = "backend " + strconv.Quote(got.Name)
			}
			bad(p, "a node with these labels and taints is detected as %s, not %q", what, b.Name)
			continue
		}
		startup := Latency{P50: b.StartupSeconds.P50, P95: b.StartupSeconds.P95}
		if l := vn.StartupSeconds; l != nil {
			if !(l.P50 >= 0 && l.P95 >= l.P50 && l.P95 <= MaxStartupSeconds) {
				bad(p+".startupSeconds", "want 0 <= p50 <= p95 <= %d (an hour), got p50 %v, p95 %v", MaxStartupSeconds, l.P50, l.P95)
				continue
			}
			startup = *l
		}
		c.Virtual = append(c.Virtual, Virtual{Node: n, Backend: b, Price: price, Startup: startup})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// detectable returns labels and taints that the backend's detection rules
// recognise: the first labels matcher's labels and the first taint
// matcher's taint (NoSchedule unless the matcher names an effect).
func detectable(b *backends.Backend) (map[string]string, []v1.Taint) {
	labels := map[string]string{}
	var taints []v1.Taint
	for _, m := range b.Detect {
		if m.Taint != nil && taints == nil {
			eff := v1.TaintEffect(m.Taint.Effect)
			if eff == "" {
				eff = v1.TaintEffectNoSchedule
			}
			taints = []v1.Taint{{Key: m.Taint.Key, Value: m.Taint.Value, Effect: eff}}
		}
		if len(m.Labels) > 0 && len(labels) == 0 {
			for k, v := range m.Labels {
				labels[k] = v
			}
		}
	}
	return labels, taints
}

func allocatable(given, defaults map[string]string) (v1.ResourceList, error) {
	out := v1.ResourceList{}
	keys := make([]string, 0, len(given))
	for k := range given {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := defaults[k]; !ok {
			return nil, fmt.Errorf("%s: unknown resource (want cpu, memory or pods)", k)
		}
	}
	for k, def := range defaults {
		s := def
		if g, ok := given[k]; ok {
			s = g
		}
		q, err := resource.ParseQuantity(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %q: %w", k, s, err)
		}
		if q.Sign() <= 0 {
			return nil, fmt.Errorf("%s: want > 0, got %s", k, s)
		}
		if bound := MaxAllocatable[k]; q.Cmp(bound) > 0 {
			return nil, fmt.Errorf("%s: %s is over the bound %s", k, s, bound.String())
		}
		out[v1.ResourceName(k)] = q
	}
	return out, nil
}

// labelsValid checks label keys and values as the API server does.
func labelsValid(labels map[string]string) error {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if errs := validation.IsQualifiedName(k); len(errs) > 0 {
			return fmt.Errorf("key %q: %s", k, errs[0])
		}
		if errs := validation.IsValidLabelValue(labels[k]); len(errs) > 0 {
			return fmt.Errorf("%s: value %q: %s", k, labels[k], errs[0])
		}
	}
	return nil
}

func taintList(in []Taint) ([]v1.Taint, error) {
	out := make([]v1.Taint, 0, len(in))
	for i, t := range in {
		switch e := v1.TaintEffect(t.Effect); e {
		case v1.TaintEffectNoSchedule, v1.TaintEffectPreferNoSchedule, v1.TaintEffectNoExecute:
		default:
			return nil, fmt.Errorf("[%d].effect: want NoSchedule, PreferNoSchedule or NoExecute, got %q", i, t.Effect)
		}
		if errs := validation.IsQualifiedName(t.Key); len(errs) > 0 {
			return nil, fmt.Errorf("[%d].key: %q: %s", i, t.Key, errs[0])
		}
		if errs := validation.IsValidLabelValue(t.Value); len(errs) > 0 {
			return nil, fmt.Errorf("[%d].value: %q: %s", i, t.Value, errs[0])
		}
		out = append(out, v1.Taint{Key: t.Key, Value: t.Value, Effect: v1.TaintEffect(t.Effect)})
	}
	return out, nil
}

func node(name string, alloc v1.ResourceList, labels map[string]string, taints []v1.Taint) *v1.Node {
	l := map[string]string{"kubernetes.io/hostname": name}
	for k, v := range labels {
		l[k] = v
	}
	return &v1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID("node-" + name), Labels: l},
		Spec:       v1.NodeSpec{Taints: append([]v1.Taint(nil), taints...)},
		Status: v1.NodeStatus{
			Capacity: alloc.DeepCopy(), Allocatable: alloc.DeepCopy(),
			Conditions: []v1.NodeCondition{{Type: v1.NodeReady, Status: v1.ConditionTrue}},
		},
	}
}
