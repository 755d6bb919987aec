package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
	src, dst := transferPair(t, v1alpha1.BrokerModeMasterSlave)
	src.seedConsumedTopic("orders", "billing")
	src.seedConsumedTopic("invoices", "billing")
	master := s.runtime.Broker(src.ns, src.name+"-broker-0-0")
	master.SetQueueOffsets("orders", 0, 150) // 50 messages billing has not read

	tt := newTransfer(t, src, dst, "orders-away", "orders", []string{"billing"}, func(sp *v1alpha1.TopicTransferSpec) {
		sp.DrainTimeout = &metav1.Duration{Duration: 10 * time.Minute}
	})
	waitTransferFor(t, tt, "the drain waiting for billing", 2*time.Minute, draining("billing"))

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
	noDataLoss(t)
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
