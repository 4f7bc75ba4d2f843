package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ServerlessFitArgs holds the args of the ServerlessFit plugin.
type ServerlessFitArgs struct {
	metav1.TypeMeta `json:",inline"`

	// BackendCatalogFile is a backend catalog whose entries override the
	// embedded one by name. Default "": the embedded catalog alone.
	BackendCatalogFile *string `json:"backendCatalogFile,omitempty"`
}

// BurstCostArgs holds the args of the BurstCost plugin.
type BurstCostArgs struct {
	metav1.TypeMeta `json:",inline"`

	// PriceCatalogFile replaces the embedded price catalog. Default "".
	PriceCatalogFile *string `json:"priceCatalogFile,omitempty"`
	// PriceCatalogReloadInterval is how often priceCatalogFile is checked
	// for a new version; 0s: never. Default 1m.
	PriceCatalogReloadInterval *metav1.Duration `json:"priceCatalogReloadInterval,omitempty"`
	// PriceRefresh refreshes prices from the public price lists in the
	// background. Default: off.
	PriceRefresh *PriceRefresh `json:"priceRefresh,omitempty"`
	// BackendCatalogFile overrides embedded backends by name. Default "".
	BackendCatalogFile *string `json:"backendCatalogFile,omitempty"`
	// VMPricing is OnDemand, Reserved or Spot. Default OnDemand.
	VMPricing *string `json:"vmPricing,omitempty"`
	// VMMarginalCostFactor is the fraction of a VM's price that a pod's
	// share of it costs at the margin. Default 0.1.
	VMMarginalCostFactor *float64 `json:"vmMarginalCostFactor,omitempty"`
	// PackingFactor makes an emptier VM cost more. Default 1.
	PackingFactor *float64 `json:"packingFactor,omitempty"`
	// StartupPenaltyUSDPerMinute prices a minute of cold start. Default 0.01.
	StartupPenaltyUSDPerMinute *float64 `json:"startupPenaltyUSDPerMinute,omitempty"`
	// DefaultHorizon is the expected lifetime when nothing better is known.
	// Default 1h.
	DefaultHorizon *metav1.Duration `json:"defaultHorizon,omitempty"`
	// MinObservedLifetimes is how many finished pods of an owner make its
	// median lifetime trusted. Default 3.
	MinObservedLifetimes *int32 `json:"minObservedLifetimes,omitempty"`
	// ObservedLifetimesRetention is how long an owner with no pod left
	// keeps its observed lifetimes. Default 24h.
	ObservedLifetimesRetention *metav1.Duration `json:"observedLifetimesRetention,omitempty"`
}

// SteadinessArgs holds the args of the Steadiness plugin.
type SteadinessArgs struct {
	metav1.TypeMeta `json:",inline"`

	// BackendCatalogFile overrides embedded backends by name. Default "".
	BackendCatalogFile *string `json:"backendCatalogFile,omitempty"`
	// Window of replica-count history per owner. Default 1h.
	Window *metav1.Duration `json:"window,omitempty"`
	// BasePercentile of the replica count over the window that is the
	// steady base. Default 50.
	BasePercentile *int32 `json:"basePercentile,omitempty"`
	// MinHistory before the window beats the kind priors. Default 5m.
	MinHistory *metav1.Duration `json:"minHistory,omitempty"`
	// VMHeadroomPercent is the VM utilisation above which burst pods prefer
	// serverless nodes. Default 80.
	VMHeadroomPercent *int32 `json:"vmHeadroomPercent,omitempty"`
	// LongRunningJob is the expected lifetime beyond which a Job's pod is
	// steady. Default 1h.
	LongRunningJob *metav1.Duration `json:"longRunningJob,omitempty"`
	// History is an optional source of replica-count history recorded
	// outside the scheduler. Default none: the in-cluster window only.
	History *SteadinessHistory `json:"history,omitempty"`
}

// SteadinessHistory lists Steadiness's optional history sources.
type SteadinessHistory struct {
	// Prometheus reads each owner's history from a Prometheus server.
	Prometheus *PrometheusHistory `json:"prometheus,omitempty"`
}

// PrometheusHistory configures the Prometheus history source.
type PrometheusHistory struct {
	// URL of the server, e.g. http://prometheus.monitoring:9090. Required.
	URL *string `json:"url,omitempty"`
	// Query is a text/template over .Namespace, .Kind and .Name of an
	// owner giving its replica count. Default DefaultPrometheusQuery
	// (kube-state-metrics' Deployment and StatefulSet replicas).
	Query *string `json:"query,omitempty"`
	// Step is the query_range resolution. Default 1m.
	Step *metav1.Duration `json:"step,omitempty"`
	// RefreshInterval is how often each owner is fetched again. Default 5m.
	RefreshInterval *metav1.Duration `json:"refreshInterval,omitempty"`
	// MaxQueriesPerInterval bounds the queries per interval. Default 100.
	MaxQueriesPerInterval *int32 `json:"maxQueriesPerInterval,omitempty"`
	// Timeout of each HTTP attempt. Default 10s.
	Timeout *metav1.Duration `json:"timeout,omitempty"`
	// MaxResponseBytes caps a response body. Default 8 MiB.
	MaxResponseBytes *int64 `json:"maxResponseBytes,omitempty"`
	// Redirects followed: SameHost (default) or None; never to another
	// host.
	Redirects *string `json:"redirects,omitempty"`
}
