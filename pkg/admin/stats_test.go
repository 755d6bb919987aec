package admin_test

import (
	"errors"
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

func TestConsumeStats(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	tc := admin.NewTopicConfig("orders")
	tc.ReadQueueNums, tc.WriteQueueNums = 2, 2
	if err := e.client.CreateTopic(ctx, e.a.Addr(), tc); err != nil {
		t.Fatal(err)
	}
	e.a.SetQueueOffsets("orders", 0, 10)
	e.a.SetQueueOffsets("orders", 1, 7)
	e.a.SetConsumerOffset("g", "orders", 0, 4)
	cs, err := e.client.ConsumeStats(ctx, e.a.Addr(), "g", "orders")
	if err != nil {
		t.Fatal(err)
	}
	q0 := admin.MessageQueue{Topic: "orders", BrokerName: "broker-a", QueueID: 0}
	q1 := admin.MessageQueue{Topic: "orders", BrokerName: "broker-a", QueueID: 1}
	if len(cs.OffsetTable) != 2 || cs.OffsetTable[q0].BrokerOffset != 10 || cs.OffsetTable[q0].ConsumerOffset != 4 ||
		cs.OffsetTable[q1].BrokerOffset != 7 || cs.OffsetTable[q1].ConsumerOffset != 0 {
		t.Fatalf("offset table = %+v", cs.OffsetTable)
	}
	if cs.Diff() != 13 {
		t.Fatalf("Diff = %d, want 13", cs.Diff())
	}
	reqs := e.a.Requests()
	if ext := reqs[len(reqs)-1].ExtFields; ext["consumerGroup"] != "g" || ext["topic"] != "orders" || ext["topicList"] != "orders" {
		t.Fatalf("GetConsumeStatsRequestHeader = %v", ext)
	}
}

func TestTopicStats(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	tc := admin.NewTopicConfig("orders")
	tc.ReadQueueNums, tc.WriteQueueNums = 1, 3
	if err := e.client.CreateTopic(ctx, e.a.Addr(), tc); err != nil {
		t.Fatal(err)
	}
	e.a.SetQueueOffsets("orders", 2, 99)
	ts, err := e.client.TopicStats(ctx, e.a.Addr(), "orders")
	if err != nil {
		t.Fatal(err)
	}
	// max(read, write) queues, as getTopicStatsInfo iterates.
	if len(ts.OffsetTable) != 3 || ts.OffsetTable[admin.MessageQueue{Topic: "orders", BrokerName: "broker-a", QueueID: 2}].MaxOffset != 99 {
		t.Fatalf("topic stats = %+v", ts.OffsetTable)
	}
	if _, err := e.client.TopicStats(ctx, e.a.Addr(), "nope"); !errors.Is(err, admin.ErrTopicNotExist) {
		t.Fatalf("stats of a missing topic: %v", err)
	}
}

func TestGroupDrainedAcrossMasters(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	tc := admin.NewTopicConfig("orders")
	tc.ReadQueueNums, tc.WriteQueueNums = 2, 2
	for _, addr := range []string{e.a.Addr(), e.b.Addr()} {
		if err := e.client.CreateTopic(ctx, addr, tc); err != nil {
			t.Fatal(err)
		}
	}
	check := func(want bool) {
		t.Helper()
		got, err := e.client.GroupDrained(ctx, e.ns.Addr(), "g", "orders")
		if err != nil || got != want {
			t.Fatalf("GroupDrained = %v, %v; want %v", got, err, want)
		}
	}
	check(true) // nothing written, nothing to consume
	e.a.SetQueueOffsets("orders", 0, 5)
	e.b.SetQueueOffsets("orders", 1, 3)
	check(false)
	e.a.SetConsumerOffset("g", "orders", 0, 5)
	check(false) // broker-b still has 3 unconsumed
	e.b.SetConsumerOffset("g", "orders", 1, 3)
	check(true)
	if _, err := e.client.GroupDrained(ctx, e.ns.Addr(), "g", "nope"); !errors.Is(err, admin.ErrTopicNotExist) {
		t.Fatalf("drain check of an unknown topic: %v", err)
	}
}
