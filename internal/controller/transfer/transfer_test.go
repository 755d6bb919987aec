package transfer

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// The happy path: one group lags, so the drain needs several polls; the
// consumer catches up only after the source turned read-only.
func TestTransferHappyPathWaitsForTheDrain(t *testing.T) {
	f := newFixture(t)
	f.lag("billing", 7)
	f.startManager(f.testOptions(nil))
	f.create("move", f.spec())

	tt := f.wait("move", "three drain polls", func(tt *v1alpha1.TopicTransfer) bool {
		return tt.Status.Drain != nil && tt.Status.Drain.Polls >= 3
	})
	assert.Equal(t, v1alpha1.StepDrain, tt.Status.StepName)
	assert.Equal(t, []string{"billing"}, tt.Status.Drain.Pending)
	assert.Contains(t, tt.Status.Message, "7 messages left")
	for _, b := range f.src.brokers {
		assert.Equal(t, admin.PermRead, b.Topics()[topicName].Perm, "source is read-only while draining")
	}
	f.lag("billing", 0)

	tt = f.waitFinal("move")
	require.Equal(t, v1alpha1.TransferSucceeded, tt.Status.Phase, statusString(tt))
	f.assertTransferred(t)
	assert.Equal(t, v1alpha1.StepDone, tt.Status.StepName)
	status, reason, gen := conditionOf(tt, v1alpha1.ConditionReady)
	assert.Equal(t, "True", status)
	assert.Equal(t, v1alpha1.ReasonSucceeded, reason)
	assert.Equal(t, tt.Generation, gen)
	assert.Equal(t, tt.Generation, tt.Status.ObservedGeneration)
	require.NotNil(t, tt.Status.Snapshot)
	assert.Len(t, tt.Status.Snapshot.Topic, 2)
	assert.Equal(t, int32(admin.PermRead|admin.PermWrite), tt.Status.Snapshot.Topic[0].Perm)
	assert.Equal(t, map[string]string{"message.type": "NORMAL"}, tt.Status.Snapshot.Topic[0].Attributes)
	for _, r := range tt.Status.Target {
		assert.Equal(t, v1alpha1.TargetCreated, r.State, "%s %s", r.Kind, r.Name)
	}
	assert.Len(t, tt.Status.Target, 5)
	f.assertEvents(t, "move", "StepCheck", "StepSnapshot", "StepCreateOnTarget", "StepSourceReadOnly",
		"StepDrain", "StepDeleteFromSource", v1alpha1.ReasonSucceeded)
}

// A finished transfer stays finished: the same spec again changes nothing,
// a changed spec is refused with a condition, and reverting lifts it.
func TestFinishedTransferStaysFinished(t *testing.T) {
	f := newFixture(t)
	f.startManager(f.testOptions(nil))
	f.create("move", f.spec())
	done := f.wait("move", "finished and released", func(tt *v1alpha1.TopicTransfer) bool {
		return tt.Status.Phase.Final() && len(tt.Finalizers) == 0
	})
	require.Equal(t, v1alpha1.TransferSucceeded, done.Status.Phase, statusString(done))
	f.src.resetCounts()
	f.tgt.resetCounts()

	// Re-apply the object as Git holds it: no generation change, no write.
	again := f.get("move")
	require.NoError(t, env.Client.Update(context.Background(), again))
	time.Sleep(200 * time.Millisecond)
	same := f.get("move")
	assert.Equal(t, done.ResourceVersion, same.ResourceVersion, "re-applying the same spec wrote something")

	require.NoError(t, f.update("move", func(s *v1alpha1.TopicTransferSpec) { s.Abort = true }))
	tt := f.wait("move", "SpecChangeRefused", func(tt *v1alpha1.TopicTransfer) bool {
		st, _, gen := conditionOf(tt, v1alpha1.ConditionSpecChangeRefused)
		return st == "True" && gen == tt.Generation
	})
	assert.Equal(t, v1alpha1.TransferSucceeded, tt.Status.Phase)
	_, reason, _ := conditionOf(tt, v1alpha1.ConditionSpecChangeRefused)
	assert.Equal(t, v1alpha1.ReasonSpecChanged, reason)

	require.NoError(t, f.update("move", func(s *v1alpha1.TopicTransferSpec) { s.Abort = false }))
	f.wait("move", "refusal lifted", func(tt *v1alpha1.TopicTransfer) bool {
		st, _, _ := conditionOf(tt, v1alpha1.ConditionSpecChangeRefused)
		return st == "False"
	})
	assert.Zero(t, f.src.brokers[0].CallCount(admin.CodeUpdateAndCreateTopic)+f.tgt.brokers[0].CallCount(admin.CodeUpdateAndCreateTopic),
		"a finished transfer sent a mutating admin call")
	f.assertTransferred(t)
}

// assertEvents checks that Events with these reasons were recorded for the
// transfer, in this order.
func (f *fixture) assertEvents(t *testing.T, name string, reasons ...string) {
	t.Helper()
	var seen []string
	require.Eventually(t, func() bool {
		var list corev1.EventList
		if err := env.Client.List(context.Background(), &list, client.InNamespace(f.ns)); err != nil {
			return false
		}
		seen = seen[:0]
		for _, e := range sortEvents(list.Items) {
			if e.InvolvedObject.Name == name {
				seen = append(seen, e.Reason)
			}
		}
		return isSubsequence(reasons, seen)
	}, waitFor, 50*time.Millisecond, "events %v do not contain %v in order", seen, reasons)
}

func sortEvents(evs []corev1.Event) []corev1.Event {
	out := append([]corev1.Event(nil), evs...)
	sort.SliceStable(out, func(i, j int) bool { return eventTime(out[i]).Before(eventTime(out[j])) })
	return out
}

func eventTime(e corev1.Event) time.Time {
	if !e.EventTime.IsZero() {
		return e.EventTime.Time
	}
	return e.FirstTimestamp.Time
}

func isSubsequence(want, got []string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}
