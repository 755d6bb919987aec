package topictransfer

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// Step 6 deletes a group only where it reads nothing else: on a broker
// where it also consumes another topic (and lags on it) the group and its
// offsets stay, and the audit records no loss; where it read only the
// transferred topic and a fully consumed retry topic it is deleted.
func TestSourceGroupReadingAnotherTopicIsKept(t *testing.T) {
	r := newRig(t)
	other := admin.NewTopicConfig("other")
	other.ReadQueueNums, other.WriteQueueNums = 1, 1
	r.src[0].PutTopics(other)
	r.src[0].SetQueueOffsets("other", 0, 10)
	r.src[0].SetConsumerOffset("g", "other", 0, 4) // 6 left to read
	for _, b := range r.src {
		b.PutTopics(admin.NewTopicConfig("%RETRY%g"))
		b.SetQueueOffsets("%RETRY%g", 0, 3)
		b.SetConsumerOffset("g", "%RETRY%g", 0, 3) // retry topic consumed
	}
	st := &v1alpha1.TopicTransferStatus{}
	drive(t, machine(), r.input(r.admin), st)
	require.Equal(t, v1alpha1.TransferSucceeded, st.Phase, st.Message)

	assert.Contains(t, r.src[0].Groups(), "g", "kept where it reads another topic")
	assert.NotContains(t, r.src[1].Groups(), "g", "deleted where it read only the transferred topic")
	for _, b := range r.src {
		assert.NotContains(t, b.Topics(), "t")
	}
	stats, err := r.admin.ConsumeStats(t.Context(), r.src[0].Addr(), "g", "other")
	require.NoError(t, err)
	assert.Equal(t, int64(6), stats.Diff(), "the other topic's offsets are intact")
	assert.Empty(t, r.dataLoss())
	require.Len(t, st.KeptOnSource, 1)
	assert.Contains(t, st.KeptOnSource[0], `group "g" on src-0: still reads other`)
}

// A retry topic with messages left holds the drain: the group must consume
// its redelivered messages on the source before step 6 may delete the
// group with its offsets.
func TestDrainWaitsForTheRetryTopic(t *testing.T) {
	r := newRig(t)
	r.src[1].PutTopics(admin.NewTopicConfig("%RETRY%g"))
	r.src[1].SetQueueOffsets("%RETRY%g", 0, 3)
	r.src[1].SetConsumerOffset("g", "%RETRY%g", 0, 1)
	st := &v1alpha1.TopicTransferStatus{}
	m, in := machine(), r.input(r.admin)
	advanceUntil(t, m, in, st, func() bool { return st.Drain != nil && st.Drain.Polls >= 3 })
	assert.Equal(t, []string{"g"}, st.Drain.Pending)
	assert.Contains(t, st.Message, "%RETRY%g 2 messages left on src-1")
	r.src[1].SetConsumerOffset("g", "%RETRY%g", 0, 3)
	drive(t, m, in, st)
	require.Equal(t, v1alpha1.TransferSucceeded, st.Phase, st.Message)
	assert.NotContains(t, r.src[0].Groups(), "g")
	assert.NotContains(t, r.src[1].Groups(), "g")
	assert.Empty(t, r.dataLoss())
	assert.Empty(t, st.KeptOnSource)
}
