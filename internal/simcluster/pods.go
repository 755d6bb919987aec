package simcluster

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ErrPodNotRunning is returned by SetPodReady for a pod kwok has not started
// yet (or that is being deleted); retry once it is Running.
var ErrPodNotRunning = errors.New("pod is not running")

// SetPodReady reports readiness as a kubelet would after a readiness probe:
// conditions Ready and ContainersReady and every containerStatuses[].ready.
// It re-reads the pod (kwok writes its status too, so a stale copy would
// conflict) and stores the result into pod; only pod's namespace and name
// are used as input.
func (c *Cluster) SetPodReady(ctx context.Context, pod *corev1.Pod, ready bool) error {
	key := client.ObjectKeyFromObject(pod)
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := c.Client.Get(ctx, key, pod); err != nil {
			return err
		}
		if pod.Status.Phase != corev1.PodRunning || pod.DeletionTimestamp != nil {
			return fmt.Errorf("%w: phase %q, deleting %v", ErrPodNotRunning, pod.Status.Phase, pod.DeletionTimestamp != nil)
		}
		setReady(&pod.Status, pod.Spec.Containers, ready)
		return c.Client.Status().Update(ctx, pod)
	})
	if err != nil {
		return fmt.Errorf("setting pod %s ready=%v: %w", key, ready, err)
	}
	return nil
}

func setReady(st *corev1.PodStatus, containers []corev1.Container, ready bool) {
	now := metav1.Now()
	if len(st.ContainerStatuses) == 0 {
		for _, ctr := range containers {
			st.ContainerStatuses = append(st.ContainerStatuses, corev1.ContainerStatus{
				Name: ctr.Name, Image: ctr.Image, Started: ptr.To(true),
				State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}},
			})
		}
	}
	for i := range st.ContainerStatuses {
		st.ContainerStatuses[i].Ready = ready
	}
	status, reason := corev1.ConditionTrue, ""
	if !ready {
		status, reason = corev1.ConditionFalse, "ContainersNotReady"
	}
	setCondition(st, corev1.ContainersReady, status, reason, now)
	setCondition(st, corev1.PodReady, status, reason, now)
}

// setCondition keeps LastTransitionTime when the status does not change, as
// a kubelet does; the disruption controller and minReadySeconds read it.
func setCondition(st *corev1.PodStatus, typ corev1.PodConditionType, status corev1.ConditionStatus, reason string, now metav1.Time) {
	for i := range st.Conditions {
		cond := &st.Conditions[i]
		if cond.Type != typ {
			continue
		}
		if cond.Status != status {
			cond.Status, cond.LastTransitionTime = status, now
		}
		cond.Reason = reason
		return
	}
	st.Conditions = append(st.Conditions, corev1.PodCondition{Type: typ, Status: status, Reason: reason, LastTransitionTime: now})
}

// Evict asks for the eviction of a pod through the policy/v1 eviction
// subresource, so PodDisruptionBudgets apply: a refused eviction is an
// error for which apierrors.IsTooManyRequests is true.
func (c *Cluster) Evict(ctx context.Context, namespace, name string) error {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}}
	ev := &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}}
	if err := c.Client.SubResource("eviction").Create(ctx, pod, ev); err != nil {
		return fmt.Errorf("evicting pod %s/%s: %w", namespace, name, err)
	}
	return nil
}
