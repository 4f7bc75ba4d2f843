// Package scheme registers the Spillway plugins' args in kube-scheduler's
// config scheme. Import it (for its side effect) wherever a
// KubeSchedulerConfiguration that names Spillway plugins is decoded.
package scheme

import (
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	kubeschedulerscheme "k8s.io/kubernetes/pkg/scheduler/apis/config/scheme"

	"github.com/spillway-dev/spillway/plugins/apis/config"
	configv1 "github.com/spillway-dev/spillway/plugins/apis/config/v1"
)

var (
	// Scheme is kube-scheduler's config scheme, with Spillway's args added.
	Scheme = kubeschedulerscheme.Scheme
	// Codecs decodes strictly: unknown or duplicate fields are errors.
	Codecs = serializer.NewCodecFactory(Scheme, serializer.EnableStrict)
)

func init() {
	AddToScheme(Scheme)
}

// AddToScheme registers the internal and v1 args types in a scheme.
func AddToScheme(s *runtime.Scheme) {
	utilruntime.Must(config.AddToScheme(s))
	utilruntime.Must(configv1.AddToScheme(s))
}
