package v1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/spillway-dev/spillway/plugins/apis/config"
)

func priceRefreshToInternal(in *PriceRefresh) *config.PriceRefreshArgs {
	if in == nil {
		return nil
	}
	return &config.PriceRefreshArgs{
		Interval:         ptr.Deref(in.Interval, metav1.Duration{}),
		Timeout:          ptr.Deref(in.Timeout, metav1.Duration{}),
		MaxResponseBytes: ptr.Deref(in.MaxResponseBytes, 0),
		Redirects:        ptr.Deref(in.Redirects, ""),
		AWS:              (*config.PriceSourceArgs)(copyPtr((*config.PriceSourceArgs)(in.AWS))),
		Azure:            (*config.PriceSourceArgs)(copyPtr((*config.PriceSourceArgs)(in.Azure))),
	}
}

func priceRefreshFromInternal(in *config.PriceRefreshArgs) *PriceRefresh {
	if in == nil {
		return nil
	}
	return &PriceRefresh{
		Interval:         ptr.To(in.Interval),
		Timeout:          ptr.To(in.Timeout),
		MaxResponseBytes: ptr.To(in.MaxResponseBytes),
		Redirects:        ptr.To(in.Redirects),
		AWS:              (*PriceSource)(copyPtr(in.AWS)),
		Azure:            (*PriceSource)(copyPtr(in.Azure)),
	}
}
