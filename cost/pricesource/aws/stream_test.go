package aws

import (
	"bufio"
	"fmt"
	"io"
	"testing"

	"github.com/spillway-dev/spillway/internal/memtest"
)

// generatedOffer writes an EC2-like offer file of n products (to w, as it
// goes: the whole never exists in memory), of which the instance types of
// catalogTypes are the first four; every product has an on-demand and a
// reserved term.
func generatedOffer(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	fmt.Fprint(bw, `{"formatVersion":"v1.0","disclaimer":"generated","offerCode":"AmazonEC2","version":"1","publicationDate":"2026-11-27T00:00:00Z","products":{`)
	typ := func(i int) string {
		if i < len(catalogTypes) {
			return catalogTypes[i]
		}
		return fmt.Sprintf("gen%d.%dxlarge", i%997, i)
	}
	for i := range n {
		if i > 0 {
			bw.WriteByte(',')
		}
		fmt.Fprintf(bw, `"SKU%08d":{"sku":"SKU%08d","productFamily":"Compute Instance","attributes":{"servicecode":"AmazonEC2","location":"US East (N. Virginia)","locationType":"AWS Region","instanceType":%q,"currentGeneration":"Yes","instanceFamily":"General purpose","vcpu":"4","physicalProcessor":"Intel Xeon Platinum 8175","memory":"16 GiB","storage":"EBS only","networkPerformance":"Up to 10 Gigabit","tenancy":"Shared","operatingSystem":"Linux","licenseModel":"No License required","usagetype":"BoxUsage:%s","operation":"RunInstances","capacitystatus":"Used","preInstalledSw":"NA","regionCode":"us-east-1","marketoption":"OnDemand"}}`, i, i, typ(i), typ(i))
	}
	fmt.Fprint(bw, `},"terms":{"OnDemand":{`)
	for i := range n {
		if i > 0 {
			bw.WriteByte(',')
		}
		fmt.Fprintf(bw, `"SKU%08d":{"SKU%08d.JRTCKXETXF":{"offerTermCode":"JRTCKXETXF","sku":"SKU%08d","effectiveDate":"2026-11-01T00:00:00Z","priceDimensions":{"SKU%08d.JRTCKXETXF.6YS6EN2CT7":{"rateCode":"SKU%08d.JRTCKXETXF.6YS6EN2CT7","description":"$0.192 per On Demand Linux Instance Hour","beginRange":"0","endRange":"Inf","unit":"Hrs","pricePerUnit":{"USD":"0.%04d"},"appliesTo":[]}},"termAttributes":{}}}`, i, i, i, i, i, 1000+i%9000)
	}
	fmt.Fprint(bw, `},"Reserved":{`)
	for i := range n {
		if i > 0 {
			bw.WriteByte(',')
		}
		fmt.Fprintf(bw, `"SKU%08d":{"SKU%08d.4NA7Y494T4":{"offerTermCode":"4NA7Y494T4","sku":"SKU%08d","effectiveDate":"2026-11-01T00:00:00Z","priceDimensions":{"SKU%08d.4NA7Y494T4.6YS6EN2CT7":{"rateCode":"SKU%08d.4NA7Y494T4.6YS6EN2CT7","description":"Linux/UNIX (Amazon VPC), reserved instance applied","beginRange":"0","endRange":"Inf","unit":"Hrs","pricePerUnit":{"USD":"0.0%03d"},"appliesTo":[]}},"termAttributes":{"LeaseContractLength":"1yr","OfferingClass":"standard","PurchaseOption":"No Upfront"}}}`, i, i, i, i, i, 100+i%900)
	}
	fmt.Fprint(bw, `}}}`)
	return bw.Flush()
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// parseGenerated streams a generated offer of n products through
// ParseOffer and returns the bytes read and the peak heap in use above
// the start, sampled every few milliseconds.
func parseGenerated(tb testing.TB, n int) (bytes int64, peakHeap uint64, kept int) {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(generatedOffer(pw, n)) }()
	cr := &countingReader{r: pr}
	var o *Offer
	var err error
	peakHeap = memtest.PeakHeapDuring(func() { o, err = ParseOffer(cr, EC2Filter("us-east-1", catalogTypes)) })
	if err != nil {
		tb.Fatal(err)
	}
	prices, err := EC2Prices(o)
	if err != nil {
		tb.Fatal(err)
	}
	if len(prices) != len(catalogTypes) || o.Seen != n {
		tb.Fatalf("kept %d types of %d products seen; want %d of %d", len(prices), o.Seen, len(catalogTypes), n)
	}
	return cr.n, peakHeap, len(o.Products)
}

// TestStreamingMemoryBounded parses a generated EC2 offer of ~25 MB while
// sampling the heap: only the catalog's four types are kept, and the heap
// never grows by more than a few MB (a decoder that buffered the document
// would need several times the file).
func TestStreamingMemoryBounded(t *testing.T) {
	n := 16_000
	if testing.Short() {
		n = 2_000
	}
	bytes, peak, kept := parseGenerated(t, n)
	t.Logf("streamed %.1f MB, kept %d products, peak heap growth %.1f MB", float64(bytes)/1e6, kept, float64(peak)/1e6)
	if kept != len(catalogTypes) {
		t.Errorf("kept %d products; want %d", kept, len(catalogTypes))
	}
	if limit := uint64(16 << 20); peak > limit || (!testing.Short() && peak > uint64(bytes)/2) {
		t.Errorf("peak heap growth %d bytes for a %d-byte offer; want at most %d and less than half the file", peak, bytes, limit)
	}
}

// BenchmarkStreamEC2Offer streams a generated offer of ~156 MB (the
// order of a region's EC2 file) and reports its throughput and the peak
// heap growth.
func BenchmarkStreamEC2Offer(b *testing.B) {
	for range b.N {
		bytes, peak, _ := parseGenerated(b, 100_000)
		b.SetBytes(bytes)
		b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
	}
}
