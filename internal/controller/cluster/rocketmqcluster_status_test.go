package cluster

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/nsaddr"
)

func twoGroups() v1alpha1.RocketMQClusterSpec {
	return v1alpha1.RocketMQClusterSpec{
		NameServer: v1alpha1.NameServerSpec{Replicas: ptr.To[int32](2), HostNetwork: true},
		Broker:     v1alpha1.BrokerSpec{Groups: ptr.To[int32](2), ReplicasPerGroup: ptr.To[int32](1)},
	}
}

// TestStatusLifecycle: Progressing while pods start, Ready when all are,
// Degraded when a master goes, observedGeneration following the spec.
func TestStatusLifecycle(t *testing.T) {
	f := newFixture(t, twoGroups())
	startManager(t, env.Config, []string{f.ns}, testOptions())

	c := f.waitStatus("Progressing", func(c *v1alpha1.RocketMQCluster) bool {
		return isTrue(c, v1alpha1.ConditionProgressing) && c.Status.NameServer != nil
	})
	assert.Equal(t, c.Generation, c.Status.ObservedGeneration)
	assert.False(t, isTrue(c, v1alpha1.ConditionReady))
	assert.False(t, isTrue(c, v1alpha1.ConditionDegraded), "pods that never ran are not damage")
	assert.Equal(t, v1alpha1.ComponentStatus{Desired: 2, Ready: 0}, *c.Status.NameServer)

	f.addNameServer(0)
	f.addNameServer(1)
	list := f.nameServerList()
	f.addBroker(0, 0, list)
	c = f.waitStatus("group 0 counted", func(c *v1alpha1.RocketMQCluster) bool {
		return len(c.Status.BrokerGroups) == 2 && c.Status.BrokerGroups[0].Ready == 1
	})
	assert.False(t, isTrue(c, v1alpha1.ConditionReady), "group 1 has no pod yet")
	f.addBroker(1, 0, list)

	c = f.waitReady()
	assert.False(t, isTrue(c, v1alpha1.ConditionProgressing))
	assert.False(t, isTrue(c, v1alpha1.ConditionDegraded))
	assert.Equal(t, list, c.Status.NameServerAddresses)
	require.Len(t, c.Status.BrokerGroups, 2)
	for i, g := range c.Status.BrokerGroups {
		assert.Equal(t, v1alpha1.MetadataInitial, g.Metadata, "groups present at first Ready are Initial")
		assert.Equal(t, c.BrokerGroupName(int32(i))+"-0", g.Master)
		assert.Equal(t, int32(1), g.Ready)
	}
	f.checkConfigMap(list)

	// A master that stops being ready degrades the cluster.
	master := &corev1.Pod{}
	require.NoError(t, env.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: "demo-broker-1-0"}, master))
	require.NoError(t, env.SetPodReady(context.Background(), master, master.Status.PodIP, false))
	c = f.waitStatus("Degraded", func(c *v1alpha1.RocketMQCluster) bool { return isTrue(c, v1alpha1.ConditionDegraded) })
	assert.Equal(t, ReasonMasterLost, condition(c, v1alpha1.ConditionDegraded).Reason)
	assert.Contains(t, condition(c, v1alpha1.ConditionDegraded).Message, "demo-broker-1")
	assert.Equal(t, metav1.ConditionFalse, condition(c, v1alpha1.ConditionReady).Status)
	f.waitEvent("ClusterDegraded", "demo-broker-1 has had no ready master")
	f.waitEvent("ClusterReady", "every component ready")

	// A master pod that is gone too (at once: a pod still terminating
	// would be a replacement under way).
	require.NoError(t, env.Client.Delete(context.Background(), master, client.GracePeriodSeconds(0)))
	c = f.waitStatus("group 1 without pods, Degraded", func(c *v1alpha1.RocketMQCluster) bool {
		return c.Status.BrokerGroups[1].Ready == 0 && c.Status.BrokerGroups[1].Master == "" && isTrue(c, v1alpha1.ConditionDegraded)
	})
	assert.True(t, isTrue(c, v1alpha1.ConditionStalled), "a master away past the grace period needs a human")
	assert.NotNil(t, c.Status.BrokerGroups[1].MasterLostSince)

	// The pod comes back (a new broker with the current list): Ready again.
	f.addBroker(1, 0, list)
	f.waitReady()

	// A spec change: every condition describes the new generation.
	gen := f.updateSpec(func(s *v1alpha1.RocketMQClusterSpec) { s.Metrics.Interval = "45s" })
	c = f.waitStatus("new generation observed", func(c *v1alpha1.RocketMQCluster) bool {
		return c.Status.ObservedGeneration == gen
	})
	for _, cd := range c.Status.Conditions {
		assert.Equal(t, gen, cd.ObservedGeneration, cd.Type)
	}
	assert.True(t, isTrue(c, v1alpha1.ConditionReady))
}

func (f *fixture) checkConfigMap(list []string) {
	f.t.Helper()
	cm := &corev1.ConfigMap{}
	require.Eventually(f.t, func() bool {
		err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: f.name + "-nameserver-addresses"}, cm)
		return err == nil && cm.Data[ConfigMapKey] == nsaddr.Join(list)
	}, waitFor, 50*1e6)
	owner := metav1.GetControllerOf(cm)
	require.NotNil(f.t, owner)
	assert.Equal(f.t, v1alpha1.KindRocketMQCluster, owner.Kind)
	assert.Equal(f.t, f.name, owner.Name)
	assert.NotContains(f.t, cm.Labels, v1alpha1.LabelInstance, "Argo CD label tracking must not adopt the ConfigMap")
	assert.Equal(f.t, v1alpha1.ManagedBy, cm.Labels[v1alpha1.LabelManagedBy])
}

// TestControllerModeMasterFromNameServer: in Controller mode the master is
// whichever pod registered as broker id 0, read from the NameServer's
// cluster info, not ordinal 0.
func TestControllerModeMasterFromNameServer(t *testing.T) {
	spec := twoGroups()
	spec.Broker.Mode = v1alpha1.BrokerModeController
	spec.Broker.Groups = ptr.To[int32](1)
	spec.Broker.ReplicasPerGroup = ptr.To[int32](2)
	spec.Controller = &v1alpha1.ControllerSpec{Replicas: ptr.To[int32](1)}
	f := newFixture(t, spec)
	f.addNameServer(0)
	f.addNameServer(1)
	list := f.nameServerList()
	f.addPod(v1alpha1.ComponentController, -1, "demo-controller-0", f.ip())
	f.addBrokerWithID(0, 0, 1, list) // elected slave
	f.addBrokerWithID(0, 1, 0, list) // elected master
	startManager(t, env.Config, []string{f.ns}, testOptions())

	c := f.waitReady()
	assert.Equal(t, "demo-broker-0-1", groupState(c, 0).Master)
	assert.Equal(t, v1alpha1.ComponentStatus{Desired: 1, Ready: 1}, *c.Status.Controller)
	asked := f.nameServers["demo-nameserver-0"].CallCount(admin.CodeGetBrokerClusterInfo) +
		f.nameServers["demo-nameserver-1"].CallCount(admin.CodeGetBrokerClusterInfo)
	assert.Positive(t, asked, "the master came from a NameServer's cluster info")
}

// TestInvalidSpecIsReportedNotActedOn: a spec the renderer refuses makes
// the cluster Degraded with the field path, and no broker is contacted.
func TestInvalidSpecIsReportedNotActedOn(t *testing.T) {
	spec := twoGroups()
	// The schema cannot check map keys; Validate refuses keys it owns.
	spec.Broker.Config = map[string]v1alpha1.ConfigValue{"namesrvAddr": "10.0.0.1:9876"}
	f := newFixture(t, spec)
	f.addNameServer(0)
	f.addNameServer(1)
	f.addBroker(0, 0, []string{"127.0.0.1:1"})
	startManager(t, env.Config, []string{f.ns}, testOptions())
	c := f.waitStatus("Degraded", func(c *v1alpha1.RocketMQCluster) bool { return isTrue(c, v1alpha1.ConditionDegraded) })
	cd := condition(c, v1alpha1.ConditionDegraded)
	assert.Equal(t, ReasonInvalidSpec, cd.Reason)
	assert.Contains(t, cd.Message, "spec.broker.config")
	assert.Equal(t, int32(2), c.Status.NameServer.Ready, "status still counts pods")
	assert.Zero(t, f.broker("demo-broker-0-0").CallCount(admin.CodeGetBrokerConfig))
}
