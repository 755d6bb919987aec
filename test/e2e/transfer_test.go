package e2e

import (
	"context"

	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// TestTopicTransferBetweenNamespaces: two rendered clusters in two
// namespaces; a TopicTransfer in the first moves topic orders and its
// consumer group from its own cluster (clusterRef) to the other (by the
// NameServers' DNS names, as a user writes them). It succeeds, the target
// has the topic and the group, the source no longer has the topic, and the
// emulators recorded no data loss.
func TestTopicTransferBetweenNamespaces(t *testing.T) {
	small := spec(v1alpha1.BrokerModeMasterSlave)
	small.Broker.Groups = ptr(int32(1))
	src := newEnv(t, "src", small)
	dst := newEnv(t, "dst", small)
	startController(t)
	src.sync()
	dst.sync()
	src.waitFor("source Ready", 3*time.Minute, src.readyWithMasters)
	dst.waitFor("target Ready", 3*time.Minute, dst.readyWithMasters)
	src.seedConsumedTopic("orders", "billing")

	tt := &v1alpha1.TopicTransfer{
		ObjectMeta: metav1.ObjectMeta{Namespace: src.ns, Name: "orders-to-dst"},
		Spec: v1alpha1.TopicTransferSpec{
			Topic: "orders", ConsumerGroups: []string{"billing"},
			Source: v1alpha1.TransferEndpoint{ClusterRef: &v1alpha1.ClusterReference{Name: "src"}},
			Target: v1alpha1.TransferEndpoint{NameServers: dst.get().Status.NameServerAddresses, ClusterName: "dst"},
			// The emulated runtime has no POP consumers: no settle period.
			PopInvisibleTime: &metav1.Duration{},
		},
	}
	if err := s.client.Create(context.Background(), tt); err != nil {
		t.Fatal(err)
	}
	// Runs before the controller stops (cleanups run last-in first-out),
	// so the finalizer is released and the namespace can go.
	t.Cleanup(func() { _ = s.client.Delete(context.Background(), tt) })
	start := time.Now()
	final := waitTransfer(t, tt, 3*time.Minute)
	t.Logf("transfer Succeeded after %s", time.Since(start).Round(time.Millisecond))
	if final.Status.Phase != v1alpha1.TransferSucceeded {
		st, _ := yaml.Marshal(final.Status)
		t.Fatalf("transfer ended %s:\n%s", final.Status.Phase, st)
	}
	dst.expectTopics([]string{"orders"}, true)
	dst.checkGroups([]string{"billing"})
	src.expectTopics([]string{"orders"}, false)
	if lost := s.runtime.DataLoss(); len(lost) > 0 {
		t.Errorf("data lost: %v", lost)
	}
}

// seedConsumedTopic creates a topic and a group on every master, with
// messages the group has consumed entirely.
func (e *env) seedConsumedTopic(topic, group string) {
	e.t.Helper()
	e.onMasters("creating "+topic+" and "+group, func(ctx context.Context, cl *admin.Client, addr string) error {
		if err := cl.CreateTopic(ctx, addr, admin.NewTopicConfig(topic)); err != nil {
			return err
		}
		return cl.CreateGroup(ctx, addr, admin.NewSubscriptionGroupConfig(group))
	})
	reg, err := e.registeredMasters(e.nameServerAddrs()[0])
	if err != nil {
		e.t.Fatal(err)
	}
	for _, pod := range reg {
		b := s.runtime.Broker(e.ns, pod)
		for q := 0; q < 8; q++ {
			b.SetQueueOffsets(topic, q, 100)
			b.SetConsumerOffset(group, topic, q, 100)
		}
	}
}

// waitTransfer waits until the transfer reaches a final phase.
func waitTransfer(t *testing.T, tt *v1alpha1.TopicTransfer, timeout time.Duration) *v1alpha1.TopicTransfer {
	t.Helper()
	var cur v1alpha1.TopicTransfer
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if err := s.client.Get(context.Background(), client.ObjectKeyFromObject(tt), &cur); err != nil {
			t.Fatal(err)
		}
		switch cur.Status.Phase {
		case v1alpha1.TransferSucceeded, v1alpha1.TransferRolledBack, v1alpha1.TransferFailed, v1alpha1.TransferAbandoned:
			return &cur
		}
		time.Sleep(200 * time.Millisecond)
	}
	st, _ := yaml.Marshal(cur.Status)
	t.Fatalf("waited %s for the transfer to end; last status:\n%s", timeout, st)
	return nil
}
