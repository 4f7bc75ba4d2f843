package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func copyPtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// DeepCopyInto copies the receiver into out.
func (in *ServerlessFitArgs) DeepCopyInto(out *ServerlessFitArgs) {
	*out = *in
	out.BackendCatalogFile = copyPtr(in.BackendCatalogFile)
}

// DeepCopy returns a copy of the receiver.
func (in *ServerlessFitArgs) DeepCopy() *ServerlessFitArgs {
	if in == nil {
		return nil
	}
	out := new(ServerlessFitArgs)
	in.DeepCopyInto(out)
	return out
}

// DeepCopyObject implements runtime.Object.
func (in *ServerlessFitArgs) DeepCopyObject() runtime.Object { return in.DeepCopy() }

// DeepCopyInto copies the receiver into out.
func (in *BurstCostArgs) DeepCopyInto(out *BurstCostArgs) {
	*out = *in
	out.PriceCatalogFile = copyPtr(in.PriceCatalogFile)
	out.PriceCatalogReloadInterval = copyPtr(in.PriceCatalogReloadInterval)
	out.PriceRefresh = in.PriceRefresh.DeepCopy()
	out.BackendCatalogFile = copyPtr(in.BackendCatalogFile)
	out.VMPricing = copyPtr(in.VMPricing)
	out.VMMarginalCostFactor = copyPtr(in.VMMarginalCostFactor)
	out.PackingFactor = copyPtr(in.PackingFactor)
	out.StartupPenaltyUSDPerMinute = copyPtr(in.StartupPenaltyUSDPerMinute)
	out.DefaultHorizon = copyPtr[metav1.Duration](in.DefaultHorizon)
	out.MinObservedLifetimes = copyPtr(in.MinObservedLifetimes)
	out.ObservedLifetimesRetention = copyPtr(in.ObservedLifetimesRetention)
}

// DeepCopy returns a copy of the receiver.
func (in *BurstCostArgs) DeepCopy() *BurstCostArgs {
	if in == nil {
		return nil
	}
	out := new(BurstCostArgs)
	in.DeepCopyInto(out)
	return out
}

// DeepCopyObject implements runtime.Object.
func (in *BurstCostArgs) DeepCopyObject() runtime.Object { return in.DeepCopy() }

// DeepCopyInto copies the receiver into out.
func (in *SteadinessArgs) DeepCopyInto(out *SteadinessArgs) {
	*out = *in
	out.BackendCatalogFile = copyPtr(in.BackendCatalogFile)
	out.Window = copyPtr[metav1.Duration](in.Window)
	out.BasePercentile = copyPtr(in.BasePercentile)
	out.MinHistory = copyPtr[metav1.Duration](in.MinHistory)
	out.VMHeadroomPercent = copyPtr(in.VMHeadroomPercent)
	out.LongRunningJob = copyPtr[metav1.Duration](in.LongRunningJob)
	if in.History != nil {
		out.History = &SteadinessHistory{}
		if p := in.History.Prometheus; p != nil {
			out.History.Prometheus = &PrometheusHistory{
				URL: copyPtr(p.URL), Query: copyPtr(p.Query), Step: copyPtr(p.Step),
				RefreshInterval: copyPtr(p.RefreshInterval), MaxQueriesPerInterval: copyPtr(p.MaxQueriesPerInterval),
				Timeout: copyPtr(p.Timeout), MaxResponseBytes: copyPtr(p.MaxResponseBytes),
				Redirects: copyPtr(p.Redirects),
			}
		}
	}
}

// DeepCopy returns a copy of the receiver.
func (in *SteadinessArgs) DeepCopy() *SteadinessArgs {
	if in == nil {
		return nil
	}
	out := new(SteadinessArgs)
	in.DeepCopyInto(out)
	return out
}

// DeepCopyObject implements runtime.Object.
func (in *SteadinessArgs) DeepCopyObject() runtime.Object { return in.DeepCopy() }
