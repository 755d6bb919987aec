package metadata

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

func deletePolicy(t *v1alpha1.RocketMQTopic) { t.Spec.DeletionPolicy = v1alpha1.DeletionDelete }

func gone(obj client.Object) func() bool {
	return func() bool {
		err := env.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
		return apierrors.IsNotFound(err)
	}
}

func blocked(st *v1alpha1.MetadataObjectStatus, gen int64) bool {
	return reasonIs(st, gen, v1alpha1.ConditionReconciling, v1alpha1.ReasonDeleteBlocked)
}

// TestDeleteRetain: the object goes, the topic and group stay.
func TestDeleteRetain(t *testing.T) {
	f := newFixture(t, 1)
	startManager(t, testOptions())
	keep := waitObject(t, f.topic("keep"), "Ready", topicReady)
	g := waitObject(t, f.group("keeper"), "Ready", groupReady)
	assert.False(t, controllerutil.ContainsFinalizer(keep, v1alpha1.FinalizerMetadata), "Retain needs no finalizer")
	require.NoError(t, env.Client.Delete(context.Background(), keep))
	require.NoError(t, env.Client.Delete(context.Background(), g))
	eventually(t, "objects gone", func() bool { return gone(keep)() && gone(g)() })
	assert.Contains(t, f.brokers[0].Topics(), "keep")
	assert.Contains(t, f.brokers[0].Groups(), "keeper")
}

// TestDeleteWaitsForConsumers: deletionPolicy Delete waits while a group
// has unconsumed messages on the topic (and while the group itself has
// some), then deletes from every broker group and the NameServer; the
// emulators' audit finds nothing lost.
func TestDeleteWaitsForConsumers(t *testing.T) {
	f := newFixture(t, 2)
	startManager(t, testOptions())
	drop := waitObject(t, f.topic("drop", deletePolicy), "Ready", topicReady)
	g := waitObject(t, f.group("billing", func(g *v1alpha1.RocketMQConsumerGroup) {
		g.Spec.DeletionPolicy = v1alpha1.DeletionDelete
	}), "Ready", groupReady)
	assert.True(t, controllerutil.ContainsFinalizer(drop, v1alpha1.FinalizerMetadata))
	b := f.brokers[1]
	b.SetQueueOffsets("drop", 0, 10)
	b.SetConsumerOffset("billing", "drop", 0, 4)

	require.NoError(t, env.Client.Delete(context.Background(), drop))
	require.NoError(t, env.Client.Delete(context.Background(), g))
	drop = waitObject(t, drop, "UnconsumedMessages", func(o *v1alpha1.RocketMQTopic) bool {
		return blocked(&o.Status.MetadataObjectStatus, o.Generation)
	})
	assert.Contains(t, readyMessage(&drop.Status.MetadataObjectStatus), "consumer group billing has 6 unconsumed messages on demo-broker-1")
	g = waitObject(t, g, "UnconsumedMessages", func(o *v1alpha1.RocketMQConsumerGroup) bool {
		return blocked(&o.Status.MetadataObjectStatus, o.Generation)
	})
	assert.Contains(t, readyMessage(&g.Status.MetadataObjectStatus), "6 unconsumed messages of topic drop on demo-broker-1")
	assert.Contains(t, b.Topics(), "drop")
	eventually(t, "UnconsumedMessages event", func() bool { return hasEvent(t, drop, v1alpha1.ReasonDeleteBlocked, "billing") })

	b.SetConsumerOffset("billing", "drop", 0, 10) // the consumers caught up
	eventually(t, "objects gone", func() bool { return gone(drop)() && gone(g)() })
	for _, br := range f.brokers {
		assert.NotContains(t, br.Topics(), "drop")
		assert.NotContains(t, br.Groups(), "billing")
	}
	assert.NotContains(t, f.names.TopicNames(), "drop")
	assert.Empty(t, rmqtest.CollectDataLoss(f.brokers[0], f.brokers[1], f.names))
}

// TestDeleteUnreadMessages: messages no group ever consumed block the
// deletion until the force-delete annotation lets them go.
func TestDeleteUnreadMessages(t *testing.T) {
	f := newFixture(t, 1)
	startManager(t, testOptions())
	orphan := waitObject(t, f.topic("orphan", deletePolicy), "Ready", topicReady)
	f.brokers[0].SetQueueOffsets("orphan", 1, 3)
	require.NoError(t, env.Client.Delete(context.Background(), orphan))
	orphan = waitObject(t, orphan, "UnconsumedMessages", func(o *v1alpha1.RocketMQTopic) bool {
		return blocked(&o.Status.MetadataObjectStatus, o.Generation)
	})
	assert.Contains(t, readyMessage(&orphan.Status.MetadataObjectStatus), "3 messages on demo-broker-0 that no consumer group has consumed")
	require.NoError(t, env.Client.Get(context.Background(), client.ObjectKeyFromObject(orphan), orphan))
	orphan.Annotations = map[string]string{v1alpha1.AnnotationForceDelete: "true"}
	require.NoError(t, env.Client.Update(context.Background(), orphan))
	eventually(t, "object gone", gone(orphan))
	assert.NotContains(t, f.brokers[0].Topics(), "orphan")
}

func readyMessage(st *v1alpha1.MetadataObjectStatus) string {
	for _, c := range st.Conditions {
		if c.Type == v1alpha1.ConditionReady {
			return c.Message
		}
	}
	return ""
}

// TestDeleteStopsWritesFirst: a topic with deletionPolicy Delete is made
// read-only on every master before anything is judged consumed (a failed
// permission update is retried), and what a producer with an older route
// still sends during the settle period, which the broker accepts, holds
// the deletion until it is consumed: nothing is lost.
func TestDeleteStopsWritesFirst(t *testing.T) {
	f := newFixture(t, 2)
	opts := testOptions()
	opts.DeleteSettle = 3 * time.Second
	startManager(t, opts)
	orders := waitObject(t, f.topic("orders", deletePolicy), "Ready", topicReady)
	for _, b := range f.brokers {
		b.SetQueueOffsets("orders", 0, 10)
		b.SetConsumerOffset("billing", "orders", 0, 10) // everything consumed so far
		b.ResetCounts()
	}
	f.brokers[1].FailNth(admin.CodeUpdateAndCreateTopic, 1, admin.CodeSystemError, "injected: store busy")

	require.NoError(t, env.Client.Delete(context.Background(), orders))
	orders = waitObject(t, orders, "StoppingWrites", func(o *v1alpha1.RocketMQTopic) bool {
		return reasonIs(&o.Status.MetadataObjectStatus, o.Generation, v1alpha1.ConditionReconciling, v1alpha1.ReasonStoppingWrites)
	})
	require.NotNil(t, orders.Status.WritesStoppedAt)
	for _, b := range f.brokers {
		assert.Equal(t, admin.PermRead, b.Topics()["orders"].Perm, "read-only on %s", b.Addr())
	}
	assert.Equal(t, 1, f.brokers[0].CallCount(admin.CodeUpdateAndCreateTopic))
	assert.Equal(t, 2, f.brokers[1].CallCount(admin.CodeUpdateAndCreateTopic), "the failed perm update is retried")

	// A producer that has not refreshed its route yet: the broker takes it.
	f.brokers[0].SetQueueOffsets("orders", 0, 14)
	orders = waitObject(t, orders, "UnconsumedMessages", func(o *v1alpha1.RocketMQTopic) bool {
		return blocked(&o.Status.MetadataObjectStatus, o.Generation)
	})
	assert.Contains(t, readyMessage(&orders.Status.MetadataObjectStatus), "consumer group billing has 4 unconsumed messages on demo-broker-0")
	assert.Contains(t, f.brokers[0].Topics(), "orders")

	f.brokers[0].SetConsumerOffset("billing", "orders", 0, 14)
	eventually(t, "object gone", gone(orders))
	for _, b := range f.brokers {
		assert.NotContains(t, b.Topics(), "orders")
	}
	assert.Empty(t, rmqtest.CollectDataLoss(f.brokers[0], f.brokers[1], f.names))
}
