package transfer

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/topictransfer"
)

// persist writes the status when it changed. The patch carries the
// resourceVersion it was computed from: if anyone else wrote the object in
// between (a second controller during a leader hand-over), it fails rather
// than overwrite their progress, and the next reconcile starts from the API
// server's copy.
func (r *Reconciler) persist(ctx context.Context, before, tt *v1alpha1.TopicTransfer) error {
	tt.Status.ObservedGeneration = tt.Generation
	if equality.Semantic.DeepEqual(before.Status, tt.Status) {
		return nil
	}
	patch := client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})
	if err := r.client.Status().Patch(ctx, tt, patch, client.FieldOwner(FieldOwner)); err != nil {
		return fmt.Errorf("while writing the status of TopicTransfer %s/%s: %w", tt.Namespace, tt.Name, err)
	}
	return nil
}

// refuseInvalid fails a transfer whose spec the CRD schema let through but
// Validate refuses (system topics, duplicate groups, objects created with
// validation off).
func (r *Reconciler) refuseInvalid(ctx context.Context, tt *v1alpha1.TopicTransfer, msg string) error {
	before := tt.DeepCopy()
	st := &tt.Status
	now := metav1.Now()
	st.Phase, st.Message, st.CompletedAt = v1alpha1.TransferFailed, "invalid spec: "+msg, &now
	st.CompletedSpecHash = topictransfer.SpecHash(&tt.Spec)
	setCondition(tt, v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonInvalidSpec, st.Message)
	setCondition(tt, v1alpha1.ConditionReconciling, metav1.ConditionFalse, v1alpha1.ReasonInvalidSpec, st.Message)
	setCondition(tt, v1alpha1.ConditionStalled, metav1.ConditionTrue, v1alpha1.ReasonInvalidSpec, st.Message)
	if err := r.persist(ctx, before, tt); err != nil {
		return err
	}
	r.events.Eventf(tt, nil, corev1.EventTypeWarning, v1alpha1.ReasonInvalidSpec, "Validate", "%s", st.Message)
	return nil
}

// checkFinished keeps a finished transfer finished. Re-applying the same
// spec changes nothing; a different spec is refused with the
// SpecChangeRefused condition (and one Event), and the refusal is lifted if
// the spec goes back to what the transfer finished with.
func (r *Reconciler) checkFinished(ctx context.Context, tt *v1alpha1.TopicTransfer) error {
	before := tt.DeepCopy()
	changed := topictransfer.SpecHash(&tt.Spec) != tt.Status.CompletedSpecHash
	wasRefused := meta.IsStatusConditionTrue(tt.Status.Conditions, v1alpha1.ConditionSpecChangeRefused)
	switch {
	case changed:
		setCondition(tt, v1alpha1.ConditionSpecChangeRefused, metav1.ConditionTrue, v1alpha1.ReasonSpecChanged,
			fmt.Sprintf("the transfer is %s; changes to its spec are not applied (create a new TopicTransfer instead)", tt.Status.Phase))
	case wasRefused && refusalReason(tt) == v1alpha1.ReasonSpecChanged:
		setCondition(tt, v1alpha1.ConditionSpecChangeRefused, metav1.ConditionFalse, v1alpha1.ReasonSpecUnchanged,
			"the spec is the one the transfer finished with")
	}
	if err := r.persist(ctx, before, tt); err != nil {
		return err
	}
	if changed && !wasRefused {
		r.events.Eventf(tt, nil, corev1.EventTypeWarning, v1alpha1.ReasonSpecChanged, "Refuse",
			"spec changed after the transfer finished (%s); the change is not applied", tt.Status.Phase)
	}
	return nil
}

func setCondition(tt *v1alpha1.TopicTransfer, typ string, status metav1.ConditionStatus, reason, msg string) {
	meta.SetStatusCondition(&tt.Status.Conditions, metav1.Condition{
		Type: typ, Status: status, Reason: reason, Message: msg, ObservedGeneration: tt.Generation,
	})
}

func refusalReason(tt *v1alpha1.TopicTransfer) string {
	if c := meta.FindStatusCondition(tt.Status.Conditions, v1alpha1.ConditionSpecChangeRefused); c != nil {
		return c.Reason
	}
	return ""
}

// Finalizer holds an unfinished TopicTransfer: deleting it (by hand, or a
// GitOps prune) must not leave the source read-only with nobody to undo it.
const Finalizer = v1alpha1.Group + "/topictransfer"

// holdFinalizer adds the finalizer before the transfer acts.
func (r *Reconciler) holdFinalizer(ctx context.Context, tt *v1alpha1.TopicTransfer) error {
	if controllerutil.ContainsFinalizer(tt, Finalizer) || !tt.DeletionTimestamp.IsZero() {
		return nil
	}
	before := tt.DeepCopy()
	controllerutil.AddFinalizer(tt, Finalizer)
	return r.patchMeta(ctx, before, tt)
}

// releaseFinalizer removes the finalizer from a finished transfer.
func (r *Reconciler) releaseFinalizer(ctx context.Context, tt *v1alpha1.TopicTransfer) error {
	if !controllerutil.ContainsFinalizer(tt, Finalizer) {
		return nil
	}
	before := tt.DeepCopy()
	controllerutil.RemoveFinalizer(tt, Finalizer)
	return r.patchMeta(ctx, before, tt)
}

func (r *Reconciler) patchMeta(ctx context.Context, before, tt *v1alpha1.TopicTransfer) error {
	patch := client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})
	if err := r.client.Patch(ctx, tt, patch, client.FieldOwner(FieldOwner)); err != nil {
		return fmt.Errorf("while updating the finalizers of TopicTransfer %s/%s: %w", tt.Namespace, tt.Name, err)
	}
	return nil
}
