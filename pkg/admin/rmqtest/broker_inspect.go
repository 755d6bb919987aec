package rmqtest

import (
	"maps"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

// Topics returns a snapshot of the topic table, system topics included.
func (b *Broker) Topics() map[string]admin.TopicConfig {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[string]admin.TopicConfig, len(b.topics))
	for k, v := range b.topics {
		v.Attributes = maps.Clone(v.Attributes)
		out[k] = v
	}
	return out
}

// Groups returns a snapshot of the subscription group table.
func (b *Broker) Groups() map[string]admin.SubscriptionGroupConfig {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[string]admin.SubscriptionGroupConfig, len(b.groups))
	for k, g := range b.groups {
		out[k] = cloneGroup(g)
	}
	return out
}

// cloneGroup copies the pointer, slice and map fields of a group config.
func cloneGroup(g admin.SubscriptionGroupConfig) admin.SubscriptionGroupConfig {
	g.Attributes = maps.Clone(g.Attributes)
	g.SubscriptionDataSet = append([]admin.SimpleSubscriptionData(nil), g.SubscriptionDataSet...)
	if p := g.GroupRetryPolicy; p != nil {
		c := *p
		if p.ExponentialRetryPolicy != nil {
			e := *p.ExponentialRetryPolicy
			c.ExponentialRetryPolicy = &e
		}
		if p.CustomizedRetryPolicy != nil {
			cr := admin.CustomizedRetryPolicy{Next: append([]int64(nil), p.CustomizedRetryPolicy.Next...)}
			c.CustomizedRetryPolicy = &cr
		}
		g.GroupRetryPolicy = &c
	}
	return g
}

// Config returns a copy of the broker configuration.
func (b *Broker) Config() map[string]string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return maps.Clone(b.config)
}

// TopicDataVersion returns the topic table's data version.
func (b *Broker) TopicDataVersion() admin.DataVersion {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.topicVersion
}

// GroupDataVersion returns the subscription group table's data version.
func (b *Broker) GroupDataVersion() admin.DataVersion {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.groupVersion
}

// ConfigDataVersion returns the configuration's data version.
func (b *Broker) ConfigDataVersion() admin.DataVersion {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.configVersion
}

// SetQueueOffsets sets the max offset (messages written) of one queue, as
// the message store would report it.
func (b *Broker) SetQueueOffsets(topic string, queueID int, brokerOffset int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.maxOffsets[queueKey{topic, queueID}] = brokerOffset
}

// SetConsumerOffset sets a group's committed offset on one queue, as
// ConsumerOffsetManager.commitOffset would.
func (b *Broker) SetConsumerOffset(group, topic string, queueID int, offset int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.consumerOffsets[groupQueueKey{group, queueKey{topic, queueID}}] = offset
}

// PutTopics stores topics directly, without a request, and registers them
// with the NameServers (setup for tests that need large tables).
func (b *Broker) PutTopics(tcs ...admin.TopicConfig) {
	b.mu.Lock()
	for _, tc := range tcs {
		tc.Attributes = maps.Clone(tc.Attributes)
		tc.TopicFilterType = filterName(tc.TopicFilterType)
		b.topics[tc.TopicName] = tc
	}
	nextVersion(&b.topicVersion)
	b.mu.Unlock()
	b.register(tcs)
}

// PutGroups stores subscription groups directly, without a request.
func (b *Broker) PutGroups(gs ...admin.SubscriptionGroupConfig) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, g := range gs {
		b.groups[g.GroupName] = cloneGroup(g)
	}
	nextVersion(&b.groupVersion)
}
