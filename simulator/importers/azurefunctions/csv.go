package azurefunctions

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// maxMemoryMiB bounds memory values (1 PiB) so requests cannot overflow.
const maxMemoryMiB = 1 << 30

// table reads one CSV file with a header row, one record at a time.
type table struct {
	name   string
	r      *csv.Reader
	header []string
	cols   map[string]int
	rec    []string
}

func newTable(r io.Reader, name string) (*table, error) {
	if r == nil {
		return nil, fmt.Errorf("%s: no input", name)
	}
	t := &table{name: name, r: csv.NewReader(r)}
	t.r.ReuseRecord = true
	header, err := t.r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s:1: empty file, want a header row", name)
	}
	if err != nil {
		return nil, t.wrap(err)
	}
	t.header = append([]string(nil), header...)
	t.cols = make(map[string]int, len(header))
	for i, h := range t.header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		t.header[i] = h
		if _, dup := t.cols[h]; dup {
			return nil, fmt.Errorf("%s:1: column %q appears twice in the header", name, h)
		}
		t.cols[h] = i
	}
	return t, nil
}

// col returns the index of the first of names present in the header, or
// an error naming the (first) column when required and none is.
func (t *table) col(required bool, names ...string) (int, error) {
	for _, n := range names {
		if i, ok := t.cols[n]; ok {
			return i, nil
		}
	}
	if !required {
		return -1, nil
	}
	return -1, fmt.Errorf("%s:1: missing column %q in the header", t.name, names[0])
}

// next reads the next record; io.EOF at the end.
func (t *table) next() error {
	rec, err := t.r.Read()
	if err != nil {
		if err == io.EOF {
			return err
		}
		return t.wrap(err)
	}
	t.rec = rec
	return nil
}

// line is the line of the current record's field i.
func (t *table) line(i int) int {
	l, _ := t.r.FieldPos(i)
	return l
}

// errorf reports a problem with field i of the current record.
func (t *table) errorf(i int, format string, args ...any) error {
	return fmt.Errorf("%s:%d: column %s: %s", t.name, t.line(i), t.header[i], fmt.Sprintf(format, args...))
}

// wrap turns an encoding/csv error into "file:line: ...".
func (t *table) wrap(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d: %v", t.name, pe.Line, pe.Err)
	}
	return fmt.Errorf("%s: %w", t.name, err)
}

// str returns the trimmed field i.
func (t *table) str(i int) string { return strings.TrimSpace(t.rec[i]) }

// number parses field i as a finite number >= 0.
func (t *table) number(i int) (float64, error) {
	s := t.str(i)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, t.errorf(i, "want a finite number >= 0, got %q", s)
	}
	return v, nil
}

// The bounds of the numbers of the input files: far above the public
// trace's, so that what they give stays finite and within a trace's bounds.
const (
	// MaxInvocationsPerMinute bounds one function's count in one minute.
	MaxInvocationsPerMinute = 1e9
	// MaxDurationMs bounds a function's average duration: a day.
	MaxDurationMs = 86_400_000
)

// bounded parses field i as a number 0..max.
func (t *table) bounded(i int, max float64) (float64, error) {
	v, err := t.number(i)
	if err == nil && v > max {
		return 0, t.errorf(i, "%s is over the bound %v", t.str(i), max)
	}
	return v, err
}

// hash returns field i, a non-empty app hash, lower-cased; it must be
// letters and digits so that it can be part of a DNS-1123 name.
func (t *table) hash(i int) (string, error) {
	s := strings.ToLower(t.str(i))
	if s == "" {
		return "", t.errorf(i, "empty")
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return "", t.errorf(i, "want a hash of letters and digits, got %q", t.str(i))
		}
	}
	return s, nil
}

// readDurations loads the average duration, in seconds, of each function,
// keyed by app hash + "/" + function.
func readDurations(r io.Reader, name string) (map[string]float64, error) {
	t, err := newTable(r, name)
	if err != nil {
		return nil, err
	}
	app, err := t.col(true, "HashApp")
	if err != nil {
		return nil, err
	}
	fn, err := t.col(true, "HashFunction")
	if err != nil {
		return nil, err
	}
	avg, err := t.col(true, "Average")
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for {
		if err := t.next(); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		a, err := t.hash(app)
		if err != nil {
			return nil, err
		}
		ms, err := t.bounded(avg, MaxDurationMs)
		if err != nil {
			return nil, err
		}
		key := a + "/" + t.str(fn)
		if _, dup := out[key]; !dup { // the first row of a function wins
			out[key] = ms / 1000
		}
	}
}

// readMemory loads each app's memory in MiB (the largest of its rows).
func readMemory(r io.Reader, name string) (map[string]float64, error) {
	t, err := newTable(r, name)
	if err != nil {
		return nil, err
	}
	app, err := t.col(true, "HashApp")
	if err != nil {
		return nil, err
	}
	p99, _ := t.col(false, "AverageAllocatedMb_pct99")
	avg, _ := t.col(false, "AverageAllocatedMb")
	if p99 < 0 && avg < 0 {
		return nil, fmt.Errorf("%s:1: missing column %q (or %q) in the header", name, "AverageAllocatedMb_pct99", "AverageAllocatedMb")
	}
	out := map[string]float64{}
	for {
		if err := t.next(); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		a, err := t.hash(app)
		if err != nil {
			return nil, err
		}
		i := p99
		if i < 0 || (t.str(i) == "" && avg >= 0) {
			i = avg
		}
		mb, err := t.number(i)
		if err != nil {
			return nil, err
		}
		if mb > maxMemoryMiB {
			return nil, t.errorf(i, "want at most %d MB, got %v", maxMemoryMiB, mb)
		}
		if mb > out[a] {
			out[a] = mb
		} else if _, ok := out[a]; !ok {
			out[a] = mb
		}
	}
}
