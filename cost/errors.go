package cost

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	yaml3 "go.yaml.in/yaml/v3"
	kjson "sigs.k8s.io/json"

	"github.com/spillway-dev/spillway/internal/yamlnum"
)

// FieldError is one problem of a catalog. Load and Validate return them,
// several joined with errors.Join; use errors.As to inspect one.
type FieldError struct {
	Source string // the source given to Load; empty from Validate
	Path   string // field path such as "serverless[1].vcpuHourUSD"; empty for the whole document
	Line   int    // 1-based line in the source; 0 when unknown
	Msg    string
}

// Error returns "source: path: msg (line N)", leaving out the parts that
// are empty or zero.
func (e *FieldError) Error() string {
	var b strings.Builder
	if e.Source != "" {
		b.WriteString(e.Source)
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Line > 0 {
		b.WriteString(" (line ")
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteString(")")
	}
	return b.String()
}

var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// yamlError reports a YAML syntax error (or duplicate key), with the line
// the parser gives.
func yamlError(source string, err error) error {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	for _, p := range []string{"error converting YAML to JSON: ", "yaml: ", "unmarshal errors: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	e := &FieldError{Source: source, Msg: "invalid YAML: " + msg}
	if m := yamlLine.FindStringSubmatch(msg); m != nil && !strings.Contains(m[2], "line ") {
		e.Line, _ = strconv.Atoi(m[1])
		e.Msg = "invalid YAML: " + m[2]
	}
	return e
}

var typeError = regexp.MustCompile(`^json: cannot unmarshal (\w+)(?: (\S+))? into Go (?:struct field \w+\.(\S+)|value) of type (\S+)$`)

// jsonError reports a value of the wrong type. The JSON decoder names the
// field without list indexes; the first such field of the document whose
// YAML value has the reported kind gives the index and the line.
func jsonError(source string, data []byte, err error) error {
	m := typeError.FindStringSubmatch(err.Error())
	if m == nil {
		return &FieldError{Source: source, Msg: strings.TrimPrefix(err.Error(), "json: ")}
	}
	got, value, path, goType := m[1], m[2], m[3], m[4]
	want := "a " + goType
	switch {
	case goType == "float64":
		want = "a number"
	case goType == "int64":
		want = "a whole number"
	case goType == "string":
		want = "a string (quote it)"
	case strings.HasPrefix(goType, "[]"):
		want = "a list"
	case strings.HasPrefix(goType, "map[") || strings.HasPrefix(goType, "cost."):
		want = "a map"
	}
	e := &FieldError{Source: source, Path: path, Msg: "must be " + want + ", got " + jsonKinds[got]}
	if value != "" {
		e.Msg = "must be " + want + ", got " + value
	}
	if path == "" {
		e.Msg = "the document " + e.Msg
		return e
	}
	if n, indexed := newLiner(data).find(path, got); n != nil {
		e.Path, e.Line = indexed, n.Line
	}
	return e
}

var jsonKinds = map[string]string{"string": "a string", "number": "a number", "bool": "a boolean", "array": "a list", "object": "a map"}

// find returns the first node at path (a path without list indexes, list
// elements being tried in order) whose YAML value is of the JSON kind got,
// and the node's path with indexes.
func (l liner) find(path, got string) (*yaml3.Node, string) {
	var walk func(n *yaml3.Node, keys []string, at string) (*yaml3.Node, string)
	walk = func(n *yaml3.Node, keys []string, at string) (*yaml3.Node, string) {
		for n != nil && n.Kind == yaml3.AliasNode {
			n = n.Alias
		}
		switch {
		case n == nil:
			return nil, ""
		case n.Kind == yaml3.SequenceNode && len(keys) > 0:
			for i, c := range n.Content {
				if f, p := walk(c, keys, fmt.Sprintf("%s[%d]", at, i)); f != nil {
					return f, p
				}
			}
			return nil, ""
		case len(keys) == 0:
			if kindOf(n) == got {
				return n, at
			}
			if n.Kind == yaml3.MappingNode { // the bad value is in a map
				for i := 0; i+1 < len(n.Content); i += 2 {
					if kindOf(n.Content[i+1]) == got {
						return n.Content[i+1], keyPath(at, PricingOption(n.Content[i].Value))
					}
				}
			}
			return nil, ""
		case n.Kind != yaml3.MappingNode:
			return nil, ""
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == keys[0] {
				if f, q := walk(n.Content[i+1], keys[1:], join(at, keys[0])); f != nil {
					return f, q
				}
			}
		}
		// The decoder leaves map keys (pricing options) out of its path:
		// try every value of a map as well.
		for i := 0; i+1 < len(n.Content); i += 2 {
			if v := n.Content[i+1]; at != "" && v.Kind == yaml3.MappingNode && n.Content[i].Value != keys[0] {
				if f, q := walk(v, keys, keyPath(at, PricingOption(n.Content[i].Value))); f != nil {
					return f, q
				}
			}
		}
		return nil, ""
	}
	return walk(l.root, strings.Split(path, "."), "")
}

// kindOf is the JSON kind a YAML node converts to.
func kindOf(n *yaml3.Node) string {
	switch n.Kind {
	case yaml3.SequenceNode:
		return "array"
	case yaml3.MappingNode:
		return "object"
	}
	switch n.ShortTag() {
	case "!!int", "!!float":
		return "number"
	case "!!bool":
		return "bool"
	}
	switch strings.ToLower(n.Value) { // YAML 1.1 booleans, as the decoder reads them
	case "y", "yes", "n", "no", "on", "off":
		if n.Style == 0 {
			return "bool"
		}
	}
	return "string"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// strictErrors reports unknown and duplicate fields at their paths.
func strictErrors(source string, data []byte, errs []error) error {
	lines := newLiner(data)
	out := make([]error, 0, len(errs))
	for _, err := range errs {
		e := &FieldError{Source: source, Msg: err.Error()}
		var fe kjson.FieldError
		if errors.As(err, &fe) {
			e.Path = fe.FieldPath()
			e.Msg, _, _ = strings.Cut(err.Error(), ` "`)
			if e.Msg == "unknown field" {
				e.Msg += suggest(e.Path)
			}
			e.Line = lines.line(e.Path)
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

// locate adds source and lines to Validate's errors.
func locate(source string, data []byte, err error) error {
	lines := newLiner(data)
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	out := make([]error, len(errs))
	for i, err := range errs {
		var fe *FieldError
		if !errors.As(err, &fe) {
			out[i] = &FieldError{Source: source, Msg: err.Error()}
			continue
		}
		c := *fe
		c.Source, c.Line = source, lines.line(c.Path)
		out[i] = &c
	}
	return errors.Join(out...)
}

// suggest names the field meant by a misspelt one, or lists the known ones.
func suggest(path string) string {
	parent, name := path, path
	if i := strings.LastIndexAny(path, ".]"); i >= 0 {
		parent, name = path[:i+1], path[i+1:]
		parent = strings.TrimSuffix(parent, ".")
	} else {
		parent = ""
	}
	t := reflect.TypeFor[Catalog]()
	for _, s := range splitPath(parent) {
		switch {
		case s.key != "" && t.Kind() == reflect.Struct:
			f, ok := jsonField(t, s.key)
			if !ok {
				return ""
			}
			t = f.Type
		case t.Kind() == reflect.Slice || t.Kind() == reflect.Map:
			t = t.Elem()
		default:
			return ""
		}
	}
	if t.Kind() != reflect.Struct {
		return ""
	}
	var known []string
	for i := range t.NumField() {
		if n, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); n != "" && n != "-" {
			if strings.EqualFold(n, name) {
				return ", did you mean " + strconv.Quote(n) + "?"
			}
			known = append(known, n)
		}
	}
	slices.Sort(known)
	return " (known: " + strings.Join(known, ", ") + ")"
}

func jsonField(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if n, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); n == name {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

// segment is one step of a field path: a key (field or map key) or a
// list index.
type segment struct {
	key   string
	index int
}

// splitPath splits "a.b[2].c" into a, b, [2], c. Map keys that are not
// plain words appear quoted, as in fallback["odd key"].
func splitPath(p string) []segment {
	var out []segment
	for p != "" {
		switch {
		case p[0] == '.':
			p = p[1:]
		case strings.HasPrefix(p, `["`):
			q, err := strconv.QuotedPrefix(p[1:])
			if err != nil {
				return out
			}
			k, _ := strconv.Unquote(q)
			out = append(out, segment{key: k})
			p = strings.TrimPrefix(p[1+len(q):], "]")
		case p[0] == '[':
			end := strings.IndexByte(p, ']')
			i, err := strconv.Atoi(p[1:max(end, 1)])
			if end < 0 || err != nil {
				return out
			}
			out = append(out, segment{index: i})
			p = p[end+1:]
		default:
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			out = append(out, segment{key: p[:end]})
			p = p[end:]
		}
	}
	return out
}

// liner finds the line of a field path in a YAML document, best effort:
// the line of the deepest part of the path that exists (the parent of a
// missing field), or 0.
type liner struct{ root *yaml3.Node }

func newLiner(data []byte) liner {
	var doc yaml3.Node
	if yaml3.Unmarshal(data, &doc) != nil || doc.Kind != yaml3.DocumentNode || len(doc.Content) == 0 {
		return liner{}
	}
	return liner{root: doc.Content[0]}
}

func (l liner) line(path string) int {
	n, line := l.root, 0
	for _, s := range splitPath(path) {
		for n != nil && n.Kind == yaml3.AliasNode {
			n = n.Alias
		}
		if n == nil {
			break
		}
		var next *yaml3.Node
		switch {
		case s.key != "" && n.Kind == yaml3.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == s.key {
					line, next = n.Content[i].Line, n.Content[i+1]
				}
			}
		case s.key == "" && n.Kind == yaml3.SequenceNode && s.index >= 0 && s.index < len(n.Content):
			next = n.Content[s.index]
			line = next.Line
		}
		n = next
	}
	return line
}

// nonFinite reports the first number of the document that is NaN or
// infinite (.nan, .inf, -.Inf), with its field path and line; nil if
// there is none.
func nonFinite(source string, data []byte) error {
	nf, ok := yamlnum.Find(data)
	if !ok {
		return nil
	}
	return &FieldError{Source: source, Path: nf.Path, Line: nf.Line, Msg: "must be a finite number, got " + nf.Value}
}
