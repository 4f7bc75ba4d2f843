// Package yamlnum finds the numbers of a YAML document that JSON cannot
// hold (NaN and the infinities, YAML's .nan, .inf and -.inf), with their
// field path and line, so that a loader converting YAML to JSON can say
// where one is instead of the converter's bare "json: unsupported value:
// NaN".
package yamlnum

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	yaml3 "go.yaml.in/yaml/v3"
)

// NonFinite is a number of the document that is NaN or infinite.
type NonFinite struct {
	Path  string // field path: serverless[1].vcpuHourUSD, a.b["odd key"]
	Line  int    // 1-based
	Value string // as written: .nan, -.Inf, 1e999
}

// plainKey matches a map key printed bare in a path.
var plainKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// Find returns the first non-finite number of the YAML document data, in
// document order, or false when there is none (or data is not YAML).
func Find(data []byte) (NonFinite, bool) {
	var doc yaml3.Node
	if yaml3.Unmarshal(data, &doc) != nil || doc.Kind != yaml3.DocumentNode || len(doc.Content) == 0 {
		return NonFinite{}, false
	}
	return walk(doc.Content[0], "", 0)
}

func walk(n *yaml3.Node, at string, depth int) (NonFinite, bool) {
	if n == nil || depth > 100 {
		return NonFinite{}, false
	}
	switch n.Kind {
	case yaml3.AliasNode:
		// Its anchor came earlier in the document and was walked there;
		// following aliases would take exponential time on a document
		// built to expand (a billion laughs).
		return NonFinite{}, false
	case yaml3.ScalarNode:
		if n.ShortTag() == "!!float" && !finite(n.Value) {
			return NonFinite{Path: at, Line: n.Line, Value: n.Value}, true
		}
	case yaml3.SequenceNode:
		for i, c := range n.Content {
			if nf, ok := walk(c, fmt.Sprintf("%s[%d]", at, i), depth+1); ok {
				return nf, true
			}
		}
	case yaml3.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if nf, ok := walk(n.Content[i+1], join(at, n.Content[i].Value), depth+1); ok {
				return nf, true
			}
		}
	}
	return NonFinite{}, false
}

// finite reports whether a YAML float is finite: YAML spells NaN and the
// infinities .nan, .inf, -.inf, +.inf (any case).
func finite(v string) bool {
	s := strings.ToLower(strings.TrimLeft(v, "+-"))
	if s == ".nan" || s == ".inf" {
		return false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(v, "_", ""), 64)
	return err != nil || (!math.IsNaN(f) && !math.IsInf(f, 0))
}

func join(at, key string) string {
	if !plainKey.MatchString(key) {
		return at + "[" + strconv.Quote(key) + "]"
	}
	if at == "" {
		return key
	}
	return at + "." + key
}
