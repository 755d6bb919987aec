package metadata

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// TestCreateAdoptUpdateGrow: a new topic is created on every broker group;
// one made by hand that matches is adopted; a grown queue count and a
// changed perm are applied; groups are created with the declared settings.
func TestCreateAdoptUpdateGrow(t *testing.T) {
	f := newFixture(t, 2)
	byHand := admin.NewTopicConfig("by-hand")
	byHand.ReadQueueNums, byHand.WriteQueueNums, byHand.Perm = 8, 8, 6
	for _, b := range f.brokers {
		b.PutTopics(byHand)
	}
	startManager(t, testOptions())

	orders := f.topic("orders", func(t *v1alpha1.RocketMQTopic) { t.Spec.Queues = ptr.To[int32](4) })
	adopted := f.topic("by-hand")
	g := f.group("billing", func(g *v1alpha1.RocketMQConsumerGroup) {
		g.Spec.ConsumeOrderly, g.Spec.RetryMaxTimes = true, ptr.To[int32](3)
	})
	orders = waitObject(t, orders, "Ready", topicReady)
	assert.Equal(t, []string{"demo-broker-0", "demo-broker-1"}, orders.Status.BrokerGroups)
	assert.Equal(t, int32(4), orders.Status.Current.ReadQueues)
	assert.Equal(t, v1alpha1.MessageTypeNormal, orders.Status.Current.MessageType)
	waitObject(t, adopted, "Ready", topicReady)
	waitObject(t, g, "Ready", groupReady)
	for _, b := range f.brokers {
		tc := b.Topics()["orders"]
		assert.Equal(t, 4, tc.ReadQueueNums)
		assert.Equal(t, "NORMAL", tc.Attributes["message.type"])
		bg := b.Groups()["billing"]
		assert.True(t, bg.ConsumeMessageOrderly)
		assert.Equal(t, 3, bg.RetryMaxTimes)
	}
	eventually(t, "Adopted event", func() bool { return hasEvent(t, adopted, EventAdopted, "by-hand") })

	require.NoError(t, env.Client.Get(context.Background(), client.ObjectKeyFromObject(orders), orders))
	orders.Spec.Queues, orders.Spec.Perm = ptr.To[int32](16), ptr.To[int32](4)
	require.NoError(t, env.Client.Update(context.Background(), orders))
	waitObject(t, orders, "grown", func(o *v1alpha1.RocketMQTopic) bool {
		return topicReady(o) && o.Status.Current.ReadQueues == 16
	})
	for _, b := range f.brokers {
		tc := b.Topics()["orders"]
		assert.Equal(t, 16, tc.WriteQueueNums)
		assert.Equal(t, 4, tc.Perm)
	}
	eventually(t, "Updated event", func() bool { return hasEvent(t, orders, EventUpdated, "readQueues 4 → 16") })
}

// TestRefusals: a broker topic with more queues, another message type or
// another queue.type is left alone and the object is Stalled naming it.
func TestRefusals(t *testing.T) {
	f := newFixture(t, 1)
	big := admin.NewTopicConfig("big") // 16 queues
	fifo := admin.NewTopicConfig("fifo")
	fifo.ReadQueueNums, fifo.WriteQueueNums = 8, 8
	fifo.Attributes = map[string]string{"message.type": "FIFO"}
	batch := admin.NewTopicConfig("batch")
	batch.ReadQueueNums, batch.WriteQueueNums = 8, 8
	batch.Attributes = map[string]string{"queue.type": "BatchCQ"}
	f.brokers[0].PutTopics(big, fifo, batch)
	startManager(t, testOptions())

	cases := []struct{ name, reason, field string }{
		{"big", v1alpha1.ReasonQueuesShrink, "spec.queues"},
		{"fifo", v1alpha1.ReasonMessageTypeChange, "spec.messageType"},
		{"batch", v1alpha1.ReasonAttributeUnchangeable, "queue.type"},
	}
	for _, c := range cases {
		obj := f.topic(c.name, func(t *v1alpha1.RocketMQTopic) {
			if c.name == "batch" {
				t.Spec.Attributes = map[string]string{"queue.type": "SimpleCQ"}
			}
		})
		obj = waitObject(t, obj, c.reason, func(o *v1alpha1.RocketMQTopic) bool {
			return reasonIs(&o.Status.MetadataObjectStatus, o.Generation, v1alpha1.ConditionStalled, c.reason)
		})
		require.Len(t, obj.Status.Differences, 1, c.name)
		assert.Contains(t, obj.Status.Differences[0], c.field)
		assert.Equal(t, []string{"demo-broker-0"}, obj.Status.BrokerGroups, "the topic is there, left alone")
		eventually(t, c.reason+" event", func() bool { return hasEvent(t, obj, c.reason, c.field) })
	}
	assert.Equal(t, 16, f.brokers[0].Topics()["big"].ReadQueueNums, "never shrunk")
	assert.Equal(t, "FIFO", f.brokers[0].Topics()["fifo"].Attributes["message.type"])
	assert.Equal(t, "BatchCQ", f.brokers[0].Topics()["batch"].Attributes["queue.type"])
}

// TestDuplicateAndUnmanaged: the younger of two objects naming one topic is
// Stalled; an unmanaged topic that differs is reported and left alone.
func TestDuplicateAndUnmanaged(t *testing.T) {
	f := newFixture(t, 1)
	hand := admin.NewTopicConfig("legacy") // 16 queues, the spec says 8
	f.brokers[0].PutTopics(hand)
	startManager(t, testOptions())

	first := waitObject(t, f.topic("orders"), "Ready", topicReady)
	second := f.topic("orders-again", func(t *v1alpha1.RocketMQTopic) {
		t.Spec.TopicName = "orders"
		t.Spec.Queues = ptr.To[int32](32)
	})
	waitObject(t, second, "Duplicate", func(o *v1alpha1.RocketMQTopic) bool {
		return reasonIs(&o.Status.MetadataObjectStatus, o.Generation, v1alpha1.ConditionStalled, v1alpha1.ReasonDuplicate)
	})
	assert.Equal(t, 8, f.brokers[0].Topics()["orders"].ReadQueueNums, "the younger object changed nothing")
	waitObject(t, first, "still Ready", topicReady)

	legacy := f.topic("legacy", func(t *v1alpha1.RocketMQTopic) {
		t.Annotations = map[string]string{v1alpha1.AnnotationManaged: "false"}
		t.Spec.Queues = ptr.To[int32](32)
	})
	legacy = waitObject(t, legacy, "Unmanaged", func(o *v1alpha1.RocketMQTopic) bool {
		return reasonIs(&o.Status.MetadataObjectStatus, o.Generation, v1alpha1.ConditionReady, v1alpha1.ReasonUnmanaged)
	})
	assert.Equal(t, 16, f.brokers[0].Topics()["legacy"].ReadQueueNums)
	require.Len(t, legacy.Status.Differences, 1)
	assert.Contains(t, legacy.Status.Differences[0], "readQueues 16 → 32")
}

// TestDriftPutBack: what mqadmin changes or deletes by hand is put back on
// the next resync, with a DriftCorrected Event naming broker group and field.
func TestDriftPutBack(t *testing.T) {
	f := newFixture(t, 2)
	startManager(t, testOptions())
	orders := waitObject(t, f.topic("orders"), "Ready", topicReady)
	g := waitObject(t, f.group("billing"), "Ready", groupReady)

	ctx := context.Background()
	tc := f.brokers[1].Topics()["orders"]
	tc.Perm = 4
	tc.Attributes = nil
	require.NoError(t, f.admin.CreateTopic(ctx, f.brokers[1].Addr(), tc))
	require.NoError(t, f.admin.DeleteTopicInBroker(ctx, f.brokers[0].Addr(), "orders"))
	bg := f.brokers[0].Groups()["billing"]
	bg.ConsumeEnable = false
	require.NoError(t, f.admin.CreateGroup(ctx, f.brokers[0].Addr(), bg))

	eventually(t, "topic put back", func() bool {
		a, b := f.brokers[0].Topics()["orders"], f.brokers[1].Topics()["orders"]
		return a.ReadQueueNums == 8 && b.Perm == 6
	})
	eventually(t, "group put back", func() bool { return f.brokers[0].Groups()["billing"].ConsumeEnable })
	eventually(t, "DriftCorrected on broker-1", func() bool {
		return hasEvent(t, orders, EventDriftCorrected, "demo-broker-1 (perm 4 → 6)")
	})
	eventually(t, "DriftCorrected on broker-0", func() bool { return hasEvent(t, orders, EventDriftCorrected, "demo-broker-0 (created)") })
	eventually(t, "DriftCorrected group", func() bool { return hasEvent(t, g, EventDriftCorrected, "consumeEnable false → true") })
}
