package admin_test

import (
	"context"
	"maps"
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
)

// TestRequestsSendTheJavaHeaderFields checks every request with a header
// carries each field its Java header class reads. The brokers and
// NameServers do not refuse a request lacking one: decodeCommandCustomHeader
// leaves it null and the processor answers something else (an NPE's
// SYSTEM_ERROR, "topic: null", or a SUCCESS that did nothing), so only the
// request itself shows a missing field. CreateTopic has its own test.
func TestRequestsSendTheJavaHeaderFields(t *testing.T) {
	e := newEnv(t)
	tc := admin.NewTopicConfig("t")
	if err := e.client.CreateTopic(ctxT(t), e.a.Addr(), tc); err != nil {
		t.Fatal(err)
	}
	a, ns := e.a.Addr(), e.ns.Addr()
	cases := []struct {
		name string
		ep   *rmqtest.Endpoint
		call func(ctx context.Context) error
		code int
		want map[string]string
	}{
		{"Topic", e.a.Endpoint, func(ctx context.Context) error { _, err := e.client.Topic(ctx, a, "t"); return err },
			admin.CodeGetTopicConfig, map[string]string{"topic": "t"}},
		{"DeleteTopicInBroker", e.a.Endpoint, func(ctx context.Context) error { return e.client.DeleteTopicInBroker(ctx, a, "gone") },
			admin.CodeDeleteTopicInBroker, map[string]string{"topic": "gone"}},
		{"Group", e.a.Endpoint, func(ctx context.Context) error { _, err := e.client.Group(ctx, a, "TOOLS_CONSUMER"); return err },
			admin.CodeGetSubscriptionGroupConfig, map[string]string{"group": "TOOLS_CONSUMER"}},
		{"DeleteGroup", e.a.Endpoint, func(ctx context.Context) error { return e.client.DeleteGroup(ctx, a, "gone", true) },
			admin.CodeDeleteSubscriptionGroup, map[string]string{"groupName": "gone", "cleanOffset": "true"}},
		{"ConsumeStats", e.a.Endpoint, func(ctx context.Context) error { _, err := e.client.ConsumeStats(ctx, a, "g", "t"); return err },
			admin.CodeGetConsumeStats, map[string]string{"consumerGroup": "g", "topic": "t", "topicList": "t"}},
		{"TopicStats", e.a.Endpoint, func(ctx context.Context) error { _, err := e.client.TopicStats(ctx, a, "t"); return err },
			admin.CodeGetTopicStatsInfo, map[string]string{"topic": "t"}},
		{"TopicRoute", e.ns.Endpoint, func(ctx context.Context) error { _, err := e.client.TopicRoute(ctx, ns, "t"); return err },
			admin.CodeGetRouteInfoByTopic, map[string]string{"topic": "t"}},
		{"DeleteTopicInNameServer", e.ns.Endpoint, func(ctx context.Context) error { return e.client.DeleteTopicInNameServer(ctx, ns, "gone", "c1") },
			admin.CodeDeleteTopicInNamesrv, map[string]string{"topic": "gone", "clusterName": "c1"}},
		{"WipeWritePerm", e.ns.Endpoint, func(ctx context.Context) error { _, err := e.client.WipeWritePerm(ctx, ns, "broker-b"); return err },
			admin.CodeWipeWritePermOfBroker, map[string]string{"brokerName": "broker-b"}},
		{"AddWritePerm", e.ns.Endpoint, func(ctx context.Context) error { _, err := e.client.AddWritePerm(ctx, ns, "broker-b"); return err },
			admin.CodeAddWritePermOfBroker, map[string]string{"brokerName": "broker-b"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.call(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			reqs := c.ep.Requests()
			got := reqs[len(reqs)-1]
			if got.Code != c.code || !maps.Equal(got.ExtFields, c.want) {
				t.Fatalf("request %d %v\nwant    %d %v", got.Code, got.ExtFields, c.code, c.want)
			}
		})
	}
}
