package transfer

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// assertTransferred checks the end state of a successful transfer: the
// target holds the topic with the source's settings, the groups with their
// configs and their retry topics, on every master and in the route; the
// source holds none of it.
func (f *fixture) assertTransferred(t *testing.T) {
	t.Helper()
	want := f.origTopic[0]
	for _, b := range f.tgt.brokers {
		got, ok := b.Topics()[topicName]
		require.True(t, ok, "topic on target broker %s", b.Addr())
		assert.True(t, got.Equal(want), "target topic %+v, want %+v", got, want)
		for _, g := range groupNames {
			assertGroupEqual(t, f.origGroups[0][g], b.Groups()[g])
			retry, ok := b.Topics()["%RETRY%"+g]
			require.True(t, ok, "retry topic of %s on %s", g, b.Addr())
			assert.Equal(t, 2, retry.ReadQueueNums, "retry queues follow retryQueueNums")
			assert.Equal(t, admin.PermRead|admin.PermWrite, retry.Perm)
		}
	}
	route, ok := f.tgt.ns.Route(topicName)
	require.True(t, ok, "target route")
	assert.Len(t, route.QueueDatas, len(f.tgt.brokers))
	for _, b := range f.src.brokers {
		_, ok := b.Topics()[topicName]
		assert.False(t, ok, "topic left on source broker %s", b.Addr())
		for _, g := range groupNames {
			_, ok := b.Groups()[g]
			assert.False(t, ok, "group %s left on source broker %s", g, b.Addr())
		}
	}
	_, ok = f.src.ns.Route(topicName)
	assert.False(t, ok, "source route still lists the topic")
	assert.Empty(t, f.dataLoss(), "data-loss records")
}

// assertRolledBack checks that the source is exactly as before (topic
// config on every broker, groups, route perm), that the target holds
// nothing this transfer created when the rollback began before step 4, and
// everything when it began later (producers may have written to it), and
// that no emulator recorded a data loss.
func (f *fixture) assertRolledBack(t *testing.T, fromStep int32) {
	t.Helper()
	for i, b := range f.src.brokers {
		got, ok := b.Topics()[topicName]
		require.True(t, ok, "topic gone from source broker %s", b.Addr())
		assert.True(t, got.Equal(f.origTopic[i]), "source topic %+v, snapshot %+v", got, f.origTopic[i])
		for _, g := range groupNames {
			assertGroupEqual(t, f.origGroups[i][g], b.Groups()[g])
		}
	}
	route, ok := f.src.ns.Route(topicName)
	require.True(t, ok, "source route")
	for _, qd := range route.QueueDatas {
		assert.Equal(t, admin.PermRead|admin.PermWrite, qd.Perm, "route perm of %s", qd.BrokerName)
	}
	if fromStep >= v1alpha1.StepNumberSourceReadOnly {
		f.assertTargetRetained(t)
	} else {
		f.assertTargetClean(t)
	}
	assert.Empty(t, f.dataLoss(), "data-loss records")
}

// assertTargetRetained checks that the target still has the topic, the
// groups and their retry topics.
func (f *fixture) assertTargetRetained(t *testing.T) {
	t.Helper()
	for _, b := range f.tgt.brokers {
		topics, groups := b.Topics(), b.Groups()
		assert.Contains(t, topics, topicName, "target broker %s", b.Addr())
		for _, g := range groupNames {
			assert.Contains(t, groups, g, "target broker %s", b.Addr())
			assert.Contains(t, topics, "%RETRY%"+g, "target broker %s", b.Addr())
		}
	}
	_, ok := f.tgt.ns.Route(topicName)
	assert.True(t, ok, "target route")
}

// dataLoss collects the audit of every emulator of both clusters.
func (f *fixture) dataLoss() []rmqtest.DataLossRecord {
	var ds []rmqtest.DataLosser
	for _, c := range []*emuCluster{f.src, f.tgt} {
		ds = append(ds, c.ns)
		for _, b := range c.brokers {
			ds = append(ds, b)
		}
	}
	return rmqtest.CollectDataLoss(ds...)
}

func (f *fixture) assertTargetClean(t *testing.T) {
	t.Helper()
	for _, b := range f.tgt.brokers {
		topics, groups := b.Topics(), b.Groups()
		_, ok := topics[topicName]
		assert.False(t, ok, "topic left on target broker %s", b.Addr())
		for _, g := range groupNames {
			_, ok := groups[g]
			assert.False(t, ok, "group %s left on target broker %s", g, b.Addr())
			_, ok = topics["%RETRY%"+g]
			assert.False(t, ok, "retry topic of %s left on target broker %s", g, b.Addr())
		}
	}
	_, ok := f.tgt.ns.Route(topicName)
	assert.False(t, ok, "target route lists the topic")
}

func assertGroupEqual(t *testing.T, want, got admin.SubscriptionGroupConfig) {
	t.Helper()
	assert.Equal(t, want.GroupName, got.GroupName)
	assert.Equal(t, want.RetryMaxTimes, got.RetryMaxTimes, "retryMaxTimes of %s", want.GroupName)
	assert.Equal(t, want.RetryQueueNums, got.RetryQueueNums, "retryQueueNums of %s", want.GroupName)
	assert.Equal(t, want.ConsumeBroadcastEnable, got.ConsumeBroadcastEnable, "consumeBroadcastEnable of %s", want.GroupName)
}

// conditionOf returns the condition of the type, or a zero one.
func conditionOf(tt *v1alpha1.TopicTransfer, typ string) (status, reason string, gen int64) {
	for _, c := range tt.Status.Conditions {
		if c.Type == typ {
			return string(c.Status), c.Reason, c.ObservedGeneration
		}
	}
	return "", "", 0
}
