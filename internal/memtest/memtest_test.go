package memtest

import "testing"

var sink []byte

func TestPeakHeapDuringSeesAnAllocation(t *testing.T) {
	const size = 64 << 20
	got := PeakHeapDuring(func() {
		sink = make([]byte, size)
		for i := range sink {
			sink[i] = 1
		}
	})
	sink = nil
	if got < size/2 {
		t.Errorf("peak heap growth %d bytes, want at least %d while a %d-byte slice is live", got, size/2, size)
	}
	if small := PeakHeapDuring(func() {}); small >= size/2 {
		t.Errorf("peak heap growth of doing nothing %d bytes, want far below %d", small, size/2)
	}
}
