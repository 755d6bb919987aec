package metadata

import (
	"testing"

	"github.com/stretchr/testify/assert"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

func TestJudgeTopic(t *testing.T) {
	spec := &v1alpha1.RocketMQTopic{ObjectMeta: metav1.ObjectMeta{Name: "orders"}, Spec: v1alpha1.RocketMQTopicSpec{
		Queues: ptr.To[int32](8), Attributes: map[string]string{"queue.type": "SimpleCQ"},
	}}
	want := wantTopic(spec)
	broker := func(mutate func(*admin.TopicConfig)) *admin.TopicConfig {
		tc := admin.NewTopicConfig("orders")
		tc.ReadQueueNums, tc.WriteQueueNums = 8, 8
		mutate(&tc)
		return &tc
	}
	cases := []struct {
		name    string
		cur     *admin.TopicConfig
		refusal string
		changes []string
	}{
		{"absent", nil, "", []string{"created"}},
		{"matches: no message.type means NORMAL, no queue.type means SimpleCQ", broker(func(*admin.TopicConfig) {}), "", nil},
		{"fewer queues grow", broker(func(tc *admin.TopicConfig) { tc.ReadQueueNums, tc.WriteQueueNums = 4, 4 }), "",
			[]string{"readQueues 4 → 8", "writeQueues 4 → 8"}},
		{"more read queues", broker(func(tc *admin.TopicConfig) { tc.ReadQueueNums = 9 }), v1alpha1.ReasonQueuesShrink, nil},
		{"more write queues", broker(func(tc *admin.TopicConfig) { tc.WriteQueueNums = 9 }), v1alpha1.ReasonQueuesShrink, nil},
		{"FIFO", broker(func(tc *admin.TopicConfig) { tc.Attributes = map[string]string{"message.type": "FIFO"} }),
			v1alpha1.ReasonMessageTypeChange, nil},
		{"BatchCQ", broker(func(tc *admin.TopicConfig) { tc.Attributes = map[string]string{"queue.type": "BatchCQ"} }),
			v1alpha1.ReasonAttributeUnchangeable, nil},
		{"perm", broker(func(tc *admin.TopicConfig) { tc.Perm = 4 }), "", []string{"perm 4 → 6"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := judgeTopic(want, c.cur)
			assert.Equal(t, c.refusal, v.refusal)
			assert.Equal(t, c.changes, v.changes)
			if c.cur != nil && len(v.changes) > 0 {
				assert.NotContains(t, v.send.Attributes, "queue.type", "an unchangeable attribute is never re-sent")
			}
		})
	}
}

func TestJudgeGroup(t *testing.T) {
	g := &v1alpha1.RocketMQConsumerGroup{ObjectMeta: metav1.ObjectMeta{Name: "billing"}}
	def := admin.NewSubscriptionGroupConfig("billing")
	assert.Empty(t, judgeGroup(g, &def).changes, "a group created with the Java defaults is adopted as it is")
	g.Spec.ConsumeEnable = ptr.To(false)
	g.Spec.RetryPolicy = &v1alpha1.GroupRetryPolicySpec{Type: v1alpha1.RetryPolicyExponential, Exponential: &v1alpha1.ExponentialRetrySpec{
		Initial: metav1.Duration{Duration: 1e9}, Max: metav1.Duration{Duration: 60e9}, Multiplier: 2}}
	def.SubscriptionDataSet = []admin.SimpleSubscriptionData{{Topic: "orders", ExpressionType: "TAG", Expression: "*"}}
	v := judgeGroup(g, &def)
	assert.Equal(t, []string{"consumeEnable true → false", "retryPolicy"}, v.changes)
	assert.Equal(t, def.SubscriptionDataSet, v.send.SubscriptionDataSet, "what the spec does not hold is kept")
	assert.Equal(t, &admin.ExponentialRetryPolicy{Initial: 1000, Max: 60000, Multiplier: 2}, v.send.GroupRetryPolicy.ExponentialRetryPolicy)
}
