package config

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ServerlessFitArgs holds the args of the ServerlessFit plugin.
type ServerlessFitArgs struct {
	metav1.TypeMeta

	// BackendCatalogFile is a backend catalog whose entries override the
	// embedded one by name. Empty: the embedded catalog alone.
	BackendCatalogFile string
}

// BurstCostArgs holds the args of the BurstCost plugin.
type BurstCostArgs struct {
	metav1.TypeMeta

	// PriceCatalogFile replaces the embedded price catalog. Empty: embedded.
	PriceCatalogFile string
	// PriceCatalogReloadInterval is how often PriceCatalogFile is checked
	// for a new version (a changed file is loaded; a bad one is rejected
	// and the last good catalog kept). 0: never.
	PriceCatalogReloadInterval metav1.Duration
	// PriceRefresh, when set, refreshes the prices from the providers'
	// public price lists in the background. Nil: off.
	PriceRefresh *PriceRefreshArgs
	// BackendCatalogFile overrides embedded backend descriptions by name.
	BackendCatalogFile string
	// VMPricing is the pricing option of the dedicated VMs: OnDemand,
	// Reserved or Spot.
	VMPricing string
	// VMMarginalCostFactor is the fraction of a VM's price that a pod's
	// share of it costs at the margin (the VM is paid for already). 0..1.
	VMMarginalCostFactor float64
	// PackingFactor makes an emptier VM cost more at the margin, so the
	// VMs fill one after another (most-allocated packing). >= 0.
	PackingFactor float64
	// StartupPenaltyUSDPerMinute is what a minute of a virtual node's cold
	// start is worth to the user, added to the serverless bill. >= 0.
	StartupPenaltyUSDPerMinute float64
	// DefaultHorizon is the expected lifetime of a pod when nothing better
	// is known. > 0.
	DefaultHorizon metav1.Duration
	// MinObservedLifetimes is how many finished pods of the same owner are
	// needed before their median lifetime is used. >= 1.
	MinObservedLifetimes int32
	// ObservedLifetimesRetention is how long an owner with no pod left
	// keeps its observed lifetimes, so a workload that scales to zero
	// between bursts, or a Job whose pods run one after another, still
	// reaches MinObservedLifetimes. 1m..720h.
	ObservedLifetimesRetention metav1.Duration
}

// SteadinessArgs holds the args of the Steadiness plugin.
type SteadinessArgs struct {
	metav1.TypeMeta

	// BackendCatalogFile overrides embedded backend descriptions by name.
	BackendCatalogFile string
	// Window is how much replica-count history is kept per owner. > 0.
	Window metav1.Duration
	// BasePercentile is the percentile of an owner's replica count over the
	// window that counts as its steady base. 1..100.
	BasePercentile int32
	// MinHistory is how much history an owner needs before its window is
	// trusted over the kind priors. 0..Window.
	MinHistory metav1.Duration
	// VMHeadroomPercent is the VM utilisation above which burst pods start
	// to prefer serverless nodes. 0..100.
	VMHeadroomPercent int32
	// LongRunningJob is the expected lifetime beyond which a Job's pod counts
	// as steady rather than bursty. > 0.
	LongRunningJob metav1.Duration
	// History is an optional source of replica-count history recorded
	// outside the scheduler; the in-cluster window is the fallback.
	History SteadinessHistory
}

// SteadinessHistory lists Steadiness's optional history sources.
type SteadinessHistory struct {
	// Prometheus, when set, reads each owner's history from a Prometheus
	// server's query_range API.
	Prometheus *PrometheusHistory
}

// PrometheusHistory configures the Prometheus history source.
type PrometheusHistory struct {
	// URL is the server's base URL (http or https), e.g.
	// http://prometheus.monitoring:9090.
	URL string
	// Query is a text/template of a PromQL query over an owner's
	// .Namespace, .Kind and .Name giving its replica count; empty output
	// means "no query for this owner".
	Query string
	// Step is the query_range resolution. > 0.
	Step metav1.Duration
	// RefreshInterval is how often each owner's history is fetched again.
	// > 0.
	RefreshInterval metav1.Duration
	// MaxQueriesPerInterval bounds the queries sent per refresh interval.
	// >= 1.
	MaxQueriesPerInterval int32
	// Timeout bounds each HTTP attempt. > 0, <= RefreshInterval.
	Timeout metav1.Duration
	// MaxResponseBytes caps the size of a response body. >= 1024.
	MaxResponseBytes int64
	// Redirects says which HTTP redirects are followed: SameHost or None.
	// A redirect to another host never is.
	Redirects string
}
