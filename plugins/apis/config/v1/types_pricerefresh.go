package v1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// PriceRefresh configures BurstCost's background price refresh.
type PriceRefresh struct {
	// Interval between refreshes. Default 6h.
	Interval *metav1.Duration `json:"interval,omitempty"`
	// Timeout of each HTTP attempt, body included. Default 2m.
	Timeout *metav1.Duration `json:"timeout,omitempty"`
	// MaxResponseBytes caps one response. Default 1 GiB (responses are
	// decoded as they arrive: memory does not grow with it).
	MaxResponseBytes *int64 `json:"maxResponseBytes,omitempty"`
	// Redirects followed: SameHost (default) or None; never to another
	// host.
	Redirects *string `json:"redirects,omitempty"`
	// AWS: Fargate and the catalog's EC2 types from the bulk offer files.
	AWS *PriceSource `json:"aws,omitempty"`
	// Azure: ACI and the catalog's VM sizes from the Retail Prices API.
	Azure *PriceSource `json:"azure,omitempty"`
}

// PriceSource is one provider's region and endpoint.
type PriceSource struct {
	// Region as the provider spells it (us-east-1, eastus).
	Region string `json:"region"`
	// Endpoint replaces the public one (mirror, proxy). Default "".
	Endpoint string `json:"endpoint,omitempty"`
}

// DeepCopyInto copies the receiver into out.
func (in *PriceRefresh) DeepCopyInto(out *PriceRefresh) {
	*out = *in
	out.Interval = copyPtr(in.Interval)
	out.Timeout = copyPtr(in.Timeout)
	out.MaxResponseBytes = copyPtr(in.MaxResponseBytes)
	out.Redirects = copyPtr(in.Redirects)
	out.AWS = copyPtr(in.AWS)
	out.Azure = copyPtr(in.Azure)
}

// DeepCopy returns a copy of the receiver.
func (in *PriceRefresh) DeepCopy() *PriceRefresh {
	if in == nil {
		return nil
	}
	out := new(PriceRefresh)
	in.DeepCopyInto(out)
	return out
}
