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
