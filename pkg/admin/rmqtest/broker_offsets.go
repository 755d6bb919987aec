package rmqtest

import (
	"sort"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// topicsByConsumer follows AdminBrokerProcessor.queryTopicsByConsumer: the
// topics the group has consumer offsets on
// (ConsumerOffsetManager.whichTopicByConsumer), whether or not the group or
// the topic still exists, in a TopicList with the broker's address. The
// group header is @CFNotNull.
func (b *Broker) topicsByConsumer(req *remoting.Command) *remoting.Command {
	h := headerOf(req)
	group := h.str("group", true)
	if r := h.failed(); r != nil {
		return r
	}
	topics := b.topicsOfGroup(group)
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
