package testenv

import (
	"context"
	"fmt"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// NewPod returns a Pod of one container that the restricted Pod Security
// profile admits. envtest runs no scheduler or kubelet: the Pod is only
// stored, and SetPodReady stands in for the kubelet's status reports.
func NewPod(namespace, name string, labels map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, Labels: labels},
		Spec: corev1.PodSpec{
			SecurityContext: &corev1.PodSecurityContext{
				RunAsNonRoot:   ptr.To(true),
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
			},
			Containers: []corev1.Container{{
				Name:  "main",
				Image: "registry.invalid/none:0",
				SecurityContext: &corev1.SecurityContext{
					AllowPrivilegeEscalation: ptr.To(false),
					Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
				},
			}},
		},
	}
}

// SetPodReady writes the status a kubelet reports for a running Pod: phase
// Running, pod IP ip, every container started, and the Ready and
// ContainersReady conditions set to ready. pod must exist; it is updated in
// place. ip must be a loopback address: tests dial pod IPs, and this module's
// tests never dial anything but loopback.
func (e *Env) SetPodReady(ctx context.Context, pod *corev1.Pod, ip string, ready bool) error {
	addr, err := netip.ParseAddr(ip)
	if err != nil || !addr.IsLoopback() {
		return fmt.Errorf("pod %s/%s: pod IP %q is not a loopback address", pod.Namespace, pod.Name, ip)
	}
	now := metav1.Now()
	st := &pod.Status
	st.Phase = corev1.PodRunning
	st.PodIP, st.PodIPs = ip, []corev1.PodIP{{IP: ip}}
	st.HostIP, st.HostIPs = "127.0.0.1", []corev1.HostIP{{IP: "127.0.0.1"}}
	if st.StartTime == nil {
		st.StartTime = &now
	}
	st.ContainerStatuses = runningContainers(pod.Spec.Containers, ready, now)
	readyStatus := corev1.ConditionFalse
	if ready {
		readyStatus = corev1.ConditionTrue
	}
	setPodCondition(st, corev1.PodScheduled, corev1.ConditionTrue, now)
	setPodCondition(st, corev1.PodInitialized, corev1.ConditionTrue, now)
	setPodCondition(st, corev1.ContainersReady, readyStatus, now)
	setPodCondition(st, corev1.PodReady, readyStatus, now)
	if err := e.Client.Status().Update(ctx, pod); err != nil {
		return fmt.Errorf("updating the status of pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	return nil
}

func runningContainers(containers []corev1.Container, ready bool, now metav1.Time) []corev1.ContainerStatus {
	out := make([]corev1.ContainerStatus, 0, len(containers))
	for _, c := range containers {
		out = append(out, corev1.ContainerStatus{
			Name:    c.Name,
			Image:   c.Image,
			Ready:   ready,
			Started: ptr.To(true),
			State:   corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}},
		})
	}
	return out
}

// setPodCondition keeps LastTransitionTime when the status does not change,
// as a kubelet does, so controllers that look at transitions see real ones.
func setPodCondition(st *corev1.PodStatus, typ corev1.PodConditionType, status corev1.ConditionStatus, now metav1.Time) {
	for i := range st.Conditions {
		c := &st.Conditions[i]
		if c.Type != typ {
			continue
		}
		if c.Status != status {
			c.Status, c.LastTransitionTime = status, now
		}
		return
	}
	st.Conditions = append(st.Conditions, corev1.PodCondition{Type: typ, Status: status, LastTransitionTime: now})
}
