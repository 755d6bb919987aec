package cluster

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/metadatacopy"
)

// TestScaleOutHoldsTopicsOfUnfinishedTransfers: while a TopicTransfer
// moves a topic off the cluster (named by clusterRef in one transfer and by
// its NameServer addresses in another), a scale-out's metadata copy leaves
// those topics off the new group and lists them in metadataHeld. When the
// transfer ends the copy runs again: a topic still on the source (a
// rollback) reaches the new group, and nothing is held any more.
func TestScaleOutHoldsTopicsOfUnfinishedTransfers(t *testing.T) {
	f := newFixture(t, twoGroups())
	topics, groups := readyTwoGroups(t, f, 4)
	startManager(t, env.Config, []string{f.ns}, testOptions())
	f.waitReady()
	byRef := f.transfer("by-ref", topics[1], v1alpha1.TransferEndpoint{ClusterRef: &v1alpha1.ClusterReference{Name: f.name}})
	f.transfer("by-address", topics[2], v1alpha1.TransferEndpoint{ClusterName: f.name, NameServers: f.nameServerList()[:1]})

	f.scaleOutToThree()
	f.addBroker(2, 0, f.nameServerList())
	c := f.waitStatus("new group Synced", func(c *v1alpha1.RocketMQCluster) bool {
		return groupState(c, 2).Metadata == v1alpha1.MetadataSynced
	})
	assert.Equal(t, []string{topics[1], topics[2]}, groupState(c, 2).MetadataHeld)
	dst, err := f.admin.Topics(context.Background(), f.broker("demo-broker-2-0").Addr())
	require.NoError(t, err)
	assert.NotContains(t, dst, topics[1])
	assert.NotContains(t, dst, topics[2])
	f.checkCopied("demo-broker-2-0", []string{topics[0], topics[3]}, groups)
	f.waitEvent(metadatacopy.ReasonSynced, "2 topic(s) held back")

	byRef.Status.Phase = v1alpha1.TransferRolledBack
	require.NoError(t, env.Client.Status().Update(context.Background(), byRef))
	c = f.waitStatus("the copy resumed for the rolled-back topic", func(c *v1alpha1.RocketMQCluster) bool {
		g := groupState(c, 2)
		return g.Metadata == v1alpha1.MetadataSynced && slices.Equal(g.MetadataHeld, []string{topics[2]})
	})
	assert.Equal(t, int32(2), groupState(c, 2).MetadataAttempts)
	f.checkCopied("demo-broker-2-0", []string{topics[0], topics[1], topics[3]}, groups)
	f.waitEvent(metadatacopy.ReasonResumed, topics[1])
}

// transfer creates a TopicTransfer of topic from source to a target that
// is never dialled (no transfer controller runs here), so it stays
// unfinished until the test sets its phase.
func (f *fixture) transfer(name, topic string, source v1alpha1.TransferEndpoint) *v1alpha1.TopicTransfer {
	f.t.Helper()
	tt := &v1alpha1.TopicTransfer{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name},
		Spec: v1alpha1.TopicTransferSpec{
			Topic: topic, ConsumerGroups: []string{"billing-0"}, Source: source,
			Target: v1alpha1.TransferEndpoint{ClusterName: "elsewhere", NameServers: []string{f.prefix + "250:9876"}},
		},
	}
	require.NoError(f.t, env.Client.Create(context.Background(), tt))
	require.NoError(f.t, env.Client.Get(context.Background(), client.ObjectKeyFromObject(tt), tt))
	return tt
}
