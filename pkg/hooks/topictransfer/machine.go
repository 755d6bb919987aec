// Package topictransfer moves a topic and its consumer groups from one
// RocketMQ cluster to another as a step machine whose whole state lives in
// the TopicTransfer's status:
//
//  1. Check: both clusters answer, the topic and groups exist on the source,
//     no other transfer holds the topic.
//  2. Snapshot: the source topic's config on every broker, and each group's.
//  3. CreateOnTarget: groups, their %RETRY% topics, then the topic.
//  4. SourceReadOnly: the source topic's perm becomes read-only.
//  5. Drain: wait until every group consumed every source queue.
//  6. DeleteFromSource: topic from brokers and NameServers, then groups.
//  7. Done.
//
// Advance performs one transition and changes the status to say so; the
// caller persists the status before calling Advance again. Each step is
// entered (and so its intent recorded) in one transition and acts in a
// later one, so whatever a restart interrupts is resumed, and every action
// is idempotent so resuming it is safe. Before step 6 a failure, a drain
// timeout or spec.abort rolls back; from step 6 on it only rolls forward.
package topictransfer

import (
	"context"
	"errors"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// Machine runs transfers. It holds no per-transfer state, so one Machine
// serves every TopicTransfer concurrently.
type Machine struct {
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// PollInterval between drain checks (default 5s).
	PollInterval time.Duration
	// RetryInterval is the first wait after a failed attempt; it doubles
	// up to 32 times as much (default 2s).
	RetryInterval time.Duration
	// MaxAttempts, when positive, also gives up on a failing step after
	// that many attempts, even within spec.retryBudget (tests use it to
	// count faults exactly). 0: only the budget counts.
	MaxAttempts int32
	// ReviveSlack is added to spec.popInvisibleTime for the drain's POP
	// settle period: the broker revives unacked messages only after the
	// revive service's next scan (reviveScanTime 10s, ackTimeInterval 1s;
	// default 15s).
	ReviveSlack time.Duration
}

// Input is what Advance needs besides the status.
type Input struct {
	// Spec of the transfer.
	Spec v1alpha1.TopicTransferSpec
	// Generation of the spec, written into the conditions.
	Generation int64
	// Resolve returns both endpoints with their admin clients. It is called
	// on every Advance, since NameServer addresses may change while a
	// transfer runs.
	Resolve func(ctx context.Context) (source, target Endpoint, err error)
	// Conflict names another unfinished transfer of the same topic on an
	// overlapping cluster that takes precedence, or is "".
	Conflict string
}

// Event is something a user should see as a Kubernetes Event.
type Event struct {
	Warning bool
	Reason  string
	Message string
}

// Outcome of one Advance.
type Outcome struct {
	// Wait before the next Advance; 0 means advance again at once (once the
	// status is persisted). Ignored when the phase is final.
	Wait time.Duration
	// Events to record, in order.
	Events []Event
}

// run is one Advance call.
type run struct {
	m        *Machine
	ctx      context.Context
	in       Input
	st       *v1alpha1.TopicTransferStatus
	src, tgt Endpoint
	events   []Event
}

// result of one step action.
type result struct {
	done    bool          // the step is complete: enter the next one
	wait    time.Duration // not done; check again after this long
	handled bool          // the action changed the phase itself
}

// refusal is a permanent reason not to start; it fails the transfer
// without retries.
type refusal struct {
	reason, msg string
}

func (r *refusal) Error() string { return r.msg }

func refuse(reason, format string, args ...any) error {
	return &refusal{reason: reason, msg: fmt.Sprintf(format, args...)}
}

// Advance performs the next transition of the transfer and records it in
// st. The caller must persist st before calling Advance again.
func (m *Machine) Advance(ctx context.Context, in Input, st *v1alpha1.TopicTransferStatus) Outcome {
	r := &run{m: m, ctx: ctx, in: in, st: st}
	wait := r.advance()
	return Outcome{Wait: wait, Events: r.events}
}

func (r *run) advance() time.Duration {
	st := r.st
	switch {
	case st.Phase.Final():
		return 0
	case st.Phase == "":
		r.start()
		return 0
	case abortRequested(&r.in.Spec, st):
		r.beginRollback(v1alpha1.RollbackAborted, "spec.abort is true")
		return 0
	}
	r.noteLateAbort()
	if st.Phase == v1alpha1.TransferRollingBack && !rollbackNeedsClusters(st) {
		return r.rollback()
	}
	src, tgt, err := r.in.Resolve(r.ctx)
	if err != nil {
		return r.unresolved(err)
	}
	r.src, r.tgt = src, tgt
	if st.Phase == v1alpha1.TransferRollingBack {
		return r.rollback()
	}
	res, err := r.act()
	if err != nil {
		return r.fail(err)
	}
	switch {
	case res.handled:
		return 0
	case res.done:
		r.enterStep(st.Step + 1)
		return 0
	}
	if st.Attempts > 0 {
		setProgressing(st, r.in.Generation, v1alpha1.ReasonProgressing, st.Message)
	}
	clearAttempts(st)
	return res.wait
}

// act runs the action of the current step.
func (r *run) act() (result, error) {
	switch r.st.Step {
	case v1alpha1.StepNumberCheck:
		return r.check()
	case v1alpha1.StepNumberSnapshot:
		return r.snapshot()
	case v1alpha1.StepNumberCreateOnTarget:
		return r.createOnTarget()
	case v1alpha1.StepNumberSourceReadOnly:
		return r.makeSourceReadOnly()
	case v1alpha1.StepNumberDrain:
		return r.drain()
	case v1alpha1.StepNumberDeleteFromSource:
		return r.deleteFromSource()
	}
	return result{}, refuse(v1alpha1.ReasonInvalidSpec, "status.step %d is not a step", r.st.Step)
}

func (r *run) now() metav1.Time {
	if r.m.Now != nil {
		return metav1.NewTime(r.m.Now())
	}
	return metav1.Now()
}

func (r *run) event(warning bool, reason, format string, args ...any) {
	r.events = append(r.events, Event{Warning: warning, Reason: reason, Message: fmt.Sprintf(format, args...)})
}

// start accepts the transfer and records the intent of step 1.
func (r *run) start() {
	now := r.now()
	r.st.StartedAt = &now
	r.st.Phase = v1alpha1.TransferPending
	r.enterStep(v1alpha1.StepNumberCheck)
}

// enterStep records that step n begins; its action runs on the next Advance.
func (r *run) enterStep(n int32) {
	st := r.st
	now := r.now()
	st.Step, st.StepName, st.StepStartedAt = n, v1alpha1.StepName(n), &now
	clearAttempts(st)
	st.Message = stepMessage(n, r.in.Spec.Topic)
	if n > v1alpha1.StepNumberCheck {
		st.Phase = v1alpha1.TransferRunning
	}
	if n == v1alpha1.StepNumberDone {
		r.finish(v1alpha1.TransferSucceeded, v1alpha1.ReasonSucceeded, st.Message)
		r.event(false, v1alpha1.ReasonSucceeded, "%s", st.Message)
		return
	}
	setProgressing(st, r.in.Generation, v1alpha1.ReasonProgressing, st.Message)
	r.event(false, "Step"+string(st.StepName), "step %d/7 %s: %s", n, st.StepName, st.Message)
}

func stepMessage(n int32, topic string) string {
	switch n {
	case v1alpha1.StepNumberCheck:
		return "checking both clusters, the topic and the groups"
	case v1alpha1.StepNumberSnapshot:
		return fmt.Sprintf("recording the source config of topic %q and its groups", topic)
	case v1alpha1.StepNumberCreateOnTarget:
		return fmt.Sprintf("creating the groups, their retry topics and topic %q on the target", topic)
	case v1alpha1.StepNumberSourceReadOnly:
		return fmt.Sprintf("making topic %q read-only on the source", topic)
	case v1alpha1.StepNumberDrain:
		return "waiting for every group to consume what is left on the source"
	case v1alpha1.StepNumberDeleteFromSource:
		return fmt.Sprintf("deleting topic %q and its groups from the source", topic)
	}
	return fmt.Sprintf("topic %q transferred", topic)
}

// finish makes the phase final.
func (r *run) finish(phase v1alpha1.TransferPhase, reason, msg string) {
	st := r.st
	now := r.now()
	st.Phase, st.CompletedAt, st.Message = phase, &now, msg
	st.CompletedSpecHash = SpecHash(&r.in.Spec)
	setFinal(st, r.in.Generation, reason, msg)
}

// fail handles a failed action: a refusal fails the transfer at once,
// other errors are retried with backoff until MaxAttempts, and then fail
// (steps 1-2), roll back (steps 3-5) or keep retrying (step 6, rollback).
func (r *run) fail(err error) time.Duration {
	st := r.st
	var ref *refusal
	if errors.As(err, &ref) {
		r.finish(v1alpha1.TransferFailed, ref.reason, ref.msg)
		r.event(true, ref.reason, "refused: %s", ref.msg)
		return 0
	}
	if st.Attempts == 0 || st.RetryingSince == nil {
		now := r.now()
		st.RetryingSince = &now
	}
	st.Attempts++
	st.LastError = err.Error()
	r.event(true, "StepFailed", "%s, attempt %d: %v", describe(st), st.Attempts, err)
	if r.outOfRetries() && st.Phase != v1alpha1.TransferRollingBack {
		switch {
		case st.Step < v1alpha1.StepNumberCreateOnTarget:
			r.finish(v1alpha1.TransferFailed, v1alpha1.ReasonClusterUnavailable,
				fmt.Sprintf("step %s failed %d times, nothing was changed: %v", st.StepName, st.Attempts, err))
			return 0
		case st.Step < v1alpha1.StepNumberDeleteFromSource:
			r.beginRollback(v1alpha1.RollbackStepFailed, fmt.Sprintf("step %s failed %d times: %v", st.StepName, st.Attempts, err))
			return 0
		}
	}
	setProgressing(st, r.in.Generation, v1alpha1.ReasonRetrying, fmt.Sprintf("%s failed, retrying: %v", describe(st), err))
	return r.m.backoff(st.Attempts)
}

// unresolved handles clusters that cannot be located (a RocketMQCluster
// not applied yet, or without a ready NameServer). Before anything changed
// the transfer waits for them without counting attempts, since GitOps may
// apply a transfer before its clusters are up; later it is an ordinary
// failure of the step, or of the rollback.
func (r *run) unresolved(err error) time.Duration {
	err = fmt.Errorf("locating the clusters: %w", err)
	st := r.st
	if st.Phase != v1alpha1.TransferPending {
		return r.fail(err)
	}
	if st.LastError != err.Error() {
		r.event(true, v1alpha1.ReasonClusterUnavailable, "waiting: %v", err)
	}
	st.LastError, st.Message = err.Error(), "waiting for the clusters: "+err.Error()
	setProgressing(st, r.in.Generation, v1alpha1.ReasonClusterUnavailable, st.Message)
	return r.m.backoff(6)
}

func describe(st *v1alpha1.TopicTransferStatus) string {
	if st.Phase == v1alpha1.TransferRollingBack {
		return "rollback"
	}
	return fmt.Sprintf("step %d/7 %s", st.Step, st.StepName)
}

// outOfRetries reports whether the failing step has used up its budget:
// spec.retryBudget since the first failed attempt, or MaxAttempts when set.
func (r *run) outOfRetries() bool {
	st := r.st
	if r.m.MaxAttempts > 0 && st.Attempts >= r.m.MaxAttempts {
		return true
	}
	if st.RetryingSince == nil {
		return false
	}
	return r.now().Sub(st.RetryingSince.Time) >= r.in.Spec.RetryBudgetOrDefault()
}

// clearAttempts forgets the failed attempts of a step that moved on.
func clearAttempts(st *v1alpha1.TopicTransferStatus) {
	st.Attempts, st.LastError, st.RetryingSince = 0, "", nil
}

func (m *Machine) reviveSlack() time.Duration {
	if m.ReviveSlack > 0 {
		return m.ReviveSlack
	}
	return 15 * time.Second
}

func (m *Machine) pollInterval() time.Duration {
	if m.PollInterval > 0 {
		return m.PollInterval
	}
	return 5 * time.Second
}

// backoff doubles from RetryInterval, capped at 32 times it (64s by
// default, so a broker that comes back is tried again within a minute).
func (m *Machine) backoff(attempts int32) time.Duration {
	base := m.RetryInterval
	if base <= 0 {
		base = 2 * time.Second
	}
	shift := min(max(attempts-1, 0), 5)
	return base << shift
}
