package rmqtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
)

// auditEnv is one NameServer and one broker holding topic "t" (2 queues of
// 10 messages) and "u" (1 queue of 10), read by group "g".
type auditEnv struct {
	ns *rmqtest.NameServer
	b  *rmqtest.Broker
	c  *admin.Client
}

func newAuditEnv(t *testing.T) *auditEnv {
	t.Helper()
	ns, err := rmqtest.NewNameServer("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ns.Close() })
	b, err := rmqtest.NewBroker(rmqtest.BrokerOptions{Addr: "127.0.0.1:0", ClusterName: "c", BrokerName: "b", NameServers: []string{ns.Addr()}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	c := admin.New(admin.Options{})
	t.Cleanup(func() { _ = c.Close() })
	for topic, queues := range map[string]int{"t": 2, "u": 1} {
		tc := admin.NewTopicConfig(topic)
		tc.ReadQueueNums, tc.WriteQueueNums = queues, queues
		b.PutTopics(tc)
		for q := range queues {
			b.SetQueueOffsets(topic, q, 10)
			b.SetConsumerOffset("g", topic, q, 10)
		}
	}
	return &auditEnv{ns: ns, b: b, c: c}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestAuditDeleteTopicInBroker(t *testing.T) {
	t.Run("unconsumed messages are recorded", func(t *testing.T) {
		e := newAuditEnv(t)
		e.b.SetConsumerOffset("g", "t", 1, 7)
		require.NoError(t, e.c.DeleteTopicInBroker(ctxT(t), e.b.Addr(), "t"))
		got := e.b.DataLoss()
		require.Len(t, got, 1, "%v", got)
		assert.Equal(t, rmqtest.DataLossRecord{
			What: "DELETE_TOPIC_IN_BROKER", Code: admin.CodeDeleteTopicInBroker, Broker: "b", Addr: e.b.Addr(),
			Topic: "t", Group: "g", QueueID: 1, Messages: 3,
		}, got[0])
	})
	t.Run("a queue the group never committed on counts from 0", func(t *testing.T) {
		e := newAuditEnv(t)
		e.b.SetQueueOffsets("t", 2, 5) // a queue g has no offset on
		require.NoError(t, e.c.DeleteTopicInBroker(ctxT(t), e.b.Addr(), "t"))
		got := e.b.DataLoss()
		require.Len(t, got, 1, "%v", got)
		assert.Equal(t, int64(5), got[0].Messages)
		assert.Equal(t, 2, got[0].QueueID)
	})
	t.Run("consumed topic is silent", func(t *testing.T) {
		e := newAuditEnv(t)
		require.NoError(t, e.c.DeleteTopicInBroker(ctxT(t), e.b.Addr(), "t"))
		assert.Empty(t, e.b.DataLoss())
	})
	t.Run("messages no group reads are not counted", func(t *testing.T) {
		e := newAuditEnv(t)
		e.b.PutTopics(admin.NewTopicConfig("lonely"))
		e.b.SetQueueOffsets("lonely", 0, 50)
		require.NoError(t, e.c.DeleteTopicInBroker(ctxT(t), e.b.Addr(), "lonely"))
		assert.Empty(t, e.b.DataLoss())
	})
}

func TestAuditDeleteGroup(t *testing.T) {
	t.Run("cleanOffset with lag on another topic is recorded", func(t *testing.T) {
		e := newAuditEnv(t)
		e.b.SetConsumerOffset("g", "u", 0, 4)
		require.NoError(t, e.c.DeleteGroup(ctxT(t), e.b.Addr(), "g", true))
		got := e.b.DataLoss()
		require.Len(t, got, 1, "%v", got)
		assert.Equal(t, rmqtest.DataLossRecord{
			What: "DELETE_SUBSCRIPTIONGROUP", Code: admin.CodeDeleteSubscriptionGroup, Broker: "b", Addr: e.b.Addr(),
			Topic: "u", Group: "g", QueueID: 0, Messages: 6,
		}, got[0])
	})
	t.Run("other groups' lag is not this group's loss", func(t *testing.T) {
		e := newAuditEnv(t)
		e.b.SetConsumerOffset("other", "t", 0, 0)
		require.NoError(t, e.c.DeleteGroup(ctxT(t), e.b.Addr(), "g", true))
		assert.Empty(t, e.b.DataLoss())
	})
	t.Run("without cleanOffset the offsets stay", func(t *testing.T) {
		e := newAuditEnv(t)
		e.b.SetConsumerOffset("g", "u", 0, 4)
		require.NoError(t, e.c.DeleteGroup(ctxT(t), e.b.Addr(), "g", false))
		assert.Empty(t, e.b.DataLoss())
	})
	t.Run("consumed group is silent", func(t *testing.T) {
		e := newAuditEnv(t)
		require.NoError(t, e.c.DeleteGroup(ctxT(t), e.b.Addr(), "g", true))
		assert.Empty(t, e.b.DataLoss())
	})
}

func TestAuditDeleteTopicInNameServer(t *testing.T) {
	t.Run("last route of a topic with unconsumed data is recorded", func(t *testing.T) {
		e := newAuditEnv(t)
		e.b.SetConsumerOffset("g", "t", 0, 1)
		require.NoError(t, e.c.DeleteTopicInNameServer(ctxT(t), e.ns.Addr(), "t", "c"))
		got := e.ns.DataLoss()
		require.Len(t, got, 1, "%v", got)
		assert.Equal(t, "DELETE_TOPIC_IN_NAMESRV", got[0].What)
		assert.Equal(t, int64(9), got[0].Messages)
		assert.Empty(t, e.b.DataLoss(), "the broker still has the data")
		assert.Len(t, rmqtest.CollectDataLoss(e.ns, e.b), 1)
	})
	t.Run("route of a topic already deleted from the broker is silent", func(t *testing.T) {
		e := newAuditEnv(t)
		require.NoError(t, e.c.DeleteTopicInBroker(ctxT(t), e.b.Addr(), "t"))
		require.NoError(t, e.c.DeleteTopicInNameServer(ctxT(t), e.ns.Addr(), "t", "c"))
		assert.Empty(t, rmqtest.CollectDataLoss(e.ns, e.b))
	})
	t.Run("consumed topic is silent", func(t *testing.T) {
		e := newAuditEnv(t)
		require.NoError(t, e.c.DeleteTopicInNameServer(ctxT(t), e.ns.Addr(), "t", ""))
		assert.Empty(t, e.ns.DataLoss())
	})
}

func TestQueryTopicsByConsumer(t *testing.T) {
	e := newAuditEnv(t)
	e.b.SetConsumerOffset("g", "%RETRY%g", 0, 0)
	got, err := e.c.TopicsByConsumer(ctxT(t), e.b.Addr(), "g")
	require.NoError(t, err)
	assert.Equal(t, []string{"%RETRY%g", "t", "u"}, got)

	// Deleting a topic drops every group's offsets on it
	// (ConsumerOffsetManager.cleanOffsetByTopic), so it is no longer listed.
	require.NoError(t, e.c.DeleteTopicInBroker(ctxT(t), e.b.Addr(), "t"))
	got, err = e.c.TopicsByConsumer(ctxT(t), e.b.Addr(), "g")
	require.NoError(t, err)
	assert.Equal(t, []string{"%RETRY%g", "u"}, got)

	got, err = e.c.TopicsByConsumer(ctxT(t), e.b.Addr(), "nobody")
	require.NoError(t, err)
	assert.Empty(t, got)

	reqs := e.b.Requests()
	assert.Equal(t, map[string]string{"group": "nobody"}, reqs[len(reqs)-1].ExtFields)
}

func TestQueryTopicConsumeByWho(t *testing.T) {
	e := newAuditEnv(t)
	e.b.SetConsumerOffset("h", "t", 0, 0)
	got, err := e.c.TopicConsumers(ctxT(t), e.b.Addr(), "t")
	require.NoError(t, err)
	assert.Contains(t, got, "h")
	assert.NotContains(t, got, "nobody")

	// Deleting the topic drops the offsets that named its groups.
	require.NoError(t, e.c.DeleteTopicInBroker(ctxT(t), e.b.Addr(), "t"))
	got, err = e.c.TopicConsumers(ctxT(t), e.b.Addr(), "t")
	require.NoError(t, err)
	assert.Empty(t, got)
}
