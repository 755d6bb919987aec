package topictransfer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// setProgressing marks a transfer that works (or rolls back): Ready False,
// Reconciling True, Stalled False.
func setProgressing(st *v1alpha1.TopicTransferStatus, gen int64, reason, msg string) {
	readyReason := v1alpha1.ReasonProgressing
	if st.Phase == v1alpha1.TransferRollingBack {
		readyReason = v1alpha1.ReasonRollingBack
	}
	set(st, gen, v1alpha1.ConditionReady, metav1.ConditionFalse, readyReason, msg)
	set(st, gen, v1alpha1.ConditionReconciling, metav1.ConditionTrue, reason, msg)
	set(st, gen, v1alpha1.ConditionStalled, metav1.ConditionFalse, reason, msg)
}

// setFinal marks a finished transfer: Ready True only on success, Stalled
// True otherwise, Reconciling False.
func setFinal(st *v1alpha1.TopicTransferStatus, gen int64, reason, msg string) {
	ok := st.Phase == v1alpha1.TransferSucceeded
	set(st, gen, v1alpha1.ConditionReady, boolStatus(ok), reason, msg)
	set(st, gen, v1alpha1.ConditionReconciling, metav1.ConditionFalse, reason, msg)
	set(st, gen, v1alpha1.ConditionStalled, boolStatus(!ok), reason, msg)
}

func set(st *v1alpha1.TopicTransferStatus, gen int64, typ string, status metav1.ConditionStatus, reason, msg string) {
	meta.SetStatusCondition(&st.Conditions, metav1.Condition{
		Type: typ, Status: status, Reason: reason, Message: msg, ObservedGeneration: gen,
	})
}

func boolStatus(b bool) metav1.ConditionStatus {
	if b {
		return metav1.ConditionTrue
	}
	return metav1.ConditionFalse
}

// SpecHash identifies a spec by content, so that re-applying the same
// object from Git is recognised whatever its generation. retryBudget is
// left out: it only tunes retries, and transfers finished before the field
// existed read back with its default.
func SpecHash(spec *v1alpha1.TopicTransferSpec) string {
	s := *spec
	s.RetryBudget = nil
	b, err := json.Marshal(&s)
	if err != nil {
		// A spec of plain fields always marshals; an empty hash never
		// matches, which refuses rather than accepts.
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
