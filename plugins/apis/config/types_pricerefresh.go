package config

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// PriceRefreshArgs configure BurstCost's background price refresh.
type PriceRefreshArgs struct {
	// Interval between refreshes; failed ones are retried sooner, with
	// backoff. >= 1m.
	Interval metav1.Duration
	// Timeout bounds each HTTP attempt, body included. > 0.
	Timeout metav1.Duration
	// MaxResponseBytes caps one response. >= 1024.
	MaxResponseBytes int64
	// Redirects says which HTTP redirects are followed: SameHost or None.
	// A redirect to another host never is.
	Redirects string
	// AWS and Azure are the sources; at least one is required.
	AWS   *PriceSourceArgs
	Azure *PriceSourceArgs
}

// PriceSourceArgs are one provider's region and endpoint.
type PriceSourceArgs struct {
	// Region as the provider spells it (us-east-1, eastus). Required.
	Region string
	// Endpoint replaces the public one (mirror, proxy). Empty: public.
	Endpoint string
}

// DeepCopyInto copies the receiver into out.
func (in *PriceRefreshArgs) DeepCopyInto(out *PriceRefreshArgs) {
	*out = *in
	if in.AWS != nil {
		out.AWS = new(PriceSourceArgs)
		*out.AWS = *in.AWS
	}
	if in.Azure != nil {
		out.Azure = new(PriceSourceArgs)
		*out.Azure = *in.Azure
	}
}

// DeepCopy returns a copy of the receiver.
func (in *PriceRefreshArgs) DeepCopy() *PriceRefreshArgs {
	if in == nil {
		return nil
	}
	out := new(PriceRefreshArgs)
	in.DeepCopyInto(out)
	return out
}
