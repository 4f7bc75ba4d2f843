package podhints

import (
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestExpectedDuration(t *testing.T) {
	tests := []struct {
		name       string
		annotation *string
		deadline   *int64
		want       time.Duration
		wantSource string
		wantOK     bool
		wantErr    bool
	}{
		{"none", nil, nil, 0, "", false, false},
		{"annotation", ptr.To("10m"), nil, 10 * time.Minute, "annotation", true, false},
		{"annotation beats deadline", ptr.To("90s"), ptr.To[int64](3600), 90 * time.Second, "annotation", true, false},
		{"deadline", nil, ptr.To[int64](600), 10 * time.Minute, "activeDeadlineSeconds", true, false},
		{"bad annotation falls back to deadline", ptr.To("ten minutes"), ptr.To[int64](600), 10 * time.Minute, "activeDeadlineSeconds", true, true},
		{"negative annotation", ptr.To("-5m"), nil, 0, "", false, true},
		{"zero annotation", ptr.To("0s"), nil, 0, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := &v1.Pod{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{}}}
			if tt.annotation != nil {
				pod.Annotations[ExpectedDurationAnnotation] = *tt.annotation
			}
			pod.Spec.ActiveDeadlineSeconds = tt.deadline
			got, src, ok, err := ExpectedDuration(pod)
			if got != tt.want || src != tt.wantSource || ok != tt.wantOK || (err != nil) != tt.wantErr {
				t.Errorf("ExpectedDuration() = %v, %q, %v, %v; want %v, %q, %v, err=%v", got, src, ok, err, tt.want, tt.wantSource, tt.wantOK, tt.wantErr)
			}
		})
	}
}

func TestSteadinessOverride(t *testing.T) {
	for value, want := range map[string]string{"steady": Steady, "burst": Burst, "": "", "Steady": ""} {
		pod := &v1.Pod{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{SteadinessAnnotation: value}}}
		got, err := SteadinessOverride(pod)
		if got != want || (err != nil) != (want == "") {
			t.Errorf("SteadinessOverride(%q) = %q, %v; want %q", value, got, err, want)
		}
	}
	if got, err := SteadinessOverride(&v1.Pod{}); got != "" || err != nil {
		t.Errorf("no annotation: got %q, %v", got, err)
	}
}
