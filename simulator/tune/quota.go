package tune

import (
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/kubernetes/pkg/scheduler/apis/config"
	"sigs.k8s.io/yaml"

	"github.com/spillway-dev/spillway/backends"
	spcfg "github.com/spillway-dev/spillway/plugins/apis/config"
	"github.com/spillway-dev/spillway/simulator/cluster"
	"github.com/spillway-dev/spillway/simulator/inprocess"
)

// ParamBackendQuota names the swept CPU quota of the virtual nodes'
// backend in a plan's shapes.
const ParamBackendQuota = "backendQuotaCPU"

// withQuota sets the CPU quota of the cluster's (first) virtual node's
// backend to cores, both where the simulator enforces it (o.Backends) and
// where the plugins read it: a backend catalog file with the changed entry,
// named by the tuned profile's ServerlessFit, BurstCost and Steadiness
// args. The returned function removes the file.
func withQuota(o *Options, cores int) (func(), error) {
	cf := o.Cluster
	if cf == nil {
		cf = cluster.Default()
	}
	if len(cf.VirtualNodes) == 0 {
		return nil, fmt.Errorf("plan: quotas: the cluster has no virtual node")
	}
	name := cf.VirtualNodes[0].Backend
	b, ok := o.Backends.Backend(name)
	if !ok {
		return nil, fmt.Errorf("plan: quotas: backend %q is not in the backend catalog", name)
	}
	nb := *b
	nb.Limits.QuotaCPU = resource.NewQuantity(int64(cores), resource.DecimalSI)
	over := &backends.Catalog{APIVersion: backends.APIVersion, Kind: backends.Kind, Updated: o.Backends.Updated, Backends: []backends.Backend{nb}}
	data, err := yaml.Marshal(over)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "spillway-plan-")
	if err != nil {
		return nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	path := filepath.Join(dir, fmt.Sprintf("backends-%s-quota-%d.yaml", name, cores))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		cleanup()
		return nil, err
	}
	loaded, err := backends.Load(data, path)
	if err == nil {
		o.Backends, err = o.Backends.WithOverrides(loaded)
	}
	if err == nil {
		o.Config, err = withCatalogFile(o, path)
	}
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("plan: quota %d: %w", cores, err)
	}
	return cleanup, nil
}

// withCatalogFile returns a copy of the configuration whose tuned profile's
// Spillway plugins read the backend catalog at path.
func withCatalogFile(o *Options, path string) (*config.KubeSchedulerConfiguration, error) {
	cfg := o.Config.DeepCopy()
	prof, err := inprocess.Profile(cfg, o.Spec.SchedulerName)
	if err != nil {
		return nil, err
	}
	set := func(plugin string, field *string) error {
		if *field != "" {
			return fmt.Errorf("profile %s: %s's backendCatalogFile is set (%s); a quota sweep needs it empty", prof.SchedulerName, plugin, *field)
		}
		*field = path
		return nil
	}
	if a, err := pluginArgs[*spcfg.ServerlessFitArgs](prof, "ServerlessFit"); err == nil {
		if err := set("ServerlessFit", &a.BackendCatalogFile); err != nil {
			return nil, err
		}
	}
	if a, err := pluginArgs[*spcfg.BurstCostArgs](prof, "BurstCost"); err == nil {
		if err := set("BurstCost", &a.BackendCatalogFile); err != nil {
			return nil, err
		}
	}
	if a, err := pluginArgs[*spcfg.SteadinessArgs](prof, "Steadiness"); err == nil {
		if err := set("Steadiness", &a.BackendCatalogFile); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}
