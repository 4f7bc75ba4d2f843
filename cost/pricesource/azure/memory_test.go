package azure

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/spillway-dev/spillway/cost/pricesource/httpfetch"
	"github.com/spillway-dev/spillway/internal/memtest"
)

const aciItem = `{"currencyCode":"USD","tierMinimumUnits":0.0,"retailPrice":0.0000113,"unitPrice":0.0000113,"armRegionName":"eastus","location":"US East","effectiveStartDate":"2026-01-01T00:00:00Z","meterId":"00000000-0000-0000-0000-000000000000","meterName":"Standard vCPU Duration","productId":"DZH318Z0BQ4R","skuId":"DZH318Z0BQ4R/0001","productName":"Container Instances","skuName":"Standard","serviceName":"Container Instances","serviceId":"DZH315F9L8DB","serviceFamily":"Containers","unitOfMeasure":"1 Second","type":"Consumption","isPrimaryMeterRegion":true,"armSkuName":""}`

// TestHugePageMemoryBounded serves, for every query, a page far larger
// than any answer of the API: items without end, or one field of one long
// string. Fetch refuses it after reading a little of it, and the heap
// grows by a few MB; the page was decoded whole before (issue 15: 2.58 GB
// of RSS for a 500 MB page).
func TestHugePageMemoryBounded(t *testing.T) {
	size := 256 << 20
	if testing.Short() {
		size = 32 << 20
	}
	tests := []struct {
		name          string
		head, repeat  string
		tail, wantErr string
	}{
		{"items without end", `{"BillingCurrency":"USD","Items":[` + aciItem, "," + aciItem, `]}`, "more than 1000 items on one page"},
		{"one long string", `{"BillingCurrency":"USD","Padding":"`, strings.Repeat("x", 4096), `","Items":[]}`, "larger than the decoder may hold"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var served atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				bw := bufio.NewWriterSize(w, 64<<10)
				n, _ := bw.WriteString(tt.head)
				for n < size {
					m, err := bw.WriteString(tt.repeat)
					if err != nil {
						break // the client hung up
					}
					n += m
				}
				bw.WriteString(tt.tail)
				bw.Flush()
				served.Add(int64(n))
			}))
			defer srv.Close()
			f := httpfetch.New(httpfetch.Options{Retries: -1})
			var err error
			peak := memtest.PeakHeapDuring(func() {
				_, err = Fetch(context.Background(), f, srv.URL, "eastus", nil)
			})
			t.Logf("a page of %d MB: %v; peak heap growth %.1f MB", size>>20, err, float64(peak)/1e6)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Fetch error = %v; want %q", err, tt.wantErr)
			}
			if limit := uint64(16 << 20); peak > limit {
				t.Errorf("peak heap growth %d bytes; want at most %d", peak, limit)
			}
		})
	}
}

// TestItemBudget: the items of all the pages of a Fetch are bounded by
// MaxItemBytesPerFetch, so a server that pages without end, each page
// valid, cannot fill the memory either.
func TestItemBudget(t *testing.T) {
	page := `{"BillingCurrency":"USD","Items":[` + strings.TrimSuffix(strings.Repeat(aciItem+",", MaxItemsPerPage), ",") + `],"NextPageLink":"https://elsewhere.example/?$skip=1"}`
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		io.WriteString(w, page)
	}))
	defer srv.Close()
	_, err := Fetch(context.Background(), httpfetch.New(httpfetch.Options{Retries: -1}), srv.URL, "eastus", nil)
	if err == nil || !strings.Contains(err.Error(), "MaxItemBytesPerFetch") {
		t.Fatalf("Fetch error = %v; want the item budget", err)
	}
	if want := int32(MaxItemBytesPerFetch/len(page)) + 2; requests.Load() > want {
		t.Errorf("%d pages fetched; want at most %d", requests.Load(), want)
	}
}
