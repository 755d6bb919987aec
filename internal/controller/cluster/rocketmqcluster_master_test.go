package cluster

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/nsaddr"
)

// addDNSBroker starts an emulated broker that registers, as rendered
// brokers do, under brokerIP1 = its pod's DNS name plus suffix (a cluster
// domain or nothing), and its ready pod with that subdomain. The emulator
// listens on a loopback address, which becomes the pod IP: the controller
// must map the name to the pod, never resolve it.
func (f *fixture) addDNSBroker(group int32, ordinal int, id int64, namesrvAddr []string, suffix string) *corev1.Pod {
	f.t.Helper()
	ip := f.ip()
	c := f.cluster()
	set := c.BrokerGroupName(group)
	name := fmt.Sprintf("%s-%d", set, ordinal)
	b, err := rmqtest.NewBroker(rmqtest.BrokerOptions{
		Addr: ip + ":10911", ClusterName: c.Name, BrokerName: set, BrokerID: id,
		Config: map[string]string{
			nsaddr.ConfigKey: nsaddr.Join(namesrvAddr),
			"brokerIP1":      fmt.Sprintf("%s.%s.%s.svc%s", name, set, f.ns, suffix),
		},
	})
	require.NoError(f.t, err)
	f.t.Cleanup(func() { _ = b.Close() })
	f.mu.Lock()
	f.brokers[name] = b
	f.mu.Unlock()
	return f.addPod(v1alpha1.ComponentBroker, group, name, ip, func(p *corev1.Pod) { p.Spec.Subdomain = set })
}

// TestControllerModeMasterByDNSName: brokers register under their pod DNS
// names (with and without a cluster domain); the controller maps the
// NameServer's master address to the pod and reaches it at its pod IP.
func TestControllerModeMasterByDNSName(t *testing.T) {
	spec := twoGroups()
	spec.Broker.Mode = v1alpha1.BrokerModeController
	spec.Broker.ReplicasPerGroup = ptr.To[int32](2)
	spec.Controller = &v1alpha1.ControllerSpec{Replicas: ptr.To[int32](1)}
	f := newFixture(t, spec)
	f.addNameServer(0)
	f.addNameServer(1)
	list := f.nameServerList()
	f.addPod(v1alpha1.ComponentController, -1, "demo-controller-0", f.ip())
	f.addDNSBroker(0, 0, 1, list, "")
	f.addDNSBroker(0, 1, 0, list, "") // elected master
	f.addDNSBroker(1, 0, 0, list, ".cluster.local")
	f.addDNSBroker(1, 1, 1, list, ".cluster.local")
	info, err := f.admin.ClusterInfo(context.Background(), list[0])
	require.NoError(t, err)
	require.Equal(t, "demo-broker-0-1.demo-broker-0."+f.ns+".svc:10911", info.BrokerAddrTable["demo-broker-0"].MasterAddr(),
		"the emulated broker registers under its DNS name")
	startManager(t, env.Config, []string{f.ns}, testOptions())

	c := f.waitReady()
	assert.Equal(t, "demo-broker-0-1", groupState(c, 0).Master)
	assert.Equal(t, "demo-broker-1-0", groupState(c, 1).Master)
	assert.False(t, isTrue(c, v1alpha1.ConditionDegraded))
	assert.False(t, isTrue(c, v1alpha1.ConditionStalled))
	assert.False(t, isTrue(c, v1alpha1.ConditionReconciling))
}

// brokerSet creates a group's StatefulSet and writes the status the
// StatefulSet controller would: every pod at revision rev.
func (f *fixture) brokerSet(group int32, rev string) {
	f.t.Helper()
	name := f.cluster().BrokerGroupName(group)
	f.addStatefulSet(name, v1alpha1.ComponentBroker, group, 1)
	f.setRevisions(name, rev, rev, 1)
}

// setRevisions writes a StatefulSet's rollout status as its controller
// would.
func (f *fixture) setRevisions(name, current, update string, updated int32) {
	f.t.Helper()
	ctx := context.Background()
	require.Eventually(f.t, func() bool {
		sts := &appsv1.StatefulSet{}
		if err := env.Client.Get(ctx, client.ObjectKey{Namespace: f.ns, Name: name}, sts); err != nil {
			return false
		}
		sts.Status = appsv1.StatefulSetStatus{
			ObservedGeneration: sts.Generation, Replicas: 1, ReadyReplicas: 1, AvailableReplicas: 1,
			CurrentReplicas: 1, UpdatedReplicas: updated, CurrentRevision: current, UpdateRevision: update,
		}
		return env.Client.Status().Update(ctx, sts) == nil
	}, waitFor, 50*time.Millisecond)
}

// TestRollingUpdateIsNotDegraded: a broker.conf change rolls group 1; its
// master pod is not ready for longer than the grace period while the
// StatefulSet rolls. The cluster is Progressing and Reconciling, never
// Degraded or Stalled, and no Warning Event is recorded.
func TestRollingUpdateIsNotDegraded(t *testing.T) {
	f := newFixture(t, twoGroups())
	f.addNameServer(0)
	f.addNameServer(1)
	list := f.nameServerList()
	for g := range int32(2) {
		f.brokerSet(g, "r1")
		f.addBroker(g, 0, list)
	}
	startManager(t, env.Config, []string{f.ns}, testOptions())
	ready := f.waitReady()

	// The StatefulSet controller starts the roll and takes pod -0 down.
	f.setRevisions("demo-broker-1", "r1", "r2", 0)
	master := &corev1.Pod{}
	require.NoError(t, env.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: "demo-broker-1-0"}, master))
	require.NoError(t, env.SetPodReady(context.Background(), master, master.Status.PodIP, false))
	c := f.waitStatus("rolling", func(c *v1alpha1.RocketMQCluster) bool {
		return groupState(c, 1).Master == "" && isTrue(c, v1alpha1.ConditionProgressing)
	})
	assert.Equal(t, ReasonRollingUpdate, condition(c, v1alpha1.ConditionProgressing).Reason)
	assert.Contains(t, condition(c, v1alpha1.ConditionProgressing).Message, "demo-broker-1")
	assert.True(t, isTrue(c, v1alpha1.ConditionReconciling))
	assert.NotNil(t, groupState(c, 1).MasterLostSince, "the loss is recorded even during a roll")
	time.Sleep(3 * testOptions().MasterLostGrace) // well past the grace period

	// The new pod is ready; the roll completes.
	require.NoError(t, env.SetPodReady(context.Background(), master, master.Status.PodIP, true))
	f.setRevisions("demo-broker-1", "r2", "r2", 1)
	history := f.statusHistory(ready.ResourceVersion, func(c *v1alpha1.RocketMQCluster) bool {
		return isTrue(c, v1alpha1.ConditionReady) && groupState(c, 1).Master != ""
	})
	for _, c := range history {
		assert.False(t, isTrue(c, v1alpha1.ConditionDegraded), "Degraded during a roll: %s", statusString(c))
		assert.False(t, isTrue(c, v1alpha1.ConditionStalled), "Stalled during a roll: %s", statusString(c))
	}
	assert.Nil(t, groupState(history[len(history)-1], 1).MasterLostSince)
	f.waitEvent("ClusterReady", "every component ready")
	var events eventsv1.EventList
	require.NoError(t, env.Client.List(context.Background(), &events, client.InNamespace(f.ns)))
	for _, e := range events.Items {
		assert.NotEqual(t, corev1.EventTypeWarning, e.Type, "Warning during a roll: %s %s", e.Reason, e.Note)
	}
}
