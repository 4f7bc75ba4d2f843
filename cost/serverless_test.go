package cost

import (
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func price(t *testing.T, name string) *ServerlessPrice {
	t.Helper()
	p, ok := Default().Serverless(name)
	if !ok {
		t.Fatalf("the default catalog has no %q", name)
	}
	return p
}

// The published Fargate figures: 256 MiB is added to the memory request
// and the pod is rounded up to the next valid vCPU/memory combination.
func TestFargateRound(t *testing.T) {
	tests := []struct {
		name     string
		cpuMilli int64
		memBytes int64
		want     Shape
		wantErr  error
	}{
		{"AWS's example: 1 vCPU / 8 GB bills as 2 vCPU / 9 GB", 1000, 8 * gib, Shape{2000, 9 * 1024}, nil},
		{"smallest size", 250, gib / 5, Shape{250, 512}, nil},
		{"0.25 vCPU with 1.8 GiB: 2.05 GiB with overhead needs 0.5 vCPU / 3 GiB", 250, 1843 << 20, Shape{500, 3 * 1024}, nil},
		{"0.25 vCPU with 1.7 GiB fits 0.25 / 2 GiB", 250, 1740 << 20, Shape{250, 2 * 1024}, nil},
		{"1.5 vCPU goes to 2 vCPU", 1500, 2 * gib, Shape{2000, 4 * 1024}, nil},
		{"8 vCPU steps of 4 GiB", 8000, 20 * gib, Shape{8000, 24 * 1024}, nil},
		{"zero request", 0, 0, Shape{250, 512}, nil},
		{"more than 16 vCPU", 17000, gib, Shape{}, ErrNoShape},
		{"overhead pushes 120 GiB past the largest size", 16000, 120 * gib, Shape{}, ErrNoShape},
	}
	p := price(t, "fargate")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.Round(tt.cpuMilli, tt.memBytes)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Round() error = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Round() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBill(t *testing.T) {
	tests := []struct {
		name        string
		backend     string
		cpuMilli    int64
		memBytes    int64
		seconds     float64
		spot        bool
		wantSeconds int64
		wantUSD     float64
	}{
		{"Fargate 1 h of 2 vCPU / 9 GiB", "fargate", 1000, 8 * gib, 3600, false, 3600, 2*0.04048 + 9*0.004445},
		{"Fargate bills 10 s as the 1-minute minimum", "fargate", 250, gib / 5, 10, false, 60, 60.0 / 3600 * (0.25*0.04048 + 0.5*0.004445)},
		{"Fargate rounds 61.2 s up to 62 s", "fargate", 250, gib / 5, 61.2, false, 62, 62.0 / 3600 * (0.25*0.04048 + 0.5*0.004445)},
		{"ACI per second, no minimum", "aci", 1000, 2 * gib, 10, false, 10, 10.0 / 3600 * (0.045 + 2*0.0054117)},
		{"ACI rounds to hundredths of a core", "aci", 1001, 1000 << 20, 3600, false, 3600, 1.01*0.045 + 1000.0/1024*0.0054117},
		{"ACI spot is 70% off", "aci", 1000, 2 * gib, 3600, true, 3600, 0.3 * (0.045 + 2*0.0054117)},
		{"zero seconds", "aci", 1000, gib, 0, false, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := price(t, tt.backend).Bill(tt.cpuMilli, tt.memBytes, tt.seconds, tt.spot)
			if err != nil {
				t.Fatal(err)
			}
			if b.BilledSeconds != tt.wantSeconds || math.Abs(b.USD-tt.wantUSD) > 1e-9 {
				t.Errorf("Bill() = %d s, $%.9f; want %d s, $%.9f", b.BilledSeconds, b.USD, tt.wantSeconds, tt.wantUSD)
			}
		})
	}
}

func TestBillRejectsBadDurations(t *testing.T) {
	p := price(t, "aci")
	for _, s := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := p.Bill(1000, gib, s, false); err == nil {
			t.Errorf("Bill(%v s) accepted", s)
		}
	}
}

// The notes' break-even: a 4 vCPU / 16 GB Fargate pod costs about 1.21x
// an m5.xlarge on demand.
func TestFargateAgainstAVM(t *testing.T) {
	b, err := price(t, "fargate").Bill(4000, 16*gib, 3600, false)
	if err != nil {
		t.Fatal(err)
	}
	vm, _ := Default().VMHourlyUSD("m5.xlarge", 4000, 16*gib, OnDemand)
	// 16 GiB + 256 MiB rounds to 17 GiB: 4×0.04048 + 17×0.004445 = 0.2375.
	if ratio := b.USD / vm; ratio < 1.2 || ratio > 1.26 {
		t.Errorf("Fargate 4 vCPU/16 GiB for an hour is %.4f, %.2fx an m5.xlarge; want about 1.21-1.24x", b.USD, ratio)
	}
}

// FuzzRound checks, for any request, that the billed shape holds the
// request plus overhead and is an allowed size.
func FuzzRound(f *testing.F) {
	f.Add(int64(1000), int64(8*gib))
	f.Add(int64(0), int64(0))
	f.Add(int64(16000), int64(119*gib))
	f.Fuzz(func(t *testing.T, cpuMilli, memBytes int64) {
		if cpuMilli < 0 || memBytes < 0 || memBytes > 1<<50 || cpuMilli > 1<<30 {
			return
		}
		for _, p := range Default().ServerlessPrices {
			s, err := p.Round(cpuMilli, memBytes)
			if errors.Is(err, ErrNoShape) {
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", p.Name, err)
			}
			needMiB := (memBytes+mib-1)/mib + p.Shape.MemoryOverheadMiB
			if s.CPUMilli < cpuMilli || s.MemoryMiB < needMiB {
				t.Fatalf("%s: shape %+v does not hold %d mCPU, %d MiB", p.Name, s, cpuMilli, needMiB)
			}
			if len(p.Shape.Combinations) > 0 && !allowed(p, s) {
				t.Fatalf("%s: shape %+v is not an allowed combination", p.Name, s)
			}
		}
	})
}

func allowed(p ServerlessPrice, s Shape) bool {
	for _, c := range p.Shape.Combinations {
		if gibToMiB(c.VCPU) != s.CPUMilli*1024/1000 {
			continue
		}
		for m := gibToMiB(c.MinGiB); m <= gibToMiB(c.MaxGiB); m += gibToMiB(c.StepGiB) {
			if m == s.MemoryMiB {
				return true
			}
		}
	}
	return false
}
