package plugins_test

import (
	"encoding/json"
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/types"

	"github.com/spillway-dev/spillway/backends"
	fixtures "github.com/spillway-dev/spillway/plugins/plugintesting"
)

// FuzzSpillwayProfile feeds random pods and nodes to the shipped Spillway
// profile: scheduling must never fail with an error (or panic) on valid
// input, and a pod placed on a virtual node must be one its backend admits.
func FuzzSpillwayProfile(f *testing.F) {
	f.Add(uint16(1000), uint16(2048), uint16(0), uint8(0), "", "", []byte(nil))
	f.Add(uint16(6000), uint16(8192), uint16(0xffff), uint8(3), "burst", "10m", []byte(`{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"hostPort":80}]}]}}`))
	f.Add(uint16(0), uint16(0), uint16(0x5), uint8(7), "steady", "-1s", []byte(`{"spec":{"initContainers":[{"name":"i"}],"volumes":[{"name":"v","persistentVolumeClaim":{"claimName":"c"}}]}}`))
	f.Fuzz(func(t *testing.T, cpuMilli, memMiB, flags uint16, fill uint8, steadiness, duration string, extra []byte) {
		pod := fixtures.Pod("fuzz", "0", "0")
		if len(extra) > 0 {
			if err := json.Unmarshal(extra, pod); err != nil {
				return
			}
			pod.Name, pod.Namespace, pod.UID, pod.Spec.SchedulerName, pod.Spec.NodeName = "fuzz", "default", types.UID("fuzz"), "spillway", ""
			if pod.Annotations == nil {
				pod.Annotations = map[string]string{}
			}
			if len(pod.Spec.Containers) == 0 {
				pod.Spec.Containers = []v1.Container{{Name: "app"}}
			}
		}
		c := &pod.Spec.Containers[0]
		if c.Resources.Requests == nil {
			c.Resources.Requests = v1.ResourceList{}
		}
		c.Resources.Requests[v1.ResourceCPU] = *resource.NewMilliQuantity(int64(cpuMilli), resource.DecimalSI)
		c.Resources.Requests[v1.ResourceMemory] = *resource.NewQuantity(int64(memMiB)<<20, resource.BinarySI)
		pod.Annotations["spillway.dev/steadiness"] = steadiness
		pod.Annotations["spillway.dev/expected-duration"] = duration
		for bit, opt := range []fixtures.PodOption{fixtures.TolerateVirtualKubelet, fixtures.TolerateEverything, fixtures.HostPath,
			fixtures.OwnedBy("DaemonSet", "ds"), fixtures.OwnedBy("Deployment", "web"), fixtures.OwnedBy("Job", "etl"), fixtures.OwnedBy("StatefulSet", "db")} {
			if flags&(1<<bit) != 0 && (bit < 3 || len(pod.OwnerReferences) == 0) {
				opt(pod)
			}
		}
		nodes := fixtures.MinimalCluster()
		if flags&(1<<8) != 0 {
			nodes = append(nodes, fixtures.FargateNode("fargate"))
		}
		cl := newClusterFromConfig(t, mustRead(t, manifest), manifest, "spillway", nodes...)
		for i := 0; i < int(fill%16); i++ {
			cl.Bind(fixtures.Pod("fill-"+string(rune('a'+i)), "1", "1Gi"), []string{"worker-1", "worker-2", "worker-3"}[i%3])
		}
		res, _, err := cl.Sched.Schedule(cl.Ctx, pod)
		if err != nil {
			t.Fatalf("Schedule returned an error on a valid pod: %v", err)
		}
		for _, n := range nodes {
			if n.Name != res.Node {
				continue
			}
			if b := backends.Default().ForNode(n); b != nil {
				profile := backends.NewPodProfile(pod)
				if v := b.Admit(&profile); v != nil {
					t.Errorf("pod placed on %s although %v", n.Name, v)
				}
			}
		}
	})
}
