package backends

import (
	"fmt"
	"math/rand/v2"
	"testing"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	resourcehelper "k8s.io/component-helpers/resource"
)

// randomRequests returns requests with a random CPU and memory, each
// sometimes missing, in units from nano-CPUs and fractions of a byte to
// exa-bytes (rounding and overflow of the sum).
func randomRequests(rng *rand.Rand) v1.ResourceList {
	cpus := []string{"100m", "0.5", "2", "1500u", "3n", "0.0001", "250m", "7"}
	mems := []string{"512Mi", "1Gi", "0.5", "100k", "3e3", "1.5Gi", "8Ei", "123"}
	rl := v1.ResourceList{}
	if rng.IntN(4) > 0 {
		rl[v1.ResourceCPU] = resource.MustParse(cpus[rng.IntN(len(cpus))])
	}
	if rng.IntN(4) > 0 {
		rl[v1.ResourceMemory] = resource.MustParse(mems[rng.IntN(len(mems))])
	}
	return rl
}

// podRequests gives what resource.PodRequests gives, on random pods: plain
// containers (its own sum) and pods with init containers, sidecars,
// overhead or pod-level requests (PodRequests itself).
func TestPodRequestsMatchesComponentHelpers(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	always := v1.ContainerRestartPolicyAlways
	for i := range 5000 {
		pod := &v1.Pod{}
		for j := range rng.IntN(4) {
			pod.Spec.Containers = append(pod.Spec.Containers, v1.Container{Name: fmt.Sprint("c", j), Resources: v1.ResourceRequirements{Requests: randomRequests(rng)}})
		}
		switch rng.IntN(8) {
		case 0:
			pod.Spec.InitContainers = []v1.Container{{Name: "init", Resources: v1.ResourceRequirements{Requests: randomRequests(rng)}}}
		case 1:
			pod.Spec.InitContainers = []v1.Container{{Name: "sidecar", RestartPolicy: &always, Resources: v1.ResourceRequirements{Requests: randomRequests(rng)}}}
		case 2:
			pod.Spec.Overhead = randomRequests(rng)
		case 3:
			pod.Spec.Resources = &v1.ResourceRequirements{Requests: randomRequests(rng)}
		}
		reqs := resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{})
		cpu, mem := podRequests(pod)
		if want := [2]int64{reqs.Cpu().MilliValue(), reqs.Memory().Value()}; [2]int64{cpu, mem} != want {
			t.Fatalf("pod %d %+v: podRequests = %d m, %d B; PodRequests = %d m, %d B", i, pod.Spec, cpu, mem, want[0], want[1])
		}
	}
}

func BenchmarkNewPodProfile(b *testing.B) {
	pod := &v1.Pod{Spec: v1.PodSpec{Containers: []v1.Container{
		{Name: "app", Resources: v1.ResourceRequirements{Requests: v1.ResourceList{
			v1.ResourceCPU: resource.MustParse("250m"), v1.ResourceMemory: resource.MustParse("512Mi")}}},
		{Name: "proxy", Resources: v1.ResourceRequirements{Requests: v1.ResourceList{
			v1.ResourceCPU: resource.MustParse("50m"), v1.ResourceMemory: resource.MustParse("64Mi")}}},
	}}}
	b.ReportAllocs()
	for b.Loop() {
		NewPodProfile(pod)
	}
}
