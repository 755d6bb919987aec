package rmqtest

import (
	"strings"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// consumeStats follows AdminBrokerProcessor.getConsumeStats: for each topic
// asked for (topicList, else topic) that exists, one entry per read queue;
// a missing broker or consumer offset counts as 0. The emulator has no
// online consumers, so the subscription filter never removes a topic.
func (b *Broker) consumeStats(req *remoting.Command) *remoting.Command {
	group, topics, thrownResp := b.consumeStatsTopics(headerOf(req))
	if thrownResp != nil {
		return thrownResp
	}
	b.mu.Lock()
	table := make(map[admin.MessageQueue]offsetWrapperJSON)
	for _, topic := range topics {
		tc, ok := b.topics[topic]
		if !ok {
			continue
		}
		for q := 0; q < tc.ReadQueueNums; q++ {
			mq := admin.MessageQueue{Topic: topic, BrokerName: b.opts.BrokerName, QueueID: q}
			broker := b.maxOffsets[queueKey{topic, q}]
			consumer := b.consumerOffsets[groupQueueKey{group, queueKey{topic, q}}]
			table[mq] = offsetWrapperJSON{BrokerOffset: broker, ConsumerOffset: consumer, PullOffset: consumer}
		}
	}
	b.mu.Unlock()
	out := []byte(`{"consumeTps":0.0,"offsetTable":`)
	out = append(out, queueKeyedJSON(table)...)
	resp := successResponse()
	resp.Body = append(out, '}')
	return resp
}

// consumeStatsTopics is getTopicsForCollectingConsumeStats: the topicList,
// else the topic, else the group's topics with offsets. It returns the
// group as the offset keys use it: a null one is "null" (the key is built
// as topic + "@" + group), which only a topicList lets through.
func (b *Broker) consumeStatsTopics(h *header) (string, []string, *remoting.Command) {
	group, hasGroup := h.str("consumerGroup")
	topicList, _ := h.str("topicList")
	topic, _ := h.str("topic")
	if topics := splitTopics(topicList); len(topics) > 0 {
		return javaString(group, hasGroup), topics, nil
	}
	if !hasGroup {
		return "", nil, b.consumeStatsOfNullGroup(topic)
	}
	if strings.TrimSpace(topic) != "" {
		return group, []string{topic}, nil
	}
	return group, b.topicsOfGroup(group), nil
}

// consumeStatsOfNullGroup is getTopicsForCollectingConsumeStats without a
// topicList and with a null group: with a blank topic,
// whichTopicByConsumer(null) calls group.equals on the first "topic@group"
// offset key; otherwise (or when there is none) findSubscriptionDataCount
// reaches consumerTable.get(null). The NPE leaves the processor.
func (b *Broker) consumeStatsOfNullGroup(topic string) *remoting.Command {
	if strings.TrimSpace(topic) == "" && b.hasGroupOffsets() {
		return npe(frameWhichTopic)
	}
	return npe(frameMapGet)
}

// hasGroupOffsets reports an offset key that splits into topic and group
// (an empty group leaves "topic@", one part after String.split).
func (b *Broker) hasGroupOffsets() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k := range b.consumerOffsets {
		if k.group != "" && k.topic != "" {
			return true
		}
	}
	return false
}

func splitTopics(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ";") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// topicsOfGroup is ConsumerOffsetManager.whichTopicByConsumer.
func (b *Broker) topicsOfGroup(group string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	seen := make(map[string]bool)
	var out []string
	for k := range b.consumerOffsets {
		if k.group == group && !seen[k.topic] {
			seen[k.topic] = true
			out = append(out, k.topic)
		}
	}
	return out
}

// topicStats follows AdminBrokerProcessor.getTopicStatsInfo: one entry per
// queue up to max(read, write) queue numbers; min offset 0 (nothing is
// ever cleaned up in the emulator).
func (b *Broker) topicStats(req *remoting.Command) *remoting.Command {
	topic, hasTopic := headerOf(req).str("topic")
	if !hasTopic {
		// TopicConfigManager.selectTopicConfig: topicConfigTable.get(null).
		return npe(frameMapGet)
	}
	b.mu.Lock()
	tc, ok := b.topics[topic]
	table := make(map[admin.MessageQueue]topicOffsetJSON)
	if ok {
		for q := 0; q < max(tc.ReadQueueNums, tc.WriteQueueNums); q++ {
			mq := admin.MessageQueue{Topic: topic, BrokerName: b.opts.BrokerName, QueueID: q}
			table[mq] = topicOffsetJSON{MaxOffset: b.maxOffsets[queueKey{topic, q}]}
		}
	}
	b.mu.Unlock()
	if !ok {
		return errorResponse(admin.CodeTopicNotExist, "topic["+topic+"] not exist")
	}
	out := []byte(`{"offsetTable":`)
	out = append(out, queueKeyedJSON(table)...)
	out = append(out, `,"topicPutTps":0.0}`...)
	resp := successResponse()
	resp.Body = out
	return resp
}

// offsetWrapperJSON is admin.OffsetWrapper in fastjson's field order.
type offsetWrapperJSON struct {
	BrokerOffset   int64 `json:"brokerOffset"`
	ConsumerOffset int64 `json:"consumerOffset"`
	LastTimestamp  int64 `json:"lastTimestamp"`
	PullOffset     int64 `json:"pullOffset"`
}

// topicOffsetJSON is admin.TopicOffset in fastjson's field order.
type topicOffsetJSON struct {
	LastUpdateTimestamp int64 `json:"lastUpdateTimestamp"`
	MaxOffset           int64 `json:"maxOffset"`
	MinOffset           int64 `json:"minOffset"`
}
