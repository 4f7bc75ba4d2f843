package simulator

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// The timeline pops events by (at, kind, push order), however pushes and
// pops interleave.
func TestTimelineOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var tl timeline
	var pending, got []event
	for range 5000 {
		if rng.IntN(3) > 0 || len(pending) == 0 {
			e := event{at: float64(rng.IntN(50)), kind: eventKind(rng.IntN(4))}
			tl.push(e)
			e.seq = tl.seq
			pending = append(pending, e)
			continue
		}
		slices.SortFunc(pending, func(a, b event) int {
			return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.kind, b.kind), cmp.Compare(a.seq, b.seq))
		})
		if at, _ := tl.peek(); at != pending[0].at {
			t.Fatalf("peek: %v, want %v", at, pending[0].at)
		}
		got = append(got, tl.pop())
		if got[len(got)-1] != pending[0] {
			t.Fatalf("pop %d: %+v, want %+v", len(got), got[len(got)-1], pending[0])
		}
		pending = pending[1:]
	}
	for len(pending) > 0 {
		slices.SortFunc(pending, func(a, b event) int {
			return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.kind, b.kind), cmp.Compare(a.seq, b.seq))
		})
		if e := tl.pop(); e != pending[0] {
			t.Fatalf("draining: %+v, want %+v", e, pending[0])
		}
		pending = pending[1:]
	}
	if _, ok := tl.peek(); ok || tl.real != 0 {
		t.Fatalf("timeline not empty after draining: %d events, %d real", len(tl.h), tl.real)
	}
}
