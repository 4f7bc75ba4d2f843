package v1

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// Defaults of the plugins' args.
const (
	DefaultVMPricing                  = "OnDemand"
	DefaultVMMarginalCostFactor       = 0.1
	DefaultPackingFactor              = 0.0
	DefaultStartupPenaltyUSDPerMinute = 0.01
	DefaultHorizon                    = time.Hour
	DefaultMinObservedLifetimes       = int32(3)
	DefaultObservedLifetimesRetention = 24 * time.Hour
	DefaultPriceCatalogReloadInterval = time.Minute
	DefaultPriceRefreshInterval       = 6 * time.Hour
	DefaultPriceRefreshTimeout        = 2 * time.Minute
	DefaultPriceRefreshMaxBytes       = int64(4 << 30)

	DefaultWindow            = time.Hour
	DefaultBasePercentile    = int32(50)
	DefaultMinHistory        = 5 * time.Minute
	DefaultVMHeadroomPercent = int32(100)
	DefaultLongRunningJob    = time.Hour

	DefaultPrometheusStep                  = time.Minute
	DefaultPrometheusRefreshInterval       = 5 * time.Minute
	DefaultPrometheusMaxQueriesPerInterval = int32(100)
	DefaultPrometheusTimeout               = 10 * time.Second
	DefaultPrometheusMaxResponseBytes      = int64(8 << 20)
)

// DefaultPrometheusQuery is the replica count of a Deployment or a
// StatefulSet as kube-state-metrics exports it; other kinds get no query.
const DefaultPrometheusQuery = `{{if eq .Kind "Deployment"}}max(kube_deployment_status_replicas{namespace="{{.Namespace}}",deployment="{{.Name}}"}){{else if eq .Kind "StatefulSet"}}max(kube_statefulset_status_replicas{namespace="{{.Namespace}}",statefulset="{{.Name}}"}){{end}}`

// SetDefaults_ServerlessFitArgs sets the unset fields to their defaults.
func SetDefaults_ServerlessFitArgs(obj *ServerlessFitArgs) { //nolint:revive // kube naming
	if obj.BackendCatalogFile == nil {
		obj.BackendCatalogFile = ptr.To("")
	}
}

// SetDefaults_BurstCostArgs sets the unset fields to their defaults.
func SetDefaults_BurstCostArgs(obj *BurstCostArgs) { //nolint:revive // kube naming
	if obj.PriceCatalogFile == nil {
		obj.PriceCatalogFile = ptr.To("")
	}
	if obj.PriceCatalogReloadInterval == nil {
		obj.PriceCatalogReloadInterval = &metav1.Duration{Duration: DefaultPriceCatalogReloadInterval}
	}
	if r := obj.PriceRefresh; r != nil {
		if r.Interval == nil {
			r.Interval = &metav1.Duration{Duration: DefaultPriceRefreshInterval}
		}
		if r.Timeout == nil {
			r.Timeout = &metav1.Duration{Duration: DefaultPriceRefreshTimeout}
		}
		if r.MaxResponseBytes == nil {
			r.MaxResponseBytes = ptr.To(DefaultPriceRefreshMaxBytes)
		}
	}
	if obj.BackendCatalogFile == nil {
		obj.BackendCatalogFile = ptr.To("")
	}
	if obj.VMPricing == nil {
		obj.VMPricing = ptr.To(DefaultVMPricing)
	}
	if obj.VMMarginalCostFactor == nil {
		obj.VMMarginalCostFactor = ptr.To(DefaultVMMarginalCostFactor)
	}
	if obj.PackingFactor == nil {
		obj.PackingFactor = ptr.To(DefaultPackingFactor)
	}
	if obj.StartupPenaltyUSDPerMinute == nil {
		obj.StartupPenaltyUSDPerMinute = ptr.To(DefaultStartupPenaltyUSDPerMinute)
	}
	if obj.DefaultHorizon == nil {
		obj.DefaultHorizon = &metav1.Duration{Duration: DefaultHorizon}
	}
	if obj.MinObservedLifetimes == nil {
		obj.MinObservedLifetimes = ptr.To(DefaultMinObservedLifetimes)
	}
	if obj.ObservedLifetimesRetention == nil {
		obj.ObservedLifetimesRetention = &metav1.Duration{Duration: DefaultObservedLifetimesRetention}
	}
}

// SetDefaults_SteadinessArgs sets the unset fields to their defaults.
func SetDefaults_SteadinessArgs(obj *SteadinessArgs) { //nolint:revive // kube naming
	if obj.BackendCatalogFile == nil {
		obj.BackendCatalogFile = ptr.To("")
	}
	if obj.Window == nil {
		obj.Window = &metav1.Duration{Duration: DefaultWindow}
	}
	if obj.BasePercentile == nil {
		obj.BasePercentile = ptr.To(DefaultBasePercentile)
	}
	if obj.MinHistory == nil {
		obj.MinHistory = &metav1.Duration{Duration: DefaultMinHistory}
	}
	if obj.VMHeadroomPercent == nil {
		obj.VMHeadroomPercent = ptr.To(DefaultVMHeadroomPercent)
	}
	if obj.LongRunningJob == nil {
		obj.LongRunningJob = &metav1.Duration{Duration: DefaultLongRunningJob}
	}
	if obj.History != nil && obj.History.Prometheus != nil {
		SetDefaults_PrometheusHistory(obj.History.Prometheus)
	}
}

// SetDefaults_PrometheusHistory sets the unset fields to their defaults
// (but URL, which is required).
func SetDefaults_PrometheusHistory(obj *PrometheusHistory) { //nolint:revive // kube naming
	if obj.URL == nil {
		obj.URL = ptr.To("")
	}
	if obj.Query == nil {
		obj.Query = ptr.To(DefaultPrometheusQuery)
	}
	if obj.Step == nil {
		obj.Step = &metav1.Duration{Duration: DefaultPrometheusStep}
	}
	if obj.RefreshInterval == nil {
		obj.RefreshInterval = &metav1.Duration{Duration: DefaultPrometheusRefreshInterval}
	}
	if obj.MaxQueriesPerInterval == nil {
		obj.MaxQueriesPerInterval = ptr.To(DefaultPrometheusMaxQueriesPerInterval)
	}
	if obj.Timeout == nil {
		obj.Timeout = &metav1.Duration{Duration: DefaultPrometheusTimeout}
	}
	if obj.MaxResponseBytes == nil {
		obj.MaxResponseBytes = ptr.To(DefaultPrometheusMaxResponseBytes)
	}
}
