package metadata

import (
	"fmt"
	"maps"
	"sort"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// attributeDefaults are the values the broker assumes for an attribute a
// topic does not carry (TopicAttributes in apache/rocketmq 5.3: the default
// of each EnumAttribute). A topic created without message.type is NORMAL.
var attributeDefaults = map[string]string{
	v1alpha1.TopicAttributeMessageType: string(v1alpha1.MessageTypeNormal),
	"queue.type":                       "SimpleCQ",
	"cleanup.policy":                   "DELETE",
}

// wantTopic is the TopicConfig the spec declares, as it is created.
func wantTopic(t *v1alpha1.RocketMQTopic) admin.TopicConfig {
	read, write := t.Spec.QueueCounts()
	attrs := make(map[string]string, len(t.Spec.Attributes)+1)
	maps.Copy(attrs, t.Spec.Attributes)
	attrs[v1alpha1.TopicAttributeMessageType] = string(t.Spec.MessageTypeOrDefault())
	return admin.TopicConfig{
		TopicName: t.RocketMQName(), ReadQueueNums: int(read), WriteQueueNums: int(write),
		Perm: int(t.Spec.PermOrDefault()), TopicFilterType: admin.FilterSingleTag, Attributes: attrs,
	}
}

// topicVerdict is what one broker group's copy of a topic needs.
type topicVerdict struct {
	// refusal is the reason the topic is left alone ("" when none), and
	// why the difference that caused it.
	refusal, why string
	// changes name the fields to change ("readQueues 8 → 16").
	changes []string
	// send is the config to send when changes is not empty.
	send admin.TopicConfig
}

// judgeTopic compares the declared topic with the broker's copy (nil:
// absent). Queue counts may only grow and the message type and the
// unchangeable attributes may not change: a broker holding those is left
// alone. Attributes the broker has and the spec does not name are kept.
func judgeTopic(want admin.TopicConfig, cur *admin.TopicConfig) topicVerdict {
	if cur == nil {
		return topicVerdict{changes: []string{"created"}, send: want}
	}
	if cur.ReadQueueNums > want.ReadQueueNums || cur.WriteQueueNums > want.WriteQueueNums {
		return topicVerdict{refusal: v1alpha1.ReasonQueuesShrink, why: fmt.Sprintf(
			"queues: the broker has %d read and %d write queues, the spec %d and %d; queue counts may grow, never shrink (spec.queues)",
			cur.ReadQueueNums, cur.WriteQueueNums, want.ReadQueueNums, want.WriteQueueNums)}
	}
	mt := v1alpha1.TopicAttributeMessageType
	if got := attribute(cur.Attributes, mt); got != want.Attributes[mt] {
		return topicVerdict{refusal: v1alpha1.ReasonMessageTypeChange, why: fmt.Sprintf(
			"messageType: the broker has %s, the spec %s; a topic's message type cannot change (spec.messageType)", got, want.Attributes[mt])}
	}
	for _, k := range sortedKeys(want.Attributes) {
		if got := attribute(cur.Attributes, k); v1alpha1.IsUnchangeableTopicAttribute(k) && got != want.Attributes[k] {
			return topicVerdict{refusal: v1alpha1.ReasonAttributeUnchangeable, why: fmt.Sprintf(
				"attributes[%s]: the broker has %s, the spec %s; the broker cannot change it (spec.attributes)", k, got, want.Attributes[k])}
		}
	}
	return topicUpdate(want, *cur)
}

// topicUpdate lists what differs and builds the update: the broker's copy
// with the declared queues and perm, and only the attributes that change
// (re-sending an unchangeable one, even unchanged, would be refused).
func topicUpdate(want, cur admin.TopicConfig) topicVerdict {
	var v topicVerdict
	send := cur
	send.Attributes = nil
	if cur.ReadQueueNums != want.ReadQueueNums {
		v.changes = append(v.changes, fmt.Sprintf("readQueues %d → %d", cur.ReadQueueNums, want.ReadQueueNums))
	}
	if cur.WriteQueueNums != want.WriteQueueNums {
		v.changes = append(v.changes, fmt.Sprintf("writeQueues %d → %d", cur.WriteQueueNums, want.WriteQueueNums))
	}
	if cur.Perm != want.Perm {
		v.changes = append(v.changes, fmt.Sprintf("perm %d → %d", cur.Perm, want.Perm))
	}
	send.ReadQueueNums, send.WriteQueueNums, send.Perm = want.ReadQueueNums, want.WriteQueueNums, want.Perm
	for _, k := range sortedKeys(want.Attributes) {
		if got := attribute(cur.Attributes, k); got != want.Attributes[k] {
			v.changes = append(v.changes, fmt.Sprintf("attributes[%s] %s → %s", k, got, want.Attributes[k]))
			if send.Attributes == nil {
				send.Attributes = map[string]string{}
			}
			send.Attributes[k] = want.Attributes[k]
		}
	}
	v.send = send
	return v
}

// attribute is the broker's value of an attribute, or its default.
func attribute(attrs map[string]string, k string) string {
	if v, ok := attrs[k]; ok {
		return v
	}
	return attributeDefaults[k]
}

// topicState is what status.current reports of a broker's copy.
func topicState(tc *admin.TopicConfig) *v1alpha1.TopicState {
	st := &v1alpha1.TopicState{
		ReadQueues: int32(tc.ReadQueueNums), WriteQueues: int32(tc.WriteQueueNums), Perm: int32(tc.Perm),
		MessageType: v1alpha1.TopicMessageType(attribute(tc.Attributes, v1alpha1.TopicAttributeMessageType)),
	}
	for k, v := range tc.Attributes {
		if k == v1alpha1.TopicAttributeMessageType {
			continue
		}
		if st.Attributes == nil {
			st.Attributes = map[string]string{}
		}
		st.Attributes[k] = v
	}
	return st
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
