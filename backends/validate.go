package backends

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Upper bounds that keep every quantity exact in int64 milli-units.
var (
	maxSaneCPU    = resource.MustParse("1M")  // cores
	maxSaneMemory = resource.MustParse("1Ei") // bytes
)

// Validate reports every problem of the catalog, each as a *FieldError naming
// its field path, joined with errors.Join; nil if the catalog is valid.
func (c *Catalog) Validate() error {
	if c == nil {
		return errors.New("backends: nil catalog")
	}
	return joinErrors(c.validate())
}

type validator struct{ errs []*FieldError }

func (v *validator) fail(path, format string, args ...any) {
	v.errs = append(v.errs, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (c *Catalog) validate() []*FieldError {
	v := &validator{}
	if c.APIVersion != APIVersion {
		v.fail("apiVersion", "want %q, got %q", APIVersion, c.APIVersion)
	}
	if c.Kind != Kind {
		v.fail("kind", "want %q, got %q", Kind, c.Kind)
	}
	if _, err := time.Parse(time.DateOnly, c.Updated); err != nil {
		v.fail("updated", "want a date YYYY-MM-DD, got %q", c.Updated)
	}
	if len(c.Backends) == 0 {
		v.fail("backends", "at least one backend is required")
	}
	seen := make(map[string]int, len(c.Backends))
	for i := range c.Backends {
		p := fmt.Sprintf("backends[%d]", i)
		b := &c.Backends[i]
		if j, dup := seen[b.Name]; dup && b.Name != "" {
			v.fail(p+".name", "duplicate name %q (also backends[%d])", b.Name, j)
		} else {
			seen[b.Name] = i
		}
		v.backend(p, b)
	}
	return v.errs
}

func (v *validator) backend(p string, b *Backend) {
	if b.Name == "" {
		v.fail(p+".name", "required")
	} else if msgs := validation.IsDNS1123Label(b.Name); len(msgs) > 0 {
		v.fail(p+".name", "%q: %s", b.Name, strings.Join(msgs, "; "))
	}
	if len(b.Sources) == 0 {
		v.fail(p+".sources", "at least one source is required: say where the facts come from")
	}
	for i, s := range b.Sources {
		if strings.TrimSpace(s) == "" {
			v.fail(fmt.Sprintf("%s.sources[%d]", p, i), "empty source")
		}
	}
	if len(b.Detect) == 0 {
		v.fail(p+".detect", "at least one matcher is required")
	}
	for i := range b.Detect {
		v.matcher(fmt.Sprintf("%s.detect[%d]", p, i), &b.Detect[i])
	}
	if b.Pricing != "" {
		if msgs := validation.IsDNS1123Subdomain(b.Pricing); len(msgs) > 0 {
			v.fail(p+".pricing", "%q: %s", b.Pricing, strings.Join(msgs, "; "))
		}
	}
	v.quantity(p+".limits.maxCPU", b.Limits.MaxCPU, maxSaneCPU)
	v.quantity(p+".limits.maxMemory", b.Limits.MaxMemory, maxSaneMemory)
	v.quantity(p+".limits.quotaCPU", b.Limits.QuotaCPU, maxSaneCPU)

	refused := make(map[Rule]bool, len(b.Refuses))
	for i, r := range b.Refuses {
		rp := fmt.Sprintf("%s.refuses[%d]", p, i)
		switch {
		case r.Feature() != 0:
			if refused[r] {
				v.fail(rp, "duplicate rule %q", r)
			}
			refused[r] = true
		case r == RuleUnsupportedVolume:
			v.fail(rp, "%s follows from allowedVolumes: list the accepted volume types there", r)
		case r == RuleMaxCPU:
			v.fail(rp, "%s follows from limits.maxCPU: set that instead", r)
		case r == RuleMaxMemory:
			v.fail(rp, "%s follows from limits.maxMemory: set that instead", r)
		case r == RuleQuotaCPU:
			v.fail(rp, "%s follows from limits.quotaCPU: set that instead", r)
		default:
			v.fail(rp, "unknown rule %q (want one of %s)", r, featureRuleList())
		}
	}
	allowed := make(map[VolumeType]bool, len(b.AllowedVolumes))
	for i, t := range b.AllowedVolumes {
		vp := fmt.Sprintf("%s.allowedVolumes[%d]", p, i)
		if _, ok := volumeTypeIndex[t]; !ok {
			v.fail(vp, "unknown volume type %q (want a field name of a pod volume, such as emptyDir, secret, configMap, projected, csi)", t)
			continue
		}
		if allowed[t] {
			v.fail(vp, "duplicate volume type %q", t)
		}
		allowed[t] = true
		if t == volumeHostPath && refused[RuleHostPath] {
			v.fail(vp, "hostPath is allowed here but refuses lists %s", RuleHostPath)
		}
		if t == volumePVC && refused[RulePersistentVolumeClaim] {
			v.fail(vp, "persistentVolumeClaim is allowed here but refuses lists %s", RulePersistentVolumeClaim)
		}
	}
	l := b.StartupSeconds
	switch {
	case math.IsNaN(l.P50) || math.IsInf(l.P50, 0) || l.P50 < 0:
		v.fail(p+".startupSeconds.p50", "want a finite number of seconds >= 0, got %v", l.P50)
	case math.IsNaN(l.P95) || math.IsInf(l.P95, 0) || l.P95 < l.P50:
		v.fail(p+".startupSeconds.p95", "want a finite number of seconds >= p50 (%v), got %v", l.P50, l.P95)
	}
}

func (v *validator) matcher(p string, m *NodeMatcher) {
	if len(m.Labels) == 0 && m.Taint == nil {
		v.fail(p, "a matcher needs labels or a taint")
		return
	}
	for _, k := range sortedKeys(m.Labels) {
		lp := fmt.Sprintf("%s.labels[%q]", p, k)
		if msgs := validation.IsQualifiedName(k); len(msgs) > 0 {
			v.fail(lp, "invalid label key: %s", strings.Join(msgs, "; "))
		}
		if msgs := validation.IsValidLabelValue(m.Labels[k]); len(msgs) > 0 {
			v.fail(lp, "invalid label value %q: %s", m.Labels[k], strings.Join(msgs, "; "))
		}
	}
	if t := m.Taint; t != nil {
		if msgs := validation.IsQualifiedName(t.Key); len(msgs) > 0 {
			v.fail(p+".taint.key", "invalid taint key %q: %s", t.Key, strings.Join(msgs, "; "))
		}
		if msgs := validation.IsValidLabelValue(t.Value); len(msgs) > 0 {
			v.fail(p+".taint.value", "invalid taint value %q: %s", t.Value, strings.Join(msgs, "; "))
		}
		switch v1.TaintEffect(t.Effect) {
		case "", v1.TaintEffectNoSchedule, v1.TaintEffectPreferNoSchedule, v1.TaintEffectNoExecute:
		default:
			v.fail(p+".taint.effect", "want NoSchedule, PreferNoSchedule, NoExecute or empty (any), got %q", t.Effect)
		}
	}
}

func (v *validator) quantity(p string, q *resource.Quantity, max resource.Quantity) {
	if q == nil {
		return
	}
	if q.Sign() <= 0 {
		v.fail(p, "want a positive quantity, got %s", q)
	} else if q.Cmp(max) > 0 {
		v.fail(p, "%s is beyond the sane maximum %s", q, &max)
	}
}

func featureRuleList() string {
	names := make([]string, len(featureRules))
	for i, r := range featureRules {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}
