package metadata

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/testenv"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// TestNamespaceSelector: a topic from a namespace the selector does not
// match is refused; labelling the namespace lets it through.
func TestNamespaceSelector(t *testing.T) {
	sel := &metav1.LabelSelector{MatchLabels: map[string]string{"rocketmq.gitops.dev/demo": "allowed"}}
	f := newFixture(t, 1, withSelector(sel))
	team := env.NewNamespace(t, testenv.PodSecurityRestricted)
	startManager(t, testOptions())

	obj := f.topicIn(team, "team-orders")
	waitObject(t, obj, "NamespaceNotAllowed", func(o *v1alpha1.RocketMQTopic) bool {
		return reasonIs(&o.Status.MetadataObjectStatus, o.Generation, v1alpha1.ConditionStalled, v1alpha1.ReasonNamespaceNotAllowed)
	})
	assert.NotContains(t, f.brokers[0].Topics(), "team-orders")

	var ns corev1.Namespace
	require.NoError(t, env.Client.Get(context.Background(), client.ObjectKey{Name: team}, &ns))
	ns.Labels["rocketmq.gitops.dev/demo"] = "allowed"
	require.NoError(t, env.Client.Update(context.Background(), &ns))
	waitObject(t, obj, "Ready", topicReady)
	assert.Contains(t, f.brokers[0].Topics(), "team-orders")
}

// TestScaleOutCarriesTopics: a broker group added to the cluster gets every
// topic and group that selects all groups, and not those naming groups.
func TestScaleOutCarriesTopics(t *testing.T) {
	f := newFixture(t, 1)
	startManager(t, testOptions())
	all := waitObject(t, f.topic("everywhere"), "Ready", topicReady)
	pinned := waitObject(t, f.topic("pinned", func(t *v1alpha1.RocketMQTopic) {
		t.Spec.BrokerGroups = []string{"demo-broker-0"}
	}), "Ready", topicReady)
	g := waitObject(t, f.group("billing"), "Ready", groupReady)
	missing := f.topic("missing", func(t *v1alpha1.RocketMQTopic) { t.Spec.BrokerGroups = []string{"demo-broker-7"} })
	waitObject(t, missing, "BrokerGroupNotFound", func(o *v1alpha1.RocketMQTopic) bool {
		return reasonIs(&o.Status.MetadataObjectStatus, o.Generation, v1alpha1.ConditionStalled, v1alpha1.ReasonBrokerGroupNotFound)
	})

	added := f.addGroup()
	waitObject(t, all, "on two groups", func(o *v1alpha1.RocketMQTopic) bool {
		return topicReady(o) && len(o.Status.BrokerGroups) == 2
	})
	waitObject(t, g, "on two groups", func(o *v1alpha1.RocketMQConsumerGroup) bool {
		return groupReady(o) && len(o.Status.BrokerGroups) == 2
	})
	assert.Contains(t, added.Topics(), "everywhere")
	assert.Contains(t, added.Groups(), "billing")
	assert.NotContains(t, added.Topics(), "pinned")
	waitObject(t, pinned, "Ready", topicReady)
	assert.Equal(t, []string{"demo-broker-0"}, pinned.Status.BrokerGroups)
}

// TestBrokerErrorRetried: a refused batch is reported and retried.
func TestBrokerErrorRetried(t *testing.T) {
	f := newFixture(t, 1)
	f.brokers[0].FailNth(admin.CodeUpdateAndCreateTopicList, 1, admin.CodeSystemError, "store is busy")
	startManager(t, testOptions())
	obj := waitObject(t, f.topic("orders"), "Ready", topicReady)
	assert.Equal(t, []string{"demo-broker-0"}, obj.Status.BrokerGroups)
	assert.GreaterOrEqual(t, f.brokers[0].CallCount(admin.CodeUpdateAndCreateTopicList), 2)
}

// TestACL: brokers that require signed requests get them, signed with the
// admin user of the cluster's ACL Secret.
func TestACL(t *testing.T) {
	auth := &rmqtest.Auth{AccessKey: "rocketmq-admin", SecretKey: "s3cret-value"}
	f := newFixture(t, 1, withAuth(auth))
	startManager(t, testOptions())
	waitObject(t, f.topic("orders", func(t *v1alpha1.RocketMQTopic) { t.Spec.Queues = ptr.To[int32](2) }), "Ready", topicReady)
	waitObject(t, f.group("billing"), "Ready", groupReady)
	assert.Equal(t, 2, f.brokers[0].Topics()["orders"].ReadQueueNums)
}
