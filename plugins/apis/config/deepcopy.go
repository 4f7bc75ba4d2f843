package config

import "k8s.io/apimachinery/pkg/runtime"

// DeepCopyInto copies the receiver into out.
func (in *ServerlessFitArgs) DeepCopyInto(out *ServerlessFitArgs) { *out = *in }

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
	out.PriceRefresh = in.PriceRefresh.DeepCopy()
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
	if in.History.Prometheus != nil {
		p := *in.History.Prometheus
		out.History.Prometheus = &p
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
