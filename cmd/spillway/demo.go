package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/spillway-dev/spillway/backends"
	"github.com/spillway-dev/spillway/cost"
	"github.com/spillway-dev/spillway/simulator/inprocess"
)

func newDemoCommand() *cobra.Command {
	profileFile := "manifests/scheduler-config.yaml"
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Replay a bundled morning on the minimal cluster through the Spillway and default profiles",
		Long: `demo builds the minimal cluster (a tainted control plane and three m5.xlarge
workers, plus an ACI virtual node), and replays a bundled scenario through
each profile of the configuration file, in process, with the real
kube-scheduler framework and plugins. It prints where each pod went and what
the serverless capacity costs per hour.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), cmd.OutOrStdout(), profileFile)
		},
	}
	cmd.Flags().StringVar(&profileFile, "profile", profileFile, "KubeSchedulerConfiguration file with the profiles to compare")
	return cmd
}

func runDemo(ctx context.Context, out io.Writer, profileFile string) error {
	klog.SetOutput(io.Discard)
	klog.LogToStderr(false)
	cfg, err := inprocess.LoadConfigFile(profileFile)
	if err != nil {
		return err
	}
	prices, bc := cost.Default(), backends.Default()
	fmt.Fprintf(out, "Minimal cluster: control plane + 3 m5.xlarge workers (12 CPU for workloads) + ACI virtual node.\nProfiles from %s.\n\n", profileFile)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "profile\tstep\ton VMs\ton ACI\tpending\tVM CPU used\tserverless $/h")
	for _, prof := range cfg.Profiles {
		p := prof
		clock := clocktesting.NewFakeClock(time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC))
		s, err := inprocess.New(ctx, &p, clock, nil)
		if err != nil {
			return err
		}
		nodes := demoNodes()
		for _, n := range nodes {
			s.AddNode(n)
		}
		var onVM, onACI, pending int
		var vmCPU int64
		var serverlessHourly float64
		for _, st := range scenario(p.SchedulerName) {
			clock.Step(st.after)
			for _, pod := range st.pods {
				res, bound, err := s.Schedule(ctx, pod)
				if err != nil {
					return fmt.Errorf("profile %s: %w", p.SchedulerName, err)
				}
				switch {
				case res.Node == "":
					pending++
				case strings.HasPrefix(res.Node, "worker-"):
					onVM++
					vmCPU += bound.Spec.Containers[0].Resources.Requests.Cpu().MilliValue()
				default:
					onACI++
					serverlessHourly += hourly(prices, bc, nodes, res.Node, bound)
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%.0f%%\t%.4f\n", p.SchedulerName, st.what, onVM, onACI, pending, float64(vmCPU)/120, serverlessHourly)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(out, "\nThe VMs are paid for either way: every pod on ACI while VM capacity sits idle is money spent twice.")
	return nil
}

// hourly is what a pod on a virtual node costs per hour on its backend.
func hourly(prices *cost.Catalog, bc *backends.Catalog, nodes []*v1.Node, node string, pod *v1.Pod) float64 {
	for _, n := range nodes {
		if n.Name != node {
			continue
		}
		b := bc.ForNode(n)
		if b == nil || b.Pricing == "" {
			return 0
		}
		sp, ok := prices.Serverless(b.Pricing)
		if !ok {
			return 0
		}
		profile := backends.NewPodProfile(pod)
		bill, err := sp.Bill(profile.CPUMilli, profile.MemoryBytes, 3600, false)
		if err != nil {
			return 0
		}
		return bill.USD
	}
	return 0
}

func demoNodes() []*v1.Node {
	node := func(name, cpu, mem string, labels map[string]string, taints ...v1.Taint) *v1.Node {
		res := v1.ResourceList{v1.ResourceCPU: resource.MustParse(cpu), v1.ResourceMemory: resource.MustParse(mem), v1.ResourcePods: resource.MustParse("110")}
		labels["kubernetes.io/hostname"] = name
		return &v1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}, Spec: v1.NodeSpec{Taints: taints},
			Status: v1.NodeStatus{Capacity: res, Allocatable: res, Conditions: []v1.NodeCondition{{Type: v1.NodeReady, Status: v1.ConditionTrue}}}}
	}
	vm := map[string]string{"node.kubernetes.io/instance-type": "m5.xlarge"}
	clone := func(m map[string]string) map[string]string {
		c := map[string]string{}
		for k, v := range m {
			c[k] = v
		}
		return c
	}
	cp := clone(vm)
	cp["node-role.kubernetes.io/control-plane"] = ""
	return []*v1.Node{
		node("control-plane", "4", "16Gi", cp, v1.Taint{Key: "node-role.kubernetes.io/control-plane", Effect: v1.TaintEffectNoSchedule}),
		node("worker-1", "4", "16Gi", clone(vm)), node("worker-2", "4", "16Gi", clone(vm)), node("worker-3", "4", "16Gi", clone(vm)),
		node("virtual-node-aci-linux", "10k", "4Ti", map[string]string{"type": "virtual-kubelet", "kubernetes.io/role": "agent"},
			v1.Taint{Key: "virtual-kubelet.io/provider", Value: "azure", Effect: v1.TaintEffectNoSchedule}),
	}
}
