package transfer

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/topictransfer"
)

// abandonReason says why an unfinished transfer must stop where it is, or
// returns "": the force-release annotation, or a RocketMQCluster it refers
// to that is gone or being deleted after the transfer started changing
// things (before that, a missing cluster is waited for: GitOps may apply
// the transfer first). Without this, deleting a namespace would hang on the
// finalizer of a transfer that can no longer reach its clusters.
func (r *Reconciler) abandonReason(ctx context.Context, tt *v1alpha1.TopicTransfer) (reason, msg string, err error) {
	if tt.Annotations[v1alpha1.AnnotationForceRelease] == "true" {
		return v1alpha1.ReasonForceReleased, fmt.Sprintf("annotation %s is \"true\"", v1alpha1.AnnotationForceRelease), nil
	}
	if tt.Status.Phase != v1alpha1.TransferRunning && tt.Status.Phase != v1alpha1.TransferRollingBack {
		return "", "", nil
	}
	for _, side := range []struct {
		name string
		e    *v1alpha1.TransferEndpoint
	}{{"source", &tt.Spec.Source}, {"target", &tt.Spec.Target}} {
		if side.e.ClusterRef == nil {
			continue
		}
		var c v1alpha1.RocketMQCluster
		err := r.client.Get(ctx, client.ObjectKey{Namespace: tt.Namespace, Name: side.e.ClusterRef.Name}, &c)
		switch {
		case apierrors.IsNotFound(err):
			return v1alpha1.ReasonClusterDeleted, fmt.Sprintf("the %s RocketMQCluster %q was deleted", side.name, side.e.ClusterRef.Name), nil
		case err != nil:
			return "", "", fmt.Errorf("while reading RocketMQCluster %q: %w", side.e.ClusterRef.Name, err)
		case !c.DeletionTimestamp.IsZero():
			return v1alpha1.ReasonClusterDeleted, fmt.Sprintf("the %s RocketMQCluster %q is being deleted", side.name, side.e.ClusterRef.Name), nil
		}
	}
	return "", "", nil
}

// abandon ends the transfer as Abandoned where it stands, with a Warning
// Event saying what may be left half-done, and releases the finalizer.
func (r *Reconciler) abandon(ctx context.Context, tt *v1alpha1.TopicTransfer, reason, why string) error {
	before := tt.DeepCopy()
	st := &tt.Status
	msg := fmt.Sprintf("abandoned in phase %s at step %d/7 %s: %s; nothing more is done: %s",
		orNew(st.Phase), st.Step, st.StepName, why, leftBehind(st))
	now := metav1.NewTime(r.opts.Now())
	st.Phase, st.Message, st.CompletedAt, st.NextAttemptAt = v1alpha1.TransferAbandoned, msg, &now, nil
	st.CompletedSpecHash = topictransfer.SpecHash(&tt.Spec)
	setCondition(tt, v1alpha1.ConditionReady, metav1.ConditionFalse, reason, msg)
	setCondition(tt, v1alpha1.ConditionReconciling, metav1.ConditionFalse, v1alpha1.ReasonAbandoned, msg)
	setCondition(tt, v1alpha1.ConditionStalled, metav1.ConditionTrue, reason, msg)
	if err := r.persist(ctx, before, tt); err != nil {
		return err
	}
	r.events.Eventf(tt, nil, corev1.EventTypeWarning, v1alpha1.ReasonAbandoned, "Abandon", "%s", msg)
	return r.releaseFinalizer(ctx, tt)
}

func orNew(p v1alpha1.TransferPhase) v1alpha1.TransferPhase {
	if p == "" {
		return "New"
	}
	return p
}

// leftBehind says what an abandoned transfer may have left half-done.
func leftBehind(st *v1alpha1.TopicTransferStatus) string {
	switch {
	case st.Step == 0 || st.Step < v1alpha1.StepNumberCreateOnTarget:
		return "nothing had changed yet"
	case st.Step == v1alpha1.StepNumberCreateOnTarget && st.Phase != v1alpha1.TransferRollingBack:
		return "status.target lists what was created on the target"
	case st.Phase == v1alpha1.TransferRollingBack && st.Rollback != nil && st.Rollback.SourceRestored:
		return "the source topic was restored; status.target lists what is still on the target"
	case st.Step >= v1alpha1.StepNumberDeleteFromSource:
		return "the source topic and groups may be partly deleted; the target has them"
	}
	return "the source topic may still be read-only (status.snapshot has its config); status.target lists what is on the target"
}
