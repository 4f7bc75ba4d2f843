package workload

import (
	v1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/cache"
)

// Handler returns informer event handlers that keep t up to date with the
// cluster's pods.
func (t *Tracker) Handler() cache.ResourceEventHandler {
	return cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj interface{}) { t.observeObj(obj) },
		UpdateFunc: func(_, obj interface{}) { t.observeObj(obj) },
		DeleteFunc: func(obj interface{}) {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			if pod, ok := obj.(*v1.Pod); ok {
				t.Forget(pod)
			}
		},
	}
}

func (t *Tracker) observeObj(obj interface{}) {
	if pod, ok := obj.(*v1.Pod); ok {
		t.Observe(pod)
	}
}
