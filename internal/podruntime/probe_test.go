package podruntime

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
)

// TestInitialDelayIsScaled: the readiness delay covers Java periods, so it
// runs at the emulated processes' time scale.
func TestInitialDelayIsScaled(t *testing.T) {
	probe := func(s int32) *corev1.Container {
		return &corev1.Container{ReadinessProbe: &corev1.Probe{InitialDelaySeconds: s}}
	}
	tests := []struct {
		name   string
		timers *rmqtest.Timers
		ctr    *corev1.Container
		want   time.Duration
	}{
		{"scaled", &rmqtest.Timers{Scale: 0.1}, probe(50), 5 * time.Second},
		{"unscaled without timers", nil, probe(50), 50 * time.Second},
		{"no delay", &rmqtest.Timers{Scale: 0.1}, probe(0), 0},
		{"no probe", &rmqtest.Timers{Scale: 0.1}, &corev1.Container{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Runtime{Timers: tt.timers}
			if got := r.initialDelay(tt.ctr); got != tt.want {
				t.Errorf("initialDelay = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestSuccessHoldIsScaled: successThreshold checks in a row, periodSeconds
// apart, scaled like the Java periods.
func TestSuccessHoldIsScaled(t *testing.T) {
	probe := func(successes, period int32) *corev1.Container {
		return &corev1.Container{ReadinessProbe: &corev1.Probe{SuccessThreshold: successes, PeriodSeconds: period}}
	}
	tests := []struct {
		name string
		ctr  *corev1.Container
		want time.Duration
	}{
		{"four checks 10 s apart", probe(4, 10), 3 * time.Second},
		{"one check", probe(1, 10), 0},
		{"unset", probe(0, 10), 0},
		{"no probe", &corev1.Container{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Runtime{Timers: &rmqtest.Timers{Scale: 0.1}}
			if got := r.successHold(tt.ctr); got != tt.want {
				t.Errorf("successHold = %s, want %s", got, tt.want)
			}
		})
	}
}
