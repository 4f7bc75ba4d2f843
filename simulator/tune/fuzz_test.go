package tune

import "testing"

// FuzzParseSpec: any input is parsed or refused with an error, never a
// panic, and what is accepted is valid and searchable.
func FuzzParseSpec(f *testing.F) {
	f.Add([]byte(specHead + "objectives:\n  p99StartLatency: 60s\n  maxServerlessShare: 0.5\nspace:\n  vmHeadroomPercent: {min: 40, max: 100}\n  window: {min: 10m, max: 4h}\n  workerInstanceTypes: [m5.xlarge]\nsearch: {samples: 8, holdout: -1}\n"))
	f.Add([]byte(specHead + "space:\n  burstCostWeight: {min: 9, max: 3}\n"))
	f.Add([]byte("kind: Tune\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSpec(data, "fuzz")
		if err != nil {
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("accepted, then invalid: %v", err)
		}
		for _, p := range s.Space.params() {
			for _, u := range []float64{0, 0.5, 0.999} {
				v := p.value(u)
				lo, hi := p.min, p.max
				if p.kind == kindChoice {
					lo, hi = 0, float64(len(p.choices)-1)
				}
				if v < lo || v > hi {
					t.Fatalf("%s: value(%v) = %v, outside %v..%v", p.name, u, v, lo, hi)
				}
			}
		}
	})
}
