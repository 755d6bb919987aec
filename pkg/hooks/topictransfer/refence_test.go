package topictransfer

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// The source topic becomes writable again on one broker during the drain:
// in Controller mode a slave elected master less than a SlaveSynchronize
// period (10 s) after step 4 still has the old, writable config, and
// mqadmin updateTopic can do the same. Producers follow the route back to
// the source. The next poll makes it read-only again, with a Warning
// Event, before it reads consume stats, so what was written there is
// waited for; the transfer then succeeds with no data-loss record.
func TestDrainKeepsTheSourceReadOnly(t *testing.T) {
	r := newRig(t)
	r.src[0].SetConsumerOffset("g", "t", 0, 5) // the drain waits
	m := machine()
	in := r.input(r.admin)
	st := &v1alpha1.TopicTransferStatus{}
	advance := func() Outcome {
		out := m.Advance(context.Background(), in, st)
		time.Sleep(out.Wait)
		return out
	}
	for n := 0; st.Step < v1alpha1.StepNumberDrain || st.Drain == nil || st.Drain.Polls < 1; n++ {
		require.Less(t, n, 100, "no drain poll: %+v", st)
		advance()
	}
	require.Equal(t, admin.PermRead, r.src[1].Topics()["t"].Perm, "step 4 made the source read-only")

	writable := r.src[1].Topics()["t"]
	writable.Perm = admin.PermRead | admin.PermWrite
	r.src[1].PutTopics(writable)         // registers the writable route too
	r.src[1].SetQueueOffsets("t", 1, 14) // producers wrote 4 more there

	var events []Event
	polls := st.Drain.Polls
	for n := 0; st.Drain.Polls == polls; n++ {
		require.Less(t, n, 100, "no further drain poll: %+v", st)
		events = append(events, advance().Events...)
	}
	assert.Equal(t, admin.PermRead, r.src[1].Topics()["t"].Perm, "the poll made the topic read-only again")
	assert.True(t, hasEvent(events, "SourceWritableAgain"), "a Warning Event says so: %+v", events)
	route, ok := r.srcNS.Route("t")
	require.True(t, ok)
	for _, qd := range route.QueueDatas {
		assert.Zero(t, qd.Perm&admin.PermWrite, "route of %s", qd.BrokerName)
	}
	assert.Contains(t, st.Message, "4 messages left on src-1", "the poll counts what producers wrote meanwhile")

	r.src[0].SetConsumerOffset("g", "t", 0, 10)
	r.src[1].SetConsumerOffset("g", "t", 1, 14)
	drive(t, m, in, st)
	require.Equal(t, v1alpha1.TransferSucceeded, st.Phase, st.Message)
	assert.Empty(t, r.dataLoss())
}

func hasEvent(events []Event, reason string) bool {
	for _, e := range events {
		if e.Reason == reason && e.Warning {
			return true
		}
	}
	return false
}

// The same between the last drain poll and step 6: a master that has the
// writable config again when step 6 begins is fenced, and step 6 waits
// for what producers wrote there before it deletes anything.
func TestDeleteFromSourceWaitsForWritesAfterTheDrain(t *testing.T) {
	r := newRig(t)
	m := machine()
	in := r.input(r.admin)
	st := &v1alpha1.TopicTransferStatus{}
	for st.Step < v1alpha1.StepNumberDeleteFromSource {
		m.Advance(context.Background(), in, st)
	}
	writable := r.src[1].Topics()["t"]
	writable.Perm = admin.PermRead | admin.PermWrite
	r.src[1].PutTopics(writable)
	r.src[1].SetQueueOffsets("t", 1, 14)
	for range 5 {
		m.Advance(context.Background(), in, st)
	}
	require.Equal(t, v1alpha1.StepNumberDeleteFromSource, st.Step, st.Message)
	assert.Equal(t, []string{"g"}, st.Drain.Pending)
	assert.Equal(t, admin.PermRead, r.src[1].Topics()["t"].Perm, "fenced again")
	assert.Contains(t, r.src[1].Topics(), "t", "nothing deleted while messages are left")

	r.src[1].SetConsumerOffset("g", "t", 1, 14)
	drivePolling(t, m, in, st)
	require.Equal(t, v1alpha1.TransferSucceeded, st.Phase, st.Message)
	r.assertTransferred(t)
	assert.Empty(t, r.dataLoss())
}
