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
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

func TestDrained(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	wiped := func(ago time.Duration) *metav1.Time { return &metav1.Time{Time: now.Add(-ago)} }
	for _, tc := range []struct {
		name string
		in   drainInput
		want bool
	}{
		{"settled, read, nothing left", drainInput{wipedSince: wiped(time.Minute), lagRead: true}, true},
		{"settle period just over", drainInput{wipedSince: wiped(30 * time.Second), settle: 30 * time.Second, lagRead: true}, true},
		{"within the settle period", drainInput{wipedSince: wiped(10 * time.Second), settle: 30 * time.Second, lagRead: true}, false},
		{"write permission not wiped everywhere", drainInput{lagRead: true}, false},
		{"lag left", drainInput{wipedSince: wiped(time.Minute), lagRead: true, remaining: 1}, false},
		{"lag unreadable", drainInput{wipedSince: wiped(time.Minute)}, false},
		{"master gone before it was drained", drainInput{wipedSince: wiped(time.Minute), masterGone: true}, false},
		{"master gone once drained", drainInput{wasDrained: true, masterGone: true}, true},
		{"drained before, lag back", drainInput{wipedSince: wiped(time.Minute), lagRead: true, remaining: 3, wasDrained: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.now = now
			assert.Equal(t, tc.want, drained(tc.in))
		})
	}
}

// retireOptions make a retiring group settle and be looked at quickly.
func retireOptions() Options {
	o := testOptions()
	o.RetireSettle = 300 * time.Millisecond
	o.RetireRecheck = 200 * time.Millisecond
	return o
}

func (f *fixture) nameServer(ordinal int) *rmqtest.NameServer {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.nameServers[fmt.Sprintf("%s-%d", f.name+"-"+v1alpha1.ComponentNameServer, ordinal)]
}

// routePerm is the perm the NameServer routes topic on brokerName with.
func routePerm(t *testing.T, ns *rmqtest.NameServer, topic, brokerName string) int {
	t.Helper()
	rd, ok := ns.Route(topic)
	require.True(t, ok, "no route of %s", topic)
	for _, qd := range rd.QueueDatas {
		if qd.BrokerName == brokerName {
			return qd.Perm
		}
	}
	t.Fatalf("route of %s has no queues on %s", topic, brokerName)
	return 0
}

func retiring(c *v1alpha1.RocketMQCluster, g int32) *v1alpha1.RetiringGroupStatus {
	for i := range c.Status.RetiringGroups {
		if c.Status.RetiringGroups[i].Group == g {
			return &c.Status.RetiringGroups[i]
		}
	}
	return nil
}

// TestScaleInDrainsRetiringGroup: 3→2 with unconsumed messages on the
// third group wipes its write permission on every NameServer and reports
// the lag; consuming it makes the group Drained with an Event naming the
// delete command; 2→3 restores the write permission.
func TestScaleInDrainsRetiringGroup(t *testing.T) {
	spec := twoGroups()
	spec.Broker.Groups = ptr.To[int32](3)
	f := newFixture(t, spec)
	f.addNameServer(0)
	f.addNameServer(1)
	list := f.nameServerList()
	for g := range int32(3) {
		f.addBroker(g, 0, list)
	}
	b2 := f.broker("demo-broker-2-0")
	orders := admin.NewTopicConfig("orders")
	orders.ReadQueueNums, orders.WriteQueueNums = 2, 2
	retry := admin.NewTopicConfig("%RETRY%billing")
	retry.ReadQueueNums, retry.WriteQueueNums = 1, 1
	b2.PutTopics(orders, retry)
	f.broker("demo-broker-0-0").PutTopics(orders)
	b2.PutGroups(admin.NewSubscriptionGroupConfig("billing"))
	b2.SetQueueOffsets("orders", 0, 10)
	b2.SetQueueOffsets("orders", 1, 5)
	b2.SetConsumerOffset("billing", "orders", 0, 7)
	b2.SetConsumerOffset("billing", "orders", 1, 5)
	b2.SetQueueOffsets("%RETRY%billing", 0, 2)
	b2.SetConsumerOffset("billing", "%RETRY%billing", 0, 0)
	// A topic whose group has not committed any offset yet: its lag is
	// invisible to consume stats, and counts from the min offset.
	auditLog, dlq := admin.NewTopicConfig("audit-log"), admin.NewTopicConfig("%DLQ%billing")
	auditLog.ReadQueueNums, auditLog.WriteQueueNums = 1, 1
	dlq.ReadQueueNums, dlq.WriteQueueNums = 1, 1
	b2.PutTopics(auditLog, dlq)
	b2.PutGroups(admin.NewSubscriptionGroupConfig("archiver"))
	b2.SetQueueOffsets("audit-log", 0, 4)
	b2.SetQueueOffsets("%DLQ%billing", 0, 3) // dead letters do not hold the drain
	b2.AddDelayed("orders", 0, 2, 1)         // written into orders when due: lag nobody's offsets show

	startManager(t, env.Config, []string{f.ns}, retireOptions())
	f.waitReady()
	for i := range 2 {
		require.Equal(t, admin.PermRead|admin.PermWrite, routePerm(t, f.nameServer(i), "orders", "demo-broker-2"))
	}

	f.updateSpec(func(s *v1alpha1.RocketMQClusterSpec) { s.Broker.Groups = ptr.To[int32](2) })
	c := f.waitStatus("group 2 Retiring with its lag", func(c *v1alpha1.RocketMQCluster) bool {
		r := retiring(c, 2)
		return c.Status.ObservedGeneration == c.Generation && r != nil && r.Phase == v1alpha1.RetiringPhaseRetiring && r.RemainingMessages == 10
	})
	r := retiring(c, 2)
	assert.Equal(t, "demo-broker-2", r.Name)
	assert.Equal(t, []v1alpha1.GroupLag{
		{Topic: "audit-log", ConsumerGroup: "", Messages: 4},
		{Topic: "orders", ConsumerGroup: "billing", Messages: 3},
		{Topic: "%RETRY%billing", ConsumerGroup: "billing", Messages: 2},
		{Topic: "SCHEDULE_TOPIC_XXXX", Messages: 1},
	}, r.Lag)
	assert.Len(t, c.Status.BrokerGroups, 2)
	assert.False(t, isTrue(c, v1alpha1.ConditionDegraded), "a retiring group is no damage: %s", statusString(c))
	assert.Equal(t, ReasonGroupRetiring, condition(c, v1alpha1.ConditionProgressing).Reason)
	assert.False(t, isTrue(c, v1alpha1.ConditionReady))
	for i := range 2 {
		assert.Zero(t, routePerm(t, f.nameServer(i), "orders", "demo-broker-2")&admin.PermWrite, "write permission on NameServer %d", i)
		assert.Equal(t, admin.PermRead|admin.PermWrite, routePerm(t, f.nameServer(i), "orders", "demo-broker-0")&(admin.PermRead|admin.PermWrite),
			"other groups keep theirs")
	}

	// The consumers catch up, the delayed message included.
	b2.SetConsumerOffset("billing", "orders", 0, 10)
	b2.SetConsumerOffset("billing", "%RETRY%billing", 0, 2)
	b2.SetConsumerOffset("archiver", "audit-log", 0, 4)
	f.waitStatus("group 2 waits for its delayed message", func(c *v1alpha1.RocketMQCluster) bool {
		r := retiring(c, 2)
		return r != nil && r.Phase == v1alpha1.RetiringPhaseRetiring && r.RemainingMessages == 1
	})
	b2.DeliverDelayed(2, 1)
	b2.SetConsumerOffset("billing", "orders", 0, 11)
	b2.SetConsumerOffset("billing", "%RETRY%billing", 0, 2)
	c = f.waitStatus("group 2 Drained", func(c *v1alpha1.RocketMQCluster) bool {
		r := retiring(c, 2)
		return r != nil && r.Phase == v1alpha1.RetiringPhaseDrained
	})
	assert.Zero(t, retiring(c, 2).RemainingMessages)
	assert.Empty(t, retiring(c, 2).Lag)
	f.waitEvent(ReasonGroupDrained, fmt.Sprintf("kubectl -n %s delete statefulset demo-broker-2 && kubectl -n %s delete pvc -l "+
		"app.kubernetes.io/component=broker,app.kubernetes.io/name=rocketmq,rocketmq.gitops.dev/broker-group=2,rocketmq.gitops.dev/cluster=demo", f.ns, f.ns))
	c = f.waitReady()
	assert.Equal(t, v1alpha1.RetiringPhaseDrained, retiring(c, 2).Phase, "Ready once Drained; the group stays listed while it exists")

	var audited []rmqtest.DataLosser
	for _, name := range []string{"demo-broker-0-0", "demo-broker-1-0", "demo-broker-2-0"} {
		audited = append(audited, f.broker(name))
	}
	audited = append(audited, f.nameServer(0), f.nameServer(1))
	assert.Empty(t, rmqtest.CollectDataLoss(audited...))

	// Scaling out again brings the group back with its write permission.
	f.updateSpec(func(s *v1alpha1.RocketMQClusterSpec) { s.Broker.Groups = ptr.To[int32](3) })
	f.waitStatus("group 2 back", func(c *v1alpha1.RocketMQCluster) bool {
		return c.Status.ObservedGeneration == c.Generation && len(c.Status.RetiringGroups) == 0 && len(c.Status.BrokerGroups) == 3
	})
	for i := range 2 {
		assert.Equal(t, admin.PermRead|admin.PermWrite, routePerm(t, f.nameServer(i), "orders", "demo-broker-2"), "NameServer %d", i)
	}
	f.waitEvent(ReasonGroupRestored, "demo-broker-2")
	f.waitReady()
	assert.Empty(t, rmqtest.CollectDataLoss(audited...))
}

// addGroupObjects creates group g's StatefulSet, as rendered (claims
// retained on delete), and the claim of its pod 0, labelled as the
// StatefulSet controller labels it: with the StatefulSet's selector.
func (f *fixture) addGroupObjects(g int32) (*appsv1.StatefulSet, *corev1.PersistentVolumeClaim) {
	f.t.Helper()
	c := f.cluster()
	name := c.BrokerGroupName(g)
	sel := c.SelectorLabels(v1alpha1.ComponentBroker, g)
	sts := &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name, Labels: c.Labels(v1alpha1.ComponentBroker, g)},
		Spec: appsv1.StatefulSetSpec{
			Replicas:    ptr.To[int32](1),
			ServiceName: name,
			Selector:    &metav1.LabelSelector{MatchLabels: sel},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: c.Labels(v1alpha1.ComponentBroker, g)},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "broker", Image: "apache/rocketmq:5.3.3"}}},
			},
			PersistentVolumeClaimRetentionPolicy: &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
				WhenDeleted: appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
				WhenScaled:  appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
			},
		},
	}
	require.NoError(f.t, env.Client.Create(context.Background(), sts))
	pvc := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "store-" + name + "-0", Labels: sel},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
		},
	}
	require.NoError(f.t, env.Client.Create(context.Background(), pvc))
	return sts, pvc
}

// TestScaleInDeletePolicy: with retiredGroupPolicy Delete the controller
// deletes a drained group's StatefulSet, and never its claims.
func TestScaleInDeletePolicy(t *testing.T) {
	spec := twoGroups()
	spec.Broker.Groups = ptr.To[int32](3)
	spec.Broker.RetiredGroupPolicy = v1alpha1.RetiredGroupDelete
	f := newFixture(t, spec)
	f.addNameServer(0)
	f.addNameServer(1)
	list := f.nameServerList()
	for g := range int32(3) {
		f.addBroker(g, 0, list)
	}
	b2 := f.broker("demo-broker-2-0")
	orders := admin.NewTopicConfig("orders")
	b2.PutTopics(orders)
	b2.PutGroups(admin.NewSubscriptionGroupConfig("billing"))
	b2.SetQueueOffsets("orders", 0, 4)
	b2.SetConsumerOffset("billing", "orders", 0, 1)
	sts, pvc := f.addGroupObjects(2)

	startManager(t, env.Config, []string{f.ns}, retireOptions())
	f.waitReady()
	f.updateSpec(func(s *v1alpha1.RocketMQClusterSpec) { s.Broker.Groups = ptr.To[int32](2) })
	f.waitStatus("group 2 Retiring with its lag", func(c *v1alpha1.RocketMQCluster) bool {
		r := retiring(c, 2)
		return r != nil && r.Phase == v1alpha1.RetiringPhaseRetiring && r.RemainingMessages == 3
	})
	ctx := context.Background()
	require.NoError(t, env.Client.Get(ctx, client.ObjectKeyFromObject(sts), &appsv1.StatefulSet{}), "not deleted while messages are left")

	b2.SetConsumerOffset("billing", "orders", 0, 4)
	f.waitStatus("group 2 Drained", func(c *v1alpha1.RocketMQCluster) bool {
		r := retiring(c, 2)
		return r != nil && r.Phase == v1alpha1.RetiringPhaseDrained
	})
	require.Eventually(t, func() bool {
		return apierrors.IsNotFound(env.Client.Get(ctx, client.ObjectKeyFromObject(sts), &appsv1.StatefulSet{}))
	}, waitFor, 50*time.Millisecond, "the drained group's StatefulSet is deleted")
	f.waitEvent(ReasonRetiredDeleted, "deleted StatefulSet demo-broker-2")
	require.NoError(t, env.Client.Get(ctx, client.ObjectKeyFromObject(pvc), &corev1.PersistentVolumeClaim{}), "the claim is kept")
	assert.Empty(t, rmqtest.CollectDataLoss(b2, f.nameServer(0), f.nameServer(1)))
}
