package backends

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"

	"github.com/spillway-dev/spillway/internal/yamlnum"
)

// FieldError is one problem in a catalog, at a field path such as
// "backends[2].refuses[0]". Load, Validate and WithOverrides return them,
// joined with errors.Join; use errors.As to inspect one.
type FieldError struct {
	Source string // file or other origin given to Load; empty from Validate
	Path   string // field path; empty for the document as a whole
	Msg    string
}

// Error returns "source: path: msg", leaving out the empty parts.
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
	return b.String()
}

func joinErrors(errs []*FieldError) error {
	if len(errs) == 0 {
		return nil
	}
	all := make([]error, len(errs))
	for i, e := range errs {
		all[i] = e
	}
	return errors.Join(all...)
}

// decodeCatalog turns YAML (or JSON) into a Catalog without validating it.
// Rather than encoding/json's strict mode, whose errors do not say where the
// unknown field is, it walks the generic document along the struct's json
// tags and reports every problem with its path.
func decodeCatalog(data []byte) (*Catalog, []*FieldError) {
	js, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		if nf, ok := yamlnum.Find(data); ok { // the converter says only "unsupported value: NaN"
			return nil, []*FieldError{{Path: nf.Path, Msg: fmt.Sprintf("must be a finite number, got %s (line %d)", nf.Value, nf.Line)}}
		}
		return nil, []*FieldError{{Msg: "not valid YAML: " + strings.Join(strings.Fields(err.Error()), " ")}}
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, []*FieldError{{Msg: "not valid YAML: " + err.Error()}}
	}
	if doc == nil {
		return nil, []*FieldError{{Msg: "empty catalog"}}
	}
	var c Catalog
	d := &decoder{}
	d.decode("", doc, reflect.ValueOf(&c).Elem())
	if len(d.errs) > 0 {
		return nil, d.errs
	}
	return &c, nil
}

var quantityType = reflect.TypeFor[resource.Quantity]()

type decoder struct{ errs []*FieldError }

func (d *decoder) fail(path, format string, args ...any) {
	d.errs = append(d.errs, &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) decode(path string, in any, out reflect.Value) {
	if in == nil {
		return // null: keep the zero value
	}
	t := out.Type()
	if t == quantityType {
		var s string
		switch v := in.(type) {
		case string:
			s = v
		case json.Number:
			s = v.String()
		default:
			d.fail(path, `want a quantity such as "4", "500m" or "16Gi", got %s`, jsonKind(in))
			return
		}
		q, err := resource.ParseQuantity(s)
		if err != nil {
			d.fail(path, "invalid quantity %q: %v", s, err)
			return
		}
		out.Set(reflect.ValueOf(q))
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		v := reflect.New(t.Elem())
		d.decode(path, in, v.Elem())
		out.Set(v)
	case reflect.String:
		s, ok := in.(string)
		if !ok {
			d.fail(path, "want a string, got %s (quote it)", jsonKind(in))
			return
		}
		out.SetString(s)
	case reflect.Float64:
		n, ok := in.(json.Number)
		if !ok {
			d.fail(path, "want a number, got %s", jsonKind(in))
			return
		}
		f, err := n.Float64()
		if err != nil {
			d.fail(path, "invalid number %s", n)
			return
		}
		out.SetFloat(f)
	case reflect.Slice:
		arr, ok := in.([]any)
		if !ok {
			d.fail(path, "want a list, got %s", jsonKind(in))
			return
		}
		s := reflect.MakeSlice(t, len(arr), len(arr))
		for i, e := range arr {
			d.decode(fmt.Sprintf("%s[%d]", path, i), e, s.Index(i))
		}
		out.Set(s)
	case reflect.Map: // map[string]string
		m, ok := in.(map[string]any)
		if !ok {
			d.fail(path, "want a map, got %s", jsonKind(in))
			return
		}
		mv := reflect.MakeMapWithSize(t, len(m))
		for _, k := range sortedKeys(m) {
			ev := reflect.New(t.Elem()).Elem()
			d.decode(fmt.Sprintf("%s[%q]", path, k), m[k], ev)
			mv.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
		}
		out.Set(mv)
	case reflect.Struct:
		m, ok := in.(map[string]any)
		if !ok {
			d.fail(path, "want a map, got %s", jsonKind(in))
			return
		}
		fields := jsonFields(t)
		for _, k := range sortedKeys(m) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			i, ok := fields[k]
			if !ok {
				d.fail(p, "unknown field (known: %s)", strings.Join(sortedKeys(fields), ", "))
				continue
			}
			d.decode(p, m[k], out.Field(i))
		}
	default:
		panic("backends: decoder does not handle " + t.String())
	}
}

// jsonFields maps the json names of t's exported fields to their index.
func jsonFields(t reflect.Type) map[string]int {
	fields := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		fields[name] = i
	}
	return fields
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "a map"
	}
	return fmt.Sprintf("%T", v)
}
