package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/conversion"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	"github.com/spillway-dev/spillway/plugins/apis/config"
)

// RegisterConversions adds the conversions between the v1 and internal
// args to a scheme. Conversion runs after defaulting, so every pointer is
// set; a nil one (an object that skipped defaulting) converts to zero.
func RegisterConversions(s *runtime.Scheme) error {
	for _, f := range []struct {
		a, b interface{}
		fn   conversion.ConversionFunc
	}{
		{(*ServerlessFitArgs)(nil), (*config.ServerlessFitArgs)(nil), func(a, b interface{}, _ conversion.Scope) error {
			in, out := a.(*ServerlessFitArgs), b.(*config.ServerlessFitArgs)
			out.BackendCatalogFile = ptr.Deref(in.BackendCatalogFile, "")
			return nil
		}},
		{(*config.ServerlessFitArgs)(nil), (*ServerlessFitArgs)(nil), func(a, b interface{}, _ conversion.Scope) error {
			in, out := a.(*config.ServerlessFitArgs), b.(*ServerlessFitArgs)
			out.BackendCatalogFile = ptr.To(in.BackendCatalogFile)
			return nil
		}},
		{(*BurstCostArgs)(nil), (*config.BurstCostArgs)(nil), func(a, b interface{}, _ conversion.Scope) error {
			in, out := a.(*BurstCostArgs), b.(*config.BurstCostArgs)
			out.PriceCatalogFile = ptr.Deref(in.PriceCatalogFile, "")
			out.PriceCatalogReloadInterval = ptr.Deref(in.PriceCatalogReloadInterval, metav1.Duration{})
			out.PriceRefresh = priceRefreshToInternal(in.PriceRefresh)
			out.BackendCatalogFile = ptr.Deref(in.BackendCatalogFile, "")
			out.VMPricing = ptr.Deref(in.VMPricing, "")
			out.VMMarginalCostFactor = ptr.Deref(in.VMMarginalCostFactor, 0)
			out.PackingFactor = ptr.Deref(in.PackingFactor, 0)
			out.StartupPenaltyUSDPerMinute = ptr.Deref(in.StartupPenaltyUSDPerMinute, 0)
			out.DefaultHorizon = ptr.Deref(in.DefaultHorizon, metav1.Duration{})
			out.MinObservedLifetimes = ptr.Deref(in.MinObservedLifetimes, 0)
			out.ObservedLifetimesRetention = ptr.Deref(in.ObservedLifetimesRetention, metav1.Duration{})
			return nil
		}},
		{(*config.BurstCostArgs)(nil), (*BurstCostArgs)(nil), func(a, b interface{}, _ conversion.Scope) error {
			in, out := a.(*config.BurstCostArgs), b.(*BurstCostArgs)
			out.PriceCatalogFile = ptr.To(in.PriceCatalogFile)
			out.PriceCatalogReloadInterval = ptr.To(in.PriceCatalogReloadInterval)
			out.PriceRefresh = priceRefreshFromInternal(in.PriceRefresh)
			out.BackendCatalogFile = ptr.To(in.BackendCatalogFile)
			out.VMPricing = ptr.To(in.VMPricing)
			out.VMMarginalCostFactor = ptr.To(in.VMMarginalCostFactor)
			out.PackingFactor = ptr.To(in.PackingFactor)
			out.StartupPenaltyUSDPerMinute = ptr.To(in.StartupPenaltyUSDPerMinute)
			out.DefaultHorizon = ptr.To(in.DefaultHorizon)
			out.MinObservedLifetimes = ptr.To(in.MinObservedLifetimes)
			out.ObservedLifetimesRetention = ptr.To(in.ObservedLifetimesRetention)
			return nil
		}},
		{(*SteadinessArgs)(nil), (*config.SteadinessArgs)(nil), func(a, b interface{}, _ conversion.Scope) error {
			in, out := a.(*SteadinessArgs), b.(*config.SteadinessArgs)
			out.BackendCatalogFile = ptr.Deref(in.BackendCatalogFile, "")
			out.Window = ptr.Deref(in.Window, metav1.Duration{})
			out.BasePercentile = ptr.Deref(in.BasePercentile, 0)
			out.MinHistory = ptr.Deref(in.MinHistory, metav1.Duration{})
			out.VMHeadroomPercent = ptr.Deref(in.VMHeadroomPercent, 0)
			out.LongRunningJob = ptr.Deref(in.LongRunningJob, metav1.Duration{})
			out.History = config.SteadinessHistory{}
			if in.History != nil && in.History.Prometheus != nil {
				p := in.History.Prometheus
				out.History.Prometheus = &config.PrometheusHistory{
					URL: ptr.Deref(p.URL, ""), Query: ptr.Deref(p.Query, ""), Step: ptr.Deref(p.Step, metav1.Duration{}),
					RefreshInterval: ptr.Deref(p.RefreshInterval, metav1.Duration{}), MaxQueriesPerInterval: ptr.Deref(p.MaxQueriesPerInterval, 0),
					Timeout: ptr.Deref(p.Timeout, metav1.Duration{}), MaxResponseBytes: ptr.Deref(p.MaxResponseBytes, 0),
					Redirects: ptr.Deref(p.Redirects, ""),
				}
			}
			return nil
		}},
		{(*config.SteadinessArgs)(nil), (*SteadinessArgs)(nil), func(a, b interface{}, _ conversion.Scope) error {
			in, out := a.(*config.SteadinessArgs), b.(*SteadinessArgs)
			out.BackendCatalogFile = ptr.To(in.BackendCatalogFile)
			out.Window = ptr.To(in.Window)
			out.BasePercentile = ptr.To(in.BasePercentile)
			out.MinHistory = ptr.To(in.MinHistory)
			out.VMHeadroomPercent = ptr.To(in.VMHeadroomPercent)
			out.LongRunningJob = ptr.To(in.LongRunningJob)
			out.History = nil
			if p := in.History.Prometheus; p != nil {
				out.History = &SteadinessHistory{Prometheus: &PrometheusHistory{
					URL: ptr.To(p.URL), Query: ptr.To(p.Query), Step: ptr.To(p.Step),
					RefreshInterval: ptr.To(p.RefreshInterval), MaxQueriesPerInterval: ptr.To(p.MaxQueriesPerInterval),
					Timeout: ptr.To(p.Timeout), MaxResponseBytes: ptr.To(p.MaxResponseBytes),
					Redirects: ptr.To(p.Redirects),
				}}
			}
			return nil
		}},
	} {
		if err := s.AddConversionFunc(f.a, f.b, f.fn); err != nil {
			return err
		}
	}
	return nil
}

// RegisterDefaults adds the defaulting functions of the v1 args to a scheme.
func RegisterDefaults(s *runtime.Scheme) error {
	s.AddTypeDefaultingFunc(&ServerlessFitArgs{}, func(o interface{}) { SetDefaults_ServerlessFitArgs(o.(*ServerlessFitArgs)) })
	s.AddTypeDefaultingFunc(&BurstCostArgs{}, func(o interface{}) { SetDefaults_BurstCostArgs(o.(*BurstCostArgs)) })
	s.AddTypeDefaultingFunc(&SteadinessArgs{}, func(o interface{}) { SetDefaults_SteadinessArgs(o.(*SteadinessArgs)) })
	return nil
}
