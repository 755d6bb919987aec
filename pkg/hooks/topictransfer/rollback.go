package topictransfer

import (
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// beginRollback records why and from which step the transfer rolls back;
// the undoing starts on the next Advance, after this is persisted.
func (r *run) beginRollback(reason v1alpha1.RollbackReason, msg string) {
	st := r.st
	st.Rollback = &v1alpha1.RollbackStatus{Reason: reason, Message: msg, FromStep: st.Step, StartedAt: r.now()}
	st.Phase = v1alpha1.TransferRollingBack
	clearAttempts(st)
	st.Message = "rolling back: " + msg
	setProgressing(st, r.in.Generation, v1alpha1.ReasonRollingBack, st.Message)
	r.event(true, "RollingBack", "rolling back from step %d/7 %s (%s): %s", st.Step, st.StepName, reason, msg)
}

// rollback undoes one thing per call: first the source topic's config,
// then, newest first, each resource this transfer created on the target.
// It never gives up: a failed undo is retried with backoff, since stopping
// halfway would leave the source read-only.
func (r *run) rollback() time.Duration {
	st := r.st
	rb := st.Rollback
	if !rb.SourceRestored {
		if rb.FromStep >= v1alpha1.StepNumberSourceReadOnly && st.Snapshot != nil {
			if err := r.restoreSource(); err != nil {
				return r.fail(err)
			}
			r.event(false, "SourceRestored", "topic %q on the source has its snapshot config again", r.in.Spec.Topic)
		}
		rb.SourceRestored = true
		clearAttempts(st)
		return 0
	}
	if targetMayHoldData(rb) && r.retainTarget() {
		return 0
	}
	if i := nextToUndo(st.Target); i >= 0 {
		if err := r.undoTarget(st.Target[i]); err != nil {
			return r.fail(err)
		}
		st.Target[i].State = v1alpha1.TargetDeleted
		clearAttempts(st)
		r.event(false, "DeletedFromTarget", "deleted %s %q from target %v", st.Target[i].Kind, st.Target[i].Name, r.tgt)
		return 0
	}
	msg := fmt.Sprintf("rolled back (%s): %s", rb.Reason, rb.Message)
	if kept := retained(st.Target); len(kept) > 0 {
		msg += "; kept on the target, since producers may have written to it: " + strings.Join(kept, ", ")
	}
	r.finish(v1alpha1.TransferRolledBack, string(rb.Reason), msg)
	r.event(true, v1alpha1.ReasonRolledBack, "%s", msg)
	return 0
}

// retainTarget marks everything this transfer created on the target
// Retained instead of deleting it: from step 4 on producers were sent to
// the target, so its topic and retry topics may hold messages, and its
// groups may hold their offsets on them. It reports whether it changed
// anything.
func (r *run) retainTarget() bool {
	st := r.st
	var kept []string
	for i := range st.Target {
		t := &st.Target[i]
		if t.State == v1alpha1.TargetCreating || t.State == v1alpha1.TargetCreated {
			t.State = v1alpha1.TargetRetained
			kept = append(kept, fmt.Sprintf("%s %q", t.Kind, t.Name))
		}
	}
	if len(kept) == 0 {
		return false
	}
	msg := fmt.Sprintf("the rollback began after step %d/7 %s made producers use the target; kept there: %s",
		st.Rollback.FromStep, v1alpha1.StepName(st.Rollback.FromStep), strings.Join(kept, ", "))
	set(st, r.in.Generation, v1alpha1.ConditionTargetRetained, metav1.ConditionTrue, v1alpha1.ReasonTargetRetained, msg)
	r.event(true, v1alpha1.ConditionTargetRetained, "%s", msg)
	return true
}

// retained lists the target resources a rollback kept.
func retained(target []v1alpha1.TargetResource) []string {
	var out []string
	for _, t := range target {
		if t.State == v1alpha1.TargetRetained {
			out = append(out, fmt.Sprintf("%s %q", t.Kind, t.Name))
		}
	}
	return out
}

// undoTarget deletes one resource from every target master, and a topic's
// route from every target NameServer for the target cluster.
func (r *run) undoTarget(t v1alpha1.TargetResource) error {
	tgtMasters, err := masters(r.ctx, r.tgt)
	if err != nil {
		return fmt.Errorf("rolling back the target: %w", err)
	}
	if t.Kind == v1alpha1.TargetGroup {
		return r.deleteGroupEverywhere(r.tgt, tgtMasters, t.Name)
	}
	for _, bn := range sortedNames(tgtMasters) {
		if err := r.tgt.Admin.DeleteTopicInBroker(r.ctx, tgtMasters[bn], t.Name); err != nil {
			return fmt.Errorf("rolling back %s %q on the target: %w", t.Kind, t.Name, err)
		}
	}
	return r.deleteRoutes(r.tgt, t.Name)
}

// noteLateAbort refuses spec.abort past the point of no return with a
// condition (and one Event when the condition first appears).
func (r *run) noteLateAbort() {
	st := r.st
	if !r.in.Spec.Abort || canRollBack(st) || st.Phase != v1alpha1.TransferRunning {
		return
	}
	msg := "spec.abort is ignored: the transfer has begun deleting from the source and only rolls forward"
	if !meta.IsStatusConditionTrue(st.Conditions, v1alpha1.ConditionSpecChangeRefused) {
		r.event(true, v1alpha1.ReasonAbortTooLate, "%s", msg)
	}
	set(st, r.in.Generation, v1alpha1.ConditionSpecChangeRefused, metav1.ConditionTrue, v1alpha1.ReasonAbortTooLate, msg)
}
