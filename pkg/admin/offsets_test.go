package admin_test

import (
	"errors"
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

func TestConsumerOffsets(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	tc := admin.NewTopicConfig("orders")
	tc.ReadQueueNums, tc.WriteQueueNums = 1, 1
	if err := e.client.CreateTopic(ctx, e.a.Addr(), tc); err != nil {
		t.Fatal(err)
	}
	if err := e.client.CreateGroup(ctx, e.a.Addr(), admin.NewSubscriptionGroupConfig("g")); err != nil {
		t.Fatal(err)
	}
	e.a.SetQueueOffsets("orders", 0, 9)
	// The first message is "in memory": without setZeroIfNotFound=false the
	// broker would answer 0 and hide that the group has no offset.
	if _, err := e.client.QueryConsumerOffset(ctx, e.a.Addr(), "g", "orders", 0); !errors.Is(err, admin.ErrQueryNotFound) {
		t.Fatalf("no offset yet: err = %v, want ErrQueryNotFound", err)
	}
	reqs := e.a.Requests()
	if ext := reqs[len(reqs)-1].ExtFields; ext["setZeroIfNotFound"] != "false" || ext["queueId"] != "0" || ext["consumerGroup"] != "g" {
		t.Fatalf("QueryConsumerOffsetRequestHeader = %v", ext)
	}
	if err := e.client.UpdateConsumerOffset(ctx, e.a.Addr(), "g", "orders", 0, 4); err != nil {
		t.Fatal(err)
	}
	if off, err := e.client.QueryConsumerOffset(ctx, e.a.Addr(), "g", "orders", 0); err != nil || off != 4 {
		t.Fatalf("offset = %d, %v; want 4", off, err)
	}
	if err := e.client.UpdateConsumerOffset(ctx, e.a.Addr(), "nobody", "orders", 0, 4); !errors.Is(err, admin.ErrSubscriptionGroupNotExist) {
		t.Fatalf("unknown group: %v", err)
	}
	if err := e.client.UpdateConsumerOffset(ctx, e.a.Addr(), "g", "nothing", 0, 4); !errors.Is(err, admin.ErrTopicNotExist) {
		t.Fatalf("unknown topic: %v", err)
	}
	e.a.SetMinOffset("orders", 0, 3)
	if off, err := e.client.MinOffset(ctx, e.a.Addr(), "orders", 0); err != nil || off != 3 {
		t.Fatalf("min offset = %d, %v; want 3", off, err)
	}
}

func TestBrokerBacklog(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	if b, err := e.client.BrokerBacklog(ctx, e.a.Addr()); err != nil || !b.Empty() {
		t.Fatalf("fresh broker backlog = %+v, %v", b, err)
	}
	e.a.AddDelayed("orders", 0, 1, 2)
	e.a.AddDelayed("orders", 0, 18, 1)
	e.a.AddTimer("orders", 0, 4)
	e.a.AddHalf("orders", 0, 3)
	b, err := e.client.BrokerBacklog(ctx, e.a.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if want := (admin.Backlog{Delayed: 3, Timer: 4, Half: 3}); b != want {
		t.Fatalf("backlog = %+v, want %+v", b, want)
	}
	if got := b.String(); got != "3 delayed, 4 timer, 3 transactional half message(s) pending" {
		t.Fatalf("String() = %q", got)
	}
}
