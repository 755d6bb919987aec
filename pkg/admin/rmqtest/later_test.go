package rmqtest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
)

func backlog(t *testing.T, e *auditEnv) admin.Backlog {
	t.Helper()
	b, err := e.c.BrokerBacklog(ctxT(t), e.b.Addr())
	require.NoError(t, err)
	return b
}

func maxOffset(t *testing.T, e *auditEnv, topic string, q int) int64 {
	t.Helper()
	ts, err := e.c.TopicStats(ctxT(t), e.b.Addr(), topic)
	require.NoError(t, err)
	return ts.OffsetTable[admin.MessageQueue{Topic: topic, BrokerName: "b", QueueID: q}].MaxOffset
}

// readOnly makes topic t read-only, as step 4 of a transfer does.
func readOnly(t *testing.T, e *auditEnv) {
	tc := e.b.Topics()["t"]
	tc.Perm = admin.PermRead
	require.NoError(t, e.c.CreateTopic(ctxT(t), e.b.Addr(), tc))
}

func TestDelayedMessagesLandInAReadOnlyTopic(t *testing.T) {
	e := newAuditEnv(t)
	readOnly(t, e)
	e.b.AddDelayed("t", 1, 3, 2)
	info, err := e.c.BrokerRuntimeInfo(ctxT(t), e.b.Addr())
	require.NoError(t, err)
	assert.Equal(t, "0,2", info["scheduleMessageOffset_3"], "ScheduleMessageService.buildRunningStats")
	assert.Equal(t, admin.Backlog{Delayed: 2}, backlog(t, e))
	e.b.DeliverDelayed(3, 1)
	assert.Equal(t, int64(11), maxOffset(t, e, "t", 1), "delivered into the read-only topic")
	assert.Equal(t, admin.Backlog{Delayed: 1}, backlog(t, e))
	e.b.DeliverDelayed(3, 5)
	assert.True(t, backlog(t, e).Empty())
	assert.Equal(t, int64(12), maxOffset(t, e, "t", 1))
}

func TestTimerMessagesLandInAReadOnlyTopic(t *testing.T) {
	e := newAuditEnv(t)
	readOnly(t, e)
	e.b.AddTimer("t", 0, 3)
	info, err := e.c.BrokerRuntimeInfo(ctxT(t), e.b.Addr())
	require.NoError(t, err)
	assert.Equal(t, "3", info["timerCongestNum"])
	assert.Equal(t, "0", info["timerOffsetBehind"])
	assert.Equal(t, admin.Backlog{Timer: 3}, backlog(t, e))
	e.b.DeliverTimer(3)
	assert.True(t, backlog(t, e).Empty())
	assert.Equal(t, int64(13), maxOffset(t, e, "t", 0))
}

func TestHalfMessagesCountUntilTheCheckServicePassesThem(t *testing.T) {
	e := newAuditEnv(t)
	readOnly(t, e)
	e.b.AddHalf("t", 0, 2)
	assert.Equal(t, admin.Backlog{Half: 2}, backlog(t, e))
	e.b.EndTransaction("t", 1, true)
	e.b.EndTransaction("t", 1, false)
	assert.Equal(t, int64(11), maxOffset(t, e, "t", 0), "a commit lands in the read-only topic, a rollback does not")
	assert.Equal(t, admin.Backlog{Half: 2}, backlog(t, e), "the half offset moves only when the check service runs")
	e.b.CheckTransactions()
	assert.True(t, backlog(t, e).Empty())
}

func TestPopInFlightIsRevivedIntoThePopRetryTopic(t *testing.T) {
	for _, v2 := range []bool{false, true} {
		e := newAuditEnv(t)
		e.b.PutGroups(admin.NewSubscriptionGroupConfig("g"))
		e.b.SetQueueOffsets("t", 0, 15)
		want := "%RETRY%g_t"
		if v2 {
			require.NoError(t, e.c.UpdateBrokerConfig(ctxT(t), e.b.Addr(), map[string]string{"enableRetryTopicV2": "true"}))
			want = "%RETRY%g+t"
		}
		assert.Equal(t, 5, e.b.Pop("g", "t", 0, 9), "only 5 left")
		cs, err := e.c.ConsumeStats(ctxT(t), e.b.Addr(), "g", "t")
		require.NoError(t, err)
		assert.Zero(t, cs.Diff(), "the offset moves on pop, before the ack")
		e.b.Ack("g", "t", 0, 2)
		assert.Equal(t, int64(3), e.b.InFlight("g", "t", 0))
		e.b.Revive("g", "t", 0)
		assert.Zero(t, e.b.InFlight("g", "t", 0))
		cs, err = e.c.ConsumeStats(ctxT(t), e.b.Addr(), "g", want)
		require.NoError(t, err, "enableRetryTopicV2=%v", v2)
		assert.Equal(t, int64(3), cs.Diff(), "the unacked messages wait in %s", want)
		assert.Empty(t, e.b.DataLoss())
	}
}

func TestAuditRecordsPendingMessagesOfADeletedTopic(t *testing.T) {
	e := newAuditEnv(t)
	e.b.AddDelayed("t", 0, 2, 1)
	e.b.AddTimer("t", 1, 2)
	e.b.AddHalf("t", 0, 3)
	e.b.AddHalf("u", 0, 1) // another topic: not lost
	e.b.Pop("g", "t", 0, 0)
	e.b.SetQueueOffsets("t", 1, 12)
	e.b.Pop("g", "t", 1, 2) // consumed by offset, in flight
	require.NoError(t, e.c.DeleteTopicInBroker(ctxT(t), e.b.Addr(), "t"))
	kinds := map[string]int64{}
	for _, r := range e.b.DataLoss() {
		assert.Equal(t, "t", r.Topic)
		kinds[r.Kind] += r.Messages
	}
	assert.Equal(t, map[string]int64{rmqtest.LossDelayed: 1, rmqtest.LossTimer: 2, rmqtest.LossHalf: 3, rmqtest.LossPopInFlight: 2}, kinds)
}

func TestAuditSilentWhenNothingIsPending(t *testing.T) {
	e := newAuditEnv(t)
	e.b.AddDelayed("t", 0, 2, 1)
	e.b.DeliverDelayed(2, 1)
	e.b.AddTimer("t", 1, 2)
	e.b.DeliverTimer(2)
	e.b.AddHalf("t", 0, 2)
	e.b.EndTransaction("t", 2, false)
	e.b.SetQueueOffsets("t", 1, 12)
	e.b.Pop("g", "t", 1, 2)
	e.b.Ack("g", "t", 1, 2)
	cs, err := e.c.ConsumeStats(ctxT(t), e.b.Addr(), "g", "t")
	require.NoError(t, err)
	for mq, o := range cs.OffsetTable { // the group consumes what was delivered
		e.b.SetConsumerOffset("g", "t", mq.QueueID, o.BrokerOffset)
	}
	require.NoError(t, e.c.DeleteTopicInBroker(ctxT(t), e.b.Addr(), "t"))
	assert.Empty(t, e.b.DataLoss())
}

func TestAuditRecordsInFlightOfADeletedGroup(t *testing.T) {
	e := newAuditEnv(t)
	e.b.PutGroups(admin.NewSubscriptionGroupConfig("g"))
	e.b.SetQueueOffsets("u", 0, 11)
	e.b.Pop("g", "u", 0, 1)
	require.NoError(t, e.c.DeleteGroup(ctxT(t), e.b.Addr(), "g", false))
	got := e.b.DataLoss()
	require.Len(t, got, 1, "%v", got)
	assert.Equal(t, rmqtest.LossPopInFlight, got[0].Kind)
	e.b.Revive("g", "u", 0)
	assert.NotContains(t, e.b.Topics(), "%RETRY%g_u", "the revive service skips a checkpoint of a missing group")
}
