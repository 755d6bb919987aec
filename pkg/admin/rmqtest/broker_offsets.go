package rmqtest

import (
	"sort"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// topicsByConsumer follows AdminBrokerProcessor.queryTopicsByConsumer: the
// topics the group has consumer offsets on
// (ConsumerOffsetManager.whichTopicByConsumer), whether or not the group or
// the topic still exists, in a TopicList with the broker's address. A
// missing group reaches whichTopicByConsumer as null: group.equals throws
// on the first "topic@group" offset key, and without one the list is empty.
func (b *Broker) topicsByConsumer(req *remoting.Command) *remoting.Command {
	group, ok := headerOf(req).str("group")
	if !ok && b.hasGroupOffsets() {
		return npe(frameWhichTopic)
	}
	var topics []string
	if ok {
		topics = b.topicsOfGroup(group)
	}
	sort.Strings(topics)
	if topics == nil {
		topics = []string{}
	}
	resp := successResponse()
	resp.Body = mustJSON(struct {
		BrokerAddr string   `json:"brokerAddr"`
		TopicList  []string `json:"topicList"`
	}{b.Addr(), topics})
	return resp
}

// topicConsumeByWho follows AdminBrokerProcessor.queryTopicConsumeByWho:
// the groups with online consumers subscribed to the topic
// (ConsumerManager.queryTopicConsumeByWho; the emulator has none) plus the
// groups with consumer offsets on it (ConsumerOffsetManager.whichGroupByTopic),
// in a GroupList. The admin client always sends the topic; a missing one
// matches no offset key here.
func (b *Broker) topicConsumeByWho(req *remoting.Command) *remoting.Command {
	topic, _ := headerOf(req).str("topic")
	b.mu.Lock()
	seen := map[string]bool{}
	groups := []string{}
	for k := range b.consumerOffsets {
		if k.topic == topic && !seen[k.group] {
			seen[k.group] = true
			groups = append(groups, k.group)
		}
	}
	b.mu.Unlock()
	sort.Strings(groups)
	resp := successResponse()
	resp.Body = mustJSON(struct {
		GroupList []string `json:"groupList"`
	}{groups})
	return resp
}
