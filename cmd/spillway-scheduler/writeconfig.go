package main

import (
	"fmt"

	"github.com/spf13/cobra"
	restclient "k8s.io/client-go/rest"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/cmd/kube-scheduler/app/options"
)

// offlineMaster is the API server address given to kube-scheduler when it
// only writes its configuration and has no kubeconfig: it builds its
// clients before writing the file, and clientcmd refuses to build them from
// nothing ("no configuration has been provided"). The address is never
// served: the only call made is one discovery request for the events API,
// which is refused at once and tolerated.
const offlineMaster = "https://127.0.0.1:1"

// allowOfflineWriteConfig lets `--config FILE --write-config-to OUT` run
// without a cluster, as the README shows it. kube-scheduler needs a
// kubeconfig only to run; to write its configuration it needs none, but it
// builds its clients (and serves its secure port) first. So, when
// --write-config-to is set and there is no way to reach a cluster (no
// --master, no clientConnection.kubeconfig in FILE, not in a pod), the
// command gets --master=offlineMaster; and, unless --secure-port was given,
// --secure-port=0, so that writing a file binds no port. A kubeconfig that
// is named but broken is left for kube-scheduler to report. Every other
// invocation is unchanged.
func allowOfflineWriteConfig(cmd *cobra.Command) {
	prev := cmd.PreRunE
	cmd.PreRunE = func(c *cobra.Command, args []string) error {
		if prev != nil {
			if err := prev(c, args); err != nil {
				return err
			}
		}
		return offlineWriteConfigFlags(c, inCluster)
	}
}

// inCluster reports whether the process runs in a pod with a service
// account (the in-cluster configuration kube-scheduler falls back to).
func inCluster() bool {
	_, err := restclient.InClusterConfig()
	return err == nil
}

// offlineWriteConfigFlags sets the flags allowOfflineWriteConfig describes.
func offlineWriteConfigFlags(c *cobra.Command, inCluster func() bool) error {
	fs := c.Flags()
	if v, _ := fs.GetString("write-config-to"); v == "" {
		return nil
	}
	if v, _ := fs.GetString("master"); v != "" {
		return nil
	}
	if file, _ := fs.GetString("config"); file != "" {
		cfg, err := options.LoadConfigFromFile(klog.Background(), file)
		if err != nil {
			return nil // kube-scheduler reports it, as it would without us
		}
		if cfg.ClientConnection.Kubeconfig != "" {
			return nil
		}
	}
	if inCluster() {
		return nil
	}
	if err := fs.Set("master", offlineMaster); err != nil {
		return fmt.Errorf("--write-config-to without a cluster: %w", err)
	}
	if !fs.Changed("secure-port") {
		if err := fs.Set("secure-port", "0"); err != nil {
			return fmt.Errorf("--write-config-to without a cluster: %w", err)
		}
	}
	return nil
}
