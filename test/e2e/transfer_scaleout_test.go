package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// TestTopicTransferDuringSourceScaleOut: the source cluster grows from one
// broker group to two while a transfer of topic orders waits in its drain.
// The new group gets every other topic but not orders (metadataHeld), so no
// producer can write to orders there; once the messages left on the source
// are consumed the transfer succeeds, orders is on no source master and in
// no source route, the held topic is released (nothing to copy: it moved),
// and the emulators recorded no data loss.
func TestTopicTransferDuringSourceScaleOut(t *testing.T) {
	small := spec(v1alpha1.BrokerModeMasterSlave)
	small.Broker.Groups = ptr(int32(1))
	src := newEnv(t, "growsrc", small)
	dst := newEnv(t, "growdst", small)
	startController(t)
	src.sync()
	dst.sync()
	src.waitFor("source Ready", 3*time.Minute, src.readyWithMasters)
	dst.waitFor("target Ready", 3*time.Minute, dst.readyWithMasters)
	src.seedConsumedTopic("orders", "billing")
	src.seedConsumedTopic("invoices", "billing")
	master := s.runtime.Broker(src.ns, src.name+"-broker-0-0")
	master.SetQueueOffsets("orders", 0, 150) // 50 messages billing has not read

	tt := &v1alpha1.TopicTransfer{
		ObjectMeta: metav1.ObjectMeta{Namespace: src.ns, Name: "orders-away"},
		Spec: v1alpha1.TopicTransferSpec{
			Topic: "orders", ConsumerGroups: []string{"billing"},
			Source:       v1alpha1.TransferEndpoint{ClusterRef: &v1alpha1.ClusterReference{Name: src.name}},
			Target:       v1alpha1.TransferEndpoint{NameServers: dst.get().Status.NameServerAddresses, ClusterName: dst.name},
			DrainTimeout: &metav1.Duration{Duration: 10 * time.Minute},
			// The emulated runtime has no POP consumers: no settle period.
			PopInvisibleTime: &metav1.Duration{},
		},
	}
	if err := s.client.Create(context.Background(), tt); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.client.Delete(context.Background(), tt) })
	waitTransferState(t, tt, "the drain waiting for billing", 2*time.Minute, func(cur *v1alpha1.TopicTransfer) bool {
		return cur.Status.Step == v1alpha1.StepNumberDrain && cur.Status.Drain != nil && len(cur.Status.Drain.Pending) == 1
	})

	src.spec.Broker.Groups = ptr(int32(2))
	src.sync()
	src.waitFor("the new group Synced with orders held back", 4*time.Minute, func(c *v1alpha1.RocketMQCluster) (bool, string) {
		if len(c.Status.BrokerGroups) != 2 || c.Status.BrokerGroups[1].Metadata != v1alpha1.MetadataSynced ||
			!slices.Equal(c.Status.BrokerGroups[1].MetadataHeld, []string{"orders"}) {
			return false, fmt.Sprintf("groups %+v", c.Status.BrokerGroups)
		}
		return src.readyWithMasters(c)
	})
	src.expectTopicsOn(src.name+"-broker-1", []string{"invoices"}, true)
	src.expectTopicsOn(src.name+"-broker-1", []string{"orders"}, false)

	master.SetConsumerOffset("billing", "orders", 0, 150)
	final := waitTransfer(t, tt, 3*time.Minute)
	if final.Status.Phase != v1alpha1.TransferSucceeded {
		st, _ := yaml.Marshal(final.Status)
		t.Fatalf("transfer ended %s:\n%s", final.Status.Phase, st)
	}
	src.expectTopics([]string{"orders"}, false)
	src.expectTopics([]string{"invoices"}, true)
	dst.expectTopics([]string{"orders"}, true)
	src.waitFor("orders no longer held", time.Minute, func(c *v1alpha1.RocketMQCluster) (bool, string) {
		g := c.Status.BrokerGroups[1]
		return g.Metadata == v1alpha1.MetadataSynced && len(g.MetadataHeld) == 0, fmt.Sprintf("group %+v", g)
	})
	src.expectTopics([]string{"orders"}, false)
	if lost := s.runtime.DataLoss(); len(lost) > 0 {
		t.Errorf("data lost: %v", lost)
	}
}

// waitTransferState waits until the transfer satisfies ok.
func waitTransferState(t *testing.T, tt *v1alpha1.TopicTransfer, what string, timeout time.Duration, ok func(*v1alpha1.TopicTransfer) bool) {
	t.Helper()
	var cur v1alpha1.TopicTransfer
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if err := s.client.Get(context.Background(), client.ObjectKeyFromObject(tt), &cur); err != nil {
			t.Fatal(err)
		}
		if ok(&cur) {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	st, _ := yaml.Marshal(cur.Status)
	t.Fatalf("waited %s for %s; last status:\n%s", timeout, what, st)
}

// expectTopicsOn is expectTopics for the master of one broker group
// (brokerName).
func (e *env) expectTopicsOn(brokerName string, names []string, want bool) {
	e.t.Helper()
	addr, ok := e.masterAddrs()[brokerName]
	if !ok {
		e.t.Fatalf("broker group %s has no registered master", brokerName)
	}
	cl := admin.New(admin.Options{})
	defer func() { _ = cl.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, err := cl.Topics(ctx, addr)
	if err := expectNames(e.t, "topic", names, got, want, addr, err); err != nil {
		e.t.Fatalf("reading topics of %s: %v", brokerName, err)
	}
}
