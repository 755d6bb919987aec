package topictransfer

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// advanceUntil advances until done reports true, failing after 500
// transitions or on a final phase.
func advanceUntil(t *testing.T, m *Machine, in Input, st *v1alpha1.TopicTransferStatus, done func() bool) {
	t.Helper()
	for range 500 {
		if done() {
			return
		}
		m.Advance(context.Background(), in, st)
		if st.Phase.Final() {
			t.Fatalf("ended %s before the awaited state: %s", st.Phase, st.Message)
		}
	}
	t.Fatalf("awaited state not reached after 500 transitions: %s", st.Message)
}

func reconcilingReason(st *v1alpha1.TopicTransferStatus) string {
	for _, c := range st.Conditions {
		if c.Type == v1alpha1.ConditionReconciling {
			return c.Reason
		}
	}
	return ""
}

func polledAtLeast(st *v1alpha1.TopicTransferStatus, n int32) func() bool {
	return func() bool { return st.Step == v1alpha1.StepNumberDrain && st.Drain != nil && st.Drain.Polls >= n }
}

// Delayed, timer and half messages bound for the topic are written into it
// after the source became read-only; the drain waits until no source
// broker holds any, names them in the status, and the transfer then loses
// nothing.
func TestDrainWaitsForBrokerBacklogs(t *testing.T) {
	for _, tc := range []struct {
		kind    string
		add     func(r *rig)
		deliver func(r *rig)
		reason  string
		message string
		want    v1alpha1.DrainBrokerBacklog
	}{
		{
			kind: "delayed", add: func(r *rig) { r.src[0].AddDelayed("t", 1, 4, 2) },
			deliver: func(r *rig) { r.src[0].DeliverDelayed(4, 2) },
			reason:  v1alpha1.ReasonDelayedMessagesPending, message: "broker src-0: 2 delayed message(s) pending",
			want: v1alpha1.DrainBrokerBacklog{BrokerName: "src-0", Delayed: 2},
		},
		{
			kind: "timer", add: func(r *rig) { r.src[1].AddTimer("t", 0, 3) },
			deliver: func(r *rig) { r.src[1].DeliverTimer(3) },
			reason:  v1alpha1.ReasonTimerMessagesPending, message: "broker src-1: 3 timer message(s) pending",
			want: v1alpha1.DrainBrokerBacklog{BrokerName: "src-1", Timer: 3},
		},
		{
			kind: "half", add: func(r *rig) { r.src[0].AddHalf("t", 0, 1) },
			deliver: func(r *rig) {
				r.src[0].EndTransaction("t", 1, true)
				r.src[0].CheckTransactions()
			},
			reason: v1alpha1.ReasonHalfMessagesPending, message: "broker src-0: 1 transactional half message(s) pending",
			want: v1alpha1.DrainBrokerBacklog{BrokerName: "src-0", Half: 1},
		},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			r := newRig(t)
			tc.add(r)
			m, in := machine(), r.input(r.admin)
			st := &v1alpha1.TopicTransferStatus{}
			advanceUntil(t, m, in, st, polledAtLeast(st, 3))
			assert.Equal(t, []v1alpha1.DrainBrokerBacklog{tc.want}, st.Drain.Brokers)
			assert.Empty(t, st.Drain.Pending)
			assert.Equal(t, tc.reason, reconcilingReason(st))
			assert.Contains(t, st.Message, tc.message)
			tc.deliver(r) // lands in the read-only source topic: the group must read it too
			advanceUntil(t, m, in, st, func() bool { return len(st.Drain.Pending) == 1 })
			for _, b := range r.src {
				for q := range 2 {
					b.SetConsumerOffset("g", "t", q, 20)
					b.SetQueueOffsets("t", q, 20)
				}
			}
			drive(t, m, in, st)
			require.Equal(t, v1alpha1.TransferSucceeded, st.Phase, st.Message)
			assert.Empty(t, r.dataLoss())
		})
	}
}

// The same backlog never drained: the transfer rolls back at the drain
// timeout with the backlog in its message, and nothing is lost.
func TestDrainTimeoutNamesTheBrokerBacklog(t *testing.T) {
	r := newRig(t)
	r.src[1].AddDelayed("t", 0, 18, 5) // due in 2 hours
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := machine()
	m.Now = func() time.Time { now = now.Add(10 * time.Second); return now }
	st := &v1alpha1.TopicTransferStatus{}
	drive(t, m, r.input(r.admin), st)
	require.Equal(t, v1alpha1.TransferRolledBack, st.Phase)
	assert.Equal(t, v1alpha1.RollbackDrainTimeout, st.Rollback.Reason)
	assert.Contains(t, st.Rollback.Message, "broker src-1: 5 delayed message(s) pending")
	assert.Empty(t, r.dataLoss())
}

// POP: popping moves the offset before the ack, and the broker says nothing
// about unacked messages. The drain watches for spec.popInvisibleTime after
// everything looks consumed; unacked messages revived into the POP retry
// topic in that time hold it until they are consumed too.
func TestDrainWaitsOutThePopInvisibleTime(t *testing.T) {
	r := newRig(t)
	for _, b := range r.src {
		b.SetQueueOffsets("t", 0, 14)
	}
	require.Equal(t, 4, r.src[0].Pop("g", "t", 0, 4))
	require.Equal(t, 4, r.src[1].Pop("g", "t", 0, 4))
	r.src[1].Ack("g", "t", 0, 4)
	m, in := machine(), r.input(r.admin)
	in.Spec.PopInvisibleTime = &metav1.Duration{Duration: time.Hour} // never passes in this test
	st := &v1alpha1.TopicTransferStatus{}
	advanceUntil(t, m, in, st, polledAtLeast(st, 3))
	assert.Empty(t, st.Drain.Pending, "the offsets show nothing left")
	require.NotNil(t, st.Drain.SettledSince)
	assert.Equal(t, v1alpha1.ReasonPopSettling, reconcilingReason(st))

	r.src[0].Revive("g", "t", 0) // the invisible time of the unacked 4 passed
	advanceUntil(t, m, in, st, func() bool { return len(st.Drain.Pending) == 1 })
	assert.Contains(t, st.Message, "%RETRY%g_t 4 messages left on src-0")
	assert.Nil(t, st.Drain.SettledSince, "the settle period starts again")

	r.src[0].SetConsumerOffset("g", "%RETRY%g_t", 0, 4)
	in.Spec.PopInvisibleTime = &metav1.Duration{Duration: 20 * time.Millisecond}
	// The settle period runs on the real clock: sleep out each wait rather
	// than count on 500 transitions taking longer than it.
	drivePolling(t, m, in, st)
	require.Equal(t, v1alpha1.TransferSucceeded, st.Phase, st.Message)
	assert.Empty(t, r.dataLoss())
	assert.Empty(t, st.KeptOnSource, "a consumed POP retry topic of the topic does not keep the group")
	assert.NotContains(t, r.src[0].Groups(), "g")
}

// Without the settle period (popInvisibleTime 0s) the same unacked messages
// are deleted with the topic, and the audit says so: the wait is what
// protects them.
func TestWithoutPopSettleUnackedMessagesAreLost(t *testing.T) {
	r := newRig(t)
	r.src[0].SetQueueOffsets("t", 0, 14)
	r.src[0].Pop("g", "t", 0, 4)
	st := &v1alpha1.TopicTransferStatus{}
	drive(t, machine(), r.input(r.admin), st)
	require.Equal(t, v1alpha1.TransferSucceeded, st.Phase, st.Message)
	lost := r.dataLoss()
	require.NotEmpty(t, lost)
	assert.Equal(t, "pop-inflight", lost[0].Kind)
}

// Step 3 ends by giving each group the min offset of every target queue
// where it has none, before producers move in step 4; an offset already
// there is kept.
func TestTargetOffsetsCommittedBeforeProducersMove(t *testing.T) {
	r := newRig(t)
	tc := r.origTopics[0]
	r.tgt[0].PutTopics(tc) // pre-existing on one target master, with history
	r.tgt[0].PutGroups(admin.NewSubscriptionGroupConfig("g"))
	r.tgt[0].SetQueueOffsets("t", 0, 50)
	r.tgt[0].SetQueueOffsets("t", 1, 50)
	r.tgt[0].SetMinOffset("t", 1, 30)
	r.tgt[0].SetConsumerOffset("g", "t", 0, 42) // the group's own: kept
	m, in := machine(), r.input(r.admin)
	st := &v1alpha1.TopicTransferStatus{}
	advanceUntil(t, m, in, st, func() bool { return st.Step == v1alpha1.StepNumberSourceReadOnly })
	// t is pre-existing on tgt-0 only (queue 1 gets an offset), %RETRY%g is
	// created on both, but the pre-existing group lives on tgt-0 only.
	require.Equal(t, []v1alpha1.TargetOffsets{{Group: "g", State: v1alpha1.TargetOffsetsCommitted, Committed: 2}}, st.TargetOffsets)
	off, ok := r.tgt[0].ConsumerOffset("g", "t", 0)
	assert.True(t, ok)
	assert.Equal(t, int64(42), off, "never overwritten")
	off, _ = r.tgt[0].ConsumerOffset("g", "t", 1)
	assert.Equal(t, int64(30), off, "the min offset of a pre-existing queue")
	off, ok = r.tgt[0].ConsumerOffset("g", "%RETRY%g", 0)
	assert.True(t, ok && off == 0, "retry topic offset %d %v", off, ok)
	drive(t, m, in, st)
	require.Equal(t, v1alpha1.TransferSucceeded, st.Phase, st.Message)
	assert.Empty(t, r.dataLoss())
}

// A restart after the offsets were committed but before the status said
// so redoes the work without touching an offset set in between.
func TestTargetOffsetsResumeNeverOverwrites(t *testing.T) {
	r := newRig(t)
	m, in := machine(), r.input(r.admin)
	st := &v1alpha1.TopicTransferStatus{}
	var before *v1alpha1.TopicTransferStatus
	advanceUntil(t, m, in, st, func() bool {
		if len(st.TargetOffsets) == 1 && st.TargetOffsets[0].State == v1alpha1.TargetOffsetsCommitting {
			before = st.DeepCopy()
		}
		return len(st.TargetOffsets) == 1 && st.TargetOffsets[0].State == v1alpha1.TargetOffsetsCommitted
	})
	require.NotNil(t, before, "Committing was persisted first")
	assert.Equal(t, int32(6), st.TargetOffsets[0].Committed, "2 masters x (2 queues of t + 1 of %RETRY%g)")
	r.tgt[1].SetConsumerOffset("g", "t", 1, 5) // a consumer on the target commits
	*st = *before                              // the status write was lost
	m.Advance(context.Background(), in, st)
	assert.Equal(t, v1alpha1.TargetOffsetsCommitted, st.TargetOffsets[0].State)
	assert.Zero(t, st.TargetOffsets[0].Committed, "every queue already had an offset")
	off, _ := r.tgt[1].ConsumerOffset("g", "t", 1)
	assert.Equal(t, int64(5), off)
}
