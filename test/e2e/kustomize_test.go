package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// buildOverlay runs kustomize (its Go API, as `kubectl kustomize` does) on
// a directory and returns the objects.
func buildOverlay(t *testing.T, dir string) []*unstructured.Unstructured {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resMap, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	var objs []*unstructured.Unstructured
	for _, r := range resMap.Resources() {
		m, err := r.Map()
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, &unstructured.Unstructured{Object: m})
	}
	return objs
}

// TestKustomizeOverlays builds every overlay of overlays/ (kustomize's Go
// API) and checks what it installs: the ConfigMap generated from
// manifests/scheduler-config.yaml, byte for byte, with only the spillway
// profile in second-scheduler; the Deployment mounting that ConfigMap (by
// its hashed name) where --config points, with the image `make image`
// tags; RBAC. Then each object applies with a server-side dry run against
// the API server, as `kubectl apply -k --server-side --dry-run=server`.
func TestKustomizeOverlays(t *testing.T) {
	root, err := findModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	shipped, err := os.ReadFile(filepath.Join(root, "manifests", "scheduler-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	overlays, err := filepath.Glob(filepath.Join(root, "overlays", "*", "kustomization.yaml"))
	if err != nil || len(overlays) == 0 {
		t.Fatalf("no overlays/*/kustomization.yaml (%v)", err)
	}
	wantProfiles := map[string][]string{"second-scheduler": {"spillway"}}
	api := setup(t).apiServer(t)
	for _, k := range overlays {
		dir := filepath.Dir(k)
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			objs := buildOverlay(t, dir)
			var kinds []string
			var cm v1.ConfigMap
			var d appsv1.Deployment
			for _, o := range objs {
				kinds = append(kinds, o.GetKind())
				switch o.GetKind() {
				case "ConfigMap":
					fromUnstructured(t, o, &cm)
				case "Deployment":
					fromUnstructured(t, o, &d)
				}
			}
			slices.Sort(kinds)
			if diff := cmp.Diff([]string{"ClusterRole", "ClusterRoleBinding", "ConfigMap", "Deployment", "Role", "RoleBinding", "ServiceAccount"}, kinds); diff != "" {
				t.Errorf("kinds (-want +got):\n%s", diff)
			}
			if cm.Namespace != "kube-system" || !strings.HasPrefix(cm.Name, "spillway-scheduler-config-") {
				t.Errorf("ConfigMap %s/%s, want kube-system/spillway-scheduler-config-<hash>", cm.Namespace, cm.Name)
			}
			if diff := cmp.Diff(string(shipped), cm.Data["scheduler-config.yaml"]); diff != "" {
				t.Errorf("the ConfigMap's scheduler-config.yaml differs from manifests/scheduler-config.yaml (-want +got):\n%s", diff)
			}
			var cfg struct {
				Profiles []struct {
					SchedulerName string `json:"schedulerName"`
				} `json:"profiles"`
			}
			if err := yaml.Unmarshal([]byte(cm.Data["scheduler-config.yaml"]), &cfg); err != nil {
				t.Fatal(err)
			}
			var profiles []string
			for _, p := range cfg.Profiles {
				profiles = append(profiles, p.SchedulerName)
			}
			if want, ok := wantProfiles[name]; ok {
				if diff := cmp.Diff(want, profiles); diff != "" {
					t.Errorf("profiles (-want +got):\n%s", diff)
				}
			}

			spec := d.Spec.Template.Spec
			mounts := map[string]string{}
			for _, m := range spec.Containers[0].VolumeMounts {
				mounts[m.Name] = m.MountPath
			}
			var configPath string
			for _, v := range spec.Volumes {
				if v.ConfigMap != nil && v.ConfigMap.Name == cm.Name {
					configPath = filepath.Join(mounts[v.Name], "scheduler-config.yaml")
				}
			}
			if want := "--config=" + configPath; configPath == "" || !slices.Contains(spec.Containers[0].Command, want) {
				t.Errorf("the Deployment does not mount ConfigMap %s where --config points (command %q, volumes %+v)", cm.Name, spec.Containers[0].Command, spec.Volumes)
			}
			if got, want := spec.Containers[0].Image, "ghcr.io/spillway-dev/spillway-scheduler:latest"; got != want {
				t.Errorf("image %q, want %q (what make image tags)", got, want)
			}

			for _, o := range objs {
				if err := api.apply(t.Context(), o, true); err != nil {
					t.Errorf("%s %s/%s does not apply (server-side dry run): %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
				}
			}
		})
	}
}

func fromUnstructured(t *testing.T, u *unstructured.Unstructured, into any) {
	t.Helper()
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(u.Object, into, true); err != nil {
		t.Fatalf("%s %s: %v", u.GetKind(), u.GetName(), err)
	}
}
