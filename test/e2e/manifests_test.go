package e2e

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	restclient "k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/yaml"
)

// manifestObjects reads every object of every YAML file under manifests/.
func manifestObjects(t *testing.T) map[string][]*unstructured.Unstructured {
	t.Helper()
	root := filepath.Join(moduleRoot(t), "manifests")
	objs := map[string][]*unstructured.Unstructured{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".yaml" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			var u unstructured.Unstructured
			if err := dec.Decode(&u.Object); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return err
			}
			if len(u.Object) > 0 {
				rel, _ := filepath.Rel(root, path)
				objs[rel] = append(objs[rel], &u)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// TestConfigMapMatchesSchedulerConfig keeps configmap.yaml equal to
// scheduler-config.yaml.
func TestConfigMapMatchesSchedulerConfig(t *testing.T) {
	root := filepath.Join(moduleRoot(t), "manifests")
	data, err := os.ReadFile(filepath.Join(root, "configmap.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cm v1.ConfigMap
	if err := yaml.UnmarshalStrict(data, &cm); err != nil {
		t.Fatal(err)
	}
	shipped, err := os.ReadFile(filepath.Join(root, "scheduler-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var want, got map[string]interface{}
	if err := yaml.Unmarshal(shipped, &want); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal([]byte(cm.Data["scheduler-config.yaml"]), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("configmap.yaml differs from scheduler-config.yaml (-want +got):\n%s", diff)
	}
}

// applyManifestsDryRun applies every object of manifests/ with a server-side
// dry run: the API server validates and admits them without storing them.
func applyManifestsDryRun(ctx context.Context, t *testing.T, cfg *restclient.Config) {
	t.Helper()
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	dyn := dynamic.NewForConfigOrDie(cfg)
	for file, objs := range manifestObjects(t) {
		for _, u := range objs {
			gvk := u.GroupVersionKind()
			if gvk.Kind == "KubeSchedulerConfiguration" {
				continue // read by the scheduler, not an API object
			}
			m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
			if err != nil {
				t.Errorf("%s: %s %s: %v", file, gvk.Kind, u.GetName(), err)
				continue
			}
			var ri dynamic.ResourceInterface = dyn.Resource(m.Resource)
			if ns := u.GetNamespace(); ns != "" {
				ri = dyn.Resource(m.Resource).Namespace(ns)
			}
			_, err = ri.Apply(ctx, u.GetName(), u, metav1.ApplyOptions{FieldManager: "spillway-e2e", Force: true, DryRun: []string{metav1.DryRunAll}})
			if err != nil {
				t.Errorf("%s: %s %s does not apply: %v", file, gvk.Kind, u.GetName(), err)
			}
		}
	}
}
