package cluster

import (
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// withBacklog adds to a retiring broker's lag what it will still write
// into topics later: delayed messages (no group consumes
// SCHEDULE_TOPIC_XXXX, so consume stats never show them), timer messages
// (rmq_sys_wheel_timer), and half messages, counted by admin.BrokerBacklog
// from the check group's lag even before the check service committed an
// offset (which is when whichTopicByConsumer starts listing the half
// topic: its own entry is replaced, not added to). A broker retired with
// any of them would lose them with its volume.
func withBacklog(lag []v1alpha1.GroupLag, bl admin.Backlog) []v1alpha1.GroupLag {
	out := lag[:0]
	for _, l := range lag {
		if l.ConsumerGroup != admin.TransCheckGroup || l.Topic != admin.HalfTopic {
			out = append(out, l)
		}
	}
	for _, b := range []v1alpha1.GroupLag{
		{Topic: admin.ScheduleTopic, Messages: bl.Delayed},
		{Topic: "rmq_sys_wheel_timer", Messages: bl.Timer},
		{Topic: admin.HalfTopic, ConsumerGroup: admin.TransCheckGroup, Messages: bl.Half},
	} {
		if b.Messages > 0 {
			out = append(out, b)
		}
	}
	return out
}
