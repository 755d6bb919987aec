package admin_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
)

// opCase is one client operation and the request code it is faulted on.
type opCase struct {
	name string
	code int
	ns   bool // the code goes to the NameServer, not broker-a
	call func(ctx context.Context, e *env) error
}

func allOps() []opCase {
	c := func(e *env) *admin.Client { return e.client }
	return []opCase{
		{"ClusterInfo", admin.CodeGetBrokerClusterInfo, true, func(ctx context.Context, e *env) error { _, err := c(e).ClusterInfo(ctx, e.ns.Addr()); return err }},
		{"TopicRoute", admin.CodeGetRouteInfoByTopic, true, func(ctx context.Context, e *env) error { _, err := c(e).TopicRoute(ctx, e.ns.Addr(), "t1"); return err }},
		{"DeleteTopicInNameServer", admin.CodeDeleteTopicInNamesrv, true, func(ctx context.Context, e *env) error {
			return c(e).DeleteTopicInNameServer(ctx, e.ns.Addr(), "t1", "c1")
		}},
		{"WipeWritePerm", admin.CodeWipeWritePermOfBroker, true, func(ctx context.Context, e *env) error {
			_, err := c(e).WipeWritePerm(ctx, e.ns.Addr(), "broker-a")
			return err
		}},
		{"AddWritePerm", admin.CodeAddWritePermOfBroker, true, func(ctx context.Context, e *env) error {
			_, err := c(e).AddWritePerm(ctx, e.ns.Addr(), "broker-a")
			return err
		}},
		{"GroupDrained", admin.CodeGetRouteInfoByTopic, true, func(ctx context.Context, e *env) error {
			_, err := c(e).GroupDrained(ctx, e.ns.Addr(), "g1", "t1")
			return err
		}},
		{"Topics", admin.CodeGetAllTopicConfig, false, func(ctx context.Context, e *env) error { _, err := c(e).Topics(ctx, e.a.Addr()); return err }},
		{"Topic", admin.CodeGetTopicConfig, false, func(ctx context.Context, e *env) error { _, err := c(e).Topic(ctx, e.a.Addr(), "t1"); return err }},
		{"CreateTopic", admin.CodeUpdateAndCreateTopic, false, func(ctx context.Context, e *env) error {
			return c(e).CreateTopic(ctx, e.a.Addr(), admin.NewTopicConfig("t2"))
		}},
		{"CreateTopics", admin.CodeUpdateAndCreateTopicList, false, func(ctx context.Context, e *env) error {
			return c(e).CreateTopics(ctx, e.a.Addr(), topicNames(3, "batch"))
		}},
		{"DeleteTopicInBroker", admin.CodeDeleteTopicInBroker, false, func(ctx context.Context, e *env) error { return c(e).DeleteTopicInBroker(ctx, e.a.Addr(), "t1") }},
		{"Groups", admin.CodeGetAllSubscriptionGroupConfig, false, func(ctx context.Context, e *env) error { _, err := c(e).Groups(ctx, e.a.Addr()); return err }},
		{"Group", admin.CodeGetSubscriptionGroupConfig, false, func(ctx context.Context, e *env) error { _, err := c(e).Group(ctx, e.a.Addr(), "g1"); return err }},
		{"CreateGroup", admin.CodeUpdateAndCreateSubscriptionGroup, false, func(ctx context.Context, e *env) error {
			return c(e).CreateGroup(ctx, e.a.Addr(), admin.NewSubscriptionGroupConfig("g2"))
		}},
		{"CreateGroups", admin.CodeUpdateAndCreateSubscriptionGroups, false, func(ctx context.Context, e *env) error {
			return c(e).CreateGroups(ctx, e.a.Addr(), []admin.SubscriptionGroupConfig{admin.NewSubscriptionGroupConfig("g3")})
		}},
		{"DeleteGroup", admin.CodeDeleteSubscriptionGroup, false, func(ctx context.Context, e *env) error { return c(e).DeleteGroup(ctx, e.a.Addr(), "g1", true) }},
		{"BrokerConfig", admin.CodeGetBrokerConfig, false, func(ctx context.Context, e *env) error { _, err := c(e).BrokerConfig(ctx, e.a.Addr()); return err }},
		{"UpdateBrokerConfig", admin.CodeUpdateBrokerConfig, false, func(ctx context.Context, e *env) error {
			return c(e).UpdateBrokerConfig(ctx, e.a.Addr(), map[string]string{"deleteWhen": "05"})
		}},
		{"BrokerRuntimeInfo", admin.CodeGetBrokerRuntimeInfo, false, func(ctx context.Context, e *env) error { _, err := c(e).BrokerRuntimeInfo(ctx, e.a.Addr()); return err }},
		{"ConsumeStats", admin.CodeGetConsumeStats, false, func(ctx context.Context, e *env) error {
			_, err := c(e).ConsumeStats(ctx, e.a.Addr(), "g1", "t1")
			return err
		}},
		{"TopicStats", admin.CodeGetTopicStatsInfo, false, func(ctx context.Context, e *env) error { _, err := c(e).TopicStats(ctx, e.a.Addr(), "t1"); return err }},
		{"SetTopicPerm", admin.CodeGetTopicConfig, false, func(ctx context.Context, e *env) error {
			return c(e).SetTopicPerm(ctx, e.a.Addr(), "t1", admin.PermRead)
		}},
		{"QueryConsumerOffset", admin.CodeQueryConsumerOffset, false, func(ctx context.Context, e *env) error {
			_, err := c(e).QueryConsumerOffset(ctx, e.a.Addr(), "g1", "t1", 0)
			return err
		}},
		{"UpdateConsumerOffset", admin.CodeUpdateConsumerOffset, false, func(ctx context.Context, e *env) error {
			return c(e).UpdateConsumerOffset(ctx, e.a.Addr(), "g1", "t1", 0, 10)
		}},
		{"MinOffset", admin.CodeGetMinOffset, false, func(ctx context.Context, e *env) error {
			_, err := c(e).MinOffset(ctx, e.a.Addr(), "t1", 0)
			return err
		}},
		{"BrokerBacklog", admin.CodeGetBrokerRuntimeInfo, false, func(ctx context.Context, e *env) error { _, err := c(e).BrokerBacklog(ctx, e.a.Addr()); return err }},
		{"CopyMetadata", admin.CodeGetAllTopicConfig, false, func(ctx context.Context, e *env) error {
			_, err := c(e).CopyMetadata(ctx, e.a.Addr(), e.b.Addr())
			return err
		}},
	}
}

// seeded returns an env where every operation of allOps has something to act on.
func seeded(t *testing.T) *env {
	e := newEnv(t)
	ctx := ctxT(t)
	if err := e.client.CreateTopic(ctx, e.a.Addr(), admin.NewTopicConfig("t1")); err != nil {
		t.Fatalf("seeding topic: %v", err)
	}
	if err := e.client.CreateGroup(ctx, e.a.Addr(), admin.NewSubscriptionGroupConfig("g1")); err != nil {
		t.Fatalf("seeding group: %v", err)
	}
	e.a.SetQueueOffsets("t1", 0, 10)
	e.a.SetConsumerOffset("g1", "t1", 0, 10)
	return e
}

func (o opCase) target(e *env) *rmqtest.Endpoint {
	if o.ns {
		return e.ns.Endpoint
	}
	return e.a.Endpoint
}

func TestEveryOperationSurfacesInjectedFailure(t *testing.T) {
	for _, op := range allOps() {
		t.Run(op.name, func(t *testing.T) {
			e := seeded(t)
			op.target(e).FailNth(op.code, 1, admin.CodeSystemBusy, "[TIMEOUT_CLEAN_QUEUE] broker busy")
			err := op.call(ctxT(t), e)
			if !errors.Is(err, admin.ErrSystemBusy) {
				t.Fatalf("got %v, want ErrSystemBusy", err)
			}
			var re *admin.ResponseError
			if !errors.As(err, &re) || re.Code != admin.CodeSystemBusy || re.Remark != "[TIMEOUT_CLEAN_QUEUE] broker busy" {
				t.Fatalf("want the broker's code and remark, got %#v", re)
			}
			if err := op.call(ctxT(t), e); err != nil {
				t.Fatalf("call after the fault: %v", err)
			}
		})
	}
}

func TestEveryOperationHonoursItsDeadline(t *testing.T) {
	for _, op := range allOps() {
		t.Run(op.name, func(t *testing.T) {
			e := seeded(t)
			op.target(e).DelayNth(op.code, 1, time.Minute)
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := op.call(ctx, e)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("got %v, want context.DeadlineExceeded", err)
			}
			if time.Since(start) > 5*time.Second {
				t.Fatalf("call took %v after a 100ms deadline", time.Since(start))
			}
			// The late response, if it ever came, must not confuse the next call.
			if err := op.call(ctxT(t), e); err != nil {
				t.Fatalf("call after the timeout: %v", err)
			}
		})
	}
}

func TestEveryOperationSurvivesDroppedConnection(t *testing.T) {
	for _, op := range allOps() {
		t.Run(op.name, func(t *testing.T) {
			e := seeded(t)
			// One drop: the request is sent again on a new connection.
			op.target(e).ResetCounts()
			op.target(e).DropConnectionOnNth(op.code, 1)
			if err := op.call(ctxT(t), e); err != nil {
				t.Fatalf("call with one dropped connection: %v", err)
			}
			if n := op.target(e).CallCount(op.code); n < 2 {
				t.Fatalf("code %d sent %d times, want a resend after the drop", op.code, n)
			}
			// Two drops in a row: the caller sees the lost connection.
			op.target(e).DropConnectionOnNth(op.code, 1)
			op.target(e).DropConnectionOnNth(op.code, 2)
			if err := op.call(ctxT(t), e); !errors.Is(err, admin.ErrConnectionLost) {
				t.Fatalf("got %v, want ErrConnectionLost", err)
			}
			if err := op.call(ctxT(t), e); err != nil {
				t.Fatalf("call after the drops (redial): %v", err)
			}
		})
	}
}
