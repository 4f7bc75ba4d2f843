package steadiness

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	"github.com/spillway-dev/spillway/plugins/apis/config"
	"github.com/spillway-dev/spillway/plugins/internal/workload"
)

// mapSource is a HistorySource with fixed points per owner.
type mapSource map[workload.Key][]workload.Point

func (m mapSource) History(k workload.Key, start, end time.Time) ([]workload.Point, bool) {
	pts, ok := m[k]
	return pts, ok
}

// replica is a pod of Deployment name in namespace default, as its
// ReplicaSet creates it.
func replica(deployment, suffix string) *v1.Pod {
	const hash = "5d4f8c9b7"
	return &v1.Pod{ObjectMeta: metav1.ObjectMeta{
		Namespace: "default", Name: deployment + "-" + hash + "-" + suffix, UID: types.UID(deployment + "-" + suffix),
		Labels:          map[string]string{"pod-template-hash": hash},
		OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: deployment + "-" + hash, Controller: ptr.To(true)}},
	}}
}

func defaultArgs() *config.SteadinessArgs {
	return &config.SteadinessArgs{Window: metav1.Duration{Duration: time.Hour}, BasePercentile: 50,
		MinHistory: metav1.Duration{Duration: 5 * time.Minute}, VMHeadroomPercent: 80, LongRunningJob: metav1.Duration{Duration: time.Hour}}
}

func TestBaseFromHistorySourceAndFallback(t *testing.T) {
	now := time.Date(2026, 3, 1, 15, 0, 0, 0, time.UTC)
	web := workload.Key{Namespace: "default", Kind: workload.KindDeployment, Name: "web"}
	// web ran 6 replicas for 40 of the last 60 minutes, 2 before.
	src := mapSource{web: {{At: now.Add(-2 * time.Hour), Count: 2}, {At: now.Add(-40 * time.Minute), Count: 6}}}
	type want struct {
		class    Class
		reason   string
		base     int
		baseFrom string
	}
	tests := []struct {
		name      string
		source    HistorySource
		owner     string
		inCluster int           // replicas placed in the cluster, observed since...
		observed  time.Duration // ...this long before now
		want      want
	}{
		{"restart: the source's history decides", src, "web", 2, 0, want{Steady, "history", 6, fromSource}},
		{"the source's base beats the thin in-cluster window", src, "web", 2, 30 * time.Minute, want{Steady, "history", 6, fromSource}},
		{"above the source's base is burst", src, "web", 6, 30 * time.Minute, want{Burst, "history", 6, fromSource}},
		{"owner the source lacks: in-cluster window", src, "api", 2, 30 * time.Minute, want{Burst, "history", 2, fromCluster}},
		{"owner the source lacks, thin window: priors", src, "api", 2, time.Minute, want{Neutral, "noHistory", 2, fromCluster}},
		{"no source: in-cluster window", nil, "web", 2, 30 * time.Minute, want{Burst, "history", 2, fromCluster}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clocktesting.NewFakeClock(now.Add(-tt.observed))
			pl, err := NewWithClock(context.Background(), defaultArgs(), nil, clk)
			if err != nil {
				t.Fatal(err)
			}
			if tt.source != nil {
				pl.UseHistory(tt.source)
			}
			for i := 0; i < tt.inCluster; i++ {
				p := replica(tt.owner, string(rune('a'+i)))
				p.Spec.NodeName = "worker-1"
				pl.ObservePod(p)
			}
			clk.SetTime(now)
			pod := replica(tt.owner, "new")
			s := pl.classify(context.Background(), pod)
			got := want{s.class, s.reason, s.base, s.baseFrom}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("classification of %s's next replica (-want +got):\n%s", tt.owner, diff)
			}
		})
	}
}

func TestBarePodsNeverAskTheSource(t *testing.T) {
	asked := 0
	pl, err := NewWithClock(context.Background(), defaultArgs(), nil, clocktesting.NewFakeClock(time.Unix(0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	pl.UseHistory(countingSource{&asked})
	pl.classify(context.Background(), &v1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "debug"}})
	if asked != 0 {
		t.Errorf("source asked %d times for a bare pod, want 0", asked)
	}
}

type countingSource struct{ n *int }

func (c countingSource) History(workload.Key, time.Time, time.Time) ([]workload.Point, bool) {
	*c.n++
	return nil, false
}

// BenchmarkBaseFromAWeekOfHistory: the cost PreScore pays per pod for an
// owner with a week of Prometheus history at a 1-minute step.
func BenchmarkBaseFromAWeekOfHistory(b *testing.B) {
	now := time.Date(2026, 3, 1, 15, 0, 0, 0, time.UTC)
	web := workload.Key{Namespace: "default", Kind: workload.KindDeployment, Name: "web"}
	var pts []workload.Point
	for at := now.Add(-7 * 24 * time.Hour); !at.After(now); at = at.Add(time.Minute) {
		pts = append(pts, workload.Point{At: at, Count: 2 + 4*int(at.Hour()/13)})
	}
	args := defaultArgs()
	args.Window.Duration = 7 * 24 * time.Hour
	pl, err := NewWithClock(context.Background(), args, nil, clocktesting.NewFakeClock(now))
	if err != nil {
		b.Fatal(err)
	}
	pl.UseHistory(mapSource{web: pts})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, from := pl.BaseOf(web); from != fromSource {
			b.Fatal(from)
		}
	}
}
