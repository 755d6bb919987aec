package metadata

import (
	"fmt"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// groupVerdict is what one broker group's copy of a consumer group needs.
type groupVerdict struct {
	changes []string
	send    admin.SubscriptionGroupConfig
}

// judgeGroup compares the declared group with the broker's copy (nil:
// absent). Only the settings the spec holds are compared and sent; the
// rest of the broker's copy (subscriptions, retry queues, attributes) is
// kept as it is. Every group setting may change, so nothing is refused.
func judgeGroup(g *v1alpha1.RocketMQConsumerGroup, cur *admin.SubscriptionGroupConfig) groupVerdict {
	if cur == nil {
		send := admin.NewSubscriptionGroupConfig(g.RocketMQName())
		applyGroupSpec(&send, &g.Spec)
		return groupVerdict{changes: []string{"created"}, send: send}
	}
	send := *cur
	applyGroupSpec(&send, &g.Spec)
	var changes []string
	diff := func(field string, a, b any) {
		if fmt.Sprint(a) != fmt.Sprint(b) {
			changes = append(changes, fmt.Sprintf("%s %v → %v", field, a, b))
		}
	}
	diff("consumeOrderly", cur.ConsumeMessageOrderly, send.ConsumeMessageOrderly)
	diff("consumeBroadcast", cur.ConsumeBroadcastEnable, send.ConsumeBroadcastEnable)
	diff("consumeEnable", cur.ConsumeEnable, send.ConsumeEnable)
	diff("consumeFromMin", cur.ConsumeFromMinEnable, send.ConsumeFromMinEnable)
	diff("retryMaxTimes", cur.RetryMaxTimes, send.RetryMaxTimes)
	if g.Spec.RetryPolicy != nil && !sameRetryPolicy(cur.GroupRetryPolicy, send.GroupRetryPolicy) {
		changes = append(changes, "retryPolicy")
	}
	return groupVerdict{changes: changes, send: send}
}

// applyGroupSpec writes the declared settings onto a broker config.
func applyGroupSpec(c *admin.SubscriptionGroupConfig, s *v1alpha1.RocketMQConsumerGroupSpec) {
	c.ConsumeMessageOrderly = s.ConsumeOrderly
	c.ConsumeBroadcastEnable = boolOr(s.ConsumeBroadcast, true)
	c.ConsumeEnable = boolOr(s.ConsumeEnable, true)
	c.ConsumeFromMinEnable = boolOr(s.ConsumeFromMin, true)
	c.RetryMaxTimes = int(v1alpha1.DefaultRetryMaxTimes)
	if s.RetryMaxTimes != nil {
		c.RetryMaxTimes = int(*s.RetryMaxTimes)
	}
	if s.RetryPolicy != nil && !keepsBrokerDelays(c.GroupRetryPolicy, s.RetryPolicy) {
		c.GroupRetryPolicy = retryPolicy(s.RetryPolicy)
	}
}

// keepsBrokerDelays: a Customized policy without delays keeps the delays a
// customized broker copy already has.
func keepsBrokerDelays(cur *admin.GroupRetryPolicy, p *v1alpha1.GroupRetryPolicySpec) bool {
	return p.Type == v1alpha1.RetryPolicyCustomized && len(p.Next) == 0 && cur != nil && cur.Type == "CUSTOMIZED"
}

// retryPolicy is GroupRetryPolicy as the broker stores it: type names in
// capitals (GroupRetryPolicyType), delays in milliseconds.
func retryPolicy(p *v1alpha1.GroupRetryPolicySpec) *admin.GroupRetryPolicy {
	if p.Type == v1alpha1.RetryPolicyExponential && p.Exponential != nil {
		e := p.Exponential
		return &admin.GroupRetryPolicy{Type: "EXPONENTIAL", ExponentialRetryPolicy: &admin.ExponentialRetryPolicy{
			Initial: e.Initial.Milliseconds(), Max: e.Max.Milliseconds(), Multiplier: int64(e.Multiplier),
		}}
	}
	out := &admin.GroupRetryPolicy{Type: "CUSTOMIZED"}
	if len(p.Next) > 0 {
		next := make([]int64, len(p.Next))
		for i, d := range p.Next {
			next[i] = d.Milliseconds()
		}
		out.CustomizedRetryPolicy = &admin.CustomizedRetryPolicy{Next: next}
	}
	return out
}

// sameRetryPolicy compares what retryPolicy sets: a Customized policy
// without delays only names the type, leaving the broker's delay levels.
func sameRetryPolicy(cur, want *admin.GroupRetryPolicy) bool {
	if cur == nil || want == nil {
		return cur == want
	}
	if cur.Type != want.Type {
		return false
	}
	if want.ExponentialRetryPolicy != nil {
		return cur.ExponentialRetryPolicy != nil && *cur.ExponentialRetryPolicy == *want.ExponentialRetryPolicy
	}
	if want.CustomizedRetryPolicy != nil {
		return cur.CustomizedRetryPolicy != nil && fmt.Sprint(cur.CustomizedRetryPolicy.Next) == fmt.Sprint(want.CustomizedRetryPolicy.Next)
	}
	return true
}

func boolOr(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}
